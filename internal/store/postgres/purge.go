package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// purgeLockKey keeps two instances from purging at the same time.
const purgeLockKey = 7_340_221_906

// WithPurgeLock runs f while holding the purge lock; when another instance
// holds it, f does not run and ran is false.
func (db *DB) WithPurgeLock(ctx context.Context, f func(ctx context.Context) error) (ran bool, err error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("purge lock: %w", err)
	}
	defer conn.Release()
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", purgeLockKey).Scan(&got); err != nil {
		return false, fmt.Errorf("purge lock: %w", err)
	}
	if !got {
		return false, nil
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", purgeLockKey) //nolint:errcheck
	return true, f(ctx)
}

// deleteInBatches runs a DELETE … WHERE id IN (SELECT … LIMIT $2) until it
// deletes fewer rows than a batch, so no statement holds many locks.
func (db *DB) deleteInBatches(ctx context.Context, sql string, before time.Time, batch int) (int64, error) {
	var total int64
	for {
		tag, err := db.pool.Exec(ctx, sql, before, batch)
		if err != nil {
			return total, err
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < int64(batch) {
			return total, nil
		}
	}
}

func (db *DB) count(ctx context.Context, sql string, before time.Time) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, sql, before).Scan(&n)
	return n, err
}

// PurgeContactMessages deletes contact messages that arrived before the
// given time, with their notification mails (which copy them). With dryRun
// it only counts them.
func (db *DB) PurgeContactMessages(ctx context.Context, before time.Time, batch int, dryRun bool) (int64, error) {
	if dryRun {
		n, err := db.count(ctx, `SELECT count(*) FROM contact_message WHERE received_at < $1`, before)
		if err != nil {
			return 0, fmt.Errorf("count old contact messages: %w", err)
		}
		return n, nil
	}
	var total int64
	for {
		var n int64
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id FROM contact_message WHERE received_at < $1 ORDER BY id LIMIT $2 FOR UPDATE`, before, batch)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM mail_outbox WHERE contact_message_id = ANY($1)`, ids); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `DELETE FROM contact_message WHERE id = ANY($1)`, ids)
			n = tag.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("purge contact messages: %w", err)
		}
		total += n
		if n < int64(batch) {
			return total, nil
		}
	}
}

// PurgeConsentEvents deletes the whole log of every consent ID whose last
// choice was made before the given time.
func (db *DB) PurgeConsentEvents(ctx context.Context, lastChoiceBefore time.Time, batch int, dryRun bool) (int64, error) {
	// The IDs whose last choice is before $1: those with a choice before $1
	// (the chosen_at index, only the old part of the log) whose latest
	// choice is before $1 too (the consent_id index, one probe each). The
	// same IDs as GROUP BY consent_id HAVING max(chosen_at) < $1, which read
	// the whole log. The latest choice is a scalar subquery, not NOT EXISTS:
	// the planner turns NOT EXISTS into an anti join, and within a DELETE
	// it chose to hash the whole log for it (a sequential scan of 10
	// million events per batch of the purge, 20 s each).
	const old = `SELECT e.consent_id FROM consent_event e WHERE e.chosen_at < $1
		AND (SELECT max(l.chosen_at) FROM consent_event l WHERE l.consent_id = e.consent_id) < $1`
	if dryRun {
		n, err := db.count(ctx, `SELECT count(*) FROM consent_event WHERE consent_id IN (`+old+`)`, lastChoiceBefore)
		if err != nil {
			return 0, fmt.Errorf("count old consent events: %w", err)
		}
		return n, nil
	}
	// The old IDs are read once, then deleted a batch at a time, each ID's
	// entries together: a batch that took the oldest IDs still in the log
	// would read again, each time, the old choices of the IDs that stay
	// (chosen long ago, but chosen again since). An ID chosen again since
	// it was read is left (the delete asks once more).
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT consent_id FROM (`+old+`) AS o`, lastChoiceBefore)
	if err != nil {
		return 0, fmt.Errorf("find old consent IDs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("find old consent IDs: %w", err)
	}
	batch = max(batch, 1)
	var total int64
	for len(ids) > 0 {
		chunk := ids[:min(batch, len(ids))]
		ids = ids[len(chunk):]
		// Each removed event leaves a tombstone: the consent log's
		// verification tells the purge from a removal that should not
		// have happened.
		tag, err := db.pool.Exec(ctx, `
			WITH gone AS (
				DELETE FROM consent_event AS e WHERE e.consent_id = ANY($2)
					AND (SELECT max(l.chosen_at) FROM consent_event l WHERE l.consent_id = e.consent_id) < $1
				RETURNING e.event_id
			)
			INSERT INTO consent_tombstone (event_id, reason) SELECT event_id, 'retention' FROM gone`, lastChoiceBefore, chunk)
		if err != nil {
			return total, fmt.Errorf("purge consent events: %w", err)
		}
		total += tag.RowsAffected()
	}
	return total, nil
}

// PurgeSentMail deletes outbox rows sent before the given time. Unsent mail
// stays until it is sent (or its message is purged).
func (db *DB) PurgeSentMail(ctx context.Context, sentBefore time.Time, batch int, dryRun bool) (int64, error) {
	if dryRun {
		n, err := db.count(ctx, `SELECT count(*) FROM mail_outbox WHERE sent_at < $1`, sentBefore)
		if err != nil {
			return 0, fmt.Errorf("count old sent mail: %w", err)
		}
		return n, nil
	}
	n, err := db.deleteInBatches(ctx, `
		DELETE FROM mail_outbox WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at < $1 ORDER BY id LIMIT $2)`, sentBefore, batch)
	if err != nil {
		return n, fmt.Errorf("purge sent mail: %w", err)
	}
	return n, nil
}

// PurgePrivacyRequests deletes requests whose link was never opened before
// unverifiedBefore, and verified ones made before verifiedBefore, with their
// mails; it also forgets the hashes of tokens expired at now and the
// address of a done request verified before addressesBefore. With dryRun it
// only counts the requests.
func (db *DB) PurgePrivacyRequests(ctx context.Context, unverifiedBefore, verifiedBefore, addressesBefore, now time.Time, dryRun bool) (int64, error) {
	const old = `SELECT id FROM privacy_request
		WHERE (verified_at IS NULL AND created_at < $1) OR (verified_at IS NOT NULL AND created_at < $2)`
	if dryRun {
		var n int64
		err := db.pool.QueryRow(ctx, `SELECT count(*) FROM (`+old+`) o`, unverifiedBefore, verifiedBefore).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("count old privacy requests: %w", err)
		}
		return n, nil
	}
	var n int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM mail_outbox WHERE privacy_request_id IN (`+old+`)`, unverifiedBefore, verifiedBefore); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM privacy_request WHERE id IN (`+old+`)`, unverifiedBefore, verifiedBefore)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `UPDATE privacy_request SET token_hash = NULL WHERE token_hash IS NOT NULL AND token_expires_at < $1`, now); err != nil {
			return err
		}
		// The keyed hash stays.
		_, err = tx.Exec(ctx, `UPDATE privacy_request SET email = NULL
			WHERE email IS NOT NULL AND status = 'done' AND verified_at < $1`, addressesBefore)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge privacy requests: %w", err)
	}
	return n, nil
}
