package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/staff"
)

const inboxColumns = `m.id, m.received_at, m.name, m.email, m.phone, m.phone_e164, m.message, m.locale, m.client_network, m.handled_at,
	m.spam_reason, m.not_spam_at, coalesce(bool_or(o.sent_at IS NOT NULL), false), coalesce(max(o.attempts), 0), m.kind`

// inboxPageColumns are inboxColumns over a page of messages m and the
// aggregate o of their mail (inboxMail).
const inboxPageColumns = `m.id, m.received_at, m.name, m.email, m.phone, m.phone_e164, m.message, m.locale, m.client_network, m.handled_at,
	m.spam_reason, m.not_spam_at, coalesce(o.sent, false), coalesce(o.attempts, 0), m.kind`

// notificationKinds are the mails that tell the company about a message
// (not a quote request's confirmation to its sender).
const notificationKinds = `o.kind IN ('contact_notification', 'quote_notification')`

// inboxMail is whether a message's notification went out and how often it
// was tried, for one message m at a time.
const inboxMail = `LEFT JOIN LATERAL (
			SELECT bool_or(o.sent_at IS NOT NULL) AS sent, max(o.attempts) AS attempts
			FROM mail_outbox o WHERE o.contact_message_id = m.id AND ` + notificationKinds + `) o ON true`

func scanInbox(row pgx.CollectableRow) (staff.InboxMessage, error) {
	var m staff.InboxMessage
	var network *netip.Prefix
	err := row.Scan(&m.ID, &m.ReceivedAt, &m.Name, &m.Email, &m.Phone, &m.PhoneE164, &m.Message, &m.Locale, &network, &m.HandledAt, &m.SpamReason, &m.NotSpamAt, &m.MailSent, &m.MailAttempts, &m.Kind)
	if network != nil {
		m.Network = network.String()
	}
	m.MailQueued = !m.MailSent
	m.MailFailed = !m.MailSent && m.MailAttempts > 0
	return m, err
}

// inboxStates is which messages each view of the inbox selects: a
// condition on contact_message m. A new view is one more line here and in
// staff.InboxStates.
var inboxStates = map[staff.InboxState]string{
	staff.InboxAll:     `true`,
	staff.InboxOpen:    `m.handled_at IS NULL`,
	staff.InboxHandled: `m.handled_at IS NOT NULL`,
	staff.InboxSpam:    `m.spam_reason <> '' AND m.not_spam_at IS NULL`,
}

// Inbox lists contact messages, newest first.
func (db *DB) Inbox(ctx context.Context, f staff.InboxFilter) ([]staff.InboxMessage, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	state, ok := inboxStates[f.State]
	if !ok {
		return nil, fmt.Errorf("read inbox: no view %q", f.State)
	}
	// The page of messages is chosen first (an index gives the open ones in
	// order, the trigram indexes the ones a search finds), then each gets
	// its mail. The search is left out when there is none, so that its
	// plan is not the one used for every view.
	search, args := "", []any{f.Limit}
	if f.Search != "" {
		search = ` AND (m.name ILIKE $2 OR m.email ILIKE $2)`
		args = append(args, "%"+escapeLike(f.Search)+"%")
	}
	rows, err := db.pool.Query(ctx, `
		SELECT `+inboxPageColumns+`
		FROM (
			SELECT * FROM contact_message m
			WHERE `+state+search+`
			ORDER BY m.received_at DESC, m.id DESC
			LIMIT $1
		) m `+inboxMail+`
		ORDER BY m.received_at DESC, m.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("read inbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanInbox)
	if err != nil {
		return nil, fmt.Errorf("read inbox: %w", err)
	}
	return out, nil
}

// InboxMessage reads one message.
func (db *DB) InboxMessage(ctx context.Context, id int64) (staff.InboxMessage, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT `+inboxColumns+`
		FROM contact_message m LEFT JOIN mail_outbox o ON o.contact_message_id = m.id AND `+notificationKinds+`
		WHERE m.id = $1 GROUP BY m.id`, id)
	if err != nil {
		return staff.InboxMessage{}, fmt.Errorf("read message: %w", err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, scanInbox)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, staff.ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("read message: %w", err)
	}
	return m, nil
}

// SetMessageHandled marks a message handled (or open again) and records
// the staff action in the same transaction.
func (db *DB) SetMessageHandled(ctx context.Context, id int64, handled bool, now time.Time, audit staff.AuditEntry) error {
	var at *time.Time
	if handled {
		at = &now
	}
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE contact_message SET handled_at = $2 WHERE id = $1`, id, at)
		if err != nil {
			return fmt.Errorf("mark message: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return staff.ErrNotFound
		}
		return nil
	})
}

// MarkNotSpam records that staff judged a message not to be spam, and the
// staff action in the same transaction.
func (db *DB) MarkNotSpam(ctx context.Context, id int64, now time.Time, audit staff.AuditEntry) error {
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE contact_message SET not_spam_at = coalesce(not_spam_at, $2) WHERE id = $1`, id, now)
		if err != nil {
			return fmt.Errorf("mark message not spam: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return staff.ErrNotFound
		}
		return nil
	})
}

// DeleteMessage deletes a message with its notification mail, and records
// the staff action in the same transaction.
func (db *DB) DeleteMessage(ctx context.Context, id int64, audit staff.AuditEntry) error {
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM mail_outbox WHERE contact_message_id = $1`, id); err != nil {
			return fmt.Errorf("delete message mail: %w", err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM contact_message WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete message: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return staff.ErrNotFound
		}
		return nil
	})
}

// Waiting counts what waits for staff: open messages and requests queued
// for staff.
func (db *DB) Waiting(ctx context.Context) (staff.Waiting, error) {
	var w staff.Waiting
	err := db.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM contact_message WHERE handled_at IS NULL),
		       (SELECT count(*) FROM privacy_request WHERE status = 'queued')`).Scan(&w.OpenMessages, &w.QueuedRequests)
	if err != nil {
		return w, fmt.Errorf("count what waits for staff: %w", err)
	}
	return w, nil
}

// escapeLike makes a search term match literally inside ILIKE.
func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// PrivacyRequests lists requests: those waiting for staff (status queued)
// first, the longest waiting (the nearest deadline) first, then the others
// newest first.
func (db *DB) PrivacyRequests(ctx context.Context, limit int) ([]staff.QueuedRequest, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT id, created_at, kind, coalesce(email, ''), consent_id, message, status, outcome, verified_at, handled_at
		FROM privacy_request
		ORDER BY (status = 'queued') DESC, CASE WHEN status = 'queued' THEN verified_at END, created_at DESC
		LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("read privacy requests: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (staff.QueuedRequest, error) {
		var q staff.QueuedRequest
		err := row.Scan(&q.ID, &q.CreatedAt, &q.Kind, &q.Email, &q.ConsentID, &q.Message, &q.Status, &q.Outcome, &q.VerifiedAt, &q.HandledAt)
		return q, err
	})
}

// HandlePrivacyRequest closes a queued request with a note of what was
// done, and records the staff action in the same transaction. The address,
// needed only to answer the request, goes; its keyed hash stays, so a later
// erasure request from the same address still finds the row.
func (db *DB) HandlePrivacyRequest(ctx context.Context, id int64, note string, now time.Time, audit staff.AuditEntry) error {
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE privacy_request SET status = 'handled', handled_at = $3, email = NULL,
				outcome = CASE WHEN $2 = '' THEN 'behandeld' ELSE 'behandeld: ' || $2 END
			WHERE id = $1 AND status = 'queued'`, id, note, now)
		if err != nil {
			return fmt.Errorf("handle privacy request: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return staff.ErrNotFound
		}
		return nil
	})
}

// OutboxMails lists the outbox, unsent first.
func (db *DB) OutboxMails(ctx context.Context, limit int) ([]staff.OutboxMail, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT id, created_at, kind, to_addr, subject, attempts, next_attempt_at, sent_at, last_error
		FROM mail_outbox ORDER BY (sent_at IS NULL) DESC, created_at DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (staff.OutboxMail, error) {
		var m staff.OutboxMail
		err := row.Scan(&m.ID, &m.CreatedAt, &m.Kind, &m.To, &m.Subject, &m.Attempts, &m.NextAttemptAt, &m.SentAt, &m.LastError)
		return m, err
	})
}

// RetryMail makes an unsent mail due now, and records the staff action in
// the same transaction.
func (db *DB) RetryMail(ctx context.Context, id int64, audit staff.AuditEntry) error {
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE mail_outbox SET next_attempt_at = now(), locked_until = NULL WHERE id = $1 AND sent_at IS NULL`, id)
		if err != nil {
			return fmt.Errorf("retry mail: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return staff.ErrNotFound
		}
		return nil
	})
}
