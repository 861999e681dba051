package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"conpro/web"
)

func (s *Server) handleAdminRequests(w http.ResponseWriter, r *http.Request) {
	reqs, err := s.admin.PrivacyRequests(r.Context(), 500)
	if err == nil {
		err = s.audit(r, "list_requests", "privacy_request", fmt.Sprintf("%d shown", len(reqs)))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminRequests(s.adminPage(r, "AdminRequestsTitle"), reqs, s.now(), nil))
}

func (s *Server) handleAdminRequestHandled(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return
	}
	values, err := formValues(r)
	if errors.Is(err, errUnreadable) {
		// The queue again, with the note kept in its field.
		s.adminRequestsAgain(w, r, map[int64]string{id: values.Get("notitie")})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The field has maxlength=500; a longer note (only a hand-made
	// request sends one) is cut at a character boundary.
	note := clipRunes(strings.TrimSpace(values.Get("notitie")), 500)
	err = s.admin.HandlePrivacyRequest(r.Context(), id, note, s.now(), auditEntry(r, "handle_request", fmt.Sprintf("privacy_request:%d", id), ""))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/verzoeken", http.StatusSeeOther)
}

// adminRequestsAgain shows the queue after a note that could not be read,
// with what was typed in each note.
func (s *Server) adminRequestsAgain(w http.ResponseWriter, r *http.Request, notes map[int64]string) {
	reqs, err := s.admin.PrivacyRequests(r.Context(), 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "AdminRequestsTitle")
	p.Notice = "FormErrUnreadable"
	s.render(w, r, http.StatusUnprocessableEntity, web.AdminRequests(p, reqs, s.now(), notes))
}

// clipRunes returns s cut to at most n characters.
func clipRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
