package privacyrequest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"conpro/internal/privacyrequest"
	"conpro/internal/retention"
)

// requests is an in-memory privacyrequest.Store holding requests by the
// hash of their token.
type requests struct {
	byToken  map[[32]byte]privacyrequest.Verified
	verified map[int64]privacyrequest.Verified
	finished map[int64][2]string // status, outcome
	erased   []int64
	// waiting holds the mails that told staff of a queued request.
	waiting map[int64]privacyrequest.WaitingMail
}

func newRequests(tokens map[string]privacyrequest.Verified) *requests {
	s := &requests{byToken: map[[32]byte]privacyrequest.Verified{}, verified: map[int64]privacyrequest.Verified{}, finished: map[int64][2]string{}, waiting: map[int64]privacyrequest.WaitingMail{}}
	for token, v := range tokens {
		s.byToken[privacyrequest.HashToken(token)] = v
	}
	return s
}

func (s *requests) VerifyPrivacyRequest(_ context.Context, tokenHash [32]byte, _ time.Time) (privacyrequest.Verified, error) {
	v, ok := s.byToken[tokenHash]
	if !ok {
		return v, privacyrequest.ErrBadLink
	}
	delete(s.byToken, tokenHash)
	s.verified[v.ID] = v
	return v, nil
}

func (s *requests) VerifiedRequest(_ context.Context, id int64) (privacyrequest.Verified, error) {
	v, ok := s.verified[id]
	if !ok {
		return v, privacyrequest.ErrBadLink
	}
	return v, nil
}

func (s *requests) FinishPrivacyRequest(_ context.Context, id int64, status, outcome string) error {
	s.finished[id] = [2]string{status, outcome}
	return nil
}

func (s *requests) QueueForStaff(_ context.Context, id int64, outcome string, m privacyrequest.WaitingMail) error {
	s.finished[id] = [2]string{"queued", outcome}
	s.waiting[id] = m
	return nil
}

func (s *requests) ExportFor(_ context.Context, email string, _ [32]byte, consentID string) (privacyrequest.Export, error) {
	return privacyrequest.Export{Email: email, ConsentID: consentID}, nil
}

func (s *requests) EraseFor(_ context.Context, requestID int64, _ string, _ [32]byte, _ string, eraseConsentLog bool) (privacyrequest.Erased, error) {
	s.erased = append(s.erased, requestID)
	e := privacyrequest.Erased{ContactMessages: 2, Requests: 1, Mails: 3}
	if eraseConsentLog {
		e.ConsentEvents = 4
	}
	return e, nil
}

var (
	keys    = privacyrequest.NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	now     = time.Date(2030, time.March, 1, 12, 0, 0, 0, time.UTC)
	staffTo = privacyrequest.Staff{MailTo: "info@conpro-bvba.be", QueueURL: "https://conpro-bouw.be/admin/verzoeken"}
)

func TestConfirm_AnAccessRequestIsAnsweredAtOnceWithADownloadForAnHour(t *testing.T) {
	s := newRequests(map[string]privacyrequest.Verified{"t1": {ID: 1, Kind: privacyrequest.Access, Email: "jan@example.be"}})
	o, err := privacyrequest.Confirm(context.Background(), s, keys, staffTo, "t1", now)
	if err != nil || o.Export == nil || o.Export.Email != "jan@example.be" || o.Erased != nil || o.Queued {
		t.Fatalf("%+v, %v", o, err)
	}
	if s.finished[1] != [2]string{"done", "inzage gegeven"} {
		t.Fatalf("finished as %q", s.finished[1])
	}
	if id, err := keys.CheckTicket(o.DownloadTicket, now.Add(privacyrequest.DownloadWindow)); err != nil || id != 1 {
		t.Fatalf("the ticket at the end of the window: %d, %v", id, err)
	}
	if _, err := keys.CheckTicket(o.DownloadTicket, now.Add(privacyrequest.DownloadWindow+time.Second)); !errors.Is(err, privacyrequest.ErrBadLink) {
		t.Fatalf("the ticket past the window: %v", err)
	}
	// The link works once.
	if _, err := privacyrequest.Confirm(context.Background(), s, keys, staffTo, "t1", now); !errors.Is(err, privacyrequest.ErrBadLink) {
		t.Fatalf("second use: %v", err)
	}
}

func TestConfirm_AnErasureErasesAtOnceAndRecordsTheCounts(t *testing.T) {
	s := newRequests(map[string]privacyrequest.Verified{"t2": {ID: 2, Kind: privacyrequest.Erase, Email: "jan@example.be", ConsentID: "AAAAAAAAAAAAAAAAAAAAAA", EraseConsentLog: true}})
	o, err := privacyrequest.Confirm(context.Background(), s, keys, staffTo, "t2", now)
	if err != nil || o.Erased == nil || *o.Erased != (privacyrequest.Erased{ContactMessages: 2, Requests: 1, ConsentEvents: 4, Mails: 3}) || o.Export != nil {
		t.Fatalf("%+v, %v", o, err)
	}
	if len(s.erased) != 1 || s.finished[2] != [2]string{"done", "gewist: 2 contactberichten, 1 verzoeken, 4 toestemmingen, 3 mails"} {
		t.Fatalf("erased %v, finished as %q", s.erased, s.finished[2])
	}
}

func TestConfirm_CorrectionsAndObjectionsWaitForStaffWhoAreMailedWithoutTheRequestersData(t *testing.T) {
	s := newRequests(map[string]privacyrequest.Verified{
		"t3": {ID: 3, Kind: privacyrequest.Correct, Email: "jan@example.be", Message: "Mijn naam is Jan, niet Jean."},
		"t4": {ID: 4, Kind: privacyrequest.Objection, Email: "jan@example.be", ConsentID: "AAAAAAAAAAAAAAAAAAAAAA"},
	})
	kinds := map[string]string{"t3": "correctie van gegevens", "t4": "bezwaar tegen gepersonaliseerde reclame"}
	for token, id := range map[string]int64{"t3": 3, "t4": 4} {
		o, err := privacyrequest.Confirm(context.Background(), s, keys, staffTo, token, now)
		if err != nil || !o.Queued || o.Export != nil || o.Erased != nil {
			t.Fatalf("%s: %+v, %v", token, o, err)
		}
		if s.finished[id] != [2]string{"queued", "voor behandeling door medewerkers"} {
			t.Fatalf("%s finished as %q", token, s.finished[id])
		}
		m, mailed := s.waiting[id]
		if !mailed || m.To != "info@conpro-bvba.be" {
			t.Fatalf("%s: staff mail %+v", token, m)
		}
		// Confirmed on 1 March 2030: due by the end of 1 April.
		for _, want := range []string{kinds[token], "01-04-2030", "https://conpro-bouw.be/admin/verzoeken"} {
			if !strings.Contains(m.Subject+"\n"+m.Body, want) {
				t.Errorf("%s: the staff mail lacks %q:\n%s\n%s", token, want, m.Subject, m.Body)
			}
		}
		for _, secret := range []string{"jan@example.be", "Jan, niet Jean", "AAAAAAAAAAAAAAAAAAAAAA"} {
			if strings.Contains(m.Subject+m.Body, secret) {
				t.Errorf("%s: the staff mail carries the requester's %q", token, secret)
			}
		}
	}
	if len(s.erased) != 0 {
		t.Fatal("a correction or objection erased something")
	}
}

func TestConfirm_AccessAndErasureMailNoStaff(t *testing.T) {
	s := newRequests(map[string]privacyrequest.Verified{
		"t1": {ID: 1, Kind: privacyrequest.Access, Email: "jan@example.be"},
		"t2": {ID: 2, Kind: privacyrequest.Erase, Email: "jan@example.be"},
	})
	for _, token := range []string{"t1", "t2"} {
		if _, err := privacyrequest.Confirm(context.Background(), s, keys, staffTo, token, now); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.waiting) != 0 {
		t.Fatalf("staff were mailed about requests the site answered itself: %v", s.waiting)
	}
}

func TestConfirm_AnUnknownTokenIsABadLink(t *testing.T) {
	s := newRequests(nil)
	if _, err := privacyrequest.Confirm(context.Background(), s, keys, staffTo, "nope", now); !errors.Is(err, privacyrequest.ErrBadLink) {
		t.Fatalf("%v", err)
	}
}

func TestDownload_OnlyAnAccessRequestsTicketAndStatesTheRetention(t *testing.T) {
	s := newRequests(map[string]privacyrequest.Verified{
		"t1": {ID: 1, Kind: privacyrequest.Access, Email: "jan@example.be"},
		"t3": {ID: 3, Kind: privacyrequest.Correct, Email: "jan@example.be"},
	})
	access, err := privacyrequest.Confirm(context.Background(), s, keys, staffTo, "t1", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := privacyrequest.Confirm(context.Background(), s, keys, staffTo, "t3", now); err != nil {
		t.Fatal(err)
	}
	kept := retention.Periods{Contact: 730 * 24 * time.Hour, Consent: 1826 * 24 * time.Hour}
	at := now.Add(30*time.Minute + 500*time.Millisecond)
	x, err := privacyrequest.Download(context.Background(), s, keys, access.DownloadTicket, kept, at)
	if err != nil || x.Email != "jan@example.be" {
		t.Fatalf("%+v, %v", x, err)
	}
	if !x.GeneratedAt.Equal(now.Add(30*time.Minute)) || x.GeneratedAt.Location() != time.UTC {
		t.Errorf("generated at %s", x.GeneratedAt)
	}
	if x.Retention["contact_messages"] != "730 days after they arrived" || x.Retention["consent_log"] != "1826 days after the last choice of the consent ID" {
		t.Errorf("retention %q", x.Retention)
	}
	for name, ticket := range map[string]string{
		"a correction's ticket": keys.DownloadTicket(3, now.Add(time.Hour)),
		"an expired ticket":     keys.DownloadTicket(1, now.Add(-time.Second)),
		"a forged ticket":       privacyrequest.NewKeys([]byte("another key, another key, another")).DownloadTicket(1, now.Add(time.Hour)),
		"an unknown request":    keys.DownloadTicket(99, now.Add(time.Hour)),
	} {
		if _, err := privacyrequest.Download(context.Background(), s, keys, ticket, kept, now); !errors.Is(err, privacyrequest.ErrBadLink) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The download reads the data by the request's address, so the purge must
// keep the address for longer than the download is offered.
func TestDownloadWindow_EndsBeforeThePurgeForgetsTheAddress(t *testing.T) {
	if privacyrequest.DownloadWindow >= retention.AccessAddress {
		t.Fatalf("downloads are offered for %s, but the address is kept for %s", privacyrequest.DownloadWindow, retention.AccessAddress)
	}
}
