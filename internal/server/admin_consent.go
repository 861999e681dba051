package server

import (
	"errors"
	"net/http"
	"strings"

	"conpro/internal/consent"
	"conpro/internal/staff"
	"conpro/web"
)

// handleAdminConsent looks up the choices logged under ?id=, a consent ID;
// one that cannot be an ID is refused with a message (422), kept in the
// field as typed, and never reaches the database.
func (s *Server) handleAdminConsent(w http.ResponseWriter, r *http.Request) {
	q, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	v := web.ConsentLookupView{ID: strings.TrimSpace(q.Get("id"))}
	v.Searched = v.ID != ""
	v.Invalid = v.Searched && (err != nil || !consent.ValidID(v.ID))
	status := http.StatusOK
	switch {
	case v.Invalid:
		status = http.StatusUnprocessableEntity
	case v.Searched:
		var err error
		if v.Events, err = s.admin.ConsentEvents(r.Context(), v.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.audit(r, staff.ActionLookupConsent, "consent_id:"+v.ID, ""); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p := s.adminPage(r, "AdminConsentTitle")
	if errors.Is(err, errUnreadable) {
		p.Notice = "FormErrUnreadable"
	}
	s.render(w, r, status, web.AdminConsent(p, v))
}
