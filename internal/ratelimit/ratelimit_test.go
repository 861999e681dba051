package ratelimit_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"conpro/internal/pgtest"
	"conpro/internal/ratelimit"
	"conpro/internal/store/postgres"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	quiet  = slog.New(slog.DiscardHandler)
	// noon starts an hour's window.
	noon = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
)

func openDB(t *testing.T) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// A client gets n attempts per period, then waits; another client goes on.
// Addresses of one IPv6 /64 are one client. The window slides: an hour
// later the client still waits, and once the earlier attempts have aged
// out it may go on again.
func TestLimiter_AllowsNPerPeriodAndClient(t *testing.T) {
	ctx := context.Background()
	l := ratelimit.New("contact", 3, time.Hour, openDB(t), secret, quiet)
	a := netip.MustParseAddr("2001:db8:1:2::1")
	for i := range 3 {
		if !l.Allow(ctx, a, noon.Add(time.Duration(i)*time.Minute)) {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if l.Allow(ctx, netip.MustParseAddr("2001:db8:1:2::ffff"), noon.Add(5*time.Minute)) {
		t.Error("a fourth attempt from the same /64 allowed")
	}
	if !l.Allow(ctx, netip.MustParseAddr("2001:db8:1:3::1"), noon) || !l.Allow(ctx, netip.MustParseAddr("192.0.2.1"), noon) {
		t.Error("another client refused")
	}
	if l.Allow(ctx, a, noon.Add(time.Hour)) {
		t.Error("allowed again as soon as the next window began")
	}
	if !l.Allow(ctx, a, noon.Add(130*time.Minute)) {
		t.Error("still refused when the earlier attempts had mostly aged out")
	}
}

// Two instances of the site on one database share each count: together
// they allow n, not 2n. Each limit counts apart.
func TestLimiter_SharedByInstances(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	one := ratelimit.New("request", 3, time.Hour, db, secret, quiet)
	two := ratelimit.New("request", 3, time.Hour, db, secret, quiet)
	login := ratelimit.New("login", 3, time.Hour, db, secret, quiet)
	a := netip.MustParseAddr("192.0.2.7")
	if !one.Allow(ctx, a, noon) || !two.Allow(ctx, a, noon) || !one.Allow(ctx, a, noon) {
		t.Fatal("refused within the limit")
	}
	if two.Allow(ctx, a, noon) {
		t.Error("the second instance allowed a fourth attempt")
	}
	if !login.Allow(ctx, a, noon) {
		t.Error("another limit counted these attempts")
	}
	// The database holds a keyed hash of the client, not its address.
	var clients [][]byte
	rows, err := db.Pool().Query(ctx, `SELECT client FROM rate_count`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c []byte
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	if len(clients) != 2 {
		t.Fatalf("%d counts for one client in two limits", len(clients))
	}
	for _, c := range clients {
		if bytes.Contains(c, a.AsSlice()) || strings.Contains(string(c), "192.0.2") {
			t.Errorf("the count names the address: %x", c)
		}
	}
}

// Without a database the limiter lets attempts through and says so in the
// log, without the address.
func TestLimiter_AllowsWhenTheDatabaseIsAway(t *testing.T) {
	db, err := postgres.Open(context.Background(), "postgres://postgres@/conpro?host="+t.TempDir()+"&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	var log bytes.Buffer
	l := ratelimit.New("consent", 1, time.Minute, db, secret, slog.New(slog.NewTextHandler(&log, nil)))
	for range 3 {
		if !l.Allow(context.Background(), netip.MustParseAddr("192.0.2.9"), noon) {
			t.Fatal("refused while the count could not be read")
		}
	}
	if !strings.Contains(log.String(), "rate limit not counted") || strings.Contains(log.String(), "192.0.2") {
		t.Errorf("log: %s", log.String())
	}
}

// No limit (0) allows everything and needs no database.
func TestLimiter_ZeroIsNoLimit(t *testing.T) {
	l := ratelimit.New("consent", 0, time.Minute, nil, secret, quiet)
	for range 100 {
		if !l.Allow(context.Background(), netip.MustParseAddr("192.0.2.1"), time.Now()) {
			t.Fatal("refused without a limit")
		}
	}
}

// Attempts that arrive together are counted together, one statement for
// many, and still one by one: of 40 at once from one client, exactly the
// limit's 10 go on; 40 clients at once all go on.
func TestLimiter_AttemptsAtOnceAreCountedOneByOne(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	l := ratelimit.New("consent", 10, time.Minute, db, secret, quiet)
	allowed := func(addr func(i int) netip.Addr) int {
		var wg sync.WaitGroup
		var n atomic.Int32
		for i := range 40 {
			wg.Go(func() {
				if l.Allow(ctx, addr(i), noon) {
					n.Add(1)
				}
			})
		}
		wg.Wait()
		return int(n.Load())
	}
	if n := allowed(func(int) netip.Addr { return netip.MustParseAddr("192.0.2.10") }); n != 10 {
		t.Errorf("one client, 40 at once: %d allowed, want 10", n)
	}
	if n := allowed(func(i int) netip.Addr { return netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}) }); n != 40 {
		t.Errorf("40 clients at once: %d allowed, want 40", n)
	}
	var hits int
	if err := db.Pool().QueryRow(ctx, `SELECT sum(hits) FROM rate_count`).Scan(&hits); err != nil || hits != 80 {
		t.Errorf("%d attempts counted, want 80 (%v)", hits, err)
	}
}

// The attempts of a window weigh on the next one only: once a whole window
// has passed without attempts, those before it count for nothing.
func TestLimiter_AWindowWithoutAttemptsClearsTheCount(t *testing.T) {
	ctx := context.Background()
	l := ratelimit.New("consent", 2, time.Minute, openDB(t), secret, quiet)
	a := netip.MustParseAddr("192.0.2.21")
	if !l.Allow(ctx, a, noon) || !l.Allow(ctx, a, noon.Add(10*time.Second)) {
		t.Fatal("refused within the limit")
	}
	if l.Allow(ctx, a, noon.Add(30*time.Second)) {
		t.Fatal("a third attempt in the minute allowed")
	}
	if !l.Allow(ctx, a, noon.Add(130*time.Second)) || !l.Allow(ctx, a, noon.Add(140*time.Second)) {
		t.Error("refused two minutes later, after a minute without attempts")
	}
	if l.Allow(ctx, a, noon.Add(150*time.Second)) {
		t.Error("a third attempt in the new minute allowed")
	}
}

// An attempt counted after its window has given way to the next one (the
// other instance counted the next window first) is counted in that next
// window, and judged with its own window's attempts whole: the fourth in
// sixty seconds is refused, however late it is counted.
func TestLimiter_AnAttemptCountedLateIsJudgedWithItsOwnWindowWhole(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	one := ratelimit.New("consent", 3, time.Minute, db, secret, quiet)
	two := ratelimit.New("consent", 3, time.Minute, db, secret, quiet)
	a := netip.MustParseAddr("192.0.2.22")
	for _, s := range []int{10, 20, 30} {
		if !one.Allow(ctx, a, noon.Add(time.Duration(s)*time.Second)) {
			t.Fatalf("attempt at 12:00:%d refused within the limit", s)
		}
	}
	if two.Allow(ctx, a, noon.Add(61*time.Second)) {
		t.Error("a fourth attempt at 12:01:01 allowed")
	}
	if one.Allow(ctx, a, noon.Add(59*time.Second)) {
		t.Error("a fourth attempt at 12:00:59, counted after 12:01:01, allowed")
	}
}

// One count may hold attempts of one client in two windows (a batch
// gathered across the turn of a minute): all are counted in the later one,
// one by one, after what the earlier one already held.
func TestHit_ABatchAcrossTheTurnOfAWindowCountsInTheLaterOne(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	client := bytes.Repeat([]byte{7}, 16)
	w0, w1 := noon, noon.Add(time.Minute)
	attempt := func(w time.Time) ratelimit.Attempt {
		return ratelimit.Attempt{Client: client, Window: w, Previous: w.Add(-time.Minute), KeepUntil: w.Add(2 * time.Minute)}
	}
	first := []ratelimit.Attempt{attempt(w0), attempt(w0)}
	if err := db.Hit(ctx, "consent", first); err != nil {
		t.Fatal(err)
	}
	if first[1].Current != 2 || first[1].Before != 0 || !first[1].CountedIn.Equal(w0) {
		t.Fatalf("second attempt: %+v", first[1])
	}
	batch := []ratelimit.Attempt{attempt(w0), attempt(w0), attempt(w1)}
	if err := db.Hit(ctx, "consent", batch); err != nil {
		t.Fatal(err)
	}
	for i, a := range batch {
		if !a.CountedIn.Equal(w1) || a.Current != i+1 || a.Before != 2 {
			t.Errorf("attempt %d: counted in %s, current %d, before %d; want 12:01, %d, 2", i+1, a.CountedIn.Format("15:04"), a.Current, a.Before, i+1)
		}
	}
}
