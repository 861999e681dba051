package consent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"conpro/internal/follow"
)

// Services: staff switch vendors on and off, and describe where each party
// is established, in the staff area (/admin/diensten). The settings live in
// the database, which every instance of the site shares; Live follows them
// (follow.Value: read again once older than CONPRO_SERVICES_POLL, a few
// seconds) and, when they changed, swaps in a new Registry. A Registry is
// never changed once built: a request reads one (Current) and uses it
// throughout, so everything it renders agrees, and what depends on the
// registry (the page cache, the memo of consent cookies) keys on which one
// it was made with. An environment variable still switches a vendor on,
// and wins over the setting.

// ServiceSetting is what staff set for one vendor: whether it is on, its ID
// (kept while it is off, for switching it on again), the description of
// where the party is established and on what transfer basis (empty: the
// registry's), when it was last switched on, and who changed the setting
// last, when.
type ServiceSetting struct {
	Key        string
	On         bool
	ID         string
	Location   string
	SwitchedOn time.Time
	ChangedBy  string
	ChangedAt  time.Time
}

var (
	// ErrUnknownService is returned for a key that names no vendor the
	// site can load.
	ErrUnknownService = errors.New("no such service")
	// ErrBadServiceID is returned for an ID that does not have the form of
	// its vendor's IDs.
	ErrBadServiceID = errors.New("not a valid ID for this service")
	// ErrLocationTooLong is returned for a description longer than
	// MaxLocation characters.
	ErrLocationTooLong = errors.New("service description too long")
)

// MaxLocation bounds a party's description: a line of a table.
const MaxLocation = 200

// Service returns the vendor the site can load with key, whether it is
// active or not.
func Service(key string) (Vendor, bool) {
	v, ok := vendorByKey(key)
	if !ok {
		return Vendor{}, false
	}
	return *v, true
}

// Services lists every vendor the site can load, in registry order.
func Services() []Vendor { return append([]Vendor(nil), catalogue().vendors...) }

// HasID reports whether the vendor is switched on with an ID of its own;
// one that is only a switch (the share buttons) is switched on with "1".
func (v Vendor) HasID() bool { return v.Variable.Off == "" }

// SwitchValue is the ID a vendor that is only a switch is switched on with.
const SwitchValue = "1"

// CheckID checks an ID typed for the vendor with key: surrounding spaces
// are dropped, and the rest must have the form the vendor's IDs have (it is
// written into a script). It returns the ID to store.
func CheckID(key, id string) (string, error) {
	v, ok := vendorByKey(key)
	if !ok {
		return "", fmt.Errorf("%q: %w", key, ErrUnknownService)
	}
	id = strings.TrimSpace(id)
	if !v.HasID() {
		id = SwitchValue
	}
	if err := v.checkID(id); err != nil {
		return "", err
	}
	return id, nil
}

// CheckLocation checks a party's description as typed and returns it
// trimmed; empty means the registry's.
func CheckLocation(loc string) (string, error) {
	loc = strings.Join(strings.Fields(loc), " ")
	if len([]rune(loc)) > MaxLocation {
		return "", ErrLocationTooLong
	}
	return loc, nil
}

func (v *Vendor) checkID(id string) error {
	if ok, _ := regexp.MatchString(v.Variable.pattern, id); !ok {
		return fmt.Errorf("%s %q: %w", v.Key, id, ErrBadServiceID)
	}
	return nil
}

// ServiceSettings reads the staff's settings of every vendor that has one.
type ServiceSettings interface {
	ServiceSettings(ctx context.Context) ([]ServiceSetting, error)
}

// Live is the registry as the environment and the staff's settings make it
// now, on every instance within CONPRO_SERVICES_POLL of a change.
type Live struct {
	getenv   func(string) string
	settings ServiceSettings
	registry follow.Value[*Registry]
	// built is the registry read last and seen what the settings were when
	// it was built: the same settings read again keep the same Registry.
	built atomic.Pointer[builtRegistry]
}

type builtRegistry struct {
	registry *Registry
	seen     string
}

// NewLive builds the registry from the environment, and from the settings
// when they can be read now; otherwise from the environment alone until a
// later read succeeds. It reads them again once they are older than ttl
// (by now). An invalid environment variable is an error.
func NewLive(ctx context.Context, getenv func(string) string, settings ServiceSettings, ttl time.Duration, now func() time.Time, log *slog.Logger) (*Live, error) {
	fromEnv, err := NewRegistry(getenv)
	if err != nil {
		return nil, err
	}
	l := &Live{getenv: getenv, settings: settings}
	l.registry = follow.Value[*Registry]{
		Name:     "the service settings",
		Read:     l.read,
		Fallback: fromEnv,
		TTL:      ttl,
		Now:      now,
		Log:      log,
	}
	_ = l.registry.Reload(ctx) // logged; the environment's vendors until a read succeeds
	return l, nil
}

// Current returns the registry in force.
func (l *Live) Current() *Registry { return l.registry.Get(context.Background()) }

// Refresh reads the settings now (after a change made on this instance).
func (l *Live) Refresh(ctx context.Context) error { return l.registry.Reload(ctx) }

// read builds the registry from the settings, or returns the one in force
// when they did not change.
func (l *Live) read(ctx context.Context) (*Registry, error) {
	ss, err := l.settings.ServiceSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("read service settings: %w", err)
	}
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "%q %t %q %q %d\n", s.Key, s.On, s.ID, s.Location, s.SwitchedOn.UnixNano())
	}
	seen := b.String()
	if prev := l.built.Load(); prev != nil && prev.seen == seen {
		return prev.registry, nil
	}
	r, err := NewRegistryWith(l.getenv, ss)
	if err != nil {
		return nil, err
	}
	l.built.Store(&builtRegistry{registry: r, seen: seen})
	return r, nil
}
