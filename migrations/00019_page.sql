-- +goose Up
-- The company's own pages (/admin/paginas). A page has an address and a
-- place in the navigation; what it says lives in its revisions, one per
-- save, never changed afterwards. Visitors see the revision published
-- last, while the page is published.
CREATE TABLE page (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug               text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 60),
    state              text        NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'unpublished')),
    position           integer     NOT NULL,
    published_revision integer,
    published_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (state = 'draft' OR published_revision IS NOT NULL)
);

-- texts holds, by language (nl always, fr and en when translated), the
-- title, intro, body (Markdown) and meta description. photo_id names a
-- photo of the library without a foreign key: a revision is never changed,
-- and a page whose photo was deleted shows without one.
CREATE TABLE page_revision (
    page_id       bigint      NOT NULL REFERENCES page (id),
    number        integer     NOT NULL CHECK (number > 0),
    texts         jsonb       NOT NULL CHECK (texts ? 'nl'),
    photo_id      bigint,
    saved_at      timestamptz NOT NULL DEFAULT now(),
    saved_by      text        NOT NULL,
    restored_from integer,
    PRIMARY KEY (page_id, number)
);

-- +goose StatementBegin
CREATE FUNCTION page_revision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'page revisions are kept as saved';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER page_revision_append_only BEFORE UPDATE OR DELETE ON page_revision
    FOR EACH ROW EXECUTE FUNCTION page_revision_append_only();

-- +goose Down
DROP TABLE page_revision;
DROP FUNCTION page_revision_append_only();
DROP TABLE page;
