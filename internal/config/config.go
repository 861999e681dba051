// Package config reads the server's configuration from environment variables,
// once, and validates it. Nothing else in the program reads the environment.
//
// Each variable is one row of the table in vars.go (name, default,
// description, and how it is read): Load reads the rows, and Vars gives
// them to README's table, so a default is written once.
package config

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"conpro/internal/company"
	"conpro/internal/consent"
)

// Env is the deployment environment.
type Env string

const (
	Development Env = "development"
	Production  Env = "production"
)

// Config is the whole configuration of the server.
type Config struct {
	// Addr is the TCP address the HTTP server listens on (CONPRO_ADDR).
	Addr string
	// ScanInterval is how often the server scans its own pages for leaks
	// (CONPRO_SCAN_INTERVAL); zero: never.
	ScanInterval time.Duration
	// ServicesPoll is how long the server trusts the staff's service
	// settings before it reads them again (CONPRO_SERVICES_POLL).
	ServicesPoll time.Duration
	// MetricsAddr is the TCP address of the metrics listener, apart from
	// the site's (CONPRO_METRICS_ADDR); empty: no metrics listener.
	MetricsAddr string
	// DatabaseURL is the PostgreSQL connection string (DATABASE_URL).
	DatabaseURL string
	// BaseURL is the public address of the site, used in canonical links,
	// the sitemap and security.txt (CONPRO_BASE_URL).
	BaseURL *url.URL
	// Env selects production hardening: Secure cookies and HSTS (CONPRO_ENV).
	Env Env
	// LogLevel is the minimum level of log lines (CONPRO_LOG_LEVEL).
	LogLevel slog.Level
	// LogFormat is "text" or "json" (CONPRO_LOG_FORMAT).
	LogFormat string
	// TrustedProxies are the peers whose X-Forwarded-For header is
	// believed (CONPRO_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// Cloudflare says the trusted proxies are Cloudflare's, so their
	// CF-Connecting-IP header is believed (CONPRO_CLOUDFLARE). Otherwise
	// the header is ignored: a plain load balancer may pass on whatever the
	// client wrote in it.
	Cloudflare bool
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// after SIGTERM (CONPRO_SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration
	// CookieKey signs the consent cookie (CONPRO_COOKIE_KEY). Empty in
	// development when unset: the server then makes a random one.
	CookieKey []byte
	// ConsentMaxAge is how long a consent stays current
	// (CONPRO_CONSENT_MAX_AGE).
	ConsentMaxAge time.Duration
	// SpoolDir holds consent choices made while the database was down, until
	// they are recorded (CONPRO_SPOOL_DIR).
	SpoolDir string
	// SpoolMax bounds the consent choices waiting in the spool; past it a
	// choice is refused rather than acknowledged (CONPRO_SPOOL_MAX).
	SpoolMax int
	// MediaMaxBytes bounds a photo file staff upload
	// (CONPRO_MEDIA_MAX_BYTES).
	MediaMaxBytes int
	// QuoteMaxBytes bounds the files of one quote request together, as
	// kept and mailed (CONPRO_QUOTE_MAX_BYTES).
	QuoteMaxBytes int
	// VendorIDs maps each vendor variable (CONPRO_GA_MEASUREMENT_ID, …) to
	// its configured value; a vendor is active only with one.
	VendorIDs map[string]string
	// SMTP is where mail goes (CONPRO_SMTP_URL); nil keeps mail queued.
	SMTP *SMTP
	// MailTo receives the contact form's notifications (CONPRO_MAIL_TO).
	MailTo string
	// MailFrom is the sender of the site's mail (CONPRO_MAIL_FROM).
	MailFrom string
	// Company holds the company number and office hours the site shows
	// (CONPRO_COMPANY_NUMBER, CONPRO_OFFICE_HOURS); zero fields are not
	// shown.
	Company company.Details
	// ContactMinFill is the least time a person takes to fill the contact
	// form; faster posts are marked as possible spam (CONPRO_CONTACT_MIN_FILL).
	ContactMinFill time.Duration
	// ContactRate is how many contact posts one address may make per hour
	// (CONPRO_CONTACT_RATE).
	ContactRate int
	// ConsentRate is how many consent choices one client may post per
	// minute (CONPRO_CONSENT_RATE); 0 turns the limit off.
	ConsentRate int
	// Retention says how long each kind of personal data is kept.
	Retention Retention
	// GCPercent and MemoryLimit (bytes) are the garbage collector's
	// settings that `serve` applies when the Go runtime's own variables,
	// GOGC and GOMEMLIMIT, are unset; 0 leaves the runtime's setting alone.
	GCPercent   int
	MemoryLimit int64
}

// The garbage collector's settings of `serve` when GOGC and GOMEMLIMIT are
// unset. The server's live heap is a few MB (templates, cached pages), and
// with Go's GOGC=100 it collects every couple of MB allocated, several
// times a second under load; 400 collects a quarter as often for about
// 12 MB more heap, and the soft limit keeps a larger live heap from
// multiplying by five.
const (
	DefaultGCPercent   = 400
	DefaultMemoryLimit = 40 << 20
)

// Retention periods; the purge deletes what is older.
type Retention struct {
	// Contact messages, counted from when they arrived
	// (CONPRO_RETAIN_CONTACT).
	Contact time.Duration
	// Consent log entries, counted from the last choice made under the same
	// consent ID (CONPRO_RETAIN_CONSENT).
	Consent time.Duration
	// Sent notification mails in the outbox (CONPRO_RETAIN_SENT_MAIL).
	SentMail time.Duration
	// Data-subject requests whose link was never opened
	// (CONPRO_RETAIN_UNVERIFIED_REQUESTS), and verified ones with their
	// outcome (CONPRO_RETAIN_REQUESTS).
	UnverifiedRequests time.Duration
	Requests           time.Duration
	// Interval between two purges in the server (CONPRO_PURGE_INTERVAL).
	Interval time.Duration
}

// SMTP is a parsed CONPRO_SMTP_URL.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	// ImplicitTLS is smtps:// (TLS from the first byte, port 465);
	// otherwise smtp:// with STARTTLS required.
	ImplicitTLS bool
	// Plain allows a loopback relay without TLS or authentication.
	Plain bool
}

// Production reports whether the server runs in production.
func (c Config) Production() bool { return c.Env == Production }

// Load reads and validates the configuration. Every problem is reported, not
// only the first, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	cfg := Config{VendorIDs: map[string]string{}}
	for _, v := range variables() {
		value := cmp.Or(strings.TrimSpace(getenv(v.name)), v.value)
		if err := v.set(&cfg, value); err != nil {
			errs = append(errs, v.problem(value, err))
		}
	}
	// The vendor IDs end up in scripts: the registry checks each against
	// its vendor's pattern, and names the variable.
	if _, err := consent.NewRegistry(func(k string) string { return cfg.VendorIDs[k] }); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return cfg, nil
}

// problem names the variable in an error of its set: with the value, unless
// the value is a secret or there is none.
func (v variable) problem(value string, err error) error {
	var m missing
	switch {
	case errors.As(err, &m):
		return fmt.Errorf("%s %w", v.name, err)
	case v.secret:
		return fmt.Errorf("%s: %w", v.name, err)
	default:
		return fmt.Errorf("%s %q: %w", v.name, value, err)
	}
}

// missing is the error of a variable that must be set and is not; its text
// follows the variable's name ("is required in production: …").
type missing string

func (m missing) Error() string { return string(m) }

// parseSMTP reads smtp://user:pass@host:587 (STARTTLS required) or
// smtps://user:pass@host:465 (implicit TLS). Only a loopback host may be
// reached without TLS: a local relay such as postfix on 127.0.0.1.
func parseSMTP(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL; want smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	s := &SMTP{Host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		s.Port = 587
	case "smtps":
		s.Port, s.ImplicitTLS = 465, true
	default:
		return nil, fmt.Errorf("scheme %q: want smtp or smtps", u.Scheme)
	}
	if s.Host == "" {
		return nil, errors.New("no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %q is not a port number", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if ip := net.ParseIP(s.Host); (ip != nil && ip.IsLoopback()) || s.Host == "localhost" {
		s.Plain = !s.ImplicitTLS
	}
	return s, nil
}

// parseKey reads a secret key written as hex or base64 (standard or URL,
// padded or not); it must hold at least 32 bytes.
func parseKey(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("%d bytes; need at least 32", len(b))
		}
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) < 32 {
				return nil, fmt.Errorf("%d bytes; need at least 32", len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("neither hex nor base64")
}

// parseAge reads "183d" (days) or a Go duration such as "4392h".
func parseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 3650 {
			return 0, errors.New("want a number of days between 1 and 3650, such as 183d")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("want days such as 183d, or a positive duration such as 4392h")
	}
	return d, nil
}

func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("want an http or https URL")
	}
	if u.Host == "" {
		return nil, errors.New("has no host")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, errors.New("want scheme and host only, without user, query or fragment")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		// Peers are compared unmapped, so ::ffff:10.0.0.0/104 must become
		// 10.0.0.0/8 to match anything.
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
