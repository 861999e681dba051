package staff

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Login throttling: after MaxFailures wrong passwords an account waits
// LockFor before it accepts a password again; each further failure while
// locked counts too. An attempt is counted before its password is checked,
// so that concurrent attempts cannot get more checks than that.
const (
	MaxFailures = 5
	LockFor     = 15 * time.Minute
)

var (
	// ErrBadLogin is returned for an unknown address or a wrong password,
	// alike: the login form must not reveal which accounts exist.
	ErrBadLogin = errors.New("wrong e-mail address or password")
	// ErrLocked is returned while an account waits after too many failures.
	ErrLocked = errors.New("account locked for a while after failed logins")
	// ErrNoAccount is what Accounts returns for an address without an
	// account; Login answers it as ErrBadLogin.
	ErrNoAccount = errors.New("no staff account with that address")
	// ErrDisabled is returned for a disabled account. It is an ErrBadLogin:
	// the login form answers it alike, so that it tells nobody which
	// addresses have an account.
	ErrDisabled = fmt.Errorf("account disabled: %w", ErrBadLogin)
)

// Account is a staff account as a login reads it.
type Account struct {
	User
	PasswordHash string
	Throttle
}

// Throttle is an account's count of failed logins and the lock they led to.
type Throttle struct {
	FailedLogins int
	// LockedUntil is zero for an account that was never locked.
	LockedUntil time.Time
}

// Accounts is what a login needs of the store.
type Accounts interface {
	// CountLoginAttempt reads the account with the address email (in any
	// case) and holds it while count works out its new throttle, then
	// stores that throttle: attempts on one account take turns, each seeing
	// the throttle the one before left. It returns the account as read, or
	// ErrNoAccount.
	CountLoginAttempt(ctx context.Context, email string, count func(Account) Throttle) (Account, error)
	// RecordLogin stores the throttle a successful login leaves and when
	// the login was.
	RecordLogin(ctx context.Context, id int64, t Throttle, at time.Time) error
	Audit(ctx context.Context, e AuditEntry) error
}

// Login checks a password and counts the attempt. The attempt is counted
// as a failure before the password is checked, while the store holds the
// account for that alone: concurrent attempts queue on the account, not on
// the hashing, and once MaxFailures are counted the account is locked for
// LockFor before any more get a check. A locked account still counts
// attempts but refuses them without a check; so does a disabled account,
// locked or not. A success resets the count. An unknown address costs the
// same time as a known one.
func Login(ctx context.Context, accounts Accounts, email, password string, now time.Time) (User, error) {
	var next attempt
	a, err := accounts.CountLoginAttempt(ctx, email, func(a Account) Throttle {
		next = countAttempt(a.Throttle, now)
		return next.throttle
	})
	switch {
	case errors.Is(err, ErrNoAccount):
		return User{}, refuse(ctx, password, ErrBadLogin)
	case err != nil:
		return User{}, fmt.Errorf("staff login: %w", err)
	case a.Disabled():
		return User{}, refuse(ctx, password, ErrDisabled)
	case !next.allowed:
		return User{}, refuse(ctx, password, ErrLocked)
	}
	ok, err := CheckPassword(ctx, password, a.PasswordHash)
	if err != nil {
		return User{}, fmt.Errorf("staff login: %w", err)
	}
	if !ok {
		if next.locks {
			return User{}, auditLock(ctx, accounts, a.User)
		}
		return User{}, ErrBadLogin
	}
	if err := accounts.RecordLogin(ctx, a.ID, Throttle{}, now); err != nil {
		return User{}, fmt.Errorf("staff login: %w", err)
	}
	return a.User, nil
}

// attempt is what counting one more login attempt decided.
type attempt struct {
	throttle Throttle
	// allowed: the password gets a check (the account is not locked).
	allowed bool
	// locks: this attempt, if its password is wrong, locks the account.
	locks bool
}

// countAttempt counts an attempt at now as a failure, ahead of its check.
func countAttempt(t Throttle, now time.Time) attempt {
	a := attempt{
		throttle: Throttle{FailedLogins: t.FailedLogins + 1, LockedUntil: t.LockedUntil},
		allowed:  !now.Before(t.LockedUntil),
	}
	if a.allowed && a.throttle.FailedLogins >= MaxFailures {
		a.throttle.LockedUntil = now.Add(LockFor)
		a.locks = true
	}
	return a
}

// refuse spends a password check's time on a dummy hash, so that a refusal
// without a check (unknown address, locked account) takes as long as a
// wrong password.
func refuse(ctx context.Context, password string, why error) error {
	if _, err := CheckPassword(ctx, password, ""); err != nil {
		return fmt.Errorf("staff login: %w", err)
	}
	return why
}

// auditLock records that wrong passwords locked an account, so its owner
// sees it in the audit log. Only the lock is recorded, not every wrong or
// refused attempt: those anyone who knows the address can send, and they
// would push staff actions out of view. A failure to record it is returned
// (the caller answers 500) rather than a lock that left no trace.
func auditLock(ctx context.Context, accounts Accounts, u User) error {
	err := accounts.Audit(ctx, AuditEntry{StaffID: u.ID, StaffEmail: u.Email, Action: ActionAccountLocked,
		Detail: fmt.Sprintf(lockDetail, MaxFailures, LockFor)})
	if err != nil {
		return fmt.Errorf("staff login: %w", err)
	}
	return ErrBadLogin
}
