// Package clientip finds the address of the visitor behind a request and
// truncates it before anything stores or logs it.
//
// Proxy headers are believed only when the direct peer is a configured
// trusted proxy: otherwise anyone could choose the address that rate limits
// and the consent log see.
package clientip

import (
	"net"
	"net/netip"
	"strings"
)

// Resolver finds the client address of a request.
type Resolver struct {
	trusted []netip.Prefix
	// cloudflare says the trusted proxies are Cloudflare's, which set
	// CF-Connecting-IP themselves; any other proxy may pass on whatever
	// the client wrote in it.
	cloudflare bool
}

// NewResolver returns a resolver that believes X-Forwarded-For only from
// peers in trusted. CF-Connecting-IP is believed only when cloudflare says
// the site is behind Cloudflare, and then only from those same peers.
func NewResolver(trusted []netip.Prefix, cloudflare bool) Resolver {
	return Resolver{trusted: trusted, cloudflare: cloudflare}
}

func (r Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Resolve returns the client address given the connection's remote address
// ("host:port") and the request headers CF-Connecting-IP and X-Forwarded-For.
// It returns the zero Addr when remoteAddr cannot be parsed.
func (r Resolver) Resolve(remoteAddr, cfConnectingIP, xForwardedFor string) netip.Addr {
	peer := ParseHostPort(remoteAddr)
	if !peer.IsValid() || !r.isTrusted(peer) {
		return peer
	}
	if r.cloudflare {
		if a, err := netip.ParseAddr(strings.TrimSpace(cfConnectingIP)); err == nil {
			return a.WithZone("").Unmap()
		}
	}
	// X-Forwarded-For lists client, proxy1, proxy2…; each proxy appends the
	// peer it saw. Walk from the right and take the first hop that is not a
	// trusted proxy: everything left of it could have been written by the
	// client.
	hops := strings.Split(xForwardedFor, ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.WithZone("").Unmap()
		if !r.isTrusted(a) {
			return a
		}
	}
	return peer
}

// ParseHostPort parses "host:port" or a bare address as found in
// http.Request.RemoteAddr.
func ParseHostPort(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap()
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}

// Truncate keeps the network part of an address that the site may store: the
// /24 of an IPv4 address and the /48 of an IPv6 address. The zero Addr gives
// the zero Prefix.
func Truncate(a netip.Addr) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	a = a.WithZone("").Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

// RateKey is what a rate limit counts a client by: an IPv4 address as it is,
// and an IPv6 address by its /64. An IPv6 host is usually handed a whole /64
// and may use any address in it, so counting single addresses would give it
// billions of budgets. IPv4-mapped addresses count as IPv4. The zero Addr
// gives the zero Prefix.
func RateKey(a netip.Addr) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	a = a.WithZone("").Unmap()
	bits := 64
	if a.Is4() {
		bits = 32
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}
