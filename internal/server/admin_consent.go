package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"conpro/docs"
	"conpro/internal/company"
	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/locale"
	"conpro/internal/staff"
	"conpro/web"
)

// handleAdminConsent looks up the choices logged under ?id=, a consent ID,
// each with the words the visitor saw; one that cannot be an ID is refused
// with a message (422), kept in the field as typed, and never reaches the
// database.
func (s *Server) handleAdminConsent(w http.ResponseWriter, r *http.Request) {
	q, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	v := web.ConsentLookupView{ID: strings.TrimSpace(q.Get("id"))}
	v.Searched = v.ID != ""
	v.Invalid = v.Searched && (err != nil || !consent.ValidID(v.ID))
	status := http.StatusOK
	switch {
	case v.Invalid:
		status = http.StatusUnprocessableEntity
	case v.Searched:
		events, texts, err := s.consentRecord(r.Context(), v.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, e := range events {
			c := web.LoggedChoice{Event: e.Event, BeforeArchive: e.Legacy}
			if t, ok := texts[e.BannerVersion]; ok {
				c.Shown = &t
			}
			v.Events = append(v.Events, c)
		}
		if err := s.audit(r, staff.ActionLookupConsent, "consent_id:"+v.ID, ""); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p := s.adminPage(r, "AdminConsentTitle")
	if errors.Is(err, errUnreadable) {
		p.Notice = "FormErrUnreadable"
	}
	s.render(w, r, status, web.AdminConsent(p, v))
}

// consentRecord reads the logged choices of a consent ID and the texts they
// name, as words: each text is looked up and read once, however many
// choices name it. A text the archive holds but that says nothing counts as
// not archived.
func (s *Server) consentRecord(ctx context.Context, id string) ([]consentlog.RecordedEvent, map[string]consentlog.ShownText, error) {
	events, err := s.admin.ConsentRecord(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var versions []string
	for _, e := range events {
		if !slices.Contains(versions, e.BannerVersion) {
			versions = append(versions, e.BannerVersion)
		}
	}
	texts := map[string]consentlog.ShownText{}
	if len(versions) == 0 {
		return events, texts, nil
	}
	bodies, err := s.admin.ConsentTexts(ctx, versions)
	if err != nil {
		return nil, nil, err
	}
	for version, body := range bodies {
		t, err := consentlog.ReadShownText(body)
		if err != nil {
			s.log.WarnContext(ctx, "archived consent text unreadable", "version", version, "err", err)
			continue
		}
		if len(t.Blocks) > 0 {
			texts[version] = t
		}
	}
	return events, texts, nil
}

// handleAdminConsentExport downloads the record of a consent ID as JSON
// (docs/consent-record.md). The export is audited like the lookup.
func (s *Server) handleAdminConsentExport(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if !consent.ValidID(id) {
		s.fail(w, r, errNotAConsentID)
		return
	}
	ctx := r.Context()
	events, texts, err := s.consentRecord(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(events) == 0 {
		s.fail(w, r, errNoChoices)
		return
	}
	controller := consentlog.Party{
		PartyName:    company.Name,
		PartyID:      s.cfg.Company.Number.String(),
		PartyAddress: company.Address(locale.NL),
		PartyEmail:   company.Email,
		PartyPhone:   strings.TrimPrefix(company.PhoneURI, "tel:"),
		PartyURL:     s.absURL("/"),
	}
	record := consentlog.NewRecord(id, events, texts, consentlog.RecordFacts{
		Controller:   controller,
		Jurisdiction: "BE",
		Withdrawal:   s.absURL("/cookies"),
		PolicyURL:    func(n int) string { return s.absURL("/privacy/versies/" + strconv.Itoa(n)) },
		ValidFor:     s.cfg.ConsentMaxAge,
		Sealer:       s.sealer,
		Now:          s.now(),
	})
	// A file, never a page: the visitor's words keep their & and <.
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(record); err != nil {
		s.fail(w, r, fmt.Errorf("marshal consent record: %w", err))
		return
	}
	if err := s.audit(r, staff.ActionExportConsent, "consent_id:"+id, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="conpro-toestemmingsrecord-`+id+`.json"`)
	writeBody(w, r, http.StatusOK, "application/json; charset=utf-8", body.Bytes())
}

// handleConsentRecordLayout shows staff, and whoever they send an export
// to, what each field of the record means (docs/consent-record.md, as
// plain text).
func (s *Server) handleConsentRecordLayout(w http.ResponseWriter, r *http.Request) {
	writeBody(w, r, http.StatusOK, "text/plain; charset=utf-8", docs.ConsentRecord())
}
