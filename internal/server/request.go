package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"conpro/internal/locale"
	"conpro/internal/privacyrequest"
	"conpro/internal/retention"
	"conpro/web"
)

// RequestStore keeps data-subject requests and answers them.
type RequestStore interface {
	CreatePrivacyRequest(ctx context.Context, r privacyrequest.Request, emailHash, tokenHash [32]byte, expires time.Time, m privacyrequest.VerificationMail) (int64, error)
	privacyrequest.Store
}

func (s *Server) handleRequestForm(w http.ResponseWriter, r *http.Request) {
	v := web.RequestFormView{}
	if ch := consentState(r.Context()).Choice; ch != nil {
		v.Form.ConsentID, v.FromCookie = ch.ID, true
	}
	s.renderRequestForm(w, r, http.StatusOK, v)
}

func (s *Server) renderRequestForm(w http.ResponseWriter, r *http.Request, status int, v web.RequestFormView) {
	p := s.page(w, r, "RequestTitle", "RequestDescription")
	p.Canonical = s.absURL("/privacy/verzoek")
	s.render(w, r, status, web.RequestForm(p, v))
}

// handleRequestPost stores a request and mails its link. The answer is the
// same whether or not the address is known to the site.
func (s *Server) handleRequestPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	values, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	unreadable := err != nil
	form := privacyrequest.Form{
		Kind:            values.Get("soort"),
		Email:           values.Get("email"),
		ConsentID:       values.Get("toestemmings_id"),
		Message:         values.Get("toelichting"),
		EraseConsentLog: values.Get("wis_toestemmingen") == "1",
	}
	st := consentState(ctx)
	v := web.RequestFormView{Form: form, FromCookie: st.Choice != nil}
	if !s.requestLimiter.Allow(ctx, clientAddr(ctx), s.now()) {
		w.Header().Set("Retry-After", "600")
		v.Notice = "RequestErrTooMany"
		s.renderRequestForm(w, r, http.StatusTooManyRequests, v)
		return
	}
	req, errs := privacyrequest.Validate(form)
	// A consent ID is a pseudonym, not a proof: knowing one (from a shared
	// screen, a receipt file) must not open someone else's consent log.
	// Only the ID in this browser's signed cookie is taken.
	if _, bad := errs["toestemmings_id"]; !bad && req.ConsentID != "" && (st.Choice == nil || st.Choice.ID != req.ConsentID) {
		if errs == nil {
			errs = privacyrequest.Errors{}
		}
		errs["toestemmings_id"] = "RequestErrConsentIDNotHere"
	}
	if len(errs) > 0 || unreadable {
		v.Errors = errs
		if unreadable {
			// Validation marks the fields where it was, shown as U+FFFD.
			v.Notice = "FormErrUnreadable"
		}
		s.renderRequestForm(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	req.Locale = string(locale.LangOf(ctx))
	token, tokenHash := privacyrequest.NewToken()
	link := s.absURL("/privacy/verzoek/bevestig") + "?t=" + url.QueryEscape(token)
	m := privacyrequest.NewVerificationMail(req.Email, link, privacyrequest.MailTexts{
		Subject: locale.T(ctx, "RequestMailSubject"),
		Intro:   locale.T(ctx, "RequestMailIntro", map[string]any{"Kind": locale.T(ctx, "RequestKind_"+string(req.Kind))}),
		Action:  locale.T(ctx, "RequestMailAction"),
		Expiry:  locale.T(ctx, "RequestMailExpiry"),
		NotYou:  locale.T(ctx, "RequestMailNotYou"),
	})
	// A visitor who closes the tab mid-post must not turn a stored-or-not
	// question into a half-done one: the write runs to its end.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	id, err := s.requests.CreatePrivacyRequest(sctx, req, s.requestKeys.EmailHash(req.Email), tokenHash, s.now().Add(privacyrequest.TokenLifetime), m)
	cancel()
	if err != nil {
		s.log.ErrorContext(ctx, "privacy request not stored", "err", err)
		v.Notice = "RequestErrUnavailable"
		s.renderRequestForm(w, r, http.StatusServiceUnavailable, v)
		return
	}
	s.log.InfoContext(ctx, "privacy request stored", "privacy_request_id", id, "kind", req.Kind)
	if s.mailKick != nil {
		s.mailKick()
	}
	http.Redirect(w, r, "/privacy/verzoek/verstuurd", http.StatusSeeOther)
}

func (s *Server) requestMessage(w http.ResponseWriter, r *http.Request, status int, headingID, textID string, data ...map[string]any) {
	p := s.page(w, r, headingID, "")
	p.NoIndex = true
	ctx := r.Context()
	s.render(w, r, status, web.RequestMessage(p, locale.T(ctx, headingID), locale.T(ctx, textID, data...)))
}

func (s *Server) handleRequestSent(w http.ResponseWriter, r *http.Request) {
	s.requestMessage(w, r, http.StatusOK, "RequestSentHeading", "RequestSentText")
}

// handleRequestConfirmPage shows the button that uses the link's token.
func (s *Server) handleRequestConfirmPage(w http.ResponseWriter, r *http.Request) {
	values, err := formValues(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token := values.Get("t")
	if token == "" || len(token) > 100 {
		s.fail(w, r, privacyrequest.ErrBadLink)
		return
	}
	// The token is in the URL: keep it out of Referer headers.
	w.Header().Set("Referrer-Policy", "no-referrer")
	p := s.page(w, r, "RequestConfirmHeading", "")
	p.NoIndex = true
	p.Canonical = ""
	s.render(w, r, http.StatusOK, web.RequestConfirm(p, token))
}

// handleRequestConfirm uses a link once and carries out its request.
func (s *Server) handleRequestConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	values, err := formValues(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st := privacyrequest.Staff{MailTo: s.cfg.MailTo, QueueURL: s.absURL("/admin/verzoeken")}
	o, err := privacyrequest.Confirm(ctx, s.requests, s.requestKeys, st, values.Get("t"), s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := o.Request
	s.log.InfoContext(ctx, "privacy request verified", "privacy_request_id", v.ID, "kind", v.Kind)
	if o.Queued && s.mailKick != nil {
		s.mailKick()
	}
	switch {
	case o.Export != nil:
		p := s.page(w, r, "AccessHeading", "")
		p.NoIndex, p.Canonical = true, ""
		s.render(w, r, http.StatusOK, web.RequestAccess(p, *o.Export, o.DownloadTicket))
	case o.Erased != nil:
		e := o.Erased
		s.log.InfoContext(ctx, "personal data erased", "privacy_request_id", v.ID, "contact_messages", e.ContactMessages, "requests", e.Requests, "consent_events", e.ConsentEvents, "mails", e.Mails)
		s.requestMessage(w, r, http.StatusOK, "ErasedHeading", "ErasedText", map[string]any{
			"Messages": e.ContactMessages, "Requests": e.Requests, "Consents": e.ConsentEvents,
		})
	default:
		s.requestMessage(w, r, http.StatusOK, "QueuedHeading", "QueuedText")
	}
}

// handleRequestDownload hands out an access request's data as JSON while
// the page that showed it is fresh.
func (s *Server) handleRequestDownload(w http.ResponseWriter, r *http.Request) {
	values, err := formValues(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The server still takes the whole configuration; the periods it states
	// are the purge's (main gives the purge the same).
	kept := retention.Periods{Contact: s.cfg.Retention.Contact, Consent: s.cfg.Retention.Consent}
	x, err := privacyrequest.Download(r.Context(), s.requests, s.requestKeys, values.Get("d"), kept, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="conpro-inzage.json"`)
	writeBody(w, r, http.StatusOK, "application/json; charset=utf-8", append(body, '\n'))
}
