package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"conpro/internal/pgtest"
)

// The site as the tests configure it (every optional vendor switched on)
// passes the scan: nothing before a choice or after a refusal, nothing
// undeclared.
func TestRun_AScanOfTheSiteFindsNoLeak(t *testing.T) {
	dbURL := pgtest.URL(t)
	env := map[string]string{
		"DATABASE_URL": dbURL, "CONPRO_COOKIE_KEY": testKey,
		"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234", "CONPRO_GOOGLE_ADS_ID": "AW-1234567",
		"CONPRO_META_PIXEL_ID": "123456789", "CONPRO_LINKEDIN_PARTNER_ID": "12345",
		"CONPRO_SMARTLOOK_KEY": "0123456789abcdef0123", "CONPRO_SOCIAL_WIDGETS": "1",
		// Every state posts a choice: more than the default limit allows a
		// client in a minute.
		"CONPRO_CONSENT_RATE": "0",
	}
	addr, _ := startServer(t, env)
	var out strings.Builder
	err := run(context.Background(), []string{"scan", "-site", "http://" + addr, "-settle", "300ms"}, envOf(env), strings.NewReader(""), &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "clean: no leak, nothing undeclared") {
		t.Fatalf("scan: %v\n%s", err, out.String())
	}
	var clean bool
	if err := queryRow(t, dbURL, `SELECT clean FROM site_scan`, &clean); err != nil || !clean {
		t.Fatalf("stored scan: clean %v (%v)", clean, err)
	}
}

// A site whose vendor snippet sets its cookie before consent, and an
// undeclared one always, fails the scan (exit status 1), which names both;
// the company gets a mail about them, once.
func TestRun_AScanNamesALeakAndAnUndeclaredCookie(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sitemap.xml":
			fmt.Fprintf(w, `<urlset><url><loc>https://conpro-bouw.be/</loc></url><url><loc>https://conpro-bouw.be/b</loc></url></urlset>`)
		case "/consent":
			_ = r.ParseForm()
			choice := "refused"
			if r.PostForm.Get("action") == "accept_all" || r.PostForm.Get("category") == "analytics" {
				choice = "analytics"
			}
			http.SetCookie(w, &http.Cookie{Name: "conpro_consent", Value: choice, Path: "/"})
			http.Redirect(w, r, "/", http.StatusSeeOther)
		default:
			// A snippet that does not wait for consent, and one that sets
			// a cookie nobody declared.
			script := `document.cookie = "tracker_uid=1; path=/";`
			if c, err := r.Cookie("conpro_consent"); err != nil || c.Value != "analytics" {
				script += `document.cookie = "_ga=GA1.1.1.1; path=/";`
			}
			fmt.Fprintf(w, `<!doctype html><title>x</title><script>%s</script>`, script)
		}
	}))
	defer site.Close()
	dbURL := pgtest.URL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}
	scanOnce := func() (string, error) {
		var out strings.Builder
		err := run(context.Background(), []string{"scan", "-site", site.URL, "-settle", "200ms"}, envOf(env), strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}
	out, err := scanOnce()
	if !errors.Is(err, errFindings) {
		t.Fatalf("scan: %v, want the findings error (exit status 1)\n%s", err, out)
	}
	for _, want := range []string{
		`leak cookie "_ga" (vendor "google-analytics") in state none`,
		`leak cookie "_ga" (vendor "google-analytics") in state refused`,
		`undeclared cookie "tracker_uid" (vendor "") in state none`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, `"_ga" (vendor "google-analytics") in state all `) {
		t.Errorf("a granted vendor's cookie was reported:\n%s", out)
	}
	if _, err := scanOnce(); !errors.Is(err, errFindings) {
		t.Fatalf("second scan: %v", err)
	}
	var mails int
	var body string
	if err := queryRow(t, dbURL, `SELECT count(*), max(body_text) FROM mail_outbox WHERE kind = 'staff_notice'`, &mails, &body); err != nil || mails != 1 {
		t.Fatalf("%d notices (%v), want one for the first scan and none for the same findings again", mails, err)
	}
	if !strings.Contains(body, `Een cookie "_ga" van Google Analytics voor de bezoeker een keuze maakte, zonder toestemming daarvoor`) {
		t.Errorf("the notice does not say it in plain Dutch:\n%s", body)
	}
}

func queryRow(t *testing.T, dbURL, sql string, dest ...any) error {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, sql).Scan(dest...)
}
