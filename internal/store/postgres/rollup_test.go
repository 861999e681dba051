package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"conpro/internal/consent"
	"conpro/internal/consentstats"
	"conpro/internal/pgtest"
	"conpro/internal/policy"
	"conpro/internal/store/postgres"
	"conpro/migrations"
)

// liveStats is the statistics query as it was before the daily rollups,
// kept word for word but for the embeds' actions (migration 00022: a
// one-time load is no choice, "always allow" is a customised one): it
// counts the log on every call, and is the reference the rollups must agree
// with.
func liveStats(t testing.TB, db *postgres.DB, from, to string) []consentstats.Day {
	t.Helper()
	return liveStatsIn(t, db.Pool(), from, to)
}

type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func liveStatsIn(t testing.TB, q rowsQuerier, from, to string) []consentstats.Day {
	t.Helper()
	rows, err := q.Query(context.Background(), `
		WITH days AS (
			SELECT $1::date + i AS on_day
			FROM generate_series(0, $2::date - $1::date) AS i
		),
		last_choice AS (
			SELECT DISTINCT ON (consent_id, on_day)
				consent_id,
				(chosen_at AT TIME ZONE 'Europe/Brussels')::date AS on_day,
				action,
				categories
			FROM consent_event
			WHERE chosen_at >= $1::date::timestamp AT TIME ZONE 'Europe/Brussels'
			  AND chosen_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Brussels'
			  AND action <> 'load_once'
			ORDER BY consent_id, on_day, chosen_at DESC, recorded_at DESC, event_id DESC
		),
		counts AS (
			SELECT on_day,
				count(*) AS visitors,
				count(*) FILTER (WHERE action = 'accept_all') AS accepted,
				count(*) FILTER (WHERE action IN ('reject_all', 'withdraw')) AS refused,
				count(*) FILTER (WHERE action IN ('save', 'allow_vendor')) AS customised
			FROM last_choice
			GROUP BY on_day
		),
		granted AS (
			SELECT on_day, jsonb_object_agg(category, visitors) AS by_category
			FROM (
				SELECT on_day, category, count(DISTINCT consent_id) AS visitors
				FROM last_choice, unnest(categories) AS category
				GROUP BY on_day, category
			) AS per_category
			GROUP BY on_day
		)
		SELECT days.on_day,
			coalesce(c.visitors, 0), coalesce(c.accepted, 0), coalesce(c.refused, 0), coalesce(c.customised, 0),
			coalesce(g.by_category, '{}')
		FROM days
		LEFT JOIN counts AS c USING (on_day)
		LEFT JOIN granted AS g USING (on_day)
		ORDER BY days.on_day`, from, to)
	if err != nil {
		t.Fatal(err)
	}
	days, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (consentstats.Day, error) {
		var d consentstats.Day
		var granted map[string]int
		err := row.Scan(&d.Date, &d.Visitors, &d.Accepted, &d.Refused, &d.Customised, &granted)
		d.Date = consentstats.DateOf(d.Date)
		d.Granted = map[consent.Category]int{}
		for _, c := range consentstats.Categories() {
			d.Granted[c] = granted[string(c)]
		}
		return d, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return days
}

func dayLines(days []consentstats.Day) []string {
	lines := make([]string, len(days))
	for i, d := range days {
		lines[i] = fmt.Sprintf("%s visitors=%d accepted=%d refused=%d customised=%d analytics=%d advertising=%d social=%d",
			d.Date.Format(time.DateOnly), d.Visitors, d.Accepted, d.Refused, d.Customised,
			d.Granted[consent.Analytics], d.Granted[consent.Advertising], d.Granted[consent.Social])
	}
	return lines
}

// sameDays fails the test when the two lists of days differ, naming each
// day that does.
func sameDays(t *testing.T, what string, got, want []consentstats.Day) {
	t.Helper()
	g, w := dayLines(got), dayLines(want)
	if len(g) != len(w) {
		t.Fatalf("%s: %d days, want %d", what, len(g), len(w))
	}
	for i := range g {
		if g[i] != w[i] {
			t.Errorf("%s:\n got %s\nwant %s", what, g[i], w[i])
		}
	}
}

func rollupStats(t *testing.T, db *postgres.DB, from, to string) []consentstats.Day {
	t.Helper()
	days, err := db.ConsentStats(context.Background(), date(from), date(to))
	if err != nil {
		t.Fatal(err)
	}
	return days
}

// visitors counts the days' visitors.
func visitors(days []consentstats.Day) int {
	return consentstats.Total(days).Visitors
}

// randomLog stores the choices (1 to 4 each) of n visitors named prefix0,
// prefix1 … over the given number of days from start, most of them in the
// hours around a midnight.
func randomLog(t *testing.T, db *postgres.DB, r *rand.Rand, prefix string, start time.Time, days, n int) {
	t.Helper()
	actions := []string{"accept_all", "reject_all", "save", "withdraw", "allow_vendor", "load_once"}
	for v := range n {
		name := fmt.Sprintf("%s%d", prefix, v)
		for range 1 + r.IntN(4) {
			// Most choices within two hours of a midnight, where a day
			// boundary read in the wrong time zone would show.
			at := start.Add(time.Duration(r.IntN(days*24*60)) * time.Minute)
			if r.IntN(3) > 0 {
				midnight := start.Add(time.Duration(r.IntN(days)) * 24 * time.Hour)
				at = midnight.Add(time.Duration(r.IntN(240)-120) * time.Minute)
			}
			action := actions[r.IntN(len(actions))]
			var cats []string
			switch action {
			case "accept_all":
				cats = []string{"analytics", "advertising", "social"}
			case "save", "allow_vendor", "load_once":
				for _, c := range []string{"analytics", "advertising", "social"} {
					if r.IntN(2) == 0 {
						cats = append(cats, c)
					}
				}
			}
			choose(t, db, name, at.UTC().Format(time.RFC3339), action, cats...)
		}
	}
}

// The spring and autumn clock changes of 2025 in Brussels, the days
// around them, and a day in June in between.
const (
	springFrom, springTo = "2025-03-28", "2025-04-01"
	juneDay              = "2025-06-10"
	autumnFrom, autumnTo = "2025-10-24", "2025-10-28"
)

func TestConsentStats_RollupsEqualTheLiveCountThroughLateReplaysPurgesAndErasures(t *testing.T) {
	db := statsDB(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(18, 2025))
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	springStart := time.Date(2025, 3, 28, 0, 0, 0, 0, brussels)
	autumnStart := time.Date(2025, 10, 24, 0, 0, 0, 0, brussels)
	randomLog(t, db, r, "spring", springStart, 5, 60)
	randomLog(t, db, r, "autumn", autumnStart, 5, 60)

	check := func(what string) {
		t.Helper()
		sameDays(t, what+", spring", rollupStats(t, db, springFrom, springTo), liveStats(t, db, springFrom, springTo))
		sameDays(t, what+", autumn", rollupStats(t, db, autumnFrom, autumnTo), liveStats(t, db, autumnFrom, autumnTo))
	}
	check("first count")
	if n := visitors(liveStats(t, db, springFrom, springTo)); n < 60 {
		t.Fatalf("the fixture has %d visitors in spring, want at least 60", n)
	}

	// Hours later the spool replays choices into days already counted:
	// new visitors, and visitors whose replayed choice is now their last
	// of the day, or not.
	randomLog(t, db, r, "spring", springStart, 5, 90)
	randomLog(t, db, r, "lateAutumn", autumnStart, 5, 20)
	// A row written with SQL that names a category twice counts its
	// visitor once.
	choose(t, db, "twice", "2025-10-25T12:00:00Z", "save", "analytics", "social", "analytics")
	check("after late replays")

	// Chosen in June and never shown before its purge.
	choose(t, db, "june", juneDay+"T09:00:00Z", "accept_all", "analytics", "advertising", "social")
	choose(t, db, "june2", juneDay+"T21:59:00Z", "save", "social")

	// Erasure and the purge do not change past statistics: keep the whole
	// log aside, to count it as if nothing had been removed.
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE whole_log AS SELECT * FROM consent_event`); err != nil {
		t.Fatal(err)
	}
	erased, err := db.EraseFor(ctx, 1, "nobody@example.org", [32]byte{}, consentID("autumn7"), true)
	if err != nil || erased.ConsentEvents == 0 {
		t.Fatalf("erase autumn7: %+v, %v", erased, err)
	}
	if n, err := db.PurgeConsentEvents(ctx, date("2025-07-01"), 25, false); err != nil || n == 0 {
		t.Fatalf("purge before July: %d events, %v", n, err)
	}
	if visitors(liveStats(t, db, springFrom, springTo)) != 0 || visitors(liveStats(t, db, juneDay, juneDay)) != 0 {
		t.Fatal("the purge left events of spring or June")
	}
	// Afterwards: rows removed or added with SQL, without a tombstone,
	// change the figures; and a replay reaches a purged day.
	if _, err := db.Pool().Exec(ctx, `DELETE FROM consent_event WHERE consent_id IN ($1, $2)`,
		consentID("autumn8"), consentID("lateAutumn3")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `DELETE FROM whole_log WHERE consent_id IN ($1, $2)`,
		consentID("autumn8"), consentID("lateAutumn3")); err != nil {
		t.Fatal(err)
	}
	choose(t, db, "sqlAutumn", "2025-10-25T23:30:00Z", "accept_all", "analytics")
	choose(t, db, "replayedSpring", "2025-03-29T23:30:00Z", "save", "advertising")

	// The reference: the live count of the log with the removed consent
	// IDs put back, in a transaction that is rolled back.
	reference := func(from, to string) []consentstats.Day {
		t.Helper()
		tx, err := db.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck
		if _, err := tx.Exec(ctx, `
			INSERT INTO consent_event SELECT * FROM whole_log AS w
			WHERE NOT EXISTS (SELECT 1 FROM consent_event AS e WHERE e.event_id = w.event_id)`); err != nil {
			t.Fatal(err)
		}
		return liveStatsIn(t, tx, from, to)
	}
	for _, p := range []struct{ what, from, to string }{
		{"spring", springFrom, springTo},
		{"June", juneDay, juneDay},
		{"autumn", autumnFrom, autumnTo},
	} {
		want := reference(p.from, p.to)
		if visitors(want) == visitors(liveStats(t, db, p.from, p.to)) {
			t.Errorf("%s: the purge and the erasure removed no visitor; the test shows nothing", p.what)
		}
		sameDays(t, p.what+" after the purge, the erasure and SQL", rollupStats(t, db, p.from, p.to), want)
	}
	// And the same once every day is counted again from scratch.
	if _, err := db.Pool().Exec(ctx, `DELETE FROM consent_day`); err != nil {
		t.Fatal(err)
	}
	sameDays(t, "autumn counted again", rollupStats(t, db, autumnFrom, autumnTo), reference(autumnFrom, autumnTo))
	sameDays(t, "spring counted again", rollupStats(t, db, springFrom, springTo), reference(springFrom, springTo))
}

func TestConsentStats_ClosedDaysAnswerFromTheStoredRollup(t *testing.T) {
	db := statsDB(t)
	ctx := context.Background()
	choose(t, db, "one", "2025-05-05T10:00:00Z", "accept_all", "analytics", "advertising", "social")
	rollupStats(t, db, "2025-05-04", "2025-05-06")
	var counted int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM consent_day WHERE on_day BETWEEN '2025-05-04' AND '2025-05-06'`).Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if counted != 3 {
		t.Fatalf("%d days stored, want 3 (empty days too)", counted)
	}
	// A stored figure is what the page shows: the log is not read again.
	if _, err := db.Pool().Exec(ctx, `UPDATE consent_day SET visitors = 41 WHERE on_day = '2025-05-05'`); err != nil {
		t.Fatal(err)
	}
	if got := rollupStats(t, db, "2025-05-05", "2025-05-05"); got[0].Visitors != 41 {
		t.Errorf("visitors %d, want the stored 41", got[0].Visitors)
	}
}

func TestConsentStats_CountsTodayLive(t *testing.T) {
	db := statsDB(t)
	ctx := context.Background()
	now := time.Now()
	today, _ := consentstats.LastDays(now, 1)
	first := rollupStats(t, db, today.Format(time.DateOnly), today.Format(time.DateOnly))
	choose(t, db, "today", now.UTC().Format(time.RFC3339Nano), "reject_all")
	got := rollupStats(t, db, today.Format(time.DateOnly), today.Format(time.DateOnly))
	if first[0].Visitors != 0 || got[0].Visitors != 1 || got[0].Refused != 1 {
		t.Errorf("today: %v before the choice, %v after; want 0, then 1 refused", dayLines(first), dayLines(got))
	}
	var stored, marked int
	if err := db.Pool().QueryRow(ctx, `
		SELECT (SELECT count(*) FROM consent_day WHERE on_day >= $1::date),
			(SELECT count(*) FROM consent_day_stale WHERE on_day >= $1::date)`,
		today.Format(time.DateOnly)).Scan(&stored, &marked); err != nil {
		t.Fatal(err)
	}
	if stored != 0 || marked != 0 {
		t.Errorf("%d rollups stored and %d days marked for today or later, want none: the day is not over", stored, marked)
	}
}

func TestMigration15_CountsTheHistoryAlreadyThere(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	sqlDB := stdlib.OpenDBFromPool(db.Pool())
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.DownTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordPolicyVersions(ctx, policy.Seed().Text(policy.Rendered{})); err != nil {
		t.Fatal(err)
	}
	choose(t, db, "old", "2025-03-29T23:30:00Z", "accept_all", "analytics", "advertising", "social")
	choose(t, db, "old", "2025-03-30T22:30:00Z", "save", "social")
	choose(t, db, "older", "2025-03-30T21:30:00Z", "reject_all")
	if _, err := provider.UpTo(ctx, 15); err != nil {
		t.Fatal(err)
	}
	var days, stale int
	if err := db.Pool().QueryRow(ctx, `
		SELECT (SELECT count(*) FROM consent_day WHERE on_day < (now() AT TIME ZONE 'Europe/Brussels')::date),
			(SELECT count(*) FROM consent_day_stale)`).Scan(&days, &stale); err != nil {
		t.Fatal(err)
	}
	first := date("2025-03-30")
	want := consentstats.DaysIn(first, time.Now().AddDate(0, 0, -1))
	if days < want-1 || days > want+1 || stale != 0 {
		t.Errorf("%d days counted and %d marked stale after the migration; want every closed day from 2025-03-30 (%d) and none stale", days, stale, want)
	}
	// The rows say what the live count says (read directly, without the
	// store, which would count missing days itself).
	var got []consentstats.Day
	rows, err := db.Pool().Query(ctx, `
		SELECT on_day, visitors, accepted, refused, customised, granted FROM consent_day
		WHERE on_day BETWEEN '2025-03-30' AND '2025-04-01' ORDER BY on_day`)
	if err != nil {
		t.Fatal(err)
	}
	got, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (consentstats.Day, error) {
		var d consentstats.Day
		var granted map[string]int
		err := row.Scan(&d.Date, &d.Visitors, &d.Accepted, &d.Refused, &d.Customised, &granted)
		d.Date = consentstats.DateOf(d.Date)
		d.Granted = map[consent.Category]int{}
		for _, c := range consentstats.Categories() {
			d.Granted[c] = granted[string(c)]
		}
		return d, err
	})
	if err != nil {
		t.Fatal(err)
	}
	sameDays(t, "after migration 15", got, liveStats(t, db, "2025-03-30", "2025-04-01"))
}
