package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/config"
	"conpro/internal/consent"
	"conpro/internal/locale"
	"conpro/internal/policy"
	"conpro/internal/staff"
	"conpro/internal/store/postgres"
	"conpro/locales"
	"conpro/web"
)

const policyUsage = "usage: conpro policy publish -file F.md -summary S -date YYYY-MM-DD [-fr F.md] [-en F.md] | policy list"

// policyCommand publishes a version of the policy written in Markdown, or
// lists the versions, for automation. A publication follows the rules of
// the staff area's editor and is in the audit log, done by
// staff.ServerConsole; running servers take it up within seconds.
func policyCommand(ctx context.Context, args []string, cfg config.Config, db *postgres.DB, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(policyUsage)
	}
	switch args[0] {
	case "list":
		if len(args) != 1 {
			return errors.New(policyUsage)
		}
		return listPolicies(ctx, db, stdout)
	case "publish":
		return publishPolicy(ctx, args[1:], cfg, db, stdout, stderr)
	}
	return errors.New(policyUsage)
}

func listPolicies(ctx context.Context, db *postgres.DB, stdout io.Writer) error {
	texts, err := db.PolicyTexts(ctx)
	if err != nil {
		return err
	}
	today := brussels.Day(time.Now())
	cur, _ := policy.Current(texts, today)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tIN FORCE FROM\tPUBLISHED BY\tSUMMARY")
	for _, t := range texts {
		version, state, from := fmt.Sprintf("%d", t.Number), "published", "-"
		switch {
		case t.Status == policy.Draft:
			version, state = fmt.Sprintf("draft #%d", t.ID), "draft"
		case t.Number == cur.Number:
			state = "current"
		case t.Scheduled(today):
			state = "scheduled"
		}
		if !t.EffectiveOn.IsZero() {
			from = t.EffectiveOn.Format(time.DateOnly)
		}
		who := t.PublishedBy
		if who == "" {
			who = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", version, state, from, who, oneLine(t.Summary, 60))
	}
	return tw.Flush()
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func publishPolicy(ctx context.Context, args []string, cfg config.Config, db *postgres.DB, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "the Dutch text in Markdown (required)")
	summary := fs.String("summary", "", "what changed, shown to visitors (required)")
	date := fs.String("date", "", "the Belgian day the version takes effect, YYYY-MM-DD: today or later (required)")
	fr := fs.String("fr", "", "a French translation in Markdown (optional)")
	en := fs.String("en", "", "an English translation in Markdown (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || fs.NArg() > 0 {
		return errors.New(policyUsage)
	}
	read := func(name string) (string, error) {
		if name == "" {
			return "", nil
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
	form := policy.Form{Summary: *summary, EffectiveOn: *date}
	var err error
	if form.Markdown, err = read(*file); err != nil {
		return err
	}
	if form.MarkdownFR, err = read(*fr); err != nil {
		return err
	}
	if form.MarkdownEN, err = read(*en); err != nil {
		return err
	}
	today := brussels.Day(time.Now())
	published, err := db.PublishedPolicies(ctx)
	if err != nil {
		return err
	}
	notBefore := policy.LatestDay(published)
	draft, errs := form.CheckDraft()
	if len(errs) == 0 {
		errs = policy.CheckPublish(draft, today, notBefore)
	}
	if len(errs) > 0 {
		return fieldErrors(ctx, errs)
	}
	vendors, err := consent.NewRegistry(func(k string) string { return cfg.VendorIDs[k] })
	if err != nil {
		return err
	}
	parties := policy.PartyRows(vendors.Active())
	who := staff.ServerConsole
	id, err := db.CreatePolicyDraft(ctx, draft, staff.AuditEntry{StaffEmail: who.Email, Action: staff.ActionNewPolicyDraft})
	if err != nil {
		return err
	}
	t, err := db.PublishPolicy(ctx, id, func(t policy.Text) (policy.Text, error) {
		return policy.Publish(t, today, notBefore, who.Email, func(md string) policy.Rendered { return web.RenderPolicy(md, parties) })
	}, staff.AuditEntry{StaffEmail: who.Email, Action: staff.ActionPublishPolicy})
	if err != nil {
		return err
	}
	when := "in force now"
	if t.Scheduled(today) {
		when = "in force from " + t.EffectiveOn.Format(time.DateOnly)
	}
	_, err = fmt.Fprintf(stdout, "published version %d of the privacy policy, %s\n", t.Number, when)
	return err
}

// fieldErrors says in English what is wrong with what was given, flag by
// flag, with the staff area's messages.
func fieldErrors(ctx context.Context, errs policy.FieldErrors) error {
	bundle, err := locale.Load(locales.FS())
	if err != nil {
		return err
	}
	ctx = locale.WithLocalizer(ctx, bundle.Localizer(locale.EN))
	flags := map[string]string{
		policy.FieldText: "-file", policy.FieldTextFR: "-fr", policy.FieldTextEN: "-en",
		policy.FieldSummary: "-summary", policy.FieldEffective: "-date",
	}
	var lines []string
	for _, field := range []string{policy.FieldText, policy.FieldTextFR, policy.FieldTextEN, policy.FieldSummary, policy.FieldEffective} {
		if id, ok := errs[field]; ok {
			lines = append(lines, flags[field]+": "+locale.T(ctx, id))
		}
	}
	return errors.New("nothing published:\n  " + strings.Join(lines, "\n  "))
}
