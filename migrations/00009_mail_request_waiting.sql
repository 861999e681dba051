-- +goose Up
-- A data-subject request that waits for staff (a correction or an
-- objection, once its sender confirmed it) is announced to the company by
-- mail. That mail names the kind of request and links the staff queue; it
-- holds nothing of the requester.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('contact_notification', 'privacy_verification', 'privacy_request_waiting'));

-- +goose Down
DELETE FROM mail_outbox WHERE kind = 'privacy_request_waiting';
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('contact_notification', 'privacy_verification'));
