package web

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"conpro/internal/consentstats"
	"conpro/internal/locale"
)

// StatsView is what the statistics page shows: the days of a period, and
// the period form as it was filled in.
type StatsView struct {
	// Days holds every day of the period, in date order, with or without
	// choices.
	Days     []consentstats.Day
	From, To time.Time
	// LastDays is n when the period is the last n days, which a quick link
	// chooses; 0 for a period typed in.
	LastDays int
	// FromText and ToText are the period's fields as they were typed, so
	// that a refused period is shown as the staff member wrote it.
	FromText, ToText string
	// Invalid is set when the period typed in was refused (the page then
	// shows the last 30 days).
	Invalid bool
	// WithEmptyDays lists the days without choices in the table too.
	WithEmptyDays bool
}

// QuickPeriods are the periods the statistics page offers as links.
var QuickPeriods = []int{7, 30, 90}

// TableDays returns the days the table lists, in the chart's (date) order:
// without the days nobody chose on, unless they were asked for.
func (v StatsView) TableDays() []consentstats.Day {
	if v.WithEmptyDays {
		return v.Days
	}
	var out []consentstats.Day
	for _, d := range v.Days {
		if d.Visitors > 0 {
			out = append(out, d)
		}
	}
	return out
}

// HiddenDays is how many days without choices the table leaves out.
func (v StatsView) HiddenDays() int { return len(v.Days) - len(v.TableDays()) }

// Total sums the period.
func (v StatsView) Total() consentstats.Day { return consentstats.Total(v.Days) }

// quickLink is the address of the last n days, keeping the empty-days
// switch.
func (v StatsView) quickLink(n int) templ.SafeURL {
	q := url.Values{"dagen": {strconv.Itoa(n)}}
	if v.WithEmptyDays {
		q.Set("leeg", "1")
	}
	return templ.SafeURL("/admin/statistieken?" + q.Encode())
}

// statsHeadline sums the period up in one line: its length, and the share
// of each choice with its count, most telling first (all accepted, all
// refused, then the rest), each but the last followed by a comma. Without
// choices, shares is empty.
func statsHeadline(ctx context.Context, v StatsView) (period string, shares []string) {
	days := T(ctx, "AdminStatsDays", map[string]any{"Count": len(v.Days)})
	total := v.Total()
	if total.Visitors == 0 {
		return T(ctx, "AdminStatsHeadlineNone", map[string]any{"Period": days}), nil
	}
	accepted, customised, refused := total.Percentages()
	share := func(id string, pct, n int) string {
		return T(ctx, id, map[string]any{"Percent": pct, "Number": number(ctx, n)})
	}
	return T(ctx, "AdminStatsHeadlinePeriod", map[string]any{"Period": days}), []string{
		share("AdminStatsShareAccepted", accepted, total.Accepted) + ",",
		share("AdminStatsShareRefused", refused, total.Refused) + ",",
		share("AdminStatsShareCustomised", customised, total.Customised),
	}
}

// statsTotalLine says how many visitors chose in the period, and which
// dates it spans.
func statsTotalLine(ctx context.Context, v StatsView) string {
	return T(ctx, "AdminStatsTotal", map[string]any{
		"Count": v.Total().Visitors,
		"From":  longDate(ctx, v.From),
		"To":    longDate(ctx, v.To),
	})
}

// statsCharts lays out the statistics chart in the reader's language twice:
// as wide as the days need (up to the widest), and at a phone's width.
// Both show the same tooltip on a day's bar, written once.
func statsCharts(ctx context.Context, days []consentstats.Day) (wide, narrow consentstats.Chart) {
	tips := make(map[time.Time]string, len(days))
	tooltip := func(d consentstats.Day) string {
		tip, ok := tips[d.Date]
		if !ok {
			tip = T(ctx, "AdminStatsBarTooltip", map[string]any{
				"Date":       longDate(ctx, d.Date),
				"Count":      d.Visitors,
				"Accepted":   number(ctx, d.Accepted),
				"Customised": number(ctx, d.Customised),
				"Refused":    number(ctx, d.Refused),
			})
			tips[d.Date] = tip
		}
		return tip
	}
	return statsChart(ctx, "keuzes-breed", days, 0, tooltip), statsChart(ctx, "keuzes-smal", days, narrowChartWidth, tooltip)
}

// statsChart lays out the statistics chart in the reader's language, at
// width (0: as wide as the days need, up to the widest).
func statsChart(ctx context.Context, id string, days []consentstats.Day, width float64, tooltip func(consentstats.Day) string) consentstats.Chart {
	return consentstats.NewChart(days, consentstats.ChartOptions{
		ID:          id,
		Title:       T(ctx, "AdminStatsChartTitle"),
		Description: T(ctx, "AdminStatsChartDesc"),
		Accepted:    T(ctx, "AdminStatsAccepted"),
		Customised:  T(ctx, "AdminStatsCustomised"),
		Refused:     T(ctx, "AdminStatsRefused"),
		Empty:       T(ctx, "AdminStatsEmpty"),
		Number:      func(n int) string { return number(ctx, n) },
		Tooltip:     tooltip,
		Width:       width,
	})
}

// narrowChartWidth is the width of the chart on a phone: the content of a
// 390 px screen, so that its text is shown at its own size.
const narrowChartWidth = 350

// statsLabels are the statistics table's column names, which a phone shows
// beside each value of a row shown as a card: translated once per page,
// not once per day.
type statsLabels struct {
	Day, Visitors, Accepted, Customised, Refused string
	Categories                                   []string // in the order of consentstats.Categories
}

func newStatsLabels(ctx context.Context) statsLabels {
	l := statsLabels{
		Day: T(ctx, "AdminStatsDay"), Visitors: T(ctx, "AdminStatsVisitors"), Accepted: T(ctx, "AdminStatsAccepted"),
		Customised: T(ctx, "AdminStatsCustomised"), Refused: T(ctx, "AdminStatsRefused"),
	}
	for _, c := range consentstats.Categories() {
		l.Categories = append(l.Categories, categoryName(ctx, c))
	}
	return l
}

// percent writes n of a day's visitors as a share and a count
// ("75 % (3)", "–" without visitors).
func percent(ctx context.Context, d consentstats.Day, n int) string {
	if d.Visitors <= 0 {
		return "–"
	}
	return strconv.Itoa(int(d.Share(n)*100+0.5)) + " % (" + number(ctx, n) + ")"
}

// choicePercents writes the accepted, customised and refused shares of a
// day, which add up to 100 %.
func choicePercents(ctx context.Context, d consentstats.Day) (accepted, customised, refused string) {
	if d.Visitors <= 0 {
		return "–", "–", "–"
	}
	a, c, r := d.Percentages()
	cell := func(pct, n int) string { return strconv.Itoa(pct) + " % (" + number(ctx, n) + ")" }
	return cell(a, d.Accepted), cell(c, d.Customised), cell(r, d.Refused)
}

// number writes a count as the reader's language does (1.234 in Dutch).
func number(ctx context.Context, n int) string {
	return printers[locale.LangOf(ctx)].Sprintf("%d", n)
}

// printers format numbers in each of the site's languages. A Printer only
// reads its fields, so one serves every request; making one per number
// cost a two-year statistics page 40 % of its rendering.
var printers = func() map[locale.Lang]*message.Printer {
	m := make(map[locale.Lang]*message.Printer, len(locale.Langs()))
	for _, l := range locale.Langs() {
		m[l] = message.NewPrinter(language.Make(string(l)))
	}
	return m
}()

// longDate writes a calendar day in words in Dutch ("3 december 2026"),
// and as 2026-12-03 in the other languages.
func longDate(ctx context.Context, t time.Time) string {
	if locale.LangOf(ctx) == locale.NL {
		return DutchDate(t)
	}
	return t.Format(time.DateOnly)
}
