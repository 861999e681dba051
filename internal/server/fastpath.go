package server

import (
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"conpro/web"
)

// A cached public page is answered, the second time a variant is asked for,
// before the router and the middleware chain: the first answer, which went
// through all of them, is kept whole (every header field and the body) and
// replayed with a fresh request ID. What the chain would have decided for
// the request (language, consent state, encoding) is part of the key, so
// the replay is the answer the chain would give. Requests with a query
// string, a conditional header or another method than GET take the chain,
// and so do clients that do not take gzip (only compressed answers are
// kept, see cachedPage).
type fastCache struct {
	mu      sync.Mutex                            // writers, and budget
	entries atomic.Pointer[map[variant]*snapshot] // read without a lock, replaced whole
	budget  cacheBudget
	paths   sync.Map // paths with at least one snapshot: the cheap first test
}

// snapshot is one full 200 answer as the chain gave it, without the fields
// that belong to one request (X-Request-Id, Date).
type snapshot struct {
	header http.Header
	body   []byte
	// metrics of GET on this path with 200, looked up once
	metrics observer
}

// cost is about what a snapshot holds in memory. The body is shared with
// the page cache, but counted here too: the bound stays a bound.
func (s *snapshot) cost() int {
	n := len(s.body) + entryOverhead
	for k, vs := range s.header {
		n += len(k) + 32
		for _, v := range vs {
			n += len(v) + 16
		}
	}
	return n
}

func newFastCache(maxEntries, maxBytes int) *fastCache {
	c := &fastCache{budget: cacheBudget{maxEntries: maxEntries, maxBytes: maxBytes}}
	c.entries.Store(&map[variant]*snapshot{})
	return c
}

func (c *fastCache) get(key variant) *snapshot {
	return (*c.entries.Load())[key]
}

// put adds a snapshot to a copy of the map (variants are few and each is
// added once, so copying is cheaper than locking every read).
func (c *fastCache) put(path string, key variant, snap *snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.entries.Load()
	if _, ok := old[key]; ok {
		return
	}
	next := make(map[variant]*snapshot, len(old)+1)
	if !c.budget.admit(len(old), snap.cost()) {
		for k, v := range old {
			next[k] = v
		}
	}
	next[key] = snap
	c.entries.Store(&next)
	c.paths.Store(path, true)
}

// fastEligible says whether a request's answer may come from, or go into,
// the fast cache. An escaped path (which the router matches as written) or
// a body (which the chain may refuse) takes the chain.
func fastEligible(r *http.Request) bool {
	// The server canonicalises request header names, so the fields are
	// looked up as written.
	h := r.Header
	return r.Method == http.MethodGet && r.URL.RawQuery == "" && r.URL.RawPath == "" && r.ContentLength == 0 &&
		len(h["If-None-Match"]) == 0 && len(h["If-Modified-Since"]) == 0 && len(h["Range"]) == 0
}

// fastKeyOf is the variant a request gets, worked out as withRequest and
// renderCached would (the inputs of pageKey).
func (s *Server) fastKeyOf(r *http.Request) variant {
	st, grants, _ := s.consentParts(r)
	return variant{path: r.URL.Path, lang: s.languageOf(r), ask: st.Ask, gpc: st.GPC, grants: grants}
}

// remember keeps the answer renderCached just wrote, when the route is a
// fixed path (its pattern is the path, so metrics and logs name it alike).
// Only gzip answers are kept (see cachedPage).
func (s *Server) remember(r *http.Request, key variant, h http.Header, body []byte) {
	if !fastEligible(r) {
		return
	}
	if rctx := chi.RouteContext(r.Context()); rctx == nil || rctx.RoutePattern() != r.URL.Path {
		return
	}
	header := h.Clone()
	header.Del("X-Request-Id")
	header.Del("Date")
	// The key is what the chain decided for this answer (pageKey), not
	// worked out again: a consent that expired in between must not file a
	// page with vendor scripts under the key of an expired consent.
	s.fast.put(r.URL.Path, key, &snapshot{header: header, body: body, metrics: s.metrics.observerFor(http.MethodGet, r.URL.Path, http.StatusOK)})
}

// frontDoor answers from the fast cache when it can, and otherwise hands the
// request to the chain.
func (s *Server) frontDoor(chain http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fastEligible(r) {
			chain.ServeHTTP(w, r)
			return
		}
		if _, ok := s.fast.paths.Load(r.URL.Path); !ok || !web.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
			chain.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		snap := s.fast.get(s.fastKeyOf(r))
		if snap == nil {
			chain.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		for k, v := range snap.header {
			h[k] = v // shared values, never changed in place
		}
		id := newRequestID()
		h["X-Request-Id"] = []string{id}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(snap.body)

		elapsed := time.Since(start)
		snap.metrics.observe(elapsed)
		if s.log.Enabled(r.Context(), slog.LevelInfo) {
			addr := s.clientIPs.Resolve(r.RemoteAddr, r.Header.Get("CF-Connecting-IP"), r.Header.Get("X-Forwarded-For"))
			s.logRequest(r, slog.LevelInfo, id, r.URL.Path, r.URL.Path, http.StatusOK, len(snap.body), elapsed, addr)
		}
	})
}
