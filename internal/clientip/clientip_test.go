package clientip

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func prefixes(ss ...string) []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range ss {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}

// addr parses want; "" is the zero Addr.
func addr(s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	return netip.MustParseAddr(s)
}

type resolveCase struct {
	name                string
	remoteAddr, cf, xff string
	want                string
}

func runResolve(t *testing.T, r Resolver, cases []resolveCase) {
	t.Helper()
	for _, c := range cases {
		got := r.Resolve(c.remoteAddr, c.cf, c.xff)
		if got != addr(c.want) {
			t.Errorf("%s: Resolve(%q, %q, %q) = %v, want %v", c.name, c.remoteAddr, c.cf, c.xff, got, addr(c.want))
		}
	}
}

func TestResolve_IgnoresProxyHeadersWithoutTrustedProxies(t *testing.T) {
	runResolve(t, NewResolver(nil, false), []resolveCase{
		{"plain peer", "203.0.113.7:52000", "", "", "203.0.113.7"},
		{"forged CF-Connecting-IP", "203.0.113.7:52000", "198.51.100.1", "", "203.0.113.7"},
		{"forged X-Forwarded-For", "203.0.113.7:52000", "", "198.51.100.1, 10.0.0.1", "203.0.113.7"},
		{"both forged", "[2001:db8::7]:443", "198.51.100.1", "198.51.100.2", "2001:db8::7"},
		{"loopback peer", "127.0.0.1:40000", "198.51.100.1", "198.51.100.2", "127.0.0.1"},
	})
}

func TestResolve_IgnoresForwardedForFromUntrustedPeer(t *testing.T) {
	r := NewResolver(prefixes("10.0.0.0/8"), true)
	runResolve(t, r, []resolveCase{
		{"CF-Connecting-IP", "203.0.113.7:52000", "198.51.100.1", "", "203.0.113.7"},
		{"X-Forwarded-For", "203.0.113.7:52000", "", "198.51.100.1", "203.0.113.7"},
		{"X-Forwarded-For ending in a trusted hop", "203.0.113.7:52000", "", "198.51.100.1, 10.0.0.2", "203.0.113.7"},
	})
}

func TestResolve_BehindCloudflarePrefersCFConnectingIPFromTrustedPeer(t *testing.T) {
	r := NewResolver(prefixes("173.245.48.0/20", "2400:cb00::/32"), true)
	runResolve(t, r, []resolveCase{
		{"IPv4 proxy", "173.245.48.10:443", "198.51.100.1", "192.0.2.9, 173.245.48.10", "198.51.100.1"},
		{"IPv6 proxy", "[2400:cb00::1]:443", "2001:db8::42", "", "2001:db8::42"},
		{"surrounding spaces", "173.245.48.10:443", "  198.51.100.1 ", "", "198.51.100.1"},
		{"mapped IPv4 in header", "173.245.48.10:443", "::ffff:198.51.100.1", "", "198.51.100.1"},
		{"unparsable CF-Connecting-IP falls back to X-Forwarded-For", "173.245.48.10:443", "unknown", "192.0.2.9", "192.0.2.9"},
		{"unparsable headers fall back to the peer", "173.245.48.10:443", "unknown", "garbage", "173.245.48.10"},
		{"no headers: the peer", "173.245.48.10:443", "", "", "173.245.48.10"},
	})
}

// A plain load balancer may pass on a CF-Connecting-IP the client wrote:
// unless the site is behind Cloudflare, the header counts for nothing.
func TestResolve_IgnoresCFConnectingIPUnlessBehindCloudflare(t *testing.T) {
	r := NewResolver(prefixes("10.0.0.0/8"), false)
	runResolve(t, r, []resolveCase{
		{"forged header, no X-Forwarded-For", "10.0.0.1:8000", "198.51.100.1", "", "10.0.0.1"},
		{"forged header before X-Forwarded-For", "10.0.0.1:8000", "198.51.100.1", "192.0.2.9", "192.0.2.9"},
		{"IPv6 header", "10.0.0.1:8000", "2001:db8::42", "192.0.2.9, 10.0.0.2", "192.0.2.9"},
	})
}

func TestResolve_WalksForwardedForFromTheRightSkippingTrustedHops(t *testing.T) {
	r := NewResolver(prefixes("10.0.0.0/8", "192.168.0.1/32", "fd00::/8"), false)
	runResolve(t, r, []resolveCase{
		{"one hop", "10.0.0.1:8000", "", "198.51.100.1", "198.51.100.1"},
		{"client forged the leftmost hop", "10.0.0.1:8000", "", "1.2.3.4, 198.51.100.1", "198.51.100.1"},
		{"trusted hops on the right are skipped", "10.0.0.1:8000", "", "1.2.3.4, 198.51.100.1, 192.168.0.1, 10.9.9.9", "198.51.100.1"},
		{"no spaces", "10.0.0.1:8000", "", "1.2.3.4,198.51.100.1,10.9.9.9", "198.51.100.1"},
		{"IPv6 hops", "[fd00::1]:8000", "", "2001:db8::1, fd00::2", "2001:db8::1"},
		{"mapped IPv4 hop is unmapped", "10.0.0.1:8000", "", "::ffff:198.51.100.1", "198.51.100.1"},
		{"mapped trusted hop is skipped", "10.0.0.1:8000", "", "198.51.100.1, ::ffff:10.1.1.1", "198.51.100.1"},
		{"only trusted hops: the peer", "10.0.0.1:8000", "", "10.1.1.1, 192.168.0.1", "10.0.0.1"},
		{"empty header: the peer", "10.0.0.1:8000", "", "", "10.0.0.1"},
		// A hop that is not an address ends the walk: whatever is left of
		// it cannot be told apart from what the client wrote.
		{"garbage hop stops the walk", "10.0.0.1:8000", "", "198.51.100.1, unknown, 10.1.1.1", "10.0.0.1"},
		{"garbage on the left is never reached", "10.0.0.1:8000", "", "garbage, 198.51.100.1", "198.51.100.1"},
	})
}

func TestResolve_UnmapsIPv4MappedPeers(t *testing.T) {
	r := NewResolver(prefixes("10.0.0.0/8"), false)
	runResolve(t, r, []resolveCase{
		{"untrusted mapped peer", "[::ffff:203.0.113.7]:52000", "", "", "203.0.113.7"},
		// Unmapped, the peer falls in the IPv4 trusted range.
		{"trusted mapped peer", "[::ffff:10.0.0.1]:52000", "", "198.51.100.1", "198.51.100.1"},
	})
}

func TestResolve_GivesTheZeroAddrForAnUnparsablePeer(t *testing.T) {
	r := NewResolver(prefixes("0.0.0.0/0", "::/0"), true)
	for _, remote := range []string{"", "@", "localhost:80", "not an address", "300.1.1.1:80"} {
		if got := r.Resolve(remote, "198.51.100.1", "198.51.100.2"); got.IsValid() {
			t.Errorf("Resolve(%q, …) = %v, want the zero Addr", remote, got)
		}
	}
}

func TestParseHostPort(t *testing.T) {
	cases := map[string]string{
		"203.0.113.7:52000":           "203.0.113.7",
		"203.0.113.7":                 "203.0.113.7",
		"[2001:db8::1]:443":           "2001:db8::1",
		"2001:db8::1":                 "2001:db8::1",
		"[::ffff:192.0.2.1]:80":       "192.0.2.1",
		"::ffff:192.0.2.1":            "192.0.2.1",
		"fe80::1%eth0":                "fe80::1",
		"[2001:db8::1]:":              "2001:db8::1",
		"":                            "",
		"localhost:8080":              "",
		"example.com":                 "",
		"203.0.113.7:52000:1":         "",
		"[2001:db8::1":                "",
		"999.0.113.7:80":              "",
		"pipe":                        "",
		"203.0.113.7:port-is-ignored": "203.0.113.7",
	}
	for in, want := range cases {
		if got := ParseHostPort(in); got != addr(want) {
			t.Errorf("ParseHostPort(%q) = %v, want %v", in, got, addr(want))
		}
	}
}

func TestTruncate_KeepsThe24OfIPv4AndThe48OfIPv6(t *testing.T) {
	cases := map[string]string{
		"203.0.113.7":           "203.0.113.0/24",
		"203.0.113.255":         "203.0.113.0/24",
		"10.1.2.3":              "10.1.2.0/24",
		"::ffff:203.0.113.7":    "203.0.113.0/24",
		"2001:db8:abcd:12:1::7": "2001:db8:abcd::/48",
		"2001:db8:abcd:ffff::1": "2001:db8:abcd::/48",
		"fe80::1%eth0":          "fe80::/48",
		"::1":                   "::/48",
	}
	for in, want := range cases {
		if got := Truncate(netip.MustParseAddr(in)); got != netip.MustParsePrefix(want) {
			t.Errorf("Truncate(%s) = %v, want %s", in, got, want)
		}
	}
}

func TestTruncate_ZeroAddrGivesZeroPrefix(t *testing.T) {
	if got := Truncate(netip.Addr{}); got != (netip.Prefix{}) || got.IsValid() {
		t.Errorf("Truncate(zero) = %v, want the zero Prefix", got)
	}
}

func TestRateKey_CountsIPv4ByAddressAndIPv6ByItsSlash64(t *testing.T) {
	cases := map[string]string{
		"203.0.113.7":                    "203.0.113.7/32",
		"203.0.113.8":                    "203.0.113.8/32",
		"::ffff:203.0.113.7":             "203.0.113.7/32",
		"2001:db8:abcd:12::1":            "2001:db8:abcd:12::/64",
		"2001:db8:abcd:12:ffff:1:2:3":    "2001:db8:abcd:12::/64",
		"2001:db8:abcd:13::1":            "2001:db8:abcd:13::/64",
		"fe80::1%eth0":                   "fe80::/64",
		"::1":                            "::/64",
		"2001:db8:abcd:12:8000::1%wlan0": "2001:db8:abcd:12::/64",
	}
	for in, want := range cases {
		if got := RateKey(netip.MustParseAddr(in)); got != netip.MustParsePrefix(want) {
			t.Errorf("RateKey(%s) = %v, want %s", in, got, want)
		}
	}
	if got := RateKey(netip.Addr{}); got.IsValid() {
		t.Errorf("RateKey(zero) = %v, want the zero Prefix", got)
	}
}

func FuzzResolve(f *testing.F) {
	f.Add("203.0.113.7:52000", "", "")
	f.Add("173.245.48.10:443", "198.51.100.1", "192.0.2.9, 173.245.48.10")
	f.Add("10.0.0.1:8000", "", "1.2.3.4, 198.51.100.1, 10.9.9.9")
	f.Add("[2400:cb00::1]:443", "2001:db8::42", "fd00::2")
	f.Add("[::ffff:10.0.0.1]:1", "::ffff:1.2.3.4", "::ffff:10.0.0.2,,")
	f.Add("fe80::1", " 10.0.0.1 ", "unknown, 10.0.0.1")
	f.Add("", "x", ",")
	f.Add("[2001:db8::1]:", "0.0.0.0", "::")

	proxies := prefixes("10.0.0.0/8", "173.245.48.0/20", "2400:cb00::/32", "fd00::/8")
	cloudflare := NewResolver(proxies, true)
	trusted := NewResolver(proxies, false)
	untrusted := NewResolver(nil, false)
	f.Fuzz(func(t *testing.T, remoteAddr, cf, xff string) {
		peer := ParseHostPort(remoteAddr)
		// The result can only be the peer or an address the headers name.
		candidates := []netip.Addr{peer}
		for _, s := range append([]string{cf}, strings.Split(xff, ",")...) {
			if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil {
				candidates = append(candidates, a.WithZone("").Unmap())
			}
		}
		for _, r := range []Resolver{cloudflare, trusted, untrusted} {
			got := r.Resolve(remoteAddr, cf, xff)
			if !got.IsValid() {
				if peer.IsValid() {
					t.Fatalf("Resolve(%q, %q, %q) = zero Addr, but the peer is %v", remoteAddr, cf, xff, peer)
				}
				continue
			}
			if !slices.Contains(candidates, got) {
				t.Fatalf("Resolve(%q, %q, %q) = %v, which is neither the peer nor in the headers", remoteAddr, cf, xff, got)
			}
			if got.Zone() != "" {
				t.Fatalf("Resolve(%q, %q, %q) = %v: keeps a zone", remoteAddr, cf, xff, got)
			}
			if got.Is4In6() {
				t.Fatalf("Resolve(%q, %q, %q) = %v: still IPv4-mapped", remoteAddr, cf, xff, got)
			}
			p := Truncate(got)
			want := 48
			if got.Is4() {
				want = 24
			}
			if p.Bits() != want || !p.Contains(got) {
				t.Fatalf("Truncate(%v) = %v: want the /%d that contains it", got, p, want)
			}
			k := RateKey(got)
			want = 64
			if got.Is4() {
				want = 32
			}
			if k.Bits() != want || !k.Contains(got) || !p.Contains(k.Addr()) {
				t.Fatalf("RateKey(%v) = %v: want the /%d that contains it, inside %v", got, k, want, p)
			}
		}
		// Without trusted proxies the headers do not count at all.
		if got := untrusted.Resolve(remoteAddr, cf, xff); got != peer {
			t.Fatalf("no trusted proxies: Resolve(%q, %q, %q) = %v, want the peer %v", remoteAddr, cf, xff, got, peer)
		}
		if got := untrusted.Resolve(remoteAddr, "", ""); got != untrusted.Resolve(remoteAddr, cf, xff) {
			t.Fatalf("no trusted proxies: Resolve(%q) changes with the headers", remoteAddr)
		}
		// Not behind Cloudflare, CF-Connecting-IP counts for nothing.
		if got, want := trusted.Resolve(remoteAddr, cf, xff), trusted.Resolve(remoteAddr, "", xff); got != want {
			t.Fatalf("not behind Cloudflare: Resolve(%q, %q, %q) = %v, but %v without CF-Connecting-IP", remoteAddr, cf, xff, got, want)
		}
	})
}
