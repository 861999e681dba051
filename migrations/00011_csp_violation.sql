-- +goose Up
-- What browsers reported their Content-Security-Policy blocked, counted per
-- day, page path, directive and blocked origin: an aggregate, nothing of the
-- visitor (no address, no browser, no full URL).
CREATE TABLE csp_violation (
    day        date   NOT NULL,
    path       text   NOT NULL CHECK (length(path) <= 200),
    directive  text   NOT NULL CHECK (length(directive) <= 40),
    blocked    text   NOT NULL CHECK (length(blocked) <= 270),
    count      bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (day, path, directive, blocked)
);

-- +goose Down
DROP TABLE csp_violation;
