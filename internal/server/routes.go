package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"conpro/internal/csp"
)

// maxFormBody bounds every request body; the site's forms are small.
const maxFormBody = 64 << 10

// editorBody bounds the staff's text editors (policy versions, pages,
// projects): up to 50 000 characters in each of three languages, which
// URL-encoding can make nine bytes each.
const editorBody = 2 << 20

// routes is the one place that lists every route of the site. Every request
// first gets its visit (language, consent, request ID), its access-log line
// and a guard against panics; a page the cache holds is answered then, and
// everything else goes to the router. Each route sits in a group whose
// middleware says what kind of route it is:
//
//   - machine: probes and well-known files; answers for programs, and
//     failures in plain text. (The metrics are not here: they are served
//     on a listener of their own, see MetricsHandler.)
//   - keepPages: public pages that are the same bytes for everyone in one
//     language and consent state; kept by the page cache (pagecache.go).
//   - withoutVendors: public pages where a visitor types or sees personal
//     data; no vendor script, whatever the visitor allowed.
//   - private: the same, and nothing stored by any cache, a browsing
//     context of its own (Cross-Origin-Opener-Policy), out of search
//     engines; robots.txt lists these routes (see disallowed).
//
// Every other page may carry the vendor scripts its visitor allowed. Error
// pages never do, whatever the route (errors.go).
func (s *Server) routes() (http.Handler, *chi.Mux) {
	r := chi.NewRouter()
	r.Use(routeOf, s.securityHeaders, s.limitBody(maxFormBody), middleware.GetHead)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.methodNotAllowed)

	r.Group(func(r chi.Router) {
		r.Use(machine)
		r.With(noStore).Get("/healthz", s.handleHealthz)
		r.With(noStore).Get("/readyz", s.handleReadyz)
		r.With(cacheFor(24*time.Hour)).Get("/robots.txt", s.handleRobots)
		r.With(cacheFor(time.Hour)).Get("/sitemap.xml", s.handleSitemap)
		r.With(cacheFor(24*time.Hour)).Get("/.well-known/security.txt", s.handleSecurityTxt)
		r.With(noStore, s.limitBody(maxReportBody)).Post(csp.ReportPath, s.handleCSPReport)
	})

	// Static files are compressed ahead of time and carry their own caching
	// (fingerprinted names, a year).
	r.Method(http.MethodGet, "/favicon.ico", s.assets.ServeFile("favicon.ico"))
	r.Method(http.MethodGet, "/static/*", s.assets.Handler(http.HandlerFunc(s.notFound)))
	// Photos likewise: the address names the content (media.go); an
	// unknown one gets the Dutch 404 page.
	r.Get("/media/{name}", s.handleMedia)

	r.Group(func(r chi.Router) {
		r.Use(s.keepPages)
		r.Get("/", s.handleHome)
		r.Get("/privacy", s.handlePolicy)
		r.Get("/privacy/versies", s.handlePolicyVersions)
		r.Get("/privacy/versies/{number}", s.handlePolicyVersion)
		r.Get("/realisaties", s.handleProjects)
		r.Get("/realisaties/{slug}", s.handleProject)
		// The company's own pages (sitepages.go); every static route
		// above and below comes first, and no page may take its address.
		r.Get("/{slug}", s.handleSitePage)
	})

	// Forms and what they lead to.
	r.Group(func(r chi.Router) {
		r.Use(noStore, s.crossOriginProtection)
		r.Get("/contact/bedankt", s.handleContactThanks)
		r.Get("/offerte/bedankt", s.handleQuoteThanks)
		r.Post("/taal", s.handleLanguage)
		r.Post("/consent", s.handleConsent)

		r.Group(func(r chi.Router) {
			r.Use(withoutVendors)
			r.Get("/contact", s.handleContactForm)
			r.Post("/contact", s.handleContactPost)
			r.Get("/offerte", s.handleQuoteForm)
			r.With(s.largeBody(quoteBody)).Post("/offerte", s.handleQuotePost)
			r.Get("/cookies", s.handleCookies)
		})

		r.Group(func(r chi.Router) {
			r.Use(private)
			r.Get("/cookies/bewijs", s.handleReceipt)
			r.Get("/privacy/verzoek", s.handleRequestForm)
			r.Post("/privacy/verzoek", s.handleRequestPost)
			r.Get("/privacy/verzoek/verstuurd", s.handleRequestSent)
			r.Get("/privacy/verzoek/bevestig", s.handleRequestConfirmPage)
			r.Post("/privacy/verzoek/bevestig", s.handleRequestConfirm)
			r.Post("/privacy/verzoek/download", s.handleRequestDownload)

			// The staff area: its own session, every page but the login
			// behind it.
			r.Route("/admin", func(r chi.Router) {
				r.Use(s.sessions.LoadAndSave)
				r.Get("/login", s.handleAdminLoginForm)
				r.Post("/login", s.handleAdminLogin)
				r.Group(func(r chi.Router) {
					r.Use(s.requireStaff)
					r.Get("/", http.RedirectHandler("/admin/berichten", http.StatusSeeOther).ServeHTTP)
					r.Post("/uitloggen", s.handleAdminLogout)
					r.Get("/berichten", s.handleAdminInbox)
					r.Get("/berichten.csv", s.handleAdminInboxCSV)
					r.Get("/berichten/{id}", s.handleAdminMessage)
					r.Post("/berichten/{id}/afgehandeld", s.handleAdminMessageHandled)
					r.Post("/berichten/{id}/geen-spam", s.handleAdminMessageNotSpam)
					r.Post("/berichten/{id}/verwijderen", s.handleAdminMessageDelete)
					r.Get("/berichten/{id}/bijlagen/{n}", s.handleAdminQuoteFile)
					r.Get("/verzoeken", s.handleAdminRequests)
					r.Post("/verzoeken/{id}/behandeld", s.handleAdminRequestHandled)
					r.Get("/toestemmingen", s.handleAdminConsent)
					r.Get("/toestemmingen/{id}.json", s.handleAdminConsentExport)
					r.Get("/toestemmingen/opbouw", s.handleConsentRecordLayout)
					r.Get("/statistieken", s.handleAdminStats)
					r.Get("/mail", s.handleAdminOutbox)
					r.Post("/mail/{id}/opnieuw", s.handleAdminRetryMail)
					r.Get("/audit", s.handleAdminAudit)
					r.Get("/naleving", s.handleAdminCompliance)
					r.Get("/beleid", s.handleAdminPolicy)
					r.Get("/beleid/nieuw", s.handleAdminPolicyNew)
					r.With(s.largeBody(editorBody)).Post("/beleid/nieuw", s.handleAdminPolicyCreate)
					r.Get("/beleid/{id}", s.handleAdminPolicyEdit)
					r.With(s.largeBody(editorBody)).Post("/beleid/{id}", s.handleAdminPolicySave)
					r.Get("/beleid/{id}/voorbeeld", s.handleAdminPolicyPreview)
					r.Get("/beleid/{id}/vergelijken", s.handleAdminPolicyCompare)
					r.Get("/beleid/{id}/publiceren", s.handleAdminPolicyConfirm)
					r.Post("/beleid/{id}/publiceren", s.handleAdminPolicyPublish)
					r.Post("/naleving/controleren", s.handleAdminVerify)
					r.Get("/diensten", s.handleAdminServices)
					r.Post("/diensten/{key}", s.handleAdminService)
					r.Get("/media", s.handleAdminMedia)
					r.With(s.largeBody(mediaBody(s.cfg.MediaMaxBytes))).Post("/media", s.handleAdminMediaUpload)
					r.Post("/media/{id}/verwijderen", s.handleAdminMediaDelete)
					r.Get("/realisaties", s.handleAdminProjects)
					r.Get("/realisaties/nieuw", s.handleAdminProjectNew)
					r.With(s.largeBody(editorBody)).Post("/realisaties/nieuw", s.handleAdminProjectCreate)
					r.Get("/realisaties/{id}", s.handleAdminProjectEdit)
					r.With(s.largeBody(editorBody)).Post("/realisaties/{id}", s.handleAdminProjectSave)
					r.Get("/realisaties/{id}/voorbeeld", s.handleAdminProjectPreview)
					r.Get("/realisaties/{id}/publiceren", s.handleAdminProjectConfirm)
					r.Post("/realisaties/{id}/publiceren", s.handleAdminProjectPublish)
					r.Get("/realisaties/{id}/offline", s.handleAdminProjectConfirm)
					r.Post("/realisaties/{id}/offline", s.handleAdminProjectUnpublish)
					r.Get("/paginas", s.handleAdminPages)
					r.Get("/paginas/nieuw", s.handleAdminPageNew)
					r.With(s.largeBody(editorBody)).Post("/paginas/nieuw", s.handleAdminPageCreate)
					r.Get("/paginas/{id}", s.handleAdminPageEdit)
					r.With(s.largeBody(editorBody)).Post("/paginas/{id}", s.handleAdminPageSave)
					r.Get("/paginas/{id}/voorbeeld", s.handleAdminPagePreview)
					r.Get("/paginas/{id}/publiceren", s.handleAdminPageConfirm)
					r.Post("/paginas/{id}/publiceren", s.handleAdminPagePublish)
					r.Get("/paginas/{id}/offline", s.handleAdminPageConfirm)
					r.Post("/paginas/{id}/offline", s.handleAdminPageUnpublish)
					r.Get("/paginas/{id}/versies", s.handleAdminPageRevisions)
					r.Post("/paginas/{id}/versies/{number}/terugzetten", s.handleAdminPageRestore)
					r.Post("/paginas/{id}/hoger", s.handleAdminPageMove)
					r.Post("/paginas/{id}/lager", s.handleAdminPageMove)
					r.Get("/medewerkers", s.handleAdminAccounts)
					r.Post("/medewerkers", s.handleAdminAccountAdd)
					r.Post("/medewerkers/{id}/uitschakelen", s.handleAdminAccountDisable)
					r.Post("/medewerkers/{id}/inschakelen", s.handleAdminAccountEnable)
					r.Get("/medewerkers/{id}/wachtwoord", s.handleAdminPasswordForm)
					r.Post("/medewerkers/{id}/wachtwoord", s.handleAdminPassword)
				})
			})
		})
	})
	return s.withRequest(s.accessLog(s.recoverPanics(s.servePages(r)))), r
}

// Header values the route properties set, shared by every response (never
// changed in place).
var (
	noStoreValue = []string{"no-store"}
	sameOrigin   = []string{"same-origin"}
	noIndex      = []string{"noindex, nofollow"}
)

// private marks routes where a visitor types or sees personal data, and the
// staff area: no vendor script, nothing kept by any cache, a browsing
// context no other site's window can reach (Cross-Origin-Opener-Policy),
// and out of search engines. Its handler has a type of its own so that
// robots.txt can find the routes it wraps.
func private(next http.Handler) http.Handler { return privateRoute{next} }

type privateRoute struct{ next http.Handler }

func (p privateRoute) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Cache-Control"] = noStoreValue
	h["Cross-Origin-Opener-Policy"] = sameOrigin
	h["X-Robots-Tag"] = noIndex
	visitOf(r.Context()).vendors = false
	p.next.ServeHTTP(w, r)
}

// withoutVendors marks public pages where a visitor types or sees personal
// data (the contact form, the cookie settings with the consent ID): a
// session-recording or advertising script has no business there.
func withoutVendors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		visitOf(r.Context()).vendors = false
		next.ServeHTTP(w, r)
	})
}

// machine marks routes that programs read: no page, and a failure answers
// in plain text.
func machine(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := visitOf(r.Context())
		v.machine, v.vendors = true, false
		next.ServeHTTP(w, r)
	})
}

// noStore keeps a route's answers out of every cache.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Cache-Control"] = noStoreValue
		next.ServeHTTP(w, r)
	})
}

// cacheFor lets any cache keep a route's answers for d.
func cacheFor(d time.Duration) func(http.Handler) http.Handler {
	value := []string{"public, max-age=" + strconv.Itoa(int(d.Seconds()))}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Cache-Control"] = value
			next.ServeHTTP(w, r)
		})
	}
}

// disallowed lists the path prefixes robots.txt keeps crawlers from: for
// each private route, the shortest prefix (a folder, or the path itself)
// that no other route starts with, so the list follows the routes and
// stays short.
func disallowed(routes chi.Routes) ([]string, error) {
	var privatePaths, publicPaths []string
	err := chi.Walk(routes, func(_ string, route string, _ http.Handler, mws ...func(http.Handler) http.Handler) error {
		// A parameter or wildcard stands for anything: the path up to it.
		if i := strings.IndexAny(route, "{*"); i >= 0 {
			route = route[:i]
		}
		isPrivate := slices.ContainsFunc(mws, func(mw func(http.Handler) http.Handler) bool {
			_, ok := mw(http.NotFoundHandler()).(privateRoute)
			return ok
		})
		if isPrivate {
			privatePaths = append(privatePaths, route)
		} else {
			publicPaths = append(publicPaths, route)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	startsAny := func(paths []string, prefix string) bool {
		return slices.ContainsFunc(paths, func(p string) bool { return strings.HasPrefix(p, prefix) })
	}
	var out []string
	for _, p := range privatePaths {
		for i := 1; i <= len(p); i++ {
			if i < len(p) && p[i-1] != '/' {
				continue
			}
			if prefix := p[:i]; !startsAny(publicPaths, prefix) {
				out = append(out, prefix)
				break
			}
		}
	}
	// A prefix inside another one listed adds nothing.
	var list []string
	for _, p := range out {
		if !slices.ContainsFunc(out, func(q string) bool { return q != p && strings.HasPrefix(p, q) }) {
			list = append(list, p)
		}
	}
	slices.Sort(list)
	return slices.Compact(list), nil
}
