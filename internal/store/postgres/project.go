package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"conpro/internal/locale"
	"conpro/internal/media"
	"conpro/internal/project"
	"conpro/internal/staff"
)

const projectColumns = `id, slug, place, year, kind, texts, published_at, updated_at`

func scanProject(row pgx.Row) (project.Project, error) {
	var (
		p    project.Project
		kind string
		pub  *time.Time
	)
	if err := row.Scan(&p.ID, &p.Slug, &p.Place, &p.Year, &kind, &p.Texts, &pub, &p.UpdatedAt); err != nil {
		return project.Project{}, err
	}
	p.Kind = project.Kind(kind)
	if pub != nil {
		p.PublishedAt = *pub
	}
	return p, nil
}

// Projects lists every project, drafts and published, the latest changed
// first, each with its photos.
func (db *DB) Projects(ctx context.Context) ([]project.Project, error) {
	return db.projects(ctx, `SELECT `+projectColumns+` FROM project ORDER BY updated_at DESC, id DESC`)
}

// PublishedProjects lists the projects visitors see, newest year first,
// each with its photos.
func (db *DB) PublishedProjects(ctx context.Context) ([]project.Project, error) {
	list, err := db.projects(ctx, `SELECT `+projectColumns+` FROM project WHERE published_at IS NOT NULL ORDER BY year DESC, published_at DESC`)
	if err != nil {
		return nil, err
	}
	project.Sort(list)
	return list, nil
}

func (db *DB) projects(ctx context.Context, query string, args ...any) ([]project.Project, error) {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (project.Project, error) { return scanProject(row) })
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	if err := db.projectPhotos(ctx, list); err != nil {
		return nil, err
	}
	return list, nil
}

// Project reads one project with its photos; project.ErrNotFound when
// there is none by that number.
func (db *DB) Project(ctx context.Context, id int64) (project.Project, error) {
	p, err := scanProject(db.pool.QueryRow(ctx, `SELECT `+projectColumns+` FROM project WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return project.Project{}, project.ErrNotFound
	}
	if err != nil {
		return project.Project{}, fmt.Errorf("read project: %w", err)
	}
	list := []project.Project{p}
	if err := db.projectPhotos(ctx, list); err != nil {
		return project.Project{}, err
	}
	return list[0], nil
}

// projectPhotos fills in the photos of the projects, in their order, with
// their variants (without bytes).
func (db *DB) projectPhotos(ctx context.Context, list []project.Project) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	at := make(map[int64]int, len(list))
	for i, p := range list {
		ids[i], at[p.ID] = p.ID, i
	}
	rows, err := db.pool.Query(ctx, `
		SELECT pp.project_id, pp.position, pp.captions, p.id, p.alt, p.width, p.height, p.upload_bytes, p.uploaded_at,
		       v.width, v.height, v.type, v.hash
		FROM project_photo pp
		JOIN photo p ON p.id = pp.photo_id
		JOIN photo_variant v ON v.photo_id = p.id
		WHERE pp.project_id = ANY($1)
		ORDER BY pp.project_id, pp.position, v.width, v.type DESC`, ids)
	if err != nil {
		return fmt.Errorf("read project photos: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			projectID int64
			position  int
			ph        project.Photo
			v         media.Variant
		)
		if err := rows.Scan(&projectID, &position, &ph.Captions, &ph.ID, &ph.Alt, &ph.Width, &ph.Height, &ph.Bytes, &ph.UploadedAt,
			&v.Width, &v.Height, &v.Type, &v.Hash); err != nil {
			return fmt.Errorf("read project photos: %w", err)
		}
		p := &list[at[projectID]]
		if n := len(p.Photos); n == 0 || p.Photos[n-1].ID != ph.ID {
			p.Photos = append(p.Photos, ph)
		}
		last := &p.Photos[len(p.Photos)-1]
		last.Variants = append(last.Variants, v)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read project photos: %w", err)
	}
	return nil
}

// CreateProject stores a new draft with its photos and the audit entry;
// it returns the project's number. project.ErrSlugTaken when another
// project has the slug, project.ErrUnknownPhoto when a photo left the
// library.
func (db *DB) CreateProject(ctx context.Context, p project.Project, audit staff.AuditEntry) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO project (slug, place, year, kind, texts) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			p.Slug, p.Place, p.Year, string(p.Kind), p.Texts).Scan(&id)
		if err != nil {
			return err
		}
		if err := writeProjectPhotos(ctx, tx, id, p.Photos); err != nil {
			return err
		}
		audit.Target = "project:" + strconv.FormatInt(id, 10)
		return insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return 0, projectError("create project", err)
	}
	return id, nil
}

// UpdateProject replaces a project's fields and photos (a published one
// stays published, changed), with the audit entry.
func (db *DB) UpdateProject(ctx context.Context, id int64, p project.Project, audit staff.AuditEntry) error {
	err := db.audited(ctx, audit, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE project SET slug = $2, place = $3, year = $4, kind = $5, texts = $6, updated_at = clock_timestamp()
			WHERE id = $1`, id, p.Slug, p.Place, p.Year, string(p.Kind), p.Texts)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return project.ErrNotFound
		}
		if _, err := tx.Exec(ctx, `DELETE FROM project_photo WHERE project_id = $1`, id); err != nil {
			return err
		}
		return writeProjectPhotos(ctx, tx, id, p.Photos)
	})
	return projectError("update project", err)
}

func writeProjectPhotos(ctx context.Context, tx pgx.Tx, id int64, photos []project.Photo) error {
	for i, ph := range photos {
		captions := ph.Captions
		if captions == nil {
			captions = map[locale.Lang]string{}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO project_photo (project_id, position, photo_id, captions) VALUES ($1, $2, $3, $4)`,
			id, i, ph.ID, captions); err != nil {
			return err
		}
	}
	return nil
}

// SetProjectPublished publishes a project (visitors see it from now) or
// takes it offline (a draft again), with the audit entry.
func (db *DB) SetProjectPublished(ctx context.Context, id int64, published bool, audit staff.AuditEntry) error {
	err := db.audited(ctx, audit, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE project SET published_at = CASE WHEN $2 THEN clock_timestamp() END, updated_at = clock_timestamp()
			WHERE id = $1`, id, published)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return project.ErrNotFound
		}
		return nil
	})
	return projectError("publish project", err)
}

// projectError turns the database's refusals into the project's
// sentinels.
func projectError(what string, err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "project_slug_key":
		return project.ErrSlugTaken
	case errors.As(err, &pgErr) && pgErr.Code == "23503" && pgErr.ConstraintName == "project_photo_photo_id_fkey":
		return project.ErrUnknownPhoto
	case errors.Is(err, project.ErrNotFound):
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
