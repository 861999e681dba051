-- +goose Up
-- Daily rollups of the consent log for the staff statistics (package
-- consentstats defines the figures; the store's stats.go reads them).
--
-- Counting a period from the log costs time in proportion to its events
-- (10.8 s for two years of 3 million). So a closed Brussels day is counted
-- once and kept in consent_day; today is counted live. A day is counted
-- again, before it is shown, when it is marked in consent_day_stale: the
-- triggers below mark the day of every event that reaches the log after
-- its day is over (late replays from a spool, rows inserted with SQL, a
-- restore into a live database) and of every event removed without a
-- tombstone.
--
-- A choice made today is not marked: today is counted live anyway, and a
-- visitor's click pays for no more than the trigger's WHEN. For that, a
-- day closes for the rollups an hour after its midnight
-- (consent_day_first_open): a transaction that began on the day and adds
-- its choices (so marks nothing) has committed before the day is counted.
-- One open for longer than an hour would be missed; nothing in the site
-- keeps one open that long.
--
-- The retention purge and a verified erasure request do not change past
-- statistics. They remove a consent ID's whole log, with a tombstone per
-- event, and a consent ID counts on its own in each day's figures (once,
-- by its last choice). So the trigger adds what the removed consent IDs
-- counted to consent_day_removed, per day, and the figures of a day are
-- those of the log plus those removed: the same before and after, however
-- often the day is counted again. consent_day_removed holds counts per day
-- and nothing of a visitor: statistics are not personal data. (Should a
-- removed consent ID's events come back, by a replay from a spool or by
-- restoring them into this database, that day counts it twice: both are
-- for an operator to avoid, not for the statistics to guess.)
--
-- A backup brings consent_day, consent_day_stale and consent_day_removed as
-- they were when it was made, together with the events they count.

-- Per day, what the consent IDs removed by the purge or an erasure counted
-- in that day's figures.
CREATE TABLE consent_day_removed (
    on_day     date    PRIMARY KEY,
    visitors   integer NOT NULL,
    accepted   integer NOT NULL,
    refused    integer NOT NULL,
    customised integer NOT NULL,
    granted    jsonb   NOT NULL
);

-- The figures of the Brussels days from_day..to_day that have visitors, as
-- consentstats defines them: each consent ID counts once a day, by its last
-- choice that day (ties on chosen_at go to the row stored last); plus what
-- removed consent IDs counted. The one definition, for the rollups and for
-- today.
CREATE FUNCTION consent_day_figures(from_day date, to_day date)
RETURNS TABLE (on_day date, visitors integer, accepted integer, refused integer, customised integer, granted jsonb)
LANGUAGE sql STABLE AS $$
    WITH last_choice AS (
        SELECT DISTINCT ON (consent_id, on_day)
            consent_id,
            (chosen_at AT TIME ZONE 'Europe/Brussels')::date AS on_day,
            action,
            categories
        FROM consent_event
        -- The first and last Brussels midnights as instants, so the
        -- chosen_at index serves the scan.
        WHERE chosen_at >= from_day::timestamp AT TIME ZONE 'Europe/Brussels'
          AND chosen_at < (to_day + 1)::timestamp AT TIME ZONE 'Europe/Brussels'
        ORDER BY consent_id, on_day, chosen_at DESC, recorded_at DESC, event_id DESC
    ),
    counted AS (
        SELECT on_day,
            count(*) AS visitors,
            count(*) FILTER (WHERE action = 'accept_all') AS accepted,
            count(*) FILTER (WHERE action IN ('reject_all', 'withdraw')) AS refused,
            count(*) FILTER (WHERE action = 'save') AS customised
        FROM last_choice
        GROUP BY on_day
        UNION ALL
        SELECT on_day, visitors, accepted, refused, customised
        FROM consent_day_removed
        WHERE on_day BETWEEN from_day AND to_day
    ),
    counts AS (
        SELECT on_day, sum(visitors) AS visitors, sum(accepted) AS accepted,
            sum(refused) AS refused, sum(customised) AS customised
        FROM counted
        GROUP BY on_day
    ),
    per_category AS (
        SELECT on_day, jsonb_object_agg(category, n) AS by_category
        FROM (
            SELECT on_day, category, sum(n) AS n
            FROM (
                SELECT on_day, category, count(DISTINCT consent_id) AS n
                FROM last_choice, unnest(categories) AS category
                GROUP BY on_day, category
                UNION ALL
                SELECT r.on_day, g.key, g.value::bigint
                FROM consent_day_removed AS r, jsonb_each_text(r.granted) AS g
                WHERE r.on_day BETWEEN from_day AND to_day
            ) AS both_parts
            GROUP BY on_day, category
        ) AS c
        GROUP BY on_day
    )
    SELECT c.on_day, c.visitors::integer, c.accepted::integer, c.refused::integer, c.customised::integer,
        coalesce(g.by_category, '{}')
    FROM counts AS c
    LEFT JOIN per_category AS g USING (on_day)
$$;

-- The first day not closed for the rollups: today in Brussels, or
-- yesterday in the first hour after midnight.
CREATE FUNCTION consent_day_first_open() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT ((now() - interval '1 hour') AT TIME ZONE 'Europe/Brussels')::date
$$;

-- One row per counted closed day, days without visitors included (a row
-- says the day was counted).
CREATE TABLE consent_day (
    on_day     date        PRIMARY KEY,
    visitors   integer     NOT NULL,
    accepted   integer     NOT NULL,
    refused    integer     NOT NULL,
    customised integer     NOT NULL,
    granted    jsonb       NOT NULL,
    counted_at timestamptz NOT NULL DEFAULT now()
);

-- Days whose events changed since they were counted.
CREATE TABLE consent_day_stale (
    on_day date PRIMARY KEY
);

-- +goose StatementBegin
CREATE FUNCTION consent_event_mark_days() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- A row trigger: one that runs for each statement would read the
-- statement's rows from a transition table, which costs each click about
-- a tenth of its insert rate even when nothing is marked.
CREATE TRIGGER consent_event_marks_inserted_days AFTER INSERT ON consent_event
    FOR EACH ROW
    WHEN (NEW.chosen_at < (now() AT TIME ZONE 'Europe/Brussels')::date::timestamp AT TIME ZONE 'Europe/Brussels')
    EXECUTE FUNCTION consent_event_mark_days();
CREATE TRIGGER consent_event_marks_deleted_days AFTER DELETE ON consent_event
    REFERENCING OLD TABLE AS old_events
    FOR EACH STATEMENT EXECUTE FUNCTION consent_event_mark_days();

-- The history already there: every closed day from the first event on.
INSERT INTO consent_day (on_day, visitors, accepted, refused, customised, granted)
SELECT d.on_day, coalesce(f.visitors, 0), coalesce(f.accepted, 0), coalesce(f.refused, 0),
    coalesce(f.customised, 0), coalesce(f.granted, '{}')
FROM (
    SELECT (min(chosen_at) AT TIME ZONE 'Europe/Brussels')::date AS first_day,
        consent_day_first_open() - 1 AS last_day
    FROM consent_event
) AS p
CROSS JOIN LATERAL (SELECT p.first_day + i AS on_day FROM generate_series(0, p.last_day - p.first_day) AS i) AS d
LEFT JOIN LATERAL consent_day_figures(p.first_day, p.last_day) AS f ON f.on_day = d.on_day;

-- +goose Down
DROP TRIGGER consent_event_marks_deleted_days ON consent_event;
DROP TRIGGER consent_event_marks_inserted_days ON consent_event;
DROP FUNCTION consent_event_mark_days();
DROP TABLE consent_day_stale, consent_day, consent_day_removed;
DROP FUNCTION consent_day_figures(date, date);
DROP FUNCTION consent_day_first_open();
