package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/consent"
	"conpro/internal/consentstats"
)

// ConsentStats returns the consent figures of every calendar day from..to
// (both included, read as dates), in order, as consentstats defines them:
// per Brussels day, each consent ID counts once, by its last choice that day.
// A period that ends before it starts, or is too long, is refused with
// consentstats.ErrInvalidPeriod.
func (db *DB) ConsentStats(ctx context.Context, from, to time.Time) ([]consentstats.Day, error) {
	if err := consentstats.CheckPeriod(from, to); err != nil {
		return nil, err
	}
	// The WHERE bounds are the period's first and last Brussels midnights as
	// instants, so the chosen_at index serves the scan. Ties on chosen_at
	// (two clicks within a microsecond) go to the row stored last.
	rows, err := db.pool.Query(ctx, `
		WITH days AS (
			SELECT $1::date + i AS on_day
			FROM generate_series(0, $2::date - $1::date) AS i
		),
		last_choice AS (
			SELECT DISTINCT ON (consent_id, on_day)
				consent_id,
				(chosen_at AT TIME ZONE 'Europe/Brussels')::date AS on_day,
				action,
				categories
			FROM consent_event
			WHERE chosen_at >= $1::date::timestamp AT TIME ZONE 'Europe/Brussels'
			  AND chosen_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Brussels'
			ORDER BY consent_id, on_day, chosen_at DESC, recorded_at DESC, event_id DESC
		),
		counts AS (
			SELECT on_day,
				count(*) AS visitors,
				count(*) FILTER (WHERE action = 'accept_all') AS accepted,
				count(*) FILTER (WHERE action IN ('reject_all', 'withdraw')) AS refused,
				count(*) FILTER (WHERE action = 'save') AS customised
			FROM last_choice
			GROUP BY on_day
		),
		granted AS (
			SELECT on_day, jsonb_object_agg(category, visitors) AS by_category
			FROM (
				SELECT on_day, category, count(DISTINCT consent_id) AS visitors
				FROM last_choice, unnest(categories) AS category
				GROUP BY on_day, category
			) AS per_category
			GROUP BY on_day
		)
		SELECT days.on_day,
			coalesce(c.visitors, 0), coalesce(c.accepted, 0), coalesce(c.refused, 0), coalesce(c.customised, 0),
			coalesce(g.by_category, '{}')
		FROM days
		LEFT JOIN counts AS c USING (on_day)
		LEFT JOIN granted AS g USING (on_day)
		ORDER BY days.on_day`,
		dateParam(from), dateParam(to))
	if err != nil {
		return nil, fmt.Errorf("query consent statistics: %w", err)
	}
	days, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (consentstats.Day, error) {
		var (
			d       consentstats.Day
			granted map[string]int
		)
		if err := row.Scan(&d.Date, &d.Visitors, &d.Accepted, &d.Refused, &d.Customised, &granted); err != nil {
			return d, err
		}
		d.Date = consentstats.DateOf(d.Date)
		d.Granted = make(map[consent.Category]int, len(consentstats.Categories()))
		for _, c := range consentstats.Categories() {
			d.Granted[c] = 0
		}
		for c, n := range granted {
			d.Granted[consent.Category(c)] = n
		}
		return d, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read consent statistics: %w", err)
	}
	return days, nil
}

// dateParam passes the calendar day of t as text, so that neither t's
// location nor the session's time zone can shift it.
func dateParam(t time.Time) string {
	return t.Format(time.DateOnly)
}
