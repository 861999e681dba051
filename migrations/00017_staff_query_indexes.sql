-- +goose Up
-- What the plans of the staff pages and the purge need once the site holds
-- years of data (bench/plans.md: each query's plan and time before and
-- after, at 2 million consent events and 100 000 contact messages). None of
-- them touches consent_event, whose two indexes already serve the consent
-- lookup and, since this change, the purge.

-- The inbox search (name or address containing the typed text, ILIKE
-- '%…%') reads two trigram indexes instead of every message. pg_trgm is a
-- trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX contact_message_name_trgm ON contact_message USING gin (name gin_trgm_ops);
CREATE INDEX contact_message_email_trgm ON contact_message USING gin (email gin_trgm_ops);

-- The open messages, newest first (the inbox's first view), and their
-- count in the menu of every staff page.
CREATE INDEX contact_message_open ON contact_message (received_at DESC, id DESC) WHERE handled_at IS NULL;

-- The inbox lists each message with its notification mail; deleting a
-- message (staff or the purge) finds its mail, as does the foreign key's
-- ON DELETE SET NULL, without reading the whole outbox.
CREATE INDEX mail_outbox_contact_message ON mail_outbox (contact_message_id);

-- The mail page: unsent mail first, then newest first.
CREATE INDEX mail_outbox_page ON mail_outbox ((sent_at IS NULL), created_at);

-- The audit page: newest first, ties by id; it also serves the period
-- filters, so the index on at alone goes.
CREATE INDEX audit_log_at_id ON audit_log (at, id);
DROP INDEX audit_log_at;

-- The audit page's list of people: one probe per person.
CREATE INDEX audit_log_staff_email ON audit_log (staff_email);

-- +goose Down
DROP INDEX audit_log_staff_email;
CREATE INDEX audit_log_at ON audit_log (at);
DROP INDEX audit_log_at_id;
DROP INDEX mail_outbox_page;
DROP INDEX mail_outbox_contact_message;
DROP INDEX contact_message_open;
DROP INDEX contact_message_email_trgm;
DROP INDEX contact_message_name_trgm;
