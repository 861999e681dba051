package consentstats

import (
	"math"
	"strconv"
	"time"
)

// ChartOptions carries the words of a chart, already translated by the
// caller, how to write dates and numbers, and the room it has.
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
	// Number writes a count on the axis; default strconv.Itoa.
	Number func(int) string
	// Tooltip, when set, gives each bar a text that a mouse pointer shows.
	Tooltip func(Day) string
	// Width, when set, is the width the chart is drawn at, for a screen it
	// must fit at its own size (a phone's, where a wide chart shrunk to fit
	// would have unreadable text). Unset, the chart grows with the number of
	// days, up to its widest.
	Width float64
}

// Chart is a chart of days laid out for drawing: one stacked bar per day
// (accepted at the bottom, then customised, then refused), as tall as the
// number of visitors who chose, on one scale for the whole period, so that
// a day with 3 choices looks small beside a day with 40. Coordinates are in
// viewBox units, a pixel when the chart is shown at its intrinsic size;
// texts are plain, for the drawing to escape.
type Chart struct {
	// ID is ChartOptions.ID, or its default when that was empty or unsafe.
	ID                 string
	Title, Description string
	Width, Height      float64
	Legend             []LegendKey
	// Top is the count at the top of the scale: the busiest day's visitors,
	// rounded up to a whole number of grid steps.
	Top int
	// Grid holds the lines of the scale, from the baseline (0) up to Top,
	// in equal steps of 1, 2 or 5 times a power of ten.
	Grid []GridLine
	// Bars holds a bar for each day with visitors, in date order; a day
	// without visitors has none.
	Bars []Bar
	// Empty is written across the plot when no day has a visitor; its Text
	// is empty otherwise.
	Empty Label
	// Dates label the axis under the bars, thinned so that they do not
	// overlap, from the last (most recent) day back.
	Dates []DateTick
}

// Part is one of the three parts of a day's bar.
type Part string

// The parts of a bar, from the bottom up.
const (
	PartAccepted   Part = "accepted"
	PartCustomised Part = "customised"
	PartRefused    Part = "refused"
)

// Label is a text and the point it is written at.
type Label struct {
	Text string
	X, Y float64
}

// Box is a rectangle: its top left corner and its size.
type Box struct {
	X, Y, Width, Height float64
}

// LegendKey is a square in a part's colour followed by the part's name.
type LegendKey struct {
	Part   Part
	Swatch Box
	Label  Label
}

// GridLine runs across the plot at a count of visitors, labelled left of
// the plot.
type GridLine struct {
	Value     int
	X1, X2, Y float64
	Label     Label
}

// Bar is the stacked bar of one day.
type Bar struct {
	Date time.Time
	// Tooltip is ChartOptions.Tooltip's text for the day, or empty.
	Tooltip string
	// Parts holds the parts with a count, from the bottom up.
	Parts []BarPart
}

// BarPart is a part of a bar.
type BarPart struct {
	Part Part
	Box
}

// DateTick marks a day under the axis: a short line from Y1 down to Y2, and
// the date below it.
type DateTick struct {
	X, Y1, Y2 float64
	Label     Label
}

// Text sizes of a chart, which the layout measures labels by: the drawing
// must use them. AxisTextSize is the size of both axes' labels.
const (
	TextSize     = 13.0
	AxisTextSize = 12.0
)

const (
	slotWidth    = 28.0  // horizontal room per day while the plot is not at its widest
	minPlotWidth = 300.0 // room for the "no data" line
	maxPlotWidth = 880.0
	minWidth     = 200.0 // the least a fixed width may be
	plotHeight   = 200.0
	axisGap      = 8.0 // between a y-axis label and the plot
	marginRight  = 14.0
	paddingTop   = 10.0
	legendRow    = 22.0
	legendGap    = 14.0 // between the legend and the top of the plot
	axisBelow    = 30.0 // date labels
	charWidth    = 7.15 // rough advance of a character at TextSize, for layout
	swatchSize   = 12.0
)

// NewChart lays days out as a chart. The chart carries its intrinsic size,
// and no coordinate is NaN or infinite.
func NewChart(days []Day, opts ChartOptions) Chart {
	c := Chart{ID: opts.ID, Title: opts.Title, Description: opts.Description}
	if !validID(c.ID) {
		c.ID = "consent-chart"
	}
	dateLabel := opts.DateLabel
	if dateLabel == nil {
		dateLabel = func(t time.Time) string { return t.Format("02/01") }
	}
	number := opts.Number
	if number == nil {
		number = strconv.Itoa
	}

	busiest := 0
	for _, d := range days {
		busiest = max(busiest, d.Visitors)
	}
	top, step := scale(busiest)
	c.Top = top

	// The y-axis labels take what the widest of them needs.
	marginLeft := 0.0
	for v := 0; v <= top; v += step {
		marginLeft = math.Max(marginLeft, textWidth(number(v), AxisTextSize))
	}
	marginLeft = math.Max(marginLeft+axisGap+6, 30)

	legend := []struct {
		part  Part
		label string
	}{
		{PartAccepted, opts.Accepted},
		{PartCustomised, opts.Customised},
		{PartRefused, opts.Refused},
	}
	legendKeyWidth := func(label string) float64 { return swatchSize + 6 + textWidth(label, TextSize) + 18 }
	legendWidth := 0.0
	for _, l := range legend {
		legendWidth += legendKeyWidth(l.label)
	}

	// A few days get wide slots; a long period is squeezed into the widest
	// plot. A narrow plot still makes room for the legend on one line. A
	// chart of a given width takes it, whatever the days.
	n := len(days)
	var plotWidth float64
	if opts.Width > 0 && !math.IsInf(opts.Width, 0) {
		plotWidth = math.Max(opts.Width, minWidth) - marginLeft - marginRight
	} else {
		plotWidth = math.Max(float64(n)*slotWidth, math.Max(minPlotWidth, legendWidth))
		plotWidth = math.Min(plotWidth, maxPlotWidth)
	}
	c.Width = marginLeft + plotWidth + marginRight

	// Lay the legend out in rows that fit the width (long labels wrap).
	x, row := marginLeft, 0
	for _, l := range legend {
		w := legendKeyWidth(l.label)
		if x > marginLeft && x+w > c.Width-marginRight {
			x, row = marginLeft, row+1
		}
		y := paddingTop + float64(row)*legendRow
		c.Legend = append(c.Legend, LegendKey{
			Part:   l.part,
			Swatch: Box{X: x, Y: y + 2, Width: swatchSize, Height: swatchSize},
			Label:  Label{Text: l.label, X: x + swatchSize + 6, Y: y + 12.5},
		})
		x += w
	}
	plotTop := paddingTop + float64(row+1)*legendRow + legendGap
	baseline := plotTop + plotHeight
	c.Height = baseline + axisBelow
	// y is where a count meets the scale.
	y := func(count float64) float64 { return round2(baseline - count/float64(top)*plotHeight) }

	for v := 0; v <= top; v += step {
		c.Grid = append(c.Grid, GridLine{
			Value: v,
			X1:    marginLeft, X2: marginLeft + plotWidth, Y: y(float64(v)),
			Label: Label{Text: number(v), X: marginLeft - axisGap, Y: y(float64(v))},
		})
	}

	slot := 0.0
	if n > 0 {
		slot = plotWidth / float64(n)
	}
	barWidth := math.Min(slot*0.7, 22)
	if slot < 4 {
		barWidth = slot * 0.9
	}
	for i, d := range days {
		if d.Visitors <= 0 {
			continue
		}
		bar := Bar{Date: d.Date}
		if opts.Tooltip != nil {
			bar.Tooltip = opts.Tooltip(d)
		}
		x := marginLeft + float64(i)*slot + (slot-barWidth)/2
		// The parts stack to the day's visitors; counts that do not add
		// up (they cannot, from the store) are cut at that height.
		cum := 0
		for _, part := range []struct {
			part  Part
			count int
		}{
			{PartAccepted, d.Accepted},
			{PartCustomised, d.Customised},
			{PartRefused, d.Refused},
		} {
			next := min(cum+max(part.count, 0), d.Visitors)
			if next > cum {
				// Both edges are rounded, not the height, so that stacked
				// parts meet without a gap.
				upper, lower := y(float64(next)), y(float64(cum))
				bar.Parts = append(bar.Parts, BarPart{Part: part.part, Box: Box{X: x, Y: upper, Width: barWidth, Height: lower - upper}})
			}
			cum = next
		}
		c.Bars = append(c.Bars, bar)
	}

	if len(c.Bars) == 0 && opts.Empty != "" {
		// Between two grid lines, not across one.
		c.Empty = Label{Text: opts.Empty, X: marginLeft + plotWidth/2, Y: plotTop + plotHeight*0.375}
	}

	if n > 0 {
		widest := 0.0
		for _, d := range days {
			widest = math.Max(widest, textWidth(dateLabel(d.Date), AxisTextSize))
		}
		every := labelStep(widest+8, slot)
		for i := n - 1; i >= 0; i -= every {
			cx := marginLeft + (float64(i)+0.5)*slot
			text := dateLabel(days[i].Date)
			// A label under the last bar of a narrow chart would stick out
			// on the right: it moves left, off its tick, just enough.
			half := textWidth(text, AxisTextSize) / 2
			c.Dates = append(c.Dates, DateTick{
				X: cx, Y1: baseline, Y2: baseline + 4,
				Label: Label{Text: text, X: math.Min(cx, c.Width-2-half), Y: baseline + 17},
			})
		}
	}
	return c
}

// scale returns the top of a scale that holds most, and the step between
// its grid lines: 1, 2 or 5 times a power of ten, five steps at most. Small
// counts get a scale of at least 4, so that a day of 1 does not fill the
// plot.
func scale(most int) (top, step int) {
	if most <= 4 {
		return 4, 1
	}
	for magnitude := 1; ; magnitude *= 10 {
		for _, m := range []int{1, 2, 5} {
			step = m * magnitude
			if steps := (most + step - 1) / step; steps <= 5 {
				return steps * step, step
			}
		}
	}
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
	return float64(len([]rune(s))) * charWidth * size / TextSize
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

func round2(f float64) float64 { return math.Round(f*100) / 100 }
