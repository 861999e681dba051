package main

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"
)

// scenario is one wrk run against one server.
type scenario struct {
	Key    string    `json:"key"`
	Name   string    `json:"name"`
	Server string    `json:"server"`
	URL    string    `json:"url"`
	Result wrkResult `json:"result"`
	// The site's memory right after its run (only for the site).
	Memory *memory `json:"server_memory_after,omitempty"`
	// MedianOf says this is the median of that many rounds listed before
	// it (a copy of one of them).
	MedianOf int `json:"median_of,omitempty"`
}

const (
	serverSite  = "conpro"
	serverBare  = "bare net/http"
	serverNginx = "nginx"
	// pgbench is the baseline of POST /consent, not a server.
	serverPgbench = "pgbench"
)

// measure runs the scenarios in order: the GET pages with their baselines
// side by side, then POST /consent in rounds with pgbench, then POST
// /contact.
func (b *bench) measure(ctx context.Context) error {
	cookieArgs := []string{"Accept-Encoding: gzip", "Cookie: " + b.cookie}
	gets := []scenario{
		{Key: "privacy", Name: "GET /privacy (consent cookie, gzip)", Server: serverSite, URL: "http://" + siteAddr + "/privacy"},
		{Key: "privacy", Name: "GET /privacy (consent cookie, gzip)", Server: serverBare, URL: "http://" + bareAddr + "/privacy"},
		{Key: "privacy", Name: "GET /privacy (consent cookie, gzip)", Server: serverNginx, URL: "http://" + nginxAddr + "/privacy"},
	}
	// A warm-up that is not measured: the site starts with a small heap and
	// its garbage collector settles its pace over the first seconds, which
	// the baselines (no allocation per request) do not need.
	logf("warm-up of the site (2 s, not measured)")
	warm := b.o
	warm.duration = 2 * time.Second
	if _, err := runWrk(ctx, b.root, warm, "get", gets[0].URL, cookieArgs...); err != nil {
		return err
	}
	// The site and the bare handler take turns, round after round, and
	// which of the two goes first alternates: the machine's pace drifts by
	// more than the difference between them (other tenants of the host), so
	// one run each says little, and a drift within a round would otherwise
	// always favour the same one. Each round gives a ratio; the round with
	// the median ratio counts. Every round is listed.
	for i := range b.o.rounds {
		order := []int{0, 1}
		if i%2 == 1 {
			order = []int{1, 0}
		}
		var pair [2]scenario
		for _, j := range order {
			s := inRound(gets[j], i, b.o.rounds)
			if err := b.load(ctx, s, b.o.roundD, "get", cookieArgs...); err != nil {
				return err
			}
			pair[j] = b.res.Scenarios[len(b.res.Scenarios)-1]
		}
		b.res.Rounds = append(b.res.Rounds, newRound(i+1, gets[order[0]].Server, pair[0].Result, pair[1].Result))
	}
	b.countMedian(gets[0], b.res.Rounds)
	if err := b.load(ctx, gets[2], b.o.duration, "get", cookieArgs...); err != nil {
		return err
	}
	home := scenario{Key: "home", Name: "GET / (no cookie: banner, gzip)", Server: serverSite, URL: "http://" + siteAddr + "/"}
	if err := b.load(ctx, home, b.o.duration, "get", "Accept-Encoding: gzip"); err != nil {
		return err
	}
	if err := b.consentRounds(ctx); err != nil {
		return err
	}
	contact := scenario{Key: "contact", Name: "POST /contact (valid, one address each)", Server: serverSite, URL: "http://" + siteAddr + "/contact"}
	if err := b.post(ctx, contact, b.o.duration, "contact", contactBody(b.token)); err != nil {
		return err
	}
	return b.describe(ctx)
}

// load runs one wrk scenario for d and, for the site, samples its memory
// after.
func (b *bench) load(ctx context.Context, s scenario, d time.Duration, script string, args ...string) error {
	logf("%s on %s (%s)", s.Name, s.Server, d)
	o := b.o
	o.duration = d
	r, err := runWrk(ctx, b.root, o, script, s.URL, args...)
	if err != nil {
		return err
	}
	s.Result = r
	if s.Server == serverSite {
		m, err := readMemory(b.site.pid())
		if err != nil {
			return fmt.Errorf("server memory: %w", err)
		}
		s.Memory = &m
		if b.site.exited() {
			return fmt.Errorf("the site exited during %s (see bench/out/server.log)", s.Name)
		}
	}
	b.res.Scenarios = append(b.res.Scenarios, s)
	return nil
}

// reconciliation compares what wrk saw acknowledged with the rows stored.
type reconciliation struct {
	Scenario     string `json:"scenario"`
	Table        string `json:"table"`
	Acknowledged int64  `json:"acknowledged"` // 2xx/3xx answers (303 here)
	Rows         int64  `json:"rows_added"`   // including any spooled consent choices
	Spooled      int64  `json:"spooled"`
	InFlight     int64  `json:"in_flight_allowance"`
	OK           bool   `json:"ok"`
}

// post runs one POST scenario for d and reconciles what wrk saw
// acknowledged with the rows stored.
func (b *bench) post(ctx context.Context, s scenario, d time.Duration, script string, args ...string) error {
	spoolDir := filepath.Join(b.out, "spool")
	before, spooledBefore, err := b.snapshot(ctx, spoolDir)
	if err != nil {
		return err
	}
	if err := b.load(ctx, s, d, script, args...); err != nil {
		return err
	}
	after, spooledAfter, err := b.snapshot(ctx, spoolDir)
	if err != nil {
		return err
	}
	r := b.res.Scenarios[len(b.res.Scenarios)-1].Result
	if script == "consent" {
		spooled := spooledAfter - spooledBefore
		b.reconcile(s.Name, "consent_event", r, after.ConsentEvents-before.ConsentEvents+spooled, spooled)
	} else {
		b.reconcile(s.Name, "contact_message", r, after.ContactMessages-before.ContactMessages, 0)
		b.reconcile(s.Name, "mail_outbox", r, after.Outbox-before.Outbox, 0)
	}
	return nil
}

// consentRounds has POST /consent and pgbench's single-row INSERTs take
// turns, round after round, the first of the pair alternating, as the site
// and the bare handler do on GET /privacy: one run of each drifted with the
// machine's pace by more than the target's margin (0.70× to 0.84× in four
// runs of the same code). Each run is as long as the other scenarios' (-d),
// so that the consent chain, which links the new events every 10 s, does
// its work within the site's run; each run starts once the chain has linked
// what the last one stored and the database has written a checkpoint and
// finished any vacuum (benchDB.settle), so that neither pays for the
// other's work, and pgbench starts on an empty table. The round with the
// median ratio counts.
func (b *bench) consentRounds(ctx context.Context) error {
	site := scenario{Key: "consent", Name: "POST /consent (reject_all)", Server: serverSite, URL: "http://" + siteAddr + "/consent"}
	n := b.o.consentRounds
	var pgbenchRuns []pgbenchResult
	for i := range n {
		s := inRound(site, i, n)
		var siteRun wrkResult
		var pgbenchRun pgbenchResult
		runSite := func() error {
			if err := b.db.settle(ctx); err != nil {
				return err
			}
			if err := b.post(ctx, s, b.o.duration, "consent"); err != nil {
				return err
			}
			siteRun = b.res.Scenarios[len(b.res.Scenarios)-1].Result
			return nil
		}
		runPgbench := func() (err error) {
			if err := b.db.settle(ctx); err != nil {
				return err
			}
			pgbenchRun, err = b.pgbench(ctx, b.o.duration)
			return err
		}
		first, runs := serverSite, []func() error{runSite, runPgbench}
		if i%2 == 1 {
			first, runs = serverPgbench, []func() error{runPgbench, runSite}
		}
		for _, run := range runs {
			if err := run(); err != nil {
				return err
			}
		}
		pgbenchRuns = append(pgbenchRuns, pgbenchRun)
		b.res.ConsentRounds = append(b.res.ConsentRounds, newRound(i+1, first, siteRun, wrkResult{RPS: pgbenchRun.TPS}))
	}
	b.res.PgbenchRounds = pgbenchRuns
	b.res.Pgbench = pgbenchRuns[b.countMedian(site, b.res.ConsentRounds).Round-1]
	return nil
}

// inRound names scenario s as run in round i (from 0) of n, when there
// are several.
func inRound(s scenario, i, n int) scenario {
	if n > 1 {
		s.Key = fmt.Sprintf("%s-round-%d", s.Key, i+1)
		s.Name = fmt.Sprintf("%s, round %d", s.Name, i+1)
	}
	return s
}

// countMedian finds the round with the median ratio and, when there are
// several, lists the runs of s in it once more under s's own key: the one
// the ratios and targets use.
func (b *bench) countMedian(s scenario, rounds []round) round {
	med := medianRound(rounds)
	if n := len(rounds); n > 1 {
		key := inRound(s, med.Round-1, n).Key
		for _, x := range b.res.Scenarios {
			if x.Key == key {
				x.Key = s.Key
				x.Name = fmt.Sprintf("%s (round %d: the median ratio of %d rounds)", s.Name, med.Round, n)
				x.MedianOf, x.Memory = n, nil
				b.res.Scenarios = append(b.res.Scenarios, x)
			}
		}
	}
	return med
}

func (b *bench) snapshot(ctx context.Context, spoolDir string) (rowCounts, int64, error) {
	c, err := b.db.settledCounts(ctx)
	if err != nil {
		return c, 0, err
	}
	n, err := spooledEvents(spoolDir)
	return c, n, err
}

// reconcile: every acknowledged post must have its row. A few more rows are
// fine: requests still in flight when wrk stopped (at most one per
// connection) or whose answer timed out were stored without wrk counting
// them.
func (b *bench) reconcile(name, table string, r wrkResult, rows, spooled int64) {
	allow := int64(b.o.connections) + r.Errors.Timeout + r.Errors.Read
	ack := r.acknowledged()
	b.res.Posts = append(b.res.Posts, reconciliation{
		Scenario: name, Table: table, Acknowledged: ack, Rows: rows, Spooled: spooled,
		InFlight: allow, OK: rows >= ack && rows-ack <= allow,
	})
}

// pgbench runs pgbench's single-row INSERTs for d into an empty
// bench_consent; its Rows are the rows it added. Empty, while the site's log
// keeps what every round stored: the table the earlier rounds had grown
// slowed pgbench by a quarter (8,700 TPS empty, 6,000 at 170,000 rows),
// which flattered the site's later rounds.
func (b *bench) pgbench(ctx context.Context, d time.Duration) (pgbenchResult, error) {
	logf("pgbench: single-row INSERTs into bench_consent (%s)", d)
	if err := b.db.emptyBenchTable(ctx); err != nil {
		return pgbenchResult{}, err
	}
	before, err := b.db.settledCounts(ctx)
	if err != nil {
		return pgbenchResult{}, err
	}
	o := b.o
	o.duration = d
	r, err := runPgbench(ctx, b.tools.pgbench, b.root, b.benchURL, o)
	if err != nil {
		return r, err
	}
	after, err := b.db.settledCounts(ctx)
	if err != nil {
		return r, err
	}
	r.Rows = after.BenchConsent - before.BenchConsent
	return r, nil
}

// describe records the machine and the tools' versions.
func (b *bench) describe(ctx context.Context) error {
	version, err := b.db.serverVersion(ctx)
	if err != nil {
		return err
	}
	b.res.Machine = describeMachine(ctx, b.tools.nginx, b.tools.pgbench, version, b.loadAvg)
	b.res.Date = time.Now().Format("2006-01-02 15:04 MST")
	return nil
}

// round is one paired round: the site and its baseline (the bare handler on
// GET /privacy, pgbench for POST /consent) one after the other, under the
// same conditions as far as the machine allows.
type round struct {
	Round    int     `json:"round"`
	First    string  `json:"first"` // which ran first
	SiteRPS  float64 `json:"site_rps"`
	BaseRPS  float64 `json:"baseline_rps"` // req/s, or pgbench's TPS
	RPSRatio float64 `json:"rps_ratio"`    // site / baseline
	// P99Ratio is site / baseline; 0 against pgbench, which gives no p99.
	P99Ratio float64 `json:"p99_ratio,omitempty"`
}

func newRound(n int, first string, site, base wrkResult) round {
	return round{
		Round: n, First: first, SiteRPS: site.RPS, BaseRPS: base.RPS,
		RPSRatio: div(site.RPS, base.RPS), P99Ratio: div(float64(site.Latency.P99), float64(base.Latency.P99)),
	}
}

// medianRound returns the round with the median req/s ratio (the lower
// middle one of an even count).
func medianRound(rounds []round) round {
	sorted := slices.Clone(rounds)
	slices.SortFunc(sorted, func(a, b round) int { return cmp.Compare(a.RPSRatio, b.RPSRatio) })
	return sorted[(len(sorted)-1)/2]
}
