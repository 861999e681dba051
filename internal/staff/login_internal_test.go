package staff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// accounts is an in-memory Accounts: one mutex stands for the row lock.
type accounts struct {
	mu       sync.Mutex
	byEmail  map[string]*Account
	audit    []AuditEntry
	auditErr error
}

func newAccounts(t *testing.T, email, password string) *accounts {
	t.Helper()
	hash, err := HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	return &accounts{byEmail: map[string]*Account{email: {User: User{ID: 1, Email: email}, PasswordHash: hash}}}
}

func (s *accounts) CountLoginAttempt(_ context.Context, email string, count func(Account) Throttle) (Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byEmail[strings.ToLower(email)]
	if !ok {
		return Account{}, ErrNoAccount
	}
	read := *a
	a.Throttle = count(read)
	return read, nil
}

func (s *accounts) RecordLogin(_ context.Context, id int64, t Throttle, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.byEmail {
		if a.ID == id {
			a.Throttle, a.LastLoginAt = t, &at
		}
	}
	return nil
}

func (s *accounts) Audit(_ context.Context, e AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auditErr != nil {
		return s.auditErr
	}
	s.audit = append(s.audit, e)
	return nil
}

func (s *accounts) throttle(email string) Throttle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byEmail[email].Throttle
}

func TestLogin_LocksAfterMaxFailuresUntilLockForHasPassed(t *testing.T) {
	ctx := context.Background()
	s := newAccounts(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	now := time.Date(2030, time.March, 1, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= MaxFailures; i++ {
		if _, err := Login(ctx, s, "els@conpro-bvba.be", "fout-wachtwoord", now); !errors.Is(err, ErrBadLogin) {
			t.Fatalf("wrong password %d: %v", i, err)
		}
	}
	if got := s.throttle("els@conpro-bvba.be"); got.FailedLogins != MaxFailures || !got.LockedUntil.Equal(now.Add(LockFor)) {
		t.Fatalf("after %d wrong passwords: %+v, want locked until %s", MaxFailures, got, now.Add(LockFor))
	}
	// Locked: the right password is refused, and the refusal counts too.
	if _, err := Login(ctx, s, "els@conpro-bvba.be", "een-lang-wachtwoord", now.Add(LockFor-time.Second)); !errors.Is(err, ErrLocked) {
		t.Fatalf("right password while locked: %v", err)
	}
	if got := s.throttle("els@conpro-bvba.be").FailedLogins; got != MaxFailures+1 {
		t.Fatalf("a refused attempt left the count at %d", got)
	}
	// Past the lock, the right password works and resets the count.
	u, err := Login(ctx, s, "ELS@conpro-bvba.be", "een-lang-wachtwoord", now.Add(LockFor))
	if err != nil || u.Email != "els@conpro-bvba.be" {
		t.Fatalf("right password after the lock: %+v, %v", u, err)
	}
	if got := s.throttle("els@conpro-bvba.be"); got != (Throttle{}) {
		t.Fatalf("a success left %+v", got)
	}
	// The lock is in the audit log, once.
	if len(s.audit) != 1 || s.audit[0].Action != "account_locked" || s.audit[0].StaffID != 1 {
		t.Fatalf("audit %+v, want the lock once", s.audit)
	}
}

func TestLogin_AWrongPasswordPastALockLocksAgainAtOnce(t *testing.T) {
	ctx := context.Background()
	s := newAccounts(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	now := time.Date(2030, time.March, 1, 12, 0, 0, 0, time.UTC)
	for range MaxFailures {
		_, _ = Login(ctx, s, "els@conpro-bvba.be", "fout-wachtwoord", now)
	}
	later := now.Add(LockFor)
	if _, err := Login(ctx, s, "els@conpro-bvba.be", "fout-wachtwoord", later); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("wrong password after the lock: %v", err)
	}
	if got := s.throttle("els@conpro-bvba.be").LockedUntil; !got.Equal(later.Add(LockFor)) {
		t.Fatalf("locked until %s, want %s", got, later.Add(LockFor))
	}
}

// A refusal without a password check still waits for a hashing slot and
// spends a check's time: with every slot taken, an unknown address and a
// locked account wait as a known one does.
func TestLogin_UnknownAddressAndLockedAccountCostAPasswordCheck(t *testing.T) {
	s := newAccounts(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	now := time.Date(2030, time.March, 1, 12, 0, 0, 0, time.UTC)
	for range MaxFailures {
		_, _ = Login(context.Background(), s, "els@conpro-bvba.be", "fout-wachtwoord", now)
	}
	for range cap(hashSlots) {
		hashSlots <- struct{}{}
	}
	defer func() {
		for range cap(hashSlots) {
			<-hashSlots
		}
	}()
	for _, email := range []string{"niemand@conpro-bvba.be", "els@conpro-bvba.be"} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		_, err := Login(ctx, s, email, "een-lang-wachtwoord", now.Add(time.Second))
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with every hashing slot taken: %v; want it to wait for one", email, err)
		}
	}
}

func TestLogin_UnknownAddressIsABadLoginAndNotAudited(t *testing.T) {
	s := newAccounts(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	if _, err := Login(context.Background(), s, "niemand@conpro-bvba.be", "een-lang-wachtwoord", time.Now()); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("unknown address: %v", err)
	}
	if len(s.audit) != 0 {
		t.Fatalf("audit %+v", s.audit)
	}
}

func TestLogin_ALockThatCannotBeAuditedIsAnError(t *testing.T) {
	s := newAccounts(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.auditErr = errors.New("database down")
	now := time.Now()
	var err error
	for range MaxFailures {
		_, err = Login(context.Background(), s, "els@conpro-bvba.be", "fout-wachtwoord", now)
	}
	if err == nil || errors.Is(err, ErrBadLogin) || !strings.Contains(err.Error(), "database down") {
		t.Fatalf("the locking attempt: %v, want the audit's error", err)
	}
}

func (s *accounts) byID(id int64) *Account {
	for _, a := range s.byEmail {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (s *accounts) AddStaffUser(_ context.Context, email, hash string, audit AuditEntry) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byEmail[strings.ToLower(email)]; taken {
		return 0, ErrExists
	}
	id := int64(len(s.byEmail) + 1)
	s.byEmail[strings.ToLower(email)] = &Account{User: User{ID: id, Email: email, CredentialVersion: 1}, PasswordHash: hash}
	audit.Target = fmt.Sprintf("staff_user:%d", id)
	s.audit = append(s.audit, audit)
	return id, nil
}

func (s *accounts) SetStaffDisabled(_ context.Context, id int64, at *time.Time, audit AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.byID(id)
	if a == nil {
		return ErrNotFound
	}
	a.DisabledAt = at
	s.audit = append(s.audit, audit)
	return nil
}

func (s *accounts) SetStaffPassword(_ context.Context, id int64, hash string, t Throttle, audit AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.byID(id)
	if a == nil {
		return ErrNotFound
	}
	a.PasswordHash, a.Throttle = hash, t
	a.CredentialVersion++
	s.audit = append(s.audit, audit)
	return nil
}

func (s *accounts) user(email string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byEmail[email].User
}

func TestResetPassword_UnlocksTheAccountAtOnceAndIsAudited(t *testing.T) {
	ctx := context.Background()
	s := newAccounts(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	now := time.Now()
	for range MaxFailures {
		_, _ = Login(ctx, s, "els@conpro-bvba.be", "fout-wachtwoord", now)
	}
	els := s.user("els@conpro-bvba.be")
	if err := ResetPassword(ctx, s, ServerConsole, els, "een-nieuw-wachtwoord"); err != nil {
		t.Fatal(err)
	}
	if _, err := Login(ctx, s, "els@conpro-bvba.be", "een-nieuw-wachtwoord", now); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	if s.user("els@conpro-bvba.be").CredentialVersion == els.CredentialVersion {
		t.Fatal("the sessions of the old password stay valid")
	}
	if err := ResetPassword(ctx, s, ServerConsole, User{ID: 99, Email: "niemand@conpro-bvba.be"}, "een-nieuw-wachtwoord"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	if err := ResetPassword(ctx, s, ServerConsole, els, "kort"); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("short password: %v", err)
	}
	last := s.audit[len(s.audit)-1]
	if last.Action != ActionResetPassword || last.Target != "staff_user:1" || last.Detail != "els@conpro-bvba.be" || last.StaffEmail != ServerConsole.Email {
		t.Fatalf("audit %+v", last)
	}
}
