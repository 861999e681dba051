package privacyrequest

import (
	"context"
	"fmt"
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
// anything else waits for staff. It returns ErrBadLink for a token that
// does not open a request now.
func Confirm(ctx context.Context, s Store, keys Keys, token string, now time.Time) (Outcome, error) {
	v, err := s.VerifyPrivacyRequest(ctx, HashToken(token), now)
	if err != nil {
		return Outcome{}, err
	}
	o := Outcome{Request: v}
	status, outcome := "done", ""
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
		status, outcome = "queued", "voor behandeling door medewerkers"
	}
	if err := s.FinishPrivacyRequest(ctx, v.ID, status, outcome); err != nil {
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

func days(d time.Duration) string { return fmt.Sprintf("%d days", int(d.Hours()/24)) }
