package consent

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Registry is the registry's vendors with the configured IDs: the vendors
// this site actually loads, each only with consent.
type Registry struct {
	active []Vendor
	ids    map[string]string // vendor key → configured ID
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
	r := &Registry{ids: map[string]string{}}
	var errs []error
	for _, v := range catalogue().vendors {
		id := strings.TrimSpace(getenv(v.Variable.Name))
		if id == "" || (v.Variable.Off != "" && id == v.Variable.Off) {
			continue
		}
		if ok, _ := regexp.MatchString(v.Variable.pattern, id); !ok {
			errs = append(errs, fmt.Errorf("%s %q: not a valid %s ID", v.Variable.Name, id, v.Name))
			continue
		}
		r.active = append(r.active, v)
		r.ids[v.Key] = id
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
