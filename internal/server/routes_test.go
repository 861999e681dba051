package server_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"conpro/internal/server"
)

func TestRoutes_StatusContentTypeAndSecurityHeaders(t *testing.T) {
	s := newSite(t, siteOptions{})
	cases := []struct {
		path        string
		status      int
		contentType string
		contains    string
	}{
		{"/", 200, "text/html; charset=utf-8", "Construct Professional bvba"},
		{"/contact", 200, "text/html; charset=utf-8", "info@conpro-bvba.be"},
		{"/privacy", 200, "text/html; charset=utf-8", "Versie 2 — "},
		{"/privacy/versies", 200, "text/html; charset=utf-8", "Versie 2"},
		{"/privacy/versies/2", 200, "text/html; charset=utf-8", "Rechten van betrokkenen"},
		{"/privacy/versies/1", 404, "text/html; charset=utf-8", "Pagina niet gevonden"},
		{"/privacy/versies/02", 404, "text/html; charset=utf-8", "Pagina niet gevonden"},
		{"/privacy/versies/abc", 404, "text/html; charset=utf-8", "Pagina niet gevonden"},
		{"/bestaat-niet", 404, "text/html; charset=utf-8", "Pagina niet gevonden"},
		{"/healthz", 200, "text/plain; charset=utf-8", "ok"},
		{"/readyz", 200, "text/plain; charset=utf-8", "ready"},
		{"/metrics", 404, "text/html; charset=utf-8", "Pagina niet gevonden"},
		{"/robots.txt", 200, "text/plain; charset=utf-8", "Sitemap: https://conpro-bouw.be/sitemap.xml"},
		{"/sitemap.xml", 200, "application/xml; charset=utf-8", "<loc>https://conpro-bouw.be/privacy</loc>"},
		{"/.well-known/security.txt", 200, "text/plain; charset=utf-8", "Contact: mailto:info@conpro-bvba.be"},
		{"/favicon.ico", 200, "image/vnd.microsoft.icon", ""},
		{"/static/site.0000.css", 404, "text/html; charset=utf-8", "Pagina niet gevonden"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			res := s.get(t, c.path)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
			if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, strings.Split(c.contentType, ";")[0]) {
				t.Errorf("Content-Type %q, want %q", got, c.contentType)
			}
			if !strings.Contains(res.Body, c.contains) {
				t.Errorf("body lacks %q", c.contains)
			}
			checkSecurityHeaders(t, res.Header)
			if res.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

// checkSecurityHeaders asserts the headers every response must carry, and
// that the CSP allows no inline code and no third party.
func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe code: %q", csp)
	}
	if regexp.MustCompile(`https?:|\*`).MatchString(csp) {
		t.Errorf("CSP allows another host: %q", csp)
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
		"X-Frame-Options":        "DENY",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if pp := h.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
		t.Errorf("Permissions-Policy %q", pp)
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS outside production")
	}
}

func TestProduction_SendsHSTS(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_ENV": "production"}})
	res := s.get(t, "/")
	if got := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Fatalf("HSTS %q", got)
	}
}

func TestHead_SendsHeadersWithoutBody(t *testing.T) {
	s := newSite(t, siteOptions{})
	req, _ := http.NewRequest(http.MethodHead, s.URL+"/privacy", nil)
	res := s.do(t, req)
	if res.StatusCode != 200 || res.Body != "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("HEAD /privacy: %d, %d bytes, %q", res.StatusCode, len(res.Body), res.Header.Get("Content-Type"))
	}
}

func TestMethodNotAllowed_DutchPage(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/privacy", "a=b")
	if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(res.Body, "Niet toegestaan") {
		t.Fatalf("POST /privacy: %d", res.StatusCode)
	}
}

func TestPages_AreGzippedForClientsThatAcceptIt(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.get(t, "/privacy", "Accept-Encoding", "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(plain), "Rechten van betrokkenen") || len(res.Body) >= len(plain)/2 {
		t.Fatalf("gzip body %d bytes for %d plain", len(res.Body), len(plain))
	}
}

func TestStaticAssets_FingerprintedCachedForAYearAndCompressed(t *testing.T) {
	s := newSite(t, siteOptions{})
	home := s.get(t, "/")
	css := regexp.MustCompile(`href="(/static/site\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(home.Body)
	if css == nil {
		t.Fatal("home page links no fingerprinted stylesheet")
	}
	res := s.get(t, css[1], "Accept-Encoding", "gzip")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("GET %s: %d %q", css[1], res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", cc)
	}
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("stylesheet not compressed")
	}
	again := s.get(t, css[1], "If-None-Match", res.Header.Get("ETag"))
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", again.StatusCode)
	}
	for _, icon := range regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(home.Body, -1) {
		if r := s.get(t, icon[1]); r.StatusCode != 200 {
			t.Errorf("GET %s: %d", icon[1], r.StatusCode)
		}
	}
}

func TestReadyz_DatabaseDownIs503ButPagesServe(t *testing.T) {
	s := newSite(t, siteOptions{dbDown: true})
	if res := s.get(t, "/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz: %d, want 503", res.StatusCode)
	}
	for _, p := range []string{"/", "/privacy", "/healthz"} {
		if res := s.get(t, p); res.StatusCode != 200 {
			t.Errorf("%s with the database down: %d", p, res.StatusCode)
		}
	}
}

func TestMetrics_CountRequestsByRoutePattern(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.get(t, "/privacy/versies/2")
	s.get(t, "/nope/12345")
	// Addresses a route takes but finds nothing for count as unmatched
	// too, and are logged without what was typed.
	s.get(t, "/realisaties/nope-12345")
	s.get(t, "/media/nope-12345.jpg")
	m := s.metrics(t)
	for _, want := range []string{
		`conpro_http_requests_total{code="200",method="GET",route="/privacy/versies/{number}"} 1`,
		`conpro_http_requests_total{code="404",method="GET",route="unmatched"} 3`,
		`conpro_http_request_duration_seconds_bucket{method="GET",route="/privacy/versies/{number}"`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(m, "12345") {
		t.Error("metrics carry a raw path")
	}
}

// The metrics count staff logins and exports: the site's address does not
// serve them, whatever the method, and answers with its Dutch 404 page.
func TestMetrics_AreNotServedOnTheSitesAddress(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.postForm(t, "/admin/login", "email=els%40conpro-bvba.be&wachtwoord=fout")
	for _, path := range []string{"/metrics", "/metrics/", "/Metrics"} {
		res := s.get(t, path)
		if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "Pagina niet gevonden") {
			t.Errorf("GET %s: %d, want the Dutch 404 page", path, res.StatusCode)
		}
		if strings.Contains(res.Body, "conpro_http_requests_total") || strings.Contains(res.Body, "go_goroutines") {
			t.Errorf("GET %s shows metrics", path)
		}
	}
	if res := s.postForm(t, "/metrics", ""); res.StatusCode == http.StatusOK || strings.Contains(res.Body, "conpro_http") {
		t.Errorf("POST /metrics: %d", res.StatusCode)
	}
	// They are still counted, for the metrics listener.
	if m := s.metrics(t); !strings.Contains(m, `route="/admin/login"`) {
		t.Errorf("the metrics listener lacks the login: %s", m)
	}
}

// The metrics listener serves /metrics and nothing else.
func TestMetricsHandler_ServesOnlyMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector())
	ts := httptest.NewServer(server.MetricsHandler(reg))
	defer ts.Close()
	for path, want := range map[string]int{"/metrics": 200, "/": 404, "/healthz": 404, "/privacy": 404} {
		res, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
		if want == 200 && !strings.Contains(string(body), "go_goroutines") {
			t.Errorf("GET %s: no metrics", path)
		}
	}
	res, err := http.Post(ts.URL+"/metrics", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d", res.StatusCode)
	}
}

func TestAccessLog_HoldsNoPersonalData(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_TRUSTED_PROXIES": "127.0.0.1/32, ::1"}})
	s.get(t, "/privacy?email=jan.peeters@example.be", "X-Forwarded-For", "203.0.113.77")
	s.get(t, "/jan.peeters@example.be", "X-Forwarded-For", "2001:db8:1234:5678::9")
	logs := s.logs.String()
	for _, secret := range []string{"jan.peeters", "203.0.113.77", "2001:db8:1234:5678"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q:\n%s", secret, logs)
		}
	}
	for _, want := range []string{`"client":"203.0.113.0/24"`, `"client":"2001:db8:1234::/48"`, `"route":"/privacy"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

func TestSecurityTxt_ExpiresWithinAYear(t *testing.T) {
	s := newSite(t, siteOptions{})
	body := s.get(t, "/.well-known/security.txt").Body
	for _, want := range []string{"Expires: ", "Canonical: https://conpro-bouw.be/.well-known/security.txt", "Preferred-Languages: nl"} {
		if !strings.Contains(body, want) {
			t.Errorf("security.txt lacks %q", want)
		}
	}
}

func TestPages_AreServedFromMemoryPerVariantWithAnETag(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}})
	a := s.get(t, "/privacy")
	b := s.get(t, "/privacy")
	etag := a.Header.Get("ETag")
	if etag == "" || b.Header.Get("ETag") != etag || a.Body != b.Body {
		t.Fatalf("two views of /privacy: ETag %q vs %q", etag, b.Header.Get("ETag"))
	}
	if res := s.get(t, "/privacy", "If-None-Match", etag); res.StatusCode != http.StatusNotModified || res.Body != "" {
		t.Fatalf("revalidation: %d", res.StatusCode)
	}
	// Every variant has its own bytes: language, and consent state.
	fr := s.get(t, "/privacy", "Accept-Language", "fr")
	if fr.Header.Get("ETag") == etag || !strings.Contains(fr.Body, `lang="fr"`) {
		t.Fatal("the French page is served the Dutch bytes")
	}
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	consented := s.get(t, "/privacy", "Cookie", cookie.Name+"="+cookie.Value)
	if consented.Header.Get("ETag") == etag || !strings.Contains(consented.Body, "googletagmanager") || strings.Contains(consented.Body, "cookie-banner") {
		t.Fatal("a consented visitor gets the first-visit bytes")
	}
	if res := s.get(t, "/privacy", "If-None-Match", etag, "Cookie", cookie.Name+"="+cookie.Value); res.StatusCode == http.StatusNotModified {
		t.Fatal("a consented visitor revalidated the first-visit page")
	}
	if again := s.get(t, "/privacy"); again.Header.Get("ETag") != etag || strings.Contains(again.Body, "googletagmanager") {
		t.Fatal("the first-visit variant changed after a consented view")
	}
}

// A client that leaves while its page is being made is not a server error:
// the access log records 499 (as nginx does) and nothing at ERROR level.
func TestRoutes_AClientThatLeftIsNotAServerError(t *testing.T) {
	s := newSite(t, siteOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest(http.MethodGet, "/contact", nil).WithContext(ctx)
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	if w.Code != 499 {
		t.Fatalf("status %d, want 499", w.Code)
	}
	if logs := s.logs.String(); strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, `"status":499`) {
		t.Fatalf("logs:\n%s", logs)
	}
}

// Cross-Origin-Opener-Policy isolates the pages where personal data is
// shown or handled, and only those.
func TestRoutes_OpenerIsolationWhereDataIsHandled(t *testing.T) {
	s := newSite(t, siteOptions{})
	for path, want := range map[string]string{
		"/": "", "/privacy": "", "/cookies": "", "/contact": "",
		"/privacy/verzoek": "same-origin", "/privacy/verzoek/verstuurd": "same-origin",
		"/admin/login": "same-origin", "/admin/berichten": "same-origin",
	} {
		if got := s.get(t, path).Header.Get("Cross-Origin-Opener-Policy"); got != want {
			t.Errorf("%s: Cross-Origin-Opener-Policy %q, want %q", path, got, want)
		}
	}
}
