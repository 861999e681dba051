package server

import (
	"context"
	"net/http"

	"conpro/internal/brussels"
	"conpro/internal/consentlog"
	"conpro/internal/csp"
	"conpro/internal/scan"
	"conpro/internal/staff"
	"conpro/web"
)

// SiteScans are the scans of the site in headless Chromium.
type SiteScans interface {
	LastScans(ctx context.Context, limit int) ([]scan.Report, error)
}

// ConsentProof is the tamper-evident consent log: its chain, its
// verification, and what earlier verifications found.
type ConsentProof interface {
	consentlog.ChainStore
	consentlog.VerifyStore
	RecordVerification(ctx context.Context, r consentlog.Report) error
	Verifications(ctx context.Context, limit int) ([]consentlog.Verification, error)
}

// handleAdminCompliance shows what the last scans of the site found, whether
// the proof of consent is intact (the last verifications), and what
// browsers reported their CSP blocked in the last 30 days.
func (s *Server) handleAdminCompliance(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	vs, err := s.proof.Verifications(ctx, 20)
	var blocked []csp.Count
	if err == nil {
		blocked, err = s.reports.CSPViolations(ctx, brussels.Day(s.now()).AddDate(0, 0, -30), 200)
	}
	var scans []scan.Report
	if err == nil {
		scans, err = s.scans.LastScans(ctx, 10)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AdminCompliance(s.adminPage(r, "AdminComplianceTitle"), web.ScansView(scans), vs, blocked))
}

// handleAdminVerify checks the consent log now: it links what is not yet in
// the chain, verifies every event, and records the result.
func (s *Server) handleAdminVerify(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if _, _, err := consentlog.Extend(ctx, s.proof, s.sealer, consentlog.Whole); err != nil {
		s.fail(w, r, err)
		return
	}
	report, err := consentlog.Verify(ctx, s.proof, s.sealer, s.now())
	if err == nil {
		err = s.proof.RecordVerification(ctx, report)
	}
	if err == nil {
		err = s.audit(r, staff.ActionVerifyLog, "consent_log", "")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/naleving", http.StatusSeeOther)
}
