package server

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"conpro/internal/brussels"
	"conpro/internal/consent"
	"conpro/internal/consentstats"
	"conpro/internal/staff"
	"conpro/web"
)

// AdminStore is what the staff area reads and changes.
type AdminStore interface {
	staff.Accounts
	StaffUser(ctx context.Context, id int64) (staff.User, error)
	Audit(ctx context.Context, e staff.AuditEntry) error
	AuditLog(ctx context.Context, limit int) ([]staff.AuditEntry, error)
	Inbox(ctx context.Context, f staff.InboxFilter) ([]staff.InboxMessage, error)
	InboxMessage(ctx context.Context, id int64) (staff.InboxMessage, error)
	SetMessageHandled(ctx context.Context, id int64, handled bool, now time.Time, audit staff.AuditEntry) error
	DeleteMessage(ctx context.Context, id int64, audit staff.AuditEntry) error
	PrivacyRequests(ctx context.Context, limit int) ([]staff.QueuedRequest, error)
	HandlePrivacyRequest(ctx context.Context, id int64, note string, now time.Time, audit staff.AuditEntry) error
	OutboxMails(ctx context.Context, limit int) ([]staff.OutboxMail, error)
	RetryMail(ctx context.Context, id int64, audit staff.AuditEntry) error
	ConsentEvents(ctx context.Context, consentID string) ([]consent.Event, error)
}

// NewSessions configures the staff sessions: a cookie only /admin sees,
// HttpOnly, SameSite=Strict, Secure in production; 30 minutes idle, 12 hours
// at most.
func NewSessions(store scs.Store, production bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
	sm.HashTokenInStore = true
	sm.IdleTimeout = 30 * time.Minute
	sm.Lifetime = 12 * time.Hour
	sm.Cookie.Name = "conpro_staff"
	sm.Cookie.Path = "/admin"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteStrictMode
	sm.Cookie.Secure = production
	sm.Cookie.Persist = false
	return sm
}

// A staff session holds the account's ID and the credential version it was
// opened under.
const (
	sessionStaffID    = "staff_id"
	sessionCredential = "staff_credential"
)

type staffKey struct{}

func currentStaff(ctx context.Context) staff.User {
	u, _ := ctx.Value(staffKey{}).(staff.User)
	return u
}

// requireStaff sends a request without a staff session to the login page.
// A session whose account is gone, or whose password changed since the
// session began, is ended.
func (s *Server) requireStaff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := s.sessions.GetInt64(ctx, sessionStaffID)
		if id == 0 {
			http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
			return
		}
		u, err := s.admin.StaffUser(ctx, id)
		if err != nil && !errors.Is(err, staff.ErrNotFound) {
			s.fail(w, r, err)
			return
		}
		if err != nil || u.CredentialVersion != s.sessions.GetInt(ctx, sessionCredential) {
			s.log.InfoContext(ctx, "staff session ended: account gone or password changed", "staff_id", id)
			if err := s.sessions.Destroy(ctx); err != nil {
				s.fail(w, r, err)
				return
			}
			http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, staffKey{}, u)))
	})
}

// audit writes a staff action; a failure is an error of the request (an
// action that cannot be accounted for is not done silently).
func (s *Server) audit(r *http.Request, action, target, detail string) error {
	return s.admin.Audit(r.Context(), auditEntry(r, action, target, detail))
}

// auditEntry is the audit record of an action by the signed-in staff
// member; store methods that change data write it in their transaction.
func auditEntry(r *http.Request, action, target, detail string) staff.AuditEntry {
	u := currentStaff(r.Context())
	return staff.AuditEntry{StaffID: u.ID, StaffEmail: u.Email, Action: action, Target: target, Detail: detail}
}

func (s *Server) adminPage(r *http.Request, titleID string) web.AdminPage {
	return web.AdminPage{Title: web.T(r.Context(), titleID), Path: r.URL.Path, Assets: s.assets, Staff: currentStaff(r.Context()).Email}
}

func (s *Server) handleAdminLoginForm(w http.ResponseWriter, r *http.Request) {
	if s.sessions.GetInt64(r.Context(), sessionStaffID) != 0 {
		http.Redirect(w, r, "/admin/berichten", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminLogin(s.adminPage(r, "AdminLoginTitle"), "", ""))
}

// handleAdminLogin checks a password, throttled per address (in memory) and
// per account (in the database), and starts a fresh session.
// loginFailureFloor is the least time a failed login takes (argon2id alone
// takes a few tens of milliseconds).
const loginFailureFloor = 250 * time.Millisecond

// waitUntil sleeps until t, or until ctx ends.
func waitUntil(ctx context.Context, t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

func (s *Server) handleAdminLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadRequest)
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	p := s.adminPage(r, "AdminLoginTitle")
	if !s.loginLimiter.allow(clientAddr(ctx), s.now()) {
		w.Header().Set("Retry-After", "900")
		s.render(w, r, http.StatusTooManyRequests, web.AdminLogin(p, email, "AdminLoginTooMany"))
		return
	}
	start := time.Now()
	u, err := staff.Login(ctx, s.admin, email, r.PostForm.Get("wachtwoord"), s.now())
	if errors.Is(err, staff.ErrLocked) || errors.Is(err, staff.ErrBadLogin) {
		// An existing account costs a database write more than an unknown
		// address: every failure takes at least loginFailureFloor, so the
		// time does not tell them apart.
		waitUntil(ctx, start.Add(loginFailureFloor))
	}
	// A locked account and a wrong password (or an unknown address) get the
	// same answer: were a lock visible, it would tell which addresses have an
	// account, since only those are ever locked.
	switch {
	case errors.Is(err, staff.ErrLocked):
		s.log.WarnContext(ctx, "staff login refused: account locked")
		s.render(w, r, http.StatusUnauthorized, web.AdminLogin(p, email, "AdminLoginFailed"))
		return
	case errors.Is(err, staff.ErrBadLogin):
		s.log.InfoContext(ctx, "staff login failed")
		s.render(w, r, http.StatusUnauthorized, web.AdminLogin(p, email, "AdminLoginFailed"))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	// A new token at login: a session fixed beforehand is worth nothing.
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessionStaffID, u.ID)
	s.sessions.Put(ctx, sessionCredential, u.CredentialVersion)
	if err := s.admin.Audit(ctx, staff.AuditEntry{StaffID: u.ID, StaffEmail: u.Email, Action: "login"}); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/berichten", http.StatusSeeOther)
}

func (s *Server) handleAdminLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.audit(r, "logout", "", ""); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/login?uitgelogd=1", http.StatusSeeOther)
}

func (s *Server) handleAdminInbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := staff.InboxFilter{State: q.Get("toon"), Search: strings.TrimSpace(q.Get("zoek"))}
	if f.State != "open" && f.State != "afgehandeld" {
		f.State = ""
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
	s.render(w, r, http.StatusOK, web.AdminInbox(s.adminPage(r, "AdminInboxTitle"), msgs, f.State, f.Search))
}

// listDetail describes a view of the inbox for the audit log, without the
// search term.
func listDetail(f staff.InboxFilter, shown int) string {
	d := fmt.Sprintf("%d shown", shown)
	if f.State != "" {
		d += ", filter " + f.State
	}
	if f.Search != "" {
		d += ", search"
	}
	return d
}

func idParam(r *http.Request) (int64, bool) {
	raw := chi.URLParam(r, "id")
	id, err := strconv.ParseInt(raw, 10, 64)
	return id, err == nil && id > 0 && strconv.FormatInt(id, 10) == raw
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

func (s *Server) handleAdminRequests(w http.ResponseWriter, r *http.Request) {
	reqs, err := s.admin.PrivacyRequests(r.Context(), 500)
	if err == nil {
		err = s.audit(r, "list_requests", "privacy_request", fmt.Sprintf("%d shown", len(reqs)))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminRequests(s.adminPage(r, "AdminRequestsTitle"), reqs))
}

func (s *Server) handleAdminRequestHandled(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadRequest)
		return
	}
	// The field has maxlength=500; a longer note (only a hand-made
	// request sends one) is cut at a character boundary.
	note := clipRunes(strings.TrimSpace(strings.ToValidUTF8(r.PostForm.Get("notitie"), "\uFFFD")), 500)
	err := s.admin.HandlePrivacyRequest(r.Context(), id, note, s.now(), auditEntry(r, "handle_request", fmt.Sprintf("privacy_request:%d", id), ""))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/verzoeken", http.StatusSeeOther)
}

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

func (s *Server) handleAdminOutbox(w http.ResponseWriter, r *http.Request) {
	mails, err := s.admin.OutboxMails(r.Context(), 500)
	if err == nil {
		err = s.audit(r, "list_mail", "mail_outbox", fmt.Sprintf("%d shown", len(mails)))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminOutbox(s.adminPage(r, "AdminOutboxTitle"), mails))
}

func (s *Server) handleAdminRetryMail(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
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

// StatsStore computes the consent statistics.
type StatsStore interface {
	ConsentStats(ctx context.Context, from, to time.Time) ([]consentstats.Day, error)
}

// handleAdminStats shows, per day, the share of visitors who accepted,
// customised or refused, as a chart and as a table; ?dagen=7|30|90 or
// ?van=…&tot=… (dates) choose the period.
func (s *Server) handleAdminStats(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	from, to := consentstats.LastDays(s.now(), 30)
	status := http.StatusOK
	invalid := false
	switch {
	case q.Get("van") != "" || q.Get("tot") != "":
		f, err1 := time.Parse(time.DateOnly, q.Get("van"))
		t, err2 := time.Parse(time.DateOnly, q.Get("tot"))
		if err1 != nil || err2 != nil || consentstats.CheckPeriod(f, t) != nil {
			invalid, status = true, http.StatusUnprocessableEntity
		} else {
			from, to = f, t
		}
	case q.Get("dagen") != "":
		if n, err := strconv.Atoi(q.Get("dagen")); err == nil && n >= 1 && n <= consentstats.MaxDays {
			from, to = consentstats.LastDays(s.now(), n)
		}
	}
	days, err := s.stats.ConsentStats(ctx, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, web.AdminStats(s.adminPage(r, "AdminStatsTitle"), days, from, to, invalid))
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
