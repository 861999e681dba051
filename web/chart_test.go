package web_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"conpro/internal/consent"
	"conpro/internal/consentstats"
	"conpro/web"
)

// node is an element of a parsed chart.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []node     `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) number(t *testing.T, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return f
}

// all returns the elements below n (n included) for which match is true, in
// document order.
func (n node) all(match func(node) bool) []node {
	var out []node
	if match(n) {
		out = append(out, n)
	}
	for _, c := range n.Nodes {
		out = append(out, c.all(match)...)
	}
	return out
}

func hasClass(class string) func(node) bool {
	return func(n node) bool {
		for _, c := range strings.Fields(n.attr("class")) {
			if c == class {
				return true
			}
		}
		return false
	}
}

// parse checks that the whole string is one well-formed XML element and
// returns it.
func parse(t *testing.T, svg string) node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(tok)) != "" {
				t.Fatalf("text outside the root element: %q", tok)
			}
		case xml.ProcInst, xml.Directive:
			t.Fatalf("unexpected %T in a fragment", tok)
		}
	}
	if roots != 1 {
		t.Fatalf("chart has %d root elements, want 1", roots)
	}
	var root node
	if err := xml.Unmarshal([]byte(svg), &root); err != nil {
		t.Fatal(err)
	}
	if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root is %v, want svg in the SVG namespace", root.XMLName)
	}
	return root
}

// chart draws days as the staff page does: laid out by consentstats, drawn
// by ConsentChart.
func chart(t *testing.T, days []consentstats.Day, opts consentstats.ChartOptions) string {
	t.Helper()
	var b strings.Builder
	if err := web.ConsentChart(consentstats.NewChart(days, opts)).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func day(date string, accepted, customised, refused int) consentstats.Day {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	return consentstats.Day{
		Date:       d,
		Visitors:   accepted + customised + refused,
		Accepted:   accepted,
		Customised: customised,
		Refused:    refused,
		Granted:    map[consent.Category]int{consent.Analytics: accepted},
	}
}

func options() consentstats.ChartOptions {
	return consentstats.ChartOptions{
		Title:       "Toestemming per dag",
		Description: "Aandeel aanvaard, aangepast en geweigerd per dag.",
		Accepted:    "Aanvaard",
		Customised:  "Aangepast",
		Refused:     "Geweigerd",
		Empty:       "Geen keuzes",
	}
}

// plot returns the y of the baseline (0) and of the top grid line, and the
// count the top line stands for.
func plot(t *testing.T, root node) (baseline, top float64, topValue int) {
	t.Helper()
	lines := root.all(hasClass("grid"))
	if len(lines) < 2 {
		t.Fatalf("%d grid lines, want a baseline and more", len(lines))
	}
	baseline, top = lines[0].number(t, "y1"), lines[len(lines)-1].number(t, "y1")
	if lines[0].attr("data-value") != "0" || baseline <= top {
		t.Fatalf("grid from %q at %v to %q at %v: want the baseline first, at the bottom", lines[0].attr("data-value"), baseline, lines[len(lines)-1].attr("data-value"), top)
	}
	topValue, err := strconv.Atoi(lines[len(lines)-1].attr("data-value"))
	if err != nil {
		t.Fatal(err)
	}
	return baseline, top, topValue
}

// heightOf returns the height of a day's bar, all parts together.
func heightOf(t *testing.T, root node, date string) float64 {
	t.Helper()
	h := 0.0
	for _, g := range root.all(hasClass("day")) {
		if g.attr("data-date") != date {
			continue
		}
		for _, r := range g.all(func(n node) bool { return n.XMLName.Local == "rect" }) {
			h += r.number(t, "height")
		}
	}
	return h
}

func TestConsentChart_IsOneWellFormedSVGElementWithTitleAndDescription(t *testing.T) {
	svg := chart(t, []consentstats.Day{day("2025-01-14", 3, 1, 1), day("2025-01-15", 0, 0, 0)}, options())
	root := parse(t, svg)

	if root.attr("role") != "img" || root.attr("viewBox") == "" {
		t.Errorf("root attributes %v: want role=img and a viewBox", root.Attrs)
	}
	titles := root.all(func(n node) bool { return n.XMLName.Local == "title" })
	descs := root.all(func(n node) bool { return n.XMLName.Local == "desc" })
	if len(titles) != 1 || titles[0].Text != "Toestemming per dag" {
		t.Fatalf("titles %+v", titles)
	}
	if len(descs) != 1 || descs[0].Text != "Aandeel aanvaard, aangepast en geweigerd per dag." {
		t.Fatalf("descriptions %+v", descs)
	}
	if root.Nodes[0].XMLName.Local != "title" || root.Nodes[1].XMLName.Local != "desc" {
		t.Errorf("title and desc must come first, got %s, %s", root.Nodes[0].XMLName.Local, root.Nodes[1].XMLName.Local)
	}
	if got, want := root.attr("aria-labelledby"), titles[0].attr("id"); want == "" || got != want {
		t.Errorf("aria-labelledby %q, title id %q", got, want)
	}
	if got, want := root.attr("aria-describedby"), descs[0].attr("id"); want == "" || got != want {
		t.Errorf("aria-describedby %q, desc id %q", got, want)
	}
	for _, label := range []string{"Aanvaard", "Aangepast", "Geweigerd"} {
		if len(root.all(func(n node) bool { return n.XMLName.Local == "text" && n.Text == label })) != 1 {
			t.Errorf("legend label %q missing", label)
		}
	}
	// Five visitors on the busiest day: a scale from 0 to 5, by ones.
	for _, tick := range []string{"0", "1", "2", "3", "4", "5"} {
		if len(root.all(func(n node) bool { return n.XMLName.Local == "text" && n.Text == tick })) != 1 {
			t.Errorf("y-axis tick %q missing", tick)
		}
	}
}

func TestConsentChart_DrawsOneGroupOfBarsPerDayWithVisitors(t *testing.T) {
	days := []consentstats.Day{
		day("2025-01-13", 2, 0, 1),
		day("2025-01-14", 0, 0, 0),
		day("2025-01-15", 0, 4, 0),
		day("2025-01-16", 1, 1, 1),
		day("2025-01-17", 0, 0, 0),
	}
	root := parse(t, chart(t, days, options()))
	groups := root.all(hasClass("day"))
	var dates []string
	for _, g := range groups {
		dates = append(dates, g.attr("data-date"))
		if len(g.all(func(n node) bool { return n.XMLName.Local == "rect" })) == 0 {
			t.Errorf("group %s has no bar", g.attr("data-date"))
		}
	}
	if got, want := strings.Join(dates, " "), "2025-01-13 2025-01-15 2025-01-16"; got != want {
		t.Errorf("bar groups for %s, want %s", got, want)
	}
	if n := len(root.all(func(n node) bool {
		return n.XMLName.Local == "rect" && n.attr("class") != "" && n.attr("class") != "background"
	})); n != 2+1+3 {
		t.Errorf("%d bar parts, want 6 (one per non-zero part)", n)
	}
}

func TestConsentChart_ContainsNoScriptAndNoExternalReference(t *testing.T) {
	o := options()
	o.Tooltip = func(d consentstats.Day) string { return fmt.Sprintf("%d bezoekers", d.Visitors) }
	svg := chart(t, []consentstats.Day{day("2025-01-14", 3, 1, 1)}, o)
	root := parse(t, svg)
	lower := strings.ToLower(svg)
	for _, bad := range []string{"<script", "javascript:", "href", "url(", "<foreignobject", "@import", "<image", "<style"} {
		if strings.Contains(lower, bad) {
			t.Errorf("chart contains %q", bad)
		}
	}
	for _, n := range root.all(func(node) bool { return true }) {
		for _, a := range n.Attrs {
			if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || a.Name.Local == "style" {
				t.Errorf("<%s> has attribute %s", n.XMLName.Local, a.Name.Local)
			}
		}
	}
	rest := strings.Replace(lower, `xmlns="http://www.w3.org/2000/svg"`, "", 1)
	if strings.Contains(rest, "http") || strings.Contains(rest, "//") {
		t.Errorf("chart refers to a URL other than the SVG namespace:\n%s", svg)
	}
}

func TestConsentChart_BarsStandForCountsOnOneScaleSoASmallDayLooksSmall(t *testing.T) {
	// 3 choices one day and 40 the next: the first bar is 3/40 of the
	// second, not as tall (as it would be in shares of each day).
	days := []consentstats.Day{day("2025-01-14", 2, 0, 1), day("2025-01-15", 16, 6, 18)}
	root := parse(t, chart(t, days, options()))
	baseline, top, topValue := plot(t, root)
	if topValue != 40 {
		t.Errorf("scale up to %d, want 40", topValue)
	}
	small, big := heightOf(t, root, "2025-01-14"), heightOf(t, root, "2025-01-15")
	if math.Abs(big-(baseline-top)) > 0.02 {
		t.Errorf("the busiest day is %v tall, want the whole plot %v", big, baseline-top)
	}
	if math.Abs(small/big-3.0/40) > 0.001 {
		t.Errorf("3 choices are %v tall beside %v for 40: want 3/40 of it", small, big)
	}
}

func TestConsentChart_TheScaleEndsOnARoundNumberAboveTheBusiestDay(t *testing.T) {
	for _, tc := range []struct {
		busiest int
		ticks   string
	}{
		{0, "0 1 2 3 4"},
		{1, "0 1 2 3 4"},
		{5, "0 1 2 3 4 5"},
		{7, "0 2 4 6 8"},
		{41, "0 10 20 30 40 50"},
		{120, "0 50 100 150"},
		{4321, "0 1.000 2.000 3.000 4.000 5.000"},
	} {
		t.Run(strconv.Itoa(tc.busiest), func(t *testing.T) {
			o := options()
			o.Number = func(n int) string { return strings.ReplaceAll(fmt.Sprintf("%d", n), "000", ".000") }
			root := parse(t, chart(t, []consentstats.Day{day("2025-01-14", tc.busiest, 0, 0)}, o))
			var ticks []string
			for _, axis := range root.all(hasClass("y-axis")) {
				for _, l := range axis.all(func(n node) bool { return n.XMLName.Local == "text" }) {
					ticks = append(ticks, l.Text)
				}
			}
			if got := strings.Join(ticks, " "); got != tc.ticks {
				t.Errorf("y axis %q, want %q", got, tc.ticks)
			}
		})
	}
}

func TestConsentChart_BarPartsStackTheCountsOfTheDay(t *testing.T) {
	for _, tc := range []struct {
		name                          string
		day                           consentstats.Day
		accepted, customised, refused float64 // shares of the bar
	}{
		{"3 accepted, 1 refused", day("2025-01-14", 3, 0, 1), 0.75, 0, 0.25},
		{"all customised", day("2025-01-14", 0, 5, 0), 0, 1, 0},
		{"a third each", day("2025-01-14", 1, 1, 1), 1.0 / 3, 1.0 / 3, 1.0 / 3},
		{"1 of 8 refused", day("2025-01-14", 6, 1, 1), 0.75, 0.125, 0.125},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := parse(t, chart(t, []consentstats.Day{tc.day}, options()))
			baseline, top, topValue := plot(t, root)
			// The bar is as tall as the day's visitors on the scale.
			height := float64(tc.day.Visitors) / float64(topValue) * (baseline - top)

			bottom := baseline // parts stack upwards: accepted, customised, refused
			for _, part := range []struct {
				class string
				share float64
			}{{"accepted", tc.accepted}, {"customised", tc.customised}, {"refused", tc.refused}} {
				rects := root.all(func(n node) bool { return n.XMLName.Local == "rect" && n.attr("class") == part.class })
				if part.share == 0 {
					if len(rects) != 0 {
						t.Errorf("%s: drawn for a zero count", part.class)
					}
					continue
				}
				if len(rects) != 1 {
					t.Fatalf("%s: %d rects, want 1", part.class, len(rects))
				}
				r := rects[0]
				if got, want := r.number(t, "height"), part.share*height; math.Abs(got-want) > 0.02 {
					t.Errorf("%s: height %v, want %v (%v of %v)", part.class, got, want, part.share, height)
				}
				if got := r.number(t, "y") + r.number(t, "height"); math.Abs(got-bottom) > 0.011 {
					t.Errorf("%s: bottom at %v, want it on %v", part.class, got, bottom)
				}
				bottom = r.number(t, "y")
			}
			if math.Abs((baseline-bottom)-height) > 0.011 {
				t.Errorf("bar ends at %v, want %v above the baseline", bottom, height)
			}
		})
	}
}

func TestConsentChart_AtAPhonesWidthKeepsItsTextSizeAndFits(t *testing.T) {
	var days []consentstats.Day
	start, _ := time.Parse(time.DateOnly, "2025-01-01")
	for i := range 90 {
		d := day("2025-01-01", i%7, 1, 2)
		d.Date = start.AddDate(0, 0, i)
		days = append(days, d)
	}
	o := options()
	o.Width = 350
	root := parse(t, chart(t, days, o))
	if w := root.number(t, "width"); w != 350 {
		t.Fatalf("chart %v wide, want 350", w)
	}
	for _, g := range root.all(func(n node) bool { return n.attr("font-size") != "" }) {
		if g.number(t, "font-size") < 12 {
			t.Errorf("<%s class=%q> text at %s units", g.XMLName.Local, g.attr("class"), g.attr("font-size"))
		}
	}
	// Nothing is drawn outside the chart: the legend wraps, the bars and
	// the date labels share the width. A text's extent depends on its
	// group's anchor.
	inside := func(what string, left, right float64) {
		if left < 0 || right > 350.5 {
			t.Errorf("%s from %v to %v, outside the 350 units", what, left, right)
		}
	}
	// The layout's measure: 0.55 of the text size a character.
	textWidth := func(n node) float64 { return float64(len([]rune(n.Text))) * 0.55 * consentstats.TextSize }
	axisTextWidth := func(n node) float64 { return float64(len([]rune(n.Text))) * 0.55 * consentstats.AxisTextSize }
	for _, r := range root.all(func(n node) bool { return n.XMLName.Local == "rect" && n.attr("class") != "background" }) {
		inside("rect "+r.attr("class"), r.number(t, "x"), r.number(t, "x")+r.number(t, "width"))
	}
	isText := func(n node) bool { return n.XMLName.Local == "text" }
	for _, l := range root.all(hasClass("legend"))[0].all(isText) {
		inside("legend "+l.Text, l.number(t, "x"), l.number(t, "x")+textWidth(l))
	}
	for _, l := range root.all(hasClass("x-axis"))[0].all(isText) {
		inside("date "+l.Text, l.number(t, "x")-axisTextWidth(l)/2, l.number(t, "x")+axisTextWidth(l)/2)
	}
	for _, l := range root.all(hasClass("y-axis"))[0].all(isText) {
		inside("count "+l.Text, l.number(t, "x")-axisTextWidth(l), l.number(t, "x"))
	}
	labels := root.all(hasClass("x-axis"))[0].all(func(n node) bool { return n.XMLName.Local == "text" })
	for i := 1; i < len(labels); i++ {
		if gap := math.Abs(labels[i].number(t, "x") - labels[i-1].number(t, "x")); gap < 36 {
			t.Errorf("date labels %v apart, they overlap", gap)
		}
	}
}

func TestConsentChart_DrawsNothingForADayWithoutVisitorsAndNeverNaN(t *testing.T) {
	empty := day("2025-01-14", 0, 0, 0)
	// Counts without visitors cannot come from the store, but must not
	// divide by zero either.
	inconsistent := empty
	inconsistent.Date = empty.Date.AddDate(0, 0, 1)
	inconsistent.Accepted = 2
	for _, tc := range []struct {
		name string
		days []consentstats.Day
	}{
		{"no days", nil},
		{"days without visitors", []consentstats.Day{empty, inconsistent}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svg := chart(t, tc.days, options())
			root := parse(t, svg)
			if g := root.all(hasClass("day")); len(g) != 0 {
				t.Errorf("%d bar groups, want none", len(g))
			}
			for _, bad := range []string{"NaN", "Inf"} {
				if strings.Contains(svg, bad) {
					t.Errorf("chart contains %q:\n%s", bad, svg)
				}
			}
			if len(root.all(func(n node) bool { return n.XMLName.Local == "text" && n.Text == "Geen keuzes" })) != 1 {
				t.Error("no message saying the period has no choices")
			}
		})
	}
}

func TestConsentChart_EscapesEveryText(t *testing.T) {
	o := options()
	o.ID = `x" onload="alert(1)`
	o.Title = `Rapport <&> "Q1"`
	o.Description = `<script>alert(1)</script>`
	o.Accepted = `A & B`
	o.DateLabel = func(t time.Time) string { return "<" + t.Format("02") + ">" }
	o.Tooltip = func(consentstats.Day) string { return `</title><script>` }
	svg := chart(t, []consentstats.Day{day("2025-01-14", 1, 0, 0)}, o)
	root := parse(t, svg)

	if !strings.Contains(svg, "Rapport &lt;&amp;&gt; &#34;Q1&#34;") {
		t.Errorf("title not escaped:\n%s", svg)
	}
	if strings.Contains(strings.ToLower(svg), "<script") || strings.Contains(svg, "onload") {
		t.Errorf("markup from a label reached the chart:\n%s", svg)
	}
	texts := map[string]bool{}
	for _, n := range root.all(func(node) bool { return true }) {
		texts[n.Text] = true
	}
	for _, want := range []string{`Rapport <&> "Q1"`, `<script>alert(1)</script>`, `A & B`, `<14>`, `</title><script>`} {
		if !texts[want] {
			t.Errorf("text %q does not read back", want)
		}
	}
}

func TestConsentChart_ThinsOutDateLabelsWhenThereAreManyDays(t *testing.T) {
	start, _ := time.Parse(time.DateOnly, "2025-01-01")
	for _, tc := range []struct {
		days      int
		allLabels bool
	}{{7, true}, {90, false}, {365, false}} {
		t.Run(strconv.Itoa(tc.days), func(t *testing.T) {
			var days []consentstats.Day
			for i := range tc.days {
				d := day("2025-01-01", 1, 1, 1)
				d.Date = start.AddDate(0, 0, i)
				days = append(days, d)
			}
			root := parse(t, chart(t, days, options()))
			axis := root.all(hasClass("x-axis"))
			if len(axis) != 1 {
				t.Fatalf("%d x axes", len(axis))
			}
			labels := axis[0].all(func(n node) bool { return n.XMLName.Local == "text" })
			if tc.allLabels != (len(labels) == tc.days) || len(labels) == 0 {
				t.Fatalf("%d labels for %d days", len(labels), tc.days)
			}
			last := days[len(days)-1].Date.Format("02/01")
			found := false
			var xs []float64
			for _, l := range labels {
				found = found || l.Text == last
				xs = append(xs, l.number(t, "x"))
			}
			if !found {
				t.Errorf("the last day %s has no label", last)
			}
			// A label of five characters at 12 units is about 33 units wide.
			for i := 1; i < len(xs); i++ {
				if gap := math.Abs(xs[i] - xs[i-1]); gap < 36 {
					t.Errorf("labels %v apart, they overlap", gap)
				}
			}
			width := root.number(t, "width")
			if width > 1000 {
				t.Errorf("chart %v wide; it should stop growing", width)
			}
		})
	}
}

func TestConsentChart_WidthGrowsWithTheDaysUpToAMaximum(t *testing.T) {
	widths := map[int]float64{}
	for _, n := range []int{1, 20, 30, 365} {
		days := make([]consentstats.Day, n)
		root := parse(t, chart(t, days, options()))
		widths[n] = root.number(t, "width")
		if vb := strings.Fields(root.attr("viewBox")); len(vb) != 4 || vb[2] != root.attr("width") {
			t.Errorf("viewBox %q does not match width %q", root.attr("viewBox"), root.attr("width"))
		}
	}
	if !(widths[1] < widths[20] && widths[20] < widths[30] && widths[30] <= widths[365]) {
		t.Errorf("widths %v: want growth with the number of days", widths)
	}
	if widths[365] > 1000 {
		t.Errorf("a year is %v wide", widths[365])
	}
}
