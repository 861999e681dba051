package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// withoutVendor fails when an answer carries anything of a third party: a
// host or an inline-script hash in its CSP, or a vendor script in its page.
func withoutVendor(t *testing.T, what string, res response) {
	t.Helper()
	csp := res.Header.Get("Content-Security-Policy")
	if csp == "" || strings.Contains(csp, "https://") || strings.Contains(csp, "sha256-") {
		t.Errorf("%s: CSP allows third parties or inline scripts: %q", what, csp)
	}
	for _, host := range []string{"googletagmanager.com", "smartlook.com", "facebook.net", "licdn.com", "gtag("} {
		if strings.Contains(res.Body, host) {
			t.Errorf("%s: the page carries %s", what, host)
		}
	}
}

// Every error of the error table reaches the visitor through HTTP with its
// status and its Dutch page, and never with a vendor script, even for a
// visitor who accepted every vendor.
func TestErrors_EveryStatusOfTheTableGetsItsDutchPageWithoutVendors(t *testing.T) {
	s := newSite(t, siteOptions{env: withEnv(allVendors, "CONPRO_CONSENT_RATE", "2")})
	_, all := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	cookie := all.Name + "=" + all.Value
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	staff := s.newClient(t)
	base, _ := url.Parse(s.URL)
	staff.client.Jar.SetCookies(base, []*http.Cookie{all})
	staff.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")

	big, _ := http.NewRequest(http.MethodPost, s.URL+"/contact", strings.NewReader(strings.Repeat("x", 70<<10)))
	big.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	big.Header.Set("Cookie", cookie)
	crossSite, _ := http.NewRequest(http.MethodPost, s.URL+"/consent", strings.NewReader("action=accept_all"))
	crossSite.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	crossSite.Header.Set("Cookie", cookie)

	cases := []struct {
		name   string
		do     func() response
		status int
		text   string
	}{
		{"a form that cannot be read", func() response {
			return s.postForm(t, "/taal", "lang=xx", "Cookie", cookie)
		}, http.StatusBadRequest, "Ongeldig verzoek"},
		{"a post from another site", func() response { return s.do(t, crossSite) }, http.StatusForbidden, "Verzoek geweigerd"},
		{"a page that does not exist", func() response { return s.get(t, "/bestaat-niet", "Cookie", cookie) }, http.StatusNotFound, "Pagina niet gevonden"},
		{"a policy version never published", func() response {
			return s.get(t, "/privacy/versies/99", "Cookie", cookie)
		}, http.StatusNotFound, "Pagina niet gevonden"},
		{"a staff record that does not exist", func() response {
			return staff.do(t, http.MethodGet, "/admin/berichten/999", nil)
		}, http.StatusNotFound, "Pagina niet gevonden"},
		{"a method the route does not take", func() response {
			return s.postForm(t, "/privacy", "", "Cookie", cookie)
		}, http.StatusMethodNotAllowed, "Niet toegestaan"},
		{"a used or altered link", func() response {
			return s.postForm(t, "/privacy/verzoek/bevestig", "t=not-a-token", "Cookie", cookie)
		}, http.StatusGone, "Deze link werkt niet (meer)"},
		{"a body too large", func() response { return s.do(t, big) }, http.StatusRequestEntityTooLarge, "Te veel gegevens"},
		{"too many consent choices", func() response {
			var res response
			for range 3 {
				res = s.postForm(t, "/consent", "action=reject_all&return_to=/", "Cookie", cookie)
			}
			return res
		}, http.StatusTooManyRequests, "Te veel keuzes"},
		{"a server error", func() response {
			_, err := s.db.Pool().Exec(context.Background(), `
				CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'audit_log unavailable'; END; $$;
				CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit();`)
			if err != nil {
				t.Fatal(err)
			}
			return staff.do(t, http.MethodGet, "/admin/berichten", nil)
		}, http.StatusInternalServerError, "Er ging iets mis"},
	}
	for _, tc := range cases {
		res := tc.do()
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, res.StatusCode, tc.status)
			continue
		}
		if !strings.Contains(html.UnescapeString(res.Body), tc.text) {
			t.Errorf("%s: the page lacks %q:\n%.400s", tc.name, tc.text, res.Body)
		}
		if !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: Cache-Control %q, want no-store", tc.name, res.Header.Get("Cache-Control"))
		}
		withoutVendor(t, tc.name, res)
	}
}

// A machine route answers a failure in plain text, not with a page.
func TestErrors_MachineRoutesFailInPlainText(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/healthz", "")
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /healthz: %d, want 405", res.StatusCode)
	}
	// The router answers an unknown method before any group: the page.
	// A failure inside a machine route is plain text: a probe reading
	// /readyz of a site without a database gets a short line.
	down := newSite(t, siteOptions{dbDown: true})
	res = down.get(t, "/readyz")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/readyz without a database: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// Which routes are private is declared once, in routes.go: robots.txt keeps
// crawlers from exactly those routes, and each answers with no-store, a
// browsing context of its own and noindex, without vendor scripts for a
// visitor who accepted every vendor. No route answers with a vendor script
// when its path is written in another letter case (a 404 whose address may
// hold a link token).
func TestRoutes_PrivateRoutesAreDeclaredOnceAndCarryNoVendor(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, all := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	cookie := all.Name + "=" + all.Value

	var disallowed []string
	for line := range strings.SplitSeq(s.get(t, "/robots.txt").Body, "\n") {
		if p, ok := strings.CutPrefix(line, "Disallow: "); ok {
			disallowed = append(disallowed, p)
		}
	}
	isDisallowed := func(path string) bool {
		for _, p := range disallowed {
			if strings.HasPrefix(path, p) {
				return true
			}
		}
		return false
	}

	private := map[string]bool{}
	err := chi.Walk(s.handler.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		path := strings.NewReplacer("{id}", "1", "{number}", "2", "*", "x").Replace(route)
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(""))
		req.Header.Set("Cookie", cookie)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res := s.do(t, req)
		what := method + " " + path
		isPrivate := res.Header.Get("X-Robots-Tag") == "noindex, nofollow"
		private[path] = isPrivate
		if isPrivate != isDisallowed(path) {
			t.Errorf("%s: private %v, but robots.txt disallows it: %v (%q)", what, isPrivate, !isPrivate, disallowed)
		}
		if isPrivate {
			if res.Header.Get("Cross-Origin-Opener-Policy") != "same-origin" || res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: COOP %q, Cache-Control %q", what, res.Header.Get("Cross-Origin-Opener-Policy"), res.Header.Get("Cache-Control"))
			}
			withoutVendor(t, what, res)
		}
		if method == http.MethodGet && path != "/" {
			for _, other := range []string{strings.ToUpper(path[:2]) + path[2:], strings.ToUpper(path)} {
				if other == path {
					continue
				}
				res := s.get(t, other+"?t=secret-link-token", "Cookie", cookie)
				withoutVendor(t, "GET "+other, res)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"/admin/login": true, "/admin/berichten": true, "/privacy/verzoek": true, "/privacy/verzoek/bevestig": true, "/cookies/bewijs": true,
		"/": false, "/privacy": false, "/contact": false, "/cookies": false, "/sitemap.xml": false,
	} {
		if got, ok := private[path]; !ok || got != want {
			t.Errorf("%s: private %v (a route: %v), want %v", path, got, ok, want)
		}
	}
	// The contact form and the cookie settings are public pages, but a
	// visitor types or sees personal data there: no vendor either.
	for _, path := range []string{"/contact", "/cookies"} {
		withoutVendor(t, path, s.get(t, path, "Cookie", cookie))
	}
	if res := s.get(t, "/privacy", "Cookie", cookie); !strings.Contains(res.Header.Get("Content-Security-Policy"), "https://www.googletagmanager.com") {
		t.Fatalf("the policy page lacks the vendors the visitor accepted: %q", res.Header.Get("Content-Security-Policy"))
	}
}
