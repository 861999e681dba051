package server

import (
	"net/http"
	"strings"

	"conpro/internal/consent"
	"conpro/web"
)

func (s *Server) handleAdminConsent(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSpace(r.URL.Query().Get("id"))
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
	s.render(w, r, http.StatusOK, web.AdminConsent(s.adminPage(r, "AdminConsentTitle"), id, searched, consent.ValidID(id), events))
}
