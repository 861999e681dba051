package consent

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Action is what the visitor did.
type Action string

const (
	AcceptAll Action = "accept_all"
	RejectAll Action = "reject_all"
	Save      Action = "save"
	Withdraw  Action = "withdraw"
	// AllowVendor is "Altijd toestaan" on an embed's placeholder: the
	// visitor's choice as it was, and that vendor besides.
	AllowVendor Action = "allow_vendor"
	// LoadOnce is "Eenmalig laden" on an embed's placeholder: the vendor
	// for one page view. It is logged as a grant of that vendor alone; the
	// consent cookie never holds it.
	LoadOnce Action = "load_once"
)

// ParseAction validates a form's action field.
func ParseAction(s string) (Action, bool) {
	switch a := Action(s); a {
	case AcceptAll, RejectAll, Save, Withdraw, AllowVendor, LoadOnce:
		return a, true
	}
	return "", false
}

// Choice is a visitor's consent: the optional categories and, within them,
// the vendors they granted. Vendors are listed one by one, so a vendor
// activated later is not covered by an earlier consent.
type Choice struct {
	// ID is unguessable and stays the same across the visitor's changes, so
	// the log holds their history under it.
	ID            string
	PolicyVersion int
	// Categories are the granted optional categories, in registry order.
	Categories []Category
	// Vendors are the keys of the granted vendors, in catalogue order.
	Vendors []string
	Time    time.Time
}

// Grants reports whether the choice grants a category.
func (c Choice) Grants(cat Category) bool {
	return cat == Functional || slices.Contains(c.Categories, cat)
}

// GrantsVendor reports whether the choice lets the vendor load: its
// category and the vendor itself were granted.
func (c Choice) GrantsVendor(v Vendor) bool { return c.grants(&v) }

func (c *Choice) grants(v *Vendor) bool {
	return c.Grants(v.Category) && slices.Contains(c.Vendors, v.Key)
}

// GrantedVendors lists the registry's active vendors the choice lets load.
func (c Choice) GrantedVendors(r *Registry) []Vendor {
	var out []Vendor
	for i := range r.active {
		if c.grants(&r.active[i]) {
			out = append(out, r.active[i])
		}
	}
	return out
}

// PartlyGranted reports whether the choice grants a category but not every
// active vendor in it: the visitor chose vendor by vendor.
func (c Choice) PartlyGranted(r *Registry, cat Category) bool {
	if !c.Grants(cat) {
		return false
	}
	for _, v := range r.ActiveIn(cat) {
		if !c.GrantsVendor(v) {
			return true
		}
	}
	return false
}

// RefusesAll reports whether the choice grants no optional category.
func (c Choice) RefusesAll() bool { return len(c.Categories) == 0 }

// ErrUnknownChoice is returned for an action that does not exist.
var ErrUnknownChoice = errors.New("unknown consent action")

// Decide turns a click into the granted categories and vendors.
//
// accept_all grants every optional category with all its active vendors,
// except that with Global Privacy Control the browser has already refused
// advertising and social media: those stay refused unless ticked
// explicitly. reject_all and withdraw grant nothing. save grants what was
// ticked: a ticked vendor is granted; a ticked category grants all its
// vendors unless some of its vendors were ticked one by one. Categories and
// vendors the site does not (or no longer) offer are ignored: a page shown
// before a deploy must not turn a click into an error.
func Decide(r *Registry, action Action, categories, vendors []string, gpc bool) (cats []Category, granted []string, err error) {
	all := func(c Category) {
		cats = append(cats, c)
		for _, v := range r.ActiveIn(c) {
			granted = append(granted, v.Key)
		}
	}
	switch action {
	case AcceptAll:
		for _, c := range optional() {
			if gpc && (c == Advertising || c == Social) {
				continue
			}
			all(c)
		}
		return cats, granted, nil
	case RejectAll, Withdraw:
		return nil, nil, nil
	case AllowVendor, LoadOnce:
		// An embed's buttons grant one vendor: Embedded decides.
		return nil, nil, fmt.Errorf("action %q without its vendor: %w", action, ErrUnknownChoice)
	case Save:
	default:
		return nil, nil, fmt.Errorf("action %q: %w", action, ErrUnknownChoice)
	}

	ticked := map[Category]bool{}
	for _, s := range categories {
		if c := Category(s); c.Optional() {
			ticked[c] = true
		}
	}
	picked := map[string]bool{}
	for _, key := range vendors {
		if _, active := r.Vendor(key); active {
			picked[key] = true
		}
	}
	for _, c := range optional() {
		var in []string
		for _, v := range r.ActiveIn(c) {
			if picked[v.Key] {
				in = append(in, v.Key)
			}
		}
		switch {
		case len(in) > 0:
			cats = append(cats, c)
			granted = append(granted, in...)
		case ticked[c]:
			all(c)
		}
	}
	return cats, granted, nil
}

func optional() []Category { return []Category{Analytics, Advertising, Social} }

// NewID returns a fresh, unguessable consent ID: 128 random bits.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ValidID reports whether s has the form NewID produces.
func ValidID(s string) bool {
	if len(s) != 22 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	// Re-encoding rejects strings whose unused trailing bits are set.
	return err == nil && len(b) == 16 && base64.RawURLEncoding.EncodeToString(b) == s
}

// Reason says why a visitor must be asked (again).
type Reason string

const (
	ReasonNone          Reason = ""               // current consent: no banner
	ReasonFirstVisit    Reason = "first_visit"    // no (valid) consent cookie
	ReasonExpired       Reason = "expired"        // older than the maximum age
	ReasonPolicyChanged Reason = "policy_changed" // given for an older policy version
	ReasonNewVendor     Reason = "new_vendor"     // a vendor was switched on since (Registry.AsksAboutNew)
)

// State is the consent situation of one request.
type State struct {
	// Choice is the visitor's last choice from a valid cookie, current or
	// not; nil without one.
	Choice *Choice
	// Ask is why the banner must show; ReasonNone when the choice is current.
	Ask Reason
	// GPC is true when the browser asks not to be tracked (Sec-GPC: 1, or
	// DNT: 1, which counts the same).
	GPC bool
}

// Current returns the choice when it is current, else nil.
func (s State) Current() *Choice {
	if s.Ask != ReasonNone {
		return nil
	}
	return s.Choice
}

// Evaluate decides whether a choice read from a cookie is still current.
func Evaluate(c *Choice, currentPolicy int, maxAge time.Duration, now time.Time, gpc bool) State {
	st := State{Choice: c, GPC: gpc}
	switch {
	case c == nil:
		st.Ask = ReasonFirstVisit
	case c.PolicyVersion < currentPolicy && !c.RefusesAll():
		// A grant holds for the text it was given under: a new version asks
		// again. A refusal is not asked again before it expires, whatever
		// the policy says since (the EU's proposed Art. 88a ePrivacy rule).
		// A newer version than this server knows comes from an instance
		// already deployed with it: current, not changed.
		st.Ask = ReasonPolicyChanged
	case now.Sub(c.Time) > maxAge || c.Time.After(now.Add(5*time.Minute)):
		st.Ask = ReasonExpired
	}
	return st
}

// ErrNotEmbedded is returned for an embed's button naming a vendor that is
// not an active embed.
var ErrNotEmbedded = errors.New("not an active embed vendor")

// Embedded turns a click on an embed's placeholder into the granted
// categories and vendors. allow_vendor keeps what the visitor's current
// choice (prev, nil without one) grants and adds the vendor with its
// category: a choice, as every other, that the cookie keeps. load_once
// grants the vendor alone, for the page view it returns to. A choice that
// is not current (expired, or made under an older policy) grants nothing
// any more, so it is not carried over.
func Embedded(r *Registry, action Action, prev *Choice, key string) (cats []Category, granted []string, err error) {
	v, ok := r.Vendor(key)
	if !ok || v.Embed == "" {
		return nil, nil, fmt.Errorf("vendor %q: %w", key, ErrNotEmbedded)
	}
	switch action {
	case LoadOnce:
		return []Category{v.Category}, []string{v.Key}, nil
	case AllowVendor:
	default:
		return nil, nil, fmt.Errorf("action %q: %w", action, ErrUnknownChoice)
	}
	for _, c := range optional() {
		if c == v.Category || prev != nil && slices.Contains(prev.Categories, c) {
			cats = append(cats, c)
		}
	}
	for _, a := range r.active {
		if a.Key == v.Key || prev != nil && prev.grants(&a) {
			granted = append(granted, a.Key)
		}
	}
	return cats, granted, nil
}
