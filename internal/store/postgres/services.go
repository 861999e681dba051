package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/consent"
	"conpro/internal/staff"
)

// ServiceSettings returns the staff's setting of every vendor that has one.
// Every instance reads them again once what it read is a few seconds old
// (consent.Live): one small
// table, read whole.
func (db *DB) ServiceSettings(ctx context.Context) ([]consent.ServiceSetting, error) {
	rows, err := db.pool.Query(ctx, `SELECT vendor_key, active, vendor_id, location, switched_on_at, changed_by, changed_at
		FROM service_setting ORDER BY vendor_key`)
	if err != nil {
		return nil, fmt.Errorf("read service settings: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (consent.ServiceSetting, error) {
		var s consent.ServiceSetting
		var on *time.Time
		err := row.Scan(&s.Key, &s.On, &s.ID, &s.Location, &on, &s.ChangedBy, &s.ChangedAt)
		if on != nil {
			s.SwitchedOn = *on
		}
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("read service settings: %w", err)
	}
	return out, nil
}

// SaveServiceSetting stores a vendor's setting with the audit entries that
// say what changed, in one transaction.
func (db *DB) SaveServiceSetting(ctx context.Context, s consent.ServiceSetting, audit []staff.AuditEntry) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO service_setting (vendor_key, active, vendor_id, location, switched_on_at, changed_by, changed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (vendor_key) DO UPDATE SET active = $2, vendor_id = $3, location = $4, switched_on_at = $5, changed_by = $6, changed_at = $7`,
			s.Key, s.On, s.ID, s.Location, nullTime(s.SwitchedOn), s.ChangedBy, s.ChangedAt)
		if err != nil {
			return fmt.Errorf("save service setting: %w", err)
		}
		for _, e := range audit {
			if err := insertAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}
