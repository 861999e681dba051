package postgres

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/jackc/pgx/v5"

	"conpro/internal/contact"
)

// CreateContactMessage stores a contact message and the company's
// notification mail in one transaction: both or neither.
func (db *DB) CreateContactMessage(ctx context.Context, s contact.Submission, n contact.Notification) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var network *netip.Prefix
		if s.Network.IsValid() {
			network = &s.Network
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO contact_message (received_at, name, email, phone, phone_e164, message, locale, client_network, spam_reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING id`,
			s.ReceivedAt, s.Name, s.Email, s.Phone, s.PhoneE164, s.Message, s.Locale, network, s.SpamReason).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert contact message: %w", err)
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO mail_outbox (kind, contact_message_id, to_addr, reply_to, subject, body_text)
			VALUES ('contact_notification', $1, $2, $3, $4, $5)`,
			id, n.To, n.ReplyTo, n.Subject, n.Body)
		if err != nil {
			return fmt.Errorf("queue contact notification: %w", err)
		}
		return nil
	})
	return id, err
}
