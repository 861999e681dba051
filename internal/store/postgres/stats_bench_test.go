package postgres_test

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"conpro/internal/consentstats"
	"conpro/internal/pgtest"
	"conpro/internal/policy"
	"conpro/internal/store/postgres"
)

// The size of the log the statistics benchmarks fill: small by default so
// that `make bench` stays quick; the figures are at 3 and 10
// million (go test -run '^$' -bench ConsentStats ./internal/store/postgres/
// -events 3000000 -timeout 1h).
var benchEvents = flag.Int("events", 20_000, "consent events the statistics benchmarks fill the log with, over the last 731 days")

// fillLog stores n consent events spread evenly over the 731 days that end
// now, in pairs: a visitor chooses, and changes its mind three minutes
// later (about 4,000 choices a day at 3 million).
func fillLog(b *testing.B, db *postgres.DB, n int) {
	b.Helper()
	ctx := context.Background()
	if _, err := db.RecordPolicyVersions(ctx, policy.Seed().Text(policy.Rendered{})); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	const chunk = 500_000
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n) - 1
		_, err := db.Pool().Exec(ctx, `
			INSERT INTO consent_event (event_id, consent_id, chosen_at, policy_version, action,
				categories, vendors, banner_version, locale, path, gpc, user_agent)
			SELECT gen_random_uuid(),
				lpad((i / 2)::text, 22, '0'),
				now() - interval '731 days' * ((i / 2)::float8 / greatest($3::bigint / 2, 1)) + (i % 2) * interval '3 minutes',
				$4,
				(ARRAY['accept_all', 'save', 'reject_all', 'withdraw', 'accept_all', 'save', 'accept_all'])[1 + (i * 7 + i / 3) % 7],
				CASE (i * 7 + i / 3) % 7
					WHEN 0 THEN ARRAY['analytics', 'advertising', 'social']
					WHEN 4 THEN ARRAY['analytics', 'advertising', 'social']
					WHEN 6 THEN ARRAY['analytics', 'advertising', 'social']
					WHEN 1 THEN ARRAY['analytics']
					WHEN 5 THEN ARRAY['social', 'advertising']
					ELSE ARRAY[]::text[]
				END,
				'{}', 'bench', 'nl', '/', false, 'bench'
			FROM generate_series($1::bigint, $2::bigint) AS i`,
			lo, hi, n, policy.Seed().Number)
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Pool().Exec(ctx, `ANALYZE consent_event`); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d events in %s", n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkConsentStats times the statistics of the last 7, 30, 90, 365
// and 730 days: "live" is the query before the daily rollups (it counts
// the log on every call), "rollup" is the store's ConsentStats once the
// closed days are counted (today is still counted live). The one-time
// count of the whole history (what migration 00015 does) is logged.
func BenchmarkConsentStats(b *testing.B) {
	db := pgtest.New(b)
	fillLog(b, db, *benchEvents)
	ctx := context.Background()
	start := time.Now()
	if _, err := db.ConsentStats(ctx, time.Now().AddDate(0, 0, -730), time.Now()); err != nil {
		b.Fatal(err)
	}
	b.Logf("counted the closed days of %d events once in %s", *benchEvents, time.Since(start).Round(time.Millisecond))
	for _, days := range []int{7, 30, 90, 365, 730} {
		from, to := consentstats.LastDays(time.Now(), days)
		b.Run(fmt.Sprintf("days=%d/live", days), func(b *testing.B) {
			for b.Loop() {
				liveStats(b, db, from.Format(time.DateOnly), to.Format(time.DateOnly))
			}
		})
		b.Run(fmt.Sprintf("days=%d/rollup", days), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.ConsentStats(ctx, from, to); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
