package main

import (
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// tally counts the answers of one kind of request in one phase.
type tally struct {
	sent, ack int
	statuses  map[int]int
	failures  map[string]int
	latencies []time.Duration
}

func (t *tally) add(r result) {
	if t.statuses == nil {
		t.statuses, t.failures = map[int]int{}, map[string]int{}
	}
	t.sent++
	if r.ack {
		t.ack++
	}
	if r.status != 0 {
		t.statuses[r.status]++
	}
	if r.failure != "" {
		t.failures[r.failure]++
	}
	t.latencies = append(t.latencies, r.end.Sub(r.start))
}

func (t *tally) rate() float64 {
	if t.sent == 0 {
		return 1
	}
	return float64(t.ack) / float64(t.sent)
}

func (t *tally) percentile(p float64) time.Duration {
	if len(t.latencies) == 0 {
		return 0
	}
	s := slices.Clone(t.latencies)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func (t *tally) answers() string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(t.statuses)) {
		parts = append(parts, fmt.Sprintf("%d×%d", t.statuses[code], code))
	}
	for _, f := range slices.Sorted(maps.Keys(t.failures)) {
		parts = append(parts, fmt.Sprintf("%d× %s", t.failures[f], f))
	}
	return strings.Join(parts, ", ")
}

type check struct {
	what string
	ok   bool
	got  string
}

type report struct {
	o        options
	tl       *timeline
	at       time.Time
	load     string
	total    int
	tallies  map[string]map[kind]*tally // phase → kind
	rec      reconciliation
	limits   limitCheck
	readyLag time.Duration // from PostgreSQL up to the first /readyz 200
	ready503 int           // /readyz 503 answers while PostgreSQL was down
	ready200 int           // /readyz 200 answers while PostgreSQL was down
	exit     string
	checks   []check
}

func buildReport(o options, l *load, tl *timeline, probe *readyProbe, rec reconciliation, limits limitCheck, finalExit string) *report {
	r := &report{o: o, tl: tl, at: time.Now().UTC(), rec: rec, limits: limits, exit: finalExit, tallies: map[string]map[kind]*tally{}}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	for _, res := range l.results {
		ph := tl.phase(res)
		if r.tallies[ph] == nil {
			r.tallies[ph] = map[kind]*tally{}
		}
		t := r.tallies[ph][res.kind]
		if t == nil {
			t = &tally{}
			r.tallies[ph][res.kind] = t
		}
		t.add(res)
		r.total++
	}
	r.readyLag = -1
	for _, a := range probe.seen {
		switch {
		case a.at.After(tl.dbDown) && a.at.Before(tl.dbStart) && a.status == 503:
			r.ready503++
		case a.at.After(tl.dbDown) && a.at.Before(tl.dbStart) && a.status == 200:
			r.ready200++
		case a.at.After(tl.dbUp) && a.status == 200 && r.readyLag < 0:
			r.readyLag = a.at.Sub(tl.dbUp)
		}
	}
	r.checks = r.evaluate()
	return r
}

func (r *report) sum(phase string, k kind) *tally {
	if t := r.tallies[phase][k]; t != nil {
		return t
	}
	return &tally{}
}

// unexpected counts answers no fault excuses: 5xx other than the
// documented 503 of a post while the database is down, or the balancer's
// 502 for a post the killed instance was doing, and failures below HTTP
// other than a post's answer the kill cut off; without socket activation,
// connections refused while the server restarts are excused (nothing
// listens between the two processes).
func (r *report) unexpected() (serverErrors, broken int) {
	for ph, byKind := range r.tallies {
		for k, t := range byKind {
			for code, n := range t.statuses {
				downPost := code == 503 && (ph == phaseDB || ph == phaseKill) && k != getPage
				killedPost := code == 502 && ph == phaseKill && k != getPage
				if code >= 500 && !downPost && !killedPost {
					serverErrors += n
				}
			}
			for f, n := range t.failures {
				refused := ph == phaseRestart && f == "connection refused" && !r.o.activate
				cut := ph == phaseKill && f == "connection closed mid-request" && k != getPage
				if !refused && !cut {
					broken += n
				}
			}
		}
	}
	return serverErrors, broken
}

func (r *report) evaluate() []check {
	getDB := r.sum(phaseDB, getPage)
	getKill := r.sum(phaseKill, getPage)
	serverErrors, broken := r.unexpected()
	rec := r.rec
	return []check{
		{fmt.Sprintf("at least %d requests", r.o.min), r.total >= r.o.min, fmt.Sprint(r.total)},
		{"page GETs while PostgreSQL is down: ≥ 99 % answered 200", getDB.sent > 0 && getDB.rate() >= 0.99,
			fmt.Sprintf("%.2f %% of %d", 100*getDB.rate(), getDB.sent)},
		{"page GETs while an instance is killed and starting again: ≥ 99 % answered 200", getKill.sent > 0 && getKill.rate() >= 0.99,
			fmt.Sprintf("%.2f %% of %d", 100*getKill.rate(), getKill.sent)},
		{"no 5xx except a post's 503 while PostgreSQL is down, and a 502 for the posts the killed instance was doing", serverErrors == 0, fmt.Sprint(serverErrors)},
		{r.brokenCheck(), broken == 0, fmt.Sprint(broken)},
		{"every acknowledged consent stored exactly once, the killed instance's spool included",
			len(rec.consentMissing) == 0 && rec.consentDup == 0 && r.tl.spooledAtKill > 0,
			fmt.Sprintf("%d acknowledged, %d found, %d missing, %d duplicates; %d in the killed instance's spool", rec.consentAcked, rec.consentFound, len(rec.consentMissing), rec.consentDup, r.tl.spooledAtKill)},
		{"every acknowledged message stored exactly once, with its notification",
			len(rec.contactMissing) == 0 && rec.contactDup == 0 && rec.contactNoMail == 0,
			fmt.Sprintf("%d acknowledged, %d found, %d missing, %d duplicates, %d without mail", rec.contactAcked, rec.contactFound, len(rec.contactMissing), rec.contactDup, rec.contactNoMail)},
		{"spool empty after the replay", rec.spoolLeft == 0, fmt.Sprintf("%d files", rec.spoolLeft)},
		{"/readyz 503 while PostgreSQL is down, 200 again after", r.ready503 > 0 && r.ready200 == 0 && r.readyLag >= 0,
			r.readyDetail()},
		{"the limits hold across both instances", r.limits.held(), r.limits.String()},
		{"each instance drains and exits 0 on SIGTERM (restart and end)", r.tl.srvExit == "exit 0" && r.exit == "exit 0; exit 0",
			fmt.Sprintf("restart: %s; end: %s", r.tl.srvExit, r.exit)},
	}
}

func (r *report) brokenCheck() string {
	if r.o.activate {
		return "no refused or broken connection, no timeout (but for a post's answer the killed instance was sending)"
	}
	return "no broken connection or timeout (but for a post's answer the killed instance was sending, and refused connections during the restart)"
}

func (r *report) mode() string {
	if r.o.activate {
		return "The chaos program holds the listening socket and passes it to each server process (socket activation, as systemd does), so connections that arrive during the restart wait instead of being refused."
	}
	return "Each server process listens itself (-socket-activation=false): between the old process closing its socket and the new one opening it, connections are refused."
}

func (r *report) readyDetail() string {
	return fmt.Sprintf("%d×503, %d×200 while down; %s", r.ready503, r.ready200, r.readyAgain())
}

func (r *report) readyAgain() string {
	if r.readyLag < 0 {
		return "never ready again"
	}
	return fmt.Sprintf("ready %s after PostgreSQL was up", r.readyLag.Round(time.Millisecond))
}

func (r *report) passed() bool {
	for _, c := range r.checks {
		if !c.ok {
			return false
		}
	}
	return true
}

func (r *report) offset(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return fmt.Sprintf("%.2f s", t.Sub(r.tl.t0).Seconds())
}

func (r *report) markdown() string {
	var b strings.Builder
	tl := r.tl
	fmt.Fprintf(&b, "# Chaos run\n\n")
	fmt.Fprintf(&b, "`make chaos` (`bench/chaos`), %s. %d CPUs, %s, load average after the run %s.\n\n",
		r.at.Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.Version(), r.load)
	fmt.Fprintf(&b, "Two instances of the site share one database behind a load balancer on 127.0.0.1 (round robin; each request read whole before it is passed on, as nginx does, and each GET's answer too; a GET an instance fails or cuts off is tried on the other, a POST is not), each with its own spool folder. A mixed load of %d requests spread over %s by %d clients (of every 20: 12 page GETs of `/`, `/privacy`, `/cookies`, `/contact` with and without a consent cookie; 4 first-visit `POST /consent`; 4 valid `POST /contact`), each from an address of its own through the trusted proxy header. During the load a private PostgreSQL cluster is stopped (fast shutdown) and started again; halfway through that outage instance A, with choices in its spool, is killed with SIGKILL and started again at once; later instance B is restarted with SIGTERM. Afterwards every acknowledged choice (303 with a consent cookie, whose ID the client decodes) and message (303 to the thank-you page, marked in its text) is looked up in the database, and one client posts 70 choices through the balancer to see that both instances together allow the limit of 60 a minute and no more.\n\n", r.total, r.o.duration, r.o.workers)

	b.WriteString("## Result\n\n| Check | Result | |\n|---|---|---|\n")
	for _, c := range r.checks {
		mark := "pass"
		if !c.ok {
			mark = "**FAIL**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", c.what, mark, c.got)
	}
	fmt.Fprintf(&b, "\n%s\n", r.mode())

	b.WriteString("\n## Timeline (from the start of the load)\n\n| Event | At |\n|---|---|\n")
	for _, e := range []struct {
		what string
		at   time.Time
	}{
		{"PostgreSQL fast shutdown begins", tl.dbStop},
		{"PostgreSQL down", tl.dbDown},
		{"PostgreSQL start begins", tl.dbStart},
		{"instance A killed (SIGKILL)", tl.killAt},
		{"new instance A serves pages", tl.killUp},
		{"PostgreSQL accepts connections", tl.dbUp},
		{"SIGTERM to instance B", tl.srvTerm},
		{"old instance B exited", tl.srvDown},
		{"new instance B serves pages", tl.srvUp},
		{"load finished", tl.end},
	} {
		fmt.Fprintf(&b, "| %s | %s |\n", e.what, r.offset(e.at))
	}
	fmt.Fprintf(&b, "\nDatabase outage: %s (stop to up). Gap of instance B: %s (SIGTERM to the new process serving). `/readyz` was probed every 100 ms: %s.\n",
		tl.dbUp.Sub(tl.dbStop).Round(time.Millisecond), tl.srvUp.Sub(tl.srvTerm).Round(time.Millisecond), r.readyDetail())

	b.WriteString("\n## Answers by phase\n\nA request belongs to a fault's phase when it overlapped the fault's window.\n\n")
	b.WriteString("| Phase | Request | Sent | Acknowledged | Rate | p50 | p99 | Answers |\n|---|---|---:|---:|---:|---:|---:|---|\n")
	for _, ph := range []string{phaseNormal, phaseDB, phaseKill, phaseRestart} {
		for _, k := range []kind{getPage, postConsent, postContact} {
			t := r.tallies[ph][k]
			if t == nil {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %.2f %% | %s | %s | %s |\n", ph, k, t.sent, t.ack, 100*t.rate(),
				t.percentile(0.5).Round(10*time.Microsecond), t.percentile(0.99).Round(10*time.Microsecond), t.answers())
		}
	}

	rec := r.rec
	b.WriteString("\n## Reconciliation\n\n")
	fmt.Fprintf(&b, "- Consent: %d choices acknowledged, %d found in `consent_event`, %d missing, %d duplicate rows. %d stored choices were never acknowledged (the client gave up or the connection broke after the write); they are not lost, only unconfirmed.\n",
		rec.consentAcked, rec.consentFound, len(rec.consentMissing), rec.consentDup, rec.consentExtra)
	fmt.Fprintf(&b, "- Contact: %d messages acknowledged, %d found in `contact_message`, %d missing, %d duplicates, %d without their `mail_outbox` row; %d stored but not acknowledged.\n",
		rec.contactAcked, rec.contactFound, len(rec.contactMissing), rec.contactDup, rec.contactNoMail, rec.contactExtra)
	fmt.Fprintf(&b, "- All rows were there %s after the load ended; %d files left in the spool.\n", rec.settled.Round(time.Millisecond), rec.spoolLeft)
	if len(rec.consentMissing) > 0 || len(rec.contactMissing) > 0 {
		fmt.Fprintf(&b, "- Missing: %v %v\n", head(rec.consentMissing), head(rec.contactMissing))
	}
	return b.String()
}

func head(s []string) []string {
	slices.Sort(s)
	return s[:min(len(s), 10)]
}

func (r *report) summary() string {
	var b strings.Builder
	for _, c := range r.checks {
		mark := "ok  "
		if !c.ok {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", mark, c.what, c.got)
	}
	return b.String()
}
