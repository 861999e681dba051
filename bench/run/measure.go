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
)

// measure runs the scenarios in order: the GET pages with their baselines
// side by side, then the POSTs, then pgbench.
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
			s := gets[j]
			if b.o.rounds > 1 {
				s.Key = fmt.Sprintf("privacy-round-%d", i+1)
				s.Name = fmt.Sprintf("%s, round %d", s.Name, i+1)
			}
			if err := b.load(ctx, s, b.o.roundD, "get", cookieArgs...); err != nil {
				return err
			}
			pair[j] = b.res.Scenarios[len(b.res.Scenarios)-1]
		}
		b.res.Rounds = append(b.res.Rounds, newRound(i+1, gets[order[0]].Server, pair[0].Result, pair[1].Result))
	}
	if b.o.rounds > 1 {
		med := medianRound(b.res.Rounds)
		for _, s := range b.res.Scenarios {
			if s.Key == fmt.Sprintf("privacy-round-%d", med.Round) {
				s.Key = "privacy"
				s.Name = fmt.Sprintf("%s (round %d: the median ratio of %d rounds)", gets[0].Name, med.Round, b.o.rounds)
				s.MedianOf, s.Memory = b.o.rounds, nil
				b.res.Scenarios = append(b.res.Scenarios, s)
			}
		}
	}
	if err := b.load(ctx, gets[2], b.o.duration, "get", cookieArgs...); err != nil {
		return err
	}
	home := scenario{Key: "home", Name: "GET / (no cookie: banner, gzip)", Server: serverSite, URL: "http://" + siteAddr + "/"}
	if err := b.load(ctx, home, b.o.duration, "get", "Accept-Encoding: gzip"); err != nil {
		return err
	}
	if err := b.loadPosts(ctx); err != nil {
		return err
	}
	if err := b.pgbench(ctx); err != nil {
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

func (b *bench) loadPosts(ctx context.Context) error {
	posts := []struct {
		s      scenario
		script string
		args   []string
	}{
		{scenario{Key: "consent", Name: "POST /consent (reject_all)", Server: serverSite, URL: "http://" + siteAddr + "/consent"}, "consent", nil},
		{scenario{Key: "contact", Name: "POST /contact (valid, one address each)", Server: serverSite, URL: "http://" + siteAddr + "/contact"}, "contact", []string{contactBody(b.token)}},
	}
	spoolDir := filepath.Join(b.out, "spool")
	for _, p := range posts {
		before, spooledBefore, err := b.snapshot(ctx, spoolDir)
		if err != nil {
			return err
		}
		if err := b.load(ctx, p.s, b.o.duration, p.script, p.args...); err != nil {
			return err
		}
		after, spooledAfter, err := b.snapshot(ctx, spoolDir)
		if err != nil {
			return err
		}
		r := b.res.Scenarios[len(b.res.Scenarios)-1].Result
		if p.s.Key == "consent" {
			spooled := spooledAfter - spooledBefore
			b.reconcile(p.s.Name, "consent_event", r, after.ConsentEvents-before.ConsentEvents+spooled, spooled)
		} else {
			b.reconcile(p.s.Name, "contact_message", r, after.ContactMessages-before.ContactMessages, 0)
			b.reconcile(p.s.Name, "mail_outbox", r, after.Outbox-before.Outbox, 0)
		}
	}
	return nil
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

func (b *bench) pgbench(ctx context.Context) error {
	logf("pgbench: single-row INSERTs into bench_consent (%s)", b.o.duration)
	r, err := runPgbench(ctx, b.tools.pgbench, b.root, b.benchURL, b.o)
	if err != nil {
		return err
	}
	c, err := b.db.settledCounts(ctx)
	if err != nil {
		return err
	}
	r.Rows = c.BenchConsent
	b.res.Pgbench = r
	return nil
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

// round is one paired round on GET /privacy: the site and the bare handler
// one after the other, under the same conditions as far as the machine
// allows.
type round struct {
	Round    int     `json:"round"`
	First    string  `json:"first"` // which server ran first
	SiteRPS  float64 `json:"site_rps"`
	BareRPS  float64 `json:"bare_rps"`
	RPSRatio float64 `json:"rps_ratio"` // site / bare
	P99Ratio float64 `json:"p99_ratio"` // site / bare
}

func newRound(n int, first string, site, bare wrkResult) round {
	return round{
		Round: n, First: first, SiteRPS: site.RPS, BareRPS: bare.RPS,
		RPSRatio: div(site.RPS, bare.RPS), P99Ratio: div(float64(site.Latency.P99), float64(bare.Latency.P99)),
	}
}

// medianRound returns the round with the median req/s ratio (the lower
// middle one of an even count).
func medianRound(rounds []round) round {
	sorted := slices.Clone(rounds)
	slices.SortFunc(sorted, func(a, b round) int { return cmp.Compare(a.RPSRatio, b.RPSRatio) })
	return sorted[(len(sorted)-1)/2]
}
