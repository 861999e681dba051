package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Cached pages are kept compressed only. A client that does not take gzip
// still gets the whole page uncompressed, the same bytes a gzip client
// gets once unpacked, with the same ETag and a right Content-Length:
// whether its request rendered the page or found it in memory; and HEAD
// tells that length without a body.
func TestPageCache_ClientsWithoutGzipGetTheWholePageUncompressed(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	for _, tc := range []struct {
		path      string
		gzipFirst bool // which kind of client made the page go into memory
	}{{"/", false}, {"/privacy", true}, {"/privacy/versies", false}} {
		var first response
		if tc.gzipFirst {
			first = s.get(t, tc.path) // Go's client asks for gzip and unpacks it
		}
		plain := []response{s.get(t, tc.path, "Accept-Encoding", "identity"), s.get(t, tc.path, "Accept-Encoding", "identity")}
		if !tc.gzipFirst {
			first = s.get(t, tc.path)
		}
		if !first.Uncompressed {
			t.Fatalf("%s: the gzip client's answer was not compressed", tc.path)
		}
		if len(first.Body) < 2000 {
			t.Fatalf("%s: %d bytes", tc.path, len(first.Body))
		}
		for i, res := range plain {
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" {
				t.Fatalf("%s, identity %d: %d, Content-Encoding %q", tc.path, i, res.StatusCode, res.Header.Get("Content-Encoding"))
			}
			if res.Body != first.Body {
				t.Errorf("%s, identity %d: %d bytes differ from the gzip client's %d", tc.path, i, len(res.Body), len(first.Body))
			}
			if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(first.Body)) {
				t.Errorf("%s, identity %d: Content-Length %s, page %d bytes", tc.path, i, got, len(first.Body))
			}
			if res.Header.Get("Etag") == "" || res.Header.Get("Etag") != first.Header.Get("Etag") {
				t.Errorf("%s, identity %d: ETag %q, gzip %q", tc.path, i, res.Header.Get("Etag"), first.Header.Get("Etag"))
			}
		}
		req, _ := http.NewRequest(http.MethodHead, s.URL+tc.path, nil)
		req.Header.Set("Accept-Encoding", "identity")
		head := s.do(t, req)
		if head.StatusCode != http.StatusOK || head.Body != "" || head.Header.Get("Content-Length") != strconv.Itoa(len(first.Body)) {
			t.Errorf("%s, HEAD: %d, %d bytes, Content-Length %q, want %d", tc.path, head.StatusCode, len(head.Body), head.Header.Get("Content-Length"), len(first.Body))
		}
	}
}

// A page asked for again is answered from memory. The answer must be the
// one the handler gave for the same request: every header field and byte,
// whatever decided the variant (path, language cookie or Accept-Language,
// consent state, GPC, gzip). The requests are interleaved, so a key that
// forgot one of these would serve another variant's answer and fail.
func TestPageCache_AKeptPageIsTheAnswerTheHandlerGave(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, analytics := s.choose(t, url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/"}})
	_, all := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	_, none := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})

	type variant struct{ path, cookie, lang, encoding, gpc string }
	var variants []variant
	i := 0
	for _, path := range []string{"/", "/privacy", "/privacy/versies"} {
		for _, cookie := range []string{"", analytics.Name + "=" + analytics.Value, all.Name + "=" + all.Value, none.Name + "=" + none.Value, "conpro_lang=en; " + all.Name + "=" + all.Value} {
			for _, lang := range []string{"nl-BE,nl;q=0.9", "fr-BE", "en-GB"} {
				i++
				v := variant{path: path, cookie: cookie, lang: lang, encoding: "gzip", gpc: ""}
				if i%2 == 0 {
					v.encoding = "identity"
				}
				if i%3 == 0 {
					v.gpc = "1"
				}
				variants = append(variants, v)
			}
		}
	}
	ask := func(v variant, extra ...string) response {
		return s.get(t, v.path, append([]string{"Cookie", v.cookie, "Accept-Language", v.lang, "Accept-Encoding", v.encoding, "Sec-GPC", v.gpc}, extra...)...)
	}
	// The first answers, from the handler (If-Modified-Since changes
	// nothing: pages carry ETags, not dates).
	first := make([]response, len(variants))
	for i, v := range variants {
		first[i] = ask(v, "If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT")
		if first[i].StatusCode != http.StatusOK {
			t.Fatalf("%+v: %d", v, first[i].StatusCode)
		}
	}
	distinct := map[string]bool{}
	// Both rounds are answered from memory.
	for round := range 2 {
		for i, v := range variants {
			again := ask(v)
			if diff := sameAnswer(first[i], again); diff != "" {
				t.Fatalf("round %d, %+v: the kept answer differs from the handler's: %s", round, v, diff)
			}
			distinct[first[i].Body] = true
		}
	}
	// Kept answers are counted like the others: every GET of a path, three
	// per variant.
	metrics := s.metrics(t)
	perPath := map[string]int{}
	for _, v := range variants {
		perPath[v.path] += 3
	}
	for path, n := range perPath {
		want := fmt.Sprintf(`conpro_http_requests_total{code="200",method="GET",route=%q} %d`, path, n)
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The variants really differ (languages, scripts, banner), so a mix-up
	// would have shown.
	if len(distinct) < 20 {
		t.Fatalf("only %d distinct bodies among %d variants", len(distinct), len(variants))
	}
}

// sameAnswer compares two answers, but for the fields that belong to one
// request.
func sameAnswer(a, b response) string {
	if a.StatusCode != b.StatusCode {
		return fmt.Sprintf("status %d vs %d", a.StatusCode, b.StatusCode)
	}
	if a.Body != b.Body {
		return "body"
	}
	skip := []string{"X-Request-Id", "Date"}
	for _, h := range []http.Header{a.Header, b.Header} {
		for k := range h {
			if slices.Contains(skip, k) {
				continue
			}
			if av, bv := strings.Join(a.Header.Values(k), "\n"), strings.Join(b.Header.Values(k), "\n"); av != bv {
				return fmt.Sprintf("%s: %q vs %q", k, av, bv)
			}
		}
	}
	if a.Header.Get("X-Request-Id") == b.Header.Get("X-Request-Id") {
		return "the same request ID twice"
	}
	return ""
}

// A revalidation gets its 304, and HEAD no body, once the page is in
// memory.
func TestPageCache_ConditionalAndHeadRequestsWork(t *testing.T) {
	s := newSite(t, siteOptions{})
	first := s.get(t, "/privacy", "Accept-Encoding", "gzip")
	s.get(t, "/privacy", "Accept-Encoding", "gzip")
	etag := first.Header.Get("Etag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if res := s.get(t, "/privacy", "Accept-Encoding", "gzip", "If-None-Match", etag); res.StatusCode != http.StatusNotModified || res.Body != "" {
		t.Fatalf("revalidation: %d with %d bytes, want 304 and none", res.StatusCode, len(res.Body))
	}
	req, _ := http.NewRequest(http.MethodHead, s.URL+"/privacy", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if res := s.do(t, req); res.StatusCode != http.StatusOK || res.Body != "" || res.Header.Get("Content-Length") != first.Header.Get("Content-Length") {
		t.Fatalf("HEAD: %d, %d bytes, length %q", res.StatusCode, len(res.Body), res.Header.Get("Content-Length"))
	}
}

// A kept page is served only for the route's own path: an escaped path,
// which the router does not match, stays a 404 after the page is in memory,
// and a GET with an oversized body stays a 413.
func TestPageCache_EscapedPathsAndBodiesAreNotServedFromIt(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.get(t, "/privacy")
	s.get(t, "/privacy")
	esc, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
	esc.URL.Opaque = "/priv%61cy" // sent as written
	if res := s.do(t, esc); res.StatusCode != http.StatusNotFound {
		t.Errorf("/priv%%61cy: %d, want 404 as from the router", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/privacy", strings.NewReader(strings.Repeat("x", 70<<10)))
	if res := s.do(t, req); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("GET with a 70 KiB body: %d, want 413", res.StatusCode)
	}
}
