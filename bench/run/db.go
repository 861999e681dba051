package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const benchDatabase = "conpro_bench"

// benchDB is the bench's own connection to conpro_bench, for counting rows.
type benchDB struct {
	conn *pgx.Conn
}

func openBenchDB(ctx context.Context, benchURL string) (*benchDB, error) {
	conn, err := pgx.Connect(ctx, benchURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", benchDatabase, err)
	}
	return &benchDB{conn: conn}, nil
}

func (d *benchDB) close() { _ = d.conn.Close(context.Background()) }

// createBenchTable makes bench_consent, pgbench's copy of consent_event
// (columns, defaults, checks and indexes; not the foreign key, which LIKE
// does not copy, nor the triggers). The server must have migrated.
func (d *benchDB) createBenchTable(ctx context.Context) error {
	_, err := d.conn.Exec(ctx, `CREATE TABLE bench_consent
		(LIKE consent_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
	if err != nil {
		return fmt.Errorf("create bench_consent: %w", err)
	}
	return nil
}

// emptyBenchTable empties bench_consent.
func (d *benchDB) emptyBenchTable(ctx context.Context) error {
	if _, err := d.conn.Exec(ctx, `TRUNCATE bench_consent`); err != nil {
		return fmt.Errorf("empty bench_consent: %w", err)
	}
	return nil
}

func (d *benchDB) serverVersion(ctx context.Context) (string, error) {
	var v string
	if err := d.conn.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "", fmt.Errorf("server_version: %w", err)
	}
	return v, nil
}

// rowCounts are the tables the POST scenarios write to.
type rowCounts struct {
	ConsentEvents   int64 `json:"consent_event"`
	ContactMessages int64 `json:"contact_message"`
	Outbox          int64 `json:"mail_outbox"`
	BenchConsent    int64 `json:"bench_consent"`
}

func (d *benchDB) counts(ctx context.Context) (rowCounts, error) {
	var c rowCounts
	err := d.conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM consent_event),
		(SELECT count(*) FROM contact_message),
		(SELECT count(*) FROM mail_outbox),
		(SELECT count(*) FROM bench_consent)`).
		Scan(&c.ConsentEvents, &c.ContactMessages, &c.Outbox, &c.BenchConsent)
	if err != nil {
		return c, fmt.Errorf("count rows: %w", err)
	}
	return c, nil
}

// settledCounts counts until two readings a moment apart agree (requests
// that were in flight when wrk stopped still finish), for at most 5 s.
func (d *benchDB) settledCounts(ctx context.Context) (rowCounts, error) {
	prev, err := d.counts(ctx)
	if err != nil {
		return prev, err
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
		cur, err := d.counts(ctx)
		if err != nil {
			return cur, err
		}
		if cur == prev {
			return cur, nil
		}
		prev = cur
	}
	return prev, nil
}

// settle waits until the consent chain has linked every event in the log
// (its job runs every 10 s on the site), then writes a checkpoint and waits
// for any vacuum or analyze under way to end, so that the next run does
// not pay for the work the last one left; for at most two minutes.
func (d *benchDB) settle(ctx context.Context) error {
	deadline := time.Now().Add(2 * time.Minute)
	wait := func(what, query string) error {
		for {
			var left int64
			if err := d.conn.QueryRow(ctx, query).Scan(&left); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if left == 0 {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: %d still after two minutes", what, left)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	err := wait("events the consent chain has not linked", `SELECT count(*) FROM consent_event e
		WHERE NOT EXISTS (SELECT 1 FROM consent_chain c WHERE c.event_id = e.event_id)`)
	if err != nil {
		return err
	}
	if _, err := d.conn.Exec(ctx, `CHECKPOINT`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return wait("vacuums and analyzes under way", `SELECT (SELECT count(*) FROM pg_stat_progress_vacuum) +
		(SELECT count(*) FROM pg_stat_progress_analyze)`)
}

// spooledEvents counts the consent choices waiting in the server's spool
// folder (one JSON line each), which the server writes when the database
// does not answer in time.
func spooledEvents(dir string) (int64, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return 0, err
	}
	var n int64
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, fmt.Errorf("read spool: %w", err)
		}
		n += int64(strings.Count(string(b), "\n"))
	}
	return n, nil
}
