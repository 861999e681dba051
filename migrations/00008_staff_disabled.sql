-- +goose Up
-- A staff account can be disabled (by another staff member, or with
-- `conpro admin disable-user`): it cannot log in, and a session it had open
-- ends at its next request. NULL: the account is enabled.
ALTER TABLE staff_user ADD COLUMN disabled_at timestamptz;

-- +goose Down
ALTER TABLE staff_user DROP COLUMN disabled_at;
