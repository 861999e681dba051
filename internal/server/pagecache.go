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

	"github.com/a-h/templ"

	"conpro/internal/consent"
	"conpro/internal/locale"
	"conpro/web"
)

// pageCache keeps rendered public pages. A public page's bytes depend only
// on its path, the language, and the consent state (which scripts it
// carries, which notice the banner shows): no nonce, no per-visitor data.
// So each variant is rendered and gzip-compressed once and then served from
// memory with an ETag, as a web server serves a file.
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

// cachedPage is one rendered variant. Only the compressed bytes are kept,
// exactly sized: nearly every client takes gzip, and a page is about a
// quarter of its size so (the privacy page: 6 KB instead of 23 KB), which
// bounds what many variants cost in memory. A client that does not take
// gzip gets the bytes decompressed for it.
type cachedPage struct {
	gz        []byte
	size      int // of the uncompressed page
	etag      string
	etagValue []string
}

// cost is about what an entry holds in memory: its bytes, and a share for
// the entry itself, its key and the map.
func (p *cachedPage) cost() int { return len(p.gz) + len(p.etag) + entryOverhead }

const entryOverhead = 256

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

// Header values every cached page sends, shared (never changed in place).
var (
	privateNoCache = []string{"private, no-cache"}
	gzipValue      = []string{"gzip"}
)

func newPageCache(maxEntries, maxBytes int) *pageCache {
	return &pageCache{entries: map[variant]*cachedPage{}, budget: cacheBudget{maxEntries: maxEntries, maxBytes: maxBytes}}
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

// variant names a page variant by what its bytes depend on. A struct, not
// a string: looking one up allocates nothing.
type variant struct {
	path   string
	lang   locale.Lang
	ask    consent.Reason
	gpc    bool
	grants string // codes of the granted vendors
}

// pageKey is the variant of a page a request gets, as the chain decided.
func (s *Server) pageKey(r *http.Request) variant {
	ctx := r.Context()
	st := consentState(ctx)
	return variant{path: r.URL.Path, lang: locale.LangOf(ctx), ask: st.Ask, gpc: st.GPC, grants: consentGrants(ctx)}
}

// renderCached serves a public GET page from the cache, rendering it the
// first time. Requests with a query string are rendered each time (they
// would make the variants unbounded).
func (s *Server) renderCached(w http.ResponseWriter, r *http.Request, build func() templ.Component) {
	if r.URL.RawQuery != "" {
		s.render(w, r, http.StatusOK, build())
		return
	}
	key := s.pageKey(r)
	p, ok := s.pages.get(key)
	var plain []byte // the uncompressed page, when this request rendered it
	if !ok {
		var buf bytes.Buffer
		if err := build().Render(r.Context(), &buf); err != nil {
			if r.Context().Err() != nil {
				w.WriteHeader(statusClientClosed) // the client left; see render
				return
			}
			s.serverError(w, r, err)
			return
		}
		plain = buf.Bytes()
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(plain)
		_ = zw.Close()
		sum := sha256.Sum256(plain)
		etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
		p = &cachedPage{gz: bytes.Clone(gz.Bytes()), size: len(plain), etag: etag, etagValue: []string{etag}}
		s.pages.put(key, p)
	}
	h := w.Header()
	h["Cache-Control"] = privateNoCache
	h["Etag"] = p.etagValue
	h["Vary"] = append(h["Vary"], "Accept-Encoding")
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, p.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	gz := web.AcceptsGzip(r.Header.Get("Accept-Encoding"))
	var body []byte
	switch {
	case gz:
		h["Content-Encoding"] = gzipValue
		body = p.gz
	case plain != nil || r.Method == http.MethodHead:
		body = plain // HEAD writes no body; its length is set below
	default:
		var err error
		if body, err = p.plain(); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if gz {
		h.Set("Content-Length", strconv.Itoa(len(p.gz)))
	} else {
		h.Set("Content-Length", strconv.Itoa(p.size))
	}
	writeBody(w, r, http.StatusOK, "text/html; charset=utf-8", body)
	if gz {
		// Only compressed answers are kept for the fast path: an
		// uncompressed copy per variant is what the cache avoids keeping.
		s.remember(r, key, h, body)
	}
}
