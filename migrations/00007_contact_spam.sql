-- +goose Up
-- A valid contact message that shows a weak sign of a bot (sent sooner than
-- a person types, without the form's hidden check, full of links …) is kept
-- and marked for staff to judge: spam_reason says why, in plain Dutch ('' for
-- none); not_spam_at is when a staff member judged it not to be spam.
ALTER TABLE contact_message
    ADD COLUMN spam_reason text NOT NULL DEFAULT '' CHECK (length(spam_reason) <= 1000),
    ADD COLUMN not_spam_at timestamptz;

-- +goose Down
ALTER TABLE contact_message DROP COLUMN not_spam_at, DROP COLUMN spam_reason;
