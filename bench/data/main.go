// Command data is the data section of `make bench`: it fills a fresh
// database with years of consent events, contact messages, mail and audit
// entries, starts the site on it and times every staff page that reads them,
// and the retention purge, then adds a "## Data" section to
// bench/results.md and a "data" key to bench/results.json.
//
//	DATABASE_URL=$(scripts/db.sh start) go run ./bench/data [-events 10000000] [-messages 100000] [-runs 5] [-explain FILE]
//
// Filling 10 million events takes 16–28 minutes. To time the pages again
// on the same data (after a change to the site, or on a quieter machine),
// fill once with -purge=false and time with -reuse: the site is built from
// the checkout and migrates the database, which is otherwise left as it was.
//
// The site it starts is stopped before it returns, on failure too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"conpro/bench/internal/freshdb"
)

type options struct {
	data    dataSet
	runs    int    // timed requests per page, after one untimed
	explain string // where EXPLAIN (ANALYZE, BUFFERS) of each query goes; "" for none
	write   bool   // add the results to bench/results.md and .json
	// reuse times the database left by an earlier run as it is, without
	// dropping and filling it again (16–28 minutes at 10 million events);
	// purge times the retention purge, which deletes the oldest consent IDs.
	reuse, purge bool
	pages        *regexp.Regexp
	// database is created afresh on the cluster of DATABASE_URL; addr is
	// where the site listens; out holds its binary and log; results is the
	// folder of results.md and results.json.
	database, addr, out, results string
}

func main() {
	var o options
	flag.Int64Var(&o.data.events, "events", 10_000_000, "consent events in the log")
	flag.Int64Var(&o.data.messages, "messages", 100_000, "contact messages")
	flag.Int64Var(&o.data.audit, "audit", 50_000, "audit log entries")
	flag.IntVar(&o.data.days, "days", 730, "days the data spans, up to now")
	flag.IntVar(&o.runs, "runs", 7, "timed requests per page (after one untimed request)")
	flag.StringVar(&o.explain, "explain", "", "write EXPLAIN (ANALYZE, BUFFERS) of each staff query to this file")
	flag.BoolVar(&o.write, "write", true, "add the results to bench/results.md and bench/results.json")
	pagesRE := flag.String("pages", "", "time only the pages whose name matches this regular expression")
	flag.StringVar(&o.database, "database", "conpro_bench_data", "the database to create (dropped first if it exists)")
	flag.BoolVar(&o.reuse, "reuse", false, "time the database an earlier run filled, as it is (-events and the like must match that run)")
	flag.BoolVar(&o.purge, "purge", true, "time the retention purge (it deletes the consent IDs of the first 30 days)")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:18090", "where the site listens")
	flag.Parse()
	var err error
	if o.pages, err = regexp.Compile(*pagesRE); err != nil {
		fmt.Fprintln(os.Stderr, "bench-data: -pages:", err)
		os.Exit(2)
	}
	if o.data.events < 6 || o.data.messages < 0 || o.data.days < 31 || o.runs < 1 {
		fmt.Fprintln(os.Stderr, "bench-data: want -events ≥ 6, -messages ≥ 0, -days ≥ 31, -runs ≥ 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root, err := findRoot()
	if err == nil {
		o.out, o.results = filepath.Join(root, "bench", "out", "data"), filepath.Join(root, "bench")
		_, err = run(ctx, root, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-data: error:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench-data: "+format+"\n", args...)
}

// findRoot returns the checkout: the nearest folder up with a go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the checkout (no go.mod found)")
		}
		dir = parent
	}
}

// run does the whole bench and returns its report.
func run(ctx context.Context, root string, o options) (*report, error) {
	adminURL := os.Getenv("DATABASE_URL")
	if adminURL == "" {
		return nil, errors.New("DATABASE_URL is not set (make bench-data starts the local database)")
	}
	out := o.out
	if err := os.MkdirAll(filepath.Join(out, "spool"), 0o755); err != nil {
		return nil, err
	}
	rep := newReport(o)
	logf("building the site")
	bin := filepath.Join(out, "conpro")
	if _, err := runTool(ctx, 5*time.Minute, root, nil, "", "go", "build", "-o", bin, "./cmd/conpro"); err != nil {
		return nil, fmt.Errorf("build ./cmd/conpro: %w", err)
	}
	var dbURL string
	var err error
	if o.reuse {
		dbURL, err = freshdb.URL(adminURL, o.database)
	} else {
		dbURL, err = freshdb.Create(ctx, adminURL, o.database)
	}
	if err != nil {
		return nil, err
	}
	site := &site{root: root, bin: bin, out: out, databaseURL: dbURL, addr: o.addr}
	if err := site.start(ctx); err != nil {
		return nil, err
	}
	defer site.stop()
	conn, err := connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rep.Machine = describeMachine(ctx, conn)
	now := time.Now()
	if !o.reuse {
		logf("filling %s: %d consent events over %d days (%d consent IDs a day), %d messages, %d audit entries",
			o.database, o.data.events, o.data.days, o.data.idsPerDay(), o.data.messages, o.data.audit)
		begin := time.Now()
		if err := fill(ctx, conn, o.data, now, logf); err != nil {
			return nil, err
		}
		rep.FillSeconds = time.Since(begin).Seconds()
		logf("filled in %s", time.Since(begin).Round(time.Second))
	}
	if rep.Rows, err = countRows(ctx, conn); err != nil {
		return nil, err
	}
	if rep.Rows.ConsentEvents == 0 {
		return nil, fmt.Errorf("%s holds no consent events (run once without -reuse to fill it)", o.database)
	}
	logf("rows: %+v", rep.Rows)

	if o.explain != "" {
		if err := explainAll(ctx, conn, o.data, now, o.explain); err != nil {
			return nil, err
		}
		logf("plans written to %s", o.explain)
	}
	cookie, err := site.login(ctx, !o.reuse)
	if err != nil {
		return nil, err
	}
	probe, err := lookupProbe(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, p := range pages(probe, rep.Rows.ContactMessages) {
		if !o.pages.MatchString(p.name) {
			continue
		}
		t, err := site.timePage(ctx, cookie, p, o.runs)
		if err != nil {
			return nil, err
		}
		if t.Failed != "" {
			logf("%-40s failed %s", p.name, t.Failed)
		} else {
			logf("%-40s median %s, max %s (server %s, %s)", p.name, ms(t.Median), ms(t.Max), ms(t.ServerMedian), ms(t.ServerMax))
		}
		rep.Pages = append(rep.Pages, t)
	}
	if o.pages.MatchString("statistics") {
		if rep.LiveDay, err = timeLiveDay(ctx, conn, o.runs); err != nil {
			return nil, err
		}
		logf("a whole day counted live (yesterday, %d events): median %s, max %s; the pages counted %d events of today at %s",
			rep.LiveDay.DayEvents, ms(rep.LiveDay.Median), ms(rep.LiveDay.Max), rep.LiveDay.TodayEvents, rep.LiveDay.Clock)
	}
	if o.purge {
		if rep.Purge, err = site.timePurge(ctx, conn, o, now); err != nil {
			return nil, err
		}
	}
	if o.write {
		if err := rep.write(o.results); err != nil {
			return nil, err
		}
		logf("report: %s (## Data), %s (data)", filepath.Join(o.results, "results.md"), filepath.Join(o.results, "results.json"))
	}
	return rep, nil
}
