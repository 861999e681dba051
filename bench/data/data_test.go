package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A small data bench, the same program as `make bench-data` with a few
// thousand rows: every staff page answers with what it must show, the
// server's own time is read from its access log, the purge deletes exactly
// the consent IDs whose last choice is past the cut-off, and the results
// land in a Data section of results.md (before the Go benchmarks) and under
// "data" in results.json, keeping what the load bench wrote there.
func TestDataBench_ASmallRunTimesEveryStaffPageAndThePurge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server and fills a database")
	}
	if os.Getenv("DATABASE_URL") == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts a local PostgreSQL")
	}
	root, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	results := filepath.Join(dir, "results")
	if err := os.MkdirAll(results, 0o755); err != nil {
		t.Fatal(err)
	}
	loadMD := "# Load bench\n\n## Results\n\n| scenario |\n\n## Go benchmarks (hot paths)\n\n```text\nBenchmarkX 1 ns/op\n```\n"
	if err := os.WriteFile(filepath.Join(results, "results.md"), []byte(loadMD), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(results, "results.json"), []byte(`{"date": "load bench"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	o := options{
		data:  dataSet{events: 6000, messages: 600, audit: 300, days: 730},
		runs:  2,
		write: true, purge: true, pages: regexp.MustCompile(""),
		database: "conpro_bench_data_test", addr: addr,
		out: filepath.Join(dir, "out"), results: results,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rep, err := run(ctx, root, o)
	if err != nil {
		t.Fatal(err)
	}

	want := rowCounts{ConsentEvents: 6000, ConsentIDs: 3000, ContactMessages: 600, Audit: 300}
	got := rep.Rows
	got.Outbox, got.LogSize = 0, ""
	if got != want {
		t.Errorf("rows %+v, want %+v", got, want)
	}
	if rep.Rows.Outbox == 0 {
		t.Error("no outbox rows")
	}
	if len(rep.Pages) != 11 {
		t.Errorf("%d pages timed, want 11", len(rep.Pages))
	}
	for _, p := range rep.Pages {
		if p.Failed != "" {
			t.Errorf("%s failed: %s", p.Name, p.Failed)
			continue
		}
		if p.ServerMedian <= 0 || p.ServerMax < p.ServerMedian || p.ServerMedian > p.Median || p.Max < p.Median {
			t.Errorf("%s: client median %s max %s, server median %s max %s", p.Name, p.Median, p.Max, p.ServerMedian, p.ServerMax)
		}
	}
	if pg := rep.Purge; pg.ExpectedEvents == 0 || pg.DeletedEvents < pg.ExpectedEvents || pg.Tombstones != pg.DeletedEvents || pg.LeftBehind != 0 {
		t.Errorf("the purge deleted %d consent log entries (counted %d before, > 0), left %d tombstones and %d IDs past the cut-off: %s",
			pg.DeletedEvents, pg.ExpectedEvents, pg.Tombstones, pg.LeftBehind, pg.RealOutput)
	}
	if l := rep.LiveDay; l.Runs != 2 || l.DayEvents == 0 || l.Median <= 0 || l.Max < l.Median || l.Clock == "" {
		t.Errorf("a whole day counted live: %+v", l)
	}
	if !strings.Contains(rep.Purge.DryOutput, "would delete:") {
		t.Errorf("dry run printed %q", rep.Purge.DryOutput)
	}

	md, err := os.ReadFile(filepath.Join(results, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	data, bench := strings.Index(string(md), "\n## Data\n"), strings.Index(string(md), "\n## Go benchmarks")
	if !strings.HasPrefix(string(md), "# Load bench\n") || data < 0 || bench < data {
		t.Errorf("results.md has no Data section before the Go benchmarks:\n%s", md)
	}
	for _, row := range []string{"| statistics, last 730 days (`/admin/statistieken?dagen=730`) |", "| consent lookup by ID", "| inbox, search in 600 messages", "| `conpro purge`, once |", "Counting a whole day the same way"} {
		if !strings.Contains(string(md), row) {
			t.Errorf("results.md lacks %q", row)
		}
	}
	var js map[string]json.RawMessage
	b, err := os.ReadFile(filepath.Join(results, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &js); err != nil || string(js["date"]) != `"load bench"` || js["data"] == nil || !strings.HasPrefix(string(b), `{"date": "load bench",`) {
		t.Errorf("results.json: %v\n%s", err, b)
	}

	// Timed again with -reuse -purge=false: the same rows, purged as the
	// first run left them, not filled again; the staff account is there.
	o.reuse, o.purge, o.pages = true, false, regexp.MustCompile("730 days")
	again, err := run(ctx, root, o)
	if err != nil {
		t.Fatal(err)
	}
	if again.Rows.ConsentEvents != rep.Rows.ConsentEvents-rep.Purge.DeletedEvents || len(again.Pages) != 1 || again.Pages[0].Failed != "" {
		t.Errorf("reused: %d events (want %d), pages %+v", again.Rows.ConsentEvents, rep.Rows.ConsentEvents-rep.Purge.DeletedEvents, again.Pages)
	}
	md, err = os.ReadFile(filepath.Join(results, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"reused as it was with `-reuse`", "purge was not timed in this run"} {
		if !strings.Contains(string(md), s) || strings.Count(string(md), "\n## Data\n") != 1 {
			t.Errorf("results.md after the reused run lacks %q or has two Data sections:\n%s", s, md)
		}
	}
}

// A second run replaces the Data section instead of adding another.
func TestWithSection_ReplacesAnEarlierDataSection(t *testing.T) {
	md := "# Load bench\n\ntext\n\n## Data\n\nold\n\n## Go benchmarks\n\nx\n"
	got := withSection(md, "## Data\n\nnew\n")
	want := "# Load bench\n\ntext\n\n## Data\n\nnew\n\n## Go benchmarks\n\nx\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if got := withSection("# Load bench\n", "## Data\n\nnew\n"); got != "# Load bench\n\n## Data\n\nnew\n" {
		t.Errorf("appended: %q", got)
	}
}
