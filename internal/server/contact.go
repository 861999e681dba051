package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"conpro/internal/clientip"
	"conpro/internal/contact"
	"conpro/internal/locale"
	"conpro/internal/quote"
	"conpro/web"
)

// ContactStore keeps contact messages with their notification mail.
type ContactStore interface {
	CreateContactMessage(ctx context.Context, s contact.Submission, n contact.Notification) (int64, error)
	// CreateQuoteRequest keeps a quote request with the messages, its
	// files, the company's notification and the visitor's confirmation
	// (none when its To is empty).
	CreateQuoteRequest(ctx context.Context, s quote.Submission, n, confirmation contact.Notification) (int64, error)
}

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
	values, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	unreadable := err != nil
	form := contact.Form{
		Name:    values.Get(string(contact.Name)),
		Email:   values.Get(string(contact.Email)),
		Phone:   values.Get(string(contact.Phone)),
		Message: values.Get(string(contact.Message)),
	}
	again := web.ContactFormView{Form: form, Token: s.tokens.Issue(now)}

	addr := clientAddr(ctx)
	if !s.contactLimiter.Allow(ctx, addr, now) {
		w.Header().Set("Retry-After", "600")
		again.Notice = "ContactErrTooMany"
		s.renderContact(w, r, http.StatusTooManyRequests, again)
		return
	}

	// Validation comes first: an empty or invalid form gets its errors,
	// however fast it came and whatever its token says. (Validation marks
	// the fields where unreadable text was, shown as U+FFFD.)
	sub, errs := contact.Validate(form)
	if len(errs) > 0 || unreadable {
		again.Errors = errs
		if unreadable {
			again.Notice = "FormErrUnreadable"
		}
		s.renderContact(w, r, http.StatusUnprocessableEntity, again)
		return
	}
	// Only a filled hidden field drops a post: no person sees that field.
	// The bot gets the thank-you page, and nothing is stored or mailed.
	if values.Get("website") != "" {
		s.log.InfoContext(ctx, "contact post dropped: honeypot filled")
		http.Redirect(w, r, "/contact/bedankt", http.StatusSeeOther)
		return
	}
	// Every other sign of a bot is weak (a browser that fills the form
	// itself, a form left open overnight, a key rotation): the message is
	// kept, mailed and marked for staff to judge.
	age, tokenErr := s.tokens.Age(values.Get("t"), now)
	sub.SpamReason = contact.SpamReason(sub, contact.Signs{FormAge: age, TokenErr: tokenErr, MinFill: s.cfg.ContactMinFill})
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
	s.log.InfoContext(ctx, "contact message stored", "contact_message_id", id, "maybe_spam", sub.SpamReason != "")
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
