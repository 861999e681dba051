package consent

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Cookie describes a first-party cookie a vendor's script sets on the site's
// domain. Pattern uses path.Match syntax ("_ga_*").
type Cookie struct {
	Pattern string
	MaxAge  time.Duration
}

// Vendor is a third party whose script, pixel or widget the site loads only
// with the visitor's consent.
type Vendor struct {
	// Key is the stable identifier used in forms and the consent log.
	Key string
	// Code is the short form of Key in the consent cookie.
	Code     string
	Name     string
	Category Category
	// Company and Location (vestiging) as the policy names them.
	Company  string
	Location string
	// PurposeID is the i18n message that explains what the vendor does.
	PurposeID string
	// Party is the row of the policy's cookie table that covers the vendor.
	Party   string
	Cookies []Cookie
	// Hosts the vendor's code contacts, per CSP directive.
	ScriptHosts  []string
	ConnectHosts []string
	ImgHosts     []string
	FrameHosts   []string
	// IDVar is the environment variable whose value activates the vendor.
	IDVar string
	// idPattern validates that value: it ends up inside a script.
	idPattern string
}

const (
	day  = 24 * time.Hour
	year = 365 * day
)

// vendorCatalog lists every vendor the site knows how to load. A vendor is
// active only when its ID is configured. It is built once; callers read it
// and never change it (the hot path decodes a cookie on every request).
var vendorCatalog = sync.OnceValue(buildCatalog)

func buildCatalog() []Vendor {
	return []Vendor{
		{
			Key: "google-analytics", Code: "ga", Name: "Google Analytics", Category: Analytics,
			Company: "Google", Location: "US (Privacy Shield)", PurposeID: "VendorPurposeGoogleAnalytics", Party: "google-analytics",
			Cookies:      []Cookie{{"_ga", 2 * year}, {"_ga_*", 2 * year}, {"_gid", day}, {"_gat*", time.Minute}},
			ScriptHosts:  []string{"https://www.googletagmanager.com"},
			ConnectHosts: []string{"https://*.google-analytics.com", "https://*.analytics.google.com", "https://www.googletagmanager.com"},
			ImgHosts:     []string{"https://*.google-analytics.com", "https://www.googletagmanager.com"},
			IDVar:        "CONPRO_GA_MEASUREMENT_ID", idPattern: `^G-[A-Z0-9]{4,20}$`,
		},
		{
			Key: "smartlook", Code: "sl", Name: "Smartlook", Category: Analytics,
			Company: "Smartlook", Location: "US (Privacy Shield)", PurposeID: "VendorPurposeSmartlook", Party: "smartlook",
			Cookies:      []Cookie{{"SL_*", year}},
			ScriptHosts:  []string{"https://web-sdk.smartlook.com"},
			ConnectHosts: []string{"https://*.smartlook.com", "https://*.smartlook.cloud"},
			ImgHosts:     []string{"https://*.smartlook.com", "https://*.smartlook.cloud"},
			IDVar:        "CONPRO_SMARTLOOK_KEY", idPattern: `^[0-9a-f]{20,64}$`,
		},
		{
			Key: "google-ads", Code: "gads", Name: "Google Ads", Category: Advertising,
			Company: "Google", Location: "US (Privacy Shield)", PurposeID: "VendorPurposeGoogleAds", Party: "google-ads",
			Cookies:      []Cookie{{"_gcl_*", 90 * day}, {"_gac_*", 90 * day}},
			ScriptHosts:  []string{"https://www.googletagmanager.com", "https://www.googleadservices.com", "https://googleads.g.doubleclick.net"},
			ConnectHosts: []string{"https://www.googletagmanager.com", "https://googleads.g.doubleclick.net", "https://www.google.com"},
			ImgHosts:     []string{"https://googleads.g.doubleclick.net", "https://www.google.com", "https://www.google.be"},
			FrameHosts:   []string{"https://td.doubleclick.net", "https://www.googletagmanager.com"},
			IDVar:        "CONPRO_GOOGLE_ADS_ID", idPattern: `^AW-[0-9]{6,15}$`,
		},
		{
			Key: "meta-pixel", Code: "meta", Name: "Meta Pixel (Facebook)", Category: Advertising,
			Company: "Facebook", Location: "US (Privacy Shield)", PurposeID: "VendorPurposeMetaPixel", Party: "meta-pixel",
			Cookies:      []Cookie{{"_fbp", 90 * day}, {"_fbc", 90 * day}},
			ScriptHosts:  []string{"https://connect.facebook.net"},
			ConnectHosts: []string{"https://www.facebook.com", "https://connect.facebook.net"},
			ImgHosts:     []string{"https://www.facebook.com"},
			IDVar:        "CONPRO_META_PIXEL_ID", idPattern: `^[0-9]{6,20}$`,
		},
		{
			Key: "linkedin-insight", Code: "li", Name: "LinkedIn Insight Tag", Category: Advertising,
			Company: "LinkedIn", Location: "US (Privacy Shield)", PurposeID: "VendorPurposeLinkedIn", Party: "linkedin-insight",
			Cookies:      []Cookie{{"li_*", 90 * day}, {"_li_*", 90 * day}, {"ln_or", day}},
			ScriptHosts:  []string{"https://snap.licdn.com"},
			ConnectHosts: []string{"https://px.ads.linkedin.com"},
			ImgHosts:     []string{"https://px.ads.linkedin.com"},
			IDVar:        "CONPRO_LINKEDIN_PARTNER_ID", idPattern: `^[0-9]{3,12}$`,
		},
		{
			Key: "social-widgets", Code: "soc", Name: "Facebook- en LinkedIn-knoppen", Category: Social,
			Company: "Facebook, LinkedIn", Location: "EU / US", PurposeID: "VendorPurposeSocial", Party: "social-widgets",
			ScriptHosts:  []string{"https://platform.linkedin.com"},
			ConnectHosts: []string{"https://www.linkedin.com"},
			ImgHosts:     []string{"https://www.facebook.com", "https://static.xx.fbcdn.net", "https://static.licdn.com"},
			FrameHosts:   []string{"https://www.facebook.com", "https://www.linkedin.com"},
			IDVar:        "CONPRO_SOCIAL_WIDGETS", idPattern: `^1$`,
		},
	}
}

// Registry is the catalogue with the configured vendor IDs: the vendors the
// site actually loads, each only with consent.
type Registry struct {
	active []Vendor
	ids    map[string]string // vendor key → configured ID
	// injections memoises Inject per set of granted vendors.
	injections sync.Map
}

// NewRegistry activates the vendors whose ID variable getenv sets. An ID of
// the wrong form is an error naming the variable: it would be written into a
// script. CONPRO_SOCIAL_WIDGETS takes 1 (on) or 0 (off).
func NewRegistry(getenv func(string) string) (*Registry, error) {
	r := &Registry{ids: map[string]string{}}
	var errs []error
	for _, v := range vendorCatalog() {
		id := strings.TrimSpace(getenv(v.IDVar))
		if id == "" || (v.Key == "social-widgets" && id == "0") {
			continue
		}
		if ok, _ := regexp.MatchString(v.idPattern, id); !ok {
			errs = append(errs, fmt.Errorf("%s %q: not a valid %s ID", v.IDVar, id, v.Name))
			continue
		}
		r.active = append(r.active, v)
		r.ids[v.Key] = id
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

// VendorVars lists the environment variables that activate vendors.
func VendorVars() []string {
	var out []string
	for _, v := range vendorCatalog() {
		out = append(out, v.IDVar)
	}
	return out
}

// Active returns the active vendors in catalogue order.
func (r *Registry) Active() []Vendor { return slices.Clone(r.active) }

// ActiveIn returns the active vendors of one category.
func (r *Registry) ActiveIn(c Category) []Vendor {
	var out []Vendor
	for _, v := range r.active {
		if v.Category == c {
			out = append(out, v)
		}
	}
	return out
}

// Vendor returns an active vendor by key.
func (r *Registry) Vendor(key string) (Vendor, bool) {
	for _, v := range r.active {
		if v.Key == key {
			return v, true
		}
	}
	return Vendor{}, false
}

// ID returns the configured ID of an active vendor.
func (r *Registry) ID(key string) string { return r.ids[key] }

// Known reports whether key names a vendor of the catalogue, active or not.
func Known(key string) bool {
	return slices.ContainsFunc(vendorCatalog(), func(v Vendor) bool { return v.Key == key })
}

func vendorByKey(key string) (Vendor, bool) {
	for _, v := range vendorCatalog() {
		if v.Key == key {
			return v, true
		}
	}
	return Vendor{}, false
}

// MatchesCookie reports whether a cookie name is one the vendor sets.
func (v Vendor) MatchesCookie(name string) bool {
	for _, c := range v.Cookies {
		if ok, _ := path.Match(c.Pattern, name); ok {
			return true
		}
	}
	return false
}

// SiteCookie is a cookie the site itself sets; all are functional.
type SiteCookie struct {
	Name      string
	PurposeID string
	// MaxAge is how long the browser keeps the cookie; ValidFor, when set,
	// how long what it holds counts (the consent cookie outlives the
	// consent so that a new choice keeps the same ID).
	MaxAge   time.Duration
	ValidFor time.Duration
}

// SiteCookies lists the site's own cookies.
func SiteCookies(cookieLifetime, consentMaxAge time.Duration) []SiteCookie {
	return []SiteCookie{
		{Name: CookieName, PurposeID: "CookiePurposeConsent", MaxAge: cookieLifetime, ValidFor: consentMaxAge},
		{Name: "conpro_lang", PurposeID: "CookiePurposeLanguage", MaxAge: year},
	}
}

// VendorName returns the display name of a catalogue vendor, or the key
// itself for one the catalogue no longer has (an old log entry).
func VendorName(key string) string {
	if v, ok := vendorByKey(key); ok {
		return v.Name
	}
	return key
}
