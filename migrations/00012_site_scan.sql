-- +goose Up
-- Each scan of the site in headless Chromium (package scan): when, whether
-- it found a leak or an undeclared item, and the whole report.
CREATE TABLE site_scan (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    clean       boolean     NOT NULL,
    findings    integer     NOT NULL,
    report      jsonb       NOT NULL
);

-- Mail to the company about the site itself (a scan's new findings).
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('contact_notification', 'privacy_verification', 'privacy_request_waiting', 'staff_notice'));

-- +goose Down
DELETE FROM mail_outbox WHERE kind = 'staff_notice';
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('contact_notification', 'privacy_verification', 'privacy_request_waiting'));
DROP TABLE site_scan;
