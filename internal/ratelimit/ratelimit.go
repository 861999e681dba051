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
	"conpro/internal/group"
)

// Counter keeps the counts of attempts per scope, client and window, for
// every instance alike.
type Counter interface {
	// Hit counts the attempts in scope, each in its window (or in a later
	// one the client's count has already reached) and kept until its
	// KeepUntil, and fills in each one's CountedIn, Current and Before, in
	// one round trip.
	Hit(ctx context.Context, scope string, attempts []Attempt) error
}

// Attempt is one attempt of a client to count.
type Attempt struct {
	Client                      []byte
	Window, Previous, KeepUntil time.Time
	// CountedIn is the window the attempt was counted in: Window, or a
	// later one when the client's count had already moved on to it.
	// Current is the attempts counted in CountedIn up to this one, Before
	// those counted in the window before CountedIn.
	CountedIn       time.Time
	Current, Before int
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

	// Attempts that come while a count is under way wait and are counted
	// together, in one statement: under load the database counts once for
	// many requests instead of once each (as the consent log writes its
	// clicks), and no attempt waits for more than the count before its own.
	attempts group.Queue[*waiting]
}

// waiting is an attempt in the queue, and where its outcome goes.
type waiting struct {
	attempt Attempt
	done    chan error
}

// maxBatch is the most attempts one count takes.
const maxBatch = 256

// countTimeout bounds a count: past it the attempts are allowed, as when
// the database is away.
const countTimeout = 2 * time.Second

// New allows n attempts per period and client in scope (a word naming
// what is limited, such as "contact"); n <= 0 gives nil, no limit. secret
// keys the hashes of client addresses.
func New(scope string, n int, period time.Duration, counter Counter, secret []byte, logger *slog.Logger) *Limiter {
	if n <= 0 {
		return nil
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("conpro rate limit client"))
	l := &Limiter{scope: scope, n: n, period: period, counter: counter, key: m.Sum(nil), logger: logger}
	l.attempts.Do, l.attempts.Max = l.countAll, maxBatch
	return l
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
	counted, err := l.count(ctx, Attempt{Client: l.client(a), Window: window, Previous: window.Add(-l.period), KeepUntil: window.Add(2 * l.period)})
	if err != nil {
		l.logger.WarnContext(ctx, "rate limit not counted; the attempt is allowed", "scope", l.scope, "err", err)
		return true
	}
	// The share of the window before that still falls within the last
	// period. An attempt counted in a later window than its own (late, by
	// another instance or in a batch across the turn of a window) takes
	// that window's previous, its own, whole.
	stillIn := min(1, 1-float64(now.Sub(counted.CountedIn))/float64(l.period))
	return float64(counted.Before)*stillIn+float64(counted.Current) <= float64(l.n)
}

// count counts one attempt, with those that wait for a count.
func (l *Limiter) count(ctx context.Context, a Attempt) (Attempt, error) {
	w := &waiting{attempt: a, done: make(chan error, 1)}
	l.attempts.Add(ctx, w)
	err := <-w.done
	return w.attempt, err
}

// countAll counts a batch of attempts and tells each its outcome.
func (l *Limiter) countAll(ctx context.Context, batch []*waiting) {
	attempts := make([]Attempt, len(batch))
	for i, w := range batch {
		attempts[i] = w.attempt
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), countTimeout)
	err := l.counter.Hit(ctx, l.scope, attempts)
	cancel()
	for i, w := range batch {
		w.attempt = attempts[i]
		w.done <- err
	}
}

// client is the keyed hash of a's rate key, 16 bytes.
func (l *Limiter) client(a netip.Addr) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(l.scope))
	m.Write([]byte{0})
	m.Write([]byte(clientip.RateKey(a).String()))
	return m.Sum(nil)[:16]
}
