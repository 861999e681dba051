package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/privacyrequest"
)

// CreatePrivacyRequest stores a request, waiting for its link to be opened,
// with the mail that carries the link, in one transaction.
func (db *DB) CreatePrivacyRequest(ctx context.Context, r privacyrequest.Request, emailHash, tokenHash [32]byte, expires time.Time, m privacyrequest.VerificationMail) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO privacy_request (kind, email, email_hash, consent_id, erase_consent_log, message, locale, token_hash, token_expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING id`,
			string(r.Kind), r.Email, emailHash[:], r.ConsentID, r.EraseConsentLog, r.Message, r.Locale, tokenHash[:], expires).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert privacy request: %w", err)
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO mail_outbox (kind, privacy_request_id, to_addr, subject, body_text)
			VALUES ('privacy_verification', $1, $2, $3, $4)`, id, m.To, m.Subject, m.Body)
		if err != nil {
			return fmt.Errorf("queue verification mail: %w", err)
		}
		return nil
	})
	return id, err
}

// VerifyPrivacyRequest uses a link's token: once, before it expires. It
// returns privacyrequest.ErrBadLink for any token that does not open a
// request now.
func (db *DB) VerifyPrivacyRequest(ctx context.Context, tokenHash [32]byte, now time.Time) (privacyrequest.Verified, error) {
	var (
		v    privacyrequest.Verified
		kind string
		hash []byte
	)
	err := db.pool.QueryRow(ctx, `
		UPDATE privacy_request SET token_hash = NULL, verified_at = $2
		WHERE token_hash = $1 AND token_expires_at > $2 AND verified_at IS NULL
		RETURNING id, kind, email, email_hash, consent_id, erase_consent_log, message, created_at`,
		tokenHash[:], now).Scan(&v.ID, &kind, &v.Email, &hash, &v.ConsentID, &v.EraseConsentLog, &v.Message, &v.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, privacyrequest.ErrBadLink
	}
	if err != nil {
		return v, fmt.Errorf("verify privacy request: %w", err)
	}
	v.Kind = privacyrequest.Kind(kind)
	copy(v.EmailHash[:], hash)
	return v, nil
}

// VerifiedRequest reads a verified request again (for its download). It
// returns privacyrequest.ErrBadLink when there is none, or when its address
// is gone (erased, or past retention.AccessAddress).
func (db *DB) VerifiedRequest(ctx context.Context, id int64) (privacyrequest.Verified, error) {
	var (
		v     privacyrequest.Verified
		kind  string
		hash  []byte
		email *string
	)
	err := db.pool.QueryRow(ctx, `
		SELECT id, kind, email, email_hash, consent_id, erase_consent_log, message, created_at
		FROM privacy_request WHERE id = $1 AND verified_at IS NOT NULL`, id).
		Scan(&v.ID, &kind, &email, &hash, &v.ConsentID, &v.EraseConsentLog, &v.Message, &v.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && email == nil) {
		return v, privacyrequest.ErrBadLink
	}
	if err != nil {
		return v, fmt.Errorf("read privacy request: %w", err)
	}
	v.Kind, v.Email = privacyrequest.Kind(kind), *email
	copy(v.EmailHash[:], hash)
	return v, nil
}

// FinishPrivacyRequest records what became of a request.
func (db *DB) FinishPrivacyRequest(ctx context.Context, id int64, status, outcome string) error {
	_, err := db.pool.Exec(ctx, `UPDATE privacy_request SET status = $2, outcome = $3 WHERE id = $1`, id, status, outcome)
	if err != nil {
		return fmt.Errorf("finish privacy request: %w", err)
	}
	return nil
}

// QueueForStaff records that a request waits for staff, and queues the mail
// that tells them, in one transaction.
func (db *DB) QueueForStaff(ctx context.Context, id int64, outcome string, m privacyrequest.WaitingMail) error {
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE privacy_request SET status = 'queued', outcome = $2 WHERE id = $1`, id, outcome); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO mail_outbox (kind, privacy_request_id, to_addr, subject, body_text)
			VALUES ('privacy_request_waiting', $1, $2, $3, $4)`, id, m.To, m.Subject, m.Body)
		return err
	})
	if err != nil {
		return fmt.Errorf("queue privacy request for staff: %w", err)
	}
	return nil
}

// ExportFor collects everything stored for an address and a consent ID.
func (db *DB) ExportFor(ctx context.Context, email string, emailHash [32]byte, consentID string) (privacyrequest.Export, error) {
	x := privacyrequest.Export{Email: email, ConsentID: consentID,
		ContactMessages: []privacyrequest.ExportMessage{}, Requests: []privacyrequest.ExportRequest{}}
	rows, err := db.pool.Query(ctx, `
		SELECT m.received_at, m.name, m.email, m.phone, m.message, m.client_network, m.handled_at IS NOT NULL,
			q.work, q.postcode, q.timing,
			(SELECT coalesce(array_agg(a.file_name ORDER BY a.position), '{}') FROM quote_attachment a WHERE a.contact_message_id = m.id)
		FROM contact_message m LEFT JOIN quote_request q ON q.contact_message_id = m.id
		WHERE lower(m.email) = lower($1) ORDER BY m.received_at`, email)
	if err != nil {
		return x, fmt.Errorf("export contact messages: %w", err)
	}
	x.ContactMessages, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (privacyrequest.ExportMessage, error) {
		var m privacyrequest.ExportMessage
		var network *netip.Prefix
		var work, postcode, timing *string
		var files []string
		err := row.Scan(&m.ReceivedAt, &m.Name, &m.Email, &m.Phone, &m.Message, &network, &m.Handled, &work, &postcode, &timing, &files)
		if network != nil {
			m.Network = network.String()
		}
		if work != nil {
			m.Quote = &privacyrequest.ExportQuote{Work: *work, Postcode: *postcode, Timing: *timing, Files: files}
		}
		return m, err
	})
	if err != nil {
		return x, fmt.Errorf("export contact messages: %w", err)
	}
	rows, err = db.pool.Query(ctx, `
		SELECT created_at, kind, status, verified_at, outcome
		FROM privacy_request WHERE email_hash = $1 ORDER BY created_at`, emailHash[:])
	if err != nil {
		return x, fmt.Errorf("export privacy requests: %w", err)
	}
	x.Requests, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (privacyrequest.ExportRequest, error) {
		var r privacyrequest.ExportRequest
		var kind string
		err := row.Scan(&r.CreatedAt, &kind, &r.Status, &r.VerifiedAt, &r.Outcome)
		r.Kind = privacyrequest.Kind(kind)
		return r, err
	})
	if err != nil {
		return x, fmt.Errorf("export privacy requests: %w", err)
	}
	if consentID != "" {
		x.ConsentLog, err = db.ConsentEvents(ctx, consentID)
		if err != nil {
			return x, err
		}
	}
	return x, nil
}

// EraseFor removes what is stored for an address (contact messages, mail
// to or from it, earlier requests) and, when asked, a consent ID's log. The
// erasure request itself keeps only the keyed hash of the address.
func (db *DB) EraseFor(ctx context.Context, requestID int64, email string, emailHash [32]byte, consentID string, eraseConsentLog bool) (privacyrequest.Erased, error) {
	var e privacyrequest.Erased
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			DELETE FROM mail_outbox
			WHERE lower(reply_to) = lower($1) OR lower(to_addr) = lower($1)
			   OR contact_message_id IN (SELECT id FROM contact_message WHERE lower(email) = lower($1))
			   OR privacy_request_id IN (SELECT id FROM privacy_request WHERE email_hash = $2 AND id <> $3)`,
			email, emailHash[:], requestID)
		if err != nil {
			return err
		}
		e.Mails = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, `DELETE FROM contact_message WHERE lower(email) = lower($1)`, email); err != nil {
			return err
		}
		e.ContactMessages = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, `DELETE FROM privacy_request WHERE email_hash = $1 AND id <> $2`, emailHash[:], requestID); err != nil {
			return err
		}
		e.Requests = tag.RowsAffected()
		if eraseConsentLog && consentID != "" {
			// Each erased event leaves a tombstone without personal data,
			// for the consent log's verification.
			if tag, err = tx.Exec(ctx, `
				WITH gone AS (DELETE FROM consent_event WHERE consent_id = $1 RETURNING event_id)
				INSERT INTO consent_tombstone (event_id, reason) SELECT event_id, 'erasure' FROM gone`, consentID); err != nil {
				return err
			}
			e.ConsentEvents = tag.RowsAffected()
		}
		// This request's own mail was sent (its link was opened): empty it.
		if _, err = tx.Exec(ctx, `UPDATE mail_outbox SET to_addr = '', body_text = '', subject = '' WHERE privacy_request_id = $1`, requestID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE privacy_request SET email = NULL, message = '' WHERE id = $1`, requestID)
		return err
	})
	if err != nil {
		return e, fmt.Errorf("erase personal data: %w", err)
	}
	return e, nil
}
