package ratelimit_test

import (
	"net/netip"
	"testing"
	"time"

	"conpro/internal/ratelimit"
)

// A client gets n requests per period, then waits; another client, or the
// same one a period later, goes on. Addresses of one IPv6 /64 are one
// client.
func TestLimiter_AllowsNPerPeriodAndClient(t *testing.T) {
	l := ratelimit.New(3, time.Hour)
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	a := netip.MustParseAddr("2001:db8:1:2::1")
	for i := range 3 {
		if !l.Allow(a, now) {
			t.Fatalf("request %d refused", i+1)
		}
	}
	if l.Allow(netip.MustParseAddr("2001:db8:1:2::ffff"), now) {
		t.Error("a fourth request from the same /64 allowed")
	}
	if !l.Allow(netip.MustParseAddr("2001:db8:1:3::1"), now) || !l.Allow(netip.MustParseAddr("192.0.2.1"), now) {
		t.Error("another client refused")
	}
	if !l.Allow(a, now.Add(time.Hour)) {
		t.Error("refused a period later")
	}
}

// No limit (0) allows everything.
func TestLimiter_ZeroIsNoLimit(t *testing.T) {
	l := ratelimit.New(0, time.Minute)
	for range 1000 {
		if !l.Allow(netip.MustParseAddr("192.0.2.1"), time.Now()) {
			t.Fatal("refused without a limit")
		}
	}
}
