package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkPage_PrivacyWithConsent serves /privacy to a visitor with a
// current consent (analytics granted), in process: middleware, consent
// cookie, page cache, gzip bytes.
func BenchmarkPage_PrivacyWithConsent(b *testing.B) {
	s := newSite(b, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-BENCH1234", "CONPRO_LOG_LEVEL": "warn"}})
	req := httptest.NewRequest(http.MethodPost, "/consent", strings.NewReader(url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	cookie := rec.Result().Cookies()[0]
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, "/privacy", nil)
		r.Header.Set("Cookie", cookie.Name+"="+cookie.Value)
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		s.handler.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkPage_HomeFirstVisit serves / with the banner.
func BenchmarkPage_HomeFirstVisit(b *testing.B) {
	s := newSite(b, siteOptions{env: map[string]string{"CONPRO_LOG_LEVEL": "warn"}})
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		s.handler.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// discardWriter is a ResponseWriter that keeps nothing, so that a benchmark
// measures the server and not the recorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(code int)        { d.code = code }

// BenchmarkPage_PrivacyWithConsentNoRecorder is BenchmarkPage_PrivacyWithConsent
// with a request built once and a writer that keeps nothing.
func BenchmarkPage_PrivacyWithConsentNoRecorder(b *testing.B) {
	s := newSite(b, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-BENCH1234", "CONPRO_LOG_LEVEL": "warn"}})
	req := httptest.NewRequest(http.MethodPost, "/consent", strings.NewReader(url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	cookie := rec.Result().Cookies()[0]
	r := httptest.NewRequest(http.MethodGet, "/privacy", nil)
	r.Header.Set("Cookie", cookie.Name+"="+cookie.Value)
	r.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		w := &discardWriter{h: http.Header{}}
		s.handler.ServeHTTP(w, r)
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}
