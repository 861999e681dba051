-- +goose Up
-- The consent chain links the events recorded lately: an index range on
-- recorded_at rather than a look at the whole log every few seconds.
CREATE INDEX consent_event_recorded_at ON consent_event (recorded_at);

-- +goose Down
DROP INDEX consent_event_recorded_at;
