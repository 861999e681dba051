package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"conpro/internal/consent"
	"conpro/internal/consentstats"
	"conpro/internal/pgtest"
	"conpro/internal/policy"
	"conpro/internal/store/postgres"
)

// statsDB returns a fresh store that accepts consent events (they refer to a
// policy version).
func statsDB(t *testing.T) *postgres.DB {
	t.Helper()
	db := pgtest.New(t)
	if _, err := db.RecordPolicyVersions(context.Background(), policy.Seed().Text(policy.Rendered{})); err != nil {
		t.Fatal(err)
	}
	return db
}

// consentID makes a valid consent ID (22 characters) that reads as its role
// in the fixture.
func consentID(name string) string {
	return name + strings.Repeat("0", 22-len(name))
}

// choose stores one choice with plain SQL; at is an instant in RFC 3339.
func choose(t *testing.T, db *postgres.DB, name, at, action string, categories ...string) {
	t.Helper()
	if categories == nil {
		categories = []string{}
	}
	_, err := db.Pool().Exec(context.Background(), `
		INSERT INTO consent_event (event_id, consent_id, chosen_at, policy_version, action,
			categories, vendors, banner_version, locale, path, gpc, user_agent)
		VALUES (gen_random_uuid(), $1, $2::timestamptz, $3, $4, $5, '{}', 'test', 'nl', '/', false, 'test')`,
		consentID(name), at, policy.Seed().Number, action, categories)
	if err != nil {
		t.Fatalf("insert %s %s %s: %v", name, at, action, err)
	}
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// want is a hand-counted day: visitors, accepted, refused, customised, and
// granted analytics, advertising, social.
type want struct {
	date                                    string
	visitors, accepted, refused, customised int
	analytics, advertising, social          int
}

func checkDays(t *testing.T, got []consentstats.Day, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d days, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		gotRow := fmt.Sprintf("%s visitors=%d accepted=%d refused=%d customised=%d analytics=%d advertising=%d social=%d",
			g.Date.Format(time.DateOnly), g.Visitors, g.Accepted, g.Refused, g.Customised,
			g.Granted[consent.Analytics], g.Granted[consent.Advertising], g.Granted[consent.Social])
		wantRow := fmt.Sprintf("%s visitors=%d accepted=%d refused=%d customised=%d analytics=%d advertising=%d social=%d",
			w.date, w.visitors, w.accepted, w.refused, w.customised, w.analytics, w.advertising, w.social)
		if gotRow != wantRow {
			t.Errorf("day %d:\n got %s\nwant %s", i, gotRow, wantRow)
		}
		if !g.Date.Equal(date(w.date)) || g.Date.Location() != time.UTC {
			t.Errorf("day %d: date %v, want %s at midnight UTC", i, g.Date, w.date)
		}
		for _, c := range consentstats.Categories() {
			if _, ok := g.Granted[c]; !ok {
				t.Errorf("day %s: no Granted entry for %s", w.date, c)
			}
		}
	}
}

// In January Brussels is UTC+1: 23:30 UTC is 00:30 the next day.
//
// The fixture, in UTC, and where each choice lands (Brussels day):
//
//	consent ID  chosen_at (UTC)     action      categories       Brussels day  counts?
//	before      2025-01-13 22:30    accept_all  an,ad,so         01-13         outside the period
//	early       2025-01-13 23:30    accept_all  an               01-14         yes
//	acceptor    2025-01-14 10:00    accept_all  an,ad,so         01-14         yes
//	changer     2025-01-14 09:00    accept_all  an,ad,so         01-14         no, not its last
//	changer     2025-01-14 09:05    save        an               01-14         no, not its last
//	changer     2025-01-14 16:00    reject_all  -                01-14         yes (last)
//	twoDays     2025-01-14 12:00    save        an,so            01-14         yes
//	late        2025-01-14 23:30    save        ad               01-15         yes (not 01-14)
//	twoDays     2025-01-15 08:00    accept_all  an,ad,so         01-15         yes (second day)
//	withdrawer  2025-01-15 09:00    accept_all  an,ad,so         01-15         no, not its last
//	withdrawer  2025-01-15 14:00    withdraw    -                01-15         yes, as refused
//	rejecter    2025-01-15 11:00    reject_all  -                01-15         yes
//	(nobody on 01-16)
//	saver       2025-01-17 12:00    save        -                01-17         yes, customised
//	night       2025-01-17 22:30    accept_all  an               01-17         yes (23:30 local)
//	after       2025-01-17 23:30    save        so               01-18         outside the period
//
// Hand count (an = analytics, ad = advertising, so = social):
//
//	day    visitors  accepted  refused  customised  an  ad  so  who
//	01-14  4         2         1        1           3   1   2   early A(an), acceptor A(an,ad,so), changer R, twoDays C(an,so)
//	01-15  4         1         2        1           1   2   1   late C(ad), twoDays A(an,ad,so), withdrawer R, rejecter R
//	01-16  0         0         0        0           0   0   0
//	01-17  2         1         0        1           1   0   0   saver C(-), night A(an)
func TestConsentStats_MatchesAHandCountedFixture(t *testing.T) {
	db := statsDB(t)
	choose(t, db, "before", "2025-01-13T22:30:00Z", "accept_all", "analytics", "advertising", "social")
	choose(t, db, "early", "2025-01-13T23:30:00Z", "accept_all", "analytics")
	choose(t, db, "acceptor", "2025-01-14T10:00:00Z", "accept_all", "analytics", "advertising", "social")
	// Stored out of order on purpose: the last choice is the latest chosen_at,
	// not the latest insert.
	choose(t, db, "changer", "2025-01-14T16:00:00Z", "reject_all")
	choose(t, db, "changer", "2025-01-14T09:00:00Z", "accept_all", "analytics", "advertising", "social")
	choose(t, db, "changer", "2025-01-14T09:05:00Z", "save", "analytics")
	choose(t, db, "twoDays", "2025-01-14T12:00:00Z", "save", "analytics", "social")
	choose(t, db, "late", "2025-01-14T23:30:00Z", "save", "advertising")
	choose(t, db, "twoDays", "2025-01-15T08:00:00Z", "accept_all", "analytics", "advertising", "social")
	choose(t, db, "withdrawer", "2025-01-15T09:00:00Z", "accept_all", "analytics", "advertising", "social")
	choose(t, db, "withdrawer", "2025-01-15T14:00:00Z", "withdraw")
	choose(t, db, "rejecter", "2025-01-15T11:00:00Z", "reject_all")
	choose(t, db, "saver", "2025-01-17T12:00:00Z", "save")
	choose(t, db, "night", "2025-01-17T22:30:00Z", "accept_all", "analytics")
	choose(t, db, "after", "2025-01-17T23:30:00Z", "save", "social")

	got, err := db.ConsentStats(context.Background(), date("2025-01-14"), date("2025-01-17"))
	if err != nil {
		t.Fatal(err)
	}
	checkDays(t, got, []want{
		{"2025-01-14", 4, 2, 1, 1, 3, 1, 2},
		{"2025-01-15", 4, 1, 2, 1, 1, 2, 1},
		{"2025-01-16", 0, 0, 0, 0, 0, 0, 0},
		{"2025-01-17", 2, 1, 0, 1, 1, 0, 0},
	})
}

// In July Brussels is UTC+2: 22:30 UTC is already the next day, 21:30 UTC
// is not.
func TestConsentStats_ReadsSummerDaysInBrusselsTime(t *testing.T) {
	db := statsDB(t)
	choose(t, db, "evening", "2025-07-01T21:30:00Z", "accept_all", "analytics", "advertising", "social")
	choose(t, db, "midnight", "2025-07-01T22:30:00Z", "reject_all")

	got, err := db.ConsentStats(context.Background(), date("2025-07-01"), date("2025-07-02"))
	if err != nil {
		t.Fatal(err)
	}
	checkDays(t, got, []want{
		{"2025-07-01", 1, 1, 0, 0, 1, 1, 1},
		{"2025-07-02", 1, 0, 1, 0, 0, 0, 0},
	})
}

func TestConsentStats_ReadsThePeriodBoundsAsCalendarDays(t *testing.T) {
	db := statsDB(t)
	choose(t, db, "onlyOne", "2025-03-10T12:00:00Z", "save", "social")
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	// Late evening in Brussels is still the same date, whatever UTC says.
	day := time.Date(2025, 3, 10, 23, 45, 0, 0, brussels)
	got, err := db.ConsentStats(context.Background(), day, day)
	if err != nil {
		t.Fatal(err)
	}
	checkDays(t, got, []want{{"2025-03-10", 1, 0, 0, 1, 0, 0, 1}})
}

func TestConsentStats_GivesZeroDaysForAnEmptyLog(t *testing.T) {
	db := statsDB(t)
	got, err := db.ConsentStats(context.Background(), date("2024-12-30"), date("2025-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	checkDays(t, got, []want{
		{"2024-12-30", 0, 0, 0, 0, 0, 0, 0},
		{"2024-12-31", 0, 0, 0, 0, 0, 0, 0},
		{"2025-01-01", 0, 0, 0, 0, 0, 0, 0},
		{"2025-01-02", 0, 0, 0, 0, 0, 0, 0},
	})
}

func TestConsentStats_RefusesAPeriodThatEndsBeforeItStartsOrIsTooLong(t *testing.T) {
	db := statsDB(t)
	for _, p := range []struct{ from, to time.Time }{
		{date("2025-01-15"), date("2025-01-14")},
		{date("2023-01-01"), date("2025-12-31")},
	} {
		days, err := db.ConsentStats(context.Background(), p.from, p.to)
		if !errors.Is(err, consentstats.ErrInvalidPeriod) || days != nil {
			t.Errorf("%s..%s: %v, %v; want ErrInvalidPeriod", p.from.Format(time.DateOnly), p.to.Format(time.DateOnly), days, err)
		}
	}
}
