package config

import (
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"conpro/internal/consent"
)

const testDB = "postgres://conpro@localhost:5432/conpro"

// env returns a getenv over vars, with DATABASE_URL set unless vars says
// otherwise.
// testKey is a valid consent cookie key (32 bytes, hex).
const testKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func env(vars map[string]string) func(string) string {
	m := map[string]string{"DATABASE_URL": testDB}
	for k, v := range vars {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func mustLoad(t *testing.T, vars map[string]string) Config {
	t.Helper()
	cfg, err := Load(env(vars))
	if err != nil {
		t.Fatalf("Load(%v): %v", vars, err)
	}
	return cfg
}

func TestLoad_DefaultsServeDevelopmentOnLoopback(t *testing.T) {
	cfg := mustLoad(t, nil)
	if cfg.Addr != "127.0.0.1:8080" {
		t.Errorf("Addr = %q", cfg.Addr)
	}
	if cfg.DatabaseURL != testDB {
		t.Errorf("DatabaseURL = %q", cfg.DatabaseURL)
	}
	if cfg.Env != Development || cfg.Production() {
		t.Errorf("Env = %q, Production() = %v", cfg.Env, cfg.Production())
	}
	if cfg.LogLevel != slog.LevelInfo {
		t.Errorf("LogLevel = %v", cfg.LogLevel)
	}
	if cfg.LogFormat != "text" {
		t.Errorf("LogFormat = %q", cfg.LogFormat)
	}
	if cfg.ShutdownTimeout != 20*time.Second {
		t.Errorf("ShutdownTimeout = %v", cfg.ShutdownTimeout)
	}
	if cfg.BaseURL == nil || cfg.BaseURL.String() != "http://127.0.0.1:8080" {
		t.Errorf("BaseURL = %v", cfg.BaseURL)
	}
	if len(cfg.TrustedProxies) != 0 {
		t.Errorf("TrustedProxies = %v", cfg.TrustedProxies)
	}
	if cfg.Cloudflare {
		t.Error("Cloudflare is on by default")
	}
	if cfg.ConsentRate != 60 {
		t.Errorf("ConsentRate = %d", cfg.ConsentRate)
	}
	if cfg.SpoolMax != 20000 {
		t.Errorf("SpoolMax = %d", cfg.SpoolMax)
	}
}

func TestLoad_CloudflareIsASeparateSettingThatNeedsTrustedProxies(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"CONPRO_TRUSTED_PROXIES": "173.245.48.0/20", "CONPRO_CLOUDFLARE": "true"})
	if !cfg.Cloudflare {
		t.Error("CONPRO_CLOUDFLARE=true not taken")
	}
	if cfg := mustLoad(t, map[string]string{"CONPRO_TRUSTED_PROXIES": "10.0.0.1", "CONPRO_CLOUDFLARE": "false"}); cfg.Cloudflare {
		t.Error("CONPRO_CLOUDFLARE=false taken for true")
	}
	if _, err := Load(env(map[string]string{"CONPRO_CLOUDFLARE": "true"})); err == nil || !strings.Contains(err.Error(), "CONPRO_TRUSTED_PROXIES") {
		t.Errorf("Cloudflare without trusted proxies: %v", err)
	}
	if _, err := Load(env(map[string]string{"CONPRO_TRUSTED_PROXIES": "10.0.0.1", "CONPRO_CLOUDFLARE": "yes please"})); err == nil || !strings.Contains(err.Error(), "CONPRO_CLOUDFLARE") {
		t.Errorf("CONPRO_CLOUDFLARE=yes please: %v", err)
	}
}

func TestLoad_ConsentRateZeroTurnsTheLimitOffAndLargeNumbersAreAccepted(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "1": 1, "60": 60, "100000": 100000, "1000000": 1000000} {
		if cfg := mustLoad(t, map[string]string{"CONPRO_CONSENT_RATE": in}); cfg.ConsentRate != want {
			t.Errorf("CONPRO_CONSENT_RATE=%s: ConsentRate = %d", in, cfg.ConsentRate)
		}
	}
	for _, bad := range []string{"-1", "1000001", "sixty", "60/m", "1e3"} {
		if _, err := Load(env(map[string]string{"CONPRO_CONSENT_RATE": bad})); err == nil || !strings.Contains(err.Error(), "CONPRO_CONSENT_RATE") {
			t.Errorf("CONPRO_CONSENT_RATE=%s: %v", bad, err)
		}
	}
}

func TestLoad_DefaultBaseURLFollowsTheAddress(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		":8080":          "http://127.0.0.1:8080",
		":9000":          "http://127.0.0.1:9000",
		"localhost:3000": "http://localhost:3000",
		"[::1]:8081":     "http://[::1]:8081",
	}
	for addr, want := range cases {
		cfg := mustLoad(t, map[string]string{"CONPRO_ADDR": addr})
		if cfg.Addr != addr {
			t.Errorf("CONPRO_ADDR %q: Addr = %q", addr, cfg.Addr)
		}
		if cfg.BaseURL == nil || cfg.BaseURL.String() != want {
			t.Errorf("CONPRO_ADDR %q: BaseURL = %v, want %s", addr, cfg.BaseURL, want)
		}
	}
}

func TestLoad_ProductionLogsJSONByDefault(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"CONPRO_ENV": "production", "CONPRO_BASE_URL": "https://conpro-bouw.be", "CONPRO_COOKIE_KEY": testKey})
	if !cfg.Production() || cfg.Env != Production {
		t.Errorf("Env = %q", cfg.Env)
	}
	if cfg.LogFormat != "json" {
		t.Errorf("LogFormat = %q, want json", cfg.LogFormat)
	}
	if cfg.BaseURL.String() != "https://conpro-bouw.be" {
		t.Errorf("BaseURL = %v", cfg.BaseURL)
	}
}

func TestLoad_ExplicitValuesOverrideDefaults(t *testing.T) {
	cfg := mustLoad(t, map[string]string{
		"CONPRO_ADDR":             " 0.0.0.0:9090 ",
		"CONPRO_ENV":              "production",
		"CONPRO_COOKIE_KEY":       testKey,
		"CONPRO_BASE_URL":         "https://www.conpro-bouw.be",
		"CONPRO_LOG_LEVEL":        "DEBUG",
		"CONPRO_LOG_FORMAT":       "Text",
		"CONPRO_SHUTDOWN_TIMEOUT": "1m30s",
	})
	if cfg.Addr != "0.0.0.0:9090" {
		t.Errorf("Addr = %q", cfg.Addr)
	}
	if cfg.LogLevel != slog.LevelDebug {
		t.Errorf("LogLevel = %v", cfg.LogLevel)
	}
	if cfg.LogFormat != "text" {
		t.Errorf("LogFormat = %q", cfg.LogFormat)
	}
	if cfg.ShutdownTimeout != 90*time.Second {
		t.Errorf("ShutdownTimeout = %v", cfg.ShutdownTimeout)
	}
}

func TestLoad_LogLevels(t *testing.T) {
	cases := map[string]slog.Level{
		"debug":   slog.LevelDebug,
		"info":    slog.LevelInfo,
		"warn":    slog.LevelWarn,
		"warning": slog.LevelWarn,
		"error":   slog.LevelError,
		"Error":   slog.LevelError,
	}
	for v, want := range cases {
		cfg := mustLoad(t, map[string]string{"CONPRO_LOG_LEVEL": v})
		if cfg.LogLevel != want {
			t.Errorf("CONPRO_LOG_LEVEL %q: %v, want %v", v, cfg.LogLevel, want)
		}
	}
}

func TestLoad_RequiresDatabaseURL(t *testing.T) {
	for _, v := range []string{"", "   "} {
		_, err := Load(env(map[string]string{"DATABASE_URL": v}))
		if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("DATABASE_URL %q: error %v, want one naming DATABASE_URL", v, err)
		}
	}
}

func TestLoad_ProductionRequiresAnHTTPSBaseURL(t *testing.T) {
	cases := []string{"", "http://conpro-bouw.be"}
	for _, base := range cases {
		_, err := Load(env(map[string]string{"CONPRO_ENV": "production", "CONPRO_BASE_URL": base}))
		if err == nil || !strings.Contains(err.Error(), "CONPRO_BASE_URL") {
			t.Errorf("production, CONPRO_BASE_URL %q: error %v, want one naming CONPRO_BASE_URL", base, err)
		}
	}
}

func TestLoad_DevelopmentAcceptsAnHTTPBaseURL(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"CONPRO_BASE_URL": "http://conpro.test:8080"})
	if cfg.BaseURL.String() != "http://conpro.test:8080" {
		t.Errorf("BaseURL = %v", cfg.BaseURL)
	}
}

func TestLoad_BaseURLKeepsItsPathWithoutTrailingSlash(t *testing.T) {
	cases := map[string]string{
		"https://conpro-bouw.be/":       "https://conpro-bouw.be",
		"https://example.be/conpro":     "https://example.be/conpro",
		"https://example.be/conpro/":    "https://example.be/conpro",
		"https://example.be/a/b/":       "https://example.be/a/b",
		"http://127.0.0.1:8080/site/":   "http://127.0.0.1:8080/site",
		" https://conpro-bouw.be/nl/  ": "https://conpro-bouw.be/nl",
	}
	for base, want := range cases {
		cfg := mustLoad(t, map[string]string{"CONPRO_BASE_URL": base})
		if got := cfg.BaseURL.String(); got != want {
			t.Errorf("CONPRO_BASE_URL %q: %s, want %s", base, got, want)
		}
	}
}

func TestLoad_RejectsABaseURLWithMoreThanSchemeHostAndPath(t *testing.T) {
	cases := []string{
		"https://conpro-bouw.be/?lang=nl",
		"https://conpro-bouw.be/#top",
		"https://admin:secret@conpro-bouw.be",
		"https://admin@conpro-bouw.be",
		"ftp://conpro-bouw.be",
		"conpro-bouw.be",
		"https://",
		"https://conpro bouw.be",
		"://x",
	}
	for _, base := range cases {
		_, err := Load(env(map[string]string{"CONPRO_BASE_URL": base}))
		if err == nil || !strings.Contains(err.Error(), "CONPRO_BASE_URL") {
			t.Errorf("CONPRO_BASE_URL %q: error %v, want one naming CONPRO_BASE_URL", base, err)
		}
	}
}

func TestLoad_TrustedProxiesAcceptsIPsAndCIDRs(t *testing.T) {
	cfg := mustLoad(t, map[string]string{
		"CONPRO_TRUSTED_PROXIES": " 10.0.0.1, 173.245.48.0/20 ,2400:cb00::/32,::1,,192.168.1.77/24, ::ffff:10.1.2.3",
	})
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.1/32"),
		netip.MustParsePrefix("173.245.48.0/20"),
		netip.MustParsePrefix("2400:cb00::/32"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("192.168.1.0/24"), // masked
		netip.MustParsePrefix("10.1.2.3/32"),    // unmapped
	}
	if !slices.Equal(cfg.TrustedProxies, want) {
		t.Errorf("TrustedProxies = %v, want %v", cfg.TrustedProxies, want)
	}
}

func TestLoad_TrustedProxiesRejectsGarbage(t *testing.T) {
	cases := []string{
		"cloudflare",
		"10.0.0.1, nonsense",
		"10.0.0.256",
		"10.0.0.0/33",
		"2400:cb00::/129",
		"10.0.0.1:80",
		"10.0.0.0/",
	}
	for _, v := range cases {
		_, err := Load(env(map[string]string{"CONPRO_TRUSTED_PROXIES": v}))
		if err == nil || !strings.Contains(err.Error(), "CONPRO_TRUSTED_PROXIES") {
			t.Errorf("CONPRO_TRUSTED_PROXIES %q: error %v, want one naming CONPRO_TRUSTED_PROXIES", v, err)
		}
	}
}

func TestLoad_RejectsBadValuesOfEachVariable(t *testing.T) {
	cases := []struct {
		name, value string
	}{
		{"CONPRO_ADDR", "8080"},
		{"CONPRO_ADDR", "localhost:"},
		{"CONPRO_ENV", "staging"},
		{"CONPRO_LOG_LEVEL", "verbose"},
		{"CONPRO_LOG_FORMAT", "xml"},
		{"CONPRO_SHUTDOWN_TIMEOUT", "20"},
		{"CONPRO_SHUTDOWN_TIMEOUT", "0s"},
		{"CONPRO_SHUTDOWN_TIMEOUT", "-5s"},
		{"CONPRO_SPOOL_MAX", "0"},
		{"CONPRO_SPOOL_MAX", "lots"},
		{"CONPRO_CONSENT_RATE", "-1"},
	}
	for _, c := range cases {
		cfg, err := Load(env(map[string]string{c.name: c.value}))
		if err == nil {
			t.Errorf("%s=%q accepted: %+v", c.name, c.value, cfg)
			continue
		}
		if !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), c.value) {
			t.Errorf("%s=%q: error %q does not name the variable and its value", c.name, c.value, err)
		}
	}
}

func TestLoad_NamesEveryBadVariableInOneError(t *testing.T) {
	vars := map[string]string{
		"DATABASE_URL":            "",
		"CONPRO_ADDR":             "nope",
		"CONPRO_ENV":              "prod",
		"CONPRO_LOG_LEVEL":        "loud",
		"CONPRO_LOG_FORMAT":       "yaml",
		"CONPRO_BASE_URL":         "https://x.be/?q=1",
		"CONPRO_TRUSTED_PROXIES":  "10.0.0.1,bogus",
		"CONPRO_SHUTDOWN_TIMEOUT": "soon",
	}
	cfg, err := Load(env(vars))
	if err == nil {
		t.Fatalf("accepted: %+v", cfg)
	}
	for name := range vars {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
	if cfg.BaseURL != nil || cfg.Addr != "" || cfg.TrustedProxies != nil {
		t.Errorf("a failed Load returned a partial configuration: %+v", cfg)
	}
}

func TestVars_DocumentsEveryVariableLoadReads(t *testing.T) {
	var read []string
	_, _ = Load(func(k string) string {
		read = append(read, k)
		return ""
	})
	var documented []string
	for _, v := range Vars() {
		documented = append(documented, v.Name)
	}
	for _, k := range read {
		if !slices.Contains(documented, k) {
			t.Errorf("Load reads %s, which Vars does not document", k)
		}
	}
	for _, k := range documented {
		if !slices.Contains(read, k) {
			t.Errorf("Vars documents %s, which Load does not read", k)
		}
	}
}

// A vendor is activated by its variable's row in the table: a vendor of the
// consent registry without one could never be switched on.
func TestVars_DocumentEveryConsentVendorVariable(t *testing.T) {
	var documented []string
	for _, v := range Vars() {
		documented = append(documented, v.Name)
	}
	for _, v := range consent.VendorVars() {
		if !slices.Contains(documented, v.Name) {
			t.Errorf("the consent registry reads %s, which Load does not", v.Name)
		}
	}
}

func TestLoad_CookieKeyIsRequiredInProductionAndMustBeLong(t *testing.T) {
	_, err := Load(env(map[string]string{"CONPRO_ENV": "production", "CONPRO_BASE_URL": "https://conpro-bouw.be"}))
	if err == nil || !strings.Contains(err.Error(), "CONPRO_COOKIE_KEY is required") {
		t.Fatalf("production without a key: %v", err)
	}
	for _, bad := range []string{"abcd", "not a key at all!", strings.Repeat("ab", 31)} {
		_, err := Load(env(map[string]string{"CONPRO_COOKIE_KEY": bad}))
		if err == nil || !strings.Contains(err.Error(), "CONPRO_COOKIE_KEY") {
			t.Errorf("key %q: %v", bad, err)
		}
	}
	for _, good := range []string{testKey, "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=", "ABEiM0RVZneImaq7zN3u_wARIjNEVWZ3iJmqu8zd7v8"} {
		cfg, err := Load(env(map[string]string{"CONPRO_COOKIE_KEY": good}))
		if err != nil || len(cfg.CookieKey) != 32 {
			t.Errorf("key %q: %d bytes, %v", good, len(cfg.CookieKey), err)
		}
	}
}

func TestLoad_ConsentMaxAgeInDaysOrADuration(t *testing.T) {
	cases := map[string]time.Duration{"": 183 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "4392h": 4392 * time.Hour, "90s": 90 * time.Second}
	for in, want := range cases {
		cfg, err := Load(env(map[string]string{"CONPRO_CONSENT_MAX_AGE": in}))
		if err != nil || cfg.ConsentMaxAge != want {
			t.Errorf("%q: %v, %v", in, cfg.ConsentMaxAge, err)
		}
	}
	for _, bad := range []string{"0d", "-1d", "six months", "-5h", "99999d"} {
		if _, err := Load(env(map[string]string{"CONPRO_CONSENT_MAX_AGE": bad})); err == nil || !strings.Contains(err.Error(), "CONPRO_CONSENT_MAX_AGE") {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}

func TestLoad_VendorIDsAreValidatedBecauseTheyEndUpInScripts(t *testing.T) {
	cfg, err := Load(env(map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-ABC123", "CONPRO_SOCIAL_WIDGETS": "1"}))
	if err != nil || cfg.VendorIDs["CONPRO_GA_MEASUREMENT_ID"] != "G-ABC123" || cfg.VendorIDs["CONPRO_SOCIAL_WIDGETS"] != "1" {
		t.Fatalf("%v, %v", cfg.VendorIDs, err)
	}
	for name, bad := range map[string]string{
		"CONPRO_GA_MEASUREMENT_ID":   "G-1');alert(1)//",
		"CONPRO_GOOGLE_ADS_ID":       "123",
		"CONPRO_META_PIXEL_ID":       "abc",
		"CONPRO_LINKEDIN_PARTNER_ID": "12'",
		"CONPRO_SMARTLOOK_KEY":       "<script>",
		"CONPRO_SOCIAL_WIDGETS":      "yes",
	} {
		if _, err := Load(env(map[string]string{name: bad})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q accepted: %v", name, bad, err)
		}
	}
}

func TestLoad_CompanyNumberAndOfficeHoursAreShownOnlyWhenSet(t *testing.T) {
	cfg := mustLoad(t, nil)
	if !cfg.Company.Number.IsZero() || cfg.Company.OfficeHours != "" {
		t.Errorf("unset: company details %+v, want none", cfg.Company)
	}
	cfg = mustLoad(t, map[string]string{"CONPRO_COMPANY_NUMBER": " be0123456749 ", "CONPRO_OFFICE_HOURS": " ma–vr 8.00–17.00 "})
	if got := cfg.Company.Number.String(); got != "BE 0123.456.749" {
		t.Errorf("CONPRO_COMPANY_NUMBER=be0123456749: %q", got)
	}
	if cfg.Company.OfficeHours != "ma–vr 8.00–17.00" {
		t.Errorf("CONPRO_OFFICE_HOURS: %q", cfg.Company.OfficeHours)
	}
}

// A mistyped company number or office hours that are not plain text stop
// the server at start, naming the variable and the value.
func TestLoad_RefusesABadCompanyNumberOrOfficeHours(t *testing.T) {
	for name, bad := range map[string]string{
		"CONPRO_COMPANY_NUMBER": "0123.456.748",
		"CONPRO_OFFICE_HOURS":   "ma–vr <b>8–17</b>",
	} {
		_, err := Load(env(map[string]string{name: bad}))
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s=%q: %v", name, bad, err)
		}
	}
	_, err := Load(env(map[string]string{"CONPRO_OFFICE_HOURS": strings.Repeat("8–17 ", 30)}))
	if err == nil || !strings.Contains(err.Error(), "CONPRO_OFFICE_HOURS") {
		t.Errorf("150 characters of office hours: %v", err)
	}
}

func TestLoad_MetricsListenOnlyWhereConfiguredApartFromTheSite(t *testing.T) {
	if cfg := mustLoad(t, nil); cfg.MetricsAddr != "" {
		t.Errorf("unset: MetricsAddr = %q, want none", cfg.MetricsAddr)
	}
	if cfg := mustLoad(t, map[string]string{"CONPRO_METRICS_ADDR": "127.0.0.1:9090"}); cfg.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("MetricsAddr = %q", cfg.MetricsAddr)
	}
	for _, bad := range []string{"9090", "localhost:", "127.0.0.1:8080"} {
		_, err := Load(env(map[string]string{"CONPRO_METRICS_ADDR": bad}))
		if err == nil || !strings.Contains(err.Error(), "CONPRO_METRICS_ADDR") {
			t.Errorf("CONPRO_METRICS_ADDR=%q: %v", bad, err)
		}
	}
}
