package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"conpro/internal/pgtest"
	"conpro/internal/staff"
	"conpro/internal/store/postgres"
)

// withAccount is a fresh database with one staff account.
func withAccount(t *testing.T, email, password string) *postgres.DB {
	t.Helper()
	db := pgtest.New(t)
	if _, err := staff.AddAccount(context.Background(), db, staff.ServerConsole, email, password); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStaffLogin_AConcurrentBurstGetsNoMoreThanMaxFailuresPasswordChecks(t *testing.T) {
	ctx := context.Background()
	db := withAccount(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	now := time.Now()

	// Thirty wrong passwords at once. Each attempt that was allowed a
	// password check answers ErrBadLogin; the others answer ErrLocked.
	const burst = 30
	var (
		start   = make(chan struct{})
		wg      sync.WaitGroup
		results = make([]error, burst)
	)
	for i := range burst {
		wg.Go(func() {
			<-start
			_, results[i] = staff.Login(ctx, db, "els@conpro-bvba.be", "fout-wachtwoord", now)
		})
	}
	close(start)
	wg.Wait()

	var checked, locked int
	for i, err := range results {
		switch {
		case errors.Is(err, staff.ErrBadLogin):
			checked++
		case errors.Is(err, staff.ErrLocked):
			locked++
		default:
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if checked != staff.MaxFailures || locked != burst-staff.MaxFailures {
		t.Fatalf("%d attempts had their password checked and %d were refused as locked; want %d and %d",
			checked, locked, staff.MaxFailures, burst-staff.MaxFailures)
	}
	// The account is locked now, even for the right password.
	if _, err := staff.Login(ctx, db, "els@conpro-bvba.be", "een-lang-wachtwoord", now.Add(time.Second)); !errors.Is(err, staff.ErrLocked) {
		t.Fatalf("right password after the burst: %v, want locked", err)
	}
	// Past the lock, the right password works and resets the count.
	if _, err := staff.Login(ctx, db, "els@conpro-bvba.be", "een-lang-wachtwoord", now.Add(staff.LockFor+time.Second)); err != nil {
		t.Fatalf("right password after the lock: %v", err)
	}
	for i := 1; i < staff.MaxFailures; i++ {
		if _, err := staff.Login(ctx, db, "els@conpro-bvba.be", "fout-wachtwoord", now.Add(staff.LockFor+2*time.Second)); !errors.Is(err, staff.ErrBadLogin) {
			t.Fatalf("wrong password %d after a success: %v", i, err)
		}
	}
}

func TestStaffLogin_ANewPasswordUnlocksTheAccount(t *testing.T) {
	ctx := context.Background()
	db := withAccount(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	now := time.Now()
	for range staff.MaxFailures {
		_, _ = staff.Login(ctx, db, "els@conpro-bvba.be", "fout-wachtwoord", now)
	}
	if _, err := staff.Login(ctx, db, "els@conpro-bvba.be", "een-lang-wachtwoord", now); !errors.Is(err, staff.ErrLocked) {
		t.Fatalf("after %d wrong passwords: %v, want locked", staff.MaxFailures, err)
	}
	// What `conpro admin reset-password` does.
	els, err := db.StaffUserByEmail(ctx, "ELS@conpro-bvba.be")
	if err != nil {
		t.Fatal(err)
	}
	if err := staff.ResetPassword(ctx, db, staff.ServerConsole, els, "een-nieuw-wachtwoord"); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.Login(ctx, db, "els@conpro-bvba.be", "een-nieuw-wachtwoord", now); err != nil {
		t.Fatalf("the new password while the lock would still hold: %v", err)
	}
}

func TestStaffAccounts_AChangeThatCannotBeAuditedIsNotMade(t *testing.T) {
	ctx := context.Background()
	db := withAccount(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	els, err := db.StaffUserByEmail(ctx, "els@conpro-bvba.be")
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Pool().Exec(ctx, `
		CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit_log unavailable'; END; $$;
		CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit();`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := staff.AddAccount(ctx, db, staff.ServerConsole, "jan@conpro-bvba.be", "een-lang-wachtwoord"); err == nil {
		t.Error("an account was added without its audit entry")
	}
	if err := staff.DisableAccount(ctx, db, staff.ServerConsole, els, time.Now()); err == nil {
		t.Error("an account was disabled without its audit entry")
	}
	if err := staff.ResetPassword(ctx, db, staff.ServerConsole, els, "een-nieuw-wachtwoord"); err == nil {
		t.Error("a password was set without its audit entry")
	}
	users, err := db.StaffUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Disabled() || users[0].CredentialVersion != els.CredentialVersion {
		t.Fatalf("accounts after the refused changes: %+v", users)
	}
}
