package staff

import (
	"context"
	"errors"
	"time"

	"conpro/internal/consent"
)

// Staff switch the vendors the site can load on and off in the staff area
// (/admin/diensten), with the vendor's ID, and describe where each party is
// established and on what transfer basis. The rules of an ID are the
// registry's (consent.CheckID); these are the rules of a change: what an
// environment variable decides stays as it is, and every change is one
// audit entry per thing changed, written with it.

// Audit actions of the services page.
const (
	ActionServiceOn       Action = "service_on"
	ActionServiceOff      Action = "service_off"
	ActionServiceID       Action = "service_id"
	ActionServiceLocation Action = "service_location"
)

// ErrMissingServiceID is returned when a vendor that needs an ID is
// switched on without one.
var ErrMissingServiceID = errors.New("a service needs its ID to be switched on")

// ServiceStore saves a vendor's setting with its audit entries, both or
// neither.
type ServiceStore interface {
	SaveServiceSetting(ctx context.Context, s consent.ServiceSetting, audit []AuditEntry) error
}

// ServiceChange is the services form of one vendor as typed.
type ServiceChange struct {
	Key      string
	On       bool
	ID       string
	Location string
}

// ServiceErrors are the sentinels a change is refused with, per field:
// ErrMissingServiceID or consent.ErrBadServiceID for the ID,
// consent.ErrLocationTooLong for the description.
type ServiceErrors struct {
	ID, Location error
}

// Any reports whether the change was refused.
func (e ServiceErrors) Any() bool { return e.ID != nil || e.Location != nil }

// ChangeService applies a change typed by staff member by to a vendor whose
// setting is prev (the zero setting with its Key when it has none). When an
// environment variable switches the vendor on (fromEnv), only its
// description can change. It reports whether anything changed; a change
// that is refused is not saved.
func ChangeService(ctx context.Context, s ServiceStore, by User, prev consent.ServiceSetting, fromEnv bool, ch ServiceChange, now time.Time) (bool, ServiceErrors, error) {
	var errs ServiceErrors
	v, ok := consent.Service(ch.Key)
	if !ok {
		return false, errs, consent.ErrUnknownService
	}
	next := prev
	next.Key = v.Key
	loc, err := consent.CheckLocation(ch.Location)
	if err != nil {
		errs.Location = err
	}
	if loc == v.Location {
		// The registry's own words, as the form shows them: no change.
		loc = ""
	}
	next.Location = loc
	if !fromEnv {
		typed := ch.ID
		if !v.HasID() {
			typed = consent.SwitchValue
		}
		switch id, err := consent.CheckID(v.Key, typed); {
		case typed == "" && ch.On:
			errs.ID = ErrMissingServiceID
		case typed == "":
			next.ID = "" // off, and no ID kept
		case err != nil:
			errs.ID = err
		default:
			next.ID = id
		}
		next.On = ch.On
		if next.On && !prev.On {
			next.SwitchedOn = now
		}
	}
	if errs.Any() {
		return false, errs, nil
	}

	target := "service:" + v.Key
	var audit []AuditEntry
	add := func(a Action, detail string) {
		audit = append(audit, AuditEntry{StaffID: by.ID, StaffEmail: by.Email, Action: a, Target: target, Detail: detail})
	}
	idDetail := next.ID
	if !v.HasID() {
		idDetail = ""
	}
	switchedOn := next.On && !prev.On
	switch {
	case switchedOn:
		add(ActionServiceOn, idDetail)
	case !next.On && prev.On:
		add(ActionServiceOff, "")
	}
	if next.ID != prev.ID && !switchedOn {
		add(ActionServiceID, idDetail)
	}
	if next.Location != prev.Location {
		add(ActionServiceLocation, next.Location)
	}
	if len(audit) == 0 {
		return false, errs, nil
	}
	next.ChangedBy, next.ChangedAt = by.Email, now
	if err := s.SaveServiceSetting(ctx, next, audit); err != nil {
		return false, errs, err
	}
	return true, errs, nil
}
