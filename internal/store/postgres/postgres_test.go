package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"conpro/internal/pgtest"
	"conpro/internal/policy"
	"conpro/internal/store/postgres"
)

func TestMigrate_AppliesEveryMigrationToAnEmptyDatabaseAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t) // already migrated from the template
	applied, latest, err := db.MigrationVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if latest < 1 || applied != latest {
		t.Fatalf("applied %d of %d", applied, latest)
	}
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("second migration run: %v", err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("not ready: %v", err)
	}
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'policy_version'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("policy_version table: %d (%v)", n, err)
	}
}

func TestReady_FailsWhenTheDatabaseIsUnreachable(t *testing.T) {
	db, err := postgres.Open(context.Background(), "postgres://postgres@/conpro?host="+t.TempDir()+"&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.Ready(ctx); err == nil {
		t.Fatal("ready without a database")
	}
}

func TestOpen_DoesNotRepeatAMalformedURL(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://user:s3cret@host:notaport/db")
	if err == nil {
		t.Fatal("accepted a malformed URL")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error repeats the password: %v", err)
	}
}

func TestRecordPolicyVersions_NoticesATextChangedUnderTheSameNumber(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	v2 := policy.Seed()

	changed, err := db.RecordPolicyVersions(ctx, v2.Text(policy.Rendered{}))
	if err != nil || len(changed) != 0 {
		t.Fatalf("first record: %v, %v", changed, err)
	}
	changed, err = db.RecordPolicyVersions(ctx, policy.Seed().Text(policy.Rendered{}))
	if err != nil || len(changed) != 0 {
		t.Fatalf("same text again: %v, %v", changed, err)
	}
	edited := policy.Seed()
	edited.Sections[0].Blocks = append(edited.Sections[0].Blocks, policy.Paragraph{Text: "Stilletjes toegevoegd."})
	changed, err = db.RecordPolicyVersions(ctx, edited.Text(policy.Rendered{}))
	if err != nil || !slices.Equal(changed, []int{v2.Number}) {
		t.Fatalf("edited text: %v, %v", changed, err)
	}
	// The first digest stays the record of what the number meant.
	var stored []byte
	var firstServed time.Time
	var publishedOn time.Time
	if err := db.Pool().QueryRow(ctx, `SELECT content_sha256, first_served_at, published_on FROM policy_version WHERE number = $1`, v2.Number).Scan(&stored, &firstServed, &publishedOn); err != nil {
		t.Fatal(err)
	}
	want := v2.Digest()
	if string(stored) != string(want[:]) || time.Since(firstServed) > time.Minute || !publishedOn.Equal(v2.Date) {
		t.Fatalf("stored digest %x, first served %v, published %v", stored, firstServed, publishedOn)
	}
}
