package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/consent"
	"conpro/internal/consentlog"
)

// chainLockKey is the advisory lock that lets one instance at a time extend
// the consent chain.
const chainLockKey = 0x636f6e70726f02

// WithChainLock runs f while this instance holds the chain's lock; ran is
// false when another instance holds it.
func (db *DB) WithChainLock(ctx context.Context, f func(ctx context.Context) error) (ran bool, err error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("chain lock: %w", err)
	}
	defer conn.Release()
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", chainLockKey).Scan(&got); err != nil {
		return false, fmt.Errorf("chain lock: %w", err)
	}
	if !got {
		return false, nil
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", chainLockKey) //nolint:errcheck
	return true, f(ctx)
}

// ChainHead returns the last link of the chain (Pos 0 when it is empty).
func (db *DB) ChainHead(ctx context.Context) (consentlog.ChainLink, error) {
	var l consentlog.ChainLink
	err := db.pool.QueryRow(ctx, `SELECT pos, event_id::text, seal, link, sealed_at FROM consent_chain ORDER BY pos DESC LIMIT 1`).
		Scan(&l.Pos, &l.EventID, &l.Seal, &l.Link, &l.SealedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return consentlog.ChainLink{}, nil
	}
	if err != nil {
		return l, fmt.Errorf("chain head: %w", err)
	}
	return l, nil
}

// storedEventColumns are what a StoredEvent is read from, event e.
const storedEventColumns = `e.event_id::text, e.consent_id, e.chosen_at, e.policy_version, e.action, e.categories,
	e.vendors, e.banner_version, e.locale, e.path, e.gpc, e.client_network, e.user_agent, e.seal, e.recorded_at,
	e.recorded_at < (SELECT min(started_at) FROM consent_seal_start)`

// scanStoredEvent reads a row of storedEventColumns, and more columns
// after them into more.
func scanStoredEvent(row pgx.Row, more ...any) (consentlog.StoredEvent, error) {
	var (
		e       consentlog.StoredEvent
		action  string
		cats    []string
		network *netip.Prefix
		at      time.Time
	)
	err := row.Scan(append([]any{&e.ID, &e.ConsentID, &at, &e.PolicyVersion, &action, &cats, &e.Vendors,
		&e.BannerVersion, &e.Locale, &e.Path, &e.GPC, &network, &e.UserAgent, &e.Seal, &e.RecordedAt, &e.Legacy}, more...)...)
	if err != nil {
		return e, err
	}
	e.Time, e.RecordedAt = at.UTC(), e.RecordedAt.UTC()
	e.Action = consent.Action(action)
	for _, c := range cats {
		e.Categories = append(e.Categories, consent.Category(c))
	}
	if network != nil {
		e.Network = *network
	}
	return e, nil
}

// Unchained returns up to limit events recorded since since (all, when it
// is zero) that are not yet in the chain, in the order they were recorded.
// A recent since keeps the read to the newest events (an index range)
// however long the log is.
//
// The statement is planned for each since (QueryExecModeExec: no plan kept
// across calls). A plan kept for any since expects a third of the log and
// reads the whole chain each time, to tell the linked events from the
// others; planned for a recent since, it looks up only the events in range.
func (db *DB) Unchained(ctx context.Context, since time.Time, limit int) ([]consentlog.StoredEvent, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT `+storedEventColumns+`
		FROM consent_event e
		WHERE e.recorded_at >= $1
		  AND NOT EXISTS (SELECT 1 FROM consent_chain c WHERE c.event_id = e.event_id)
		ORDER BY e.recorded_at, e.event_id
		LIMIT $2`, pgx.QueryExecModeExec, since, limit)
	if err != nil {
		return nil, fmt.Errorf("unchained consent events: %w", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (consentlog.StoredEvent, error) { return scanStoredEvent(row) })
	if err != nil {
		return nil, fmt.Errorf("unchained consent events: %w", err)
	}
	return events, nil
}

// AppendChain adds links to the chain, all or none, in one statement.
func (db *DB) AppendChain(ctx context.Context, links []consentlog.ChainLink) error {
	n := len(links)
	pos, ids, seals, link := make([]int64, n), make([]string, n), make([][]byte, n), make([][]byte, n)
	for i, l := range links {
		pos[i], ids[i], seals[i], link[i] = l.Pos, l.EventID, l.Seal, l.Link
	}
	_, err := db.pool.Exec(ctx, `
		INSERT INTO consent_chain (pos, event_id, seal, link)
		SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bytea[], $4::bytea[])`, pos, ids, seals, link)
	if err != nil {
		return fmt.Errorf("append to the consent chain: %w", err)
	}
	return nil
}

// EachChained calls f for every link of the chain in order, with its event
// (nil when it is gone) and the reason of a tombstone.
func (db *DB) EachChained(ctx context.Context, f func(consentlog.Chained) error) error {
	rows, err := db.pool.Query(ctx, `
		SELECT c.pos, c.event_id::text, c.seal, c.link, coalesce(t.reason, ''), e.event_id IS NOT NULL,
			`+storedEventColumns+`
		FROM consent_chain c
		LEFT JOIN consent_event e ON e.event_id = c.event_id
		LEFT JOIN consent_tombstone t ON t.event_id = c.event_id
		ORDER BY c.pos`)
	if err != nil {
		return fmt.Errorf("read the consent chain: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c                                         consentlog.Chained
			present                                   bool
			e                                         consentlog.StoredEvent
			id, cid, action, banner, locale, path, ua *string
			at, recorded                              *time.Time
			pv                                        *int
			cats, vendors                             []string
			gpc, legacy                               *bool
			network                                   *netip.Prefix
			seal                                      []byte
		)
		if err := rows.Scan(&c.Pos, &c.EventID, &c.Seal, &c.Link, &c.Tombstone, &present,
			&id, &cid, &at, &pv, &action, &cats, &vendors, &banner, &locale, &path, &gpc, &network, &ua, &seal, &recorded, &legacy); err != nil {
			return fmt.Errorf("read the consent chain: %w", err)
		}
		if present {
			e.ID, e.ConsentID, e.Time, e.PolicyVersion, e.Action = *id, *cid, at.UTC(), *pv, consent.Action(*action)
			for _, x := range cats {
				e.Categories = append(e.Categories, consent.Category(x))
			}
			e.Vendors, e.BannerVersion, e.Locale, e.Path, e.GPC, e.UserAgent, e.Seal = vendors, *banner, *locale, *path, *gpc, *ua, seal
			e.RecordedAt = recorded.UTC()
			if network != nil {
				e.Network = *network
			}
			e.Legacy = legacy != nil && *legacy
			c.Event = &e
		}
		if err := f(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachUnchained calls f for every event not in the chain.
func (db *DB) EachUnchained(ctx context.Context, f func(consentlog.StoredEvent) error) error {
	rows, err := db.pool.Query(ctx, `
		SELECT `+storedEventColumns+`
		FROM consent_event e
		WHERE NOT EXISTS (SELECT 1 FROM consent_chain c WHERE c.event_id = e.event_id)
		ORDER BY e.recorded_at, e.event_id`)
	if err != nil {
		return fmt.Errorf("unchained consent events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanStoredEvent(rows)
		if err != nil {
			return fmt.Errorf("unchained consent events: %w", err)
		}
		if err := f(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LastVerifiedHead is the chain head the last verification saw.
func (db *DB) LastVerifiedHead(ctx context.Context) (consentlog.ChainLink, error) {
	var l consentlog.ChainLink
	err := db.pool.QueryRow(ctx, `
		SELECT head_pos, head_link, head_event::text FROM consent_verification
		WHERE ok AND head_pos > 0 ORDER BY id DESC LIMIT 1`).Scan(&l.Pos, &l.Link, &l.EventID)
	if errors.Is(err, pgx.ErrNoRows) {
		return consentlog.ChainLink{}, nil
	}
	if err != nil {
		return l, fmt.Errorf("last verified head: %w", err)
	}
	return l, nil
}

// RecordVerification keeps what a verification found.
func (db *DB) RecordVerification(ctx context.Context, r consentlog.Report) error {
	var failed, headEvent *string
	if r.Head.Pos > 0 {
		headEvent = &r.Head.EventID
	}
	failure := ""
	if r.Failure != nil {
		failed, failure = &r.Failure.EventID, string(r.Failure.Reason)
		if *failed == "" {
			failed = nil
		}
	}
	_, err := db.pool.Exec(ctx, `
		INSERT INTO consent_verification (verified_at, ok, checked, removed, pending, head_pos, head_event, head_link, failed_event, failure)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.At, r.OK(), r.Checked, r.Removed, r.Pending, r.Head.Pos, headEvent, r.Head.Link, failed, failure)
	if err != nil {
		return fmt.Errorf("record the verification: %w", err)
	}
	return nil
}

// ArchiveConsentText keeps a text visitors consent to under its version
// (a digest), once.
func (db *DB) ArchiveConsentText(ctx context.Context, version, body string) error {
	if _, err := db.pool.Exec(ctx, `INSERT INTO consent_text (digest, body) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING`, version, body); err != nil {
		return fmt.Errorf("archive consent text: %w", err)
	}
	return nil
}

// ConsentText returns an archived text by its version ("" when unknown).
func (db *DB) ConsentText(ctx context.Context, version string) (string, error) {
	var body string
	err := db.pool.QueryRow(ctx, `SELECT body FROM consent_text WHERE digest = $1`, version).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("consent text: %w", err)
	}
	return body, nil
}

// ConsentTexts returns the archived texts of the given versions in one
// query; a version the archive does not hold is absent from the map.
func (db *DB) ConsentTexts(ctx context.Context, versions []string) (map[string]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT digest, body FROM consent_text WHERE digest = ANY($1)`, versions)
	if err != nil {
		return nil, fmt.Errorf("consent texts: %w", err)
	}
	texts := map[string]string{}
	var digest, body string
	_, err = pgx.ForEachRow(rows, []any{&digest, &body}, func() error {
		texts[digest] = body
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("consent texts: %w", err)
	}
	return texts, nil
}

// ConsentRecord returns the events of one consent ID as the log holds them,
// oldest first, each with the seal the chain keeps for it.
func (db *DB) ConsentRecord(ctx context.Context, consentID string) ([]consentlog.RecordedEvent, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT `+storedEventColumns+`, c.seal
		FROM consent_event e
		LEFT JOIN consent_chain c ON c.event_id = e.event_id
		WHERE e.consent_id = $1
		ORDER BY e.chosen_at, e.recorded_at`, consentID)
	if err != nil {
		return nil, fmt.Errorf("consent record: %w", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (consentlog.RecordedEvent, error) {
		var chainSeal []byte
		e, err := scanStoredEvent(row, &chainSeal)
		return consentlog.RecordedEvent{StoredEvent: e, ChainSeal: chainSeal}, err
	})
	if err != nil {
		return nil, fmt.Errorf("consent record: %w", err)
	}
	return events, nil
}

// Verifications returns the last verifications, newest first.
func (db *DB) Verifications(ctx context.Context, limit int) ([]consentlog.Verification, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT verified_at, ok, checked, removed, pending, head_pos, coalesce(failed_event::text, ''), failure
		FROM consent_verification ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("verifications: %w", err)
	}
	vs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (consentlog.Verification, error) {
		var v consentlog.Verification
		var reason string
		err := row.Scan(&v.At, &v.OK, &v.Checked, &v.Removed, &v.Pending, &v.Links, &v.FailedEvent, &reason)
		v.Reason = consentlog.Reason(reason)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("verifications: %w", err)
	}
	return vs, nil
}
