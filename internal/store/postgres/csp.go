package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/csp"
)

// RecordCSPViolations counts violations on a day. A day holds at most
// maxRows kinds of violation: past that, new kinds are not kept (the ones
// already there still count), so reports cannot fill the database.
func (db *DB) RecordCSPViolations(ctx context.Context, day time.Time, vs []csp.Violation, maxRows int) error {
	batch := &pgx.Batch{}
	for _, v := range vs {
		batch.Queue(`
			INSERT INTO csp_violation (day, path, directive, blocked)
			SELECT $1, $2, $3, $4
			WHERE (SELECT count(*) FROM csp_violation WHERE day = $1) < $5
			   OR EXISTS (SELECT 1 FROM csp_violation WHERE day = $1 AND path = $2 AND directive = $3 AND blocked = $4)
			ON CONFLICT (day, path, directive, blocked) DO UPDATE SET count = csp_violation.count + 1`,
			day, v.Path, v.Directive, v.Blocked, maxRows)
	}
	if err := db.pool.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("record CSP violations: %w", err)
	}
	return nil
}

// CSPViolations returns the counts since a day, newest and most frequent
// first.
func (db *DB) CSPViolations(ctx context.Context, since time.Time, limit int) ([]csp.Count, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT day, path, directive, blocked, count FROM csp_violation
		WHERE day >= $1 ORDER BY day DESC, count DESC, path, directive, blocked LIMIT $2`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("CSP violations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (csp.Count, error) {
		var c csp.Count
		err := row.Scan(&c.Day, &c.Path, &c.Directive, &c.Blocked, &c.Count)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("CSP violations: %w", err)
	}
	return out, nil
}
