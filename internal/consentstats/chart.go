package consentstats

import (
	"math"
	"strconv"
	"time"
)

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
	// Tooltip, when set, gives each bar a text that a mouse pointer shows.
	Tooltip func(Day) string
}

// Chart is a chart of days laid out for drawing: one stacked bar per day
// (accepted at the bottom, then customised, then refused, as shares of the
// day's visitors, 0 to 100 %). Coordinates are in viewBox units, a pixel
// when the chart is shown at its intrinsic size; texts are plain, for the
// drawing to escape.
type Chart struct {
	// ID is ChartOptions.ID, or its default when that was empty or unsafe.
	ID                 string
	Title, Description string
	Width, Height      float64
	Legend             []LegendKey
	// Grid holds the lines at 0, 25, 50, 75 and 100 %, from the baseline up.
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

// GridLine runs across the plot at Percent, labelled left of the plot.
type GridLine struct {
	Percent   int
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
	TextSize     = 12.0
	AxisTextSize = 11.0
)

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
	charWidth    = 6.6  // rough advance of a character at TextSize, for layout
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
	// plot. A narrow plot still makes room for the legend on one line.
	n := len(days)
	plotWidth := math.Max(float64(n)*slotWidth, math.Max(minPlotWidth, legendWidth))
	plotWidth = math.Min(plotWidth, maxPlotWidth)
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

	for pct := 0; pct <= 100; pct += 25 {
		y := baseline - float64(pct)/100*plotHeight
		c.Grid = append(c.Grid, GridLine{
			Percent: pct,
			X1:      marginLeft, X2: marginLeft + plotWidth, Y: y,
			Label: Label{Text: strconv.Itoa(pct) + "%", X: marginLeft - 8, Y: y},
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
		cum := 0.0
		for _, part := range []struct {
			part  Part
			count int
		}{
			{PartAccepted, d.Accepted},
			{PartCustomised, d.Customised},
			{PartRefused, d.Refused},
		} {
			share := clamp01(d.Share(part.count))
			next := math.Min(cum+share, 1)
			if next > cum {
				// Round both edges, not the height, so that stacked parts
				// meet without a gap.
				top, bottom := round2(baseline-next*plotHeight), round2(baseline-cum*plotHeight)
				bar.Parts = append(bar.Parts, BarPart{Part: part.part, Box: Box{X: x, Y: top, Width: barWidth, Height: bottom - top}})
			}
			cum = next
		}
		c.Bars = append(c.Bars, bar)
	}

	if len(c.Bars) == 0 && opts.Empty != "" {
		// Between the 75 % and 50 % lines, not across one.
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
			c.Dates = append(c.Dates, DateTick{
				X: cx, Y1: baseline, Y2: baseline + 4,
				Label: Label{Text: dateLabel(days[i].Date), X: cx, Y: baseline + 17},
			})
		}
	}
	return c
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

func clamp01(f float64) float64 {
	if math.IsNaN(f) || f < 0 {
		return 0
	}
	return math.Min(f, 1)
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
