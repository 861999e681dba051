-- +goose Up
-- Messages sent with the contact form, kept as long as needed to answer
-- them (the retention purge deletes them after their period).
CREATE TABLE contact_message (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at     timestamptz NOT NULL DEFAULT now(),
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    email           text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    -- As entered, and in international form (+32…) when it could be read.
    phone           text        NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    phone_e164      text        NOT NULL DEFAULT '' CHECK (phone_e164 = '' OR phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
    message         text        NOT NULL CHECK (length(message) BETWEEN 1 AND 5000),
    locale          text        NOT NULL CHECK (locale IN ('nl', 'fr', 'en')),
    -- The sender's network only: IPv4 /24, IPv6 /48.
    client_network  cidr,
    handled_at      timestamptz
);

CREATE INDEX contact_message_received_at ON contact_message (received_at);

-- Mail waiting to be sent. A row is written in the same transaction as what
-- it reports, so a message is never stored without its notification, and a
-- failed send only moves next_attempt_at.
CREATE TABLE mail_outbox (
    id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at          timestamptz NOT NULL DEFAULT now(),
    kind                text        NOT NULL CHECK (kind IN ('contact_notification')),
    contact_message_id  bigint      REFERENCES contact_message (id) ON DELETE SET NULL,
    to_addr             text        NOT NULL,
    reply_to            text        NOT NULL DEFAULT '',
    subject             text        NOT NULL,
    body_text           text        NOT NULL,
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    -- A sender that claimed the row holds it until then (several instances
    -- may run); a crashed sender's claim simply runs out.
    locked_until        timestamptz,
    sent_at             timestamptz,
    last_error          text        NOT NULL DEFAULT ''
);

CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE contact_message;
