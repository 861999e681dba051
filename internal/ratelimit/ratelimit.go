// Package ratelimit bounds how often one client may do something: n times
// per period. The counts live in the database every instance of the site
// shares, so two instances behind a load balancer still allow n, not 2n.
package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"
	"net/netip"
	"time"

	"conpro/internal/clientip"
)

// Counter keeps the counts of attempts per scope, client and window, for
// every instance alike.
type Counter interface {
	// Hit counts one attempt of client in the window that starts at window,
	// keeping that count until keepUntil, and returns the attempts counted
	// in that window and in the one that starts at previous.
	Hit(ctx context.Context, scope string, client []byte, window, previous, keepUntil time.Time) (current, before int, err error)
}

// Limiter allows each client n attempts per period. A client is an IPv4
// address or an IPv6 /64 (clientip.RateKey); the database sees only a keyed
// hash of it, which says nothing of the address to someone without the
// server's secret.
//
// The count is a sliding window: the attempts of the current window, plus
// those of the window before in the share of it that still falls within
// the last period. Every attempt counts, also a refused one, so a client
// that keeps trying stays refused. A nil Limiter allows everything.
type Limiter struct {
	scope   string
	n       int
	period  time.Duration
	counter Counter
	key     []byte
	logger  *slog.Logger
}

// New allows n attempts per period and client in scope (a word naming
// what is limited, such as "contact"); n <= 0 gives nil, no limit. secret
// keys the hashes of client addresses.
func New(scope string, n int, period time.Duration, counter Counter, secret []byte, logger *slog.Logger) *Limiter {
	if n <= 0 {
		return nil
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("conpro rate limit client"))
	return &Limiter{scope: scope, n: n, period: period, counter: counter, key: m.Sum(nil), logger: logger}
}

// Allow reports whether the client at a may go on at now, and counts it.
// When the count cannot be read (the database is away), it allows: the
// limits guard against floods, and what the request then does needs the
// database anyway or has its own bound (the consent spool).
func (l *Limiter) Allow(ctx context.Context, a netip.Addr, now time.Time) bool {
	if l == nil {
		return true
	}
	window := now.Truncate(l.period)
	current, before, err := l.counter.Hit(ctx, l.scope, l.client(a), window, window.Add(-l.period), window.Add(2*l.period))
	if err != nil {
		l.logger.WarnContext(ctx, "rate limit not counted; the attempt is allowed", "scope", l.scope, "err", err)
		return true
	}
	stillIn := 1 - float64(now.Sub(window))/float64(l.period)
	return float64(before)*stillIn+float64(current) <= float64(l.n)
}

// client is the keyed hash of a's rate key, 16 bytes.
func (l *Limiter) client(a netip.Addr) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(l.scope))
	m.Write([]byte{0})
	m.Write([]byte(clientip.RateKey(a).String()))
	return m.Sum(nil)[:16]
}
