package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/html"

	"conpro/internal/config"
	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/contact"
	"conpro/internal/locale"
	"conpro/internal/logging"
	"conpro/internal/pgtest"
	"conpro/internal/privacyrequest"
	"conpro/internal/server"
	"conpro/internal/store/postgres"
	"conpro/locales"
	"conpro/web"
)

// site is the whole HTTP handler, as main builds it, on a fresh database.
type site struct {
	URL string
	// transport reaches the site (it trusts its test certificate).
	transport http.RoundTripper
	handler   http.Handler
	logs      siteLogs
	db        *postgres.DB
	dbURL     string
	recorder  *consentlog.Recorder
	codec     *consent.Codec
	registry  *prometheus.Registry
}

// siteLogs is what the site logged; reading it writes out what waits.
type siteLogs struct {
	buf *syncBuffer
	lg  *logging.Logger
}

func (l siteLogs) String() string {
	_ = l.lg.Flush()
	return l.buf.String()
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type siteOptions struct {
	env map[string]string
	// dbDown points the site at a database that does not answer.
	dbDown bool
	// dbURL points the site at this database instead of a fresh one.
	dbURL string
	// spoolDir is the consent spool folder (a fresh one when empty).
	spoolDir string
	// now is the site's clock (time.Now when nil).
	now func() time.Time
	// tls serves the site over HTTPS (a test certificate: the site's
	// transport trusts it, a browser must ignore certificate errors).
	tls bool
}

// testCookieKey signs consent cookies in tests.
const testCookieKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

func newSite(t testing.TB, opts siteOptions) *site {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":      "postgres://unused@localhost/unused",
		"CONPRO_COOKIE_KEY": testCookieKey,
		// Tests post at machine speed; the bot check has its own test.
		"CONPRO_CONTACT_MIN_FILL": "0s",
	}
	for k, v := range opts.env {
		env[k] = v
	}
	var (
		db    *postgres.DB
		dbURL string
	)
	if opts.dbDown {
		var err error
		db, err = postgres.Open(context.Background(), "postgres://postgres@/conpro?host="+t.TempDir()+"&connect_timeout=1")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
	} else {
		dbURL = opts.dbURL
		if dbURL == "" {
			dbURL = pgtest.URL(t)
		}
		var err error
		db, err = postgres.Open(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		// As the server does at start.
		seed, err := web.SeedText()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordPolicyVersions(context.Background(), seed); err != nil {
			t.Fatal(err)
		}
	}
	// The base URL must be known before the server starts; httptest gives
	// the address only after. Use a fixed public base, as production does.
	if _, ok := env["CONPRO_BASE_URL"]; !ok {
		env["CONPRO_BASE_URL"] = "https://conpro-bouw.be"
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := locale.Load(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	assets, err := web.NewAssets(web.Static())
	if err != nil {
		t.Fatal(err)
	}
	// The vendors as main has them: the environment and the staff's
	// settings, read again once older than CONPRO_SERVICES_POLL.
	var vendors server.VendorSource
	getenv := func(k string) string { return cfg.VendorIDs[k] }
	if opts.dbDown {
		vendors, err = consent.NewRegistry(getenv)
	} else {
		clock := opts.now
		if clock == nil {
			clock = time.Now
		}
		vendors, err = consent.NewLive(context.Background(), getenv, db, cfg.ServicesPoll, clock, slog.New(slog.DiscardHandler))
	}
	if err != nil {
		t.Fatal(err)
	}
	codec, err := consent.NewCodec(cfg.CookieKey)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	// Every line, so tests can check what is (not) logged; a test or
	// benchmark that sets CONPRO_LOG_LEVEL gets that level, as in
	// production.
	level := slog.LevelDebug
	if env["CONPRO_LOG_LEVEL"] != "" {
		level = cfg.LogLevel
	}
	lg := logging.New(logs, logging.Options{JSON: true, Level: level})
	t.Cleanup(func() { _ = lg.Close() })
	logger := lg.Logger
	spoolDir := opts.spoolDir
	if spoolDir == "" {
		spoolDir = t.TempDir()
	}
	sealer := consentlog.NewSealer(cfg.CookieKey)
	recorder, err := consentlog.New(db, sealer, spoolDir, logger)
	if err != nil {
		t.Fatal(err)
	}
	recorder.MaxSpooled = cfg.SpoolMax
	registry := prometheus.NewRegistry()
	h, err := server.New(server.Deps{
		Config:         cfg,
		Logger:         lg,
		Locales:        bundle,
		Assets:         assets,
		Readiness:      db,
		Metrics:        registry,
		Vendors:        vendors,
		Cookies:        codec,
		ConsentLog:     recorder,
		ConsentHistory: db,
		ConsentTexts:   db,
		Proof:          db,
		Reports:        db,
		RateCounter:    db,
		Scans:          db,
		Sealer:         sealer,
		Contacts:       db,
		Tokens:         contact.NewTokens(cfg.CookieKey),
		Requests:       db,
		RequestKeys:    privacyrequest.NewKeys(cfg.CookieKey),
		Admin:          db,
		Stats:          db,
		Policies:       db,
		Media:          db,
		Projects:       db,
		Pages:          db,
		Sessions:       server.NewSessions(pgxstore.NewWithCleanupInterval(db.Pool(), 0), cfg.Production()),
		Now:            opts.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(h)
	if opts.tls {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	return &site{URL: ts.URL, transport: ts.Client().Transport, handler: h, logs: siteLogs{logs, lg}, db: db, dbURL: dbURL, recorder: recorder, codec: codec, registry: registry}
}

// metrics reads the site's metrics as Prometheus would, from the handler
// main serves on the metrics listener.
func (s *site) metrics(t *testing.T) string {
	t.Helper()
	ts := httptest.NewServer(server.MetricsHandler(s.registry))
	defer ts.Close()
	res, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d, %v", res.StatusCode, err)
	}
	return string(b)
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type response struct {
	*http.Response
	Body string
}

func (s *site) do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Response: res, Body: string(b)}
}

func (s *site) get(t *testing.T, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(t, req)
}

func (s *site) postForm(t *testing.T, path, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(t, req)
}

// doc parses an HTML body.
func doc(t *testing.T, body string) *html.Node {
	t.Helper()
	n, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// text is the whitespace-normalised text of a node.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// all returns every element with the given tag name, in document order.
func all(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// byID finds the element with the given id.
func byID(n *html.Node, id string) *html.Node {
	if n.Type == html.ElementNode {
		if v, ok := attr(n, "id"); ok && v == id {
			return n
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := byID(c, id); f != nil {
			return f
		}
	}
	return nil
}

func TestSite_PagesDescribeThemselvesToSitesTheyAreSharedOn(t *testing.T) {
	s := newSite(t, siteOptions{})
	for path, title := range map[string]string{"/": "", "/contact": "Contact"} {
		body := s.get(t, path).Body
		for _, want := range []string{
			`<meta property="og:type" content="website">`,
			`<meta property="og:site_name" content="Construct Professional">`,
			`<meta property="og:locale" content="nl_BE">`,
			`<meta property="og:url" content="https://conpro-bouw.be` + path + `">`,
			`<meta property="og:title" content="` + title,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
	}
	if body := s.get(t, "/bestaat-niet").Body; strings.Contains(body, "og:title") {
		t.Error("an error page describes itself for sharing")
	}
}
