package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/ratelimit"
)

// Hit counts attempts at a rate limit, each in its client's window, in one
// round trip, and fills in each one's count: the attempts of its window up
// to itself, and those of the window before.
//
// The attempts of one client and window are added to its count at once
// (an upsert may touch a row once per statement) and numbered in the order
// given. The previous window's count is read as the statement began.
func (db *DB) Hit(ctx context.Context, scope string, attempts []ratelimit.Attempt) error {
	n := len(attempts)
	clients, windows, previous, keep := make([][]byte, n), make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	for i, a := range attempts {
		clients[i], windows[i], previous[i], keep[i] = a.Client, a.Window, a.Previous, a.KeepUntil
	}
	rows, err := db.pool.Query(ctx, `
		WITH attempt AS (
			SELECT * FROM unnest($2::bytea[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
				WITH ORDINALITY AS a(client, window_start, previous, keep_until, n)
		),
		per_window AS (
			SELECT client, window_start, count(*) AS hits, max(keep_until) AS keep_until
			FROM attempt GROUP BY client, window_start
		),
		counted AS (
			INSERT INTO rate_count AS r (scope, client, window_start, hits, keep_until)
			-- In one order, so that two counts at once that share clients
			-- lock their rows in the same order and never wait on each other.
			SELECT $1, client, window_start, hits, keep_until FROM per_window ORDER BY client, window_start
			ON CONFLICT (scope, client, window_start) DO UPDATE
				SET hits = r.hits + excluded.hits, keep_until = greatest(r.keep_until, excluded.keep_until)
			RETURNING client, window_start, hits
		)
		SELECT a.n,
			c.hits - w.hits + row_number() OVER (PARTITION BY a.client, a.window_start ORDER BY a.n),
			coalesce((SELECT p.hits FROM rate_count AS p
				WHERE p.scope = $1 AND p.client = a.client AND p.window_start = a.previous), 0)
		FROM attempt AS a
		JOIN per_window AS w USING (client, window_start)
		JOIN counted AS c USING (client, window_start)`,
		scope, clients, windows, previous, keep)
	if err != nil {
		return fmt.Errorf("count %s attempts: %w", scope, err)
	}
	var i, current, before int
	_, err = pgx.ForEachRow(rows, []any{&i, &current, &before}, func() error {
		if i < 1 || i > n {
			return fmt.Errorf("attempt %d of %d", i, n)
		}
		attempts[i-1].Current, attempts[i-1].Before = current, before
		return nil
	})
	if err != nil {
		return fmt.Errorf("count %s attempts: %w", scope, err)
	}
	return nil
}

// PurgeRateCounts drops the counts of rate limits that no window needs any
// more.
func (db *DB) PurgeRateCounts(ctx context.Context, now time.Time) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM rate_count WHERE keep_until < $1`, now); err != nil {
		return fmt.Errorf("purge rate counts: %w", err)
	}
	return nil
}
