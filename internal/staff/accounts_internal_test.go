package staff

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAddAccount_HoldsTheCommandLinesRulesAndIsAudited(t *testing.T) {
	ctx := context.Background()
	s := newAccounts(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	els := s.user("els@conpro-bvba.be")
	cases := []struct {
		email, password string
		want            error
	}{
		{"geen adres", "een-lang-wachtwoord", ErrBadEmail},
		{strings.Repeat("a", 250) + "@conpro-bvba.be", "een-lang-wachtwoord", ErrBadEmail},
		{"jan@conpro-bvba.be", "kort", ErrWeakPassword},
		{"ELS@conpro-bvba.be", "een-lang-wachtwoord", ErrExists},
	}
	for _, c := range cases {
		if _, err := AddAccount(ctx, s, els, c.email, c.password); !errors.Is(err, c.want) {
			t.Errorf("%q, %q: %v, want %v", c.email, c.password, err, c.want)
		}
	}
	u, err := AddAccount(ctx, s, els, " Jan@Conpro-BVBA.be ", "een-ander-wachtwoord")
	if err != nil || u.Email != "jan@conpro-bvba.be" {
		t.Fatalf("add: %+v, %v", u, err)
	}
	if _, err := Login(ctx, s, "jan@conpro-bvba.be", "een-ander-wachtwoord", time.Now()); err != nil {
		t.Fatalf("the new account cannot log in: %v", err)
	}
	if len(s.audit) != 1 || s.audit[0] != (AuditEntry{StaffID: els.ID, StaffEmail: els.Email, Action: ActionAddAccount, Target: "staff_user:2", Detail: "jan@conpro-bvba.be"}) {
		t.Fatalf("audit %+v, want the one addition", s.audit)
	}
}

func TestDisableAccount_ADisabledAccountCannotLogInUntilEnabled(t *testing.T) {
	ctx := context.Background()
	s := newAccounts(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	els := s.user("els@conpro-bvba.be")
	jan, err := AddAccount(ctx, s, els, "jan@conpro-bvba.be", "een-ander-wachtwoord")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, time.March, 1, 12, 0, 0, 0, time.UTC)
	if err := DisableAccount(ctx, s, els, jan, now); err != nil {
		t.Fatal(err)
	}
	jan = s.user("jan@conpro-bvba.be")
	if !jan.Disabled() || !jan.DisabledAt.Equal(now) || jan.Admits(jan.CredentialVersion) {
		t.Fatalf("after disabling: %+v", jan)
	}
	// The right password is refused as a wrong one would be: the login
	// form tells nobody which accounts exist.
	_, err = Login(ctx, s, "jan@conpro-bvba.be", "een-ander-wachtwoord", now)
	if !errors.Is(err, ErrDisabled) || !errors.Is(err, ErrBadLogin) {
		t.Fatalf("login of a disabled account: %v", err)
	}
	if err := EnableAccount(ctx, s, els, jan); err != nil {
		t.Fatal(err)
	}
	if _, err := Login(ctx, s, "jan@conpro-bvba.be", "een-ander-wachtwoord", now); err != nil {
		t.Fatalf("login once enabled again: %v", err)
	}
	var actions []string
	for _, e := range s.audit {
		actions = append(actions, string(e.Action)+" "+e.Target+" "+e.Detail)
	}
	want := []string{"add_staff staff_user:2 jan@conpro-bvba.be", "disable_staff staff_user:2 jan@conpro-bvba.be", "enable_staff staff_user:2 jan@conpro-bvba.be"}
	if len(actions) != len(want) || actions[1] != want[1] || actions[2] != want[2] {
		t.Fatalf("audit %q, want %q", actions, want)
	}
}

func TestDisableAccount_NobodyDisablesTheirOwnAccount(t *testing.T) {
	s := newAccounts(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	els := s.user("els@conpro-bvba.be")
	if err := DisableAccount(context.Background(), s, els, els, time.Now()); !errors.Is(err, ErrDisableSelf) {
		t.Fatalf("disabling oneself: %v", err)
	}
	if s.user("els@conpro-bvba.be").Disabled() || len(s.audit) != 0 {
		t.Fatal("the refused change was made or audited")
	}
	// From the server's command line there is no "self".
	if err := DisableAccount(context.Background(), s, ServerConsole, els, time.Now()); err != nil {
		t.Fatalf("from the command line: %v", err)
	}
}

func TestCheckNewPassword_WantsTwelveCharactersTypedTwiceAlike(t *testing.T) {
	cases := []struct {
		password, again string
		want            error
	}{
		{"een-lang-wachtwoord", "een-lang-wachtwoord", nil},
		{"kort", "kort", ErrWeakPassword},
		{"ééééééééééé", "ééééééééééé", ErrWeakPassword}, // 11 characters, 22 bytes
		{"éééééééééééé", "éééééééééééé", nil},
		{"een-lang-wachtwoord", "een-lang-wachtwoorD", ErrPasswordsDiffer},
	}
	for _, c := range cases {
		if err := CheckNewPassword(c.password, c.again); !errors.Is(err, c.want) {
			t.Errorf("%q, %q: %v, want %v", c.password, c.again, err, c.want)
		}
	}
}
