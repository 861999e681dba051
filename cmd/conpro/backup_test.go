package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/brussels"
	"conpro/internal/consentstats"
	"conpro/internal/media"
	"conpro/internal/media/mediatest"
	"conpro/internal/pgcluster"
	"conpro/internal/pgtest"
	"conpro/internal/staff"
	"conpro/internal/store/postgres"
)

// A backup made as the README says (pg_dump) and restored into an empty
// database (pg_restore) holds every message, consent event and photo, its
// statistics are those of the original (the daily rollups travel with the
// rows), and the restored consent log verifies as the original did: the
// seals and the chain travel with the rows.
func TestBackup_ARestoredDatabaseHoldsEverythingAndItsLogVerifies(t *testing.T) {
	bin, err := pgcluster.Bin()
	if err != nil {
		t.Fatal(err)
	}
	original := pgtest.URL(t)
	env := map[string]string{"DATABASE_URL": original, "CONPRO_COOKIE_KEY": testKey, "CONPRO_GA_MEASUREMENT_ID": "G-TEST1234", "CONPRO_CONTACT_MIN_FILL": "0s"}
	addr, stop := startServer(t, env)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) {
		t.Helper()
		res, err := client.PostForm("http://"+addr+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d", path, res.StatusCode)
		}
	}
	for _, action := range []string{"accept_all", "reject_all", "accept_all"} {
		post("/consent", url.Values{"action": {action}, "return_to": {"/"}})
	}
	res, err := http.Get("http://" + addr + "/contact")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	token := regexp.MustCompile(`name="t" value="([^"]+)"`).FindSubmatch(page)
	if token == nil {
		t.Fatal("no form token")
	}
	post("/contact", url.Values{"t": {string(token[1])}, "naam": {"Jan Peeters"}, "email": {"jan.peeters@example.be"}, "bericht": {"Graag een offerte voor een nieuwe keuken."}})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// Choices of earlier days, whose statistics come from the daily
	// rollups, as a log of some age holds them (recorded before sealing
	// began: the chain seals them from what is stored), and a photo.
	ctx := context.Background()
	db, err := postgres.Open(ctx, original)
	if err != nil {
		t.Fatal(err)
	}
	for i, action := range []string{"accept_all", "reject_all", "accept_all", "save"} {
		if _, err := db.Pool().Exec(ctx, `
			INSERT INTO consent_event (event_id, consent_id, chosen_at, recorded_at, policy_version, action, categories, vendors,
				banner_version, locale, path, gpc, user_agent)
			VALUES (gen_random_uuid(), $1, now() - make_interval(days => $2), now() - make_interval(days => $2), 2, $3, '{}', '{}',
				'banner-nl-0', 'nl', '/', false, 'test')`,
			fmt.Sprintf("backupvisitor%09d", i), 2+i%2, action); err != nil {
			t.Fatal(err)
		}
	}
	photo, err := media.Process(mediatest.JPEG(mediatest.Picture(1200, 800)), "Nieuwe keuken in eik", 10<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddPhoto(ctx, photo, staff.AuditEntry{StaffEmail: staff.ServerConsole.Email, Action: staff.ActionUploadPhoto}); err != nil {
		t.Fatal(err)
	}
	stats := func(db *postgres.DB) []consentstats.Day {
		t.Helper()
		today := brussels.Day(time.Now())
		days, err := db.ConsentStats(ctx, today.AddDate(0, 0, -6), today)
		if err != nil {
			t.Fatal(err)
		}
		return days
	}
	statsBefore := stats(db)
	db.Close()

	verifyLog := func(dbURL string) string {
		t.Helper()
		var out strings.Builder
		e := map[string]string{"DATABASE_URL": dbURL, "CONPRO_COOKIE_KEY": testKey}
		if err := run(context.Background(), []string{"verify-log"}, envOf(e), strings.NewReader(""), &out, io.Discard); err != nil {
			t.Fatalf("verify-log: %q %v", out.String(), err)
		}
		return out.String()
	}
	before := verifyLog(original)
	if !strings.Contains(before, "7 events checked") {
		t.Fatalf("verify-log on the original: %q", before)
	}

	dump := filepath.Join(t.TempDir(), "conpro.dump")
	if out, err := exec.Command(filepath.Join(bin, "pg_dump"), "--format=custom", "--file="+dump, "--dbname="+original).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	restored := pgtest.EmptyURL(t)
	if out, err := exec.Command(filepath.Join(bin, "pg_restore"), "--no-owner", "--exit-on-error", "--dbname="+restored, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}

	for _, q := range []string{
		`SELECT count(*) FROM consent_event`,
		`SELECT count(*) FROM contact_message WHERE message LIKE '%nieuwe keuken%'`,
		`SELECT count(*) FROM consent_text`,
		`SELECT count(*) FROM consent_day`,
	} {
		if a, b := count(t, original, q), count(t, restored, q); a != b || a == 0 {
			t.Errorf("%s: %d in the original, %d restored", q, a, b)
		}
	}
	// The photo and its variants, byte for byte.
	for _, q := range []string{
		`SELECT count(*) FROM photo WHERE alt = 'Nieuwe keuken in eik'`,
		`SELECT count(*) FROM photo_variant`,
		`SELECT sum(length(data) + length(hash))::int FROM photo_variant`,
	} {
		if a, b := count(t, original, q), count(t, restored, q); a != b || a == 0 {
			t.Errorf("%s: %d in the original, %d restored", q, a, b)
		}
	}
	// The statistics of the restored database are those of the original,
	// earlier days from their rollups and today from the log.
	rdb, err := postgres.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	statsAfter := stats(rdb)
	rdb.Close()
	if !reflect.DeepEqual(statsBefore, statsAfter) {
		t.Errorf("statistics of the last 7 days: %+v in the original, %+v restored", statsBefore, statsAfter)
	}
	var chose int
	for _, d := range statsAfter {
		chose += d.Visitors
	}
	if chose != 4+3 {
		t.Errorf("the restored statistics count %d visitors who chose, want 4 on earlier days and 3 today", chose)
	}
	if after := verifyLog(restored); !strings.Contains(after, "7 events checked") || !strings.Contains(after, "intact") {
		t.Errorf("verify-log on the restored database: %q", after)
	}

	// The restored database serves: the server starts on it (migrations
	// already applied) and answers.
	env["DATABASE_URL"] = restored
	addr, stop = startServer(t, env)
	res, err = http.Get("http://" + addr + "/readyz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("readyz on the restored database: %v %v", res, err)
	}
	res.Body.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, dbURL, query string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
