// Package consentstats turns the proof-of-consent log into daily figures for
// the staff area, and lays them out as a chart (see NewChart) that package
// web draws.
//
// The figures of a day are defined as follows. Days are calendar days in
// Europe/Brussels time. A visitor is a consent ID that made at least one
// choice that day, and each visitor counts once, by the LAST choice it made
// that day:
//
//   - accept_all counts as Accepted;
//   - reject_all and withdraw count as Refused;
//   - save (a choice made category by category) counts as Customised.
//
// So Accepted + Refused + Customised = Visitors. Granted[c] counts the
// visitors of the day whose last choice granted the optional category c
// (analytics, advertising, social). A consent ID that chooses on two days
// counts on both. Every day of the requested period is present, in order,
// with zeros when nobody chose, so a chart has a continuous axis.
//
// The retention purge and erasure requests do not change past figures: a
// day's figures are counts with nothing of a visitor in them, so they are
// not personal data and may outlive the log they were counted from. A
// consent ID removed that way still counts in the days it chose on; one
// removed any other way does not. The store keeps closed days counted once
// (daily rollups, migration 00015) and counts today live.
package consentstats

import (
	"errors"
	"fmt"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/consent"
)

// Day holds the figures of one calendar day.
type Day struct {
	// Date is the calendar day in Brussels, written as midnight UTC.
	Date                                    time.Time
	Visitors, Accepted, Refused, Customised int
	// Granted counts, per optional category, the visitors whose last choice
	// of the day granted it. Every category of Categories is present.
	Granted map[consent.Category]int
}

// Share returns n as a fraction (0 to 1) of the day's visitors, or 0 on a
// day without visitors.
func (d Day) Share(n int) float64 {
	if d.Visitors <= 0 {
		return 0
	}
	return float64(n) / float64(d.Visitors)
}

// Total sums the figures of a period's days: the visitors who chose, by
// how, and by what they granted. A consent ID that chose on two days counts
// on both, as it does in each day's figures. Date is the first day's.
func Total(days []Day) Day {
	t := Day{Granted: make(map[consent.Category]int, len(Categories()))}
	for _, c := range Categories() {
		t.Granted[c] = 0
	}
	for i, d := range days {
		if i == 0 {
			t.Date = d.Date
		}
		t.Visitors += d.Visitors
		t.Accepted += d.Accepted
		t.Customised += d.Customised
		t.Refused += d.Refused
		for c, n := range d.Granted {
			t.Granted[c] += n
		}
	}
	return t
}

// Percentages returns the accepted, customised and refused shares of the
// day's visitors in whole percent that add up to 100 (the largest
// remainders are rounded up), or three zeros on a day without visitors.
// Rounding each share on its own could show 33 + 33 + 33.
func (d Day) Percentages() (accepted, customised, refused int) {
	counts := [3]int{d.Accepted, d.Customised, d.Refused}
	sum := 0
	for _, n := range counts {
		sum += max(n, 0)
	}
	if d.Visitors <= 0 || sum == 0 {
		return 0, 0, 0
	}
	var whole, rest [3]int
	left := 100
	for i, n := range counts {
		whole[i] = max(n, 0) * 100 / sum
		rest[i] = max(n, 0) * 100 % sum
		left -= whole[i]
	}
	// Hand the points lost to rounding down to the largest remainders; on
	// a tie, to the part that comes first.
	for ; left > 0; left-- {
		best := 0
		for i := range rest {
			if rest[i] > rest[best] {
				best = i
			}
		}
		whole[best]++
		rest[best] = -1
	}
	return whole[0], whole[1], whole[2]
}

// Categories lists the categories the statistics count, in the order the
// site shows them: the optional ones, since the functional category needs
// no consent.
func Categories() []consent.Category {
	return []consent.Category{consent.Analytics, consent.Advertising, consent.Social}
}

// MaxDays bounds a period: two years of daily bars is already more than a
// chart can show.
const MaxDays = 731

// ErrInvalidPeriod is returned for a period that ends before it starts or
// is longer than MaxDays.
var ErrInvalidPeriod = errors.New("invalid statistics period")

// CheckPeriod validates the period from..to (calendar days, both included).
func CheckPeriod(from, to time.Time) error {
	f, t := DateOf(from), DateOf(to)
	if t.Before(f) {
		return fmt.Errorf("%s ends before it starts: %w", periodString(f, t), ErrInvalidPeriod)
	}
	if n := DaysIn(f, t); n > MaxDays {
		return fmt.Errorf("%s spans %d days, at most %d: %w", periodString(f, t), n, MaxDays, ErrInvalidPeriod)
	}
	return nil
}

// DaysIn returns the number of calendar days from..to, both included, or 0
// when to is before from.
func DaysIn(from, to time.Time) int {
	f, t := DateOf(from), DateOf(to)
	if t.Before(f) {
		return 0
	}
	// Both are UTC midnights, so the difference is a whole number of days.
	return int(t.Sub(f)/(24*time.Hour)) + 1
}

// DateOf returns the calendar day of t, as read in t's own location, written
// as midnight UTC (the form Day.Date uses).
func DateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// LastDays returns the period of the n calendar days that end today in
// Brussels (n is at least 1), for a period selector's "last 7/30/90 days".
func LastDays(now time.Time, n int) (from, to time.Time) {
	if n < 1 {
		n = 1
	}
	to = DateOf(brussels.In(now))
	return to.AddDate(0, 0, -(n - 1)), to
}

func periodString(from, to time.Time) string {
	return "period " + from.Format(time.DateOnly) + ".." + to.Format(time.DateOnly)
}
