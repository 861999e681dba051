package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"conpro/internal/brussels"
	"conpro/internal/staff"
	"conpro/web"
)

func (s *Server) handleAdminInbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := staff.InboxFilter{State: staff.ParseInboxState(q.Get("toon")), Search: strings.TrimSpace(q.Get("zoek"))}
	msgs, err := s.admin.Inbox(r.Context(), f)
	if err == nil {
		// Who looked at the list is recorded; the search term is not (it
		// is often a visitor's name or address).
		err = s.audit(r, "list_messages", "contact_message", listDetail(f, len(msgs)))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminInbox(s.adminPage(r, "AdminInboxTitle"), msgs, f))
}

// listDetail describes a view of the inbox for the audit log, without the
// search term.
func listDetail(f staff.InboxFilter, shown int) string {
	d := fmt.Sprintf("%d shown", shown)
	if f.State != "" {
		d += ", filter " + string(f.State)
	}
	if f.Search != "" {
		d += ", search"
	}
	return d
}

func (s *Server) handleAdminMessage(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return
	}
	m, err := s.admin.InboxMessage(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.audit(r, "read_message", fmt.Sprintf("contact_message:%d", id), ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminMessage(s.adminPage(r, "AdminMessageTitle"), m, r.URL.Query().Get("verwijderen") == "1"))
}

func (s *Server) handleAdminMessageHandled(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadRequest)
		return
	}
	handled := r.PostForm.Get("afgehandeld") != "0"
	action := "mark_handled"
	if !handled {
		action = "mark_open"
	}
	err := s.admin.SetMessageHandled(r.Context(), id, handled, s.now(), auditEntry(r, action, fmt.Sprintf("contact_message:%d", id), ""))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/berichten/%d", id), http.StatusSeeOther)
}

func (s *Server) handleAdminMessageDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return
	}
	err := s.admin.DeleteMessage(r.Context(), id, auditEntry(r, "delete_message", fmt.Sprintf("contact_message:%d", id), ""))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/berichten?verwijderd=1", http.StatusSeeOther)
}

// handleAdminInboxCSV exports the inbox as CSV, UTF-8 with a byte-order mark
// so that Excel reads accents right, semicolon-separated as Excel expects
// with Belgian settings.
func (s *Server) handleAdminInboxCSV(w http.ResponseWriter, r *http.Request) {
	msgs, err := s.admin.Inbox(r.Context(), staff.InboxFilter{Limit: 100000})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b strings.Builder
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	cw.Comma = ';'
	_ = cw.Write([]string{"id", "ontvangen", "naam", "e-mail", "telefoon", "bericht", "taal", "afgehandeld"})
	for _, m := range msgs {
		handled := ""
		if m.HandledAt != nil {
			handled = brussels.In(*m.HandledAt).Format("2006-01-02 15:04")
		}
		_ = cw.Write([]string{strconv.FormatInt(m.ID, 10), brussels.In(m.ReceivedAt).Format("2006-01-02 15:04"),
			csvSafe(m.Name), csvSafe(m.Email), csvSafe(m.Phone), csvSafe(m.Message), m.Locale, handled})
	}
	cw.Flush()
	if err := s.audit(r, "export_csv", "contact_message", fmt.Sprintf("%d messages", len(msgs))); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="conpro-berichten.csv"`)
	writeBody(w, r, http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

// csvSafe keeps a visitor's text from being read as a formula by a
// spreadsheet (CSV injection).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
