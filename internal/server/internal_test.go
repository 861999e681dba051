package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"conpro/internal/clientip"
	"conpro/internal/config"
	"conpro/internal/consent"
	"conpro/internal/locale"
	"conpro/locales"
	"conpro/web"
)

func TestSafeReturnPath_KeepsSiteLocalPathsOnly(t *testing.T) {
	cases := map[string]string{
		"/":                             "/",
		"/privacy":                      "/privacy",
		"/privacy?x=1#top":              "/privacy?x=1",
		"/privacy/versies/2":            "/privacy/versies/2",
		"":                              "/",
		"privacy":                       "/",
		"//evil.example/x":              "/",
		"/\\evil.example":               "/",
		"\\\\evil.example":              "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"/%2F/evil.example":             "/%2F/evil.example",
		"/a\r\nLocation: http://x":      "/",
		"/\tevil":                       "/",
		"/ok/../../etc":                 "/ok/../../etc",
		"/" + strings.Repeat("a", 3000): "/",
	}
	for in, want := range cases {
		if got := safeReturnPath(in); got != want {
			t.Errorf("safeReturnPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSafeReturnPath: whatever a visitor posts, the redirect target is a
// path on this site, as a browser would resolve it.
func FuzzSafeReturnPath(f *testing.F) {
	for _, s := range []string{"/", "/privacy?x=1", "//evil", "/\\evil", "https://x", "/%2f%2fx", "/a b", "/%zz", "/\x00"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://conpro-bouw.be/privacy/versies/2")
	f.Fuzz(func(t *testing.T, in string) {
		out := safeReturnPath(in)
		if out == "" || out[0] != '/' {
			t.Fatalf("%q -> %q: not a path", in, out)
		}
		if len(out) > 1 && (out[1] == '/' || out[1] == '\\') {
			t.Fatalf("%q -> %q: protocol-relative", in, out)
		}
		for _, c := range []byte(out) {
			if c < 0x20 || c == 0x7f || c == '\\' {
				t.Fatalf("%q -> %q: control character or backslash", in, out)
			}
		}
		u, err := base.Parse(out)
		if err != nil || u.Host != base.Host || u.Scheme != base.Scheme {
			t.Fatalf("%q -> %q resolves to %v (%v)", in, out, u, err)
		}
	})
}

func TestRecoverPanics_ShowsTheDutchErrorPageAndLogsTheStack(t *testing.T) {
	bundle, err := locale.Load(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	assets, err := web.NewAssets(web.Static())
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	base, _ := url.Parse("https://conpro-bouw.be")
	vendors, err := consent.NewRegistry(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		cfg:     config.Config{BaseURL: base},
		log:     slog.New(slog.NewTextHandler(&logs, nil)),
		locales: bundle,
		assets:  assets,
		vendors: vendors,
	}
	s.clientIPs = clientip.NewResolver(nil, false)
	s.now = time.Now
	s.cookies, _ = consent.NewCodec([]byte(strings.Repeat("k", 32)))
	h := s.withRequest(s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(string(body), "Er ging iets mis") {
		t.Fatalf("status %d, body %.200s", rec.Code, body)
	}
	if !strings.Contains(logs.String(), "panic=boom") || !strings.Contains(logs.String(), "goroutine") {
		t.Errorf("log %q lacks the panic and its stack", logs.String())
	}
}

// The page cache is bounded in bytes as well as in entries: past the bound
// it starts again, and a variant put twice is counted once.
func TestPageCache_StartsAgainPastItsByteBound(t *testing.T) {
	page := &cachedPage{gz: make([]byte, 1000), header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}}
	cost := page.cost()
	pages := newPageCache(100, 4*cost+10)
	for i := range 4 {
		pages.put(variant{path: "/" + strconv.Itoa(i)}, page)
	}
	pages.put(variant{path: "/3"}, page)
	if len(pages.entries) != 4 || pages.budget.bytes != 4*cost {
		t.Fatalf("four pages, one put twice: %d entries, %d bytes", len(pages.entries), pages.budget.bytes)
	}
	pages.put(variant{path: "/4"}, page)
	if _, ok := pages.get(variant{path: "/4"}); !ok || len(pages.entries) != 1 || pages.budget.bytes != cost {
		t.Fatalf("past the bound: %d entries, %d bytes, want the new page alone", len(pages.entries), pages.budget.bytes)
	}
}
