// Package ratelimit bounds how often one client may do something: n times
// per period, in a burst or spread out (a token bucket per client).
package ratelimit

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"conpro/internal/clientip"
)

// Limiter allows each client n requests per period, in a burst or spread
// out. A client is an IPv4 address or an IPv6 /64 (clientip.RateKey). It
// lives in memory: each instance counts its own traffic. A nil Limiter
// allows everything.
type Limiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	period  time.Duration
	clients map[netip.Prefix]*limiterEntry
	sweep   time.Time
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

// New allows n requests per period and client; n <= 0 gives nil, no limit.
func New(n int, period time.Duration) *Limiter {
	if n <= 0 {
		return nil
	}
	return &Limiter{
		limit:   rate.Limit(float64(n) / period.Seconds()),
		burst:   n,
		period:  period,
		clients: map[netip.Prefix]*limiterEntry{},
	}
}

// Allow reports whether the client at a may go on at now, and counts it.
func (l *Limiter) Allow(a netip.Addr, now time.Time) bool {
	if l == nil {
		return true
	}
	key := clientip.RateKey(a)
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget clients idle for a whole period, at most once a minute: their
	// buckets are full again anyway.
	if now.Sub(l.sweep) > time.Minute {
		for k, e := range l.clients {
			if now.Sub(e.seen) > l.period {
				delete(l.clients, k)
			}
		}
		l.sweep = now
	}
	e, ok := l.clients[key]
	if !ok {
		e = &limiterEntry{lim: rate.NewLimiter(l.limit, l.burst)}
		l.clients[key] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}
