// Package config reads the server's configuration from environment variables,
// once, and validates it. Nothing else in the program reads the environment.
package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	// VendorIDs maps each vendor variable (CONPRO_GA_MEASUREMENT_ID, …) to
	// its configured value; a vendor is active only with one.
	VendorIDs map[string]string
	// SMTP is where mail goes (CONPRO_SMTP_URL); nil keeps mail queued.
	SMTP *SMTP
	// MailTo receives the contact form's notifications (CONPRO_MAIL_TO).
	MailTo string
	// MailFrom is the sender of the site's mail (CONPRO_MAIL_FROM).
	MailFrom string
	// ContactMinFill is the least time a person takes to fill the contact
	// form; faster posts are treated as bots (CONPRO_CONTACT_MIN_FILL).
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

// Var documents one environment variable; README's table lists the same.
type Var struct {
	Name, Default, Doc string
}

// Vars lists every variable Load reads, with its default.
func Vars() []Var {
	return []Var{
		{"CONPRO_ADDR", "127.0.0.1:8080", "address the HTTP server listens on"},
		{"DATABASE_URL", "(set by make run / make test)", "PostgreSQL connection string; required"},
		{"CONPRO_BASE_URL", "http://CONPRO_ADDR in development", "public address of the site; required in production, https"},
		{"CONPRO_ENV", "development", "development or production (Secure cookies, HSTS)"},
		{"CONPRO_LOG_LEVEL", "info", "debug, info, warn or error"},
		{"CONPRO_LOG_FORMAT", "text in development, json in production", "text or json"},
		{"CONPRO_TRUSTED_PROXIES", "(none)", "comma-separated IPs or CIDRs of proxies whose X-Forwarded-For is trusted"},
		{"CONPRO_CLOUDFLARE", "false", "true when the trusted proxies are Cloudflare's: their CF-Connecting-IP is believed before X-Forwarded-For; otherwise the header is ignored"},
		{"CONPRO_SHUTDOWN_TIMEOUT", "20s", "time in-flight requests get to finish on SIGTERM"},
		{"CONPRO_COOKIE_KEY", "random at each start (development only)", "secret that signs the consent cookie: at least 32 bytes, as hex or base64; required in production"},
		{"CONPRO_CONSENT_MAX_AGE", "183d", "how long a consent stays current before the banner asks again (days as 183d, or a duration as 4392h)"},
		{"CONPRO_SPOOL_DIR", ".data/spool", "folder where choices wait while the database is down"},
		{"CONPRO_SPOOL_MAX", "20000", "most choices that may wait in the spool; past it a grant is refused with a 503 (a refusal still takes effect)"},
		{"CONPRO_GA_MEASUREMENT_ID", "(off)", "Google Analytics 4 measurement ID (G-…); activates Google Analytics"},
		{"CONPRO_GOOGLE_ADS_ID", "(off)", "Google Ads ID (AW-…); activates Google Ads"},
		{"CONPRO_META_PIXEL_ID", "(off)", "Meta (Facebook) pixel ID; activates the Meta pixel"},
		{"CONPRO_LINKEDIN_PARTNER_ID", "(off)", "LinkedIn Insight Tag partner ID; activates LinkedIn Insight"},
		{"CONPRO_SMARTLOOK_KEY", "(off)", "Smartlook project key; activates Smartlook"},
		{"CONPRO_SOCIAL_WIDGETS", "0", "1 shows Facebook and LinkedIn share widgets to visitors who accept social media cookies"},
		{"CONPRO_SMTP_URL", "(none: mail stays queued)", "mail server: smtp://user:pass@host:587 (STARTTLS required) or smtps://user:pass@host:465; a loopback relay may be plain smtp://127.0.0.1:25"},
		{"CONPRO_MAIL_TO", "info@conpro-bvba.be", "address that receives the contact form's notifications"},
		{"CONPRO_MAIL_FROM", "website@conpro-bouw.be", "sender address of the site's mail"},
		{"CONPRO_CONTACT_MIN_FILL", "3s", "contact posts made faster than this after the form was shown are treated as bots"},
		{"CONPRO_CONTACT_RATE", "10", "contact posts one address may make per hour"},
		{"CONPRO_CONSENT_RATE", "60", "consent choices one client (IPv4 address or IPv6 /64) may post per minute; 0 turns the limit off"},
		{"CONPRO_RETAIN_CONTACT", "730d", "how long contact messages are kept after they arrived"},
		{"CONPRO_RETAIN_CONSENT", "1826d", "how long consent log entries are kept after the last choice of their consent ID"},
		{"CONPRO_RETAIN_SENT_MAIL", "30d", "how long a sent notification mail stays in the outbox"},
		{"CONPRO_RETAIN_UNVERIFIED_REQUESTS", "7d", "how long a data-subject request whose link was never opened is kept"},
		{"CONPRO_RETAIN_REQUESTS", "1826d", "how long a verified data-subject request and its outcome are kept"},
		{"CONPRO_PURGE_INTERVAL", "1h", "how often the server deletes what is past its retention period"},
		{"GOGC", "400 for `serve` (Go's own default is 100)", "the garbage collector's target, read by the Go runtime; when unset, `serve` sets 400: fewer collections under load for a few MB more heap"},
		{"GOMEMLIMIT", "40MiB for `serve` (Go's own default: no limit)", "the Go runtime's soft memory limit, read by the Go runtime; when unset, `serve` sets 40MiB, so that GOGC=400 cannot let a larger heap grow fivefold"},
	}
}

// maxConsentRate bounds CONPRO_CONSENT_RATE; a load test that wants more
// turns the limit off with 0.
const maxConsentRate = 1_000_000

// Load reads and validates the configuration. Every problem is reported, not
// only the first, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}

	cfg := Config{
		Addr:        get("CONPRO_ADDR", "127.0.0.1:8080"),
		DatabaseURL: get("DATABASE_URL", ""),
	}

	if _, port, err := net.SplitHostPort(cfg.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("CONPRO_ADDR %q: want host:port, such as 127.0.0.1:8080 or :8080", cfg.Addr))
	}
	if cfg.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL is not set: give a PostgreSQL connection string, or start with `make run`, which starts a local database"))
	}

	switch env := Env(get("CONPRO_ENV", string(Development))); env {
	case Development, Production:
		cfg.Env = env
	default:
		errs = append(errs, fmt.Errorf("CONPRO_ENV %q: want development or production", env))
	}

	switch lvl := strings.ToLower(get("CONPRO_LOG_LEVEL", "info")); lvl {
	case "debug":
		cfg.LogLevel = slog.LevelDebug
	case "info":
		cfg.LogLevel = slog.LevelInfo
	case "warn", "warning":
		cfg.LogLevel = slog.LevelWarn
	case "error":
		cfg.LogLevel = slog.LevelError
	default:
		errs = append(errs, fmt.Errorf("CONPRO_LOG_LEVEL %q: want debug, info, warn or error", lvl))
	}

	defFormat := "text"
	if cfg.Env == Production {
		defFormat = "json"
	}
	switch f := strings.ToLower(get("CONPRO_LOG_FORMAT", defFormat)); f {
	case "text", "json":
		cfg.LogFormat = f
	default:
		errs = append(errs, fmt.Errorf("CONPRO_LOG_FORMAT %q: want text or json", f))
	}

	base := get("CONPRO_BASE_URL", "")
	if base == "" && cfg.Env == Production {
		errs = append(errs, errors.New("CONPRO_BASE_URL is required in production, such as https://conpro-bouw.be"))
	}
	if base == "" {
		base = "http://" + cfg.Addr
		if strings.HasPrefix(cfg.Addr, ":") {
			base = "http://127.0.0.1" + cfg.Addr
		}
	}
	if u, err := parseBaseURL(base); err != nil {
		errs = append(errs, fmt.Errorf("CONPRO_BASE_URL %q: %w", base, err))
	} else {
		if cfg.Env == Production && u.Scheme != "https" {
			errs = append(errs, fmt.Errorf("CONPRO_BASE_URL %q: production needs https", base))
		}
		cfg.BaseURL = u
	}

	if raw := get("CONPRO_TRUSTED_PROXIES", ""); raw != "" {
		for part := range strings.SplitSeq(raw, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			p, err := parsePrefix(part)
			if err != nil {
				errs = append(errs, fmt.Errorf("CONPRO_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR", part))
				continue
			}
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}

	if b, err := strconv.ParseBool(get("CONPRO_CLOUDFLARE", "false")); err != nil {
		errs = append(errs, fmt.Errorf("CONPRO_CLOUDFLARE %q: want true or false", getenv("CONPRO_CLOUDFLARE")))
	} else {
		cfg.Cloudflare = b
	}
	if cfg.Cloudflare && len(cfg.TrustedProxies) == 0 {
		// CF-Connecting-IP is believed only from a trusted peer: without
		// any, the setting would silently do nothing.
		errs = append(errs, errors.New("CONPRO_CLOUDFLARE=true needs CONPRO_TRUSTED_PROXIES to list Cloudflare's ranges (https://www.cloudflare.com/ips/)"))
	}

	if d, err := time.ParseDuration(get("CONPRO_SHUTDOWN_TIMEOUT", "20s")); err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("CONPRO_SHUTDOWN_TIMEOUT %q: want a positive duration such as 20s", getenv("CONPRO_SHUTDOWN_TIMEOUT")))
	} else {
		cfg.ShutdownTimeout = d
	}

	switch raw := get("CONPRO_COOKIE_KEY", ""); {
	case raw == "" && cfg.Env == Production:
		errs = append(errs, errors.New("CONPRO_COOKIE_KEY is required in production: 32 random bytes as hex (openssl rand -hex 32)"))
	case raw != "":
		key, err := parseKey(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("CONPRO_COOKIE_KEY: %w", err))
		}
		cfg.CookieKey = key
	}

	if d, err := parseAge(get("CONPRO_CONSENT_MAX_AGE", "183d")); err != nil {
		errs = append(errs, fmt.Errorf("CONPRO_CONSENT_MAX_AGE %q: %w", getenv("CONPRO_CONSENT_MAX_AGE"), err))
	} else {
		cfg.ConsentMaxAge = d
	}
	cfg.SpoolDir = get("CONPRO_SPOOL_DIR", ".data/spool")
	if n, err := strconv.Atoi(get("CONPRO_SPOOL_MAX", "20000")); err != nil || n < 1 || n > 10_000_000 {
		errs = append(errs, fmt.Errorf("CONPRO_SPOOL_MAX %q: want a number of choices, 1 to 10000000", getenv("CONPRO_SPOOL_MAX")))
	} else {
		cfg.SpoolMax = n
	}

	cfg.VendorIDs = map[string]string{}
	for _, name := range consent.VendorVars() {
		if v := get(name, ""); v != "" {
			cfg.VendorIDs[name] = v
		}
	}
	if _, err := consent.NewRegistry(func(k string) string { return cfg.VendorIDs[k] }); err != nil {
		errs = append(errs, err)
	}

	if raw := get("CONPRO_SMTP_URL", ""); raw != "" {
		smtp, err := parseSMTP(raw)
		if err != nil {
			// The URL may hold a password: name the problem, not the value.
			errs = append(errs, fmt.Errorf("CONPRO_SMTP_URL: %w", err))
		}
		cfg.SMTP = smtp
	}
	for _, a := range []struct {
		name string
		dst  *string
		def  string
	}{{"CONPRO_MAIL_TO", &cfg.MailTo, "info@conpro-bvba.be"}, {"CONPRO_MAIL_FROM", &cfg.MailFrom, "website@conpro-bouw.be"}} {
		v := get(a.name, a.def)
		if addr, err := mail.ParseAddress(v); err != nil || addr.Name != "" || addr.Address != v {
			errs = append(errs, fmt.Errorf("%s %q: want a bare e-mail address such as %s", a.name, v, a.def))
		}
		*a.dst = v
	}
	if d, err := time.ParseDuration(get("CONPRO_CONTACT_MIN_FILL", "3s")); err != nil || d < 0 || d > time.Minute {
		errs = append(errs, fmt.Errorf("CONPRO_CONTACT_MIN_FILL %q: want a duration between 0s and 1m", getenv("CONPRO_CONTACT_MIN_FILL")))
	} else {
		cfg.ContactMinFill = d
	}
	if n, err := strconv.Atoi(get("CONPRO_CONTACT_RATE", "10")); err != nil || n < 1 || n > 10000 {
		errs = append(errs, fmt.Errorf("CONPRO_CONTACT_RATE %q: want a number of posts per hour, 1 to 10000", getenv("CONPRO_CONTACT_RATE")))
	} else {
		cfg.ContactRate = n
	}
	if n, err := strconv.Atoi(get("CONPRO_CONSENT_RATE", "60")); err != nil || n < 0 || n > maxConsentRate {
		errs = append(errs, fmt.Errorf("CONPRO_CONSENT_RATE %q: want a number of choices per minute, 1 to %d, or 0 for no limit", getenv("CONPRO_CONSENT_RATE"), maxConsentRate))
	} else {
		cfg.ConsentRate = n
	}

	for _, r := range []struct {
		name, def string
		dst       *time.Duration
	}{
		{"CONPRO_RETAIN_CONTACT", "730d", &cfg.Retention.Contact},
		{"CONPRO_RETAIN_CONSENT", "1826d", &cfg.Retention.Consent},
		{"CONPRO_RETAIN_SENT_MAIL", "30d", &cfg.Retention.SentMail},
		{"CONPRO_RETAIN_UNVERIFIED_REQUESTS", "7d", &cfg.Retention.UnverifiedRequests},
		{"CONPRO_RETAIN_REQUESTS", "1826d", &cfg.Retention.Requests},
		{"CONPRO_PURGE_INTERVAL", "1h", &cfg.Retention.Interval},
	} {
		d, err := parseAge(get(r.name, r.def))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", r.name, getenv(r.name), err))
			continue
		}
		*r.dst = d
	}

	// The Go runtime reads and checks these itself; set, they are left to it.
	if getenv("GOGC") == "" {
		cfg.GCPercent = DefaultGCPercent
	}
	if getenv("GOMEMLIMIT") == "" {
		cfg.MemoryLimit = DefaultMemoryLimit
	}

	if len(errs) > 0 {
		return Config{}, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return cfg, nil
}

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
