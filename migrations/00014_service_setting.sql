-- +goose Up
-- What staff set for each vendor the site can load (/admin/diensten): its
-- ID, whether it is switched on, and the description of where the party is
-- established and on what transfer basis ('' keeps the registry's). An
-- environment variable still wins over a row here. switched_on_at is when
-- it was last switched on: consents given before it never cover the vendor.
-- Every change is also in audit_log, written in the same transaction.
CREATE TABLE service_setting (
    vendor_key     text        PRIMARY KEY,
    vendor_id      text        NOT NULL DEFAULT '',
    active         boolean     NOT NULL DEFAULT false,
    location       text        NOT NULL DEFAULT '',
    switched_on_at timestamptz,
    changed_by     text        NOT NULL,
    changed_at     timestamptz NOT NULL,
    CHECK (NOT active OR vendor_id <> ''),
    CHECK (NOT active OR switched_on_at IS NOT NULL)
);

-- +goose Down
DROP TABLE service_setting;
