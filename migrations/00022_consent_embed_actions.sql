-- +goose Up
-- The buttons of an embed's placeholder are choices of their own in the
-- proof-of-consent log: "Altijd toestaan" (allow_vendor: the visitor's
-- choice with that vendor added, kept by the consent cookie) and "Eenmalig
-- laden" (load_once: the vendor for one page view, which the cookie never
-- keeps; the row's vendors name it).
ALTER TABLE consent_event DROP CONSTRAINT consent_event_action_check;
ALTER TABLE consent_event ADD CONSTRAINT consent_event_action_check
    CHECK (action IN ('accept_all', 'reject_all', 'save', 'withdraw', 'allow_vendor', 'load_once'));

-- The day's figures (migration 00015) count a visitor by their last choice:
-- allow_vendor is a choice made vendor by vendor (Customised); a one-time
-- load changes no choice and is left out, so that Accepted + Refused +
-- Customised stays Visitors.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION consent_day_figures(from_day date, to_day date)
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
          -- A one-time load is not a choice the visitor keeps.
          AND action <> 'load_once'
        ORDER BY consent_id, on_day, chosen_at DESC, recorded_at DESC, event_id DESC
    ),
    counted AS (
        SELECT on_day,
            count(*) AS visitors,
            count(*) FILTER (WHERE action = 'accept_all') AS accepted,
            count(*) FILTER (WHERE action IN ('reject_all', 'withdraw')) AS refused,
            count(*) FILTER (WHERE action IN ('save', 'allow_vendor')) AS customised
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
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION consent_day_figures(from_day date, to_day date)
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
-- +goose StatementEnd
ALTER TABLE consent_event DROP CONSTRAINT consent_event_action_check;
ALTER TABLE consent_event ADD CONSTRAINT consent_event_action_check
    CHECK (action IN ('accept_all', 'reject_all', 'save', 'withdraw'));
