// Command run is `make bench`: it starts the site on its own database, loads
// it with wrk from 127.0.0.1, measures the same load against a bare net/http
// handler and nginx serving identical bytes, and pgbench inserting the same
// rows the POSTs insert, then writes bench/results.md and bench/results.json.
//
//	DATABASE_URL=$(scripts/db.sh start) go run ./bench/run [-quick] [-d 10s] [-c 64] [-t 2] [-rounds 7] [-consent-rounds 5] [-round-d 5s]
//
// Everything it starts (the site, the baselines, nginx) is stopped before
// it returns, on failure too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"conpro/bench/internal/freshdb"
)

const (
	siteAddr  = "127.0.0.1:18080"
	bareAddr  = "127.0.0.1:18081"
	nginxAddr = "127.0.0.1:18082"
)

type options struct {
	duration    time.Duration
	connections int
	threads     int
	rounds      int           // paired rounds of the site and the bare handler on /privacy
	roundD      time.Duration // duration of each run in those rounds
	// paired rounds of POST /consent and pgbench, each run duration long
	consentRounds int
}

func main() {
	var o options
	quick := flag.Bool("quick", false, "3 s per run instead of 10 s (a smoke test; figures are rougher)")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "duration of each load run")
	flag.IntVar(&o.connections, "c", 64, "connections of each wrk run, and pgbench clients")
	flag.IntVar(&o.threads, "t", 2, "wrk and pgbench threads")
	flag.IntVar(&o.rounds, "rounds", 7, "paired rounds of the site and the bare handler on GET /privacy; the round with the median ratio counts")
	flag.DurationVar(&o.roundD, "round-d", 5*time.Second, "duration of each run in those rounds")
	flag.IntVar(&o.consentRounds, "consent-rounds", 5, "paired rounds of POST /consent and pgbench, each run -d long; the round with the median ratio counts")
	flag.Parse()
	if *quick {
		o.duration = 3 * time.Second
		o.rounds, o.consentRounds, o.roundD = 1, 1, 3*time.Second
	}
	o.rounds, o.consentRounds = max(o.rounds, 1), max(o.consentRounds, 1)
	if o.duration < time.Second || o.roundD < time.Second || o.connections < o.threads || o.threads < 1 {
		fmt.Fprintln(os.Stderr, "bench: want -d ≥ 1s, -round-d ≥ 1s and -c ≥ -t ≥ 1")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench: error:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func run(ctx context.Context, o options) error {
	b, err := newBench(o)
	if err != nil {
		return err
	}
	defer b.cleanup()
	start := time.Now()
	if err := b.setup(ctx); err != nil {
		return err
	}
	if err := b.measure(ctx); err != nil {
		return err
	}
	if err := b.stopSite(); err != nil {
		return err
	}
	b.cleanup()
	logf("done in %s", time.Since(start).Round(time.Second))
	return b.report()
}

// bench holds what one run started and measured.
type bench struct {
	o         options
	root, out string
	kids      children
	site      *child
	db        *benchDB
	nginxDir  string
	tools     struct{ nginx, pgbench string }
	benchURL  string
	cookie    string
	token     string
	page      recorded
	loadAvg   string // load average at the start
	res       results
}

func newBench(o options) (*bench, error) {
	root, err := findRoot()
	if err != nil {
		return nil, err
	}
	b := &bench{o: o, root: root, out: filepath.Join(root, "bench", "out")}
	if err := os.MkdirAll(filepath.Join(b.out, "spool"), 0o755); err != nil {
		return nil, err
	}
	return b, nil
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

// cleanup stops every process the bench started; it may run twice.
func (b *bench) cleanup() {
	b.kids.stopAll()
	if b.db != nil {
		b.db.close()
		b.db = nil
	}
	if b.nginxDir != "" {
		_ = os.RemoveAll(b.nginxDir)
		b.nginxDir = ""
	}
}

func (b *bench) setup(ctx context.Context) error {
	b.loadAvg = loadAverage()
	if err := b.findTools(ctx); err != nil {
		return err
	}
	for _, addr := range []string{siteAddr, bareAddr, nginxAddr} {
		if err := portFree(addr); err != nil {
			return err
		}
	}
	steps := []struct {
		what string
		do   func(context.Context) error
	}{
		{"preparing database " + benchDatabase, b.prepareDB},
		{"building and starting the site on " + siteAddr, b.startSite},
		{"getting a consent cookie, a form token and the /privacy response", b.prepareRequests},
		{"starting the baselines (net/http on " + bareAddr + ", nginx on " + nginxAddr + ")", b.startBaselines},
	}
	for _, s := range steps {
		logf("%s", s.what)
		if err := s.do(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) findTools(ctx context.Context) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk not found; run scripts/bench-deps.sh")
	}
	var err error
	if b.tools.nginx, err = nginxBinary(); err != nil {
		return err
	}
	b.tools.pgbench, err = pgbenchBinary(ctx)
	return err
}

func portFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s is taken (a bench left running?): %w", addr, err)
	}
	return ln.Close()
}

func (b *bench) prepareDB(ctx context.Context) error {
	adminURL := os.Getenv("DATABASE_URL")
	if adminURL == "" {
		return errors.New("DATABASE_URL is not set: run `make bench`, or DATABASE_URL=$(scripts/db.sh start) go run ./bench/run")
	}
	var err error
	b.benchURL, err = freshdb.Create(ctx, adminURL, benchDatabase)
	return err
}

func (b *bench) startSite(ctx context.Context) error {
	siteBin, _, err := buildBinaries(ctx, b.root, b.out)
	if err != nil {
		return err
	}
	b.site, err = startSite(b.root, siteBin, b.benchURL, b.out)
	if err != nil {
		return err
	}
	b.kids.add(b.site)
	if err := waitHTTP(ctx, b.site, "http://"+siteAddr+"/readyz", time.Minute); err != nil {
		return err
	}
	// /readyz answers once the schema is migrated: consent_event exists.
	if b.db, err = openBenchDB(ctx, b.benchURL); err != nil {
		return err
	}
	return b.db.createBenchTable(ctx)
}

var gzipHeader = http.Header{"Accept-Encoding": {"gzip"}}

func (b *bench) prepareRequests(ctx context.Context) error {
	client, base := newClient(), "http://"+siteAddr
	var err error
	if b.cookie, err = consentCookie(ctx, client, base); err != nil {
		return err
	}
	if b.token, err = contactToken(ctx, client, base); err != nil {
		return err
	}
	h := gzipHeader.Clone()
	h.Set("Cookie", b.cookie)
	if b.page, err = capturePage(ctx, client, base, "/privacy", h); err != nil {
		return err
	}
	// The home page's first render is cached by the site, like /privacy's.
	_, _, err = get(ctx, client, base+"/", gzipHeader)
	return err
}

func (b *bench) startBaselines(ctx context.Context) error {
	bare, err := startBare(filepath.Join(b.out, "baseline"), b.out, b.page)
	if err != nil {
		return err
	}
	b.kids.add(bare)
	if err := waitHTTP(ctx, bare, "http://"+bareAddr+"/privacy", 10*time.Second); err != nil {
		return err
	}
	nginx, dir, err := startNginx(b.tools.nginx, b.out, b.page)
	if err != nil {
		return err
	}
	b.nginxDir = dir
	b.kids.add(nginx)
	if err := waitHTTP(ctx, nginx, "http://"+nginxAddr+"/privacy", 10*time.Second); err != nil {
		return fmt.Errorf("%w (nginx's log: %s)", err, filepath.Join(dir, "error.log"))
	}
	return b.checkSameBytes(ctx)
}

// checkSameBytes makes sure both baselines answer with the site's body.
func (b *bench) checkSameBytes(ctx context.Context) error {
	client := newClient()
	for _, addr := range []string{bareAddr, nginxAddr} {
		body, resp, err := get(ctx, client, "http://"+addr+"/privacy", gzipHeader)
		if err != nil {
			return err
		}
		if string(body) != string(b.page.body) || resp.Header.Get("Content-Encoding") != b.page.Header.Get("Content-Encoding") {
			return fmt.Errorf("%s does not answer /privacy with the site's bytes", addr)
		}
	}
	return nil
}

// stopSite ends the site with SIGTERM, as in production, and expects a
// clean exit.
func (b *bench) stopSite() error {
	if b.site == nil {
		return nil
	}
	logf("stopping the site (SIGTERM)")
	if err := b.site.stop(30 * time.Second); err != nil {
		return err
	}
	var err error
	b.res.ServerLog, err = summariseLog(filepath.Join(b.out, "server.log"))
	return err
}
