package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// results is bench/results.json; bench/results.md says the same in prose.
type results struct {
	Date      string     `json:"date"`
	Machine   machine    `json:"machine"`
	Settings  settings   `json:"settings"`
	Scenarios []scenario `json:"scenarios"`
	Rounds    []round    `json:"privacy_rounds"`
	// ConsentRounds pair POST /consent with pgbench; Pgbench is the run of
	// the round with the median ratio, PgbenchRounds every run.
	ConsentRounds []round          `json:"consent_rounds"`
	Pgbench       pgbenchResult    `json:"pgbench"`
	PgbenchRounds []pgbenchResult  `json:"pgbench_rounds"`
	PeakRSSMB     float64          `json:"peak_rss_mb"`
	ServerLog     logSummary       `json:"server_log"`
	Ratios        []ratio          `json:"ratios"`
	Posts         []reconciliation `json:"posts"`
	Targets       []target         `json:"targets"`
}

type settings struct {
	DurationS     float64  `json:"duration_s"`
	Connections   int      `json:"connections"`
	Threads       int      `json:"threads"`
	Rounds        int      `json:"privacy_rounds"`
	ConsentRounds int      `json:"consent_rounds"`
	RoundS        float64  `json:"privacy_round_duration_s"`
	ServerEnv     []string `json:"server_env"`
	PageBytes     int      `json:"privacy_page_bytes"`
	PageHeaders   []string `json:"privacy_page_headers"`
}

type ratio struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

type target struct {
	Name string `json:"name"`
	Got  string `json:"got"`
	Met  bool   `json:"met"`
}

// report completes the results and writes them.
func (b *bench) report() error {
	b.completeResults()
	js, err := json.MarshalIndent(b.res, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Join(b.root, "bench")
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results.json: %w", err)
	}
	mdPath := filepath.Join(dir, "results.md")
	old, err := os.ReadFile(mdPath)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("read results.md: %w", err)
	}
	changes, others := earlierSections(string(old))
	md := renderMarkdown(b.res, changes) + others
	if err := os.WriteFile(mdPath, []byte(md), 0o644); err != nil {
		return fmt.Errorf("write results.md: %w", err)
	}
	fmt.Print(md)
	logf("wrote bench/results.md and bench/results.json")
	return nil
}

func (b *bench) completeResults() {
	r := &b.res
	r.Settings = settings{
		DurationS: b.o.duration.Seconds(), Connections: b.o.connections, Threads: b.o.threads, Rounds: b.o.rounds,
		ConsentRounds: b.o.consentRounds, RoundS: b.o.roundD.Seconds(),
		PageBytes: len(b.page.body),
	}
	for _, kv := range serverEnv(b.benchURL, "bench/out/spool") {
		if strings.HasPrefix(kv, "CONPRO_") && !strings.HasPrefix(kv, "CONPRO_COOKIE_KEY=") {
			r.Settings.ServerEnv = append(r.Settings.ServerEnv, kv)
		}
	}
	for k, vs := range b.page.Header {
		for _, v := range vs {
			r.Settings.PageHeaders = append(r.Settings.PageHeaders, k+": "+v)
		}
	}
	for _, s := range r.Scenarios {
		if s.Memory != nil {
			r.PeakRSSMB = max(r.PeakRSSMB, float64(s.Memory.HWMKB)/1024)
		}
	}
	r.Ratios = ratios(r)
	r.Targets = targets(r)
}

func (r *results) find(key, server string) wrkResult {
	for _, s := range r.Scenarios {
		if s.Key == key && s.Server == server {
			return s.Result
		}
	}
	return wrkResult{}
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ratios(r *results) []ratio {
	site, bare, nginx := r.find("privacy", serverSite), r.find("privacy", serverBare), r.find("privacy", serverNginx)
	home := r.find("home", serverSite)
	return []ratio{
		{"GET /privacy req/s: ours / bare net/http", div(site.RPS, bare.RPS)},
		{"GET /privacy p99: ours / bare net/http", div(float64(site.Latency.P99), float64(bare.Latency.P99))},
		{"GET / req/s: ours / bare net/http (baseline serves /privacy's bytes)", div(home.RPS, bare.RPS)},
		{"GET / p99: ours / bare net/http", div(float64(home.Latency.P99), float64(bare.Latency.P99))},
		{"GET /privacy req/s: ours / nginx", div(site.RPS, nginx.RPS)},
		{"GET /privacy p99: ours / nginx", div(float64(site.Latency.P99), float64(nginx.Latency.P99))},
		{"GET / req/s: ours / nginx", div(home.RPS, nginx.RPS)},
		{"GET /privacy req/s: bare net/http / nginx", div(bare.RPS, nginx.RPS)},
		{"POST /consent req/s / pgbench single-INSERT TPS", div(r.find("consent", serverSite).RPS, r.Pgbench.TPS)},
	}
}

func ratioValue(r *results, prefix string) float64 {
	for _, x := range r.Ratios {
		if strings.HasPrefix(x.Name, prefix) {
			return x.Value
		}
	}
	return 0
}

// targets are issue 7's, on this machine, from this run.
func targets(r *results) []target {
	var errs int64
	var which []string
	for _, s := range r.Scenarios {
		if s.Server == serverSite && s.MedianOf == 0 && s.Result.Errors.total() > 0 {
			errs += s.Result.Errors.total()
			which = append(which, s.Name)
		}
	}
	errGot := "0"
	if errs > 0 {
		errGot = fmt.Sprintf("%d (%s)", errs, strings.Join(which, "; "))
	}
	stored := true
	for _, p := range r.Posts {
		stored = stored && p.OK
	}
	ge := func(name, prefix string, want float64) target {
		v := ratioValue(r, prefix)
		return target{name, fmt.Sprintf("%.2f×", v), v >= want}
	}
	le := func(name, prefix string, want float64) target {
		v := ratioValue(r, prefix)
		return target{name, fmt.Sprintf("%.2f×", v), v > 0 && v <= want}
	}
	return []target{
		ge("GET /privacy req/s ≥ 0.9× bare net/http", "GET /privacy req/s: ours / bare", 0.9),
		le("GET /privacy p99 ≤ 1.5× bare net/http", "GET /privacy p99: ours / bare", 1.5),
		ge("GET / req/s ≥ 0.9× bare net/http", "GET / req/s: ours / bare", 0.9),
		le("GET / p99 ≤ 1.5× bare net/http", "GET / p99: ours / bare", 1.5),
		// Issue 7 asked for 0.5×, issue 18 for 0.8× with the limits counted
		// in PostgreSQL.
		ge("POST /consent ≥ 0.8× pgbench TPS", "POST /consent", 0.8),
		{"server RSS ≤ 60 MB under load (peak VmHWM)", fmt.Sprintf("%.1f MB", r.PeakRSSMB), r.PeakRSSMB > 0 && r.PeakRSSMB <= 60},
		{"zero errors (our four scenarios)", errGot, errs == 0},
		{"every acknowledged POST stored", strings.TrimSuffix(strings.TrimPrefix(yesNo(stored), "**"), "**"), stored},
	}
}

const changesHeading = "## What was changed"

const changesPlaceholder = `Nothing has been tuned by the bench itself: the figures above are the
server as it stands. Changes made to meet the targets, with their
before/after figures and what the profile showed, are recorded here.
`

// earlierSections returns, from an earlier results.md, the body of its
// "What was changed" section, which is written by hand (the placeholder if
// there is none), and the sections after it, which other benches and
// people wrote ("## Data", "## Photo processing"): the load bench rewrites
// only its own. The "## Go benchmarks" section is left out: make bench
// writes it afresh after every bench has run.
func earlierSections(old string) (changes, others string) {
	changes = changesPlaceholder
	_, rest, ok := strings.Cut(old, changesHeading+"\n")
	if !ok {
		return changes, ""
	}
	body := rest
	if i := strings.Index(rest, "\n## "); i >= 0 {
		body, rest = rest[:i+1], rest[i+1:]
	} else {
		rest = ""
	}
	if strings.TrimSpace(body) != "" {
		changes = strings.TrimSpace(body) + "\n"
	}
	for rest != "" {
		section := rest
		if i := strings.Index(rest[1:], "\n## "); i >= 0 {
			section, rest = rest[:i+2], rest[i+2:]
		} else {
			rest = ""
		}
		if !strings.HasPrefix(section, "## Go benchmarks") {
			others += "\n" + strings.TrimSpace(section) + "\n"
		}
	}
	return changes, others
}
