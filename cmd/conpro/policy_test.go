package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/pgtest"
	"conpro/internal/store/postgres"
)

func TestRun_PolicyPublishPublishesAVersionListSaysSoAndTheAuditLogNamesTheServer(t *testing.T) {
	dbURL := pgtest.URL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "CONPRO_SPOOL_DIR": t.TempDir()})
	dir := t.TempDir()
	file := filepath.Join(dir, "v3.md")
	if err := os.WriteFile(file, []byte("# Privacy- en cookie policy\n\n## Cookies\n\nWij gebruiken alleen cookies die u toestaat.\n\n[[cookietabel]]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	today := brussels.Day(time.Now()).Format(time.DateOnly)
	later := brussels.Day(time.Now()).AddDate(0, 0, 10).Format(time.DateOnly)
	ctx := context.Background()
	runIt := func(args ...string) (string, error) {
		var out strings.Builder
		err := run(ctx, args, env, strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}

	out, err := runIt("policy", "publish", "-file", file, "-summary", "Alleen cookies die u toestaat.", "-date", today)
	if err != nil || out != "published version 3 of the privacy policy, in force now\n" {
		t.Fatalf("publish: %q, %v", out, err)
	}
	out, err = runIt("policy", "publish", "-file", file, "-summary", "Later.", "-date", later)
	if err != nil || out != "published version 4 of the privacy policy, in force from "+later+"\n" {
		t.Fatalf("publish later: %q, %v", out, err)
	}
	out, err = runIt("policy", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`(?m)^4\s+scheduled\s+` + later + `\s+beheerder op de server\s+Later\.$`,
		`(?m)^3\s+current\s+` + today + `\s+beheerder op de server\s+Alleen cookies die u toestaat\.$`,
		`(?m)^2\s+published\s+2020-06-05\s+-\s*$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("list lacks %s:\n%s", want, out)
		}
	}

	// What cannot be published is refused, flag by flag, and nothing is kept.
	_, err = runIt("policy", "publish", "-file", file, "-summary", "", "-date", "2020-01-01")
	if err == nil || !strings.Contains(err.Error(), "-summary: Write in the summary what changed") || !strings.Contains(err.Error(), "-date: Choose today or a later day") {
		t.Fatalf("a publication without summary and in the past: %v", err)
	}
	if _, err := runIt("policy", "publish", "-file", filepath.Join(dir, "missing.md"), "-summary", "x", "-date", today); err == nil {
		t.Fatal("a missing file was published")
	}
	if _, err := runIt("policy", "frobnicate"); err == nil || !strings.Contains(err.Error(), "usage: conpro policy") {
		t.Fatalf("an unknown policy command: %v", err)
	}
	if out, _ := runIt("policy", "list"); strings.Count(out, "\n") != 4 {
		t.Errorf("a refused publication left something behind:\n%s", out)
	}

	// The audit log names who published.
	var who string
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Pool().QueryRow(ctx, `SELECT staff_email FROM audit_log WHERE action = 'publish_policy' AND target = 'policy_version:3'`).Scan(&who); err != nil || who != "beheerder op de server" {
		t.Fatalf("audit: %q, %v", who, err)
	}
}
