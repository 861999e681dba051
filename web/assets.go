package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// Static returns the embedded static files (site.css, favicon.svg, …).
func Static() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the folder is embedded above; Sub cannot fail
	}
	return sub
}

// asset is one static file, ready to serve.
type asset struct {
	name        string // "site.css"
	url         string // "/static/site.1a2b3c4d5e6f.css"
	contentType string
	body        []byte
	gzipped     []byte // nil when compression does not pay
	etag        string
}

// Assets serves the static files under fingerprinted names, so that a
// browser may keep each for a year: a changed file gets a new name.
type Assets struct {
	byName map[string]*asset
	byURL  map[string]*asset
}

// NewAssets reads, fingerprints and compresses every file of fsys.
func NewAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:6])
		ext := path.Ext(p)
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		it := &asset{
			name:        p,
			url:         "/static/" + strings.TrimSuffix(p, ext) + "." + hash + ext,
			contentType: ct,
			body:        body,
			etag:        `"` + hash + `"`,
		}
		if compressible(ct) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			if _, err := zw.Write(body); err != nil {
				return err
			}
			if err := zw.Close(); err != nil {
				return err
			}
			if buf.Len() < len(body) {
				it.gzipped = buf.Bytes()
			}
		}
		a.byName[p] = it
		a.byURL[it.url] = it
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read static assets: %w", err)
	}
	return a, nil
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") ||
		strings.Contains(contentType, "javascript") ||
		strings.Contains(contentType, "svg") ||
		strings.Contains(contentType, "json") ||
		strings.HasPrefix(contentType, "image/x-icon") ||
		strings.HasPrefix(contentType, "image/vnd.microsoft.icon")
}

// URL returns the fingerprinted URL of a static file. An unknown name is a
// programming error that the tests catch; it yields a URL that 404s.
func (a *Assets) URL(name string) string {
	if it, ok := a.byName[name]; ok {
		return it.url
	}
	return "/static/missing/" + name
}

// Bytes returns the content of a static file by name.
func (a *Assets) Bytes(name string) ([]byte, bool) {
	it, ok := a.byName[name]
	if !ok {
		return nil, false
	}
	return it.body, true
}

// Handler serves a fingerprinted static file, gzip-compressed when the
// client accepts it, cacheable for a year. Unknown paths get notFound.
func (a *Assets) Handler(notFound http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		it, ok := a.byURL[r.URL.Path]
		if !ok {
			notFound.ServeHTTP(w, r)
			return
		}
		a.serve(w, r, it, "public, max-age=31536000, immutable")
	})
}

// ServeFile serves a static file under a fixed URL (/favicon.ico), which
// browsers ask for by name and may not cache for as long.
func (a *Assets) ServeFile(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		it, ok := a.byName[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		a.serve(w, r, it, "public, max-age=86400")
	})
}

func (a *Assets) serve(w http.ResponseWriter, r *http.Request, it *asset, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", it.contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", it.etag)
	if it.gzipped != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, it.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := it.body
	if it.gzipped != nil && AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = it.gzipped
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// AcceptsGzip reports whether an Accept-Encoding header allows gzip: it is
// listed (or "*" is) with a quality above zero.
func AcceptsGzip(header string) bool {
	// It runs on every request: Cut and SplitSeq rather than Split, and
	// EqualFold rather than ToLower, so that it allocates nothing.
	allowed := false
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.TrimSpace(coding)
		gz := strings.EqualFold(coding, "gzip")
		if !gz && coding != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					f = 0
				}
				q = f
			}
		}
		if gz {
			return q > 0
		}
		allowed = q > 0
	}
	return allowed
}
