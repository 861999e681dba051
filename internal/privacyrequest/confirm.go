package privacyrequest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"conpro/internal/retention"
)

// DownloadWindow is how long the page of an access request offers its data
// as a JSON download. It is the validity of a link, not a retention period,
// so it stays with the request's other links (TokenLifetime, the tickets);
// retention.AccessAddress keeps the address the download reads by for
// longer than this.
const DownloadWindow = time.Hour

// Store keeps requests and carries out what they ask.
type Store interface {
	// VerifyPrivacyRequest uses a link's token, once, before it expires;
	// ErrBadLink for any token that does not open a request now.
	VerifyPrivacyRequest(ctx context.Context, tokenHash [32]byte, now time.Time) (Verified, error)
	// VerifiedRequest reads a verified request again; ErrBadLink when there
	// is none, or its address is gone.
	VerifiedRequest(ctx context.Context, id int64) (Verified, error)
	// FinishPrivacyRequest records what became of a request.
	FinishPrivacyRequest(ctx context.Context, id int64, status, outcome string) error
	// QueueForStaff records that a request waits for staff, with the mail
	// that tells them, in one transaction: both or neither.
	QueueForStaff(ctx context.Context, id int64, outcome string, m WaitingMail) error
	ExportFor(ctx context.Context, email string, emailHash [32]byte, consentID string) (Export, error)
	EraseFor(ctx context.Context, requestID int64, email string, emailHash [32]byte, consentID string, eraseConsentLog bool) (Erased, error)
}

// Outcome is what confirming a request did; one of Export, Erased and
// Queued says which.
type Outcome struct {
	Request Verified
	// Export is the data an access request asked for, for the page that
	// shows it; DownloadTicket lets that page offer the same data as JSON
	// for DownloadWindow.
	Export         *Export
	DownloadTicket string
	// Erased counts what an erasure removed.
	Erased *Erased
	// Queued: staff carry the request out (a correction or an objection).
	Queued bool
}

// Confirm uses a request's link, once, and carries the request out: an
// access request is answered at once, an erasure is done at once, and
// anything else waits for staff, who are told by mail (st). It returns
// ErrBadLink for a token that does not open a request now.
func Confirm(ctx context.Context, s Store, keys Keys, st Staff, token string, now time.Time) (Outcome, error) {
	v, err := s.VerifyPrivacyRequest(ctx, HashToken(token), now)
	if err != nil {
		return Outcome{}, err
	}
	o := Outcome{Request: v}
	var outcome string
	switch v.Kind {
	case Access:
		x, err := s.ExportFor(ctx, v.Email, v.EmailHash, v.ConsentID)
		if err != nil {
			return Outcome{}, fmt.Errorf("privacy request %d: %w", v.ID, err)
		}
		o.Export, o.DownloadTicket = &x, keys.DownloadTicket(v.ID, now.Add(DownloadWindow))
		outcome = "inzage gegeven"
	case Erase:
		e, err := s.EraseFor(ctx, v.ID, v.Email, v.EmailHash, v.ConsentID, v.EraseConsentLog)
		if err != nil {
			return Outcome{}, fmt.Errorf("privacy request %d: %w", v.ID, err)
		}
		o.Erased = &e
		outcome = fmt.Sprintf("gewist: %d contactberichten, %d verzoeken, %d toestemmingen, %d mails", e.ContactMessages, e.Requests, e.ConsentEvents, e.Mails)
	default:
		o.Queued = true
		if err := s.QueueForStaff(ctx, v.ID, "voor behandeling door medewerkers", NewWaitingMail(v, now, st)); err != nil {
			return Outcome{}, fmt.Errorf("privacy request %d: %w", v.ID, err)
		}
		return o, nil
	}
	if err := s.FinishPrivacyRequest(ctx, v.ID, "done", outcome); err != nil {
		return Outcome{}, fmt.Errorf("privacy request %d: %w", v.ID, err)
	}
	return o, nil
}

// Download answers the download an access request's page offers: the same
// data again, while the page's ticket is valid, stamped with when it was
// made and how long each part is kept. It returns ErrBadLink for a ticket
// that is forged or expired, or that is not an access request's.
func Download(ctx context.Context, s Store, keys Keys, ticket string, kept retention.Periods, now time.Time) (Export, error) {
	id, err := keys.CheckTicket(ticket, now)
	if err != nil {
		return Export{}, err
	}
	v, err := s.VerifiedRequest(ctx, id)
	if err != nil {
		return Export{}, err
	}
	if v.Kind != Access {
		return Export{}, ErrBadLink
	}
	x, err := s.ExportFor(ctx, v.Email, v.EmailHash, v.ConsentID)
	if err != nil {
		return Export{}, fmt.Errorf("privacy request %d: %w", v.ID, err)
	}
	x.GeneratedAt = now.UTC().Truncate(time.Second)
	x.Retention = map[string]string{
		"contact_messages": days(kept.Contact) + " after they arrived",
		"consent_log":      days(kept.Consent) + " after the last choice of the consent ID",
	}
	return x, nil
}

// Staff says where the company hears that a request waits for staff.
type Staff struct {
	// MailTo receives the mail (CONPRO_MAIL_TO).
	MailTo string
	// QueueURL is the address of the staff page of requests.
	QueueURL string
}

// WaitingMail tells the company that a confirmed request waits for staff.
type WaitingMail struct {
	To, Subject, Body string
}

// NewWaitingMail composes the mail, in Dutch as the company works. It says
// what kind of request, by when it must be answered and where to find it,
// and nothing of the requester (neither address nor note): mail passes
// through servers and mailboxes the site does not control, and the queue
// shows the rest to a staff member who signed in.
func NewWaitingMail(v Verified, verifiedAt time.Time, st Staff) WaitingMail {
	what := staffKindNames[v.Kind]
	due := Deadline(verifiedAt).Format("02-01-2006")
	var b strings.Builder
	fmt.Fprintf(&b, "Een aanvrager heeft een verzoek bevestigd dat op een medewerker wacht: %s (verzoek nr. %d).\n\n", what, v.ID)
	fmt.Fprintf(&b, "Wettelijke termijn: uiterlijk %s (een maand na de bevestiging).\n\n", due)
	fmt.Fprintf(&b, "Bekijk en behandel het verzoek na het inloggen op:\n%s\n\n", st.QueueURL)
	b.WriteString("Deze e-mail bevat bewust geen gegevens van de aanvrager.\n\n-- \nWebsite van Construct Professional bvba\n")
	return WaitingMail{
		To:      st.MailTo,
		Subject: fmt.Sprintf("Verzoek te behandelen: %s (uiterlijk %s)", what, due),
		Body:    b.String(),
	}
}

// staffKindNames name the kinds of request for staff, in Dutch.
var staffKindNames = map[Kind]string{
	Access:    "inzage",
	Correct:   "correctie van gegevens",
	Erase:     "verwijdering",
	Objection: "bezwaar tegen gepersonaliseerde reclame",
}

func days(d time.Duration) string { return fmt.Sprintf("%d days", int(d.Hours()/24)) }
