// Package postgres is the site's PostgreSQL store: the connection pool, the
// migrations, and (in one file per concept) all SQL.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"conpro/migrations"
)

// DB is the store. Its methods are safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
	// migrated is set once the database is known to carry every embedded
	// migration; until then Ready checks again.
	migrated atomic.Bool
}

// Open makes a pool for the database at url. It does not connect yet, so a
// server can start (and serve pages) while the database is down.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: do not repeat it.
		return nil, errors.New("parse DATABASE_URL: not a valid PostgreSQL connection string")
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "conpro"
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the number of CPUs, at least 4) queues consent
		// and contact posts behind each other under load; a few more
		// connections keep the database busy. pool_max_conns in
		// DATABASE_URL overrides this.
		cfg.MaxConns = 16
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.HealthCheckPeriod = 30 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	return &DB{pool: pool}, nil
}

// Close closes every connection.
func (db *DB) Close() { db.pool.Close() }

// Pool exposes the pool to the store's tests and tools.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Migrate applies every pending migration. Several instances may start at
// once: a session advisory lock lets one migrate while the others wait.
func (db *DB) Migrate(ctx context.Context, logger *slog.Logger) error {
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS(),
		goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		logger.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	db.migrated.Store(true)
	return nil
}

// Ready reports whether the database answers and carries the current schema.
func (db *DB) Ready(ctx context.Context) error {
	if !db.migrated.Load() {
		applied, latest, err := db.MigrationVersion(ctx)
		if err != nil {
			return err
		}
		if applied < latest {
			return fmt.Errorf("database schema at version %d, program needs %d", applied, latest)
		}
		db.migrated.Store(true)
	}
	return db.Ping(ctx)
}

// MigrationVersion returns the newest migration the database has applied and
// the newest one embedded in the program.
func (db *DB) MigrationVersion(ctx context.Context) (applied, latest int64, err error) {
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS())
	if err != nil {
		return 0, 0, fmt.Errorf("load migrations: %w", err)
	}
	applied, err = provider.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read migration version: %w", err)
	}
	srcs := provider.ListSources()
	if len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	return applied, latest, nil
}
