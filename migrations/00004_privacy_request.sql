-- +goose Up
-- Data-subject requests (inzage, correctie, verwijdering, bezwaar). Nothing is
-- shown or changed before the requester opened the link mailed to them. The
-- address is kept in clear only as long as the request needs it; email_hash
-- (a keyed hash) is what remains after an erasure.
CREATE TABLE privacy_request (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at        timestamptz NOT NULL DEFAULT now(),
    kind              text        NOT NULL CHECK (kind IN ('inzage', 'correctie', 'verwijdering', 'bezwaar')),
    email             text        CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    email_hash        bytea       NOT NULL CHECK (octet_length(email_hash) = 32),
    consent_id        text        NOT NULL DEFAULT '' CHECK (consent_id = '' OR consent_id ~ '^[A-Za-z0-9_-]{22}$'),
    erase_consent_log boolean     NOT NULL DEFAULT false,
    message           text        NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
    locale            text        NOT NULL CHECK (locale IN ('nl', 'fr', 'en')),
    -- SHA-256 of the single-use link's token; cleared when it is used.
    token_hash        bytea       UNIQUE CHECK (token_hash IS NULL OR octet_length(token_hash) = 32),
    token_expires_at  timestamptz NOT NULL,
    verified_at       timestamptz,
    status            text        NOT NULL DEFAULT 'pending'
                                  CHECK (status IN ('pending', 'done', 'queued', 'handled')),
    -- What was done, in counts; never the erased content.
    outcome           text        NOT NULL DEFAULT '',
    handled_at        timestamptz
);

CREATE INDEX privacy_request_email_hash ON privacy_request (email_hash);
CREATE INDEX privacy_request_created_at ON privacy_request (created_at);

ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('contact_notification', 'privacy_verification'));
ALTER TABLE mail_outbox ADD COLUMN privacy_request_id bigint REFERENCES privacy_request (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN privacy_request_id;
DELETE FROM mail_outbox WHERE kind = 'privacy_verification';
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check CHECK (kind IN ('contact_notification'));
DROP TABLE privacy_request;
