package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"
)

// CookieName is the cookie that carries a visitor's consent.
const CookieName = "conpro_consent"

// The cookie value is seven fields joined by dots:
//
//	1.<id>.<policy>.<categories>.<vendors>.<unix time>.<mac>
//
//	1           format version
//	id          consent ID, 22 characters of base64url (128 random bits)
//	policy      policy version the choice was made under, decimal
//	categories  granted optional categories, one letter each in registry
//	            order: a (analytics), d (advertising), s (social); "-" for none
//	vendors     codes of the granted vendors (Vendor.Code: ga, sl, …) in
//	            registry order, joined by "~"; "-" for none
//	unix time   when the choice was made, seconds
//	mac         HMAC-SHA256 of everything before it under the server's key,
//	            first 16 bytes, base64url
//
// For example 1.q7vVg0M1s2S4QnxhZ8m0bA.2.a.ga.1764072000.<22 chars>: analytics
// granted for Google Analytics only, under policy version 2. Under 110 bytes.
// A value that does not parse or whose MAC does not match is no consent.

const cookieFormat = "1"

// macLen is the number of MAC bytes kept; 128 bits resist forgery.
const macLen = 16

// ErrBadCookie is returned for a consent cookie that is malformed or forged.
var ErrBadCookie = errors.New("invalid consent cookie")

// Codec signs and verifies consent cookies with a secret key.
type Codec struct {
	key []byte
	// macs recycles HMAC states: every request checks a cookie.
	macs sync.Pool
}

// NewCodec returns a codec for key, which must hold at least 32 bytes.
func NewCodec(key []byte) (*Codec, error) {
	if len(key) < 32 {
		return nil, errors.New("consent cookie key: need at least 32 bytes")
	}
	c := &Codec{key: append([]byte(nil), key...)}
	c.macs.New = func() any { return hmac.New(sha256.New, c.key) }
	return c, nil
}

func (c *Codec) mac(payload string) string {
	m := c.macs.Get().(hash.Hash)
	defer c.macs.Put(m)
	m.Reset()
	m.Write([]byte(payload))
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(m.Sum(sum[:0])[:macLen])
}

// Encode writes a choice as a cookie value. Vendors outside the granted
// categories grant nothing and are left out.
func (c *Codec) Encode(ch Choice) string {
	payload := c.payload(ch)
	return payload + "." + c.mac(payload)
}

// payload is the cookie value without its MAC.
func (c *Codec) payload(ch Choice) string {
	cats := ""
	for _, cat := range optional() {
		if ch.Grants(cat) {
			cats += categoryLetter(cat)
		}
	}
	if cats == "" {
		cats = "-"
	}
	// The canonical form: granted vendors of granted categories, in
	// catalogue order, once each.
	var codes []string
	known := catalogue().vendors
	for i := range known {
		if ch.grants(&known[i]) {
			codes = append(codes, known[i].Code)
		}
	}
	vendors := "-"
	if len(codes) > 0 {
		vendors = strings.Join(codes, "~")
	}
	return strings.Join([]string{cookieFormat, ch.ID, strconv.Itoa(ch.PolicyVersion), cats, vendors, strconv.FormatInt(ch.Time.Unix(), 10)}, ".")
}

// Decode verifies and reads a cookie value.
func (c *Codec) Decode(value string) (Choice, error) {
	if len(value) > 256 {
		return Choice{}, ErrBadCookie
	}
	i := strings.LastIndexByte(value, '.')
	if i < 0 {
		return Choice{}, ErrBadCookie
	}
	payload, mac := value[:i], value[i+1:]
	if !hmac.Equal([]byte(mac), []byte(c.mac(payload))) {
		return Choice{}, ErrBadCookie
	}
	f := strings.Split(payload, ".")
	if len(f) != 6 || f[0] != cookieFormat || !ValidID(f[1]) {
		return Choice{}, ErrBadCookie
	}
	pv, err := strconv.Atoi(f[2])
	if err != nil || pv <= 0 || strconv.Itoa(pv) != f[2] {
		return Choice{}, ErrBadCookie
	}
	ch := Choice{ID: f[1], PolicyVersion: pv}
	if f[3] != "-" {
		for _, l := range f[3] {
			cat, ok := categoryOfLetter(string(l))
			if !ok || ch.Grants(cat) {
				return Choice{}, ErrBadCookie
			}
			ch.Categories = append(ch.Categories, cat)
		}
	}
	if f[4] != "-" {
		// Codes come in catalogue order, once each, of granted categories.
		last := -1
		known := catalogue().vendors
		for code := range strings.SplitSeq(f[4], "~") {
			i := vendorIndex(code)
			if i <= last {
				return Choice{}, ErrBadCookie
			}
			last = i
			v := &known[i]
			if !ch.Grants(v.Category) {
				return Choice{}, ErrBadCookie
			}
			ch.Vendors = append(ch.Vendors, v.Key)
		}
	}
	sec, err := strconv.ParseInt(f[5], 10, 64)
	if err != nil || sec <= 0 || strconv.FormatInt(sec, 10) != f[5] {
		return Choice{}, ErrBadCookie
	}
	ch.Time = time.Unix(sec, 0).UTC()
	// One choice has one cookie form: anything Encode would not have written
	// (letters out of order, an empty field) is not ours.
	if c.payload(ch) != payload {
		return Choice{}, ErrBadCookie
	}
	return ch, nil
}

func categoryLetter(c Category) string {
	switch c {
	case Analytics:
		return "a"
	case Advertising:
		return "d"
	case Social:
		return "s"
	}
	return ""
}

func categoryOfLetter(l string) (Category, bool) {
	for _, c := range optional() {
		if categoryLetter(c) == l {
			return c, true
		}
	}
	return "", false
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

// RefusedCookies returns the names among present (the cookies a request
// carries) that belong to vendors the choice does not grant: these must be
// expired. A nil choice refuses every vendor.
func RefusedCookies(c *Choice, present []string) []string {
	var out []string
	known := catalogue().vendors
	for _, name := range present {
		for i := range known {
			if (c == nil || !c.grants(&known[i])) && known[i].MatchesCookie(name) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// CookieDomain is the registrable domain that vendors' scripts set their
// cookies on, so that a refused vendor's cookies can be expired there too:
// "conpro-bouw.be" for www.conpro-bouw.be, "example.co.uk" for
// www.example.co.uk (the public suffix list knows where the registrable part
// starts). Empty for an IP address or a host such as localhost, which has
// no registrable domain.
func CookieDomain(host string) string {
	if _, err := netip.ParseAddr(host); err == nil {
		return ""
	}
	domain, err := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(host))
	if err != nil {
		return ""
	}
	return domain
}

// OwnDomains are the registrable domains of the pages, scripts and
// services the vendor's code loads: where it can set cookies of its own
// that the site neither sees nor can expire (a share button's frame on
// facebook.com), in the order first met.
func (v Vendor) OwnDomains() []string {
	var out []string
	for _, hosts := range [][]string{v.ScriptHosts, v.FrameHosts, v.ConnectHosts} {
		for _, origin := range hosts {
			u, err := url.Parse(origin)
			if err != nil {
				continue
			}
			if d := CookieDomain(u.Hostname()); d != "" && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}
