package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"conpro/internal/pgcluster"
	"conpro/internal/pgtest"
)

// A backup made as the README says (pg_dump) and restored into an empty
// database (pg_restore) holds every message and consent event, and the
// restored consent log verifies as the original did: the seals and the
// chain travel with the rows.
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
	if !strings.Contains(before, "3 events checked") {
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
	} {
		if a, b := count(t, original, q), count(t, restored, q); a != b || a == 0 {
			t.Errorf("%s: %d in the original, %d restored", q, a, b)
		}
	}
	if after := verifyLog(restored); !strings.Contains(after, "3 events checked") || !strings.Contains(after, "intact") {
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
