package server_test

import (
	"net/http"
	"strconv"
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
