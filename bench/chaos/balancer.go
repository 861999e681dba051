package main

import (
	"bytes"
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
// A GET's answer is read whole before it is passed on, so that one cut off
// by a killed instance is tried again too (nginx would pass on the part it
// had and close the connection); a POST's is passed on as it comes.
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
		if res, err = b.transport.RoundTrip(out); err == nil && retry {
			err = readWhole(res)
		}
		if err == nil {
			res.Header.Set(instanceHeader, s.name)
			return res, nil
		}
		if !retry || req.Context().Err() != nil {
			break
		}
	}
	return nil, err
}

// readWhole reads res's body into memory.
func readWhole(res *http.Response) error {
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	return err
}

// maxBody is the largest request body the balancer takes: the load posts
// small forms.
const maxBody = 1 << 20

// bufferBodies reads each request's body whole before h sends it on, as
// nginx does by default (proxy_request_buffering on). Streamed, a body and
// its answer race in net/http: once the answer's header is written, the
// server drains and closes the request body, while the transport may still
// read it to see that it ends where Content-Length says; that read fails,
// the transport closes the connection to the instance, and the client gets
// a 502 or a connection cut in the middle of an answer the site gave
// (golang/go#40747). It happened in about one run in ten on a busy machine.
func bufferBodies(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		h.ServeHTTP(w, r)
	})
}

// serve answers on addr until ctx ends.
func (b *balancer) serve(ctx context.Context, addr string, logTo io.Writer) (stop func(), err error) {
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
		ErrorLog:  log.New(logTo, "proxy: ", log.Lmicroseconds),
	}
	srv := &http.Server{Handler: bufferBodies(proxy), ReadHeaderTimeout: 5 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx },
		ErrorLog: log.New(logTo, "server: ", log.Lmicroseconds)}
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
