package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"sync/atomic"
	"time"
)

// balancer spreads requests over the instances in turn, as a load balancer
// in front of several instances of the site does. Like nginx's default
// (proxy_next_upstream error), a GET or HEAD that an instance fails below
// HTTP is tried once on the next instance; a POST is not, since the failed
// instance may have done it: its client gets a 502 and no acknowledgement.
type balancer struct {
	instances []*site
	next      atomic.Uint64
	transport http.RoundTripper
}

// instanceHeader names, in each answer, the instance that gave it.
const instanceHeader = "X-Chaos-Instance"

func newBalancer(instances ...*site) *balancer {
	return &balancer{instances: instances, transport: &http.Transport{
		// A connection of its own per request: a kept-alive connection that
		// an instance closes as it drains for a restart would race the next
		// POST sent on it (a 502 no fault of the site's); a new connection
		// waits in the instance's socket queue until a process accepts it.
		DisableKeepAlives:     true,
		ResponseHeaderTimeout: 30 * time.Second,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}}
}

// RoundTrip sends a request to the next instance.
func (b *balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	first := int(b.next.Add(1))
	retry := req.Method == http.MethodGet || req.Method == http.MethodHead
	var err error
	for try := range len(b.instances) {
		s := b.instances[(first+try)%len(b.instances)]
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host = "http", s.addr
		var res *http.Response
		if res, err = b.transport.RoundTrip(out); err == nil {
			res.Header.Set(instanceHeader, s.name)
			return res, nil
		}
		if !retry || req.Context().Err() != nil {
			break
		}
	}
	return nil, err
}

// serve answers on addr until ctx ends.
func (b *balancer) serve(ctx context.Context, addr string) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("balancer: %w", err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// The visitor's address as the load set it, then the client's:
			// the site trusts 127.0.0.1 as a proxy.
			pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
			pr.SetXForwarded()
			pr.Out.Host = pr.In.Host
		},
		Transport: b,
		// A 502 is counted by the load; the log would only repeat it.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 5 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logf("balancer: %v", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
