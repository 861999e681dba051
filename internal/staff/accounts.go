package staff

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The staff accounts are managed in the browser (/admin/medewerkers) and on
// the server's command line (conpro admin), by the same rules: an address
// that is one and not taken, a password of at least MinPassword characters,
// and every change in the audit log.

var (
	// ErrPasswordsDiffer is returned when a new password and its
	// repetition differ.
	ErrPasswordsDiffer = errors.New("the passwords differ")
	// ErrDisableSelf is returned when a staff member tries to disable their
	// own account: they would lock themselves out, and perhaps everyone.
	ErrDisableSelf = errors.New("a staff member cannot disable their own account")
)

// ServerConsole is who changes accounts with `conpro admin` on the
// server, as the audit log names them.
var ServerConsole = User{Email: "beheerder op de server"}

// AccountStore is what managing accounts needs of the store. Each change
// is written with its audit entry in one transaction: both or neither.
type AccountStore interface {
	// AddStaffUser creates an account; ErrExists when the address (in any
	// case) has one. The audit entry's target is the new account.
	AddStaffUser(ctx context.Context, email, passwordHash string, audit AuditEntry) (int64, error)
	// SetStaffDisabled disables the account (at the time given) or, with
	// nil, enables it; ErrNotFound when there is none.
	SetStaffDisabled(ctx context.Context, id int64, disabledAt *time.Time, audit AuditEntry) error
	// SetStaffPassword replaces the password hash and stores t as the
	// throttle; it ends the sessions open under the old password.
	// ErrNotFound when there is none.
	SetStaffPassword(ctx context.Context, id int64, passwordHash string, t Throttle, audit AuditEntry) error
}

// Audit actions of account management.
const (
	ActionListAccounts   Action = "list_staff"
	ActionAddAccount     Action = "add_staff"
	ActionDisableAccount Action = "disable_staff"
	ActionEnableAccount  Action = "enable_staff"
	ActionResetPassword  Action = "reset_staff_password"
)

// CheckNewPassword checks a password typed twice: long enough
// (ErrWeakPassword), and the same both times (ErrPasswordsDiffer).
func CheckNewPassword(password, again string) error {
	if err := checkStrength(password); err != nil {
		return err
	}
	if password != again {
		return ErrPasswordsDiffer
	}
	return nil
}

// AddAccount creates an account for email with password, by the staff
// member by. It returns ErrBadEmail, ErrWeakPassword or ErrExists for what
// cannot be an account.
func AddAccount(ctx context.Context, s AccountStore, by User, email, password string) (User, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	id, err := s.AddStaffUser(ctx, email, hash, entry(by, ActionAddAccount, User{Email: email}))
	if err != nil {
		return User{}, err
	}
	return User{ID: id, Email: email, CredentialVersion: 1}, nil
}

// DisableAccount disables target: it cannot log in any more, and the
// sessions it has open end at their next request. Nobody disables their own
// account (ErrDisableSelf): a staff member who is signed in is one account
// that stays enabled.
func DisableAccount(ctx context.Context, s AccountStore, by, target User, now time.Time) error {
	if by.ID != 0 && by.ID == target.ID {
		return ErrDisableSelf
	}
	return s.SetStaffDisabled(ctx, target.ID, &now, entry(by, ActionDisableAccount, target))
}

// EnableAccount lets a disabled account log in again, with its password.
func EnableAccount(ctx context.Context, s AccountStore, by, target User) error {
	return s.SetStaffDisabled(ctx, target.ID, nil, entry(by, ActionEnableAccount, target))
}

// ResetPassword gives target a new password, ends the sessions open with
// the old one and unlocks the account: whoever sets a password (a
// colleague signed in, or someone who holds the server) has nothing more to
// fear from the wrong guesses that locked it.
func ResetPassword(ctx context.Context, s AccountStore, by, target User, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.SetStaffPassword(ctx, target.ID, hash, Throttle{}, entry(by, ActionResetPassword, target))
}

// entry is the audit entry of a change by by to target's account: the
// target's address is in the detail, since an account's number tells a
// reader of the log nothing.
func entry(by User, action Action, target User) AuditEntry {
	e := AuditEntry{StaffID: by.ID, StaffEmail: by.Email, Action: action, Detail: target.Email}
	if target.ID != 0 {
		e.Target = fmt.Sprintf("staff_user:%d", target.ID)
	}
	return e
}
