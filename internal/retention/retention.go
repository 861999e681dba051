// Package retention holds every period personal data is kept, and deletes
// it once its period is over, as the policy promises ("niet langer dan
// nodig"): on a schedule in the server, and on demand with `conpro purge`.
package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Periods say how long each kind of personal data is kept; the purge
// deletes what is older. They are the operator's to set (CONPRO_RETAIN_*).
type Periods struct {
	// Contact messages, counted from when they arrived.
	Contact time.Duration
	// Consent log entries, counted from the last choice made under the same
	// consent ID.
	Consent time.Duration
	// Sent notification mails in the outbox.
	SentMail time.Duration
	// Data-subject requests whose link was never opened, and verified ones
	// with their outcome.
	UnverifiedRequests time.Duration
	Requests           time.Duration
}

// AccessAddress is how long a done access request keeps the requester's
// address after its link was opened. The page that showed the data offers
// it as a download for privacyrequest.DownloadWindow (an hour), and the
// download reads the data of that address again; twice the window leaves a
// margin for a download begun at its very end. It is not the operator's to
// set: it follows the download, not a policy choice.
const AccessAddress = 2 * time.Hour

// batchSize bounds how many rows one delete statement touches.
const batchSize = 1000

// Store deletes (or, with dryRun, counts) what is older than a moment.
type Store interface {
	PurgeContactMessages(ctx context.Context, before time.Time, batch int, dryRun bool) (int64, error)
	PurgeConsentEvents(ctx context.Context, lastChoiceBefore time.Time, batch int, dryRun bool) (int64, error)
	PurgeSentMail(ctx context.Context, sentBefore time.Time, batch int, dryRun bool) (int64, error)
	// PurgePrivacyRequests also forgets the addresses of done requests
	// verified before addressesBefore, and the hashes of link tokens
	// expired at now.
	PurgePrivacyRequests(ctx context.Context, unverifiedBefore, verifiedBefore, addressesBefore, now time.Time, dryRun bool) (int64, error)
	// PurgeRateCounts drops the rate limits' counts no window needs any
	// more (keyed hashes of addresses, kept at most two periods).
	PurgeRateCounts(ctx context.Context, now time.Time) error
	WithPurgeLock(ctx context.Context, f func(ctx context.Context) error) (ran bool, err error)
}

// Counts are the rows one purge deleted (or would delete).
type Counts struct {
	ContactMessages int64 `json:"contact_messages"`
	ConsentEvents   int64 `json:"consent_events"`
	SentMail        int64 `json:"sent_mail"`
	PrivacyRequests int64 `json:"privacy_requests"`
}

// ErrBusy is returned when another instance is purging right now.
var ErrBusy = errors.New("another purge is running")

// Purge deletes everything past its period at now. With dryRun it deletes
// nothing and returns what it would delete.
func Purge(ctx context.Context, s Store, periods Periods, now time.Time, dryRun bool) (Counts, error) {
	var c Counts
	ran, err := s.WithPurgeLock(ctx, func(ctx context.Context) error {
		// Sent mail first: then a dry run counts the same as a real purge
		// (a message's sent notification is counted as sent mail either way).
		var err error
		if c.SentMail, err = s.PurgeSentMail(ctx, now.Add(-periods.SentMail), batchSize, dryRun); err != nil {
			return err
		}
		if c.ContactMessages, err = s.PurgeContactMessages(ctx, now.Add(-periods.Contact), batchSize, dryRun); err != nil {
			return err
		}
		if c.ConsentEvents, err = s.PurgeConsentEvents(ctx, now.Add(-periods.Consent), batchSize, dryRun); err != nil {
			return err
		}
		if c.PrivacyRequests, err = s.PurgePrivacyRequests(ctx, now.Add(-periods.UnverifiedRequests), now.Add(-periods.Requests), now.Add(-AccessAddress), now, dryRun); err != nil {
			return err
		}
		if dryRun {
			return nil
		}
		return s.PurgeRateCounts(ctx, now)
	})
	if err != nil {
		return c, fmt.Errorf("purge: %w", err)
	}
	if !ran {
		return c, ErrBusy
	}
	return c, nil
}

// Run purges at once and then every interval until ctx ends, logging
// counts only.
func Run(ctx context.Context, s Store, periods Periods, interval time.Duration, now func() time.Time, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		c, err := Purge(ctx, s, periods, now(), false)
		switch {
		case errors.Is(err, ErrBusy):
		case err != nil && ctx.Err() == nil:
			logger.WarnContext(ctx, "retention purge failed; next try at the next interval", "err", err)
		case err == nil && c != (Counts{}):
			logger.InfoContext(ctx, "retention purge", "contact_messages", c.ContactMessages, "consent_events", c.ConsentEvents, "sent_mail", c.SentMail, "privacy_requests", c.PrivacyRequests)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
