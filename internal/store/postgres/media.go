package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"conpro/internal/media"
	"conpro/internal/staff"
)

// AddPhoto stores a processed upload and its variants, with the audit
// entry, in one transaction; it returns the photo's number.
func (db *DB) AddPhoto(ctx context.Context, u media.Upload, audit staff.AuditEntry) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO photo (alt, width, height, upload_bytes, original, original_type)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			u.Alt, u.Width, u.Height, u.Bytes, u.Original, u.OriginalType).Scan(&id)
		if err != nil {
			return err
		}
		for _, v := range u.Variants {
			if _, err := tx.Exec(ctx, `
				INSERT INTO photo_variant (photo_id, width, height, type, hash, data)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, v.Width, v.Height, v.Type, v.Hash, v.Data); err != nil {
				return err
			}
		}
		audit.Target = fmt.Sprintf("photo:%d", id)
		return insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return 0, fmt.Errorf("add photo: %w", err)
	}
	return id, nil
}

// Photos lists the library, newest first, with each photo's variants
// (without their bytes).
func (db *DB) Photos(ctx context.Context) ([]media.Photo, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT p.id, p.alt, p.width, p.height, p.upload_bytes, p.uploaded_at,
		       v.width, v.height, v.type, v.hash
		FROM photo p JOIN photo_variant v ON v.photo_id = p.id
		ORDER BY p.uploaded_at DESC, p.id DESC, v.width, v.type DESC`)
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	defer rows.Close()
	var out []media.Photo
	for rows.Next() {
		var p media.Photo
		var v media.Variant
		if err := rows.Scan(&p.ID, &p.Alt, &p.Width, &p.Height, &p.Bytes, &p.UploadedAt, &v.Width, &v.Height, &v.Type, &v.Hash); err != nil {
			return nil, fmt.Errorf("list photos: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].ID != p.ID {
			out = append(out, p)
		}
		last := &out[len(out)-1]
		last.Variants = append(last.Variants, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	return out, nil
}

// PhotoVariant reads one variant with its bytes; media.ErrNotFound when the
// address names none (an unknown photo, width, type or hash).
func (db *DB) PhotoVariant(ctx context.Context, a media.Address) (media.Variant, error) {
	v := media.Variant{Width: a.Width, Type: a.Type, Hash: a.Hash}
	err := db.pool.QueryRow(ctx, `
		SELECT height, data FROM photo_variant
		WHERE photo_id = $1 AND width = $2 AND type = $3 AND hash = $4`,
		a.ID, a.Width, a.Type, a.Hash).Scan(&v.Height, &v.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return media.Variant{}, media.ErrNotFound
	}
	if err != nil {
		return media.Variant{}, fmt.Errorf("read photo variant: %w", err)
	}
	return v, nil
}

// DeletePhoto removes a photo with its variants, and writes the audit
// entry in the same transaction.
func (db *DB) DeletePhoto(ctx context.Context, id int64, audit staff.AuditEntry) error {
	return db.audited(ctx, audit, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM photo WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete photo: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return media.ErrNotFound
		}
		return nil
	})
}
