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
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"conpro/internal/clientip"
	"conpro/internal/locale"
)

type requestIDKey struct{}
type clientAddrKey struct{}

// requestID returns the ID of the request in ctx ("" outside a request).
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// clientAddr returns the visitor's address as the resolver found it. Store
// and log only its truncation (clientip.Truncate).
func clientAddr(ctx context.Context) netip.Addr {
	a, _ := ctx.Value(clientAddrKey{}).(netip.Addr)
	return a
}

// withRequest works out, once per request and with one copy of the
// request, what every later step needs: a fresh random ID (returned in
// X-Request-Id and written on every log line; an incoming X-Request-Id is
// not trusted, a client could make log lines collide), the visitor's
// address, the interface language (the language cookie, then
// Accept-Language, then Dutch), and the consent state.
func (s *Server) withRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		id := newRequestID()
		h["X-Request-Id"] = []string{id}

		addr := s.clientIPs.Resolve(r.RemoteAddr, r.Header.Get("CF-Connecting-IP"), r.Header.Get("X-Forwarded-For"))
		l := s.languageOf(r)
		h["Vary"] = append(h["Vary"], "Accept-Language, Cookie, Sec-GPC")
		h["Content-Language"] = langValues[l]

		rc := s.requestConsent(w, r)

		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		ctx = context.WithValue(ctx, clientAddrKey{}, addr)
		ctx = locale.WithLocalizer(ctx, s.locales.Localizer(l))
		ctx = context.WithValue(ctx, consentKey{}, rc)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// langValues are the Content-Language header values, shared by responses.
var langValues = map[locale.Lang][]string{locale.NL: {"nl"}, locale.FR: {"fr"}, locale.EN: {"en"}}

// accessLog writes one structured line per request and feeds the request
// metrics. It logs no personal data: the path without its query, and the
// client address truncated to its /24 (IPv4) or /48 (IPv6).
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() {
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			// An unmatched path is whatever the client typed, which may be
			// anything: log only that it did not match.
			route := chi.RouteContext(r.Context()).RoutePattern()
			path := r.URL.Path
			if route == "" {
				route, path = "unmatched", ""
			}
			elapsed := time.Since(start)
			s.metrics.observe(r.Method, route, status, elapsed)
			level := levelFor(status)
			if !s.log.Enabled(r.Context(), level) {
				return
			}
			s.logRequest(r, level, requestID(r.Context()), route, path, status, ww.BytesWritten(), elapsed, clientAddr(r.Context()))
		}()
		next.ServeHTTP(ww, r)
	})
}

// logRequest writes the access-log line of a request (the chain's and the
// fast path's alike): no query string, and the client truncated to its /24
// or /48.
func (s *Server) logRequest(r *http.Request, level slog.Level, id, route, path string, status, bytes int, elapsed time.Duration, client netip.Addr) {
	truncated := ""
	if p := clientip.Truncate(client); p.IsValid() {
		truncated = p.String()
	}
	s.log.LogAttrs(r.Context(), level, "request",
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int("bytes", bytes),
		slog.Duration("duration", elapsed),
		slog.String("client", truncated),
	)
}

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

// languageOf negotiates a request's language: the language cookie, then
// Accept-Language, then Dutch.
func (s *Server) languageOf(r *http.Request) locale.Lang {
	remembered, _ := cookieValue(r, locale.CookieName)
	return s.locales.Negotiate(remembered, r.Header.Get("Accept-Language"))
}

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
			s.errorPage(w, r, http.StatusInternalServerError, "ServerErrorTitle", "ServerErrorText")
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries. The CSP allows
// only this site; a handler that adds inline scripts or third-party hosts
// replaces it with its own.
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
	if s.cfg.Production() {
		fixed.Set("Strict-Transport-Security", "max-age=31536000")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range fixed {
			h[k] = v
		}
		if isolated(r.URL.Path) {
			h["Cross-Origin-Opener-Policy"] = sameOrigin
		}
		next.ServeHTTP(w, r)
	})
}

var sameOrigin = []string{"same-origin"}

// isolated reports whether a page gets Cross-Origin-Opener-Policy:
// same-origin, which takes away any handle another site's window has on it.
// That matters where personal data is shown or handled: the staff area and
// the data-subject pages (an access request shows a person's data). On the
// public pages, which hold nothing of anyone, it guards nothing and costs a
// browsing-context-group switch on arrival (about 300 ms of main-thread
// time in Lighthouse's mobile run).
func isolated(path string) bool {
	return path == "/admin" || strings.HasPrefix(path, "/admin/") ||
		path == "/privacy/verzoek" || strings.HasPrefix(path, "/privacy/verzoek/")
}

// limitBody caps request bodies; forms on this site are small.
func (s *Server) limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				w.Header().Set("Connection", "close")
				s.errorPage(w, r, http.StatusRequestEntityTooLarge, "TooLargeTitle", "TooLargeText")
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// levelFor logs server errors as errors; everything else, 404s included, is
// routine.
func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
