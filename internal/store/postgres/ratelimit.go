package postgres

import (
	"context"
	"fmt"
	"time"
)

// Hit counts one attempt of a client in a rate limit's window and returns
// the attempts of that window and of the previous one, in one round trip.
func (db *DB) Hit(ctx context.Context, scope string, client []byte, window, previous, keepUntil time.Time) (current, before int, err error) {
	err = db.pool.QueryRow(ctx, `
		WITH hit AS (
			INSERT INTO rate_count AS r (scope, client, window_start, hits, keep_until)
			VALUES ($1, $2, $3, 1, $5)
			ON CONFLICT (scope, client, window_start) DO UPDATE SET hits = r.hits + 1
			RETURNING hits
		)
		SELECT hit.hits, coalesce((SELECT hits FROM rate_count
			WHERE scope = $1 AND client = $2 AND window_start = $4), 0)
		FROM hit`, scope, client, window, previous, keepUntil).Scan(&current, &before)
	if err != nil {
		return 0, 0, fmt.Errorf("count a %s attempt: %w", scope, err)
	}
	return current, before, nil
}

// PurgeRateCounts drops the counts of rate limits that no window needs any
// more.
func (db *DB) PurgeRateCounts(ctx context.Context, now time.Time) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM rate_count WHERE keep_until < $1`, now); err != nil {
		return fmt.Errorf("purge rate counts: %w", err)
	}
	return nil
}
