package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The data set, as a busy year or two of the site leaves it:
//
//   - consent events over the last `days` days: consent IDs spread evenly over
//     the days, each with 1, 2 or 3 choices (in turn: on average 2), the later
//     ones hours to weeks after the first; actions, categories, locales,
//     networks and browsers vary as they do on the site;
//   - contact messages over the same days, nearly all handled, a few open and
//     a few marked as spam; names and addresses from a list of Belgian names;
//   - a notification mail for each message of the last 60 days (the purge
//     removes sent mail after 30 days), a few unsent or failing;
//   - an audit log of staff reading and handling.
//
// Rows satisfy every constraint of the schema. The events carry no seal and
// are recorded before sealing began, as events from before the seal are,
// and are in the consent chain: the bench times pages, it does not verify
// the log.
type dataSet struct {
	events   int64
	messages int64
	audit    int64
	days     int
}

// idsPerDay is how many consent IDs start on each day: events/2 over days.
func (d dataSet) idsPerDay() int64 {
	n := d.events / 2 / int64(d.days)
	if n < 1 {
		n = 1
	}
	return n
}

// eventChunk is how many events one INSERT writes.
const eventChunk = 500_000

// fill writes the data set into a migrated, empty database. now is the
// moment the data ends at (every timestamp is before it).
func fill(ctx context.Context, conn *pgx.Conn, d dataSet, now time.Time, progress func(string, ...any)) error {
	var version int
	if err := conn.QueryRow(ctx, `SELECT max(number) FROM policy_version`).Scan(&version); err != nil {
		return fmt.Errorf("policy version: %w (has the server started on this database?)", err)
	}
	start := now.Add(-time.Duration(d.days) * 24 * time.Hour)
	// Secondary indexes are dropped during the load and made again after:
	// one sort per index instead of 10 million random inserts.
	indexes, err := dropIndexes(ctx, conn, "consent_event")
	if err != nil {
		return err
	}
	begin := time.Now()
	for from := int64(0); from < d.events; from += eventChunk {
		to := min(from+eventChunk, d.events) - 1
		if _, err := conn.Exec(ctx, insertEvents, from, to, d.idsPerDay(), start, now, version); err != nil {
			return fmt.Errorf("insert consent events %d–%d: %w", from, to, err)
		}
		progress("consent events: %d of %d (%s)", to+1, d.events, time.Since(begin).Round(time.Second))
	}
	for _, def := range indexes {
		if _, err := conn.Exec(ctx, def); err != nil {
			return fmt.Errorf("%s: %w", def, err)
		}
	}
	progress("consent event indexes made again (%s)", time.Since(begin).Round(time.Second))
	if d.messages > 0 {
		if _, err := conn.Exec(ctx, insertMessages, d.messages, start, now); err != nil {
			return fmt.Errorf("insert contact messages: %w", err)
		}
		if _, err := conn.Exec(ctx, insertOutbox, now); err != nil {
			return fmt.Errorf("insert outbox: %w", err)
		}
	}
	if d.audit > 0 {
		if _, err := conn.Exec(ctx, insertAudit, d.audit, start, now); err != nil {
			return fmt.Errorf("insert audit log: %w", err)
		}
	}
	progress("messages, mail and audit log written (%s); ANALYZE", time.Since(begin).Round(time.Second))
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// dropIndexes drops the indexes of table that belong to no constraint and
// returns the statements that make them again.
func dropIndexes(ctx context.Context, conn *pgx.Conn, table string) ([]string, error) {
	rows, err := conn.Query(ctx, `
		SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.tablename = $1 AND i.schemaname = current_schema()
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, table)
	if err != nil {
		return nil, fmt.Errorf("list indexes of %s: %w", table, err)
	}
	type index struct{ name, def string }
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var i index
		return i, r.Scan(&i.name, &i.def)
	})
	if err != nil {
		return nil, fmt.Errorf("list indexes of %s: %w", table, err)
	}
	defs := make([]string, 0, len(list))
	for _, i := range list {
		if _, err := conn.Exec(ctx, "DROP INDEX "+pgx.Identifier{i.name}.Sanitize()); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", i.name, err)
		}
		defs = append(defs, i.def)
	}
	return defs, nil
}

// consentID is the SQL for the 22-character consent ID of ID number n.
const consentID = `translate(left(encode(decode(md5('c' || n), 'hex'), 'base64'), 22), '+/', '-_')`

// insertEvents writes events $1..$2 (inclusive). Events come in groups of
// six for three consent IDs: one with one choice, one with two, one with
// three. ID number n starts on day n / $3 after $4; no choice is after $5.
// The categories and vendors are those the site stores for each action
// (functional, always on, is not stored).
//
// Each event is linked into the consent chain in the same statement, as the
// server's chain would have done long ago: the running server finds nothing
// to link. The seals and links are stand-ins (verification fails on them).
var insertEvents = strings.NewReplacer("CONSENT_ID", consentID).Replace(`
	WITH ev AS (
	INSERT INTO consent_event (event_id, consent_id, chosen_at, recorded_at, policy_version, action,
		categories, vendors, banner_version, locale, path, gpc, client_network, user_agent)
	SELECT md5('e' || j)::uuid, CONSENT_ID, t, t, $6, a,
		CASE a WHEN 'accept_all' THEN '{analytics,advertising,social}'::text[]
		       WHEN 'save' THEN '{analytics}'::text[]
		       ELSE '{}'::text[] END,
		CASE a WHEN 'accept_all' THEN '{google-analytics,meta-pixel}'::text[]
		       WHEN 'save' THEN '{google-analytics}'::text[]
		       ELSE '{}'::text[] END,
		'bench-banner', (ARRAY['nl','nl','nl','fr','en'])[1 + h % 5],
		(ARRAY['/','/privacy','/contact','/cookies'])[1 + h % 4], h % 17 = 0,
		CASE WHEN h % 4 = 0 THEN ('2001:db8:' || to_hex(h % 65536) || '::/48')::cidr
		     ELSE ('198.51.' || (h % 256) || '.0/24')::cidr END,
		(ARRAY['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
		       'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
		       'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0',
		       'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36'])[1 + h % 4]
	FROM (
		SELECT j, n, k, h,
			-- A later choice that would fall after now wraps round to the
			-- start of the span rather than pile up on the last minute:
			-- every day, today too, holds about the same number of events,
			-- as on the site.
			$4::timestamptz + make_interval(secs => mod(
				extract(epoch FROM (n / $3) * interval '1 day' + (h % 86400) * interval '1 second'
				        + k * (1 + h % 500) * interval '1 hour')::bigint,
				extract(epoch FROM $5::timestamptz - $4::timestamptz)::bigint - 60)) AS t,
			CASE WHEN k > 0 AND h % 5 = 0 THEN 'withdraw'
			     ELSE (ARRAY['accept_all','accept_all','reject_all','save'])[1 + (h / 7) % 4] END AS a
		FROM (
			SELECT j, 3 * (j / 6) + (ARRAY[0,1,1,2,2,2])[1 + j % 6] AS n,
			       (ARRAY[0,0,1,0,1,2])[1 + j % 6] AS k,
			       abs(hashint8(j / 6 * 3 + (ARRAY[0,1,1,2,2,2])[1 + j % 6])::bigint) AS h
			FROM generate_series($1::bigint, $2::bigint) j
		) g
	) e
	-- In time order, as the site appends its events: a day's events
	-- lie together in the table, not spread over it.
	ORDER BY t
	RETURNING event_id)
	INSERT INTO consent_chain (pos, event_id, seal, link)
	SELECT row_number() OVER () + $1, event_id, sha256(uuid_send(event_id)), sha256(uuid_send(event_id) || '\x01'::bytea)
	FROM ev`)

// insertMessages writes $1 contact messages evenly between $2 and $3.
const insertMessages = `
	INSERT INTO contact_message (received_at, name, email, phone, phone_e164, message, locale,
		client_network, handled_at, spam_reason)
	SELECT at, first || ' ' || last,
		lower(first) || '.' || lower(replace(last, ' ', '')) || i % 97 || '@' ||
			(ARRAY['telenet.be','proximus.be','gmail.com','outlook.com','skynet.be'])[1 + i % 5],
		'0470 ' || lpad((i % 1000000)::text, 6, '0'), '+32470' || lpad((i % 1000000)::text, 6, '0'),
		(ARRAY['Graag een offerte voor de renovatie van onze keuken.',
		       'Wij plannen een uitbreiding van onze woning en zoeken een aannemer.',
		       'Bonjour, nous souhaitons rénover notre salle de bains.',
		       'Kunt u langskomen voor een dakisolatie? Wij wonen in Berchem.'])[1 + i % 4],
		(ARRAY['nl','nl','nl','fr','en'])[1 + i % 5],
		('203.0.' || (i % 256) || '.0/24')::cidr,
		CASE WHEN at < $3::timestamptz - interval '14 days' OR i % 3 = 0 THEN at + interval '2 days' END,
		CASE WHEN i % 50 = 0 THEN 'Verstuurd sneller dan een mens typt.' ELSE '' END
	FROM (
		SELECT i, $2::timestamptz + (i::float8 / $1) * ($3::timestamptz - $2::timestamptz) AS at,
			(ARRAY['Jan','Els','Pieter','An','Koen','Sofie','Marc','Lien','Wouter','Nathalie',
			       'Luc','Inge','Bart','Katrien','Tom','Veerle','Dirk','Sarah','Geert','Hilde'])[1 + i % 20] AS first,
			(ARRAY['Peeters','Janssens','Maes','Jacobs','Mertens','Willems','Claes','Goossens',
			       'Wouters','De Smet','Dubois','Lambert','Van den Broeck','Hermans','Aerts',
			       'Vermeulen','Desmet','Martens','Michiels','Verstraeten','Dupont','Leclercq'])[1 + (i / 20) % 22] AS last
		FROM generate_series(1, $1::bigint) i
	) m`

// insertOutbox writes a notification mail for each message of the last 60
// days before $1: sent a minute after it arrived, but for every 40th (still
// waiting, a failed attempt behind it) and the last ten (waiting).
const insertOutbox = `
	INSERT INTO mail_outbox (created_at, kind, contact_message_id, to_addr, reply_to, subject, body_text,
		attempts, next_attempt_at, sent_at, last_error)
	SELECT received_at, 'contact_notification', id, 'info@conpro-bouw.be', email,
		'Nieuw bericht van ' || name, message,
		CASE WHEN unsent AND id % 40 = 0 THEN 3 WHEN unsent THEN 0 ELSE 1 END,
		received_at + interval '10 minutes',
		CASE WHEN NOT unsent THEN received_at + interval '1 minute' END,
		CASE WHEN unsent AND id % 40 = 0 THEN 'smtp: 451 4.7.1 try again later' ELSE '' END
	FROM (
		SELECT m.*, (id % 40 = 0 OR id > (SELECT max(id) - 10 FROM contact_message)) AS unsent
		FROM contact_message m WHERE received_at >= $1::timestamptz - interval '60 days'
	) m
	ORDER BY id`

// insertAudit writes $1 audit entries evenly between $2 and $3, by five
// staff members.
const insertAudit = `
	INSERT INTO audit_log (at, staff_id, staff_email, action, target, detail)
	SELECT $2::timestamptz + (i::float8 / $1) * ($3::timestamptz - $2::timestamptz), 1 + i % 5,
		(ARRAY['els@conpro-bouw.be','koen@conpro-bouw.be','sofie@conpro-bouw.be','marc@conpro-bouw.be','lien@conpro-bouw.be'])[1 + i % 5],
		(ARRAY['read_message','mark_handled','lookup_consent','list_messages','login'])[1 + i % 5],
		CASE WHEN i % 5 IN (0, 1) THEN (1 + i % 100000)::text ELSE '' END, ''
	FROM generate_series(1, $1::bigint) i`
