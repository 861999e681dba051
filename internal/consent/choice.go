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
)

// ParseAction validates a form's action field.
func ParseAction(s string) (Action, bool) {
	switch a := Action(s); a {
	case AcceptAll, RejectAll, Save, Withdraw:
		return a, true
	}
	return "", false
}

// Choice is a visitor's consent: which optional categories they granted, and
// within a category, which vendors where they chose one by one.
type Choice struct {
	// ID is unguessable and stays the same across the visitor's changes, so
	// the log holds their history under it.
	ID            string
	PolicyVersion int
	// Categories are the granted optional categories, in registry order.
	Categories []Category
	// Vendors restricts a granted category to these vendor keys where the
	// visitor ticked vendors one by one; a granted category without any of
	// its vendors here grants all of them.
	Vendors []string
	Time    time.Time
}

// Grants reports whether the choice grants a category.
func (c Choice) Grants(cat Category) bool {
	return cat == Functional || slices.Contains(c.Categories, cat)
}

// GrantsVendor reports whether the choice lets the vendor load.
func (c Choice) GrantsVendor(v Vendor) bool {
	if !c.Grants(v.Category) {
		return false
	}
	restricted := false
	for _, key := range c.Vendors {
		if w, ok := vendorByKey(key); ok && w.Category == v.Category {
			restricted = true
			if key == v.Key {
				return true
			}
		}
	}
	return !restricted
}

// GrantedVendors lists the registry's active vendors the choice lets load.
func (c Choice) GrantedVendors(r *Registry) []Vendor {
	var out []Vendor
	for _, v := range r.Active() {
		if c.GrantsVendor(v) {
			out = append(out, v)
		}
	}
	return out
}

// RefusesAll reports whether the choice grants no optional category.
func (c Choice) RefusesAll() bool { return len(c.Categories) == 0 }

// ErrUnknownChoice is returned for a category or vendor that does not exist.
var ErrUnknownChoice = errors.New("unknown category or vendor")

// Decide turns a click into the granted categories and vendor restrictions.
//
// accept_all grants every optional category, except that with Global
// Privacy Control the browser has already refused advertising and social
// media: those stay refused unless ticked explicitly. reject_all and
// withdraw grant nothing. save grants what was ticked: a ticked vendor is
// granted; a ticked category grants all its vendors unless some of its
// vendors were ticked one by one.
func Decide(r *Registry, action Action, categories, vendors []string, gpc bool) (cats []Category, restrict []string, err error) {
	switch action {
	case AcceptAll:
		for _, c := range optional() {
			if gpc && (c == Advertising || c == Social) {
				continue
			}
			cats = append(cats, c)
		}
		return cats, nil, nil
	case RejectAll, Withdraw:
		return nil, nil, nil
	case Save:
	default:
		return nil, nil, fmt.Errorf("action %q: %w", action, ErrUnknownChoice)
	}

	ticked := map[Category]bool{}
	for _, s := range categories {
		c := Category(s)
		if !c.Optional() {
			if c == Functional {
				continue // always on; a disabled box may still be posted
			}
			return nil, nil, fmt.Errorf("category %q: %w", s, ErrUnknownChoice)
		}
		ticked[c] = true
	}
	pickedIn := map[Category][]string{}
	for _, key := range vendors {
		v, ok := vendorByKey(key)
		if !ok {
			return nil, nil, fmt.Errorf("vendor %q: %w", key, ErrUnknownChoice)
		}
		if _, active := r.Vendor(key); !active {
			continue // a vendor switched off since the form was shown
		}
		if !slices.Contains(pickedIn[v.Category], key) {
			pickedIn[v.Category] = append(pickedIn[v.Category], key)
		}
	}
	for _, c := range optional() {
		picked := pickedIn[c]
		switch {
		case len(picked) > 0:
			cats = append(cats, c)
			if len(picked) < len(r.ActiveIn(c)) {
				for _, v := range r.ActiveIn(c) {
					if slices.Contains(picked, v.Key) {
						restrict = append(restrict, v.Key)
					}
				}
			}
		case ticked[c]:
			cats = append(cats, c)
		}
	}
	return cats, restrict, nil
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
)

// State is the consent situation of one request.
type State struct {
	// Choice is the visitor's last choice from a valid cookie, current or
	// not; nil without one.
	Choice *Choice
	// Ask is why the banner must show; ReasonNone when the choice is current.
	Ask Reason
	// GPC is true when the browser sent Sec-GPC: 1.
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
	case c.PolicyVersion != currentPolicy:
		st.Ask = ReasonPolicyChanged
	case now.Sub(c.Time) > maxAge || c.Time.After(now.Add(5*time.Minute)):
		st.Ask = ReasonExpired
	}
	return st
}
