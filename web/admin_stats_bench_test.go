package web_test

import (
	"io"
	"testing"
	"time"

	"conpro/internal/consent"
	"conpro/internal/consentstats"
	"conpro/web"
)

// The statistics page of two years, the longest period staff can ask for,
// with choices on every day: what rendering it costs the server.
func BenchmarkAdminStats_730Days(b *testing.B) {
	ctx := dutch(b)
	to := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, 0, -729)
	var days []consentstats.Day
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, consentstats.Day{Date: d, Visitors: 6849, Accepted: 3400, Customised: 1200, Refused: 2249,
			Granted: map[consent.Category]int{consent.Analytics: 4000, consent.Advertising: 3500, consent.Social: 3600}})
	}
	v := web.StatsView{Days: days, From: from, To: to}
	p := web.AdminPage{Title: "Statistieken", Path: "/admin/statistieken", Assets: &web.Assets{}}
	var n int64
	for b.Loop() {
		w := &countingWriter{}
		if err := web.AdminStats(p, v).Render(ctx, w); err != nil {
			b.Fatal(err)
		}
		n = w.n
	}
	b.ReportMetric(float64(n), "bytes/page")
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)
