-- +goose Up
-- What a purge or an erasure removes is added to consent_day_removed by the
-- delete trigger of migration 00015, which counts a consent ID by its last
-- choice of the day. Migration 00022 taught consent_day_figures the embeds'
-- actions (a one-time load is no choice; "always allow" is a customised
-- one) but not this trigger: a removed visitor whose last event of a day
-- was a one-time load was counted by that load, and "always allow" fell in
-- no bucket. The trigger now counts as consent_day_figures does, so a day's
-- figures stay the same when its visitors are purged or erased.
--
-- Tallies already in consent_day_removed are left as they are: they hold
-- counts, not the events, so a wrong one cannot be told apart or recounted.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION consent_event_mark_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO consent_day_stale (on_day)
        VALUES ((NEW.chosen_at AT TIME ZONE 'Europe/Brussels')::date)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    -- The purge and an erasure write the tombstones in the same statement
    -- that removes the events, so they are visible here.
    INSERT INTO consent_day_stale (on_day)
    SELECT DISTINCT (o.chosen_at AT TIME ZONE 'Europe/Brussels')::date
    FROM old_events AS o
    WHERE NOT EXISTS (SELECT 1 FROM consent_tombstone AS t WHERE t.event_id = o.event_id)
    ON CONFLICT DO NOTHING;
    WITH last_choice AS (
        SELECT DISTINCT ON (o.consent_id, on_day)
            o.consent_id,
            (o.chosen_at AT TIME ZONE 'Europe/Brussels')::date AS on_day,
            o.action,
            o.categories
        FROM old_events AS o
        WHERE EXISTS (SELECT 1 FROM consent_tombstone AS t WHERE t.event_id = o.event_id)
          -- A one-time load is not a choice the visitor keeps.
          AND o.action <> 'load_once'
        ORDER BY o.consent_id, on_day, o.chosen_at DESC, o.recorded_at DESC, o.event_id DESC
    ),
    per_category AS (
        SELECT on_day, jsonb_object_agg(category, n) AS granted
        FROM (
            SELECT on_day, category, count(DISTINCT consent_id) AS n
            FROM last_choice, unnest(categories) AS category
            GROUP BY on_day, category
        ) AS c
        GROUP BY on_day
    )
    INSERT INTO consent_day_removed AS r (on_day, visitors, accepted, refused, customised, granted)
    SELECT l.on_day,
        count(*),
        count(*) FILTER (WHERE l.action = 'accept_all'),
        count(*) FILTER (WHERE l.action IN ('reject_all', 'withdraw')),
        count(*) FILTER (WHERE l.action IN ('save', 'allow_vendor')),
        coalesce(min(g.granted::text)::jsonb, '{}')
    FROM last_choice AS l
    LEFT JOIN per_category AS g USING (on_day)
    GROUP BY l.on_day
    ON CONFLICT (on_day) DO UPDATE SET
        visitors = r.visitors + excluded.visitors,
        accepted = r.accepted + excluded.accepted,
        refused = r.refused + excluded.refused,
        customised = r.customised + excluded.customised,
        granted = (
            SELECT coalesce(jsonb_object_agg(key, n), '{}')
            FROM (
                SELECT key, sum(value::bigint) AS n
                FROM (SELECT * FROM jsonb_each_text(r.granted) UNION ALL SELECT * FROM jsonb_each_text(excluded.granted)) AS both_parts
                GROUP BY key
            ) AS summed
        );
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION consent_event_mark_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO consent_day_stale (on_day)
        VALUES ((NEW.chosen_at AT TIME ZONE 'Europe/Brussels')::date)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    -- The purge and an erasure write the tombstones in the same statement
    -- that removes the events, so they are visible here.
    INSERT INTO consent_day_stale (on_day)
    SELECT DISTINCT (o.chosen_at AT TIME ZONE 'Europe/Brussels')::date
    FROM old_events AS o
    WHERE NOT EXISTS (SELECT 1 FROM consent_tombstone AS t WHERE t.event_id = o.event_id)
    ON CONFLICT DO NOTHING;
    WITH last_choice AS (
        SELECT DISTINCT ON (o.consent_id, on_day)
            o.consent_id,
            (o.chosen_at AT TIME ZONE 'Europe/Brussels')::date AS on_day,
            o.action,
            o.categories
        FROM old_events AS o
        WHERE EXISTS (SELECT 1 FROM consent_tombstone AS t WHERE t.event_id = o.event_id)
        ORDER BY o.consent_id, on_day, o.chosen_at DESC, o.recorded_at DESC, o.event_id DESC
    ),
    per_category AS (
        SELECT on_day, jsonb_object_agg(category, n) AS granted
        FROM (
            SELECT on_day, category, count(DISTINCT consent_id) AS n
            FROM last_choice, unnest(categories) AS category
            GROUP BY on_day, category
        ) AS c
        GROUP BY on_day
    )
    INSERT INTO consent_day_removed AS r (on_day, visitors, accepted, refused, customised, granted)
    SELECT l.on_day,
        count(*),
        count(*) FILTER (WHERE l.action = 'accept_all'),
        count(*) FILTER (WHERE l.action IN ('reject_all', 'withdraw')),
        count(*) FILTER (WHERE l.action = 'save'),
        coalesce(min(g.granted::text)::jsonb, '{}')
    FROM last_choice AS l
    LEFT JOIN per_category AS g USING (on_day)
    GROUP BY l.on_day
    ON CONFLICT (on_day) DO UPDATE SET
        visitors = r.visitors + excluded.visitors,
        accepted = r.accepted + excluded.accepted,
        refused = r.refused + excluded.refused,
        customised = r.customised + excluded.customised,
        granted = (
            SELECT coalesce(jsonb_object_agg(key, n), '{}')
            FROM (
                SELECT key, sum(value::bigint) AS n
                FROM (SELECT * FROM jsonb_each_text(r.granted) UNION ALL SELECT * FROM jsonb_each_text(excluded.granted)) AS both_parts
                GROUP BY key
            ) AS summed
        );
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
