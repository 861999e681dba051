package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// probe is what the timed pages look up: a consent ID with three choices
// and a search term that finds one sender's messages.
type probe struct {
	consentID   string
	search      string
	searchShows string
}

// lookupProbe picks a consent ID from the middle of the log and the
// address (before the @) of a message from the middle of the inbox.
func lookupProbe(ctx context.Context, conn *pgx.Conn) (probe, error) {
	var p probe
	err := conn.QueryRow(ctx, `
		SELECT consent_id FROM consent_event
		WHERE consent_id = (SELECT `+consentID+` FROM (SELECT 3 * (count(*) / 12) + 2 AS n FROM consent_event) c)
		LIMIT 1`).Scan(&p.consentID)
	if err != nil {
		return p, fmt.Errorf("pick a consent ID: %w", err)
	}
	err = conn.QueryRow(ctx, `
		SELECT split_part(email, '@', 1) FROM contact_message
		ORDER BY id OFFSET (SELECT count(*) / 2 FROM contact_message) LIMIT 1`).Scan(&p.search)
	if err != nil {
		return p, fmt.Errorf("pick a search term: %w", err)
	}
	p.searchShows = p.search
	return p, nil
}

// staffQueries are the statements behind the timed pages and the purge, as
// internal/store/postgres sends them (keep them in step), with the values
// the bench uses. $1 of the purge queries is the bench's purge cut-off.
func staffQueries(p probe, purgeBefore time.Time) []struct {
	name string
	sql  string
	args []any
} {
	type q = struct {
		name string
		sql  string
		args []any
	}
	const inbox = `SELECT m.id, m.received_at, m.name, m.email, m.phone, m.phone_e164, m.message, m.locale, m.client_network, m.handled_at,
	m.spam_reason, m.not_spam_at, coalesce(o.sent, false), coalesce(o.attempts, 0)
		FROM (
			SELECT * FROM contact_message m
			WHERE %s
			ORDER BY m.received_at DESC, m.id DESC
			LIMIT 200
		) m LEFT JOIN LATERAL (
			SELECT bool_or(o.sent_at IS NOT NULL) AS sent, max(o.attempts) AS attempts
			FROM mail_outbox o WHERE o.contact_message_id = m.id) o ON true
		ORDER BY m.received_at DESC, m.id DESC`
	// As store/postgres/purge.go reads them.
	const oldIDs = `SELECT e.consent_id FROM consent_event e WHERE e.chosen_at < $1
		AND (SELECT max(l.chosen_at) FROM consent_event l WHERE l.consent_id = e.consent_id) < $1`
	return []q{
		{"consent lookup: the choices of one ID", `
		SELECT e.event_id::text, e.consent_id, e.chosen_at, e.policy_version, e.action, e.categories,
			e.vendors, e.banner_version, e.locale, e.path, e.gpc, e.client_network, e.user_agent, e.seal,
			e.recorded_at < (SELECT min(started_at) FROM consent_seal_start), c.seal
		FROM consent_event e
		LEFT JOIN consent_chain c ON c.event_id = e.event_id
		WHERE e.consent_id = $1
		ORDER BY e.chosen_at, e.recorded_at`, []any{p.consentID}},
		{"statistics: two years of closed days from the rollups", `
		SELECT on_day, visitors, accepted, refused, customised, granted FROM consent_day
		WHERE on_day >= (now() AT TIME ZONE 'Europe/Brussels')::date - 730 AND on_day < (now() AT TIME ZONE 'Europe/Brussels')::date`, nil},
		{"statistics: a whole day counted live from the log (yesterday, as the page counts today)", `
		SELECT * FROM consent_day_figures((now() AT TIME ZONE 'Europe/Brussels')::date - 1, (now() AT TIME ZONE 'Europe/Brussels')::date - 1)`, nil},
		{"every staff page: open messages in the menu", `
		SELECT (SELECT count(*) FROM contact_message WHERE handled_at IS NULL),
		       (SELECT count(*) FROM privacy_request WHERE status = 'queued')`, nil},
		{"inbox: all messages", fmt.Sprintf(inbox, `true`), nil},
		{"inbox: open messages", fmt.Sprintf(inbox, `m.handled_at IS NULL`), nil},
		{"inbox: search (all messages)", fmt.Sprintf(inbox, `(m.name ILIKE $1 OR m.email ILIKE $1)`), []any{"%" + p.search + "%"}},
		{"outbox", `
		SELECT id, created_at, kind, to_addr, subject, attempts, next_attempt_at, sent_at, last_error
		FROM mail_outbox ORDER BY (sent_at IS NULL) DESC, created_at DESC LIMIT 500`, nil},
		{"audit log: newest entries", `
		SELECT id, at, coalesce(staff_id, 0), staff_email, action, target, detail FROM audit_log
		ORDER BY at DESC, id DESC LIMIT 500`, nil},
		{"audit log: the people in it", `
		WITH RECURSIVE people AS (
			SELECT min(staff_email) AS email FROM audit_log
			UNION ALL
			SELECT (SELECT min(staff_email) FROM audit_log WHERE staff_email > people.email)
			FROM people WHERE people.email IS NOT NULL
		)
		SELECT email FROM people WHERE email IS NOT NULL ORDER BY email`, nil},
		{"purge -dry-run: consent events of IDs whose last choice is old", `
		SELECT count(*) FROM consent_event WHERE consent_id IN (` + oldIDs + `)`, []any{purgeBefore}},
		{"purge -dry-run, as before 00017 (GROUP BY over the whole log)", `
		SELECT count(*) FROM consent_event WHERE consent_id IN (
			SELECT consent_id FROM consent_event GROUP BY consent_id HAVING max(chosen_at) < $1)`, []any{purgeBefore}},
		{"purge: the old consent IDs, read once before the batches delete them", `SELECT DISTINCT consent_id FROM (` + oldIDs + `) AS o`, []any{purgeBefore}},
		{"consent chain: recent events not yet linked (every 10 s)", `
		SELECT e.event_id FROM consent_event e
		WHERE e.recorded_at >= now() - interval '1 hour'
		  AND NOT EXISTS (SELECT 1 FROM consent_chain c WHERE c.event_id = e.event_id)
		ORDER BY e.recorded_at, e.event_id LIMIT 1000`, nil},
		{"consent chain: every event not yet linked (hourly, and before verify-log)", `
		SELECT e.event_id FROM consent_event e
		WHERE NOT EXISTS (SELECT 1 FROM consent_chain c WHERE c.event_id = e.event_id)
		ORDER BY e.recorded_at, e.event_id LIMIT 1000`, nil},
		{"purge -dry-run: old contact messages", `SELECT count(*) FROM contact_message WHERE received_at < $1`, []any{purgeBefore}},
		{"purge -dry-run: old sent mail", `SELECT count(*) FROM mail_outbox WHERE sent_at < $1`, []any{purgeBefore.AddDate(0, 0, 700)}},
	}
}

// explainAll writes EXPLAIN (ANALYZE, BUFFERS) of each staff query to path.
// Each is run once before, as the pages run warm.
func explainAll(ctx context.Context, conn *pgx.Conn, d dataSet, now time.Time, path string) error {
	p, err := lookupProbe(ctx, conn)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %d consent events, %d contact messages, %d audit entries; consent ID %s, search %q\n",
		d.events, d.messages, d.audit, p.consentID, p.search)
	for _, q := range staffQueries(p, now.AddDate(0, 0, -(d.days-30))) {
		fmt.Fprintf(&b, "\n## %s\n", q.name)
		for i := range 2 {
			rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q.sql, q.args...)
			if err != nil {
				return fmt.Errorf("explain %s: %w", q.name, err)
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("explain %s: %w", q.name, err)
			}
			if i == 1 {
				b.WriteString(strings.Join(lines, "\n") + "\n")
			}
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
