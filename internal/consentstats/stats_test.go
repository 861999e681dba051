package consentstats_test

import (
	"errors"
	"testing"
	"time"

	"conpro/internal/consent"
	"conpro/internal/consentstats"
)

func TestDay_ShareOfADayWithoutVisitorsIsZero(t *testing.T) {
	// Counts without visitors cannot come from the store, but must not
	// divide by zero either.
	empty := consentstats.Day{Date: time.Date(2025, 1, 14, 0, 0, 0, 0, time.UTC), Accepted: 2}
	for _, n := range []int{0, 2} {
		if s := empty.Share(n); s != 0 {
			t.Errorf("Share(%d) on a day without visitors = %v, want 0", n, s)
		}
	}
}

func TestLastDays_EndsTodayInBrussels(t *testing.T) {
	// 23:30 UTC on 14 January is already the 15th in Brussels.
	from, to := consentstats.LastDays(time.Date(2025, 1, 14, 23, 30, 0, 0, time.UTC), 30)
	if got, want := from.Format(time.DateOnly)+".."+to.Format(time.DateOnly), "2024-12-17..2025-01-15"; got != want {
		t.Errorf("period %s, want %s", got, want)
	}
	if n := consentstats.DaysIn(from, to); n != 30 {
		t.Errorf("%d days, want 30", n)
	}
}

func TestCheckPeriod_RefusesBackwardsAndOverlongPeriods(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"2025-01-14", "2025-01-14", true},
		{"2025-01-14", "2025-01-13", false},
		{"2024-01-01", "2025-12-31", true}, // 731 days
		{"2024-01-01", "2026-01-01", false},
	} {
		err := consentstats.CheckPeriod(d(tc.from), d(tc.to))
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, consentstats.ErrInvalidPeriod)) {
			t.Errorf("%s..%s: %v", tc.from, tc.to, err)
		}
	}
}

func TestDay_PercentagesAddUpToAHundred(t *testing.T) {
	for _, tc := range []struct {
		accepted, customised, refused int
		want                          [3]int
	}{
		{3, 0, 1, [3]int{75, 0, 25}},
		{1, 1, 1, [3]int{34, 33, 33}}, // not 33 + 33 + 33
		{41, 14, 45, [3]int{41, 14, 45}},
		{2, 1, 4, [3]int{29, 14, 57}}, // 28.6, 14.3, 57.1
		{1, 0, 0, [3]int{100, 0, 0}},
		{0, 0, 0, [3]int{0, 0, 0}},
	} {
		d := consentstats.Day{Visitors: tc.accepted + tc.customised + tc.refused, Accepted: tc.accepted, Customised: tc.customised, Refused: tc.refused}
		a, c, r := d.Percentages()
		if got := [3]int{a, c, r}; got != tc.want {
			t.Errorf("%d/%d/%d: %v, want %v", tc.accepted, tc.customised, tc.refused, got, tc.want)
		}
	}
}

func TestTotal_SumsTheDaysOfThePeriod(t *testing.T) {
	d := func(date string, accepted, customised, refused, analytics int) consentstats.Day {
		on, _ := time.Parse(time.DateOnly, date)
		return consentstats.Day{Date: on, Visitors: accepted + customised + refused, Accepted: accepted, Customised: customised, Refused: refused,
			Granted: map[consent.Category]int{consent.Analytics: analytics, consent.Advertising: 0, consent.Social: 0}}
	}
	total := consentstats.Total([]consentstats.Day{d("2025-01-13", 2, 1, 0, 3), d("2025-01-14", 0, 0, 0, 0), d("2025-01-15", 1, 0, 4, 1)})
	if total.Visitors != 8 || total.Accepted != 3 || total.Customised != 1 || total.Refused != 4 || total.Granted[consent.Analytics] != 4 {
		t.Errorf("total %+v", total)
	}
	if total.Date.Format(time.DateOnly) != "2025-01-13" {
		t.Errorf("total dated %s, want the first day", total.Date.Format(time.DateOnly))
	}
	if empty := consentstats.Total(nil); empty.Visitors != 0 || len(empty.Granted) != len(consentstats.Categories()) {
		t.Errorf("total of no days %+v", empty)
	}
}
