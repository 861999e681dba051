package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/csp"
)

// CSPReports keeps the counts of what browsers report their CSP blocked.
type CSPReports interface {
	RecordCSPViolations(ctx context.Context, day time.Time, vs []csp.Violation, maxRows int) error
	CSPViolations(ctx context.Context, since time.Time, limit int) ([]csp.Count, error)
}

const (
	// maxReportBody bounds a violation report (browsers send a few KB).
	maxReportBody = 16 << 10
	// maxViolationKinds bounds the kinds of violation kept per day.
	maxViolationKinds = 1000
)

var errTooManyReports = errors.New("too many CSP reports from one client")

// handleCSPReport counts what a browser reports its Content-Security-Policy
// blocked on one of this site's pages (see csp.ParseReports for what is
// kept). It answers 204 whether or not the count could be stored: a browser
// does nothing with the answer.
func (s *Server) handleCSPReport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !s.reportLimiter.Allow(ctx, clientAddr(ctx), s.now()) {
		s.fail(w, r, errTooManyReports)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Reports are about pages of the site as the browser reached it.
	vs, err := csp.ParseReports(r.Header.Get("Content-Type"), body, &url.URL{Host: r.Host})
	if err != nil {
		s.fail(w, r, errBadRequest)
		return
	}
	if len(vs) > 0 {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		err := s.reports.RecordCSPViolations(sctx, brussels.Day(s.now()), vs, maxViolationKinds)
		cancel()
		if err != nil {
			s.log.WarnContext(ctx, "CSP violation reports not counted", "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
