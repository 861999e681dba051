package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// liveDay is what today's figures cost the statistics pages at the end of
// a day. The pages count today from the log (closed days come from the
// rollups), so their time grows with the hours: timed at 02:00 in
// Brussels, they count two hours of events; at 23:59, a whole day's.
// Counting yesterday the same way (consent_day_figures, as the page counts
// today) is what a whole day adds to a page by 23:59, and in the hour after
// midnight, when yesterday is still counted live (consent_day_first_open).
type liveDay struct {
	// Clock is the Brussels time the pages were timed at; TodayEvents the
	// events of today they counted live.
	Clock       string        `json:"brussels_time"`
	TodayEvents int64         `json:"today_events"`
	DayEvents   int64         `json:"yesterday_events"`
	Runs        int           `json:"runs"`
	Median      time.Duration `json:"median_ns"`
	Max         time.Duration `json:"max_ns"`
}

func timeLiveDay(ctx context.Context, conn *pgx.Conn, runs int) (liveDay, error) {
	d := liveDay{Runs: runs}
	err := conn.QueryRow(ctx, `
		WITH b AS (SELECT (now() AT TIME ZONE 'Europe/Brussels') AS t)
		SELECT to_char(b.t, 'HH24:MI'),
			(SELECT count(*) FROM consent_event WHERE chosen_at >= b.t::date::timestamp AT TIME ZONE 'Europe/Brussels'),
			(SELECT count(*) FROM consent_event
			 WHERE chosen_at >= (b.t::date - 1)::timestamp AT TIME ZONE 'Europe/Brussels'
			   AND chosen_at < b.t::date::timestamp AT TIME ZONE 'Europe/Brussels')
		FROM b`).Scan(&d.Clock, &d.TodayEvents, &d.DayEvents)
	if err != nil {
		return d, fmt.Errorf("count today's events: %w", err)
	}
	// As the site's statistics query does (store/postgres/stats.go).
	if _, err := conn.Exec(ctx, `SET jit = off`); err != nil {
		return d, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `RESET jit`) //nolint:errcheck
	const q = `SELECT count(*) FROM consent_day_figures(
		(now() AT TIME ZONE 'Europe/Brussels')::date - 1, (now() AT TIME ZONE 'Europe/Brussels')::date - 1)`
	var took []time.Duration
	for i := range runs + 1 {
		begin := time.Now()
		var n int
		if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
			return d, fmt.Errorf("count yesterday from the log: %w", err)
		}
		if i > 0 { // the first brings the day's pages into memory
			took = append(took, time.Since(begin))
		}
	}
	d.Median, d.Max = median(took), slices.Max(took)
	return d, nil
}
