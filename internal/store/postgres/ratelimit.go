package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/ratelimit"
)

// Hit counts attempts at a rate limit in one round trip, and fills in each
// one's count: the window it was counted in, the attempts of that window up
// to itself, and those of the window before.
//
// A client has one row per limit: the attempts of its latest window and of
// the one before. The attempts of one client are added to its row at once
// (an upsert may touch a row once per statement) and numbered in the order
// given. An attempt whose window has already given way to a later one (a
// batch gathered across the turn of a window, or another instance counting
// the next window first) is counted in the later window: a limit errs
// towards counting an attempt late, never towards forgetting it.
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
		per_client AS (
			SELECT client, max(window_start) AS window_start, max(previous) AS previous,
				count(*) AS hits, max(keep_until) AS keep_until
			FROM attempt GROUP BY client
		),
		counted AS (
			INSERT INTO rate_count AS r (scope, client, window_start, hits, previous_start, previous_hits, keep_until)
			-- In one order, so that two counts at once that share clients
			-- lock their rows in the same order and never wait on each other.
			SELECT $1, client, window_start, hits, previous, 0, keep_until FROM per_client ORDER BY client
			ON CONFLICT (scope, client) DO UPDATE SET
				window_start = greatest(r.window_start, excluded.window_start),
				hits = CASE WHEN r.window_start >= excluded.window_start THEN r.hits ELSE 0 END + excluded.hits,
				previous_start = CASE WHEN r.window_start >= excluded.window_start THEN r.previous_start
					ELSE excluded.previous_start END,
				previous_hits = CASE WHEN r.window_start >= excluded.window_start THEN r.previous_hits
					WHEN r.window_start = excluded.previous_start THEN r.hits
					ELSE 0 END,
				keep_until = greatest(r.keep_until, excluded.keep_until)
			RETURNING client, window_start, hits, previous_hits
		)
		SELECT a.n, c.window_start, c.hits - w.hits + row_number() OVER (PARTITION BY a.client ORDER BY a.n), c.previous_hits
		FROM attempt AS a
		JOIN per_client AS w USING (client)
		JOIN counted AS c USING (client)`,
		scope, clients, windows, previous, keep)
	if err != nil {
		return fmt.Errorf("count %s attempts: %w", scope, err)
	}
	var (
		i, current, before int
		countedIn          time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&i, &countedIn, &current, &before}, func() error {
		if i < 1 || i > n {
			return fmt.Errorf("attempt %d of %d", i, n)
		}
		attempts[i-1].CountedIn, attempts[i-1].Current, attempts[i-1].Before = countedIn, current, before
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
