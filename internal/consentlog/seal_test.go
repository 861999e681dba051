package consentlog_test

import (
	"context"
	"testing"
	"time"

	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/store/postgres"
)

var testSealer = consentlog.NewSealer([]byte("test key"))

// sealedLog is a database whose log holds three visitors' choices (nine
// events), recorded by the server's recorder and linked into the chain.
func sealedLog(t *testing.T) (*postgres.DB, []consent.Event) {
	t.Helper()
	db := liveDB(t)
	r := newRecorder(t, db, t.TempDir())
	var all []consent.Event
	for range 3 {
		es := events(t, 3)
		record(t, r, es...)
		all = append(all, es...)
	}
	extend(t, db)
	return db, all
}

func extend(t *testing.T, db *postgres.DB) {
	t.Helper()
	if _, _, err := consentlog.Extend(context.Background(), db, testSealer, consentlog.Recent); err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, db *postgres.DB) consentlog.Report {
	t.Helper()
	r, err := consentlog.Verify(context.Background(), db, testSealer, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordVerification(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// tamper runs SQL as someone with access to the database would, with the
// append-only triggers out of the way.
func tamper(t *testing.T, db *postgres.DB, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	for _, table := range []string{"consent_event", "consent_chain"} {
		if _, err := db.Pool().Exec(ctx, `ALTER TABLE `+table+` DISABLE TRIGGER USER`); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool().Exec(ctx, sql, args...); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"consent_event", "consent_chain"} {
		if _, err := db.Pool().Exec(ctx, `ALTER TABLE `+table+` ENABLE TRIGGER USER`); err != nil {
			t.Fatal(err)
		}
	}
}

func wantFailure(t *testing.T, r consentlog.Report, eventID string, reason consentlog.Reason) {
	t.Helper()
	if r.OK() {
		t.Fatalf("the verification passed; want event %s %s", eventID, reason)
	}
	if r.Failure.EventID != eventID || r.Failure.Reason != reason {
		t.Fatalf("the verification names %s (%s), want %s (%s)", r.Failure.EventID, r.Failure.Reason, eventID, reason)
	}
}

func TestVerify_PassesOnALogTheRecorderWrote(t *testing.T) {
	db, all := sealedLog(t)
	r := verify(t, db)
	if !r.OK() || r.Checked != int64(len(all)) || r.Removed != 0 || r.Head.Pos != int64(len(all)) {
		t.Fatalf("report %+v, want %d events checked in an intact chain", r, len(all))
	}
	// Events recorded after the chain was last extended are checked
	// against their seals too, and counted as not yet linked.
	record(t, newRecorder(t, db, t.TempDir()), events(t, 2)...)
	if r := verify(t, db); !r.OK() || r.Pending != 2 {
		t.Fatalf("report %+v, want 2 pending", r)
	}
}

func TestVerify_NamesAnEventChangedInTheDatabase(t *testing.T) {
	for _, linked := range []bool{true, false} {
		db, all := sealedLog(t)
		victim := all[3] // a choice of analytics alone
		if !linked {
			// An event recorded since the chain was extended: today's.
			es := events(t, 2)
			record(t, newRecorder(t, db, t.TempDir()), es...)
			victim = es[0]
		}
		// A partial choice made to look like a grant of everything.
		tamper(t, db, `UPDATE consent_event SET action = 'accept_all', categories = '{analytics,advertising,social}' WHERE event_id = $1`, victim.ID)
		wantFailure(t, verify(t, db), victim.ID, consentlog.Changed)
	}
}

func TestVerify_NamesAnEventRemovedOtherThanByThePurgeOrAnErasure(t *testing.T) {
	db, all := sealedLog(t)
	tamper(t, db, `DELETE FROM consent_event WHERE event_id = $1`, all[5].ID)
	wantFailure(t, verify(t, db), all[5].ID, consentlog.Removed)
}

func TestVerify_NamesTheFirstOfTwoEventsSwappedInTheChain(t *testing.T) {
	db, all := sealedLog(t)
	tamper(t, db, `UPDATE consent_chain SET pos = -3 WHERE pos = 3; UPDATE consent_chain SET pos = 3 WHERE pos = 7; UPDATE consent_chain SET pos = 7 WHERE pos = -3`)
	wantFailure(t, verify(t, db), all[6].ID, consentlog.Broken)
}

func TestVerify_NamesAnEventWrittenWithoutTheServersSeal(t *testing.T) {
	db, _ := sealedLog(t)
	forged := events(t, 1)
	if err := db.InsertConsentEvents(context.Background(), forged); err != nil {
		t.Fatal(err)
	}
	wantFailure(t, verify(t, db), forged[0].ID, consentlog.Unsealed)
	extend(t, db) // linked as it is: still named
	wantFailure(t, verify(t, db), forged[0].ID, consentlog.Unsealed)
}

func TestVerify_NoticesTheEndOfTheChainCutOff(t *testing.T) {
	db, all := sealedLog(t)
	if r := verify(t, db); !r.OK() {
		t.Fatal(r.Failure)
	}
	last := all[len(all)-1]
	tamper(t, db, `DELETE FROM consent_chain WHERE event_id = $1`, last.ID)
	tamper(t, db, `DELETE FROM consent_event WHERE event_id = $1`, last.ID)
	wantFailure(t, verify(t, db), last.ID, consentlog.Truncated)
}

func TestVerify_ThePurgeAndAnErasureLeaveTombstonesAndAnIntactLog(t *testing.T) {
	db, all := sealedLog(t)
	ctx := context.Background()
	// A fourth visitor chose two days later.
	later := events(t, 3)
	for i := range later {
		later[i].Time = later[i].Time.Add(48 * time.Hour)
	}
	record(t, newRecorder(t, db, t.TempDir()), later...)
	extend(t, db)
	// The third visitor asks for erasure; the first two are past their
	// retention period.
	if _, err := db.EraseFor(ctx, 0, "", [32]byte{}, all[6].ConsentID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PurgeConsentEvents(ctx, all[0].Time.Add(time.Hour), 1000, false); err != nil {
		t.Fatal(err)
	}
	r := verify(t, db)
	if !r.OK() || r.Removed != 9 || r.Checked != 3 {
		t.Fatalf("report %+v, want 9 removed and 3 checked", r)
	}
	var tombstones int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM consent_tombstone`).Scan(&tombstones); err != nil || tombstones != 9 {
		t.Fatalf("%d tombstones (%v), want 9", tombstones, err)
	}
}

// Events recorded before sealing began are sealed, from what is stored,
// when the chain first links them.
func TestExtend_SealsEventsRecordedBeforeSealingBegan(t *testing.T) {
	db := liveDB(t)
	old := events(t, 2)
	if err := db.InsertConsentEvents(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(context.Background(), `UPDATE consent_seal_start SET started_at = now()`); err != nil {
		t.Fatal(err)
	}
	extend(t, db)
	if r := verify(t, db); !r.OK() || r.Checked != 2 {
		t.Fatalf("report %+v, want the two earlier events checked", r)
	}
	tamper(t, db, `UPDATE consent_event SET path = '/elders' WHERE event_id = $1`, old[1].ID)
	wantFailure(t, verify(t, db), old[1].ID, consentlog.Changed)
}

// A choice that waited in the spool while the database was away carries
// the seal it was given when it was made.
func TestVerify_PassesOnChoicesReplayedFromTheSpool(t *testing.T) {
	db, create := lateDB(t)
	r := newRecorder(t, db, t.TempDir())
	es := events(t, 3)
	record(t, r, es...)
	create()
	flush(t, r)
	extend(t, db)
	if rep := verify(t, db); !rep.OK() || rep.Checked != 3 {
		t.Fatalf("report %+v, want 3 checked", rep)
	}
}

// The chain job looks at the recent events only, which stays fast however
// long the log is; an event that reaches the log with an old time (a
// restored backup, a row inserted with SQL) waits for the whole sweep.
func TestExtend_LinksRecentEventsAtOnceAndAnOldArrivalAtTheWholeSweep(t *testing.T) {
	db, _ := sealedLog(t)
	ctx := context.Background()
	r := newRecorder(t, db, t.TempDir())
	late, recent := events(t, 1), events(t, 1)
	record(t, r, late...)
	record(t, r, recent...)
	tamper(t, db, `UPDATE consent_event SET recorded_at = now() - interval '3 hours' WHERE event_id = $1`, late[0].ID)
	n, _, err := consentlog.Extend(ctx, db, testSealer, consentlog.Recent)
	if err != nil || n != 1 {
		t.Fatalf("the recent sweep linked %d events (%v), want the recent one only", n, err)
	}
	if r := verify(t, db); r.Pending != 1 {
		t.Fatalf("after the recent sweep %d events wait for the chain, want the old arrival", r.Pending)
	}
	n, _, err = consentlog.Extend(ctx, db, testSealer, consentlog.Whole)
	if err != nil || n != 1 {
		t.Fatalf("the whole sweep linked %d events (%v), want the old arrival", n, err)
	}
	if r := verify(t, db); !r.OK() || r.Pending != 0 {
		t.Fatalf("after the whole sweep: %+v", r)
	}
}

// The chain job links a log longer than one batch in one go, batch after
// batch, also when one transaction stored more events than a batch takes:
// they share the instant they were recorded at, across a batch's end.
func TestExtend_LinksMoreThanABatchInOneGo(t *testing.T) {
	db := liveDB(t)
	ctx := context.Background()
	es := events(t, 2500)
	for i := range es {
		es[i].Seal = testSealer.Seal(es[i])
	}
	for _, part := range [][]consent.Event{es[:1500], es[1500:]} {
		if err := db.InsertConsentEvents(ctx, part); err != nil {
			t.Fatal(err)
		}
	}
	n, head, err := consentlog.Extend(ctx, db, testSealer, consentlog.Recent)
	if err != nil || n != len(es) || head.Pos != int64(len(es)) {
		t.Fatalf("linked %d events up to position %d (%v), want all %d", n, head.Pos, err, len(es))
	}
	if r := verify(t, db); !r.OK() || r.Checked != int64(len(es)) || r.Pending != 0 {
		t.Fatalf("report %+v, want all %d checked and none pending", r, len(es))
	}
	if n, _, err := consentlog.Extend(ctx, db, testSealer, consentlog.Whole); err != nil || n != 0 {
		t.Fatalf("the whole sweep after linked %d events (%v), want none", n, err)
	}
}
