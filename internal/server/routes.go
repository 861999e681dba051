package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// maxFormBody bounds every request body; the site's forms are small.
const maxFormBody = 64 << 10

// routes is the one place that lists every route of the site.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.GetHead, s.securityHeaders, s.withRequest, s.accessLog, s.recoverPanics)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.methodNotAllowed)

	// Machines: probes, metrics and the usual well-known files.
	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	r.Get("/robots.txt", s.handleRobots)
	r.Get("/sitemap.xml", s.handleSitemap)
	r.Get("/.well-known/security.txt", s.handleSecurityTxt)

	// Static files are compressed ahead of time and carry their own caching.
	r.Method(http.MethodGet, "/favicon.ico", s.assets.ServeFile("favicon.ico"))
	r.Method(http.MethodGet, "/static/*", s.assets.Handler(http.HandlerFunc(s.notFound)))

	// Pages.
	r.Group(func(r chi.Router) {
		r.Use(s.limitBody(maxFormBody))
		r.Use(s.crossOriginProtection)

		r.Get("/", s.handleHome)
		r.Get("/contact", s.handleContactForm)
		r.Post("/contact", s.handleContactPost)
		r.Get("/contact/bedankt", s.handleContactThanks)
		r.Get("/privacy", s.handlePolicy)
		r.Get("/privacy/versies", s.handlePolicyVersions)
		r.Get("/privacy/versies/{number}", s.handlePolicyVersion)
		r.Get("/privacy/verzoek", s.handleRequestForm)
		r.Post("/privacy/verzoek", s.handleRequestPost)
		r.Get("/privacy/verzoek/verstuurd", s.handleRequestSent)
		r.Get("/privacy/verzoek/bevestig", s.handleRequestConfirmPage)
		r.Post("/privacy/verzoek/bevestig", s.handleRequestConfirm)
		r.Post("/privacy/verzoek/download", s.handleRequestDownload)
		r.Post("/taal", s.handleLanguage)
		r.Post("/consent", s.handleConsent)
		r.Get("/cookies", s.handleCookies)
		r.Get("/cookies/bewijs", s.handleReceipt)

		// The staff area: its own session, every page but the login
		// behind it.
		r.Route("/admin", func(r chi.Router) {
			r.Use(adminHeaders, s.sessions.LoadAndSave)
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
				r.Post("/berichten/{id}/verwijderen", s.handleAdminMessageDelete)
				r.Get("/verzoeken", s.handleAdminRequests)
				r.Post("/verzoeken/{id}/behandeld", s.handleAdminRequestHandled)
				r.Get("/toestemmingen", s.handleAdminConsent)
				r.Get("/statistieken", s.handleAdminStats)
				r.Get("/mail", s.handleAdminOutbox)
				r.Post("/mail/{id}/opnieuw", s.handleAdminRetryMail)
				r.Get("/audit", s.handleAdminAudit)
			})
		})
	})
	return r
}

// crossOriginProtection rejects state-changing requests that a browser sent
// from another site (Sec-Fetch-Site / Origin), with the Dutch 403 page.
func (s *Server) crossOriginProtection(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.forbiddenCrossOrigin))
	return cop.Handler(next)
}
