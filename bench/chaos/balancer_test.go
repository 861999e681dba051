package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// An instance may start its answer before it has read the whole post (the
// site does not, but the balancer must not care): the answer still reaches
// the client whole, with the body the instance read.
func TestBalancer_APostAnsweredWhileItsBodyArrivesReachesTheClient(t *testing.T) {
	instance := serveOn(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.EnableFullDuplex()
		io.WriteString(w, "answering; ")
		_ = rc.Flush()
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "read %d bytes", len(body))
	}))

	lb := newBalancer(&site{name: "A", addr: instance})
	addr := freeAddr(t)
	stop, err := lb.serve(context.Background(), addr, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	body := strings.Repeat("x", 600)
	fmt.Fprintf(conn, "POST /contact HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n%s", addr, len(body), body[:300])
	// The rest of the body comes later, a little at a time, while the
	// answer has begun.
	time.Sleep(50 * time.Millisecond)
	for i := 300; i < len(body); i += 20 {
		io.WriteString(conn, body[i:i+20])
		time.Sleep(time.Millisecond)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	if want := "answering; read 600 bytes"; err != nil || resp.StatusCode != http.StatusOK || string(got) != want {
		t.Fatalf("%d %q, %v; want 200 %q", resp.StatusCode, got, err, want)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// A page whose answer an instance cuts off (killed while sending it) is
// asked of the other instance; the client gets the whole page.
func TestBalancer_AGetCutOffIsTriedOnTheOtherInstance(t *testing.T) {
	cut := serveOn(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// More than the balancer holds before it passes an answer on.
		w.Header().Set("Content-Length", "20000")
		io.WriteString(w, strings.Repeat("the first part ", 1000))
		http.NewResponseController(w).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	whole := serveOn(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "the whole page")
	}))
	lb := newBalancer(&site{name: "A", addr: cut}, &site{name: "B", addr: whole})
	addr := freeAddr(t)
	stop, err := lb.serve(context.Background(), addr, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	// A client of its own connection each time: Go's client asks again by
	// itself when a kept-alive connection closes before any answer.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range 2 { // the first try goes to each instance once
		resp, err := client.Get("http://" + addr + "/privacy")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(got) != "the whole page" || resp.Header.Get(instanceHeader) != "B" {
			t.Fatalf("%q from %q, %v; want the whole page from B", got, resp.Header.Get(instanceHeader), err)
		}
	}
}

// serveOn serves h on a free loopback port until the test ends.
func serveOn(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}
