// Package server is the site's HTTP layer: routes, middleware, and thin
// handlers that decode a request, ask the domain, and render a templ page.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"conpro/internal/clientip"
	"conpro/internal/config"
	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/contact"
	"conpro/internal/csp"
	"conpro/internal/follow"
	"conpro/internal/locale"
	"conpro/internal/logging"
	"conpro/internal/privacyrequest"
	"conpro/internal/ratelimit"
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

// ConsentTexts archives the texts visitors consent to (banner, settings
// form), once per digest.
type ConsentTexts interface {
	ArchiveConsentText(ctx context.Context, version, body string) error
}

// ConsentHistory reads a visitor's logged choices.
type ConsentHistory interface {
	ConsentEvents(ctx context.Context, consentID string) ([]consent.Event, error)
}

// VendorSource gives the consent registry in force now. Each request takes
// it once (the visit) and uses it throughout.
type VendorSource interface {
	Current() *consent.Registry
}

// Deps is everything the HTTP layer needs, built once in main.
type Deps struct {
	Config config.Config
	// Logger writes the log, and the access log's line per request.
	Logger    *logging.Logger
	Locales   *locale.Bundle
	Assets    *web.Assets
	Readiness Readiness
	// Metrics is the registry the server adds its request metrics to; main
	// serves it with MetricsHandler on the metrics listener.
	Metrics *prometheus.Registry
	// Vendors gives the consent registry in force: a *consent.Registry
	// that never changes, or a *consent.Live that follows the staff's
	// settings.
	Vendors VendorSource
	// Cookies signs and reads the consent cookie.
	Cookies        *consent.Codec
	ConsentLog     ConsentRecorder
	ConsentHistory ConsentHistory
	ConsentTexts   ConsentTexts
	// Reports counts what browsers report their CSP blocked; Scans are the
	// scans of the site in Chromium.
	Reports CSPReports
	Scans   SiteScans
	// RateCounter counts what each client posts, for every instance of the
	// site alike.
	RateCounter ratelimit.Counter
	// Proof is the tamper-evident consent log; Sealer its key.
	Proof  ConsentProof
	Sealer *consentlog.Sealer
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
	// Policies keeps the policy's versions and drafts.
	Policies PolicyStore
	// Media is the photo library.
	Media MediaStore
	// Projects keeps the projects ("realisaties").
	Projects ProjectStore
	// Pages keeps the company's own pages.
	Pages PageStore
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Server holds the dependencies of the handlers.
type Server struct {
	cfg       config.Config
	log       *slog.Logger
	access    *logging.Logger
	locales   *locale.Bundle
	assets    *web.Assets
	ready     Readiness
	metrics   *metrics
	clientIPs clientip.Resolver
	// csp is the policy of a response that loads nothing from third
	// parties; page replaces it where the visitor allowed vendors.
	csp     string
	vendors VendorSource
	// seenVendors is the registry the last request took; when another
	// comes into force, what was made with the old one is dropped (see
	// registryChanged).
	seenVendors atomic.Pointer[consent.Registry]
	cookies     *consent.Codec
	recorder    ConsentRecorder
	history     ConsentHistory
	texts       ConsentTexts
	proof       ConsentProof
	reports     CSPReports
	scans       SiteScans
	sealer      *consentlog.Sealer
	now         func() time.Time

	contacts ContactStore
	tokens   *contact.Tokens
	mailKick func()

	requests    RequestStore
	requestKeys privacyrequest.Keys

	admin    AdminStore
	stats    StatsStore
	sessions *scs.SessionManager
	media    MediaStore
	// projects keeps the projects; projectList follows the published
	// ones (projects.go).
	projects    ProjectStore
	projectList *follow.Value[publishedProjects]

	// largeBodies maps the routes that take a larger body than the site's
	// forms ("POST /admin/media") to their bound (see largeBody).
	largeBodies map[string]int64

	// Each limit bounds what one client may post (nil: no limit).
	consentLimiter, contactLimiter, requestLimiter, loginLimiter, reportLimiter *ratelimit.Limiter
	// decoding is held while an uploaded photo is decoded and resized
	// (decodePhotos): one at a time on each instance.
	decoding chan struct{}

	pages *pageCache
	// policies are the published versions of the policy (policies.go);
	// policyStore keeps them and the drafts.
	policies    *policyVersions
	policyStore PolicyStore
	// sitePages are the published pages (sitepages.go); pageStore keeps
	// every page and its revisions; reservedSlug tells the site's own
	// addresses, which no page may take.
	sitePages    *follow.Value[*livePages]
	pageStore    PageStore
	reservedSlug func(string) bool
	// sitePaths are the routes' addresses without a parameter.
	sitePaths map[string]bool
	// robots is robots.txt, made once from the routes (see disallowed).
	robots []byte
	// shownVersions memoises the digest of the banner per registry,
	// language, notice and form: every consent click records it.
	shownVersions sync.Map
	// cookieMemo remembers what Cookie headers said (see readCookies).
	cookieMemo cookieMemo
}

// cacheBytes bounds the page cache. A variant costs about 7 KB (the privacy
// page, compressed), and visitors need a few hundred variants (paths ×
// languages × consent states); the bound keeps someone cycling through
// consent cookies from filling memory past the server's soft limit.
const cacheBytes = 8 << 20

// New returns the site's HTTP handler.
func New(d Deps) (http.Handler, error) {
	m, err := newMetrics(d.Metrics)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:       d.Config,
		log:       d.Logger.Logger,
		access:    d.Logger,
		locales:   d.Locales,
		assets:    d.Assets,
		ready:     d.Readiness,
		metrics:   m,
		clientIPs: clientip.NewResolver(d.Config.TrustedProxies, d.Config.Cloudflare),
		csp:       csp.Policy{}.String(),
		vendors:   d.Vendors,
		cookies:   d.Cookies,
		recorder:  d.ConsentLog,
		history:   d.ConsentHistory,
		texts:     d.ConsentTexts,
		proof:     d.Proof,
		reports:   d.Reports,
		scans:     d.Scans,
		sealer:    d.Sealer,
		now:       d.Now,

		contacts:    d.Contacts,
		tokens:      d.Tokens,
		mailKick:    d.MailKick,
		requests:    d.Requests,
		requestKeys: d.RequestKeys,
		admin:       d.Admin,
		stats:       d.Stats,
		sessions:    d.Sessions,
		media:       d.Media,
		projects:    d.Projects,

		consentLimiter: ratelimit.New("consent", d.Config.ConsentRate, time.Minute, d.RateCounter, d.Config.CookieKey, d.Logger.Logger),
		contactLimiter: ratelimit.New("contact", d.Config.ContactRate, time.Hour, d.RateCounter, d.Config.CookieKey, d.Logger.Logger),
		requestLimiter: ratelimit.New("request", d.Config.ContactRate, time.Hour, d.RateCounter, d.Config.CookieKey, d.Logger.Logger),
		loginLimiter:   ratelimit.New("login", 20, time.Hour, d.RateCounter, d.Config.CookieKey, d.Logger.Logger),
		reportLimiter:  ratelimit.New("csp-report", 100, time.Minute, d.RateCounter, d.Config.CookieKey, d.Logger.Logger),
		decoding:       make(chan struct{}, 1),

		pages: newPageCache(4096, cacheBytes),
	}
	if s.now == nil {
		s.now = time.Now
	}
	seed, err := web.SeedText()
	if err != nil {
		return nil, err
	}
	s.policyStore = d.Policies
	s.policies = newPolicyVersions(d.Policies, seed, s.log, s.now)
	s.projectList = newProjectList(d.Projects, s.log, s.now)
	if d.Pages != nil {
		s.pageStore = d.Pages
		s.sitePages = followPages(d.Pages, s.log, s.now)
	}
	handler, routes := s.routes()
	if s.reservedSlug, s.sitePaths, err = reservedSlugs(routes); err != nil {
		return nil, err
	}
	if s.largeBodies, err = largeBodies(routes); err != nil {
		return nil, err
	}
	if s.robots, err = s.robotsTxt(routes); err != nil {
		return nil, err
	}
	return site{Mux: routes, serve: handler}, nil
}

// site is the handler New returns: the router, which lists the routes
// (chi.Walk reads it), behind the middleware every request takes.
type site struct {
	*chi.Mux
	serve http.Handler
}

func (s site) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve.ServeHTTP(w, r) }

// absURL is the public address of a site path.
func (s *Server) absURL(path string) string {
	u := *s.cfg.BaseURL
	u.Path += path
	return u.String()
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
