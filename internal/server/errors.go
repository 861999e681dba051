package server

import (
	"bytes"
	"errors"
	"net/http"

	"conpro/internal/consentlog"
	"conpro/internal/locale"
	"conpro/internal/media"
	"conpro/internal/page"
	"conpro/internal/policy"
	"conpro/internal/privacyrequest"
	"conpro/internal/project"
	"conpro/internal/quote"
	"conpro/internal/staff"
	"conpro/web"
)

// Errors of the HTTP layer itself. Domain packages define the errors they
// mean (staff.ErrNotFound, privacyrequest.ErrBadLink, …); the store wraps
// into those.
var (
	errBadRequest       = errors.New("unreadable request")
	errCrossOrigin      = errors.New("cross-origin request refused")
	errNotFound         = errors.New("no such page")
	errMethodNotAllowed = errors.New("method not allowed")
	errTooLarge         = errors.New("request body too large")
	errConsentTooMany   = errors.New("too many consent choices from one client")
	errNotAConsentID    = errors.New("an address that names no consent ID")
	errNoChoices        = errors.New("no choice logged under this consent ID")
	errPanic            = errors.New("handler panicked")
)

// failure is what a visitor gets for an error: the status, the page's
// heading and sentence (message IDs), and when to try again.
type failure struct {
	err        error
	status     int
	title      string
	text       string
	retryAfter string
}

// failures is the one table from an error to its answer, matched in order
// with errors.Is; anything else is a 500. A form that can be shown again
// with what was typed (a field error, a limit, the database away) is not a
// failure: its handler shows the form.
var failures = []failure{
	{err: errBadRequest, status: http.StatusBadRequest, title: "BadRequestTitle", text: "BadRequestText"},
	{err: errUnreadable, status: http.StatusBadRequest, title: "UnreadableTitle", text: "UnreadableText"},
	{err: errCrossOrigin, status: http.StatusForbidden, title: "ForbiddenTitle", text: "ForbiddenText"},
	{err: errNotFound, status: http.StatusNotFound, title: "NotFoundTitle", text: "NotFoundText"},
	{err: staff.ErrNotFound, status: http.StatusNotFound, title: "NotFoundTitle", text: "NotFoundText"},
	{err: errNotAConsentID, status: http.StatusBadRequest, title: "AdminConsentErrIDTitle", text: "AdminConsentErrID"},
	{err: errNoChoices, status: http.StatusNotFound, title: "AdminConsentNoneTitle", text: "AdminConsentNone"},
	{err: policy.ErrNotFound, status: http.StatusNotFound, title: "NotFoundTitle", text: "NotFoundText"},
	{err: policy.ErrPublished, status: http.StatusConflict, title: "PolicyPublishedTitle", text: "PolicyPublishedText"},
	{err: page.ErrNotFound, status: http.StatusNotFound, title: "NotFoundTitle", text: "NotFoundText"},
	{err: media.ErrNotFound, status: http.StatusNotFound, title: "NotFoundTitle", text: "NotFoundText"},
	{err: quote.ErrNotFound, status: http.StatusNotFound, title: "NotFoundTitle", text: "NotFoundText"},
	{err: project.ErrNotFound, status: http.StatusNotFound, title: "NotFoundTitle", text: "NotFoundText"},
	{err: staff.ErrDisableSelf, status: http.StatusConflict, title: "DisableSelfTitle", text: "DisableSelfText"},
	{err: errMethodNotAllowed, status: http.StatusMethodNotAllowed, title: "MethodNotAllowedTitle", text: "MethodNotAllowedText"},
	{err: privacyrequest.ErrBadLink, status: http.StatusGone, title: "RequestBadLinkHeading", text: "RequestBadLinkText"},
	{err: errTooLarge, status: http.StatusRequestEntityTooLarge, title: "TooLargeTitle", text: "TooLargeText"},
	{err: errConsentTooMany, status: http.StatusTooManyRequests, title: "ConsentTooManyTitle", text: "ConsentTooManyText", retryAfter: "60"},
	{err: errTooManyReports, status: http.StatusTooManyRequests, title: "TooManyTitle", text: "TooManyText", retryAfter: "60"},
	{err: consentlog.ErrSpoolFull, status: http.StatusServiceUnavailable, title: "ConsentUnavailableTitle", text: "ConsentUnavailableText", retryAfter: "300"},
}

var serverFailure = failure{status: http.StatusInternalServerError, title: "ServerErrorTitle", text: "ServerErrorText"}

// failureFor looks an error up in the table.
func failureFor(err error) failure {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = errTooLarge
	}
	for _, f := range failures {
		if errors.Is(err, f.err) {
			return f
		}
	}
	return serverFailure
}

// statusClientClosed is what the access log and metrics record for a
// request whose client left before the answer (nginx's 499).
const statusClientClosed = 499

// fail answers a request that cannot be served: the status and page its
// error calls for, never with a vendor script. A server error is logged
// (err must not hold personal data); a client that left gets nothing.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	if ctx.Err() != nil {
		// The client left while its answer was being made: there is no
		// one to answer, and nothing went wrong here.
		w.WriteHeader(statusClientClosed)
		return
	}
	f := failureFor(err)
	if f.status >= 500 && !errors.Is(err, errPanic) {
		s.log.ErrorContext(ctx, "request failed", "err", err, "request_id", requestID(ctx))
	}
	h := w.Header()
	if f.retryAfter != "" {
		h.Set("Retry-After", f.retryAfter)
	}
	h.Set("Cache-Control", "no-store")
	if visitOf(ctx).machine {
		writeBody(w, r, f.status, "text/plain; charset=utf-8", []byte(http.StatusText(f.status)+"\n"))
		return
	}
	s.errorPage(w, r, f.status, f.title, f.text)
}

// errorPage renders a page for an error status with a translated heading
// and sentence. It carries no vendor script: its address may be anything a
// client typed, a link token included.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, titleID, textID string, data ...map[string]any) {
	ctx := r.Context()
	visitOf(ctx).vendors = false
	w.Header()["Content-Security-Policy"] = []string{s.csp}
	p := s.page(w, r, titleID, "")
	p.NoIndex = true
	p.Canonical = ""
	c := web.ErrorPage(p, locale.T(ctx, titleID), locale.T(ctx, textID, data...))
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		// The error page itself failed: plain text is all that is left.
		s.log.ErrorContext(ctx, "render error page", "err", err, "status", status)
		http.Error(w, http.StatusText(status), status)
		return
	}
	writeBody(w, r, status, "text/html; charset=utf-8", buf.Bytes())
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) { s.fail(w, r, errNotFound) }

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, errMethodNotAllowed)
}
