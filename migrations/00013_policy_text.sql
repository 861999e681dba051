-- +goose Up
-- The texts of the privacy policy, written by staff in the staff area
-- (/admin/beleid) or published from the command line. A draft has no
-- number and may change; publishing gives it the next number, freezes
-- what visitors see (the rendered text, its tables as they were then) and
-- its digest, and from then on the row never changes: a trigger refuses
-- it, as for the consent log. policy_version (00001) still records every
-- number the consent log may name.
CREATE TABLE policy_text (
    id            bigserial   PRIMARY KEY,
    number        integer     UNIQUE CHECK (number > 0),
    status        text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    -- The Dutch text in Markdown, and the staff's translations (empty: none).
    markdown      text        NOT NULL,
    markdown_fr   text        NOT NULL DEFAULT '',
    markdown_en   text        NOT NULL DEFAULT '',
    -- What changed (samenvatting) and the Belgian calendar day the version
    -- takes effect (geldig_vanaf).
    summary       text        NOT NULL DEFAULT '',
    effective_on  date,
    -- Frozen at publication: the rendering per language (title, table of
    -- contents and body as JSON) and the digest of the whole.
    rendered      jsonb,
    digest        bytea       CHECK (octet_length(digest) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz,
    published_by  text        NOT NULL DEFAULT '',
    CHECK (status = 'draft' OR (number IS NOT NULL AND effective_on IS NOT NULL
                                AND rendered IS NOT NULL AND digest IS NOT NULL
                                AND published_at IS NOT NULL)),
    CHECK (status = 'published' OR number IS NULL)
);

-- +goose StatementBegin
CREATE FUNCTION policy_text_published_is_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'policy_text %: a published version is immutable (% refused)', OLD.number, TG_OP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER policy_text_frozen
    BEFORE UPDATE OR DELETE ON policy_text
    FOR EACH ROW EXECUTE FUNCTION policy_text_published_is_frozen();

CREATE TRIGGER policy_text_no_truncate
    BEFORE TRUNCATE ON policy_text
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- +goose Down
DROP TABLE policy_text;
DROP FUNCTION policy_text_published_is_frozen();
