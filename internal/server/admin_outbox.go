package server

import (
	"fmt"
	"net/http"

	"conpro/web"
)

func (s *Server) handleAdminOutbox(w http.ResponseWriter, r *http.Request) {
	mails, err := s.admin.OutboxMails(r.Context(), 500)
	if err == nil {
		err = s.audit(r, "list_mail", "mail_outbox", fmt.Sprintf("%d shown", len(mails)))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminOutbox(s.adminPage(r, "AdminOutboxTitle"), mails, s.cfg.SMTP != nil))
}

func (s *Server) handleAdminRetryMail(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	err := s.admin.RetryMail(r.Context(), id, auditEntry(r, "retry_mail", fmt.Sprintf("mail_outbox:%d", id), ""))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.mailKick != nil {
		s.mailKick()
	}
	http.Redirect(w, r, "/admin/mail", http.StatusSeeOther)
}
