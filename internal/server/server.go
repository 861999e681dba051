// Package server is the site's HTTP layer: routes, middleware, and thin
// handlers that decode a request, ask the domain, and render a templ page.
package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"conpro/internal/clientip"
	"conpro/internal/config"
	"conpro/internal/consent"
	"conpro/internal/contact"
	"conpro/internal/csp"
	"conpro/internal/locale"
	"conpro/internal/privacyrequest"
	"conpro/web"
)

// Readiness reports whether the server can do all its work: the database
// answers and carries the current schema.
type Readiness interface {
	Ready(ctx context.Context) error
}

// ConsentRecorder appends choices to the proof-of-consent log; it returns
// nil once the choice is safe (stored, or spooled until the database is
// back), and an error wrapping consentlog.ErrSpoolFull when the database
// failed and the spool has no room.
type ConsentRecorder interface {
	Record(ctx context.Context, e consent.Event) error
}

// ConsentHistory reads a visitor's logged choices.
type ConsentHistory interface {
	ConsentEvents(ctx context.Context, consentID string) ([]consent.Event, error)
}

// Deps is everything the HTTP layer needs, built once in main.
type Deps struct {
	Config    config.Config
	Logger    *slog.Logger
	Locales   *locale.Bundle
	Assets    *web.Assets
	Readiness Readiness
	// Metrics is the registry /metrics exposes; the server adds its own
	// request metrics to it.
	Metrics *prometheus.Registry
	// Vendors is the consent registry with the configured vendors.
	Vendors *consent.Registry
	// Cookies signs and reads the consent cookie.
	Cookies        *consent.Codec
	ConsentLog     ConsentRecorder
	ConsentHistory ConsentHistory
	// Contacts stores contact messages; Tokens signs the form's timestamp;
	// MailKick (optional) tells the mail sender a message is waiting.
	Contacts ContactStore
	Tokens   *contact.Tokens
	MailKick func()
	// Requests keeps data-subject requests; RequestKeys hashes addresses
	// and signs download tickets.
	Requests    RequestStore
	RequestKeys privacyrequest.Keys
	// Admin is the staff area's store; Sessions its session manager.
	Admin    AdminStore
	Stats    StatsStore
	Sessions *scs.SessionManager
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Server holds the dependencies of the handlers.
type Server struct {
	cfg       config.Config
	log       *slog.Logger
	locales   *locale.Bundle
	assets    *web.Assets
	ready     Readiness
	registry  *prometheus.Registry
	metrics   *metrics
	clientIPs clientip.Resolver
	csp       string
	vendors   *consent.Registry
	cookies   *consent.Codec
	recorder  ConsentRecorder
	history   ConsentHistory
	now       func() time.Time
	// consentLimiter bounds the choices one client may post (nil: no
	// limit); each is kept for years, or spooled while the database is down.
	consentLimiter *clientLimiter

	contacts       ContactStore
	tokens         *contact.Tokens
	mailKick       func()
	contactLimiter *clientLimiter

	requests       RequestStore
	requestKeys    privacyrequest.Keys
	requestLimiter *clientLimiter

	admin        AdminStore
	stats        StatsStore
	sessions     *scs.SessionManager
	loginLimiter *clientLimiter

	pages *pageCache
	fast  *fastCache
	// shownVersions memoises the digest of the banner per language, notice
	// and form: every consent click records it.
	shownVersions sync.Map
	// choices memoises checked consent cookies (value → *knownChoice).
	choices      sync.Map
	knownChoices atomic.Int64
}

// cacheBytes bounds each of the page caches (rendered pages, replayable
// answers). A variant costs about 7 KB (the privacy page, compressed), and
// visitors need a few hundred variants (paths × languages × consent
// states); the bound keeps someone cycling through consent cookies from
// filling memory past the server's soft limit.
const cacheBytes = 8 << 20

// New returns the site's HTTP handler.
func New(d Deps) (http.Handler, error) {
	m, err := newMetrics(d.Metrics)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:       d.Config,
		log:       d.Logger,
		locales:   d.Locales,
		assets:    d.Assets,
		ready:     d.Readiness,
		registry:  d.Metrics,
		metrics:   m,
		clientIPs: clientip.NewResolver(d.Config.TrustedProxies, d.Config.Cloudflare),
		csp:       csp.Policy{}.String(),
		vendors:   d.Vendors,
		cookies:   d.Cookies,
		recorder:  d.ConsentLog,
		history:   d.ConsentHistory,
		now:       d.Now,

		consentLimiter: newClientLimiter(d.Config.ConsentRate, time.Minute),

		contacts:       d.Contacts,
		tokens:         d.Tokens,
		mailKick:       d.MailKick,
		contactLimiter: newClientLimiter(d.Config.ContactRate, time.Hour),

		requests:       d.Requests,
		requestKeys:    d.RequestKeys,
		requestLimiter: newClientLimiter(d.Config.ContactRate, time.Hour),

		admin:        d.Admin,
		stats:        d.Stats,
		sessions:     d.Sessions,
		loginLimiter: newClientLimiter(20, time.Hour),

		pages: newPageCache(4096, cacheBytes),
		fast:  newFastCache(4096, cacheBytes),
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s.frontDoor(s.routes()), nil
}

// absURL is the public address of a site path.
func (s *Server) absURL(path string) string {
	u := *s.cfg.BaseURL
	u.Path += path
	return u.String()
}

// page prepares the layout data of a page whose title and description are
// the given message IDs (description may be empty).
func (s *Server) page(r *http.Request, title, description string) web.Page {
	ctx := r.Context()
	p := web.Page{
		Title:     locale.T(ctx, title),
		Path:      r.URL.Path,
		Canonical: s.absURL(r.URL.Path),
		Assets:    s.assets,
	}
	if description != "" {
		p.Description = locale.T(ctx, description)
	}
	returnTo := r.URL.RequestURI()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		returnTo = "/"
	}
	p.Consent = web.NewConsentView(s.vendors, consentState(ctx), returnTo, r.URL.Path != "/cookies")
	if withoutVendors(r.URL.Path) {
		p.Consent.Injection = consent.Injection{}
	}
	return p
}

// render writes a page. It renders into a buffer first, so that a template
// error becomes a clean 500 page rather than half a page.
// statusClientClosed is what the access log and metrics record for a
// request whose client left before the answer (nginx's 499).
const statusClientClosed = 499

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		if r.Context().Err() != nil {
			// The client closed the connection while its page was being
			// made: there is no one to answer, and nothing went wrong here.
			w.WriteHeader(statusClientClosed)
			return
		}
		s.serverError(w, r, err)
		return
	}
	if w.Header().Get("Cache-Control") == "" {
		// Pages differ by consent (scripts, CSP) and language: a shared
		// cache (a CDN that ignores Vary: Cookie) must not keep them.
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	writeBody(w, r, status, "text/html; charset=utf-8", buf.Bytes())
}

// writeBody writes a complete response, gzip-compressed when the client
// accepts it and it is worth it; HEAD gets the headers only.
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	if len(body) > 1024 && h.Get("Content-Encoding") == "" && web.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		h["Vary"] = append(h["Vary"], "Accept-Encoding")
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

// errorPage renders a page for an error status with a translated heading and
// sentence.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, titleID, textID string) {
	p := s.page(r, titleID, "")
	p.NoIndex = true
	p.Canonical = ""
	ctx := r.Context()
	c := web.ErrorPage(p, locale.T(ctx, titleID), locale.T(ctx, textID))
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		// The error page itself failed: plain text is all that is left.
		s.log.ErrorContext(ctx, "render error page", "err", err, "status", status)
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeBody(w, r, status, "text/html; charset=utf-8", buf.Bytes())
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "NotFoundTitle", "NotFoundText")
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusMethodNotAllowed, "MethodNotAllowedTitle", "MethodNotAllowedText")
}

func (s *Server) badRequest(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusBadRequest, "BadRequestTitle", "BadRequestText")
}

func (s *Server) forbiddenCrossOrigin(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusForbidden, "ForbiddenTitle", "ForbiddenText")
}

// serverError logs err (which must not hold personal data) and shows the
// 500 page.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", requestID(r.Context()))
	s.errorPage(w, r, http.StatusInternalServerError, "ServerErrorTitle", "ServerErrorText")
}

// safeReturnPath turns a user-supplied return address into a path on this
// site. Anything that could lead elsewhere (another host, a scheme, a
// protocol-relative or backslash trick) becomes "/".
func safeReturnPath(raw string) string {
	if raw == "" || len(raw) > 2048 || raw[0] != '/' {
		return "/"
	}
	if len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return "/"
	}
	for i := 0; i < len(raw); i++ {
		// Control characters and backslashes have no place in our paths;
		// browsers treat a backslash as a slash.
		if c := raw[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	if u.Path == "" || u.Path[0] != '/' {
		return "/"
	}
	out := &url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	s := out.String()
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return "/"
	}
	return s
}
