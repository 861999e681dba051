package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"conpro/internal/consent"
	"conpro/internal/consentlog"
)

// InsertConsentEvents stores events, skipping any already stored (a spool
// replayed twice). All or none: up to insertChunk events are one statement;
// more are written in one transaction.
func (db *DB) InsertConsentEvents(ctx context.Context, events []consent.Event) error {
	if len(events) == 0 {
		return nil
	}
	if len(events) <= insertChunk {
		if _, err := db.pool.Exec(ctx, insertStatements[len(events)], consentEventsArgs(events)...); err != nil {
			return fmt.Errorf("insert consent events: %w", refusedData(err))
		}
		return nil
	}
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		for chunk := range slices.Chunk(events, insertChunk) {
			if _, err := tx.Exec(ctx, insertStatements[len(chunk)], consentEventsArgs(chunk)...); err != nil {
				return fmt.Errorf("insert consent events: %w", refusedData(err))
			}
		}
		return nil
	})
}

// refusedData marks an error for which the database refused the data itself
// (a constraint or a malformed value) rather than being unreachable:
// consentlog.ErrRefused, since retrying will not help. A foreign key
// violation is not final: the policy version an event names is recorded
// when a server starts against the database, which may be just after.
func refusedData(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code == "23503" {
		return err
	}
	if strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "23") {
		return fmt.Errorf("%w: %w", consentlog.ErrRefused, err)
	}
	return err
}

// insertChunk is the most events one statement inserts (14 parameters
// each; PostgreSQL takes at most 65 535).
const insertChunk = 64

// insertStatements are the INSERT statements for 1 to insertChunk events,
// made once: pgx prepares each the first time it is used.
var insertStatements = func() []string {
	out := make([]string, insertChunk+1)
	for n := 1; n <= insertChunk; n++ {
		var b strings.Builder
		b.WriteString(`INSERT INTO consent_event (event_id, consent_id, chosen_at, policy_version, action,
		categories, vendors, banner_version, locale, path, gpc, client_network, user_agent, seal) VALUES `)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range eventColumns {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("$" + strconv.Itoa(i*eventColumns+j+1))
			}
			b.WriteByte(')')
		}
		b.WriteString(" ON CONFLICT (event_id) DO NOTHING")
		out[n] = b.String()
	}
	return out
}()

// eventColumns is how many values one event inserts.
const eventColumns = 14

func consentEventsArgs(events []consent.Event) []any {
	args := make([]any, 0, len(events)*eventColumns)
	for _, e := range events {
		args = append(args, consentEventArgs(e)...)
	}
	return args
}

func consentEventArgs(e consent.Event) []any {
	cats := make([]string, len(e.Categories))
	for i, c := range e.Categories {
		cats[i] = string(c)
	}
	vendors := e.Vendors
	if vendors == nil {
		vendors = []string{}
	}
	var network *netip.Prefix
	if e.Network.IsValid() {
		network = &e.Network
	}
	return []any{e.ID, e.ConsentID, e.Time, e.PolicyVersion, string(e.Action),
		cats, vendors, e.BannerVersion, e.Locale, e.Path, e.GPC, network, e.UserAgent, e.Seal}
}

// ConsentEvents returns the log entries of one consent ID, oldest first.
func (db *DB) ConsentEvents(ctx context.Context, consentID string) ([]consent.Event, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT event_id::text, consent_id, chosen_at, policy_version, action, categories, vendors,
			banner_version, locale, path, gpc, client_network, user_agent
		FROM consent_event
		WHERE consent_id = $1
		ORDER BY chosen_at, recorded_at`, consentID)
	if err != nil {
		return nil, fmt.Errorf("query consent events: %w", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (consent.Event, error) {
		var (
			e       consent.Event
			action  string
			cats    []string
			network *netip.Prefix
			at      time.Time
		)
		err := row.Scan(&e.ID, &e.ConsentID, &at, &e.PolicyVersion, &action, &cats, &e.Vendors,
			&e.BannerVersion, &e.Locale, &e.Path, &e.GPC, &network, &e.UserAgent)
		if err != nil {
			return e, err
		}
		e.Time = at.UTC()
		e.Action = consent.Action(action)
		for _, c := range cats {
			e.Categories = append(e.Categories, consent.Category(c))
		}
		if network != nil {
			e.Network = *network
		}
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read consent events: %w", err)
	}
	return events, nil
}
