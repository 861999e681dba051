-- +goose Up
-- The proof-of-consent log: one row per choice a visitor made (accept,
-- refuse, change, withdraw). Append-only: rows are never updated, a trigger
-- refuses it; only the retention purge deletes old rows.
CREATE TABLE consent_event (
    event_id        uuid        PRIMARY KEY,
    consent_id      text        NOT NULL CHECK (consent_id ~ '^[A-Za-z0-9_-]{22}$'),
    chosen_at       timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    policy_version  integer     NOT NULL REFERENCES policy_version (number),
    action          text        NOT NULL CHECK (action IN ('accept_all', 'reject_all', 'save', 'withdraw')),
    categories      text[]      NOT NULL,
    vendors         text[]      NOT NULL,
    banner_version  text        NOT NULL,
    locale          text        NOT NULL CHECK (locale IN ('nl', 'fr', 'en')),
    path            text        NOT NULL,
    gpc             boolean     NOT NULL,
    -- The visitor's network only: IPv4 /24, IPv6 /48.
    client_network  cidr        CHECK (client_network IS NULL OR
                                       (family(client_network) = 4 AND masklen(client_network) = 24) OR
                                       (family(client_network) = 6 AND masklen(client_network) = 48)),
    user_agent      text        NOT NULL CHECK (length(user_agent) <= 512)
);

CREATE INDEX consent_event_consent_id ON consent_event (consent_id, chosen_at);
CREATE INDEX consent_event_chosen_at ON consent_event (chosen_at);

-- +goose StatementBegin
CREATE FUNCTION consent_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent_event is append-only: % is not allowed', TG_OP;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER consent_event_no_update
    BEFORE UPDATE ON consent_event
    FOR EACH ROW EXECUTE FUNCTION consent_event_append_only();

CREATE TRIGGER consent_event_no_truncate
    BEFORE TRUNCATE ON consent_event
    FOR EACH STATEMENT EXECUTE FUNCTION consent_event_append_only();

-- +goose Down
DROP TABLE consent_event;
DROP FUNCTION consent_event_append_only();
