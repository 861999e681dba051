package consent

import (
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// Vendor is an entry of the registry: a third party the policy's cookie
// tables name and, when it has a Variable, one whose script, pixel or widget
// the site loads with the visitor's consent. Parties the site never loads
// (a CMS, Cloudflare, a payment provider) are entries with their policy row
// only.
type Vendor struct {
	// Key is the stable identifier used in the policy's tables, in forms and
	// in the consent log.
	Key string

	// The policy's row: the party as its cookie table writes it, the
	// category, where it is established (vestiging) and the service, in
	// Dutch as the policy is.
	Party    string
	Category Category
	Location string
	Service  string

	// Variable switches the vendor on. Without one the site never loads the
	// party, and the fields below stay empty.
	Variable Variable
	// Code is the short form of Key in the consent cookie; a code once used
	// is never given to another vendor.
	Code string
	// Name is how the banner, the settings page and the consent history
	// name the vendor.
	Name string
	// Company is who runs it, as the settings page names it beside Location.
	Company string
	// PurposeID is the i18n message that explains what the vendor does.
	PurposeID string
	// Cookies are the first-party cookies its code sets; they are expired
	// when the visitor refuses it.
	Cookies []Cookie
	// Hosts the vendor's code contacts, per CSP directive.
	ScriptHosts  []string
	ConnectHosts []string
	ImgHosts     []string
	FrameHosts   []string
	// Snippet is what a page carries for the vendor, after the shared
	// Loader if it has one. idSlot in it stands for the configured ID.
	Snippet []Script
	// Loader is code the vendor shares with others; LoaderGrants are the
	// Loader's Signals that granting this vendor turns on.
	Loader       *Loader
	LoaderGrants []string
	// Widgets is true for a vendor whose grant turns the pages' share links
	// into the platforms' own buttons.
	Widgets bool
	// Embed is what the vendor shows in a frame of its own where a page's
	// text holds its address (a video, a map); empty for a vendor that
	// loads a script. Its FrameHosts are what the frame loads from.
	Embed EmbedKind
}

// EmbedKind is what an embedded frame shows.
type EmbedKind string

const (
	EmbedVideo EmbedKind = "video"
	EmbedMap   EmbedKind = "map"
)

// Variable is the environment variable that switches a vendor on with its
// ID (or, for a vendor without one, with 1).
type Variable struct {
	Name string
	// Doc says what to set, for the configuration reference.
	Doc string
	// Off is a value that leaves the vendor off besides an empty one ("0"
	// for a switch); empty when only an empty value does.
	Off string
	// pattern is the form a value must have: it is written into a script.
	pattern string
}

// idSlot stands for the vendor's configured ID in its Snippet.
const idSlot = "{id}"

// Loader is code several vendors share, such as Google's gtag.js: a page
// carries it once, before the vendors' own snippets, for whichever of its
// vendors are granted.
type Loader struct {
	// Signals are what the code is told is granted or denied, in the order
	// it is told them.
	Signals []string
	// Scripts writes the code. signals holds every Signal with whether a
	// granted vendor turns it on; ids are the configured IDs of the granted
	// vendors, in registry order (at least one).
	Scripts func(signals []Signal, ids []string) []Script
}

// Signal is one of a Loader's Signals for one consent state.
type Signal struct {
	Name    string
	Granted bool
}

// Cookie describes a first-party cookie a vendor's script sets on the site's
// domain. Pattern uses path.Match syntax ("_ga_*").
type Cookie struct {
	Pattern string
	MaxAge  time.Duration
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

// loadable reports whether the site can load the vendor, rather than only
// name it in the policy.
func (v *Vendor) loadable() bool { return v.Variable.Name != "" }

// fill puts a configured ID into a snippet's text. IDs are checked against
// their Variable's pattern, so none can break out of the script.
func fill(s, id string) string { return strings.ReplaceAll(s, idSlot, id) }

// catalogue is the registry, built once from entries. Callers read it and
// never change it: every request decodes a cookie against it.
var catalogue = sync.OnceValue(func() *catalogueIndex {
	all := entries()
	ix := &catalogueIndex{all: all}
	for _, v := range all {
		if v.loadable() {
			ix.vendors = append(ix.vendors, v)
			ix.codes = append(ix.codes, v.Code)
		}
	}
	return ix
})

type catalogueIndex struct {
	// all is every entry, in registry order.
	all []Vendor
	// vendors are the entries the site can load, in registry order (the
	// consent cookie lists codes in this order); codes are their Codes.
	vendors []Vendor
	codes   []string
}

// Lookup finds an entry of the registry by key, whether the site can load it
// or the policy only names it.
func Lookup(key string) (Vendor, bool) {
	all := catalogue().all
	for i := range all {
		if all[i].Key == key {
			return all[i], true
		}
	}
	return Vendor{}, false
}

// vendorByKey finds a vendor the site can load, active or not.
func vendorByKey(key string) (*Vendor, bool) {
	vs := catalogue().vendors
	for i := range vs {
		if vs[i].Key == key {
			return &vs[i], true
		}
	}
	return nil, false
}

// Known reports whether key names a vendor the site can load, active or not.
func Known(key string) bool {
	_, ok := vendorByKey(key)
	return ok
}

// VendorName returns the display name of a vendor the site can load, or the
// key itself for one the registry no longer has (an old log entry).
func VendorName(key string) string {
	if v, ok := vendorByKey(key); ok {
		return v.Name
	}
	return key
}

// VendorVars lists the environment variables that switch vendors on, in
// registry order.
func VendorVars() []Variable {
	vs := catalogue().vendors
	out := make([]Variable, len(vs))
	for i := range vs {
		out[i] = vs[i].Variable
	}
	return out
}

// vendorIndex returns the registry position of the vendor with a cookie
// code, or -1.
func vendorIndex(code string) int { return slices.Index(catalogue().codes, code) }
