-- +goose Up
-- A quote request is a contact message with more to it: the kind of work,
-- where and when, and up to five photos or plans. It lives with the inbox's
-- messages (kind 'quote'), so it is listed, handled, purged and erased as
-- they are; deleting the message deletes its quote and files.
ALTER TABLE contact_message
    ADD COLUMN kind text NOT NULL DEFAULT 'contact' CHECK (kind IN ('contact', 'quote'));

CREATE TABLE quote_request (
    contact_message_id  bigint  PRIMARY KEY REFERENCES contact_message (id) ON DELETE CASCADE,
    work                text    NOT NULL CHECK (work IN ('nieuwbouw', 'renovatie', 'verbouwing', 'gevel', 'dak', 'andere')),
    -- The building site's Belgian postcode.
    postcode            text    NOT NULL CHECK (postcode ~ '^[1-9][0-9]{3}$'),
    timing              text    NOT NULL CHECK (timing IN ('snel', '3maanden', '6maanden', 'jaar', 'onbekend'))
);

-- The files sent with a quote request, as stored: photos re-encoded from
-- their pixels (no Exif, no GPS), plans as PDF checked by content. In the
-- database, so a backup holds them and the purge removes them.
CREATE TABLE quote_attachment (
    contact_message_id  bigint   NOT NULL REFERENCES quote_request (contact_message_id) ON DELETE CASCADE,
    position            smallint NOT NULL CHECK (position BETWEEN 1 AND 5),
    file_name           text     NOT NULL CHECK (length(file_name) BETWEEN 1 AND 120),
    content_type        text     NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    data                bytea    NOT NULL CHECK (length(data) > 0),
    PRIMARY KEY (contact_message_id, position)
);

-- The company's notification of a quote request carries its files; the
-- visitor gets a confirmation.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('contact_notification', 'privacy_verification', 'privacy_request_waiting', 'staff_notice',
                    'quote_notification', 'quote_confirmation'));

-- +goose Down
DELETE FROM mail_outbox WHERE kind IN ('quote_notification', 'quote_confirmation');
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('contact_notification', 'privacy_verification', 'privacy_request_waiting', 'staff_notice'));
DROP TABLE quote_attachment;
DROP TABLE quote_request;
DELETE FROM contact_message WHERE kind = 'quote';
ALTER TABLE contact_message DROP COLUMN kind;
