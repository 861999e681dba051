package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"conpro/internal/staff"
)

// ErrExists is returned when a unique record already exists.
var ErrExists = errors.New("already exists")

// AddStaffUser creates an account.
func (db *DB) AddStaffUser(ctx context.Context, email, passwordHash string) (int64, error) {
	var id int64
	err := db.pool.QueryRow(ctx, `INSERT INTO staff_user (email, password_hash) VALUES ($1, $2) RETURNING id`, email, passwordHash).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return 0, ErrExists
	}
	if err != nil {
		return 0, fmt.Errorf("add staff user: %w", err)
	}
	return id, nil
}

// SetStaffPassword replaces an account's password and unlocks it. It raises
// the credential version, which ends the sessions open with the old password.
func (db *DB) SetStaffPassword(ctx context.Context, email, passwordHash string) error {
	tag, err := db.pool.Exec(ctx, `
		UPDATE staff_user SET password_hash = $2, failed_logins = 0, locked_until = NULL,
			credential_version = credential_version + 1
		WHERE lower(email) = lower($1)`, email, passwordHash)
	if err != nil {
		return fmt.Errorf("set staff password: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// StaffLogin checks a password and counts the attempt. The attempt is
// counted as a failure before the password is checked, in a transaction that
// holds the account's row only for that: concurrent attempts queue on the
// row, not on the hashing, and once staff.MaxFailures are counted the
// account is locked for staff.LockFor before any more get a check. A locked
// account still counts attempts but refuses them without a check. A success
// resets the count. An unknown address costs the same time.
func (db *DB) StaffLogin(ctx context.Context, email, password string, now time.Time) (staff.User, error) {
	var (
		u       staff.User
		hash    string
		allowed bool
		locking bool // this attempt, if wrong, is the one that locks the account
	)
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var (
			failed      int
			lockedUntil *time.Time
		)
		err := tx.QueryRow(ctx, `
			SELECT id, email, password_hash, last_login_at, credential_version, failed_logins, locked_until
			FROM staff_user WHERE lower(email) = lower($1) FOR UPDATE`, email).
			Scan(&u.ID, &u.Email, &hash, &u.LastLoginAt, &u.CredentialVersion, &failed, &lockedUntil)
		if err != nil {
			return err
		}
		allowed = lockedUntil == nil || !now.Before(*lockedUntil)
		failed++
		if allowed && failed >= staff.MaxFailures {
			until := now.Add(staff.LockFor)
			lockedUntil = &until
			locking = true
		}
		_, err = tx.Exec(ctx, `UPDATE staff_user SET failed_logins = $2, locked_until = $3 WHERE id = $1`, u.ID, failed, lockedUntil)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := staff.CheckPassword(ctx, password, ""); err != nil {
			return staff.User{}, fmt.Errorf("staff login: %w", err)
		}
		return staff.User{}, staff.ErrBadLogin
	}
	if err != nil {
		return staff.User{}, fmt.Errorf("staff login: %w", err)
	}
	if !allowed {
		if _, err := staff.CheckPassword(ctx, password, ""); err != nil {
			return staff.User{}, fmt.Errorf("staff login: %w", err)
		}
		return staff.User{}, staff.ErrLocked
	}
	ok, err := staff.CheckPassword(ctx, password, hash)
	if err != nil {
		return staff.User{}, fmt.Errorf("staff login: %w", err)
	}
	if !ok {
		if locking {
			return staff.User{}, db.auditLock(ctx, u)
		}
		return staff.User{}, staff.ErrBadLogin
	}
	if _, err := db.pool.Exec(ctx, `UPDATE staff_user SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1`, u.ID, now); err != nil {
		return staff.User{}, fmt.Errorf("staff login: %w", err)
	}
	return u, nil
}

// auditLock records that wrong passwords locked an account, so its owner
// sees it in the audit log. Only the lock is recorded, not every wrong or
// refused attempt: those anyone who knows the address can send, and they
// would push staff actions out of view. A failure to record it is returned
// (the caller answers 500) rather than a lock that left no trace.
func (db *DB) auditLock(ctx context.Context, u staff.User) error {
	err := insertAudit(ctx, db.pool, staff.AuditEntry{StaffID: u.ID, StaffEmail: u.Email, Action: "account_locked",
		Detail: fmt.Sprintf("%d wrong passwords; locked for %s", staff.MaxFailures, staff.LockFor)})
	if err != nil {
		return fmt.Errorf("staff login: %w", err)
	}
	return staff.ErrBadLogin
}

// StaffUser reads an account by ID.
func (db *DB) StaffUser(ctx context.Context, id int64) (staff.User, error) {
	var u staff.User
	err := db.pool.QueryRow(ctx, `SELECT id, email, last_login_at, credential_version FROM staff_user WHERE id = $1`, id).
		Scan(&u.ID, &u.Email, &u.LastLoginAt, &u.CredentialVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("read staff user: %w", err)
	}
	return u, nil
}

// Audit appends a staff action to the audit log.
func (db *DB) Audit(ctx context.Context, e staff.AuditEntry) error {
	return insertAudit(ctx, db.pool, e)
}

// audited runs a staff action and its audit entry in one transaction: an
// action is done only if it is accounted for, and an entry is only written
// for an action that was done.
func (db *DB) audited(ctx context.Context, e staff.AuditEntry, action func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := action(tx); err != nil {
			return err
		}
		return insertAudit(ctx, tx, e)
	})
}

func insertAudit(ctx context.Context, q interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, e staff.AuditEntry) error {
	_, err := q.Exec(ctx, `INSERT INTO audit_log (staff_id, staff_email, action, target, detail) VALUES ($1, $2, $3, $4, $5)`,
		e.StaffID, e.StaffEmail, e.Action, e.Target, e.Detail)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// AuditLog returns the newest entries of the audit log.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]staff.AuditEntry, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, at, coalesce(staff_id, 0), staff_email, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (staff.AuditEntry, error) {
		var e staff.AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.StaffID, &e.StaffEmail, &e.Action, &e.Target, &e.Detail)
		return e, err
	})
}
