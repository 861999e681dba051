// Package consentstats turns the proof-of-consent log into daily figures for
// the staff area, and draws them as an SVG chart rendered on the server.
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
package consentstats

import (
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
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

// ChartOptions carries the words of a chart, already translated by the
// caller, and how to write dates.
type ChartOptions struct {
	// ID prefixes the ids of the chart's title and description, which must
	// be unique on the page; letters, digits, "-" and "_" only. Default
	// "consent-chart".
	ID string
	// Title names the chart; Description sums it up for screen readers (the
	// figures themselves belong in the table beside the chart).
	Title, Description string
	// Legend labels of the three parts of a bar.
	Accepted, Customised, Refused string
	// Empty is written across the plot when no day of the period has a
	// visitor; nothing is written when it is empty.
	Empty string
	// DateLabel writes a day under the axis; default "02/01" (day/month).
	DateLabel func(time.Time) string
	// Tooltip, when set, gives each bar a <title> that a mouse pointer shows.
	Tooltip func(Day) string
}

// Colours of the site's palette.
const (
	colourAccepted   = "#1d3a5f"
	colourCustomised = "#b85a16" // 4.4:1 on white
	colourRefused    = "#6b7580" // 4.7:1 on white
	colourInk        = "#1b2430"
	colourMuted      = "#55606d"
	colourGrid       = "#d8d2c8"
	colourPaper      = "#ffffff"
	fontStack        = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif`
)

// Geometry, in viewBox units (a pixel when the chart is shown at its
// intrinsic size).
const (
	slotWidth    = 28.0  // horizontal room per day while the plot is not at its widest
	minPlotWidth = 300.0 // room for the "no data" line
	maxPlotWidth = 880.0
	plotHeight   = 200.0
	marginLeft   = 46.0 // y-axis labels
	marginRight  = 14.0
	paddingTop   = 10.0
	legendRow    = 22.0
	legendGap    = 14.0 // between the legend and the top of the plot
	axisBelow    = 30.0 // date labels
	charWidth    = 6.6  // rough advance of a character at the label size, for layout
	fontSize     = 12.0
	dateFontSize = 11.0
)

// Chart draws days as one stacked bar per day (accepted at the bottom, then
// customised, then refused, as shares of the day's visitors, 0 to 100 %).
// It returns an <svg> element to embed in a page as it is: no script, no
// external reference, every text escaped. A day without visitors gets no
// bar. The SVG carries its intrinsic size and a viewBox; make it responsive
// with CSS (width: 100%; height: auto).
func Chart(days []Day, opts ChartOptions) string {
	id := opts.ID
	if !validID(id) {
		id = "consent-chart"
	}
	dateLabel := opts.DateLabel
	if dateLabel == nil {
		dateLabel = func(t time.Time) string { return t.Format("02/01") }
	}

	legend := []struct{ label, colour string }{
		{opts.Accepted, colourAccepted},
		{opts.Customised, colourCustomised},
		{opts.Refused, colourRefused},
	}
	legendItemWidth := func(label string) float64 { return 12 + 6 + textWidth(label, fontSize) + 18 }
	legendWidth := 0.0
	for _, l := range legend {
		legendWidth += legendItemWidth(l.label)
	}

	// A few days get wide slots; a long period is squeezed into the widest
	// plot. A narrow plot still makes room for the legend on one line.
	n := len(days)
	plotWidth := math.Max(float64(n)*slotWidth, math.Max(minPlotWidth, legendWidth))
	plotWidth = math.Min(plotWidth, maxPlotWidth)
	width := marginLeft + plotWidth + marginRight

	// Lay the legend out in rows that fit the width (long labels wrap).
	type placed struct {
		x, y          float64
		label, colour string
	}
	var items []placed
	x, row := marginLeft, 0
	for _, l := range legend {
		w := legendItemWidth(l.label)
		if x > marginLeft && x+w > width-marginRight {
			x, row = marginLeft, row+1
		}
		items = append(items, placed{x, paddingTop + float64(row)*legendRow, l.label, l.colour})
		x += w
	}
	plotTop := paddingTop + float64(row+1)*legendRow + legendGap
	baseline := plotTop + plotHeight
	height := baseline + axisBelow

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%s-title" aria-describedby="%s-desc" font-family="%s" font-size="%s" fill="%s">`,
		num(width), num(height), num(width), num(height), id, id, esc(fontStack), num(fontSize), colourInk)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, esc(opts.Title))
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, id, esc(opts.Description))
	fmt.Fprintf(&b, `<rect class="background" width="%s" height="%s" fill="%s"/>`, num(width), num(height), colourPaper)

	b.WriteString(`<g class="legend">`)
	for _, it := range items {
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="12" height="12" rx="2" fill="%s"/>`, num(it.x), num(it.y+2), it.colour)
		fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`, num(it.x+18), num(it.y+12.5), esc(it.label))
	}
	b.WriteString(`</g>`)

	// Grid and y-axis.
	b.WriteString(`<g class="y-axis" text-anchor="end" font-size="11">`)
	for pct := 0; pct <= 100; pct += 25 {
		y := baseline - float64(pct)/100*plotHeight
		stroke, class := colourGrid, "grid"
		if pct == 0 {
			stroke, class = colourMuted, "grid baseline"
		}
		fmt.Fprintf(&b, `<line class="%s" data-percent="%d" x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1" shape-rendering="crispEdges"/>`,
			class, pct, num(marginLeft), num(marginLeft+plotWidth), num(y), num(y), stroke)
		fmt.Fprintf(&b, `<text x="%s" y="%s" dy="0.35em">%d%%</text>`, num(marginLeft-8), num(y), pct)
	}
	b.WriteString(`</g>`)

	// Bars.
	slot := 0.0
	if n > 0 {
		slot = plotWidth / float64(n)
	}
	barWidth := math.Min(slot*0.7, 22)
	if slot < 4 {
		barWidth = slot * 0.9
	}
	anyVisitors := false
	b.WriteString(`<g class="bars" shape-rendering="crispEdges">`)
	for i, d := range days {
		if d.Visitors <= 0 {
			continue
		}
		anyVisitors = true
		fmt.Fprintf(&b, `<g class="day" data-date="%s">`, d.Date.Format(time.DateOnly))
		if opts.Tooltip != nil {
			fmt.Fprintf(&b, `<title>%s</title>`, esc(opts.Tooltip(d)))
		}
		x := marginLeft + float64(i)*slot + (slot-barWidth)/2
		cum := 0.0
		for _, part := range []struct {
			class, colour string
			count         int
		}{
			{"accepted", colourAccepted, d.Accepted},
			{"customised", colourCustomised, d.Customised},
			{"refused", colourRefused, d.Refused},
		} {
			share := clamp01(d.Share(part.count))
			next := math.Min(cum+share, 1)
			if next > cum {
				// Round both edges, not the height, so that stacked parts
				// meet without a gap.
				top, bottom := round2(baseline-next*plotHeight), round2(baseline-cum*plotHeight)
				fmt.Fprintf(&b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
					part.class, num(x), num(top), num(barWidth), num(bottom-top), part.colour)
			}
			cum = next
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</g>`)

	if !anyVisitors && opts.Empty != "" {
		// Between the 75 % and 50 % lines, not across one.
		fmt.Fprintf(&b, `<text class="empty" x="%s" y="%s" dy="0.35em" text-anchor="middle" fill="%s">%s</text>`,
			num(marginLeft+plotWidth/2), num(plotTop+plotHeight*0.375), colourMuted, esc(opts.Empty))
	}

	// Date labels, thinned so that they do not overlap; the last day (the
	// most recent) always has one.
	if n > 0 {
		widest := 0.0
		for _, d := range days {
			widest = math.Max(widest, textWidth(dateLabel(d.Date), dateFontSize))
		}
		every := labelStep(widest+8, slot)
		fmt.Fprintf(&b, `<g class="x-axis" text-anchor="middle" font-size="%s">`, num(dateFontSize))
		for i := n - 1; i >= 0; i -= every {
			cx := marginLeft + (float64(i)+0.5)*slot
			fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1" shape-rendering="crispEdges"/>`,
				num(cx), num(cx), num(baseline), num(baseline+4), colourMuted)
			fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`, num(cx), num(baseline+17), esc(dateLabel(days[i].Date)))
		}
		b.WriteString(`</g>`)
	}

	b.WriteString(`</svg>`)
	return b.String()
}

// labelStep returns how many days apart date labels must be to leave each
// label room: 1 or 2 days, else whole weeks, which read naturally.
func labelStep(labelWidth, slot float64) int {
	if slot <= 0 {
		return 1
	}
	need := int(math.Ceil(labelWidth / slot))
	switch {
	case need <= 1:
		return 1
	case need == 2:
		return 2
	}
	weeks := (need + 6) / 7
	return weeks * 7
}

func textWidth(s string, size float64) float64 {
	return float64(len([]rune(s))) * charWidth * size / fontSize
}

func validID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func clamp01(f float64) float64 {
	if math.IsNaN(f) || f < 0 {
		return 0
	}
	return math.Min(f, 1)
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// num writes a coordinate; never NaN or Inf, which would make the SVG
// invalid.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(round2(f), 'f', -1, 64)
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}
