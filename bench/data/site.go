package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	staffEmail = "bench@conpro-bouw.be"
	// The bench's staff password and cookie key: fixed, public values, good
	// for nothing else.
	staffPassword = "bench-only-password-not-a-secret"
)

var benchCookieKey = hex.EncodeToString([]byte("bench-only-key-not-a-secret-!!!!"))

func connect(ctx context.Context, databaseURL string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("connect to the bench's database: %w", err)
	}
	return conn, nil
}

// site is the conpro binary serving the bench's database, and the commands
// run against it.
type site struct {
	root, bin, out, databaseURL, addr string
	cmd                               *exec.Cmd
	done                              chan struct{}
}

// env is the site's configuration during the bench, with extra settings
// after. The access log is JSON: its duration is the server's own time.
func (s *site) env(extra ...string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONPRO_") && !strings.HasPrefix(kv, "DATABASE_URL=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"CONPRO_ADDR="+s.addr,
		"DATABASE_URL="+s.databaseURL,
		"CONPRO_COOKIE_KEY="+benchCookieKey,
		"CONPRO_SPOOL_DIR="+filepath.Join(s.out, "spool"),
		"CONPRO_LOG_FORMAT=json",
		"CONPRO_LOG_LEVEL=info",
	)
	return append(env, extra...)
}

func (s *site) logPath() string { return filepath.Join(s.out, "server.log") }

// start runs `conpro serve` (which migrates the empty database) and waits
// until it answers.
func (s *site) start(ctx context.Context) error {
	log, err := os.Create(s.logPath())
	if err != nil {
		return err
	}
	defer log.Close()
	s.cmd = exec.Command(s.bin, "serve")
	s.cmd.Dir, s.cmd.Env = s.root, s.env()
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start conpro: %w", err)
	}
	s.done = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			return fmt.Errorf("conpro exited before it answered (see %s)", s.logPath())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := client.Get("http://" + s.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("conpro did not answer /readyz within 60 s")
		}
	}
}

// stop sends SIGTERM and, after 10 s, kills the server's process group.
func (s *site) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// command runs a conpro subcommand against the bench's database.
func (s *site) command(ctx context.Context, stdin string, extraEnv []string, args ...string) (string, error) {
	return runTool(ctx, 30*time.Minute, s.root, s.env(extraEnv...), stdin, s.bin, args...)
}

// login makes the bench's staff account (or, in a database an earlier run
// made it in, sets its password) and returns its session cookie.
func (s *site) login(ctx context.Context, create bool) (string, error) {
	cmd := "add-user"
	if !create {
		cmd = "reset-password"
	}
	if _, err := s.command(ctx, staffPassword+"\n", nil, "admin", cmd, staffEmail); err != nil {
		return "", fmt.Errorf("conpro admin %s: %w", cmd, err)
	}
	form := url.Values{"email": {staffEmail}, "wachtwoord": {staffPassword}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.addr+"/admin/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noRedirect.Do(req)
	if err != nil {
		return "", fmt.Errorf("log in: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	for _, c := range resp.Cookies() {
		if c.Name == "conpro_staff" && c.Value != "" {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", fmt.Errorf("log in: status %d and no staff session cookie", resp.StatusCode)
}

var noRedirect = &http.Client{
	Timeout:       5 * time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// page is one staff page the bench times.
type page struct {
	name string
	path string
	want string // text the page must show, so an empty answer is not timed
}

// pages are the staff pages that read the log, the messages, the mail or
// the audit log; probe is a consent ID with three choices and a search term.
func pages(p probe, messages int64) []page {
	var list []page
	for _, d := range []int{7, 30, 90, 365, 730} {
		list = append(list, page{fmt.Sprintf("statistics, last %d days", d), fmt.Sprintf("/admin/statistieken?dagen=%d", d), "<table"})
	}
	return append(list,
		page{"consent lookup by ID", "/admin/toestemmingen?id=" + p.consentID, p.consentID},
		page{"inbox, all messages (its first view)", "/admin/berichten", "<table"},
		page{"inbox, open messages", "/admin/berichten?toon=open", "<table"},
		page{fmt.Sprintf("inbox, search in %d messages", messages), "/admin/berichten?zoek=" + url.QueryEscape(p.search), p.searchShows},
		page{"outbox (mail)", "/admin/mail", "<table"},
		page{"audit log", "/admin/audit", "<table"},
	)
}

// timing is how long one page took over several requests, as the client
// saw it and as the server logged it.
type timing struct {
	Name         string        `json:"name"`
	Path         string        `json:"path"`
	Runs         int           `json:"runs"`
	First        time.Duration `json:"first_ns"`
	Median       time.Duration `json:"median_ns"`
	Max          time.Duration `json:"max_ns"`
	ServerMedian time.Duration `json:"server_median_ns"`
	ServerMax    time.Duration `json:"server_max_ns"`
	Bytes        int           `json:"bytes"`
	Failed       string        `json:"failed,omitempty"` // why the page gave no answer to time
}

// timePage requests p once untimed (the first is also kept), then runs times.
func (s *site) timePage(ctx context.Context, cookie string, p page, runs int) (timing, error) {
	t := timing{Name: p.name, Path: p.path, Runs: runs}
	var client, server []time.Duration
	for i := 0; i <= runs; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.addr+p.path, nil)
		if err != nil {
			return t, err
		}
		req.Header.Set("Cookie", cookie)
		begin := time.Now()
		resp, err := noRedirect.Do(req)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		took := time.Since(begin)
		if err == nil && (resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(p.want))) {
			err = fmt.Errorf("status %d, want 200 with %q in the page", resp.StatusCode, p.want)
		}
		if err != nil {
			// A page slower than the server's write timeout has its
			// connection closed: that is a result, not the bench's failure.
			t.Failed = fmt.Sprintf("after %s: %v", took.Round(time.Millisecond), err)
			return t, nil
		}
		logged, err := s.loggedDuration(resp.Header.Get("X-Request-Id"))
		if err != nil {
			return t, fmt.Errorf("GET %s: %w", p.path, err)
		}
		t.Bytes = len(body)
		if i == 0 {
			t.First = took
			continue
		}
		client, server = append(client, took), append(server, logged)
	}
	t.Median, t.Max = median(client), slices.Max(client)
	t.ServerMedian, t.ServerMax = median(server), slices.Max(server)
	return t, nil
}

// loggedDuration finds the access-log line of request id in the server's
// log and returns its duration (the server's own time, in nanoseconds).
func (s *site) loggedDuration(id string) (time.Duration, error) {
	if id == "" {
		return 0, errors.New("no X-Request-Id in the answer")
	}
	needle := []byte(`"request_id":"` + id + `"`)
	for range 50 { // the line is written as the handler returns
		b, err := os.ReadFile(s.logPath())
		if err != nil {
			return 0, err
		}
		for line := range bytes.Lines(b) {
			if !bytes.Contains(line, needle) {
				continue
			}
			var rec struct {
				Duration int64 `json:"duration"`
			}
			if err := json.Unmarshal(line, &rec); err != nil {
				return 0, fmt.Errorf("access log line: %w", err)
			}
			return time.Duration(rec.Duration), nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, fmt.Errorf("no access-log line for request %s in %s", id, s.logPath())
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms" }

// purgeTiming is the retention purge on the full log: dry runs, then one
// real run that deletes a known slice.
type purgeTiming struct {
	RetainConsentDays int           `json:"retain_consent_days"`
	DryRuns           int           `json:"dry_runs"`
	DryMedian         time.Duration `json:"dry_median_ns"`
	DryMax            time.Duration `json:"dry_max_ns"`
	DryOutput         string        `json:"dry_output"`
	Real              time.Duration `json:"real_ns"`
	RealOutput        string        `json:"real_output"`
	ExpectedEvents    int64         `json:"expected_consent_events"` // counted just before, by GROUP BY … HAVING
	DeletedEvents     int64         `json:"deleted_consent_events"`
	Tombstones        int64         `json:"tombstones"`  // retention tombstones after the purge
	LeftBehind        int64         `json:"left_behind"` // IDs past the cut-off still in the log after it
}

var deletedEventsRE = regexp.MustCompile(`(\d+) consent log entries`)

// timePurge times `conpro purge -dry-run` and then `conpro purge`, both
// with consent kept for 30 days less than the data spans: the consent IDs
// of the first 30 days whose last choice is that old go.
func (s *site) timePurge(ctx context.Context, conn *pgx.Conn, o options, now time.Time) (purgeTiming, error) {
	p := purgeTiming{RetainConsentDays: o.data.days - 30, DryRuns: max(3, o.runs/2)}
	env := []string{fmt.Sprintf("CONPRO_RETAIN_CONSENT=%dd", p.RetainConsentDays)}
	if err := conn.QueryRow(ctx, `
		SELECT count(*) FROM consent_event WHERE consent_id IN (
			SELECT consent_id FROM consent_event GROUP BY consent_id
			HAVING max(chosen_at) < now() - $1 * interval '1 day')`, p.RetainConsentDays).Scan(&p.ExpectedEvents); err != nil {
		return p, fmt.Errorf("count the slice the purge deletes: %w", err)
	}
	var dry []time.Duration
	for range p.DryRuns {
		begin := time.Now()
		out, err := s.command(ctx, "", env, "purge", "-dry-run")
		if err != nil {
			return p, fmt.Errorf("conpro purge -dry-run: %w", err)
		}
		dry, p.DryOutput = append(dry, time.Since(begin)), strings.TrimSpace(out)
	}
	p.DryMedian, p.DryMax = median(dry), slices.Max(dry)
	logf("purge -dry-run: median %s, max %s: %s", ms(p.DryMedian), ms(p.DryMax), p.DryOutput)
	begin := time.Now()
	cutoff := begin.AddDate(0, 0, -p.RetainConsentDays)
	out, err := s.command(ctx, "", env, "purge")
	if err != nil {
		return p, fmt.Errorf("conpro purge: %w", err)
	}
	p.Real, p.RealOutput = time.Since(begin), strings.TrimSpace(out)
	if m := deletedEventsRE.FindStringSubmatch(p.RealOutput); m != nil {
		p.DeletedEvents, _ = strconv.ParseInt(m[1], 10, 64)
	}
	// The cut-off moves with the clock: the count before may miss an ID
	// that passed it since. What must hold: every removed entry left a
	// tombstone, and no ID past the cut-off of the purge's start is left.
	if err := conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM consent_tombstone WHERE reason = 'retention'),
		(SELECT count(*) FROM (SELECT consent_id FROM consent_event GROUP BY consent_id HAVING max(chosen_at) < $1) o)`,
		cutoff).Scan(&p.Tombstones, &p.LeftBehind); err != nil {
		return p, fmt.Errorf("check the purge: %w", err)
	}
	logf("purge: %s: %s (counted %d consent log entries before; %d tombstones; %d IDs past the cut-off left)",
		ms(p.Real), p.RealOutput, p.ExpectedEvents, p.Tombstones, p.LeftBehind)
	return p, nil
}

// runTool runs a command with a timeout and returns its standard output;
// a failure carries the end of its output.
func runTool(ctx context.Context, timeout time.Duration, dir string, env []string, stdin, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tail := stderr.String()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, tail)
	}
	return stdout.String(), nil
}
