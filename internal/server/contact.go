package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"conpro/internal/clientip"
	"conpro/internal/contact"
	"conpro/internal/locale"
	"conpro/web"
)

// ContactStore keeps contact messages with their notification mail.
type ContactStore interface {
	CreateContactMessage(ctx context.Context, s contact.Submission, n contact.Notification) (int64, error)
}

// formTokenMaxAge is how long a shown form stays valid; older posts are
// shown again (with everything the visitor typed) to be sent once more.
const formTokenMaxAge = 24 * time.Hour

func (s *Server) handleContactForm(w http.ResponseWriter, r *http.Request) {
	v := web.ContactFormView{Token: s.tokens.Issue(s.now())}
	s.renderContact(w, r, http.StatusOK, v)
}

func (s *Server) renderContact(w http.ResponseWriter, r *http.Request, status int, v web.ContactFormView) {
	p := s.page(w, r, "ContactTitle", "ContactDescription")
	p.Canonical = s.absURL("/contact")
	s.render(w, r, status, web.ContactPage(p, v))
}

// handleContactPost validates a message, stores it with its notification in
// one transaction, and sends the visitor to the thank-you page. Every
// answer that is not a success shows the form again with what was typed.
func (s *Server) handleContactPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.now()
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadRequest)
		return
	}
	form := contact.Form{
		Name:    r.PostForm.Get(string(contact.Name)),
		Email:   r.PostForm.Get(string(contact.Email)),
		Phone:   r.PostForm.Get(string(contact.Phone)),
		Message: r.PostForm.Get(string(contact.Message)),
	}
	again := web.ContactFormView{Form: form, Token: s.tokens.Issue(now)}

	addr := clientAddr(ctx)
	if !s.contactLimiter.Allow(addr, now) {
		w.Header().Set("Retry-After", "600")
		again.Notice = "ContactErrTooMany"
		s.renderContact(w, r, http.StatusTooManyRequests, again)
		return
	}

	// Bots fill the hidden field, post without a token of ours or faster
	// than a person can type; they get the thank-you page, and nothing is
	// stored or mailed.
	honeypot := r.PostForm.Get("website") != ""
	age, err := s.tokens.Age(r.PostForm.Get("t"), now)
	if honeypot || errors.Is(err, contact.ErrBadToken) || (err == nil && age < s.cfg.ContactMinFill) {
		s.log.InfoContext(ctx, "contact post taken for a bot", "honeypot", honeypot, "token_ok", err == nil, "fill_time", age.Round(time.Millisecond))
		http.Redirect(w, r, "/contact/bedankt", http.StatusSeeOther)
		return
	}
	// A token of ours that fails its check was most likely signed before a
	// key rotation, or by an instance with another key: a person may have
	// typed that message, so it is shown again to be sent once more.
	if err != nil {
		s.log.InfoContext(ctx, "contact post with an unverifiable form token shown again")
		again.Notice = "ContactErrResend"
		s.renderContact(w, r, http.StatusUnprocessableEntity, again)
		return
	}
	if age > formTokenMaxAge {
		again.Notice = "ContactErrExpired"
		s.renderContact(w, r, http.StatusUnprocessableEntity, again)
		return
	}

	sub, errs := contact.Validate(form)
	if len(errs) > 0 {
		again.Errors = errs
		s.renderContact(w, r, http.StatusUnprocessableEntity, again)
		return
	}
	sub.Locale = string(locale.LangOf(ctx))
	sub.Network = clientip.Truncate(addr)
	sub.ReceivedAt = now.UTC()
	note := contact.NotificationFor(sub, s.cfg.MailTo, s.absURL("/"))
	// A visitor who closes the tab mid-post must not turn a stored-or-not
	// question into a half-done one: the write runs to its end.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	id, err := s.contacts.CreateContactMessage(sctx, sub, note)
	cancel()
	if err != nil {
		s.log.ErrorContext(ctx, "contact message not stored", "err", err)
		again.Notice = "ContactErrUnavailable"
		s.renderContact(w, r, http.StatusServiceUnavailable, again)
		return
	}
	s.log.InfoContext(ctx, "contact message stored", "contact_message_id", id)
	if s.mailKick != nil {
		s.mailKick()
	}
	http.Redirect(w, r, "/contact/bedankt", http.StatusSeeOther)
}

func (s *Server) handleContactThanks(w http.ResponseWriter, r *http.Request) {
	p := s.page(w, r, "ContactThanksTitle", "")
	p.NoIndex = true
	s.render(w, r, http.StatusOK, web.ContactThanks(p))
}
