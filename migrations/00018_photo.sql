-- +goose Up
-- The photo library: each photo's original, re-encoded from its pixels
-- without any metadata, and the variants the site serves (a few widths,
-- WebP and JPEG). Kept in the database so that a backup of it is a backup
-- of the site.
CREATE TABLE photo (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alt           text        NOT NULL CHECK (alt <> ''),
    width         integer     NOT NULL CHECK (width > 0),
    height        integer     NOT NULL CHECK (height > 0),
    upload_bytes  bigint      NOT NULL,
    original      bytea       NOT NULL,
    original_type text        NOT NULL CHECK (original_type IN ('image/jpeg', 'image/png')),
    uploaded_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE photo_variant (
    photo_id bigint  NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
    width    integer NOT NULL CHECK (width > 0),
    height   integer NOT NULL CHECK (height > 0),
    type     text    NOT NULL CHECK (type IN ('image/webp', 'image/jpeg')),
    hash     text    NOT NULL,
    data     bytea   NOT NULL,
    PRIMARY KEY (photo_id, width, type)
);

-- +goose Down
DROP TABLE photo_variant;
DROP TABLE photo;
