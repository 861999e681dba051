package consent

import (
	"crypto/rand"
	"fmt"
	"net/netip"
	"time"
	"unicode"
	"unicode/utf8"
)

// Event is one entry of the proof-of-consent log: a click, as it happened.
// The log is append-only; an event is never changed after it is written.
type Event struct {
	// ID makes recording idempotent: an event replayed from the spool after
	// an outage is stored once.
	ID            string    `json:"id"`
	ConsentID     string    `json:"consent_id"`
	Time          time.Time `json:"time"`
	PolicyVersion int       `json:"policy_version"`
	Action        Action    `json:"action"`
	// Categories and Vendors are what the choice granted: the optional
	// categories, and every active vendor allowed to load.
	Categories []Category `json:"categories"`
	Vendors    []string   `json:"vendors"`
	// BannerVersion identifies the text the visitor saw (a digest of the
	// banner or settings form in their language).
	BannerVersion string `json:"banner_version"`
	Locale        string `json:"locale"`
	// Path is the page the choice was made on, without query.
	Path string `json:"path"`
	GPC  bool   `json:"gpc"`
	// Network is the visitor's address truncated to /24 (IPv4) or /48 (IPv6).
	Network   netip.Prefix `json:"network"`
	UserAgent string       `json:"user_agent"`
	// Seal is the keyed hash of the rest, made when the event is recorded
	// (package consentlog): the log's proof that it was not changed.
	Seal []byte `json:"seal,omitempty"`
}

// MaxUserAgent bounds the stored user agent; longer ones are cut.
const MaxUserAgent = 512

// NewEvent builds the log entry of a choice.
func NewEvent(ch Choice, r *Registry, action Action, bannerVersion, locale, path string, gpc bool, network netip.Prefix, userAgent string) Event {
	var vendors []string
	for _, v := range ch.GrantedVendors(r) {
		vendors = append(vendors, v.Key)
	}
	return Event{
		ID:            newUUID(),
		ConsentID:     ch.ID,
		Time:          ch.Time,
		PolicyVersion: ch.PolicyVersion,
		Action:        action,
		Categories:    append([]Category(nil), ch.Categories...),
		Vendors:       vendors,
		BannerVersion: bannerVersion,
		Locale:        locale,
		Path:          sanitize(path, 512),
		GPC:           gpc,
		Network:       network,
		UserAgent:     sanitize(userAgent, MaxUserAgent),
	}
}

// sanitize makes outside text storable: valid UTF-8 without control
// characters (PostgreSQL refuses NUL), at most n bytes.
func sanitize(s string, n int) string {
	b := make([]rune, 0, len(s))
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			continue
		}
		b = append(b, r)
	}
	s = string(b)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
