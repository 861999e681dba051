package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/jackc/pgx/v5"

	"conpro/internal/contact"
	"conpro/internal/quote"
)

// CreateQuoteRequest stores a quote request with the inbox's messages, its
// files, the company's notification (which carries the files) and, when
// there is one, the visitor's confirmation, in one transaction: all or
// nothing.
func (db *DB) CreateQuoteRequest(ctx context.Context, s quote.Submission, n, confirmation contact.Notification) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var network *netip.Prefix
		if s.Network.IsValid() {
			network = &s.Network
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO contact_message (kind, received_at, name, email, phone, phone_e164, message, locale, client_network, spam_reason)
			VALUES ('quote', $1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING id`,
			s.ReceivedAt, s.Name, s.Email, s.Phone, s.PhoneE164, s.Message, s.Locale, network, s.SpamReason).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert quote message: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO quote_request (contact_message_id, work, postcode, timing) VALUES ($1, $2, $3, $4)`,
			id, s.Work, s.Postcode, s.Timing); err != nil {
			return fmt.Errorf("insert quote request: %w", err)
		}
		for i, f := range s.Files {
			if _, err := tx.Exec(ctx, `
				INSERT INTO quote_attachment (contact_message_id, position, file_name, content_type, data)
				VALUES ($1, $2, $3, $4, $5)`, id, i+1, f.Name, f.Type, f.Data); err != nil {
				return fmt.Errorf("insert quote file: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO mail_outbox (kind, contact_message_id, to_addr, reply_to, subject, body_text)
			VALUES ('quote_notification', $1, $2, $3, $4, $5)`,
			id, n.To, n.ReplyTo, n.Subject, n.Body); err != nil {
			return fmt.Errorf("queue quote notification: %w", err)
		}
		if confirmation.To == "" {
			return nil
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO mail_outbox (kind, contact_message_id, to_addr, subject, body_text)
			VALUES ('quote_confirmation', $1, $2, $3, $4)`,
			id, confirmation.To, confirmation.Subject, confirmation.Body); err != nil {
			return fmt.Errorf("queue quote confirmation: %w", err)
		}
		return nil
	})
	return id, err
}

// Quote reads a quote request's own fields and its files' names and sizes.
// It returns quote.ErrNotFound for a message that is not a quote request.
func (db *DB) Quote(ctx context.Context, messageID int64) (quote.Stored, error) {
	var q quote.Stored
	err := db.pool.QueryRow(ctx, `SELECT work, postcode, timing FROM quote_request WHERE contact_message_id = $1`, messageID).
		Scan(&q.Work, &q.Postcode, &q.Timing)
	if errors.Is(err, pgx.ErrNoRows) {
		return q, quote.ErrNotFound
	}
	if err != nil {
		return q, fmt.Errorf("read quote request: %w", err)
	}
	rows, err := db.pool.Query(ctx, `
		SELECT position, file_name, content_type, length(data)
		FROM quote_attachment WHERE contact_message_id = $1 ORDER BY position`, messageID)
	if err != nil {
		return q, fmt.Errorf("read quote files: %w", err)
	}
	q.Files, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (quote.StoredFile, error) {
		var f quote.StoredFile
		err := row.Scan(&f.Position, &f.Name, &f.Type, &f.Size)
		return f, err
	})
	if err != nil {
		return q, fmt.Errorf("read quote files: %w", err)
	}
	return q, nil
}

// QuoteFile reads one file of a quote request, with its bytes.
func (db *DB) QuoteFile(ctx context.Context, messageID int64, position int) (quote.File, error) {
	var f quote.File
	err := db.pool.QueryRow(ctx, `
		SELECT file_name, content_type, data FROM quote_attachment
		WHERE contact_message_id = $1 AND position = $2`, messageID, position).Scan(&f.Name, &f.Type, &f.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, quote.ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("read quote file: %w", err)
	}
	return f, nil
}
