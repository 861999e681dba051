package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"conpro/internal/scan"
)

// RecordScan keeps a scan's report.
func (db *DB) RecordScan(ctx context.Context, r scan.Report) error {
	report, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("record scan: %w", err)
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO site_scan (started_at, finished_at, clean, findings, report) VALUES ($1, $2, $3, $4, $5)`,
		r.Started, r.Finished, r.Clean(), len(r.Findings), report)
	if err != nil {
		return fmt.Errorf("record scan: %w", err)
	}
	return nil
}

// LastScans returns the last scans' reports, newest first.
func (db *DB) LastScans(ctx context.Context, limit int) ([]scan.Report, error) {
	rows, err := db.pool.Query(ctx, `SELECT report FROM site_scan ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("last scans: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (scan.Report, error) {
		var r scan.Report
		var raw []byte
		if err := row.Scan(&raw); err != nil {
			return r, err
		}
		return r, json.Unmarshal(raw, &r)
	})
	if err != nil {
		return nil, fmt.Errorf("last scans: %w", err)
	}
	return out, nil
}

// QueueStaffNotice puts a mail to the company about the site itself in the
// outbox.
func (db *DB) QueueStaffNotice(ctx context.Context, to, subject, body string) error {
	if to == "" {
		return errors.New("queue staff notice: no address")
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO mail_outbox (kind, to_addr, subject, body_text) VALUES ('staff_notice', $1, $2, $3)`, to, subject, body)
	if err != nil {
		return fmt.Errorf("queue staff notice: %w", err)
	}
	return nil
}
