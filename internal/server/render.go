package server

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"slices"
	"sync"

	"github.com/a-h/templ"

	"conpro/internal/csp"
	"conpro/internal/locale"
	"conpro/web"
)

// page prepares the layout data of a page whose title and description are
// the given message IDs (description may be empty): the banner, and the
// vendor scripts the visitor allowed where the route may carry them. It
// sets the response's Content-Security-Policy to allow exactly those
// scripts, so the two cannot disagree.
func (s *Server) page(w http.ResponseWriter, r *http.Request, title, description string) web.Page {
	ctx := r.Context()
	facts := web.CompanyFacts(ctx)
	p := web.Page{
		Title:     locale.T(ctx, title, facts),
		Path:      r.URL.Path,
		Canonical: s.absURL(r.URL.Path),
		Assets:    s.assets,
		Company:   s.cfg.Company,
	}
	v := visitOf(ctx)
	p.Projects = len(v.projects.list) > 0
	if description != "" {
		p.Description = locale.T(ctx, description, facts)
	}
	returnTo := r.URL.RequestURI()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		returnTo = "/"
	}
	p.Nav = navPages(v.pages, string(v.lang))
	w.Header()["Vary"] = pageVary
	p.Consent = web.NewConsentView(v.registry, v.consent, returnTo)
	p.Consent.Policy = v.policy.current.Number
	if v.vendors && v.allowed != nil {
		p.Consent.Injection = v.allowed.injection
		w.Header()["Content-Security-Policy"] = []string{v.allowed.injection.CSPHeader}
	}
	if v.vendors {
		// "Eenmalig laden" returns with the vendor in the query: this page
		// view shows its embeds (and is never kept: it has a query).
		once := s.loadOnceVendor(r.URL.Query().Get(web.LoadOnceParam), r.URL.Path, s.now())
		p.Embeds = web.NewEmbedConsent(v.registry, v.consent.Current(), once, r.URL.Path)
	} else {
		p.Embeds = web.NewEmbedConsent(nil, nil, "", r.URL.Path)
	}
	return p
}

// allowFrames widens the answer's CSP by the frames its page showed (a
// video the visitor asked to load once, an OpenStreetMap map): the policy
// page set, or the site's own, with those frame sources added.
func (s *Server) allowFrames(w http.ResponseWriter, r *http.Request, hosts []string) {
	if len(hosts) == 0 {
		return
	}
	var pol csp.Policy
	if v := visitOf(r.Context()); v.vendors && v.allowed != nil {
		pol = v.allowed.injection.CSP
	}
	pol.FrameHosts = slices.Concat(pol.FrameHosts, hosts)
	w.Header()["Content-Security-Policy"] = []string{pol.String()}
}

// render writes a page. It renders into a buffer first, so that a template
// error becomes a clean 500 page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	ctx, frames := web.WithFrames(r.Context())
	if err := c.Render(ctx, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	s.allowFrames(w, r, frames.Hosts())
	writeBody(w, r, status, "text/html; charset=utf-8", buf.Bytes())
}

// writeBody writes a complete response, gzip-compressed when the client
// accepts it and it is worth it; HEAD gets the headers only.
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	if len(body) > 1024 && h.Get("Content-Encoding") == "" && web.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		if len(h["Vary"]) == 0 { // a page names it with what else it varies by
			h["Vary"] = acceptEncoding
		}
		zw := gzipWriters.Get().(*gzip.Writer)
		var buf bytes.Buffer
		zw.Reset(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		gzipWriters.Put(zw)
		h["Content-Encoding"] = gzipValue
		body = buf.Bytes()
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// gzipWriters recycles compressors for responses rendered per request.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return zw
}}

// Header values shared by responses (never changed in place). A page
// varies by the language and the consent state as well as the encoding.
var (
	gzipValue      = []string{"gzip"}
	acceptEncoding = []string{"Accept-Encoding"}
	pageVary       = []string{"Accept-Encoding, Accept-Language, Cookie, Sec-GPC, DNT"}
)
