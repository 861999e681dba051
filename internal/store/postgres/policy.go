package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/policy"
	"conpro/internal/staff"
)

// RecordPolicyVersions keeps the seed (version 2) as the first stored text
// if it is not there yet, records every published number in
// policy_version, and returns the numbers whose text differs from what was
// first served under them.
func (db *DB) RecordPolicyVersions(ctx context.Context, seed policy.Text) (changed []int, err error) {
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		rendered, err := json.Marshal(seed.Rendered)
		if err != nil {
			return fmt.Errorf("encode policy version %d: %w", seed.Number, err)
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO policy_text (number, status, markdown, summary, effective_on, rendered, digest, published_at, published_by)
			VALUES ($1, 'published', $2, $3, $4, $5, $6, now(), '')
			ON CONFLICT (number) DO NOTHING`,
			seed.Number, seed.Markdown, seed.Summary, seed.EffectiveOn, rendered, seed.Digest[:])
		if err != nil {
			return fmt.Errorf("keep policy version %d: %w", seed.Number, err)
		}
		rows, err := tx.Query(ctx, `SELECT number, effective_on, digest FROM policy_text WHERE status = 'published' ORDER BY number`)
		if err != nil {
			return fmt.Errorf("read policy versions: %w", err)
		}
		type version struct {
			number int
			day    time.Time
			digest []byte
		}
		vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (version, error) {
			var v version
			return v, r.Scan(&v.number, &v.day, &v.digest)
		})
		if err != nil {
			return fmt.Errorf("read policy versions: %w", err)
		}
		for _, v := range vs {
			if _, err := tx.Exec(ctx, `
				INSERT INTO policy_version (number, published_on, content_sha256) VALUES ($1, $2, $3)
				ON CONFLICT (number) DO NOTHING`, v.number, v.day, v.digest); err != nil {
				return fmt.Errorf("record policy version %d: %w", v.number, err)
			}
			var first []byte
			if err := tx.QueryRow(ctx, `SELECT content_sha256 FROM policy_version WHERE number = $1`, v.number).Scan(&first); err != nil {
				return fmt.Errorf("read policy version %d: %w", v.number, err)
			}
			// The seed's text in the code changed since it was kept: the
			// database keeps what was published.
			edited := v.number == seed.Number && string(v.digest) != string(seed.Digest[:])
			if string(first) != string(v.digest) || edited {
				changed = append(changed, v.number)
			}
		}
		return nil
	})
	return changed, err
}

const policyColumns = `id, coalesce(number, 0), status, markdown, markdown_fr, markdown_en, summary,
	effective_on, rendered, digest, created_at, updated_at, published_at, published_by`

func scanPolicy(row pgx.Row) (policy.Text, error) {
	var (
		t         policy.Text
		status    string
		day       *time.Time
		rendered  []byte
		digest    []byte
		published *time.Time
	)
	err := row.Scan(&t.ID, &t.Number, &status, &t.Markdown, &t.MarkdownFR, &t.MarkdownEN, &t.Summary,
		&day, &rendered, &digest, &t.CreatedAt, &t.UpdatedAt, &published, &t.PublishedBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, policy.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("read policy text: %w", err)
	}
	t.Status = policy.Status(status)
	if day != nil {
		t.EffectiveOn = *day
	}
	if published != nil {
		t.PublishedAt = *published
	}
	if rendered != nil {
		if err := json.Unmarshal(rendered, &t.Rendered); err != nil {
			return t, fmt.Errorf("read policy text %d: %w", t.ID, err)
		}
	}
	copy(t.Digest[:], digest)
	return t, nil
}

func (db *DB) policyTexts(ctx context.Context, where string) ([]policy.Text, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+policyColumns+` FROM policy_text `+where)
	if err != nil {
		return nil, fmt.Errorf("read policy texts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (policy.Text, error) { return scanPolicy(r) })
}

// PublishedPolicies returns every published version, scheduled ones
// included, oldest first.
func (db *DB) PublishedPolicies(ctx context.Context) ([]policy.Text, error) {
	return db.policyTexts(ctx, `WHERE status = 'published' ORDER BY number`)
}

// PolicyTexts returns every stored text: the drafts, newest first, then the
// published versions, newest first.
func (db *DB) PolicyTexts(ctx context.Context) ([]policy.Text, error) {
	return db.policyTexts(ctx, `ORDER BY status = 'published', number DESC NULLS FIRST, id DESC`)
}

// PolicyText returns one stored text by its ID.
func (db *DB) PolicyText(ctx context.Context, id int64) (policy.Text, error) {
	return scanPolicy(db.pool.QueryRow(ctx, `SELECT `+policyColumns+` FROM policy_text WHERE id = $1`, id))
}

// CreatePolicyDraft keeps a new draft and returns its ID.
func (db *DB) CreatePolicyDraft(ctx context.Context, t policy.Text, audit staff.AuditEntry) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO policy_text (markdown, markdown_fr, markdown_en, summary, effective_on)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			t.Markdown, t.MarkdownFR, t.MarkdownEN, t.Summary, dayOrNull(t.EffectiveOn)).Scan(&id)
		if err != nil {
			return fmt.Errorf("keep policy draft: %w", err)
		}
		audit.Target = fmt.Sprintf("policy_text:%d", id)
		return insertAudit(ctx, tx, audit)
	})
	return id, err
}

// UpdatePolicyDraft changes a draft; a published version refuses with
// policy.ErrPublished.
func (db *DB) UpdatePolicyDraft(ctx context.Context, id int64, t policy.Text, audit staff.AuditEntry) error {
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		if err := lockDraft(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			UPDATE policy_text SET markdown = $2, markdown_fr = $3, markdown_en = $4, summary = $5,
				effective_on = $6, updated_at = now()
			WHERE id = $1`,
			id, t.Markdown, t.MarkdownFR, t.MarkdownEN, t.Summary, dayOrNull(t.EffectiveOn))
		if err != nil {
			return fmt.Errorf("change policy draft: %w", err)
		}
		return nil
	})
}

// DeletePolicyDraft removes a draft.
func (db *DB) DeletePolicyDraft(ctx context.Context, id int64, audit staff.AuditEntry) error {
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		if err := lockDraft(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM policy_text WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete policy draft: %w", err)
		}
		return nil
	})
}

func lockDraft(ctx context.Context, tx pgx.Tx, id int64) error {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM policy_text WHERE id = $1 FOR UPDATE`, id).Scan(&status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return policy.ErrNotFound
	case err != nil:
		return fmt.Errorf("read policy draft: %w", err)
	case status != string(policy.Draft):
		return policy.ErrPublished
	}
	return nil
}

// PublishPolicy publishes draft id under the next version number: finish
// gets the draft with its number and returns it as it is published
// (rendered, with its digest; or an error to refuse). The version, its
// number in policy_version and the audit entry are written together, and
// versions are numbered one at a time.
func (db *DB) PublishPolicy(ctx context.Context, id int64, finish func(policy.Text) (policy.Text, error), audit staff.AuditEntry) (policy.Text, error) {
	var out policy.Text
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// One publication at a time: two would take the same number.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('policy_text publish'))`); err != nil {
			return fmt.Errorf("lock policy versions: %w", err)
		}
		if err := lockDraft(ctx, tx, id); err != nil {
			return err
		}
		t, err := scanPolicy(tx.QueryRow(ctx, `SELECT `+policyColumns+` FROM policy_text WHERE id = $1`, id))
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(number), 0) + 1 FROM policy_text`).Scan(&t.Number); err != nil {
			return fmt.Errorf("number policy version: %w", err)
		}
		if t, err = finish(t); err != nil {
			return err
		}
		rendered, err := json.Marshal(t.Rendered)
		if err != nil {
			return fmt.Errorf("encode policy version %d: %w", t.Number, err)
		}
		err = tx.QueryRow(ctx, `
			UPDATE policy_text SET number = $2, status = 'published', rendered = $3, digest = $4,
				published_at = now(), published_by = $5, updated_at = now()
			WHERE id = $1 RETURNING published_at`,
			id, t.Number, rendered, t.Digest[:], t.PublishedBy).Scan(&t.PublishedAt)
		if err != nil {
			return fmt.Errorf("publish policy version %d: %w", t.Number, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO policy_version (number, published_on, content_sha256) VALUES ($1, $2, $3)`,
			t.Number, t.EffectiveOn, t.Digest[:]); err != nil {
			return fmt.Errorf("record policy version %d: %w", t.Number, err)
		}
		audit.Target = fmt.Sprintf("policy_version:%d", t.Number)
		out = t
		return insertAudit(ctx, tx, audit)
	})
	return out, err
}

func dayOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
