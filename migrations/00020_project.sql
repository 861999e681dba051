-- +goose Up
-- The company's projects ("realisaties"): their texts per language (Dutch
-- always, French and English where written) as JSON, and the photos of the
-- library they show, in order, each with its captions per language. A
-- project without published_at is a draft.
CREATE TABLE project (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug         text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    place        text        NOT NULL CHECK (place <> ''),
    year         integer     NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('nieuwbouw', 'renovatie', 'verbouwing', 'gevel', 'dak', 'andere')),
    texts        jsonb       NOT NULL CHECK (texts ? 'nl'),
    published_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- A photo deleted from the library leaves the projects that showed it.
CREATE TABLE project_photo (
    project_id bigint  NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    photo_id   bigint  NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
    captions   jsonb   NOT NULL DEFAULT '{}',
    PRIMARY KEY (project_id, position),
    UNIQUE (project_id, photo_id)
);
CREATE INDEX project_photo_photo ON project_photo (photo_id);

-- +goose Down
DROP TABLE project_photo;
DROP TABLE project;
