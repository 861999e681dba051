package web_test

import (
	"context"
	"go/constant"
	"go/types"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"

	"conpro/internal/locale"
	"conpro/internal/staff"
	"conpro/locales"
	"conpro/web"
)

// recordedActions returns every staff.Action the module's code (tests
// left out) writes as a constant, wherever it is written: a named constant,
// or a string literal passed where an Action is expected.
func recordedActions(t *testing.T) map[staff.Action][]string {
	t.Helper()
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedTypes | packages.NeedTypesInfo | packages.NeedSyntax,
		Dir:  "..",
	}
	pkgs, err := packages.Load(cfg, "conpro/...")
	if err != nil {
		t.Fatal(err)
	}
	if packages.PrintErrors(pkgs) > 0 {
		t.Fatal("the module does not type-check")
	}
	found := map[staff.Action][]string{}
	for _, p := range pkgs {
		for expr, tv := range p.TypesInfo.Types {
			named, ok := tv.Type.(*types.Named)
			if tv.Value == nil || !ok || named.Obj().Name() != "Action" || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "conpro/internal/staff" {
				continue
			}
			a := staff.Action(constant.StringVal(tv.Value))
			if a == "" {
				continue // a filter's "any action", compared with, never written
			}
			found[a] = append(found[a], p.Fset.Position(expr.Pos()).String())
		}
	}
	return found
}

func TestAuditSentence_EveryActionTheCodeRecordsHasADutchDescription(t *testing.T) {
	found := recordedActions(t)
	// The search is not blind: it sees where actions are written, not only
	// where they are declared.
	for _, a := range []staff.Action{"login", "delete_message", "mark_open", "lookup_consent"} {
		if !strings.Contains(strings.Join(found[a], " "), "internal/server/") {
			t.Fatalf("the search did not find where %q is written: %v", a, found[a])
		}
	}
	b, err := locale.Load(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	ctx := locale.WithLocalizer(context.Background(), b.Localizer(locale.NL))
	var actions []string
	for a := range found {
		actions = append(actions, string(a))
	}
	sort.Strings(actions)
	for _, name := range actions {
		a := staff.Action(name)
		if !a.Known() {
			t.Errorf("%q (written at %s) is not among staff.Actions, so the audit log cannot describe or filter it", a, strings.Join(found[a], ", "))
			continue
		}
		e := staff.AuditEntry{At: time.Now(), StaffEmail: "els@conpro-bvba.be", Action: a, Target: "contact_message:12"}
		got := web.AuditSentence(ctx, e)
		if strings.Contains(got, "⟦missing") || strings.Contains(got, name) || strings.Contains(got, "_") || got == "" {
			t.Errorf("%q is described as %q", a, got)
		}
		if name := web.AuditActionName(ctx, a); strings.Contains(name, "⟦missing") || strings.Contains(name, "_") {
			t.Errorf("%q is offered in the filter as %q", a, name)
		}
	}
}

func TestAuditSentence_PutsWhatAnEntryKeepsIntoWords(t *testing.T) {
	b, err := locale.Load(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	ctx := locale.WithLocalizer(context.Background(), b.Localizer(locale.NL))
	for _, tc := range []struct {
		action         staff.Action
		target, detail string
		want           string
	}{
		{"view_audit", "audit_log", "", "Bekeek het logboek"},
		{"delete_message", "contact_message:12", "", "Bericht #12 verwijderd"},
		{"handle_request", "privacy_request:3", "", "Verzoek #3 afgehandeld"},
		{"list_messages", "contact_message", "2 shown", "Bekeek de berichten (2 getoond)"},
		{"list_messages", "contact_message", "1 shown, filter open, search", "Bekeek de berichten (1 getoond, alleen de open berichten, met een zoekterm)"},
		{"list_messages", "contact_message", "0 shown, filter archief", "Bekeek de berichten (0 getoond, filter: archief)"},
		{"list_messages", "contact_message", "3 shown, filter spam", "Bekeek de berichten (3 getoond, alleen de berichten die mogelijk spam zijn)"},
		{"export_csv", "contact_message", "12 messages", "Exporteerde de berichten als CSV-bestand (12 berichten)"},
		{"account_locked", "", "5 wrong passwords; locked for 15m0s", "Account geblokkeerd (na 5 foute wachtwoorden, voor 15 minuten)"},
		{"lookup_consent", "consent_id:AbCdEfGhIjKlMnOpQrStUv", "", "Zocht de keuzes van toestemmings-ID AbCdEfGhIjKlMnOpQrStUv op"},
		{"export_consent", "consent_id:AbCdEfGhIjKlMnOpQrStUv", "", "Exporteerde de keuzes van toestemmings-ID AbCdEfGhIjKlMnOpQrStUv als JSON-bestand"},
		{"retry_mail", "mail_outbox:7", "", "Liet mail #7 opnieuw versturen"},
		// What the words do not cover is still shown.
		{"list_mail", "mail_outbox", "3 shown, newest first", "Bekeek de mail (3 getoond, newest first)"},
		{"rename_account", "staff_user:2", "", "Handeling „rename_account”"},
	} {
		got := web.AuditSentence(ctx, staff.AuditEntry{Action: tc.action, Target: tc.target, Detail: tc.detail})
		if got != tc.want {
			t.Errorf("%s %s %q: %q, want %q", tc.action, tc.target, tc.detail, got, tc.want)
		}
	}
}
