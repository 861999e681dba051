-- +goose Up
-- One row per limit and client instead of one per window: the row holds the
-- attempts of the client's latest window and of the window before it, so
-- that a count touches one row and reads no other. The purge reads the
-- whole table, which holds no more than the clients of a few hours, so
-- keep_until needs no index of its own. The counts of the moment go with
-- the old table (they are transient: the table is unlogged). An instance
-- of the earlier version still running during an upgrade cannot count (its
-- upsert names the old key) and lets attempts through, with a warning in
-- its log, until it is replaced.
DROP TABLE rate_count;
CREATE UNLOGGED TABLE rate_count (
    scope          text        NOT NULL,
    client         bytea       NOT NULL CHECK (octet_length(client) = 16),
    window_start   timestamptz NOT NULL,
    hits           integer     NOT NULL,
    previous_start timestamptz NOT NULL CHECK (previous_start < window_start),
    previous_hits  integer     NOT NULL,
    keep_until     timestamptz NOT NULL,
    PRIMARY KEY (scope, client)
);

-- +goose Down
DROP TABLE rate_count;
CREATE UNLOGGED TABLE rate_count (
    scope        text        NOT NULL,
    client       bytea       NOT NULL CHECK (octet_length(client) = 16),
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL,
    keep_until   timestamptz NOT NULL,
    PRIMARY KEY (scope, client, window_start)
);
CREATE INDEX rate_count_keep_until ON rate_count (keep_until);
