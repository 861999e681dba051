package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A browser's report of what the CSP blocked is counted per day, page,
// directive and blocked origin, in either form browsers send it; nothing of
// the visitor is kept, and one client cannot flood the table.
func TestCSPReport_CountsWhatBrowsersReportAndNothingOfTheVisitor(t *testing.T) {
	s := newSite(t, siteOptions{})
	post := func(contentType, body string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/csp-report", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return s.do(t, req).Response
	}
	host := strings.TrimPrefix(s.URL, "http://")
	legacy := `{"csp-report":{"document-uri":"http://` + host + `/privacy?t=secret","effective-directive":"script-src-elem","blocked-uri":"https://tracker.example/t.js?u=jan@example.be"}}`
	modern := `[{"type":"csp-violation","url":"http://` + host + `/privacy","user_agent":"Mozilla/5.0 Secret","body":{"documentURL":"http://` + host + `/privacy","blockedURL":"https://tracker.example/pixel","effectiveDirective":"script-src-elem"}}]`
	if res := post("application/csp-report", legacy); res.StatusCode != http.StatusNoContent {
		t.Fatalf("report-uri: %d", res.StatusCode)
	}
	if res := post("application/reports+json", modern); res.StatusCode != http.StatusNoContent {
		t.Fatalf("report-to: %d", res.StatusCode)
	}
	var day, path, directive, blocked string
	var count int
	err := s.db.Pool().QueryRow(context.Background(), `SELECT day::text, path, directive, blocked, count FROM csp_violation`).Scan(&day, &path, &directive, &blocked, &count)
	if err != nil || path != "/privacy" || directive != "script-src-elem" || blocked != "https://tracker.example" || count != 2 {
		t.Fatalf("kept %s %s %s %s %d (%v), want /privacy script-src-elem https://tracker.example 2", day, path, directive, blocked, count, err)
	}
	for _, secret := range []string{"secret", "jan@example.be", "Mozilla", "127.0.0"} {
		if n := s.occurrences(t, secret); n != 0 {
			t.Errorf("%q is stored %d times", secret, n)
		}
	}
	if res := post("text/plain", "hello"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a body that is no report: %d, want 400", res.StatusCode)
	}
	if res := post("application/csp-report", `{"csp-report":{"document-uri":"`+strings.Repeat("x", 20<<10)+`"}}`); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 20 KiB report: %d, want 413", res.StatusCode)
	}
	var last *http.Response
	for range 120 {
		last = post("application/csp-report", legacy)
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the 120th report within a minute: %d, want 429", last.StatusCode)
	}
}

// Every page's CSP sends reports to the site, both ways.
func TestCSPReport_EveryPolicyNamesTheReportEndpoint(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	for _, path := range []string{"/", "/privacy", "/contact", "/bestaat-niet"} {
		res := s.get(t, path)
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "report-uri /csp-report") || !strings.Contains(csp, "report-to csp") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if re := res.Header.Get("Reporting-Endpoints"); re != `csp="/csp-report"` {
			t.Errorf("%s: Reporting-Endpoints %q", path, re)
		}
	}
}
