package scan

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/consent"
)

// Store keeps the scans and queues the company's mail.
type Store interface {
	RecordScan(ctx context.Context, r Report) error
	LastScans(ctx context.Context, limit int) ([]Report, error)
	QueueStaffNotice(ctx context.Context, to, subject, body string) error
}

// Fresh returns the findings of cur that prev did not have.
func Fresh(prev *Report, cur Report) []Finding {
	had := map[string]bool{}
	if prev != nil {
		for _, f := range prev.Findings {
			had[f.Key()] = true
		}
	}
	var out []Finding
	for _, f := range cur.Findings {
		if !had[f.Key()] {
			out = append(out, f)
		}
	}
	return out
}

// Check scans the site, keeps the report, and mails mailTo when a finding
// appears that the previous scan did not have.
func Check(ctx context.Context, store Store, o Options, mailTo string, now func() time.Time) (Report, error) {
	prev, err := store.LastScans(ctx, 1)
	if err != nil {
		return Report{}, err
	}
	r, err := Run(ctx, o, now)
	if err != nil {
		return r, err
	}
	if err := store.RecordScan(ctx, r); err != nil {
		return r, err
	}
	var last *Report
	if len(prev) > 0 {
		last = &prev[0]
	}
	if fresh := Fresh(last, r); len(fresh) > 0 {
		if err := store.QueueStaffNotice(ctx, mailTo, noticeSubject, Notice(r, fresh)); err != nil {
			return r, err
		}
	}
	return r, nil
}

const noticeSubject = "Nieuwe bevinding bij de controle van de website"

// Notice is the mail's text: each new finding in a sentence.
func Notice(r Report, fresh []Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Bij de controle van %s op %s zag de browser iets nieuws dat niet in orde is:\n\n", r.Site, brussels.In(r.Finished).Format("02-01-2006 15:04"))
	for _, f := range fresh {
		fmt.Fprintf(&b, "- %s\n", Describe(f))
	}
	b.WriteString("\nDe volledige controle staat in het beheer van de website, onder Naleving. Laat dit nakijken door wie de website beheert: een dienst die zonder toestemming cookies zet of gegevens doorstuurt, breekt de belofte van het cookiebeleid.\n")
	return b.String()
}

// Describe says in Dutch what a finding is.
func Describe(f Finding) string {
	thing := map[string]string{Cookie: "cookie", Storage: "opgeslagen gegeven", Host: "verbinding met"}[f.What]
	who := ""
	if f.Vendor != "" {
		who = " van " + consent.VendorName(f.Vendor)
	}
	what := fmt.Sprintf("een %s %q%s", thing, f.Name, who)
	if f.What == Host {
		what = fmt.Sprintf("een verbinding met %s%s", f.Name, who)
	}
	verdict := "die het cookiebeleid niet vermeldt"
	if f.Kind == Leak {
		verdict = "zonder toestemming daarvoor"
	}
	return fmt.Sprintf("%s %s, %s (pagina's: %s)", strings.ToUpper(what[:1])+what[1:], StateText(f.State), verdict, strings.Join(f.Pages, ", "))
}

// StateText says in Dutch in which consent state something was seen.
func StateText(key string) string {
	base, gpc := strings.CutSuffix(key, "+gpc")
	text := map[string]string{
		"none":        "voor de bezoeker een keuze maakte",
		"refused":     "nadat de bezoeker alles weigerde",
		"analytics":   "terwijl de bezoeker alleen analytische cookies aanvaardde",
		"advertising": "terwijl de bezoeker alleen advertentiecookies aanvaardde",
		"social":      "terwijl de bezoeker alleen social media cookies aanvaardde",
		"all":         "terwijl de bezoeker alles aanvaardde",
	}[base]
	if gpc {
		text += " (met Global Privacy Control)"
	}
	return text
}

// RunEvery scans every interval until ctx ends, logging what it found.
func RunEvery(ctx context.Context, store Store, o Options, mailTo string, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if o.Live != nil {
			o.Vendors = o.Live.Current()
		}
		r, err := Check(ctx, store, o, mailTo, time.Now)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.WarnContext(ctx, "site scan failed; next try at the next interval", "err", err)
		case err == nil && !r.Clean():
			logger.WarnContext(ctx, "site scan found leaks or undeclared items", "findings", len(r.Findings))
		case err == nil:
			logger.InfoContext(ctx, "site scan clean", "pages", len(r.Pages), "states", len(r.States), "seen", r.Seen)
		}
	}
}
