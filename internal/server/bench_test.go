package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"conpro/internal/config"
	"conpro/internal/consent"
	"conpro/internal/policy"
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

// BenchmarkPageCache_HeapPerVariant fills a fresh server's caches with 576
// variants of the cached pages (3 paths × 3 languages × 64 consent states:
// every subset of the six vendors), as gzip clients ask for them, and
// reports the heap each variant keeps: what a varied crowd of visitors, or
// someone cycling consent cookies, makes the server hold.
func BenchmarkPageCache_HeapPerVariant(b *testing.B) {
	first := newSite(b, siteOptions{env: allVendors})
	cfg, err := config.Load(func(k string) string {
		if k == "DATABASE_URL" {
			return "postgres://unused@localhost/unused"
		}
		return allVendors[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	vendors, err := consent.NewRegistry(func(k string) string { return cfg.VendorIDs[k] })
	if err != nil {
		b.Fatal(err)
	}
	active := vendors.Active()
	if len(active) != 6 {
		b.Fatalf("%d active vendors, want all six", len(active))
	}
	var cookies []string
	for mask := range 1 << len(active) {
		ch := consent.Choice{ID: consent.NewID(), PolicyVersion: policy.Seed().Number, Time: time.Now().UTC().Truncate(time.Second)}
		for i, v := range active {
			if mask&(1<<i) != 0 {
				ch.Vendors = append(ch.Vendors, v.Key)
				if !slices.Contains(ch.Categories, v.Category) {
					ch.Categories = append(ch.Categories, v.Category)
				}
			}
		}
		cookies = append(cookies, consent.CookieName+"="+first.codec.Encode(ch))
	}
	paths, langs := []string{"/", "/privacy", "/privacy/versies"}, []string{"nl", "fr", "en"}
	variants := len(paths) * len(langs) * len(cookies)
	heap := func() int64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	var perVariant float64
	for b.Loop() {
		s := newSite(b, siteOptions{env: allVendors, dbURL: first.dbURL})
		before := heap()
		for _, path := range paths {
			for _, lang := range langs {
				for _, c := range cookies {
					r := httptest.NewRequest(http.MethodGet, path, nil)
					r.Header.Set("Cookie", c)
					r.Header.Set("Accept-Language", lang)
					r.Header.Set("Accept-Encoding", "gzip")
					w := &discardWriter{h: http.Header{}}
					s.handler.ServeHTTP(w, r)
					if w.code != http.StatusOK {
						b.Fatalf("%s: %d", path, w.code)
					}
				}
			}
		}
		perVariant = float64(heap()-before) / float64(variants)
		runtime.KeepAlive(s)
	}
	b.ReportMetric(perVariant, "heap-B/variant")
}
