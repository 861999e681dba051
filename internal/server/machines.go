package server

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"conpro/internal/brussels"
	"conpro/internal/company"
)

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeText(w, r, http.StatusOK, "ok\n")
}

// handleReadyz answers 200 only when the database answers and has the
// current schema: a load balancer then sends traffic to ready instances.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.ready.Ready(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "err", err)
		writeText(w, r, http.StatusServiceUnavailable, "not ready: database unavailable\n")
		return
	}
	writeText(w, r, http.StatusOK, "ready\n")
}

func writeText(w http.ResponseWriter, r *http.Request, status int, body string) {
	writeBody(w, r, status, "text/plain; charset=utf-8", []byte(body))
}

func (s *Server) handleRobots(w http.ResponseWriter, r *http.Request) {
	writeBody(w, r, http.StatusOK, "text/plain; charset=utf-8", s.robots)
}

// robotsTxt makes robots.txt: the private routes kept from crawlers, and
// where the sitemap is.
func (s *Server) robotsTxt(routes chi.Routes) ([]byte, error) {
	paths, err := disallowed(routes)
	if err != nil {
		return nil, fmt.Errorf("robots.txt: %w", err)
	}
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range paths {
		b.WriteString("Disallow: " + p + "\n")
	}
	b.WriteString("\nSitemap: " + s.absURL("/sitemap.xml") + "\n")
	return []byte(b.String()), nil
}

// handleSitemap lists the public pages for search engines.
func (s *Server) handleSitemap(w http.ResponseWriter, r *http.Request) {
	type url struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod,omitempty"`
	}
	type urlset struct {
		XMLName xml.Name `xml:"urlset"`
		XMLNS   string   `xml:"xmlns,attr"`
		URLs    []url    `xml:"url"`
	}
	pv := visitOf(r.Context()).policy
	current := pv.current
	set := urlset{XMLNS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	set.URLs = append(set.URLs,
		url{Loc: s.absURL("/")},
		url{Loc: s.absURL("/contact")},
		url{Loc: s.absURL("/privacy"), LastMod: current.EffectiveOn.Format(time.DateOnly)},
		url{Loc: s.absURL("/privacy/versies"), LastMod: current.EffectiveOn.Format(time.DateOnly)},
	)
	if projects := visitOf(r.Context()).projects.list; len(projects) > 0 {
		latest := projects[0].UpdatedAt
		for _, p := range projects {
			if p.UpdatedAt.After(latest) {
				latest = p.UpdatedAt
			}
		}
		set.URLs = append(set.URLs, url{Loc: s.absURL("/realisaties"), LastMod: brussels.In(latest).Format(time.DateOnly)})
		for _, p := range projects {
			set.URLs = append(set.URLs, url{Loc: s.absURL("/realisaties/" + p.Slug), LastMod: brussels.In(p.UpdatedAt).Format(time.DateOnly)})
		}
	}
	// The company's own pages, each with the day it was last published.
	for _, p := range visitOf(r.Context()).pages.list {
		set.URLs = append(set.URLs, url{Loc: s.absURL(p.Path()), LastMod: brussels.In(p.PublishedAt).Format(time.DateOnly)})
	}
	for _, v := range pv.shown() {
		if v.Number == current.Number {
			continue // the same text as /privacy
		}
		set.URLs = append(set.URLs, url{Loc: s.absURL("/privacy/versies/" + strconv.Itoa(v.Number)), LastMod: v.EffectiveOn.Format(time.DateOnly)})
	}
	out, err := xml.MarshalIndent(set, "", "  ")
	if err != nil {
		s.fail(w, r, fmt.Errorf("marshal sitemap: %w", err))
		return
	}
	body := append(append([]byte(xml.Header), out...), '\n')
	writeBody(w, r, http.StatusOK, "application/xml; charset=utf-8", body)
}

// handleSecurityTxt publishes how to report a vulnerability (RFC 9116). The
// expiry moves with the clock so the file never goes stale while the site
// runs; it stays under the RFC's one-year ceiling.
func (s *Server) handleSecurityTxt(w http.ResponseWriter, r *http.Request) {
	expires := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 180)
	var b strings.Builder
	fmt.Fprintf(&b, "Contact: mailto:%s\n", company.Email)
	fmt.Fprintf(&b, "Expires: %s\n", expires.Format(time.RFC3339))
	b.WriteString("Preferred-Languages: nl, en, fr\n")
	fmt.Fprintf(&b, "Canonical: %s\n", s.absURL("/.well-known/security.txt"))
	writeBody(w, r, http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}
