package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"conpro/internal/consent"
	"conpro/internal/consentstats"
)

// ConsentStats returns the consent figures of every calendar day from..to
// (both included, read as dates), in order, as consentstats defines them:
// per Brussels day, each consent ID counts once, by its last choice that day.
// A period that ends before it starts, or is too long, is refused with
// consentstats.ErrInvalidPeriod.
//
// Closed days (before today in Brussels by the database's clock, once an
// hour has passed since midnight) come from the daily rollups in
// consent_day, counted first if they never were or their events changed
// since (see migration 00015); today and later days are counted live from
// the log. So the cost follows the number of days, not of events.
func (db *DB) ConsentStats(ctx context.Context, from, to time.Time) ([]consentstats.Day, error) {
	if err := consentstats.CheckPeriod(from, to); err != nil {
		return nil, err
	}
	var days []consentstats.Day
	// One transaction, so both statements agree on which days are closed
	// (now() is the transaction's start).
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// The planner's guesses for the days to count run high, and past
		// jit_above_cost compiling the plan takes longer (60 ms) than
		// running it.
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return fmt.Errorf("query consent statistics: %w", err)
		}
		if err := countClosedDays(ctx, tx, dateParam(from), dateParam(to)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			WITH first_open AS (
				SELECT consent_day_first_open() AS on_day
			),
			days AS (
				SELECT $1::date + i AS on_day
				FROM generate_series(0, $2::date - $1::date) AS i
			),
			figures AS (
				SELECT c.on_day, c.visitors, c.accepted, c.refused, c.customised, c.granted
				FROM consent_day AS c, first_open
				WHERE c.on_day >= $1::date AND c.on_day <= least($2::date, first_open.on_day - 1)
				UNION ALL
				SELECT f.on_day, f.visitors, f.accepted, f.refused, f.customised, f.granted
				FROM first_open, consent_day_figures(greatest($1::date, first_open.on_day), $2::date) AS f
			)
			SELECT days.on_day,
				coalesce(f.visitors, 0), coalesce(f.accepted, 0), coalesce(f.refused, 0), coalesce(f.customised, 0),
				coalesce(f.granted, '{}')
			FROM days
			LEFT JOIN figures AS f USING (on_day)
			ORDER BY days.on_day`,
			dateParam(from), dateParam(to))
		if err != nil {
			return fmt.Errorf("query consent statistics: %w", err)
		}
		days, err = pgx.CollectRows(rows, scanDay)
		if err != nil {
			return fmt.Errorf("read consent statistics: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return days, nil
}

func scanDay(row pgx.CollectableRow) (consentstats.Day, error) {
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
}

// querier is the pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// countClosedDays brings the rollups of the closed days from..to (dates as
// text; open days, today's, are left alone) up to date: it counts the days
// marked stale, and the days never counted, and stores their figures.
//
// Taking the stale marks and counting happen in one statement, so with one
// snapshot: an event committed before it is counted; one committed after
// it marks its day again (its trigger's insert waits for this statement's
// delete of the mark to commit), and the next reader counts the day again.
func countClosedDays(ctx context.Context, q querier, from, to string) error {
	_, err := q.Exec(ctx, `
		WITH first_open AS (
			SELECT consent_day_first_open() AS on_day
		),
		stale AS (
			DELETE FROM consent_day_stale AS s
			USING first_open
			WHERE s.on_day >= $1::date AND s.on_day <= least($2::date, first_open.on_day - 1)
			RETURNING s.on_day
		),
		to_count AS (
			SELECT on_day FROM stale
			UNION
			SELECT d.on_day
			FROM first_open, LATERAL (
				SELECT $1::date + i AS on_day
				FROM generate_series(0, least($2::date, first_open.on_day - 1) - $1::date) AS i
			) AS d
			WHERE NOT EXISTS (SELECT 1 FROM consent_day AS c WHERE c.on_day = d.on_day)
		)
		INSERT INTO consent_day (on_day, visitors, accepted, refused, customised, granted)
		SELECT t.on_day, coalesce(f.visitors, 0), coalesce(f.accepted, 0), coalesce(f.refused, 0),
			coalesce(f.customised, 0), coalesce(f.granted, '{}')
		FROM to_count AS t
		LEFT JOIN LATERAL consent_day_figures(t.on_day, t.on_day) AS f ON true
		ON CONFLICT (on_day) DO UPDATE SET
			visitors = excluded.visitors, accepted = excluded.accepted, refused = excluded.refused,
			customised = excluded.customised, granted = excluded.granted, counted_at = now()`,
		from, to)
	if err != nil {
		return fmt.Errorf("count closed days of the consent log: %w", err)
	}
	return nil
}

// dateParam passes the calendar day of t as text, so that neither t's
// location nor the session's time zone can shift it.
func dateParam(t time.Time) string {
	return t.Format(time.DateOnly)
}
