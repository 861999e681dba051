package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/mail"
)

// ClaimDueMail reserves up to limit unsent messages whose next attempt is
// due and that nobody holds, until now + lease, and counts the attempt.
// SKIP LOCKED lets several server instances claim at once without waiting
// for, or taking, each other's rows.
func (db *DB) ClaimDueMail(ctx context.Context, limit int, lease time.Duration) ([]mail.Mail, error) {
	rows, err := db.pool.Query(ctx, `
		UPDATE mail_outbox
		SET locked_until = now() + $2::interval, attempts = attempts + 1
		WHERE id IN (
			SELECT id FROM mail_outbox
			WHERE sent_at IS NULL
				AND next_attempt_at <= now()
				AND (locked_until IS NULL OR locked_until < now())
			ORDER BY next_attempt_at, id
			LIMIT $1
			FOR UPDATE SKIP LOCKED)
		RETURNING id, to_addr, reply_to, subject, body_text, attempts, kind = 'quote_notification'`,
		limit, lease)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	due, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (mail.Mail, error) {
		var m mail.Mail
		err := row.Scan(&m.ID, &m.To, &m.ReplyTo, &m.Subject, &m.Body, &m.Attempts, &m.HasAttachments)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	// RETURNING comes in no particular order; oldest first is fairest.
	slices.SortFunc(due, func(a, b mail.Mail) int { return cmp.Compare(a.ID, b.ID) })
	return due, nil
}

// MarkMailSent records that the server accepted message id. A verification
// mail is emptied once sent: its link is a secret (the database keeps only
// the token's hash) and its address need not stay.
func (db *DB) MarkMailSent(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `
		UPDATE mail_outbox
		SET sent_at = now(), locked_until = NULL, last_error = '',
		    body_text = CASE WHEN kind = 'privacy_verification' THEN '' ELSE body_text END,
		    to_addr = CASE WHEN kind = 'privacy_verification' THEN '' ELSE to_addr END
		WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("mark mail sent: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("mark mail %d sent: no such mail", id)
	}
	return nil
}

// MarkMailFailed releases message id and schedules its next attempt.
// errText must hold no personal data.
func (db *DB) MarkMailFailed(ctx context.Context, id int64, nextAttempt time.Time, errText string) error {
	tag, err := db.pool.Exec(ctx, `
		UPDATE mail_outbox
		SET next_attempt_at = $2, last_error = $3, locked_until = NULL
		WHERE id = $1`, id, nextAttempt, errText)
	if err != nil {
		return fmt.Errorf("mark mail failed: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("mark mail %d failed: no such mail", id)
	}
	return nil
}

// QueuedMail counts the messages not sent yet.
func (db *DB) QueuedMail(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count queued mail: %w", err)
	}
	return n, nil
}

// MailAttachments reads the files message id carries: a quote request's
// photos and plans go with the company's notification, in their order.
func (db *DB) MailAttachments(ctx context.Context, id int64) ([]mail.Attachment, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT a.file_name, a.content_type, a.data
		FROM mail_outbox o JOIN quote_attachment a ON a.contact_message_id = o.contact_message_id
		WHERE o.id = $1 AND o.kind = 'quote_notification'
		ORDER BY a.position`, id)
	if err != nil {
		return nil, fmt.Errorf("read mail attachments: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (mail.Attachment, error) {
		var a mail.Attachment
		err := row.Scan(&a.Name, &a.Type, &a.Data)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("read mail attachments: %w", err)
	}
	return out, nil
}
