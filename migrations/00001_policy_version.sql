-- +goose Up
-- Every policy version the site has served, with a digest of its text. Consent
-- records name a version number; this table proves which text that number
-- meant, and lets the server notice a published text edited in place.
CREATE TABLE policy_version (
    number          integer     PRIMARY KEY CHECK (number > 0),
    published_on    date        NOT NULL,
    content_sha256  bytea       NOT NULL CHECK (octet_length(content_sha256) = 32),
    first_served_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE policy_version;
