package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"conpro/internal/staff"
)

// AddStaffUser creates an account and records it in the audit log, whose
// entry gets the new account as its target. It returns staff.ErrExists for
// an address (in any case) that has an account.
func (db *DB) AddStaffUser(ctx context.Context, email, passwordHash string, audit staff.AuditEntry) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO staff_user (email, password_hash) VALUES ($1, $2) RETURNING id`, email, passwordHash).Scan(&id)
		if err != nil {
			return err
		}
		audit.Target = fmt.Sprintf("staff_user:%d", id)
		return insertAudit(ctx, tx, audit)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return 0, staff.ErrExists
	}
	if err != nil {
		return 0, fmt.Errorf("add staff user: %w", err)
	}
	return id, nil
}

// SetStaffPassword replaces an account's password hash and stores t as its
// throttle (staff.ResetPassword decides it), with its audit entry. It
// raises the credential version, which ends the sessions open with the old
// password. It returns staff.ErrNotFound for an account that does not
// exist.
func (db *DB) SetStaffPassword(ctx context.Context, id int64, passwordHash string, t staff.Throttle, audit staff.AuditEntry) error {
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE staff_user SET password_hash = $2, failed_logins = $3, locked_until = $4,
				credential_version = credential_version + 1
			WHERE id = $1`, id, passwordHash, t.FailedLogins, nullTime(t.LockedUntil))
		if err != nil {
			return fmt.Errorf("set staff password: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return staff.ErrNotFound
		}
		return nil
	})
}

// SetStaffDisabled disables an account from disabledAt on (an account
// disabled already keeps its first date), or enables it with nil, with its
// audit entry. It returns staff.ErrNotFound for an account that does not
// exist.
func (db *DB) SetStaffDisabled(ctx context.Context, id int64, disabledAt *time.Time, audit staff.AuditEntry) error {
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE staff_user SET disabled_at = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE coalesce(disabled_at, $2) END
			WHERE id = $1`, id, disabledAt)
		if err != nil {
			return fmt.Errorf("set staff account disabled: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return staff.ErrNotFound
		}
		return nil
	})
}

const staffUserColumns = `id, email, last_login_at, credential_version, disabled_at`

func scanStaffUser(row pgx.CollectableRow) (staff.User, error) {
	var u staff.User
	err := row.Scan(&u.ID, &u.Email, &u.LastLoginAt, &u.CredentialVersion, &u.DisabledAt)
	return u, err
}

// StaffUsers lists the accounts by address.
func (db *DB) StaffUsers(ctx context.Context) ([]staff.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+staffUserColumns+` FROM staff_user ORDER BY lower(email)`)
	if err != nil {
		return nil, fmt.Errorf("read staff users: %w", err)
	}
	users, err := pgx.CollectRows(rows, scanStaffUser)
	if err != nil {
		return nil, fmt.Errorf("read staff users: %w", err)
	}
	return users, nil
}

// StaffUserByEmail reads the account with the address email (in any case);
// staff.ErrNoAccount when there is none.
func (db *DB) StaffUserByEmail(ctx context.Context, email string) (staff.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+staffUserColumns+` FROM staff_user WHERE lower(email) = lower($1)`, email)
	if err != nil {
		return staff.User{}, fmt.Errorf("read staff user: %w", err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanStaffUser)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, staff.ErrNoAccount
	}
	if err != nil {
		return u, fmt.Errorf("read staff user: %w", err)
	}
	return u, nil
}

// CountLoginAttempt reads the account with the address email, lets count
// work out its new throttle, and stores it, in a transaction that holds the
// account's row (FOR UPDATE) for that alone: concurrent attempts queue on
// the row, not on the password hashing that follows. The rules are
// staff.Login's.
func (db *DB) CountLoginAttempt(ctx context.Context, email string, count func(staff.Account) staff.Throttle) (staff.Account, error) {
	var a staff.Account
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var lockedUntil *time.Time
		err := tx.QueryRow(ctx, `
			SELECT id, email, password_hash, last_login_at, credential_version, disabled_at, failed_logins, locked_until
			FROM staff_user WHERE lower(email) = lower($1) FOR UPDATE`, email).
			Scan(&a.ID, &a.Email, &a.PasswordHash, &a.LastLoginAt, &a.CredentialVersion, &a.DisabledAt, &a.FailedLogins, &lockedUntil)
		if err != nil {
			return err
		}
		if lockedUntil != nil {
			a.LockedUntil = *lockedUntil
		}
		t := count(a)
		_, err = tx.Exec(ctx, `UPDATE staff_user SET failed_logins = $2, locked_until = $3 WHERE id = $1`, a.ID, t.FailedLogins, nullTime(t.LockedUntil))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return staff.Account{}, staff.ErrNoAccount
	}
	if err != nil {
		return staff.Account{}, fmt.Errorf("count login attempt: %w", err)
	}
	return a, nil
}

// RecordLogin stores the throttle a successful login leaves, and its time.
func (db *DB) RecordLogin(ctx context.Context, id int64, t staff.Throttle, at time.Time) error {
	_, err := db.pool.Exec(ctx, `UPDATE staff_user SET failed_logins = $2, locked_until = $3, last_login_at = $4 WHERE id = $1`,
		id, t.FailedLogins, nullTime(t.LockedUntil), at)
	if err != nil {
		return fmt.Errorf("record login: %w", err)
	}
	return nil
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// StaffUser reads an account by ID.
func (db *DB) StaffUser(ctx context.Context, id int64) (staff.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+staffUserColumns+` FROM staff_user WHERE id = $1`, id)
	if err != nil {
		return staff.User{}, fmt.Errorf("read staff user: %w", err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanStaffUser)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, staff.ErrNotFound
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
		e.StaffID, e.StaffEmail, string(e.Action), e.Target, e.Detail)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// AuditLog returns the newest entries of the audit log that the filter
// selects, newest first, at most f.Limit (all of them when it is 0).
func (db *DB) AuditLog(ctx context.Context, f staff.AuditFilter) ([]staff.AuditEntry, error) {
	var (
		where []string
		args  []any
	)
	narrow := func(condition string, arg any) {
		args = append(args, arg)
		where = append(where, fmt.Sprintf(condition, len(args)))
	}
	if f.StaffEmail != "" {
		narrow("staff_email = $%d", f.StaffEmail)
	}
	if f.Action != "" {
		narrow("action = $%d", string(f.Action))
	}
	if !f.From.IsZero() {
		narrow("at >= $%d", f.From)
	}
	if !f.Until.IsZero() {
		narrow("at < $%d", f.Until)
	}
	q := `SELECT id, at, coalesce(staff_id, 0), staff_email, action, target, detail FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC"
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (staff.AuditEntry, error) {
		var e staff.AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.StaffID, &e.StaffEmail, &e.Action, &e.Target, &e.Detail)
		return e, err
	})
}

// AuditPeople returns the address of every staff member who appears in the
// audit log, in alphabetical order.
func (db *DB) AuditPeople(ctx context.Context) ([]string, error) {
	// The same as SELECT DISTINCT staff_email … ORDER BY staff_email, one
	// index probe per person instead of a read of the whole log.
	rows, err := db.pool.Query(ctx, `
		WITH RECURSIVE people AS (
			SELECT min(staff_email) AS email FROM audit_log
			UNION ALL
			SELECT (SELECT min(staff_email) FROM audit_log WHERE staff_email > people.email)
			FROM people WHERE people.email IS NOT NULL
		)
		SELECT email FROM people WHERE email IS NOT NULL ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("read the audit log's people: %w", err)
	}
	people, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read the audit log's people: %w", err)
	}
	return people, nil
}
