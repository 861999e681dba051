package logging_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"conpro/internal/logging"
)

// line writes one access-log line both ways, through Request and through
// the handler, and returns the two lines.
func line(t *testing.T, json bool, q logging.Request) (fast, handler string) {
	t.Helper()
	var a, b bytes.Buffer
	la := logging.New(&a, logging.Options{JSON: json, Level: slog.LevelDebug})
	la.Request(context.Background(), q)
	lb := logging.New(&b, logging.Options{JSON: json, Level: slog.LevelDebug})
	r := slog.NewRecord(q.Time, q.Level, "request", 0)
	r.AddAttrs(
		slog.String("request_id", q.ID), slog.String("method", q.Method), slog.String("route", q.Route),
		slog.String("path", q.Path), slog.Int("status", q.Status), slog.Int("bytes", q.Bytes),
		slog.Duration("duration", q.Duration), slog.String("client", clientText(q.Client)),
	)
	if err := lb.Handler().Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if err := la.Close(); err != nil {
		t.Fatal(err)
	}
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}
	return a.String(), b.String()
}

// An access-log line is the line the handler writes for the same record,
// byte for byte, in text and in JSON, whatever the values (a path with
// spaces, quotes or other scripts takes the handler's way).
func TestRequest_WritesTheHandlersLine(t *testing.T) {
	at := time.Date(2026, 12, 3, 15, 4, 5, 678_901_234, time.UTC)
	cases := []logging.Request{
		{Time: at, Level: slog.LevelInfo, ID: "9beaeabf1a814545", Method: "GET", Route: "/privacy", Path: "/privacy", Status: 200, Bytes: 6218, Duration: 1234567 * time.Nanosecond, Client: netip.MustParsePrefix("127.0.0.0/24")},
		{Time: at.Add(-678 * time.Millisecond), Level: slog.LevelError, ID: "00", Method: "POST", Route: "/admin/berichten/{id}", Path: "/admin/berichten/12", Status: 500, Bytes: 0, Duration: 3 * time.Second, Client: netip.MustParsePrefix("2001:db8::/48")},
		{Time: at, Level: slog.LevelInfo, ID: "ab", Method: "GET", Route: "unmatched", Path: "", Status: 404, Bytes: 10, Duration: 800 * time.Nanosecond},
		{Time: at, Level: slog.LevelInfo, ID: "ab", Method: "GET", Route: "/static/*", Path: `/static/a b"c\d=e`, Status: 404, Bytes: 10, Duration: time.Microsecond, Client: netip.MustParsePrefix("127.0.0.0/24")},
		{Time: at, Level: slog.LevelInfo, ID: "ab", Method: "GET", Route: "/{slug}", Path: "/réalisations<&>", Status: 200, Bytes: 1, Duration: time.Hour, Client: netip.MustParsePrefix("127.0.0.0/24")},
	}
	for _, q := range cases {
		for _, json := range []bool{false, true} {
			fast, handler := line(t, json, q)
			if fast != handler {
				t.Errorf("json %v:\n got  %q\n want %q", json, fast, handler)
			}
		}
	}
}

func clientText(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

func FuzzRequestLine(f *testing.F) {
	f.Add(int64(1796311049123456789), "9beaeabf1a814545", "GET", "/privacy", "/privacy", 200, 6218, int64(1234567), []byte{127, 0, 0, 0}, false)
	f.Add(int64(0), "", "PO ST", "/x", "/a=b", 500, 0, int64(-5), []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, unixNano int64, id, method, route, path string, status, n int, d int64, ip []byte, json bool) {
		addr, _ := netip.AddrFromSlice(ip)
		client, _ := addr.Prefix(24)
		if addr.Is6() {
			client, _ = addr.Prefix(48)
		}
		at := time.Unix(0, unixNano).UTC()
		if y := at.Year(); y < 0 || y >= 10000 {
			return // the handler writes an error there; the server logs now
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		q := logging.Request{Time: at, Level: level, ID: id, Method: method, Route: route, Path: path, Status: status, Bytes: n, Duration: time.Duration(d), Client: client}
		fast, handler := line(t, json, q)
		if fast != handler {
			t.Fatalf("json %v:\n got  %q\n want %q", json, fast, handler)
		}
	})
}
