// Command conpro is the website server of Construct Professional bvba.
//
//	conpro [serve]            migrate the database and serve the site (default)
//	conpro migrate            apply pending database migrations and exit
//	conpro purge [-dry-run]   delete what is past its retention period
//	conpro admin add-user EMAIL | reset-password EMAIL | disable-user EMAIL | enable-user EMAIL
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"conpro/internal/config"
	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/contact"
	"conpro/internal/locale"
	"conpro/internal/logging"
	"conpro/internal/mail"
	"conpro/internal/privacyrequest"
	"conpro/internal/retention"
	"conpro/internal/scan"
	"conpro/internal/server"
	"conpro/internal/store/postgres"
	"conpro/locales"
	"conpro/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "conpro:", err)
		code := 1
		if es := (*exitStatus)(nil); errors.As(err, &es) {
			code = es.code
		}
		os.Exit(code)
	}
}

const usage = `usage: conpro [command]

commands:
  serve     apply database migrations and serve the site (default)
  migrate   apply pending database migrations and exit
  purge     delete what is past its retention period and print the counts
            (-dry-run: only count)
  admin add-user EMAIL         create a staff account; the password is asked
                               without echo, or read from standard input
  admin reset-password EMAIL   set a new password for a staff account, unlock
                               it and end its open sessions
  admin disable-user EMAIL     disable a staff account: it cannot log in, and
                               its open sessions end
  admin enable-user EMAIL      let a disabled staff account log in again
  policy publish -file F.md -summary S -date YYYY-MM-DD [-fr F.md] [-en F.md]
                               publish a new version of the privacy policy,
                               written in Markdown, in force from that day
  policy list                  list the policy's versions and drafts
  verify-log [-json]           check that no consent event was changed or
                               removed other than by the purge or an erasure;
                               exit status 0 intact, 1 a fault (named), 2 could
                               not run
  scan [-json] [-site URL]     visit every page of the sitemap in headless
                               Chromium in every consent state and report
                               leaks and undeclared cookies, storage and hosts;
                               exit status 0 clean, 1 findings, 2 could not run
  help      show this text

Configuration comes from environment variables; see README.md.
`

// run is the whole program; main only supplies the process's context,
// arguments, environment and output streams, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve", "migrate", "purge", "admin", "policy", "verify-log", "scan":
	case "help", "-h", "-help", "--help":
		_, err := io.WriteString(stdout, usage)
		return err
	default:
		_, _ = io.WriteString(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	lg := logging.New(stderr, logging.Options{Level: cfg.LogLevel, JSON: cfg.LogFormat == "json"})
	defer lg.Close()
	logger := lg.Logger

	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()

	if cmd == "migrate" {
		if err := db.Migrate(ctx, logger); err != nil {
			return err
		}
		logger.Info("database is up to date")
		return nil
	}
	if cmd == "purge" {
		return purge(ctx, args[1:], cfg, db, stdout, stderr)
	}
	if cmd == "scan" {
		if err := db.Migrate(ctx, logger); err != nil {
			return couldNotRun(err)
		}
		return scanSite(ctx, args[1:], cfg, db, stdout, stderr)
	}
	if cmd == "verify-log" {
		if err := db.Migrate(ctx, logger); err != nil {
			return couldNotRun(err)
		}
		return verifyLog(ctx, args[1:], cfg, db, stdout, stderr)
	}
	if cmd == "admin" {
		if err := db.Migrate(ctx, logger); err != nil {
			return err
		}
		return admin(ctx, args[1:], db, stdin, stdout, stderr)
	}
	if cmd == "policy" {
		if err := prepareDatabaseOnce(ctx, logger, db); err != nil {
			return err
		}
		return policyCommand(ctx, args[1:], cfg, db, stdout, stderr)
	}
	return serve(ctx, cfg, lg, db, getenv)
}

// purge runs the retention purge once and prints what it deleted (or, with
// -dry-run, would delete).
func purge(ctx context.Context, args []string, cfg config.Config, db *postgres.DB, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "count what would be deleted, delete nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := retention.Purge(ctx, db, retentionPeriods(cfg), time.Now(), *dryRun)
	if err != nil {
		return err
	}
	verb := "deleted"
	if *dryRun {
		verb = "would delete"
	}
	_, err = fmt.Fprintf(stdout, "%s: %d contact messages, %d consent log entries, %d sent mails, %d privacy requests\n", verb, c.ContactMessages, c.ConsentEvents, c.SentMail, c.PrivacyRequests)
	return err
}

// tuneGC applies the garbage collector's settings that cfg holds for the
// server (where GOGC and GOMEMLIMIT did not set them already).
func tuneGC(cfg config.Config, logger *slog.Logger) {
	if cfg.GCPercent > 0 {
		debug.SetGCPercent(cfg.GCPercent)
	}
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	// 0: left as GOGC or GOMEMLIMIT set it.
	logger.Debug("garbage collector", "gogc", cfg.GCPercent, "memory_limit_bytes", cfg.MemoryLimit)
}

func serve(ctx context.Context, cfg config.Config, lg *logging.Logger, db *postgres.DB, getenv func(string) string) error {
	logger := lg.Logger
	tuneGC(cfg, logger)
	bundle, err := locale.Load(locales.FS())
	if err != nil {
		return err
	}
	assets, err := web.NewAssets(web.Static())
	if err != nil {
		return err
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	vendors, err := consent.NewLive(ctx, func(k string) string { return cfg.VendorIDs[k] }, db, cfg.ServicesPoll, time.Now, logger)
	if err != nil {
		return err
	}
	key := cfg.CookieKey
	if key == nil {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
		logger.Warn("CONPRO_COOKIE_KEY is not set: consent cookies are signed with a random key and will not survive a restart")
	}
	codec, err := consent.NewCodec(key)
	if err != nil {
		return err
	}
	sealer := consentlog.NewSealer(key)
	recorder, err := consentlog.New(db, sealer, cfg.SpoolDir, logger)
	if err != nil {
		return err
	}
	recorder.MaxSpooled = cfg.SpoolMax
	if n := recorder.Spooled(); n > 0 {
		logger.Info("consent choices wait in the spool from an earlier run", "events", n)
	}
	registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "conpro_consent_spooled_events",
		Help: "Consent choices waiting in the local spool for the database.",
	}, func() float64 { return float64(recorder.Spooled()) }))

	sessionStore := pgxstore.New(db.Pool())
	defer sessionStore.StopCleanup()

	var sender mail.Sender
	if cfg.SMTP != nil {
		opts := mailOptions(cfg)
		sender = mail.NewSMTPSender(opts, logger)
		logger.Info("mail goes out through SMTP", "server", opts.String())
	}
	mailer := mail.NewWorker(db, sender, logger)

	handler, err := server.New(server.Deps{
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
		Tokens:         contact.NewTokens(key),
		MailKick:       mailer.Kick,
		Requests:       db,
		RequestKeys:    privacyrequest.NewKeys(key),
		Admin:          db,
		Stats:          db,
		Policies:       db,
		Media:          db,
		Projects:       db,
		Pages:          db,
		Sessions:       server.NewSessions(sessionStore, cfg.Production()),
	})
	if err != nil {
		return err
	}
	active := []string{}
	for _, v := range vendors.Current().Active() {
		active = append(active, v.Key)
	}
	logger.Info("consent vendors", "active", active)

	// Pages do not need the database, so a database that is down at start
	// delays only what needs it: after one attempt the server starts anyway,
	// keeps trying in the background, and /readyz says 503 until it succeeds.
	prepared := make(chan struct{})
	if err := prepareDatabaseOnce(ctx, logger, db); err != nil {
		logger.Error("database not ready; serving pages anyway and retrying", "err", err)
		go func() {
			defer close(prepared)
			prepareDatabase(ctx, logger, db)
		}()
	} else {
		close(prepared)
	}

	ln, activated, err := listen(cfg.Addr, getenv)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	logger.Info("serving", "addr", "http://"+ln.Addr().String(), "socket_activation", activated, "base_url", cfg.BaseURL.String(), "env", cfg.Env)
	metricsSrv, metricsLn, err := listenMetrics(cfg, registry, logger)
	if err != nil {
		_ = ln.Close()
		return err
	}
	servers := []*http.Server{srv}
	if metricsSrv != nil {
		servers = append(servers, metricsSrv)
	}
	// When one server fails, the other stops too (after a shutdown, this
	// does nothing).
	defer func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}()

	serveErr := make(chan error, len(servers))
	go func() { serveErr <- srv.Serve(ln) }()
	if metricsSrv != nil {
		go func() { serveErr <- metricsSrv.Serve(metricsLn) }()
	}
	replayDone := make(chan struct{})
	go func() {
		defer close(replayDone)
		recorder.Run(ctx, 5*time.Second)
	}()
	mailDone := make(chan struct{})
	go func() {
		defer close(mailDone)
		mailer.Run(ctx, 15*time.Second)
	}()
	purgeDone := make(chan struct{})
	go func() {
		defer close(purgeDone)
		<-prepared // the schema first
		retention.Run(ctx, db, retentionPeriods(cfg), cfg.Retention.Interval, time.Now, logger)
	}()
	scanDone := make(chan struct{})
	go func() {
		defer close(scanDone)
		if cfg.ScanInterval == 0 {
			return
		}
		o, err := scanOptions(cfg, cfg.BaseURL.String())
		if err != nil {
			logger.Warn("no scheduled scan of the site", "err", err)
			return
		}
		o.Live = vendors
		<-prepared
		scan.RunEvery(ctx, db, o, cfg.MailTo, cfg.ScanInterval, logger)
	}()
	servicesDone := make(chan struct{})
	go func() {
		defer close(servicesDone)
		<-prepared // the table may be new: read it now, not a poll later
		_ = vendors.Refresh(ctx)
	}()
	chainDone := make(chan struct{})
	go func() {
		defer close(chainDone)
		<-prepared
		consentlog.RunChain(ctx, db, sealer, 10*time.Second, logger)
	}()

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	var shutdownErr error
	for _, s := range servers {
		shutdownErr = errors.Join(shutdownErr, s.Shutdown(shutdownCtx))
	}
	<-prepared
	<-replayDone
	<-mailDone
	<-purgeDone
	<-chainDone
	<-scanDone
	<-servicesDone
	if recorder.Spooled() > 0 {
		// One last try, so that a database that came back during the
		// outage gets the choices before this instance goes away.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = recorder.Flush(fctx)
		cancel()
	}
	if n := recorder.Spooled(); n > 0 {
		logger.Warn("consent choices stay in the spool until the next start", "events", n, "dir", cfg.SpoolDir)
	}
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	for range servers {
		if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
	}
	logger.Info("stopped")
	return nil
}

// listenMetrics opens the metrics listener of CONPRO_METRICS_ADDR, which
// serves the registry for Prometheus and nothing else; none (nil) when the
// variable is unset. The site's own address never answers /metrics.
func listenMetrics(cfg config.Config, registry *prometheus.Registry, logger *slog.Logger) (*http.Server, net.Listener, error) {
	if cfg.MetricsAddr == "" {
		return nil, nil, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("metrics listener (CONPRO_METRICS_ADDR): %w", err)
	}
	srv := &http.Server{
		Handler:           server.MetricsHandler(registry),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("serving metrics", "addr", "http://"+ln.Addr().String()+"/metrics")
	return srv, ln, nil
}

// prepareDatabase migrates the database and records the policy versions,
// retrying with backoff until it succeeds or ctx ends.
func prepareDatabase(ctx context.Context, logger *slog.Logger, db *postgres.DB) {
	delay := time.Second
	for attempt := 2; ; attempt++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		err := prepareDatabaseOnce(ctx, logger, db)
		if err == nil {
			logger.Info("database ready", "attempt", attempt)
			return
		}
		delay = min(delay*2, 30*time.Second)
		logger.Error("database not ready; pages are still served, retrying", "err", err, "attempt", attempt, "retry_in", delay)
	}
}

func prepareDatabaseOnce(ctx context.Context, logger *slog.Logger, db *postgres.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.Migrate(ctx, logger); err != nil {
		return err
	}
	return recordPolicyVersions(ctx, logger, db)
}

func recordPolicyVersions(ctx context.Context, logger *slog.Logger, db *postgres.DB) error {
	seed, err := web.SeedText()
	if err != nil {
		return err
	}
	changed, err := db.RecordPolicyVersions(ctx, seed)
	if err != nil {
		return err
	}
	for _, n := range changed {
		logger.Warn("the text of a published policy version differs from what was first served under its number; publish changes as a new version", "policy_version", n)
	}
	return nil
}
