package server

import (
	"net/http"

	"conpro/internal/staff"
	"conpro/web"
)

// handleAdminAudit shows the audit log, newest first, narrowed by the form's
// ?wie= (a staff member), ?wat= (an action), ?van= and ?tot= (days). A
// filter that cannot be used gets its messages (422), and the form keeps
// what was typed.
func (s *Server) handleAdminAudit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	v := web.AuditView{Search: staff.AuditSearch{
		Person: q.Get(staff.SearchPerson),
		Action: q.Get(staff.SearchAction),
		From:   q.Get(staff.SearchFrom),
		To:     q.Get(staff.SearchTo),
	}}
	// Reading the audit log is itself recorded, before the read, so the
	// page shows it.
	if err := s.audit(r, staff.ActionViewAudit, "audit_log", ""); err != nil {
		s.fail(w, r, err)
		return
	}
	var err error
	if v.People, err = s.admin.AuditPeople(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	filter, errs := v.Search.Filter(v.People)
	status := http.StatusOK
	if errs != nil {
		v.Errors, status = errs, http.StatusUnprocessableEntity
	} else if v.Entries, err = s.admin.AuditLog(ctx, filter); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, web.AdminAudit(s.adminPage(r, "AdminAuditTitle"), v))
}
