package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"conpro/internal/consent"
	"conpro/internal/staff"
	"conpro/web"
)

// refresher is a VendorSource that can read the settings again at once
// (consent.Live): the instance where staff saved a change uses it from the
// next request, the others once what they read is older than
// CONPRO_SERVICES_POLL.
type refresher interface {
	Refresh(ctx context.Context) error
}

func (s *Server) handleAdminServices(w http.ResponseWriter, r *http.Request) {
	var saved string
	if v, ok := consent.Service(r.URL.Query().Get("bewaard")); ok {
		saved = v.Name
	}
	s.renderServices(w, r, http.StatusOK, saved, nil)
}

// renderServices shows the services as they are, with one card as typed
// (typed, after a refused change) in place of its stored values.
func (s *Server) renderServices(w http.ResponseWriter, r *http.Request, status int, saved string, typed *web.ServiceView) {
	settings, err := s.admin.ServiceSettings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.NewServicesView(s.vendors.Current(), settings)
	v.Saved = saved
	if typed != nil {
		for i := range v.Services {
			if v.Services[i].Vendor.Key == typed.Vendor.Key {
				v.Services[i].On, v.Services[i].ID, v.Services[i].Location = typed.On, typed.ID, typed.Location
				v.Services[i].IDError, v.Services[i].LocationError = typed.IDError, typed.LocationError
			}
		}
	}
	s.render(w, r, status, web.AdminServices(s.adminPage(r, "AdminServicesTitle"), v))
}

// handleAdminService saves one vendor's card: switched on or off, its ID,
// its description. A refused change comes back with what was typed and a
// Dutch message at the field.
func (s *Server) handleAdminService(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	vendor, ok := consent.Service(chi.URLParam(r, "key"))
	if !ok {
		s.fail(w, r, errNotFound)
		return
	}
	if _, err := formValues(r); err != nil {
		s.fail(w, r, err)
		return
	}
	change := staff.ServiceChange{
		Key:      vendor.Key,
		On:       r.PostForm.Get("aan") == "1",
		ID:       r.PostForm.Get("id-" + vendor.Key),
		Location: r.PostForm.Get("vestiging-" + vendor.Key),
	}
	settings, err := s.admin.ServiceSettings(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	prev := consent.ServiceSetting{Key: vendor.Key}
	for _, st := range settings {
		if st.Key == vendor.Key {
			prev = st
		}
	}
	reg := s.vendors.Current()
	_, errs, err := staff.ChangeService(ctx, s.admin, currentStaff(ctx), prev, reg.FromEnv(vendor.Key), change, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if errs.Any() {
		typed := &web.ServiceView{Vendor: vendor, On: change.On, ID: change.ID, Location: change.Location}
		switch {
		case errors.Is(errs.ID, staff.ErrMissingServiceID):
			typed.IDError = "AdminServicesErrMissingID"
		case errs.ID != nil:
			typed.IDError = "AdminServicesErrID"
		}
		if errs.Location != nil {
			typed.LocationError = "AdminServicesErrLocation"
		}
		s.renderServices(w, r, http.StatusUnprocessableEntity, "", typed)
		return
	}
	if rf, ok := s.vendors.(refresher); ok {
		if err := rf.Refresh(ctx); err != nil {
			// Saved all the same: the next poll brings it in.
			s.log.WarnContext(ctx, "services not read again after a change", "err", err)
		}
	}
	http.Redirect(w, r, "/admin/diensten?bewaard="+vendor.Key+"#"+web.ServiceAnchor(vendor.Key), http.StatusSeeOther)
}
