package server

import (
	"errors"
	"net/http"
	"strings"

	"conpro/internal/consent"
	"conpro/web"
)

func (s *Server) handleAdminConsent(w http.ResponseWriter, r *http.Request) {
	q, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	id := strings.TrimSpace(q.Get("id"))
	p := s.adminPage(r, "AdminConsentTitle")
	if err != nil {
		// Shown again as typed, and nothing looked up.
		p.Notice = "FormErrUnreadable"
		s.render(w, r, http.StatusUnprocessableEntity, web.AdminConsent(p, id, false, false, nil))
		return
	}
	var events []consent.Event
	searched := id != ""
	if searched && consent.ValidID(id) {
		var err error
		if events, err = s.admin.ConsentEvents(r.Context(), id); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.audit(r, "lookup_consent", "consent_id:"+id, ""); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, web.AdminConsent(p, id, searched, consent.ValidID(id), events))
}
