// Command baseline is the bare net/http handler of the load bench: it answers
// every request with one recorded response (status, headers and body bytes,
// read from files at start), so that it costs only what net/http itself
// costs. bench/run records the response from the site and starts this
// program beside it.
//
//	baseline -addr 127.0.0.1:18081 -body privacy.body -headers privacy.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Recorded is the headers file: the status and header fields to replay.
type Recorded struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "address to listen on")
	bodyFile := flag.String("body", "", "file holding the response body bytes")
	headerFile := flag.String("headers", "", "JSON file holding the status and header fields")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *bodyFile, *headerFile); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr, bodyFile, headerFile string) error {
	body, rec, err := load(bodyFile, headerFile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           replay(rec, body),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func load(bodyFile, headerFile string) ([]byte, Recorded, error) {
	var rec Recorded
	body, err := os.ReadFile(bodyFile)
	if err != nil {
		return nil, rec, fmt.Errorf("read body: %w", err)
	}
	raw, err := os.ReadFile(headerFile)
	if err != nil {
		return nil, rec, fmt.Errorf("read headers: %w", err)
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, rec, fmt.Errorf("parse %s: %w", headerFile, err)
	}
	if rec.Status == 0 {
		rec.Status = http.StatusOK
	}
	return body, rec, nil
}

// replay writes the recorded response, whatever the request.
func replay(rec Recorded, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for k, v := range rec.Header {
			h[k] = v
		}
		w.WriteHeader(rec.Status)
		_, _ = w.Write(body)
	})
}
