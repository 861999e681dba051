package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A small chaos run, the same program as `make chaos` with fewer requests:
// two instances behind a balancer, PostgreSQL goes down and up, one
// instance is killed and the other restarted during the load; nothing the
// site acknowledged may be missing afterwards, and the limits hold across
// both instances.
func TestChaos_ASmallRunLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server and runs a private PostgreSQL cluster")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	o := options{
		requests: 800, min: 800, workers: 8,
		duration: 8 * time.Second, outage: 2 * time.Second,
		addr: addr, activate: true, out: filepath.Join(dir, "out"), report: filepath.Join(dir, "chaos.md"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ok, err := run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(o.report)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("the chaos run failed a check:\n%s", report)
	}
	for _, want := range []string{"| database down | POST /consent |", "| server restart |", "| instance killed |", "0 missing, 0 duplicates", "the limits hold across both instances | pass"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
}
