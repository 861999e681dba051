package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"conpro/internal/media"
	"conpro/internal/page"
	"conpro/internal/staff"
)

// pageColumns reads a page with its latest revision.
const pageColumns = `
	SELECT p.id, p.slug, p.state, p.position, r.number, coalesce(p.published_revision, 0),
	       r.texts, coalesce(r.photo_id, 0), r.saved_at, r.saved_by
	FROM page p
	JOIN LATERAL (SELECT * FROM page_revision WHERE page_id = p.id ORDER BY number DESC LIMIT 1) r ON true`

func scanPage(row pgx.Row) (page.Page, error) {
	var p page.Page
	var texts []byte
	var state string
	err := row.Scan(&p.ID, &p.Slug, &state, &p.Position, &p.Revision, &p.PublishedRevision, &texts, &p.PhotoID, &p.UpdatedAt, &p.UpdatedBy)
	if err != nil {
		return page.Page{}, err
	}
	p.State = page.State(state)
	if err := json.Unmarshal(texts, &p.Texts); err != nil {
		return page.Page{}, fmt.Errorf("read page texts: %w", err)
	}
	return p, nil
}

// Pages lists every page with its latest revision, in navigation order.
func (db *DB) Pages(ctx context.Context) ([]page.Page, error) {
	rows, err := db.pool.Query(ctx, pageColumns+` ORDER BY p.position, p.id`)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (page.Page, error) { return scanPage(row) })
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	return out, nil
}

// Page reads a page with its latest revision; page.ErrNotFound when there
// is none by that number.
func (db *DB) Page(ctx context.Context, id int64) (page.Page, error) {
	p, err := scanPage(db.pool.QueryRow(ctx, pageColumns+` WHERE p.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return page.Page{}, page.ErrNotFound
	}
	if err != nil {
		return page.Page{}, fmt.Errorf("read page: %w", err)
	}
	return p, nil
}

// slugTaken turns the unique address's violation into page.ErrSlugTaken.
func slugTaken(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return page.ErrSlugTaken
	}
	return err
}

func addRevision(ctx context.Context, tx pgx.Tx, id int64, c page.Content, by string, restoredFrom int) error {
	texts, err := json.Marshal(c.Texts)
	if err != nil {
		return err
	}
	var photo, from any
	if c.PhotoID != 0 {
		photo = c.PhotoID
	}
	if restoredFrom != 0 {
		from = restoredFrom
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO page_revision (page_id, number, texts, photo_id, saved_by, restored_from)
		SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5 FROM page_revision WHERE page_id = $1`,
		id, texts, photo, by, from)
	return err
}

// lockPage takes the page's row for the transaction (so that two saves
// number their revisions one after the other); page.ErrNotFound when
// there is none.
func lockPage(ctx context.Context, tx pgx.Tx, id int64) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM page WHERE id = $1 FOR UPDATE`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return page.ErrNotFound
	}
	return err
}

// CreatePage keeps a new draft page, last in the navigation, with its
// first revision and the audit entry; page.ErrSlugTaken when another page
// has the address.
func (db *DB) CreatePage(ctx context.Context, slug string, c page.Content, audit staff.AuditEntry) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE page IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO page (slug, position) SELECT $1, coalesce(max(position), 0) + 1 FROM page
			RETURNING id`, slug).Scan(&id)
		if err != nil {
			return err
		}
		if err := addRevision(ctx, tx, id, c, audit.StaffEmail, 0); err != nil {
			return err
		}
		audit.Target = "page:" + strconv.FormatInt(id, 10)
		return insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return 0, fmt.Errorf("create page: %w", slugTaken(err))
	}
	return id, nil
}

// SavePage keeps a new revision of a page (and its address), with the
// audit entry; visitors go on seeing the published revision.
func (db *DB) SavePage(ctx context.Context, id int64, slug string, c page.Content, audit staff.AuditEntry) error {
	err := db.audited(ctx, audit, func(tx pgx.Tx) error {
		if err := lockPage(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE page SET slug = $2 WHERE id = $1`, id, slug); err != nil {
			return err
		}
		return addRevision(ctx, tx, id, c, audit.StaffEmail, 0)
	})
	if err != nil {
		return fmt.Errorf("save page: %w", slugTaken(err))
	}
	return nil
}

// PageRevisions lists a page's revisions, newest first.
func (db *DB) PageRevisions(ctx context.Context, id int64) ([]page.Revision, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT r.number, r.texts, coalesce(r.photo_id, 0), r.saved_at, r.saved_by, coalesce(r.restored_from, 0),
		       p.state = 'published' AND r.number = p.published_revision
		FROM page_revision r JOIN page p ON p.id = r.page_id
		WHERE r.page_id = $1 ORDER BY r.number DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("list page revisions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (page.Revision, error) {
		var r page.Revision
		var texts []byte
		if err := row.Scan(&r.Number, &texts, &r.PhotoID, &r.SavedAt, &r.SavedBy, &r.RestoredFrom, &r.Published); err != nil {
			return r, err
		}
		return r, json.Unmarshal(texts, &r.Texts)
	})
	if err != nil {
		return nil, fmt.Errorf("list page revisions: %w", err)
	}
	if len(out) == 0 {
		return nil, page.ErrNotFound
	}
	return out, nil
}

// RestorePage keeps, as a new revision, what revision number held.
func (db *DB) RestorePage(ctx context.Context, id int64, number int, audit staff.AuditEntry) error {
	err := db.audited(ctx, audit, func(tx pgx.Tx) error {
		if err := lockPage(ctx, tx, id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO page_revision (page_id, number, texts, photo_id, saved_by, restored_from)
			SELECT $1, (SELECT max(number) + 1 FROM page_revision WHERE page_id = $1), texts, photo_id, $3, number
			FROM page_revision WHERE page_id = $1 AND number = $2`, id, number, audit.StaffEmail)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return page.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("restore page: %w", err)
	}
	return nil
}

// PublishPage puts a page's latest revision online.
func (db *DB) PublishPage(ctx context.Context, id int64, audit staff.AuditEntry) error {
	return db.setPageState(ctx, id, `
		UPDATE page SET state = 'published', published_at = now(),
		       published_revision = (SELECT max(number) FROM page_revision WHERE page_id = $1)
		WHERE id = $1`, audit)
}

// UnpublishPage takes a page offline; its revisions stay.
func (db *DB) UnpublishPage(ctx context.Context, id int64, audit staff.AuditEntry) error {
	return db.setPageState(ctx, id, `UPDATE page SET state = 'unpublished' WHERE id = $1 AND state = 'published'`, audit)
}

func (db *DB) setPageState(ctx context.Context, id int64, update string, audit staff.AuditEntry) error {
	err := db.audited(ctx, audit, func(tx pgx.Tx) error {
		if err := lockPage(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, update, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("change page state: %w", err)
	}
	return nil
}

// MovePage swaps a page's place in the navigation with the page before it
// (up) or after it; at either end nothing moves.
func (db *DB) MovePage(ctx context.Context, id int64, up bool, audit staff.AuditEntry) error {
	err := db.audited(ctx, audit, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE page IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var pos int
		err := tx.QueryRow(ctx, `SELECT position FROM page WHERE id = $1`, id).Scan(&pos)
		if errors.Is(err, pgx.ErrNoRows) {
			return page.ErrNotFound
		}
		if err != nil {
			return err
		}
		neighbour := `SELECT id, position FROM page WHERE position > $1 ORDER BY position LIMIT 1`
		if up {
			neighbour = `SELECT id, position FROM page WHERE position < $1 ORDER BY position DESC LIMIT 1`
		}
		var otherID int64
		var otherPos int
		err = tx.QueryRow(ctx, neighbour, pos).Scan(&otherID, &otherPos)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE page SET position = CASE id WHEN $1 THEN $2::integer ELSE $3::integer END WHERE id IN ($1, $4)`, id, otherPos, pos, otherID)
		return err
	})
	if err != nil {
		return fmt.Errorf("move page: %w", err)
	}
	return nil
}

// LivePages reads the published pages with their published revision, in
// navigation order.
func (db *DB) LivePages(ctx context.Context) ([]page.Live, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT p.id, p.slug, p.position, r.number, r.texts, coalesce(r.photo_id, 0), p.published_at
		FROM page p JOIN page_revision r ON r.page_id = p.id AND r.number = p.published_revision
		WHERE p.state = 'published'
		ORDER BY p.position, p.id`)
	if err != nil {
		return nil, fmt.Errorf("read published pages: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (page.Live, error) {
		var l page.Live
		var texts []byte
		if err := row.Scan(&l.ID, &l.Slug, &l.Position, &l.Revision, &texts, &l.PhotoID, &l.PublishedAt); err != nil {
			return l, err
		}
		return l, json.Unmarshal(texts, &l.Texts)
	})
	if err != nil {
		return nil, fmt.Errorf("read published pages: %w", err)
	}
	return out, nil
}

// PhotosByID reads the photos with those numbers, with their variants
// (without bytes); a number without a photo is left out.
func (db *DB) PhotosByID(ctx context.Context, ids []int64) (map[int64]media.Photo, error) {
	out := map[int64]media.Photo{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `
		SELECT p.id, p.alt, p.width, p.height, p.upload_bytes, p.uploaded_at,
		       v.width, v.height, v.type, v.hash
		FROM photo p JOIN photo_variant v ON v.photo_id = p.id
		WHERE p.id = ANY($1)
		ORDER BY p.id, v.width, v.type DESC`, ids)
	if err != nil {
		return nil, fmt.Errorf("read photos: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p media.Photo
		var v media.Variant
		if err := rows.Scan(&p.ID, &p.Alt, &p.Width, &p.Height, &p.Bytes, &p.UploadedAt, &v.Width, &v.Height, &v.Type, &v.Hash); err != nil {
			return nil, fmt.Errorf("read photos: %w", err)
		}
		if prev, ok := out[p.ID]; ok {
			p = prev
		}
		p.Variants = append(p.Variants, v)
		out[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read photos: %w", err)
	}
	return out, nil
}
