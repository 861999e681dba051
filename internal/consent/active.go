package consent

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Registry is the registry's vendors with the configured IDs: the vendors
// this site actually loads, each only with consent.
type Registry struct {
	active []Vendor
	ids    map[string]string // vendor key → configured ID
	// fromEnv marks the vendors an environment variable switched on; since
	// is when staff switched a vendor on (none for an environment
	// variable, which has always been on as far as the site knows).
	fromEnv map[string]bool
	since   map[string]time.Time
	// locations are the staff's descriptions of where a party is
	// established and on what transfer basis, by key.
	locations map[string]string
	// injections memoises Inject per set of granted vendors, keyed by a
	// bit mask: bit i is set when active[i] is granted.
	injections sync.Map
}

// maxActive is how many vendors the mask that keys injections can hold.
const maxActive = 64

// NewRegistry activates the vendors whose variable getenv sets. An ID of the
// wrong form is an error naming the variable: it would be written into a
// script. A variable set to its Off value leaves the vendor off.
func NewRegistry(getenv func(string) string) (*Registry, error) {
	return NewRegistryWith(getenv, nil)
}

// NewRegistryWith activates the vendors whose variable getenv sets, as
// NewRegistry does, and those staff switched on in settings; a variable
// wins over a setting. The settings' descriptions replace the registry's
// Location. A setting whose ID does not fit its vendor (the store keeps
// only IDs CheckID passed) leaves the vendor off.
func NewRegistryWith(getenv func(string) string, settings []ServiceSetting) (*Registry, error) {
	r := &Registry{ids: map[string]string{}, fromEnv: map[string]bool{}, since: map[string]time.Time{}, locations: map[string]string{}}
	stored := map[string]ServiceSetting{}
	for _, st := range settings {
		stored[st.Key] = st
		if loc := strings.TrimSpace(st.Location); loc != "" {
			r.locations[st.Key] = loc
		}
	}
	var errs []error
	for _, v := range catalogue().vendors {
		if loc, ok := r.locations[v.Key]; ok {
			v.Location = loc
		}
		id := strings.TrimSpace(getenv(v.Variable.Name))
		if id == "" || (v.Variable.Off != "" && id == v.Variable.Off) {
			st, ok := stored[v.Key]
			if !ok || !st.On || v.checkID(st.ID) != nil {
				continue
			}
			r.active = append(r.active, v)
			r.ids[v.Key] = st.ID
			r.since[v.Key] = st.SwitchedOn
			continue
		}
		if err := v.checkID(id); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: not a valid %s ID", v.Variable.Name, id, v.Name))
			continue
		}
		r.active = append(r.active, v)
		r.ids[v.Key] = id
		r.fromEnv[v.Key] = true
	}
	if len(r.active) > maxActive {
		errs = append(errs, fmt.Errorf("%d vendors configured: at most %d can be active", len(r.active), maxActive))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

// Asks reports whether a vendor is active: without one the site uses only
// its technical cookies and asks visitors nothing.
func (r *Registry) Asks() bool { return len(r.active) > 0 }

// Active returns the active vendors in registry order.
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
	for i := range r.active {
		if r.active[i].Key == key {
			return r.active[i], true
		}
	}
	return Vendor{}, false
}

// ID returns the configured ID of an active vendor.
func (r *Registry) ID(key string) string { return r.ids[key] }

// Widgets reports whether an active vendor offers the platforms' share
// buttons, so that pages offer sharing at all.
func (r *Registry) Widgets() bool {
	for i := range r.active {
		if r.active[i].Widgets {
			return true
		}
	}
	return false
}

// Current returns the registry itself: a registry built once is a source of
// vendors that never changes (Live is one that does).
func (r *Registry) Current() *Registry { return r }

// FromEnv reports whether an environment variable switched the vendor on:
// staff cannot switch it off or change its ID.
func (r *Registry) FromEnv(key string) bool { return r.fromEnv[key] }

// Location is where the party with key is established and on what transfer
// basis, as staff last described it, else as the registry has it.
func (r *Registry) Location(key string) string {
	if loc, ok := r.locations[key]; ok {
		return loc
	}
	if v, ok := Lookup(key); ok {
		return v.Location
	}
	return ""
}

// AsksAboutNew reports whether the choice predates a vendor that it would
// otherwise cover: staff switched the vendor on after the choice was made,
// in a category the choice grants, and the choice does not grant the
// vendor itself. Such a visitor is asked again (ReasonNewVendor): a grant
// covers only the vendors that were active when it was given, and they
// were never asked about this one. A category the visitor refused stays
// refused without asking, as any refusal does until it expires.
func (r *Registry) AsksAboutNew(c Choice) bool {
	for i := range r.active {
		v := &r.active[i]
		if since := r.since[v.Key]; since.After(c.Time) && c.Grants(v.Category) && !c.grants(v) {
			return true
		}
	}
	return false
}
