package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"conpro/internal/consentlog"
	"conpro/internal/pgtest"
)

const testKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

// verify-log passes on a log the server wrote, names an event changed in
// the database with exit status 1, and exits with 2 when it cannot run.
func TestRun_VerifyLogPassesOnTheServersLogAndNamesAChangedEvent(t *testing.T) {
	dbURL := pgtest.URL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "CONPRO_COOKIE_KEY": testKey, "CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}
	addr, stop := startServer(t, env)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, action := range []string{"accept_all", "reject_all", "save"} {
		form := url.Values{"action": {action}, "category": {"analytics"}, "return_to": {"/"}}
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/consent", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := client.Do(req)
		if err != nil || res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /consent %s: %v %v", action, res, err)
		}
		res.Body.Close()
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	verifyLog := func() (string, error) {
		var out strings.Builder
		err := run(context.Background(), []string{"verify-log"}, envOf(env), strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}
	if out, err := verifyLog(); err != nil || !strings.Contains(out, "3 events checked") || !strings.Contains(out, "intact") {
		t.Fatalf("verify-log on the server's log: %q %v", out, err)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var victim string
	if err := conn.QueryRow(ctx, `SELECT event_id::text FROM consent_event WHERE action = 'reject_all'`).Scan(&victim); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `ALTER TABLE consent_event DISABLE TRIGGER USER;
		UPDATE consent_event SET action = 'accept_all', categories = '{analytics,advertising,social}' WHERE action = 'reject_all';
		ALTER TABLE consent_event ENABLE TRIGGER USER`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := verifyLog()
	var failure *consentlog.Failure
	if !errors.As(err, &failure) || failure.EventID != victim || failure.Reason != consentlog.Changed {
		t.Fatalf("verify-log after a change: %q %v, want event %s changed", out, err, victim)
	}
	if es := (*exitStatus)(nil); errors.As(err, &es) {
		t.Fatalf("exit status %d for a fault found, want 1", es.code)
	}

	env["DATABASE_URL"] = "postgres://postgres@/conpro?host=" + t.TempDir() + "&connect_timeout=1"
	_, err = verifyLog()
	if es := (*exitStatus)(nil); !errors.As(err, &es) || es.code != 2 {
		t.Fatalf("verify-log without a database: %v, want exit status 2", err)
	}
}
