package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"conpro/internal/consent"
	"conpro/internal/locale"
	"conpro/web"
)

// The page cache keeps the answers of the routes declared with keepPages
// in routes.go: pages whose bytes depend only on their path, the language
// and the consent state (which scripts they carry, which notice the banner
// shows), with no nonce and nothing of one visitor. The first request for a
// variant goes through the router to the handler; its 200 answer is kept,
// gzip-compressed, with every header field the router and the handler set.
// From then on servePages answers that variant from memory, with an ETag,
// before the router, as a web server serves a file. Requests with a query
// string or a body, and escaped paths (which the router matches as
// written), always go to the router; so does any answer but a 200.

// servePages answers a request from the page cache when its variant is
// there; otherwise the router (next) answers.
func (s *Server) servePages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead ||
			r.URL.RawQuery != "" || r.URL.RawPath != "" || r.ContentLength != 0 {
			next.ServeHTTP(w, r)
			return
		}
		p, ok := s.pages.get(variantOf(r))
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		visitOf(r.Context()).route = p.route
		s.writePage(w, r, p, nil)
	})
}

// keepPages marks the routes whose answers the page cache keeps: it asks the
// handler for a variant's page and keeps a 200 answer (other answers pass
// on to the client as they are).
func (s *Server) keepPages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A page differs by consent and language: a shared cache (a CDN
		// that ignores Vary: Cookie) must not keep it.
		w.Header()["Cache-Control"] = privateNoCache
		if r.URL.RawQuery != "" {
			next.ServeHTTP(w, r)
			return
		}
		// The handler writes the page whole and uncompressed (as for a HEAD
		// it would write none of it): compressing is the cache's work.
		inner := r.Clone(r.Context())
		inner.Method = http.MethodGet
		inner.Header.Del("Accept-Encoding")
		rec := &bufferedResponse{header: w.Header()}
		next.ServeHTTP(rec, inner)
		if rec.status != http.StatusOK {
			w.WriteHeader(rec.status)
			if r.Method != http.MethodHead {
				_, _ = w.Write(rec.body.Bytes())
			}
			return
		}
		plain := rec.body.Bytes()
		// Every field but the request's own ID is part of the page.
		header := w.Header().Clone()
		delete(header, "X-Request-Id")
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(plain)
		_ = zw.Close()
		sum := sha256.Sum256(plain)
		etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
		p := &cachedPage{
			header: header, gz: bytes.Clone(gz.Bytes()), gzLength: []string{strconv.Itoa(gz.Len())},
			size: len(plain), etag: etag, etagValue: []string{etag},
			route: chi.RouteContext(r.Context()).RoutePattern(),
		}
		if r.URL.RawPath == "" {
			s.pages.put(variantOf(r), p)
		}
		s.writePage(w, r, p, plain)
	})
}

// writePage answers with a kept page: compressed for a client that takes
// gzip, whole otherwise (plain, when given, is the page uncompressed), a 304
// for a client that has it.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, p *cachedPage, plain []byte) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v // shared values, never changed in place
	}
	h["Etag"] = p.etagValue
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, p.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, length := p.gz, p.gzLength
	if web.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		h["Content-Encoding"] = gzipValue
	} else {
		length = []string{strconv.Itoa(p.size)}
		switch {
		case r.Method == http.MethodHead:
			body = nil
		case plain != nil:
			body = plain
		default:
			var err error
			if body, err = p.plain(); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	h["Content-Length"] = length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// bufferedResponse keeps what a handler writes, to be cached.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// variant names a page variant by what its bytes depend on. A struct, not
// a string: looking one up allocates nothing.
type variant struct {
	// vendors is the registry the page was made with.
	vendors *consent.Registry
	path    string
	lang    locale.Lang
	ask     consent.Reason
	gpc     bool
	grants  string // codes of the granted vendors
	// policy is the version in force: once another takes effect, no page
	// of the one before is served.
	policy int
	// projects is the revision of the published projects: every page's
	// navigation, the home page and the projects' pages show them.
	projects uint64
	// pages names the published pages and their revisions (every page
	// shows them in its navigation): a publication shows at once.
	pages string
}

func variantOf(r *http.Request) variant {
	v := visitOf(r.Context())
	key := variant{vendors: v.registry, path: r.URL.Path, lang: v.lang, ask: v.consent.Ask, gpc: v.consent.GPC, policy: v.policy.current.Number, projects: v.projects.revision, pages: v.pages.generation}
	if v.vendors && v.allowed != nil {
		key.grants = v.allowed.grants
	}
	return key
}

// pageCache holds the kept pages, bounded in entries and bytes.
type pageCache struct {
	mu      sync.RWMutex
	entries map[variant]*cachedPage
	budget  cacheBudget
}

// cacheBudget bounds a cache in entries and in bytes. The variants are few
// (paths × languages × consent states); a full cache means something
// unexpected, such as someone cycling consent cookies, so the cache starts
// again rather than grow.
type cacheBudget struct {
	maxEntries, maxBytes int
	bytes                int // what the entries cost together
}

// admit accounts for a new entry of cost in a cache that holds entries,
// and reports whether the cache must start again (empty) first.
func (b *cacheBudget) admit(entries, cost int) (startAgain bool) {
	startAgain = entries >= b.maxEntries || b.bytes+cost > b.maxBytes
	if startAgain {
		b.bytes = 0
	}
	b.bytes += cost
	return startAgain
}

// cachedPage is one kept variant. Only the compressed bytes are kept,
// exactly sized: nearly every client takes gzip, and a page is about a
// quarter of its size so (the privacy page: 6 KB instead of 23 KB), which
// bounds what many variants cost in memory. A client that does not take
// gzip gets the bytes decompressed for it.
type cachedPage struct {
	header    http.Header // as the router and the handler set it
	route     string      // the route's pattern, for the access log and metrics
	gz        []byte
	gzLength  []string // len(gz), as Content-Length
	size      int      // of the uncompressed page
	etag      string
	etagValue []string
}

// cost is about what an entry holds in memory: its bytes, and a share for
// the entry itself, its key, its header fields and the map.
func (p *cachedPage) cost() int {
	n := len(p.gz) + len(p.etag) + 256
	for k, vs := range p.header {
		n += len(k) + 32
		for _, v := range vs {
			n += len(v) + 16
		}
	}
	return n
}

// plain returns the uncompressed page.
func (p *cachedPage) plain() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(p.gz))
	if err != nil {
		return nil, err
	}
	out := bytes.NewBuffer(make([]byte, 0, p.size))
	if _, err := io.Copy(out, zr); err != nil {
		return nil, err
	}
	return out.Bytes(), zr.Close()
}

var privateNoCache = []string{"private, no-cache"}

func newPageCache(maxEntries, maxBytes int) *pageCache {
	return &pageCache{entries: map[variant]*cachedPage{}, budget: cacheBudget{maxEntries: maxEntries, maxBytes: maxBytes}}
}

// reset drops every kept page.
func (c *pageCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.budget.bytes = 0
}

func (c *pageCache) get(key variant) (*cachedPage, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.entries[key]
	return p, ok
}

func (c *pageCache) put(key variant, p *cachedPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; ok {
		return // two first requests for one variant rendered it both
	}
	if c.budget.admit(len(c.entries), p.cost()) {
		clear(c.entries)
	}
	c.entries[key] = p
}
