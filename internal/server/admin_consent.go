package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"conpro/internal/consent"
	"conpro/internal/consentlog"
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
