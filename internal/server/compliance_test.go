package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"conpro/internal/scan"
)

// Staff see on /admin/naleving whether the proof of consent is intact, can
// check it now, and are told in plain Dutch which choice was changed.
func TestCompliance_StaffCheckTheProofOfConsentAndSeeWhatFailed(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, c := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}}, "Cookie", c.Name+"="+c.Value)
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	staff := s.newClient(t)
	staff.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")

	page := func() string {
		t.Helper()
		res := staff.do(t, http.MethodGet, "/admin/naleving", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/admin/naleving: %d", res.StatusCode)
		}
		return html.UnescapeString(text(doc(t, res.Body)))
	}
	if p := page(); !strings.Contains(p, "Het bewijs werd nog niet gecontroleerd.") {
		t.Fatalf("before any check: %q", p)
	}
	check := func() {
		t.Helper()
		if res := staff.do(t, http.MethodPost, "/admin/naleving/controleren", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("check: %d", res.StatusCode)
		}
	}
	check()
	if p := page(); !strings.Contains(p, "In orde bij de controle van") || !strings.Contains(p, "2 keuzes nagekeken, 0 verwijderd") {
		t.Fatalf("after a check of an intact log: %q", p)
	}

	ctx := context.Background()
	var victim string
	if err := s.db.Pool().QueryRow(ctx, `SELECT event_id::text FROM consent_event WHERE action = 'reject_all'`).Scan(&victim); err != nil {
		t.Fatal(err)
	}
	_, err := s.db.Pool().Exec(ctx, `ALTER TABLE consent_event DISABLE TRIGGER USER;
		UPDATE consent_event SET categories = '{analytics,advertising,social}', action = 'accept_all' WHERE action = 'reject_all';
		ALTER TABLE consent_event ENABLE TRIGGER USER`)
	if err != nil {
		t.Fatal(err)
	}
	check()
	if p := page(); !strings.Contains(p, "Niet in orde bij de controle van") || !strings.Contains(p, "keuze "+victim+" werd gewijzigd nadat ze was opgeslagen") ||
		!strings.Contains(p, "Vorige controles") {
		t.Fatalf("after a check of a changed log: %q", p)
	}
	if actions := s.auditActions(t); !strings.Contains(strings.Join(actions, " "), "verify_consent_log") {
		t.Errorf("the checks are not in the audit log: %v", actions)
	}
}

// Staff read what the scans of the site found, in plain Dutch, with what is
// new since the scan before.
func TestCompliance_StaffSeeTheScansInPlainDutch(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	staff := s.newClient(t)
	staff.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	page := func() string {
		t.Helper()
		return html.UnescapeString(text(doc(t, staff.do(t, http.MethodGet, "/admin/naleving", nil).Body)))
	}
	if p := page(); !strings.Contains(p, "De website werd nog niet gecontroleerd.") {
		t.Fatalf("before any scan: %q", p)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clean := scan.Report{Started: at, Finished: at.Add(time.Minute), Site: "https://conpro-bouw.be", Pages: []string{"/", "/privacy"}, States: []string{"none", "all"}}
	leaky := clean
	leaky.Started, leaky.Finished = at.Add(24*time.Hour), at.Add(24*time.Hour+time.Minute)
	leaky.Findings = []scan.Finding{{Kind: scan.Leak, What: scan.Cookie, Name: "_ga", Vendor: "google-analytics", State: "refused", Pages: []string{"/"}}}
	for _, r := range []scan.Report{clean, leaky} {
		if err := s.db.RecordScan(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	p := page()
	for _, want := range []string{
		"Niet in orde bij de controle van 2 december 2026, 10:01: 2 pagina's in 2 situaties bezocht, 1 bevindingen:",
		`Een cookie "_ga" van Google Analytics nadat de bezoeker alles weigerde, zonder toestemming daarvoor (pagina's: /)`,
		"Nieuw sinds de vorige controle",
		"Vorige controles van de website",
	} {
		if !strings.Contains(p, want) {
			t.Errorf("the page lacks %q:\n%s", want, p)
		}
	}
}
