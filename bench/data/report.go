package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

type report struct {
	Date        string      `json:"date"`
	Settings    settings    `json:"settings"`
	Machine     machine     `json:"machine"`
	FillSeconds float64     `json:"fill_s"`
	Rows        rowCounts   `json:"rows"`
	Pages       []timing    `json:"pages"`
	LiveDay     liveDay     `json:"live_day"`
	Purge       purgeTiming `json:"purge"`
}

type settings struct {
	Database  string `json:"database"`
	Addr      string `json:"addr"`
	Events    int64  `json:"events"`
	Messages  int64  `json:"messages"`
	Audit     int64  `json:"audit"`
	Days      int    `json:"days"`
	IDsPerDay int64  `json:"consent_ids_per_day"`
	Runs      int    `json:"runs"`
	Reused    bool   `json:"reused,omitempty"` // filled by an earlier run
}

type machine struct {
	NProc      int    `json:"nproc"`
	Postgres   string `json:"postgres"`
	LoadAvg    string `json:"load_average_at_start"`
	SharedWith string `json:"note,omitempty"`
}

type rowCounts struct {
	ConsentEvents   int64  `json:"consent_event"`
	ConsentIDs      int64  `json:"consent_ids"`
	ContactMessages int64  `json:"contact_message"`
	Outbox          int64  `json:"mail_outbox"`
	Audit           int64  `json:"audit_log"`
	LogSize         string `json:"consent_event_size"`
}

func newReport(o options) *report {
	return &report{
		Date: time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Settings: settings{Database: o.database, Addr: o.addr, Events: o.data.events, Messages: o.data.messages, Audit: o.data.audit,
			Days: o.data.days, IDsPerDay: o.data.idsPerDay(), Runs: o.runs, Reused: o.reuse},
	}
}

func describeMachine(ctx context.Context, conn *pgx.Conn) machine {
	m := machine{NProc: runtime.NumCPU()}
	_ = conn.QueryRow(ctx, "SHOW server_version").Scan(&m.Postgres)
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAvg = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return m
}

func countRows(ctx context.Context, conn *pgx.Conn) (rowCounts, error) {
	var c rowCounts
	err := conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM consent_event),
		(SELECT count(DISTINCT consent_id) FROM consent_event),
		(SELECT count(*) FROM contact_message),
		(SELECT count(*) FROM mail_outbox),
		(SELECT count(*) FROM audit_log),
		pg_size_pretty(pg_total_relation_size('consent_event'))`).
		Scan(&c.ConsentEvents, &c.ConsentIDs, &c.ContactMessages, &c.Outbox, &c.Audit, &c.LogSize)
	if err != nil {
		return c, fmt.Errorf("count rows: %w", err)
	}
	return c, nil
}

// markdown is the "## Data" section of bench/results.md.
func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Data\n\n`make bench-data` (also part of `make bench`), %s, on %d cores; load average at start %s.\n", r.Date, r.Machine.NProc, r.Machine.LoadAvg)
	if r.Settings.Reused {
		fmt.Fprintf(&b, "Database `%s` (PostgreSQL %s; filled by an earlier run, reused as it was with `-reuse`) holding %d consent events of %d consent IDs\n",
			r.Settings.Database, r.Machine.Postgres, r.Rows.ConsentEvents, r.Rows.ConsentIDs)
	} else {
		fmt.Fprintf(&b, "Database `%s` (fresh each run, PostgreSQL %s) filled in %.0f s with %d consent events of %d consent IDs\n",
			r.Settings.Database, r.Machine.Postgres, r.FillSeconds, r.Rows.ConsentEvents, r.Rows.ConsentIDs)
	}
	fmt.Fprintf(&b, "(%d new IDs a day over %d days, 1–3 choices each; the log takes %s with its indexes), %d contact messages,\n",
		r.Settings.IDsPerDay, r.Settings.Days, r.Rows.LogSize, r.Rows.ContactMessages)
	fmt.Fprintf(&b, "%d outbox mails and %d audit entries, then ANALYZE. The site (`bench/out/data/conpro`, built from this checkout)\n", r.Rows.Outbox, r.Rows.Audit)
	fmt.Fprintf(&b, "serves it on %s with a staff session; each page is requested once untimed, then %d times one after\n", r.Settings.Addr, r.Settings.Runs)
	b.WriteString("the other. *Client* is the time to the last byte at the bench, *server* the duration in the site's access-log\n")
	b.WriteString("line. Plans and what the indexes changed: `bench/plans.md`. A statistics page's *first* request counts each closed day\n")
	b.WriteString("of its period that was never counted, once (the bench writes the log after the migration that counts the history\n")
	b.WriteString("already there); later requests read those days from the rollups.\n\n")
	b.WriteString("| page | first | client median | client max | server median | server max | bytes |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range r.Pages {
		if t.Failed != "" {
			fmt.Fprintf(&b, "| %s (`%s`) | failed %s | | | | | |\n", t.Name, t.Path, t.Failed)
			continue
		}
		fmt.Fprintf(&b, "| %s (`%s`) | %s | %s | %s | %s | %s | %d |\n", t.Name, t.Path, ms(t.First), ms(t.Median), ms(t.Max), ms(t.ServerMedian), ms(t.ServerMax), t.Bytes)
	}
	if l := r.LiveDay; l.Runs > 0 {
		fmt.Fprintf(&b, "\nThe statistics pages count today from the log (closed days come from the rollups), so they cost more as the day\n")
		fmt.Fprintf(&b, "goes on. They were timed at %s in Brussels, with %d events of today. Counting a whole day the same way\n", l.Clock, l.TodayEvents)
		fmt.Fprintf(&b, "(yesterday, %d events, `consent_day_figures` as the page counts today, %d runs after one untimed) took\n", l.DayEvents, l.Runs)
		fmt.Fprintf(&b, "**%s** median, %s max: about what a whole day adds to a statistics page by 23:59 (and in the hour after\n", ms(l.Median), ms(l.Max))
		b.WriteString("midnight, while yesterday is still counted live, with that hour's events on top).\n")
	}
	p := r.Purge
	if p.DryRuns == 0 {
		b.WriteString("\nThe retention purge was not timed in this run (`-purge=false`).\n")
		return b.String()
	}
	fmt.Fprintf(&b, "\nRetention purge with consent kept %d days (`CONPRO_RETAIN_CONSENT=%dd`, other periods at their defaults), as a command\n", p.RetainConsentDays, p.RetainConsentDays)
	b.WriteString("(start, connect, purge, exit):\n\n| run | median | max | output |\n|---|---:|---:|---|\n")
	fmt.Fprintf(&b, "| `conpro purge -dry-run`, %d runs | %s | %s | %s |\n", p.DryRuns, ms(p.DryMedian), ms(p.DryMax), p.DryOutput)
	fmt.Fprintf(&b, "| `conpro purge`, once | %s | %s | %s |\n", ms(p.Real), ms(p.Real), p.RealOutput)
	fmt.Fprintf(&b, "\nThe purge deleted %d consent log entries (`GROUP BY consent_id HAVING max(chosen_at) < cut-off` counted %d a moment before;\n", p.DeletedEvents, p.ExpectedEvents)
	fmt.Fprintf(&b, "the cut-off moves with the clock) and left %d tombstones; consent IDs past the cut-off of its start left in the log: %d.\n", p.Tombstones, p.LeftBehind)
	return b.String()
}

// write puts the section into bench/results.md (in place of an earlier
// "## Data" section, else before the Go benchmarks or at the end) and the
// report under "data" in bench/results.json.
func (r *report) write(dir string) error {
	mdPath := filepath.Join(dir, "results.md")
	old, err := os.ReadFile(mdPath)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.WriteFile(mdPath, []byte(withSection(string(old), r.markdown())), 0o644); err != nil {
		return err
	}
	jsPath := filepath.Join(dir, "results.json")
	data, err := json.MarshalIndent(r, "  ", "  ")
	if err != nil {
		return err
	}
	doc := map[string]json.RawMessage{}
	b, err := os.ReadFile(jsPath)
	if err == nil {
		if err := json.Unmarshal(b, &doc); err != nil {
			return fmt.Errorf("%s: %w", jsPath, err)
		}
	}
	if _, ok := doc["data"]; !ok && len(doc) > 0 {
		// The load bench's file as it wrote it, with "data" added last.
		body := strings.TrimSuffix(strings.TrimRight(string(b), " \n"), "}")
		out := strings.TrimRight(body, " \n") + ",\n  \"data\": " + string(data) + "\n}\n"
		return os.WriteFile(jsPath, []byte(out), 0o644)
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	doc["data"] = raw
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(jsPath, append(out, '\n'), 0o644)
}

// withSection returns md with section in place of its "## Data" section.
func withSection(md, section string) string {
	const heading = "## Data\n"
	if i := strings.Index(md, "\n"+heading); i >= 0 {
		rest := md[i+1+len(heading):]
		end := ""
		if j := strings.Index(rest, "\n## "); j >= 0 {
			end = rest[j:]
		}
		return md[:i+1] + section + end
	}
	if i := strings.Index(md, "\n## Go benchmarks"); i >= 0 {
		return md[:i+1] + section + md[i:]
	}
	if md != "" && !strings.HasSuffix(md, "\n\n") {
		md = strings.TrimRight(md, "\n") + "\n\n"
	}
	return md + section
}
