-- +goose Up
-- Raised by every password change. A staff session keeps the version it was
-- opened with and ends as soon as the account's version differs, so a reset
-- ends the sessions that were open with the old password.
ALTER TABLE staff_user ADD COLUMN credential_version integer NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE staff_user DROP COLUMN credential_version;
