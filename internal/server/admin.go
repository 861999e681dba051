package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/quote"
	"conpro/internal/staff"
	"conpro/web"
)

// AdminStore is what the staff area reads and changes.
type AdminStore interface {
	staff.Accounts
	staff.AccountStore
	StaffUser(ctx context.Context, id int64) (staff.User, error)
	StaffUsers(ctx context.Context) ([]staff.User, error)
	Waiting(ctx context.Context) (staff.Waiting, error)
	Audit(ctx context.Context, e staff.AuditEntry) error
	AuditLog(ctx context.Context, f staff.AuditFilter) ([]staff.AuditEntry, error)
	AuditPeople(ctx context.Context) ([]string, error)
	Inbox(ctx context.Context, f staff.InboxFilter) ([]staff.InboxMessage, error)
	InboxMessage(ctx context.Context, id int64) (staff.InboxMessage, error)
	SetMessageHandled(ctx context.Context, id int64, handled bool, now time.Time, audit staff.AuditEntry) error
	MarkNotSpam(ctx context.Context, id int64, now time.Time, audit staff.AuditEntry) error
	DeleteMessage(ctx context.Context, id int64, audit staff.AuditEntry) error
	// Quote reads a quote request's own fields and files (without their
	// bytes); QuoteFile one file with its bytes.
	Quote(ctx context.Context, messageID int64) (quote.Stored, error)
	QuoteFile(ctx context.Context, messageID int64, position int) (quote.File, error)
	PrivacyRequests(ctx context.Context, limit int) ([]staff.QueuedRequest, error)
	HandlePrivacyRequest(ctx context.Context, id int64, note string, now time.Time, audit staff.AuditEntry) error
	OutboxMails(ctx context.Context, limit int) ([]staff.OutboxMail, error)
	RetryMail(ctx context.Context, id int64, audit staff.AuditEntry) error
	// ConsentRecord reads the logged choices of a consent ID, oldest
	// first; ConsentTexts the archived texts of versions, in one query.
	ConsentRecord(ctx context.Context, consentID string) ([]consentlog.RecordedEvent, error)
	ConsentTexts(ctx context.Context, versions []string) (map[string]string, error)
	consent.ServiceSettings
	staff.ServiceStore
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
// A session whose account is gone or disabled, or whose password changed
// since the session began, is ended.
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
		if err != nil || !u.Admits(s.sessions.GetInt(ctx, sessionCredential)) {
			s.log.InfoContext(ctx, "staff session ended: account gone or disabled, or password changed", "staff_id", id)
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
func (s *Server) audit(r *http.Request, action staff.Action, target, detail string) error {
	return s.admin.Audit(r.Context(), auditEntry(r, action, target, detail))
}

// auditEntry is the audit record of an action by the signed-in staff
// member; store methods that change data write it in their transaction.
func auditEntry(r *http.Request, action staff.Action, target, detail string) staff.AuditEntry {
	u := currentStaff(r.Context())
	return staff.AuditEntry{StaffID: u.ID, StaffEmail: u.Email, Action: action, Target: target, Detail: detail}
}

// adminPage is the layout data of a staff page. For a signed-in staff
// member it counts what waits for them, for the navigation; should that
// fail, the page shows without the counts rather than not at all.
func (s *Server) adminPage(r *http.Request, titleID string) web.AdminPage {
	ctx := r.Context()
	p := web.AdminPage{Title: web.T(ctx, titleID), Path: r.URL.Path, Assets: s.assets, Staff: currentStaff(ctx).Email}
	if p.Staff != "" {
		w, err := s.admin.Waiting(ctx)
		if err != nil {
			s.log.WarnContext(ctx, "staff navigation without counts", "err", err)
		}
		p.Waiting = w
	}
	return p
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
	values, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	unreadable := err != nil
	email := strings.TrimSpace(values.Get("email"))
	p := s.adminPage(r, "AdminLoginTitle")
	if !s.loginLimiter.Allow(ctx, clientAddr(ctx), s.now()) {
		w.Header().Set("Retry-After", "900")
		s.render(w, r, http.StatusTooManyRequests, web.AdminLogin(p, email, "AdminLoginTooMany"))
		return
	}
	start := time.Now()
	if unreadable {
		// No account has such an address or password; the refusal takes
		// as long as any failed login.
		waitUntil(ctx, start.Add(loginFailureFloor))
		s.render(w, r, http.StatusUnprocessableEntity, web.AdminLogin(p, email, "FormErrUnreadable"))
		return
	}
	u, err := staff.Login(ctx, s.admin, email, values.Get("wachtwoord"), s.now())
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
	case errors.Is(err, staff.ErrDisabled):
		s.log.InfoContext(ctx, "staff login refused: account disabled")
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
	if err := s.admin.Audit(ctx, staff.AuditEntry{StaffID: u.ID, StaffEmail: u.Email, Action: staff.ActionLogin}); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/berichten", http.StatusSeeOther)
}

func (s *Server) handleAdminLogout(w http.ResponseWriter, r *http.Request) {
	if _, err := formValues(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.audit(r, staff.ActionLogout, "", ""); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/login?uitgelogd=1", http.StatusSeeOther)
}

// postedID reads the ID of the item a staff button acts on (its form
// carries nothing else); on failure it has answered: 404 for an ID that
// is none, the error table's answer for an unreadable form.
func (s *Server) postedID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return 0, false
	}
	if _, err := formValues(r); err != nil {
		s.fail(w, r, err)
		return 0, false
	}
	return id, true
}

// idParam is the {id} of the path, written as the number it is.
func idParam(r *http.Request) (int64, bool) {
	raw := chi.URLParam(r, "id")
	id, err := strconv.ParseInt(raw, 10, 64)
	return id, err == nil && id > 0 && strconv.FormatInt(id, 10) == raw
}
