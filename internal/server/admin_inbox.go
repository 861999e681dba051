package server

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"

	"conpro/internal/brussels"
	"conpro/internal/quote"
	"conpro/internal/staff"
	"conpro/web"
)

func (s *Server) handleAdminInbox(w http.ResponseWriter, r *http.Request) {
	q, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	f := staff.InboxFilter{State: staff.ParseInboxState(q.Get("toon")), Search: strings.TrimSpace(q.Get("zoek"))}
	if err != nil {
		// Shown again with the search kept, and nothing looked up.
		p := s.adminPage(r, "AdminInboxTitle")
		p.Notice = "FormErrUnreadable"
		s.render(w, r, http.StatusUnprocessableEntity, web.AdminInbox(p, nil, f))
		return
	}
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
	q, err := formValues(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.admin.InboxMessage(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var qr *quote.Stored
	if m.IsQuote() {
		stored, err := s.admin.Quote(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		qr = &stored
	}
	if err := s.audit(r, "read_message", fmt.Sprintf("contact_message:%d", id), ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminMessage(s.adminPage(r, "AdminMessageTitle"), m, qr, q.Get("verwijderen") == "1"))
}

func (s *Server) handleAdminMessageHandled(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return
	}
	values, err := formValues(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	handled := values.Get("afgehandeld") != "0"
	action := staff.ActionMarkHandled
	if !handled {
		action = staff.ActionMarkOpen
	}
	err = s.admin.SetMessageHandled(r.Context(), id, handled, s.now(), auditEntry(r, action, fmt.Sprintf("contact_message:%d", id), ""))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/berichten/%d", id), http.StatusSeeOther)
}

// handleAdminMessageNotSpam records that a message marked as possible spam
// is not.
func (s *Server) handleAdminMessageNotSpam(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	err := s.admin.MarkNotSpam(r.Context(), id, s.now(), auditEntry(r, staff.ActionMarkNotSpam, fmt.Sprintf("contact_message:%d", id), ""))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/berichten/%d", id), http.StatusSeeOther)
}

func (s *Server) handleAdminMessageDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
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
	_ = cw.Write([]string{"id", "ontvangen", "naam", "e-mail", "telefoon", "bericht", "taal", "afgehandeld", "mogelijk spam", "soort"})
	for _, m := range msgs {
		handled := ""
		if m.HandledAt != nil {
			handled = brussels.In(*m.HandledAt).Format("2006-01-02 15:04")
		}
		spam := ""
		if m.MaybeSpam() {
			spam = m.SpamReason
		}
		kind := "bericht"
		if m.IsQuote() {
			kind = "offerteaanvraag"
		}
		_ = cw.Write([]string{strconv.FormatInt(m.ID, 10), brussels.In(m.ReceivedAt).Format("2006-01-02 15:04"),
			csvSafe(m.Name), csvSafe(m.Email), csvSafe(m.Phone), csvSafe(m.Message), m.Locale, handled, spam, kind})
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
// spreadsheet (CSV injection): a cell whose first visible character starts a
// formula gets a ' in front. Spreadsheets pass over leading spaces and
// invisible characters (a zero-width space, a byte-order mark, a direction
// mark), and read the full-width and small forms of = + - @ as those.
func csvSafe(s string) string {
	if strings.HasPrefix(s, "\t") || strings.HasPrefix(s, "\r") {
		return "'" + s
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if strings.ContainsRune(formulaStarts, r) {
			return "'" + s
		}
		return s
	}
	return s
}

// formulaStarts are the characters a spreadsheet starts a formula with, in
// their ASCII, full-width and small forms, and the minus sign.
const formulaStarts = "=+-@＝＋－＠﹦﹢﹣﹫−"

// handleAdminQuoteFile hands staff one file of a quote request: to
// download, never shown by the site itself (a visitor's PDF is the
// visitor's), kept out of every cache, its type not to be guessed.
func (s *Server) handleAdminQuoteFile(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r)
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if !ok || err != nil || n < 1 || n > quote.MaxFiles || strconv.Itoa(n) != chi.URLParam(r, "n") {
		s.fail(w, r, errNotFound)
		return
	}
	f, err := s.admin.QuoteFile(r.Context(), id, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.audit(r, staff.ActionDownloadQuoteFile, fmt.Sprintf("contact_message:%d", id), ""); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Disposition", contentDisposition(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Type", f.Type)
	h.Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.Data)
	}
}
