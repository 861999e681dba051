package server

import (
	"net/http"

	"conpro/internal/staff"
	"conpro/web"
)

func (s *Server) handleAdminAudit(w http.ResponseWriter, r *http.Request) {
	// Reading the audit log is itself recorded, before the read, so the
	// page shows it.
	err := s.audit(r, "view_audit", "audit_log", "")
	var entries []staff.AuditEntry
	if err == nil {
		entries, err = s.admin.AuditLog(r.Context(), 500)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminAudit(s.adminPage(r, "AdminAuditTitle"), entries))
}
