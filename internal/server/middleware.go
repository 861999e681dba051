package server

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"

	"conpro/internal/clientip"
	"conpro/internal/consent"
	"conpro/internal/csp"
	"conpro/internal/locale"
	"conpro/internal/logging"
)

// visit is what the server works out once about a request, for every later
// step: withRequest makes it, the route's group may narrow it (private,
// withoutVendors, machine), handlers and the page cache read it.
type visit struct {
	// id is a fresh random request ID, in X-Request-Id and on every log
	// line. An incoming X-Request-Id is not trusted: a client could make
	// log lines collide.
	id      string
	idValue [1]string // id as the X-Request-Id field's value
	// client is the visitor's address as the resolver found it. Store and
	// log only its truncation (clientip.Truncate).
	client netip.Addr
	lang   locale.Lang
	// consent is the visitor's consent state; allowed what a current
	// consent lets pages load (nil without one).
	consent consent.State
	allowed *allowedVendors
	// registry is the consent registry in force when the request came:
	// everything the request renders and decides uses this one.
	registry *consent.Registry
	// policy is what the request knows of the policy's versions, and the
	// one in force, which its consent is judged against.
	policy *policySnapshot
	// projects are the published projects as the request found them.
	projects publishedProjects
	// pages are the published pages: the one that is asked for, and the
	// navigation every page shows.
	pages *livePages
	// vendors is false on routes that never carry vendor scripts,
	// whatever the visitor allowed, and on error pages.
	vendors bool
	// machine marks routes for programs: failures answer in plain text.
	machine bool
	// route is the pattern of the route that answered ("" when none did),
	// for the access log and the metrics.
	route string
	// unmatched marks a request a route took but found nothing for (an
	// address no page has): logged as unmatched, without its path, which
	// may be anything a client typed.
	unmatched bool
}

type visitKey struct{}

// visitOf returns the request's visit; outside a request that went through
// withRequest (a unit test), a first visit in Dutch without vendors.
func visitOf(ctx context.Context) *visit {
	if v, ok := ctx.Value(visitKey{}).(*visit); ok {
		return v
	}
	return &visit{lang: locale.NL, consent: consent.State{Ask: consent.ReasonFirstVisit}, registry: noVendors, policy: &policySnapshot{}, pages: &livePages{}}
}

// noVendors is the registry of a request that did not go through
// withRequest: no vendor is active.
var noVendors, _ = consent.NewRegistry(func(string) string { return "" })

// vendorsOf returns the consent registry the request uses.
func vendorsOf(ctx context.Context) *consent.Registry { return visitOf(ctx).registry }

// requestID returns the ID of the request in ctx ("" outside a request).
func requestID(ctx context.Context) string { return visitOf(ctx).id }

// clientAddr returns the visitor's address as the resolver found it.
func clientAddr(ctx context.Context) netip.Addr { return visitOf(ctx).client }

// consentState returns the request's consent state.
func consentState(ctx context.Context) consent.State { return visitOf(ctx).consent }

// withRequest works out the visit: request ID, the visitor's address, the
// interface language (the language cookie, then Accept-Language, then
// Dutch) and the consent state.
func (s *Server) withRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := s.vendors.Current()
		if s.seenVendors.Load() != reg {
			s.registryChanged(reg)
		}
		cookies := s.readCookies(r, reg)
		v := &visit{
			registry: reg,
			id:       newRequestID(),
			// Header fields by their canonical keys: Get would make the key
			// canonical on every call.
			client:  s.clientIPs.Resolve(r.RemoteAddr, r.Header.Get("Cf-Connecting-Ip"), r.Header.Get("X-Forwarded-For")),
			lang:    s.locales.Negotiate(cookies.lang, r.Header.Get("Accept-Language")),
			vendors: true,
		}
		v.policy = s.policies.at(r.Context(), s.now())
		v.projects = s.projectsAt(r.Context())
		v.pages = s.currentPages(r.Context())
		v.consent, v.allowed = s.consentOf(r, cookies, reg, v.policy.current.Number)
		v.idValue[0] = v.id

		h := w.Header()
		h["X-Request-Id"] = v.idValue[:]
		h["Content-Language"] = langValues[v.lang]

		ctx := context.WithValue(r.Context(), visitKey{}, v)
		ctx = locale.WithLocalizer(ctx, s.locales.Localizer(v.lang))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// registryChanged drops what was made with the registry in force before
// reg: kept pages, remembered cookie headers and banner digests. Each is
// also keyed by its registry, so a request still under way with the old
// one cannot put back a page the new one would not make; this only frees
// the memory.
func (s *Server) registryChanged(reg *consent.Registry) {
	old := s.seenVendors.Swap(reg)
	if old == nil || old == reg {
		return
	}
	s.pages.reset()
	s.cookieMemo.m.Clear()
	s.cookieMemo.n.Store(0)
	s.shownVersions.Clear()
	s.log.Info("services changed: pages are made anew", "active", len(reg.Active()))
}

// langValues are the Content-Language header values, shared by responses.
var langValues = map[locale.Lang][]string{locale.NL: {"nl"}, locale.FR: {"fr"}, locale.EN: {"en"}}

// newRequestID is a fresh random request ID (16 hex digits). It only
// correlates a response with its log line, so it comes from math/rand/v2's
// per-thread ChaCha8 source: no system call, one allocation.
func newRequestID() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	var dst [16]byte
	hex.Encode(dst[:], b[:])
	return string(dst[:])
}

// accessLog writes one line per request (logging.Request) and feeds the
// request metrics. It logs no personal data: the route, the path without its
// query (none for an unmatched path, which may be anything a client typed),
// and the client address truncated to its /24 (IPv4) or /48 (IPv6).
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)

		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		v := visitOf(r.Context())
		route, path := v.route, r.URL.Path
		if route == "" {
			route, path = "unmatched", ""
		}
		end := time.Now()
		elapsed := end.Sub(start)
		s.metrics.observe(r.Method, route, status, elapsed)
		level := slog.LevelInfo
		if status >= 500 && status != statusClientClosed {
			level = slog.LevelError
		}
		if !s.access.Enabled(r.Context(), level) {
			return
		}
		s.access.Request(r.Context(), logging.Request{
			Time: end, Level: level, ID: v.id, Method: r.Method, Route: route, Path: path,
			Status: status, Bytes: rec.bytes, Duration: elapsed, Client: clientip.Truncate(v.client),
		})
	})
}

// routeOf notes in the visit which route answered, once the router has
// found it: the access log runs outside the router.
func routeOf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if v := visitOf(r.Context()); !v.unmatched {
			v.route = chi.RouteContext(r.Context()).RoutePattern()
		}
	})
}

// statusRecorder remembers what the access log needs of a response.
type statusRecorder struct {
	http.ResponseWriter
	status, bytes int
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverPanics turns a panicking handler into the 500 page and a log line
// with the stack, so one bad request does not take the process down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", "request_id", requestID(r.Context()),
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			s.fail(w, r, errPanic)
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries. The CSP allows
// only this site; a page that carries a visitor's allowed vendor scripts
// replaces it with its own (see page).
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	// The values are built once and shared by every response (nothing
	// changes a header value in place): this runs on every request.
	fixed := http.Header{}
	fixed.Set("Content-Security-Policy", s.csp)
	fixed.Set("X-Content-Type-Options", "nosniff")
	fixed.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	fixed.Set("Permissions-Policy", "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), browsing-topics=()")
	fixed.Set("X-Frame-Options", "DENY")
	fixed.Set("Cross-Origin-Resource-Policy", "same-origin")
	// Where the CSP's report-to sends reports: this site, however it was
	// reached (a loopback or https address, as the Reporting API wants).
	fixed.Set("Reporting-Endpoints", csp.ReportGroup+`="`+csp.ReportPath+`"`)
	if s.cfg.Production() {
		fixed.Set("Strict-Transport-Security", "max-age=31536000")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range fixed {
			h[k] = v
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies; forms on this site are small.
func (s *Server) limitBody(n int64) func(http.Handler) http.Handler {
	return s.boundBody(n, true)
}

// boundBody is limitBody; a route marked with largeBody is left alone
// when deferToRoute is set.
func (s *Server) boundBody(n int64, deferToRoute bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if deferToRoute && s.takesLargeBody(r) {
				// The route bounds its body itself (largeBody).
				next.ServeHTTP(w, r)
				return
			}
			if r.ContentLength > n {
				w.Header().Set("Connection", "close")
				s.fail(w, r, errTooLarge)
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// crossOriginProtection rejects state-changing requests that a browser sent
// from another site (Sec-Fetch-Site / Origin), with the Dutch 403 page.
func (s *Server) crossOriginProtection(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, errCrossOrigin) }))
	return cop.Handler(next)
}
