package server

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"conpro/internal/clientip"
)

// clientLimiter allows each client n requests per period, in a burst or
// spread out (a token bucket). A client is an IPv4 address or an IPv6 /64
// (clientip.RateKey). It lives in memory: each instance counts its own
// traffic. A nil limiter allows everything.
type clientLimiter struct {
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

// newClientLimiter allows n requests per period and client; n <= 0 gives
// nil, no limit.
func newClientLimiter(n int, period time.Duration) *clientLimiter {
	if n <= 0 {
		return nil
	}
	return &clientLimiter{
		limit:   rate.Limit(float64(n) / period.Seconds()),
		burst:   n,
		period:  period,
		clients: map[netip.Prefix]*limiterEntry{},
	}
}

func (l *clientLimiter) allow(a netip.Addr, now time.Time) bool {
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
