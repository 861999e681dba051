-- +goose Up
-- Tamper-evident proof of consent (package consentlog, seal.go).
--
-- Each event is sealed as it is written: seal is a keyed hash (HMAC) of
-- its contents, made by the server with a key the database does not hold.
-- Events written before sealing began have none; the chain seals them once.
ALTER TABLE consent_event ADD COLUMN seal bytea;

-- When sealing began: an event recorded after this without a seal was not
-- written by the server.
CREATE TABLE consent_seal_start (
    started_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO consent_seal_start DEFAULT VALUES;

-- The chain links every event, in the order they were sealed, to the one
-- before it: link = HMAC(key, previous link, event ID, seal). Removing,
-- changing or reordering an event or a link breaks it.
CREATE TABLE consent_chain (
    pos        bigint      PRIMARY KEY,
    event_id   uuid        NOT NULL UNIQUE,
    seal       bytea       NOT NULL,
    link       bytea       NOT NULL,
    sealed_at  timestamptz NOT NULL DEFAULT now()
);

-- What the retention purge and verified erasure requests removed: the
-- event's ID (a random number, nothing of the visitor), why and when.
CREATE TABLE consent_tombstone (
    event_id   uuid        PRIMARY KEY,
    reason     text        NOT NULL CHECK (reason IN ('retention', 'erasure')),
    removed_at timestamptz NOT NULL DEFAULT now()
);

-- Each run of the verification: what it checked, the head of the chain it
-- saw (a later run checks it is still there: cutting off the end of the
-- chain shows), and the first event that failed.
CREATE TABLE consent_verification (
    id             bigserial   PRIMARY KEY,
    verified_at    timestamptz NOT NULL DEFAULT now(),
    ok             boolean     NOT NULL,
    checked        bigint      NOT NULL,
    removed        bigint      NOT NULL,
    pending        bigint      NOT NULL,
    head_pos       bigint      NOT NULL,
    head_event     uuid,
    head_link      bytea,
    failed_event   uuid,
    failure        text        NOT NULL DEFAULT ''
);

-- Every text a visitor can consent to (the banner and the settings form in
-- each language, with their vendor lists), kept once by the digest the
-- consent log names in banner_version.
CREATE TABLE consent_text (
    digest     text        PRIMARY KEY,
    body       text        NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now()
);

-- +goose StatementBegin
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER consent_chain_append_only BEFORE UPDATE OR DELETE ON consent_chain
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER consent_chain_no_truncate BEFORE TRUNCATE ON consent_chain
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER consent_tombstone_append_only BEFORE UPDATE OR DELETE ON consent_tombstone
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER consent_tombstone_no_truncate BEFORE TRUNCATE ON consent_tombstone
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER consent_text_append_only BEFORE UPDATE OR DELETE ON consent_text
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER consent_text_no_truncate BEFORE TRUNCATE ON consent_text
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- +goose Down
DROP TABLE consent_text, consent_verification, consent_tombstone, consent_chain, consent_seal_start;
DROP FUNCTION append_only();
ALTER TABLE consent_event DROP COLUMN seal;
