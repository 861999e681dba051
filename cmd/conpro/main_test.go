package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/config"
	"conpro/internal/mail/smtptest"
	"conpro/internal/pgtest"
	"conpro/internal/staff"
	"conpro/internal/store/postgres"
)

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startServer runs the program as `conpro serve` would and waits until it
// answers /healthz.
func startServer(t *testing.T, env map[string]string) (addr string, stop func() error) {
	t.Helper()
	addr = freeAddr(t)
	env["CONPRO_ADDR"] = addr
	if env["CONPRO_SPOOL_DIR"] == "" {
		env["CONPRO_SPOOL_DIR"] = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), strings.NewReader(""), io.Discard, io.Discard) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped at start: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("server did not answer /healthz")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var stopped bool
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("server did not stop")
		}
	}
	t.Cleanup(func() { _ = stop() })
	return addr, stop
}

func TestRun_ServesMigratesAndBecomesReady(t *testing.T) {
	addr, stop := startServer(t, map[string]string{"DATABASE_URL": pgtest.URL(t)})
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	res, err := http.Get("http://" + addr + "/privacy")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /privacy: %v %v", res, err)
	}
	res.Body.Close()
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

// With CONPRO_METRICS_ADDR, run serves the metrics there, counting the
// site's requests, and stops that listener with the server; the site's own
// address answers /metrics with its 404 page.
func TestRun_ServesMetricsOnlyOnTheirOwnListener(t *testing.T) {
	metricsAddr := freeAddr(t)
	addr, stop := startServer(t, map[string]string{"DATABASE_URL": pgtest.URL(t), "CONPRO_METRICS_ADDR": metricsAddr})
	get := func(u string) (int, string) {
		t.Helper()
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("http://" + addr + "/privacy"); code != 200 {
		t.Fatalf("GET /privacy: %d %.200s", code, body)
	}
	if code, body := get("http://" + addr + "/metrics"); code != http.StatusNotFound || !strings.Contains(body, "Pagina niet gevonden") || strings.Contains(body, "conpro_http_requests_total") {
		t.Errorf("the site's /metrics: %d %.200s", code, body)
	}
	code, body := get("http://" + metricsAddr + "/metrics")
	for _, want := range []string{`conpro_http_requests_total{code="200",method="GET",route="/privacy"} 1`, "conpro_consent_spooled_events 0", "go_goroutines"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("the metrics listener: %d, lacks %s", code, want)
		}
	}
	if code, _ := get("http://" + metricsAddr + "/privacy"); code != http.StatusNotFound {
		t.Errorf("the metrics listener serves a page: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", metricsAddr, time.Second); err == nil {
		conn.Close()
		t.Error("the metrics listener is still open after the server stopped")
	}
}

// A metrics address that is taken stops the start with an error naming the
// variable, rather than a server without its metrics.
func TestRun_AMetricsAddressInUseStopsTheStart(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	env := map[string]string{"DATABASE_URL": pgtest.URL(t), "CONPRO_ADDR": freeAddr(t), "CONPRO_METRICS_ADDR": taken.Addr().String(), "CONPRO_SPOOL_DIR": t.TempDir()}
	err = run(context.Background(), []string{"serve"}, envOf(env), strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "CONPRO_METRICS_ADDR") {
		t.Fatalf("started with the metrics address in use: %v", err)
	}
}

func TestRun_ServesPagesWhileTheDatabaseIsDown(t *testing.T) {
	// A socket directory with no server behind it.
	env := map[string]string{"DATABASE_URL": "postgres://postgres@/conpro?host=" + t.TempDir() + "&connect_timeout=1"}
	addr, stop := startServer(t, env)
	for path, want := range map[string]int{"/": 200, "/privacy": 200, "/readyz": 503} {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

// TestRun_ShutdownFinishesInFlightRequests starts a form post whose body
// arrives slowly, stops the server (as SIGTERM does) while the handler reads
// it, then sends the rest: the visitor must still get the answer, and the
// server must stop after it.
func TestRun_ShutdownFinishesInFlightRequests(t *testing.T) {
	addr, stop := startServer(t, map[string]string{"DATABASE_URL": pgtest.URL(t)})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "lang=fr&return_to=%2Fprivacy"
	head := "POST /taal HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))
	if _, err := io.WriteString(conn, head+body[:8]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the handler is reading the body

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case err := <-stopped:
		t.Fatalf("server stopped with a request in flight: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := io.WriteString(conn, body[8:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/privacy" {
		t.Fatalf("in-flight request: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestRun_MigrateSubcommand(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"migrate"}, envOf(map[string]string{"DATABASE_URL": pgtest.URL(t), "CONPRO_SPOOL_DIR": t.TempDir()}), strings.NewReader(""), &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
}

func TestRun_RejectsBadConfigurationWithAClearError(t *testing.T) {
	err := run(context.Background(), []string{"serve"}, envOf(map[string]string{
		"CONPRO_ADDR": "nonsense", "CONPRO_ENV": "staging", "CONPRO_COMPANY_NUMBER": "0123.456.748", "CONPRO_OFFICE_HOURS": "<b>8–17</b>",
	}), strings.NewReader(""), io.Discard, io.Discard)
	if err == nil {
		t.Fatal("started with a bad configuration")
	}
	for _, want := range []string{"CONPRO_ADDR", "DATABASE_URL", "CONPRO_ENV", "CONPRO_COMPANY_NUMBER", "CONPRO_OFFICE_HOURS"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestRun_UnknownCommand(t *testing.T) {
	var stderr strings.Builder
	err := run(context.Background(), []string{"frobnicate"}, envOf(nil), strings.NewReader(""), io.Discard, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "usage: conpro") {
		t.Fatalf("err %v, stderr %q", err, stderr.String())
	}
}

// TestRun_BecomesReadyWhenTheDatabaseArrivesLater starts the server against
// a database that does not exist yet, then creates it: the server migrates
// it in the background and turns ready, without a restart.
func TestRun_BecomesReadyWhenTheDatabaseArrivesLater(t *testing.T) {
	admin := pgtest.AdminURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("conpro_late_%d", time.Now().UnixNano())
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})

	addr, stop := startServer(t, map[string]string{"DATABASE_URL": u.String()})
	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz without a database: %d", res.StatusCode)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not become ready after the database appeared")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestRun_AContactMessageReachesTheCompanyByMail posts the contact form to
// the running program and waits for the notification on a real SMTP server.
func TestRun_AContactMessageReachesTheCompanyByMail(t *testing.T) {
	relay := smtptest.New(t, smtptest.Options{})
	addr, stop := startServer(t, map[string]string{
		"DATABASE_URL":            pgtest.URL(t),
		"CONPRO_SMTP_URL":         "smtp://" + relay.Addr(),
		"CONPRO_MAIL_TO":          "info@conpro-bvba.be",
		"CONPRO_CONTACT_MIN_FILL": "0s",
	})
	res, err := http.Get("http://" + addr + "/contact")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="t" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no form token")
	}
	form := url.Values{"t": {string(m[1])}, "naam": {"Jan Peeters"}, "email": {"jan.peeters@example.be"}, "bericht": {"Graag een offerte voor een nieuwe keuken."}}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = client.PostForm("http://"+addr+"/contact", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /contact: %d", res.StatusCode)
	}
	got := relay.WaitFor(t, 1, 20*time.Second)
	d, err := got[0].Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got[0].To[0] != "info@conpro-bvba.be" || d.Header.Get("Reply-To") != "<jan.peeters@example.be>" && d.Header.Get("Reply-To") != "jan.peeters@example.be" ||
		!strings.Contains(d.Subject, "Jan Peeters") || !strings.Contains(d.Body, "nieuwe keuken") {
		t.Fatalf("mail to %v, Reply-To %q, subject %q", got[0].To, d.Header.Get("Reply-To"), d.Subject)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestRun_PurgeCommandPrintsCounts(t *testing.T) {
	env := envOf(map[string]string{"DATABASE_URL": pgtest.URL(t), "CONPRO_SPOOL_DIR": t.TempDir()})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"purge", "-dry-run"}, "would delete: 0 contact messages, 0 consent log entries, 0 sent mails, 0 privacy requests\n"},
		{[]string{"purge"}, "deleted: 0 contact messages, 0 consent log entries, 0 sent mails, 0 privacy requests\n"},
	} {
		var out strings.Builder
		if err := run(context.Background(), c.args, env, strings.NewReader(""), &out, io.Discard); err != nil || out.String() != c.want {
			t.Errorf("%v: %q, %v", c.args, out.String(), err)
		}
	}
	if err := run(context.Background(), []string{"purge", "-nonsense"}, env, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Error("an unknown flag was accepted")
	}
}

func TestRun_AdminAddsAStaffUserAndResetsThePassword(t *testing.T) {
	dbURL := pgtest.URL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "CONPRO_SPOOL_DIR": t.TempDir()})
	admin := func(stdin string, args ...string) (string, error) {
		var out strings.Builder
		err := run(context.Background(), append([]string{"admin"}, args...), env, strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}
	if out, err := admin("een-lang-wachtwoord\n", "add-user", "Els@Conpro-BVBA.be"); err != nil || out != "staff account els@conpro-bvba.be created\n" {
		t.Fatalf("add-user: %q %v", out, err)
	}
	if _, err := admin("nog-een-wachtwoord\n", "add-user", "els@conpro-bvba.be"); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second add-user: %v", err)
	}
	if _, err := admin("kort\n", "add-user", "jan@conpro-bvba.be"); err == nil || !strings.Contains(err.Error(), "at least 12") {
		t.Fatalf("short password: %v", err)
	}
	if _, err := admin("een-lang-wachtwoord\n", "add-user", "geen adres"); err == nil {
		t.Fatal("accepted a bad address")
	}
	if out, err := admin("een-ander-wachtwoord\n", "reset-password", "els@conpro-bvba.be"); err != nil || !strings.Contains(out, "changed") {
		t.Fatalf("reset-password: %q %v", out, err)
	}
	if _, err := admin("een-ander-wachtwoord\n", "reset-password", "niemand@conpro-bvba.be"); err == nil {
		t.Fatal("reset of an unknown account")
	}
	db, err := postgres.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := staff.Login(context.Background(), db, "els@conpro-bvba.be", "een-lang-wachtwoord", time.Now()); err == nil {
		t.Fatal("the old password still works")
	}
	if _, err := staff.Login(context.Background(), db, "ELS@conpro-bvba.be", "een-ander-wachtwoord", time.Now()); err != nil {
		t.Fatalf("the new password: %v", err)
	}
}

// A client that sends its request headers a byte at a time (slow loris) is
// cut off by the header timeout, and while a hundred of them hang on, other
// visitors are still served.
func TestRun_SlowClientsAreCutOffAndOthersStillServed(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 5 s header timeout")
	}
	addr, _ := startServer(t, map[string]string{"DATABASE_URL": pgtest.URL(t)})
	const slow = 100
	closed := make(chan error, slow)
	for range slow {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		go func() {
			// Dribble an endless header, one byte every 200 ms.
			if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
				return
			}
			for {
				time.Sleep(200 * time.Millisecond)
				if _, err := conn.Write([]byte("a")); err != nil {
					return
				}
			}
		}()
		go func() {
			// The server must end the connection well before ours gives up.
			_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			_, err := io.Copy(io.Discard, conn)
			closed <- err
		}()
	}
	for range 5 {
		res, err := http.Get("http://" + addr + "/privacy")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET /privacy among slow clients: %v %v", res, err)
		}
		res.Body.Close()
	}
	for range slow {
		if err := <-closed; err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("a slow client was still connected after 20 s: no header timeout")
			}
		}
	}
}

func TestRun_ResetPasswordEndsTheSessionsOpenWithTheOldOne(t *testing.T) {
	dbURL := pgtest.URL(t)
	addr, _ := startServer(t, map[string]string{"DATABASE_URL": dbURL})
	admin := func(stdin string, args ...string) {
		t.Helper()
		env := envOf(map[string]string{"DATABASE_URL": dbURL, "CONPRO_SPOOL_DIR": t.TempDir()})
		if err := run(context.Background(), append([]string{"admin"}, args...), env, strings.NewReader(stdin), io.Discard, io.Discard); err != nil {
			t.Fatalf("admin %v: %v", args, err)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	login := func(password string) *http.Cookie {
		t.Helper()
		res, err := client.PostForm("http://"+addr+"/admin/login", url.Values{"email": {"els@conpro-bvba.be"}, "wachtwoord": {password}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == "conpro_staff" && res.StatusCode == http.StatusSeeOther {
				return c
			}
		}
		t.Fatalf("login: %d, no session", res.StatusCode)
		return nil
	}
	inbox := func(session *http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+"/admin/berichten", nil)
		req.AddCookie(session)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}

	admin("een-lang-wachtwoord\n", "add-user", "els@conpro-bvba.be")
	old := login("een-lang-wachtwoord")
	if res := inbox(old); res.StatusCode != http.StatusOK {
		t.Fatalf("inbox with a fresh session: %d", res.StatusCode)
	}
	admin("een-ander-wachtwoord\n", "reset-password", "els@conpro-bvba.be")
	res := inbox(old)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
		t.Fatalf("inbox with the session of the old password: %d to %q, want 303 to /admin/login", res.StatusCode, res.Header.Get("Location"))
	}
	// The session is gone for good, not only refused once.
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var sessions int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM sessions`).Scan(&sessions); err != nil || sessions != 0 {
		t.Fatalf("%d sessions left after the reset (%v)", sessions, err)
	}
	if res := inbox(login("een-ander-wachtwoord")); res.StatusCode != http.StatusOK {
		t.Fatalf("inbox with a session of the new password: %d", res.StatusCode)
	}
}

// serve sets the garbage collector to its own defaults where GOGC and
// GOMEMLIMIT are unset, and leaves the runtime's settings alone where an
// operator set them.
func TestRun_ServeTunesTheGarbageCollectorUnlessGOGCAndGOMEMLIMITAreSet(t *testing.T) {
	gcPercent := func() int { old := debug.SetGCPercent(100); debug.SetGCPercent(old); return old }
	origPercent, origLimit := gcPercent(), debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(origPercent); debug.SetMemoryLimit(origLimit) })
	dbURL := pgtest.URL(t)

	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	_, stop := startServer(t, map[string]string{"DATABASE_URL": dbURL})
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if got := gcPercent(); got != config.DefaultGCPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, config.DefaultGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != config.DefaultMemoryLimit {
		t.Errorf("GOMEMLIMIT unset: memory limit %d, want %d", got, config.DefaultMemoryLimit)
	}

	// As the runtime would have read them at start.
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(200 << 20)
	_, stop = startServer(t, map[string]string{"DATABASE_URL": dbURL, "GOGC": "150", "GOMEMLIMIT": "200MiB"})
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if got := gcPercent(); got != 150 {
		t.Errorf("GOGC=150: GC percent %d after serve", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 200<<20 {
		t.Errorf("GOMEMLIMIT=200MiB: memory limit %d after serve", got)
	}
}

func TestRun_DisableUserEndsItsSessionsAndRefusesItsLoginUntilEnableUser(t *testing.T) {
	dbURL := pgtest.URL(t)
	addr, _ := startServer(t, map[string]string{"DATABASE_URL": dbURL})
	admin := func(stdin string, args ...string) (string, error) {
		t.Helper()
		var out strings.Builder
		env := envOf(map[string]string{"DATABASE_URL": dbURL, "CONPRO_SPOOL_DIR": t.TempDir()})
		err := run(context.Background(), append([]string{"admin"}, args...), env, strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	login := func() (*http.Cookie, int) {
		t.Helper()
		res, err := client.PostForm("http://"+addr+"/admin/login", url.Values{"email": {"els@conpro-bvba.be"}, "wachtwoord": {"een-lang-wachtwoord"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == "conpro_staff" && res.StatusCode == http.StatusSeeOther {
				return c, res.StatusCode
			}
		}
		return nil, res.StatusCode
	}
	inbox := func(session *http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+"/admin/berichten", nil)
		req.AddCookie(session)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}

	if _, err := admin("een-lang-wachtwoord\n", "add-user", "els@conpro-bvba.be"); err != nil {
		t.Fatal(err)
	}
	session, _ := login()
	if session == nil || inbox(session).StatusCode != http.StatusOK {
		t.Fatal("no working session before disabling")
	}
	if out, err := admin("", "disable-user", "ELS@conpro-bvba.be"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("disable-user: %q %v", out, err)
	}
	if res := inbox(session); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
		t.Fatalf("the session of a disabled account: %d to %q, want 303 to /admin/login", res.StatusCode, res.Header.Get("Location"))
	}
	if c, status := login(); c != nil || status != http.StatusUnauthorized {
		t.Fatalf("a disabled account logs in: %d", status)
	}
	if out, err := admin("", "enable-user", "els@conpro-bvba.be"); err != nil || !strings.Contains(out, "enabled") {
		t.Fatalf("enable-user: %q %v", out, err)
	}
	if session, _ := login(); session == nil || inbox(session).StatusCode != http.StatusOK {
		t.Fatal("the account enabled again cannot log in with its password")
	}
	if _, err := admin("", "disable-user", "niemand@conpro-bvba.be"); err == nil || !strings.Contains(err.Error(), "no staff account") {
		t.Fatalf("disable-user of an unknown account: %v", err)
	}
	if _, err := admin("", "remove-user", "els@conpro-bvba.be"); err == nil || !strings.Contains(err.Error(), "disable-user") {
		t.Fatalf("an unknown admin command: %v", err)
	}

	// Every change from the command line is in the audit log, by the
	// server's console, with the account it changed.
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT staff_email || ' ' || action || ' ' || detail FROM audit_log WHERE action LIKE '%staff%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	want := []string{
		"beheerder op de server add_staff els@conpro-bvba.be",
		"beheerder op de server disable_staff els@conpro-bvba.be",
		"beheerder op de server enable_staff els@conpro-bvba.be",
	}
	if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log %q (%v), want %q", got, err, want)
	}
}
