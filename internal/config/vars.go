package config

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"conpro/internal/company"
	"conpro/internal/consent"
)

// Var documents one environment variable; README's table lists the same.
type Var struct {
	Name, Default, Doc string
}

// Vars lists every variable Load reads, with its default.
func Vars() []Var {
	vs := variables()
	out := make([]Var, len(vs))
	for i, v := range vs {
		out[i] = Var{Name: v.name, Default: cmp.Or(v.shown, v.value), Doc: v.doc}
	}
	return out
}

// variable is one environment variable: the one place that says its name,
// its default, what it is for and how Load reads it.
type variable struct {
	name string
	// value is what the variable reads as when it is unset or blank; shown
	// says the default for people where value alone does not (none, or one
	// worked out from other variables).
	value, shown string
	doc          string
	// secret keeps the value out of error messages.
	secret bool
	// set checks the value and stores it in c. The variables above it in
	// the table are in c already.
	set func(c *Config, value string) error
}

// maxConsentRate bounds CONPRO_CONSENT_RATE; a load test that wants more
// turns the limit off with 0.
const maxConsentRate = 1_000_000

// variables is the table Load and Vars read, in README's order.
func variables() []variable {
	vars := []variable{
		{name: "CONPRO_ADDR", value: "127.0.0.1:8080", doc: "address the HTTP server listens on",
			set: func(c *Config, v string) error {
				c.Addr = v // the default base URL follows it, even when it is wrong
				if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
					return errors.New("want host:port, such as 127.0.0.1:8080 or :8080")
				}
				return nil
			}},
		{name: "CONPRO_METRICS_ADDR", shown: "(none: no metrics)", doc: "address of a listener of its own for Prometheus metrics (GET /metrics), such as 127.0.0.1:9090; unset, metrics are served nowhere",
			set: func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				// The metrics show staff logins and exports: they never share
				// the public address.
				if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
					return errors.New("want host:port, such as 127.0.0.1:9090")
				}
				if v == c.Addr {
					return errors.New("must differ from CONPRO_ADDR: the metrics are not for the public")
				}
				c.MetricsAddr = v
				return nil
			}},
		{name: "DATABASE_URL", shown: "(set by make run / make test)", doc: "PostgreSQL connection string; required", secret: true,
			set: func(c *Config, v string) error {
				if v == "" {
					return missing("is not set: give a PostgreSQL connection string, or start with `make run`, which starts a local database")
				}
				c.DatabaseURL = v
				return nil
			}},
		{name: "CONPRO_ENV", value: string(Development), doc: "development or production (Secure cookies, HSTS)",
			set: func(c *Config, v string) error {
				switch env := Env(v); env {
				case Development, Production:
					c.Env = env
					return nil
				}
				return errors.New("want development or production")
			}},
		{name: "CONPRO_BASE_URL", shown: "http://CONPRO_ADDR in development", doc: "public address of the site; required in production, https",
			set: func(c *Config, v string) error {
				if v == "" && c.Production() {
					return missing("is required in production, such as https://conpro-bouw.be")
				}
				if v == "" {
					v = "http://" + c.Addr
					if strings.HasPrefix(c.Addr, ":") {
						v = "http://127.0.0.1" + c.Addr
					}
				}
				u, err := parseBaseURL(v)
				if err != nil {
					return err
				}
				if c.Production() && u.Scheme != "https" {
					return errors.New("production needs https")
				}
				c.BaseURL = u
				return nil
			}},
		{name: "CONPRO_LOG_LEVEL", value: "info", doc: "debug, info, warn or error",
			set: func(c *Config, v string) error {
				switch strings.ToLower(v) {
				case "debug":
					c.LogLevel = slog.LevelDebug
				case "info":
					c.LogLevel = slog.LevelInfo
				case "warn", "warning":
					c.LogLevel = slog.LevelWarn
				case "error":
					c.LogLevel = slog.LevelError
				default:
					return errors.New("want debug, info, warn or error")
				}
				return nil
			}},
		{name: "CONPRO_LOG_FORMAT", shown: "text in development, json in production", doc: "text or json",
			set: func(c *Config, v string) error {
				switch f := strings.ToLower(v); {
				case f == "" && c.Production():
					c.LogFormat = "json"
				case f == "":
					c.LogFormat = "text"
				case f == "text" || f == "json":
					c.LogFormat = f
				default:
					return errors.New("want text or json")
				}
				return nil
			}},
		{name: "CONPRO_TRUSTED_PROXIES", shown: "(none)", doc: "comma-separated IPs or CIDRs of proxies whose X-Forwarded-For is trusted",
			set: func(c *Config, v string) error {
				var bad []string
				for part := range strings.SplitSeq(v, ",") {
					part = strings.TrimSpace(part)
					if part == "" {
						continue
					}
					p, err := parsePrefix(part)
					if err != nil {
						bad = append(bad, strconv.Quote(part))
						continue
					}
					c.TrustedProxies = append(c.TrustedProxies, p)
				}
				if len(bad) > 0 {
					return fmt.Errorf("neither an IP address nor a CIDR: %s", strings.Join(bad, ", "))
				}
				return nil
			}},
		{name: "CONPRO_CLOUDFLARE", value: "false", doc: "true when the trusted proxies are Cloudflare's: their CF-Connecting-IP is believed before X-Forwarded-For; otherwise the header is ignored",
			set: func(c *Config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return errors.New("want true or false")
				}
				if b && len(c.TrustedProxies) == 0 {
					// CF-Connecting-IP is believed only from a trusted peer:
					// without any, the setting would silently do nothing.
					return errors.New("needs CONPRO_TRUSTED_PROXIES to list Cloudflare's ranges (https://www.cloudflare.com/ips/)")
				}
				c.Cloudflare = b
				return nil
			}},
		{name: "CONPRO_SHUTDOWN_TIMEOUT", value: "20s", doc: "time in-flight requests get to finish on SIGTERM",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d <= 0 {
					return errors.New("want a positive duration such as 20s")
				}
				c.ShutdownTimeout = d
				return nil
			}},
		{name: "CONPRO_COOKIE_KEY", shown: "random at each start (development only)", doc: "secret that signs the consent cookie: at least 32 bytes, as hex or base64; required in production", secret: true,
			set: func(c *Config, v string) error {
				if v == "" && c.Production() {
					return missing("is required in production: 32 random bytes as hex (openssl rand -hex 32)")
				}
				if v == "" {
					return nil
				}
				key, err := parseKey(v)
				c.CookieKey = key
				return err
			}},
		{name: "CONPRO_CONSENT_MAX_AGE", value: "183d", doc: "how long a consent stays current before the banner asks again (days as 183d, or a duration as 4392h)",
			set: age(func(c *Config) *time.Duration { return &c.ConsentMaxAge })},
		{name: "CONPRO_SPOOL_DIR", value: ".data/spool", doc: "folder where choices wait while the database is down",
			set: func(c *Config, v string) error {
				c.SpoolDir = v
				return nil
			}},
		{name: "CONPRO_SPOOL_MAX", value: "20000", doc: "most choices that may wait in the spool; past it a grant is refused with a 503 (a refusal still takes effect)",
			set: number(1, 10_000_000, "want a number of choices, 1 to 10000000", func(c *Config) *int { return &c.SpoolMax })},
		{name: "CONPRO_MEDIA_MAX_BYTES", value: "15728640", doc: "largest photo file staff may upload, in bytes (15728640 is 15 MiB)",
			set: number(1<<20, 100<<20, "want a number of bytes, 1048576 (1 MiB) to 104857600 (100 MiB)", func(c *Config) *int { return &c.MediaMaxBytes })},
		{name: "CONPRO_QUOTE_MAX_BYTES", value: "15728640", doc: "most bytes the photos and plans of one quote request may take together as kept and mailed (15728640 is 15 MiB, about 21 MB in the mail)",
			set: number(1<<20, 50<<20, "want a number of bytes, 1048576 (1 MiB) to 52428800 (50 MiB)", func(c *Config) *int { return &c.QuoteMaxBytes })},
	}
	// The vendors' variables are the consent registry's, so that a vendor is
	// added in one place.
	for _, v := range consent.VendorVars() {
		off := "(off)"
		if v.Off != "" {
			off = v.Off
		}
		vars = append(vars, vendorID(v.Name, off, v.Doc))
	}
	return append(vars, []variable{
		{name: "CONPRO_SMTP_URL", shown: "(none: mail stays queued)", doc: "mail server: smtp://user:pass@host:587 (STARTTLS required) or smtps://user:pass@host:465; a loopback relay may be plain smtp://127.0.0.1:25",
			// The URL may hold a password: name the problem, not the value.
			secret: true,
			set: func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				smtp, err := parseSMTP(v)
				c.SMTP = smtp
				return err
			}},
		{name: "CONPRO_MAIL_TO", value: "info@conpro-bvba.be", doc: "address that receives the contact form's notifications and the notice that a data-subject request waits for staff",
			set: address(func(c *Config) *string { return &c.MailTo })},
		{name: "CONPRO_MAIL_FROM", value: "website@conpro-bouw.be", doc: "sender address of the site's mail",
			set: address(func(c *Config) *string { return &c.MailFrom })},
		{name: "CONPRO_COMPANY_NUMBER", shown: "(none: not shown)", doc: "the company's Belgian enterprise number (KBO), such as 0123.456.749, or BE 0123.456.749 as a VAT number; shown in the footer of every page and on /contact",
			set: func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				n, err := company.ParseNumber(v)
				c.Company.Number = n
				return err
			}},
		{name: "CONPRO_OFFICE_HOURS", shown: "(none: not shown)", doc: fmt.Sprintf("the office hours as one line of plain text (at most %d characters), such as ma–vr 8.00–17.00; shown as written in the footer of every page and on /contact", company.MaxOfficeHours),
			set: func(c *Config, v string) error {
				h, err := company.ParseOfficeHours(v)
				c.Company.OfficeHours = h
				return err
			}},
		{name: "CONPRO_CONTACT_MIN_FILL", value: "3s", doc: "a contact post made faster than this after the form was shown is kept, but marked as possible spam for staff",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d < 0 || d > time.Minute {
					return errors.New("want a duration between 0s and 1m")
				}
				c.ContactMinFill = d
				return nil
			}},
		{name: "CONPRO_CONTACT_RATE", value: "10", doc: "contact posts one address may make per hour",
			set: number(1, 10_000, "want a number of posts per hour, 1 to 10000", func(c *Config) *int { return &c.ContactRate })},
		{name: "CONPRO_CONSENT_RATE", value: "60", doc: "consent choices one client (IPv4 address or IPv6 /64) may post per minute; 0 turns the limit off",
			set: number(0, maxConsentRate, fmt.Sprintf("want a number of choices per minute, 1 to %d, or 0 for no limit", maxConsentRate), func(c *Config) *int { return &c.ConsentRate })},
		{name: "CONPRO_RETAIN_CONTACT", value: "730d", doc: "how long contact messages are kept after they arrived",
			set: age(func(c *Config) *time.Duration { return &c.Retention.Contact })},
		{name: "CONPRO_RETAIN_CONSENT", value: "1826d", doc: "how long consent log entries are kept after the last choice of their consent ID",
			set: age(func(c *Config) *time.Duration { return &c.Retention.Consent })},
		{name: "CONPRO_RETAIN_SENT_MAIL", value: "30d", doc: "how long a sent notification mail stays in the outbox",
			set: age(func(c *Config) *time.Duration { return &c.Retention.SentMail })},
		{name: "CONPRO_RETAIN_UNVERIFIED_REQUESTS", value: "7d", doc: "how long a data-subject request whose link was never opened is kept",
			set: age(func(c *Config) *time.Duration { return &c.Retention.UnverifiedRequests })},
		{name: "CONPRO_RETAIN_REQUESTS", value: "1826d", doc: "how long a verified data-subject request and its outcome are kept",
			set: age(func(c *Config) *time.Duration { return &c.Retention.Requests })},
		{name: "CONPRO_PURGE_INTERVAL", value: "1h", doc: "how often the server deletes what is past its retention period",
			set: age(func(c *Config) *time.Duration { return &c.Retention.Interval })},
		{name: "CONPRO_SCAN_INTERVAL", shown: "(none: no scheduled scan)", doc: "how often the server scans its own pages in headless Chromium in every consent state (as `conpro scan` does), when a Chromium is found; at least 1h",
			set: func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				d, err := parseAge(v)
				if err != nil || d < time.Hour {
					return errors.New("want a period of at least an hour, such as 24h or 7d")
				}
				c.ScanInterval = d
				return nil
			}},
		{name: "CONPRO_SERVICES_POLL", value: "5s", doc: "how long each instance trusts the services staff switch on and describe in the staff area (/admin/diensten) before it reads them again; a change applies everywhere within this time; 100ms to 1m",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d < 100*time.Millisecond || d > time.Minute {
					return errors.New("want a duration from 100ms to 1m, such as 5s")
				}
				c.ServicesPoll = d
				return nil
			}},
		// The Go runtime reads and checks these itself; set, they are left
		// to it, and Load only notes that `serve` need not set them.
		{name: "GOGC", shown: fmt.Sprintf("%d for `serve` (Go's own default is 100)", DefaultGCPercent),
			doc: fmt.Sprintf("the garbage collector's target, read by the Go runtime; when unset, `serve` sets %d: fewer collections under load for a few MB more heap", DefaultGCPercent),
			set: func(c *Config, v string) error {
				if v == "" {
					c.GCPercent = DefaultGCPercent
				}
				return nil
			}},
		{name: "GOMEMLIMIT", shown: fmt.Sprintf("%dMiB for `serve` (Go's own default: no limit)", DefaultMemoryLimit>>20),
			doc: fmt.Sprintf("the Go runtime's soft memory limit, read by the Go runtime; when unset, `serve` sets %dMiB, so that GOGC=%d cannot let a larger heap grow fivefold", DefaultMemoryLimit>>20, DefaultGCPercent),
			set: func(c *Config, v string) error {
				if v == "" {
					c.MemoryLimit = DefaultMemoryLimit
				}
				return nil
			}},
	}...)
}

// vendorID is the variable that activates a consent vendor with its ID;
// consent.NewRegistry checks the IDs once all are read.
func vendorID(name, shown, doc string) variable {
	return variable{name: name, shown: shown, doc: doc, set: func(c *Config, v string) error {
		if v != "" {
			c.VendorIDs[name] = v
		}
		return nil
	}}
}

// age reads days ("183d") or a duration ("4392h") into the field of c that
// field returns.
func age(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := parseAge(v)
		if err != nil {
			return err
		}
		*field(c) = d
		return nil
	}
}

// number reads a whole number from lo to hi into the field of c that field
// returns; want says what is wanted when the value is not one.
func number(lo, hi int, want string, field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return errors.New(want)
		}
		*field(c) = n
		return nil
	}
}

// address reads a bare e-mail address into the field of c that field
// returns.
func address(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if a, err := mail.ParseAddress(v); err != nil || a.Name != "" || a.Address != v {
			return errors.New("want a bare e-mail address, without a name or angle brackets")
		}
		*field(c) = v
		return nil
	}
}
