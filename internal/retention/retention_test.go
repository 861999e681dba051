package retention_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"conpro/internal/pgtest"
	"conpro/internal/policy"
	"conpro/internal/retention"
	"conpro/internal/store/postgres"
)

var periods = retention.Periods{Contact: 730 * 24 * time.Hour, Consent: 1826 * 24 * time.Hour, SentMail: 30 * 24 * time.Hour, UnverifiedRequests: 7 * 24 * time.Hour, Requests: 1826 * 24 * time.Hour}

// now is the moment the tests purge at; rows are placed around it.
var now = time.Date(2030, time.March, 1, 12, 0, 0, 0, time.UTC)

func exec(t *testing.T, db *postgres.DB, sql string, args ...any) {
	t.Helper()
	if _, err := db.Pool().Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func countRows(t *testing.T, db *postgres.DB, sql string) int {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func message(t *testing.T, db *postgres.DB, name string, at time.Time, sentAt *time.Time) {
	t.Helper()
	exec(t, db, `WITH m AS (INSERT INTO contact_message (received_at, name, email, message, locale) VALUES ($1, $2, 'x@example.be', 'een bericht', 'nl') RETURNING id)
		INSERT INTO mail_outbox (kind, contact_message_id, to_addr, subject, body_text, sent_at) SELECT 'contact_notification', id, 'info@conpro-bvba.be', $2, 'een bericht', $3 FROM m`, at, name, sentAt)
}

func choice(t *testing.T, db *postgres.DB, consentID string, at time.Time) {
	t.Helper()
	exec(t, db, `INSERT INTO consent_event (event_id, consent_id, chosen_at, policy_version, action, categories, vendors, banner_version, locale, path, gpc, user_agent)
		VALUES (gen_random_uuid(), $1, $2, 2, 'reject_all', '{}', '{}', 'b', 'nl', '/', false, 'UA')`, consentID, at)
}

// seed places rows on both sides of each retention limit.
func seed(t *testing.T) *postgres.DB {
	db := pgtest.New(t)
	if _, err := db.RecordPolicyVersions(context.Background(), policy.Seed().Text(policy.Rendered{})); err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	sentLongAgo := now.Add(-40 * day)
	sentRecently := now.Add(-2 * day)
	message(t, db, "expired", now.Add(-periods.Contact-day), &sentLongAgo)
	message(t, db, "expired-unsent", now.Add(-periods.Contact-time.Minute), nil)
	message(t, db, "kept-old-mail", now.Add(-periods.Contact+day), &sentLongAgo)
	message(t, db, "kept", now.Add(-day), &sentRecently)
	message(t, db, "kept-unsent", now.Add(-100*day), nil)

	old := now.Add(-periods.Consent - day)
	choice(t, db, "AAAAAAAAAAAAAAAAAAAAAA", old)                           // only old choices: gone
	choice(t, db, "AAAAAAAAAAAAAAAAAAAAAA", old.Add(time.Hour))            //
	choice(t, db, "BBBBBBBBBBBBBBBBBBBBBA", old)                           // an old and a recent choice: all kept
	choice(t, db, "BBBBBBBBBBBBBBBBBBBBBA", now.Add(-10*day))              //
	choice(t, db, "CCCCCCCCCCCCCCCCCCCCCA", now.Add(-periods.Consent+day)) // just inside
	return db
}

func TestPurge_DeletesExactlyWhatIsPastItsPeriod(t *testing.T) {
	db := seed(t)
	c, err := retention.Purge(context.Background(), db, periods, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if c != (retention.Counts{ContactMessages: 2, ConsentEvents: 2, SentMail: 2}) {
		t.Fatalf("counts %+v", c)
	}
	var names []string
	rows, _ := db.Pool().Query(context.Background(), `SELECT name FROM contact_message ORDER BY name`)
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		names = append(names, n)
	}
	if len(names) != 3 || names[0] != "kept" || names[1] != "kept-old-mail" || names[2] != "kept-unsent" {
		t.Fatalf("messages left %v", names)
	}
	// The purged messages' notifications went with them; of the kept ones,
	// the mail sent 40 days ago went, the rest stays.
	if n := countRows(t, db, `SELECT count(*) FROM mail_outbox`); n != 2 {
		t.Fatalf("%d outbox rows left, want 2", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM mail_outbox WHERE subject IN ('expired', 'expired-unsent', 'kept-old-mail')`); n != 0 {
		t.Fatal("mail of a purged message, or an old sent mail, is left")
	}
	if n := countRows(t, db, `SELECT count(*) FROM consent_event WHERE consent_id = 'AAAAAAAAAAAAAAAAAAAAAA'`); n != 0 {
		t.Fatal("the consent log of an ID past its period is left")
	}
	if n := countRows(t, db, `SELECT count(*) FROM consent_event`); n != 3 {
		t.Fatalf("%d consent entries left, want 3", n)
	}
	// A second purge at the same moment finds nothing.
	if c, err := retention.Purge(context.Background(), db, periods, now, false); err != nil || c != (retention.Counts{}) {
		t.Fatalf("second purge: %+v %v", c, err)
	}
	// Time passes: a year later the once-kept message is old enough too.
	if c, _ := retention.Purge(context.Background(), db, periods, now.Add(365*24*time.Hour), false); c.ContactMessages != 1 {
		t.Fatalf("a year later: %+v", c)
	}
}

func TestPurge_DryRunCountsAndDeletesNothing(t *testing.T) {
	db := seed(t)
	before := countRows(t, db, `SELECT (SELECT count(*) FROM contact_message) + (SELECT count(*) FROM consent_event) + (SELECT count(*) FROM mail_outbox)`)
	c, err := retention.Purge(context.Background(), db, periods, now, true)
	if err != nil || c != (retention.Counts{ContactMessages: 2, ConsentEvents: 2, SentMail: 2}) {
		t.Fatalf("dry run %+v %v", c, err)
	}
	after := countRows(t, db, `SELECT (SELECT count(*) FROM contact_message) + (SELECT count(*) FROM consent_event) + (SELECT count(*) FROM mail_outbox)`)
	if after != before {
		t.Fatalf("a dry run deleted %d rows", before-after)
	}
}

func TestPurge_OneInstanceAtATime(t *testing.T) {
	db := seed(t)
	_, err := db.WithPurgeLock(context.Background(), func(ctx context.Context) error {
		_, err := retention.Purge(ctx, db, periods, now, false)
		if !errors.Is(err, retention.ErrBusy) {
			t.Errorf("a purge while another runs: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPurge_ManyRowsGoInBatches(t *testing.T) {
	db := pgtest.New(t)
	exec(t, db, `INSERT INTO contact_message (received_at, name, email, message, locale)
		SELECT $1, 'n' || i, 'x@example.be', 'een bericht', 'nl' FROM generate_series(1, 2500) i`, now.Add(-periods.Contact-time.Hour))
	c, err := retention.Purge(context.Background(), db, periods, now, false)
	if err != nil || c.ContactMessages != 2500 || countRows(t, db, `SELECT count(*) FROM contact_message`) != 0 {
		t.Fatalf("%+v %v", c, err)
	}
}

// 1 500 consent IDs past their period, with one, two or three old choices
// each, take more than one batch; 1 500 others, each with one old choice and
// one inside the period, stay whole. Every entry removed leaves a tombstone.
func TestPurge_ManyConsentIDsGoInBatchesAndOnlyTheirs(t *testing.T) {
	db := seed(t)
	old := now.Add(-periods.Consent - 24*time.Hour)
	exec(t, db, `INSERT INTO consent_event (event_id, consent_id, chosen_at, policy_version, action, categories, vendors, banner_version, locale, path, gpc, user_agent)
		SELECT gen_random_uuid(), 'old' || lpad(i::text, 19, '0'), $1::timestamptz + k * interval '1 hour', 2, 'reject_all', '{}', '{}', 'b', 'nl', '/', false, 'UA'
		FROM generate_series(1, 1500) i, generate_series(0, 2) k WHERE k <= i % 3`, old)
	exec(t, db, `INSERT INTO consent_event (event_id, consent_id, chosen_at, policy_version, action, categories, vendors, banner_version, locale, path, gpc, user_agent)
		SELECT gen_random_uuid(), 'new' || lpad(i::text, 19, '0'), t, 2, 'reject_all', '{}', '{}', 'b', 'nl', '/', false, 'UA'
		FROM generate_series(1, 1500) i, unnest(ARRAY[$1::timestamptz, $2::timestamptz]) t`, old, now.Add(-time.Hour))
	// 3 000 old entries of the 1 500 IDs, and the seed's 2.
	if c, err := retention.Purge(context.Background(), db, periods, now, true); err != nil || c.ConsentEvents != 3002 {
		t.Fatalf("dry run: %+v %v", c, err)
	}
	c, err := retention.Purge(context.Background(), db, periods, now, false)
	if err != nil || c.ConsentEvents != 3002 {
		t.Fatalf("purge: %+v %v", c, err)
	}
	if n := countRows(t, db, `SELECT count(*) FROM consent_event WHERE consent_id LIKE 'old%'`); n != 0 {
		t.Errorf("%d entries of IDs past their period are left", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM consent_event WHERE consent_id LIKE 'new%'`); n != 3000 {
		t.Errorf("%d entries of IDs with a recent choice are left, want all 3000", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM consent_tombstone WHERE reason = 'retention'`); n != 3002 {
		t.Errorf("%d tombstones, want 3002", n)
	}
}

func request(t *testing.T, db *postgres.DB, email string, created time.Time, verified bool) {
	t.Helper()
	var verifiedAt *time.Time
	if verified {
		verifiedAt = &created
	}
	exec(t, db, `INSERT INTO privacy_request (created_at, kind, email, email_hash, locale, token_hash, token_expires_at, verified_at)
		VALUES ($1::timestamptz, 'inzage', $2::text, sha256(convert_to($2::text, 'UTF8')), 'nl',
			CASE WHEN $3::timestamptz IS NULL THEN sha256(convert_to($2::text || 'token', 'UTF8')) END, $1::timestamptz + interval '24 hours', $3::timestamptz)`,
		created, email, verifiedAt)
}

func TestPurge_RequestsWhoseLinkWasNeverOpenedGoAfterAWeek(t *testing.T) {
	db := pgtest.New(t)
	day := 24 * time.Hour
	request(t, db, "old-unverified@example.be", now.Add(-8*day), false)
	request(t, db, "new-unverified@example.be", now.Add(-2*day), false)
	request(t, db, "old-verified@example.be", now.Add(-periods.Requests-day), true)
	request(t, db, "verified@example.be", now.Add(-8*day), true)
	c, err := retention.Purge(context.Background(), db, periods, now, false)
	if err != nil || c.PrivacyRequests != 2 {
		t.Fatalf("%+v %v", c, err)
	}
	if n := countRows(t, db, `SELECT count(*) FROM privacy_request WHERE email IN ('new-unverified@example.be', 'verified@example.be')`); n != 2 {
		t.Fatalf("%d of the kept requests left, want 2", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM privacy_request`); n != 2 {
		t.Fatalf("%d requests left", n)
	}
	// The unverified request from two days ago has an expired link: its
	// token hash is forgotten.
	if n := countRows(t, db, `SELECT count(*) FROM privacy_request WHERE token_hash IS NOT NULL`); n != 0 {
		t.Fatal("an expired token's hash is kept")
	}
}

// An access request keeps the address only for its download: the first
// purge past retention.AccessAddress (two hours) clears it; a request staff
// still have to handle keeps it.
func TestPurge_ADoneAccessRequestForgetsTheAddress(t *testing.T) {
	db := pgtest.New(t)
	request(t, db, "gisteren@example.be", now.Add(-retention.AccessAddress-time.Hour), true)
	request(t, db, "net@example.be", now.Add(-10*time.Minute), true)
	request(t, db, "wachtend@example.be", now.Add(-retention.AccessAddress-time.Hour), true)
	exec(t, db, `UPDATE privacy_request SET status = 'done' WHERE email IN ('gisteren@example.be', 'net@example.be')`)
	exec(t, db, `UPDATE privacy_request SET status = 'queued', kind = 'correctie' WHERE email = 'wachtend@example.be'`)
	if _, err := retention.Purge(context.Background(), db, periods, now, false); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db, `SELECT count(*) FROM privacy_request WHERE email = 'gisteren@example.be'`); n != 0 {
		t.Fatal("a done access request keeps its address after three hours")
	}
	if n := countRows(t, db, `SELECT count(*) FROM privacy_request WHERE email IN ('net@example.be', 'wachtend@example.be')`); n != 2 {
		t.Fatalf("%d of the two addresses still needed are kept", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM privacy_request`); n != 3 {
		t.Fatalf("%d requests left, want all 3 (only the address goes)", n)
	}
}
