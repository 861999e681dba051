package web

import (
	"time"

	"conpro/internal/consent"
)

// ServicesView is the services page (/admin/diensten): each vendor the site
// can load, with its switch, its ID and its description, and a notice
// after a change.
type ServicesView struct {
	Services []ServiceView
	// Saved names the vendor whose settings were just saved; empty for
	// none.
	Saved string
}

// ServiceView is one vendor's card: its state as the site uses it, and the
// form as stored or, after a refused change, as typed.
type ServiceView struct {
	Vendor consent.Vendor
	// Active: the site loads the vendor now (for visitors who allow it).
	Active bool
	// FromEnv: an environment variable switches it on; its switch and ID
	// cannot be changed here.
	FromEnv bool
	// The form's values.
	On       bool
	ID       string
	Location string
	// ChangedBy and ChangedAt say who saved the setting last; empty for a
	// vendor staff never changed.
	ChangedBy string
	ChangedAt time.Time
	// IDError and LocationError are message IDs; empty when fine.
	IDError, LocationError string
}

// NewServicesView shows every vendor the site can load as the registry in
// force and the stored settings have it.
func NewServicesView(r *consent.Registry, settings []consent.ServiceSetting) ServicesView {
	stored := map[string]consent.ServiceSetting{}
	for _, s := range settings {
		stored[s.Key] = s
	}
	var v ServicesView
	for _, vendor := range consent.Services() {
		st := stored[vendor.Key]
		_, active := r.Vendor(vendor.Key)
		sv := ServiceView{
			Vendor: vendor, Active: active, FromEnv: r.FromEnv(vendor.Key),
			On: st.On, ID: st.ID, Location: r.Location(vendor.Key),
			ChangedBy: st.ChangedBy, ChangedAt: st.ChangedAt,
		}
		if sv.FromEnv {
			sv.On, sv.ID = true, r.ID(vendor.Key)
		}
		v.Services = append(v.Services, sv)
	}
	return v
}

// ServiceAnchor is the id of a vendor's card, which a save returns to.
func ServiceAnchor(key string) string { return "dienst-" + key }

func (s ServiceView) field(name string) string { return name + "-" + s.Vendor.Key }

func (s ServiceView) idField() Field {
	f := Field{Name: s.field("id"), Label: "AdminServicesID", Hint: "AdminServicesIDHint_" + s.Vendor.Key, Error: s.IDError,
		// Needed to switch the service on: not marked optional. The form is
		// novalidate, so an ID left empty while the service stays off passes.
		Value: s.ID, Type: "text",
		Attrs: map[string]any{"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off", "maxlength": "80"}}
	if s.FromEnv {
		f.Attrs["readonly"] = true
	}
	f.Focus = s.IDError != ""
	return f
}

func (s ServiceView) locationField() Field {
	return Field{Name: s.field("vestiging"), Label: "AdminServicesLocation", Hint: "AdminServicesLocationHint", Error: s.LocationError,
		Value: s.Location, Type: "text", Optional: true, Focus: s.LocationError != "" && s.IDError == "",
		Attrs: map[string]any{"autocomplete": "off", "maxlength": "200"}}
}
