-- +goose Up
-- Attempts per client and window of each rate limit, shared by every
-- instance of the site. The client is a keyed hash of its address (IPv4, or
-- IPv6 /64), not the address. Unlogged: a crash of PostgreSQL may reset the
-- counts, which costs nothing but a few extra attempts, and each count is
-- one write less to the WAL. The purge drops rows past keep_until.
CREATE UNLOGGED TABLE rate_count (
    scope        text        NOT NULL,
    client       bytea       NOT NULL CHECK (octet_length(client) = 16),
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL,
    keep_until   timestamptz NOT NULL,
    PRIMARY KEY (scope, client, window_start)
);
CREATE INDEX rate_count_keep_until ON rate_count (keep_until);

-- +goose Down
DROP TABLE rate_count;
