package consentlog_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/pgtest"
	"conpro/internal/policy"
	"conpro/internal/store/postgres"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func registry(t *testing.T) *consent.Registry {
	t.Helper()
	env := map[string]string{
		"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234",
		"CONPRO_SMARTLOOK_KEY":     "0123456789abcdef0123",
		"CONPRO_GOOGLE_ADS_ID":     "AW-1234567",
	}
	r, err := consent.NewRegistry(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// policyVersion is the version every test event is given under.
var policyVersion = policy.Seed()

// recordPolicy stores the policy version the test events refer to.
func recordPolicy(t *testing.T, db *postgres.DB) {
	t.Helper()
	if _, err := db.RecordPolicyVersions(context.Background(), policyVersion.Text(policy.Rendered{})); err != nil {
		t.Fatal(err)
	}
}

// liveDB is a fresh, migrated database that knows the policy version.
func liveDB(t *testing.T) *postgres.DB {
	t.Helper()
	db := pgtest.New(t)
	recordPolicy(t, db)
	return db
}

// deadDB is a store whose server does not exist.
func deadDB(t *testing.T) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), "postgres://postgres@/conpro?host="+t.TempDir()+"&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// lateDB is a store on the real server whose database does not exist yet;
// create makes, migrates and prepares it.
func lateDB(t *testing.T) (db *postgres.DB, create func()) {
	t.Helper()
	admin := pgtest.AdminURL(t)
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("conpro_late_%d", time.Now().UnixNano())
	u.Path = "/" + name
	u.RawPath = ""
	db, err = postgres.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	create = func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx, discard); err != nil {
			t.Fatal(err)
		}
		recordPolicy(t, db)
	}
	return db, create
}

func newRecorder(t *testing.T, store consentlog.Store, dir string) *consentlog.Recorder {
	t.Helper()
	r, err := consentlog.New(store, consentlog.NewSealer([]byte("test key")), dir, discard)
	if err != nil {
		t.Fatal(err)
	}
	r.DirectTimeout = 500 * time.Millisecond
	return r
}

var baseTime = time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)

// events makes n events of one new consent ID, a minute apart.
func events(t *testing.T, n int) []consent.Event {
	t.Helper()
	reg := registry(t)
	id := consent.NewID()
	var out []consent.Event
	for i := range n {
		ch := consent.Choice{
			ID:            id,
			PolicyVersion: policyVersion.Number,
			Categories:    []consent.Category{consent.Analytics},
			Vendors:       []string{"smartlook"},
			Time:          baseTime.Add(time.Duration(i) * time.Minute),
		}
		action := consent.Save
		if i%2 == 1 {
			action = consent.AcceptAll
			ch.Categories = []consent.Category{consent.Analytics, consent.Advertising, consent.Social}
			ch.Vendors = nil
		}
		out = append(out, consent.NewEvent(ch, reg, action, "banner-v1", "nl", fmt.Sprintf("/nl/page-%d", i), i%2 == 0,
			netip.MustParsePrefix("203.0.113.0/24"), "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/140.0"))
	}
	return out
}

func record(t *testing.T, r *consentlog.Recorder, es ...consent.Event) {
	t.Helper()
	for _, e := range es {
		if err := r.Record(context.Background(), e); err != nil {
			t.Fatalf("Record: %v", err)
		}
	}
}

func flush(t *testing.T, r *consentlog.Recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// assertStored checks that the log holds exactly want for their consent ID,
// each once and as recorded.
func assertStored(t *testing.T, db *postgres.DB, want []consent.Event) {
	t.Helper()
	got, err := db.ConsentEvents(context.Background(), want[0].ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("stored %d events, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.ID || g.ConsentID != w.ConsentID || !g.Time.Equal(w.Time) || g.PolicyVersion != w.PolicyVersion ||
			g.Action != w.Action || !slices.Equal(g.Categories, w.Categories) || !slices.Equal(g.Vendors, w.Vendors) ||
			g.BannerVersion != w.BannerVersion || g.Locale != w.Locale || g.Path != w.Path || g.GPC != w.GPC ||
			g.Network != w.Network || g.UserAgent != w.UserAgent {
			t.Errorf("event %d stored as\n%+v\nwant\n%+v", i, g, w)
		}
	}
}

// spoolFiles lists the spool files in dir.
func spoolFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func assertSpoolEmpty(t *testing.T, r *consentlog.Recorder, dir string) {
	t.Helper()
	if n := r.Spooled(); n != 0 {
		t.Errorf("Spooled() = %d, want 0", n)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("spool folder holds %v", names)
	}
}

// spooledIDs reads the event IDs from every spool file in dir.
func spooledIDs(t *testing.T, dir string) []string {
	t.Helper()
	var ids []string
	for _, f := range spoolFiles(t, dir) {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			var e consent.Event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("%s: %v", filepath.Base(f), err)
			}
			ids = append(ids, e.ID)
		}
		fh.Close()
	}
	return ids
}

func TestRecord_StoresStraightInTheDatabaseWhenItAnswers(t *testing.T) {
	db := liveDB(t)
	dir := t.TempDir()
	r := newRecorder(t, db, dir)
	es := events(t, 2)
	record(t, r, es...)
	assertStored(t, db, es)
	assertSpoolEmpty(t, r, dir)
}

func TestRecord_StoresTheSameEventOnce(t *testing.T) {
	db := liveDB(t)
	dir := t.TempDir()
	r := newRecorder(t, db, dir)
	es := events(t, 1)
	record(t, r, es[0], es[0])
	assertStored(t, db, es)
	assertSpoolEmpty(t, r, dir)
}

func TestRecord_SpoolsToDiskWhenTheDatabaseDoesNotAnswer(t *testing.T) {
	dir := t.TempDir()
	r := newRecorder(t, deadDB(t), dir)
	es := events(t, 1)

	start := time.Now()
	record(t, r, es...)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Record took %v", d)
	}
	if n := r.Spooled(); n != 1 {
		t.Fatalf("Spooled() = %d, want 1", n)
	}
	if files := spoolFiles(t, dir); len(files) != 1 {
		t.Fatalf("spool files %v, want one", files)
	}
	if ids := spooledIDs(t, dir); !slices.Equal(ids, []string{es[0].ID}) {
		t.Fatalf("spooled event IDs %v, want %s", ids, es[0].ID)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.Flush(ctx); err == nil {
		t.Fatal("Flush into a dead database succeeded")
	}
	if n := r.Spooled(); n != 1 {
		t.Errorf("after a failed flush Spooled() = %d, want 1", n)
	}
	if ids := spooledIDs(t, dir); !slices.Equal(ids, []string{es[0].ID}) {
		t.Errorf("after a failed flush the spool holds %v, want %s", ids, es[0].ID)
	}
}

func TestRecord_SpooledEventsReachTheDatabaseOnceItComesBack(t *testing.T) {
	db, create := lateDB(t)
	dir := t.TempDir()
	r := newRecorder(t, db, dir)
	es := events(t, 3)
	record(t, r, es...)
	if n := r.Spooled(); n != 3 {
		t.Fatalf("Spooled() = %d, want 3", n)
	}
	if ids := spooledIDs(t, dir); len(ids) != 3 {
		t.Fatalf("spool holds %v, want 3 events", ids)
	}

	create()
	flush(t, r)
	assertStored(t, db, es)
	assertSpoolEmpty(t, r, dir)

	// A second flush has nothing left to store twice.
	flush(t, r)
	assertStored(t, db, es)
}

func TestNew_PicksUpTheSpoolOfAnEarlierProcess(t *testing.T) {
	cases := []struct {
		name string
		// leave is what the earlier process did before it stopped.
		leave func(t *testing.T, earlier *consentlog.Recorder, dir string)
	}{
		{"stopped after a failed replay", func(t *testing.T, earlier *consentlog.Recorder, dir string) {
			if err := earlier.Flush(context.Background()); err == nil {
				t.Fatal("Flush into a dead database succeeded")
			}
		}},
		{"stopped over ten minutes ago without replaying", func(t *testing.T, earlier *consentlog.Recorder, dir string) {
			old := time.Now().Add(-11 * time.Minute)
			for _, f := range spoolFiles(t, dir) {
				if err := os.Chtimes(f, old, old); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			earlier := newRecorder(t, deadDB(t), dir)
			es := events(t, 2)
			record(t, earlier, es...)
			c.leave(t, earlier, dir)

			db := liveDB(t)
			r := newRecorder(t, db, dir)
			if n := r.Spooled(); n != 2 {
				t.Fatalf("Spooled() = %d, want 2", n)
			}
			flush(t, r)
			assertStored(t, db, es)
			assertSpoolEmpty(t, r, dir)
		})
	}
}

func TestFlush_LeavesTheFreshPendingFileOfAnotherProcessAlone(t *testing.T) {
	dir := t.TempDir()
	db := liveDB(t)
	r := newRecorder(t, db, dir)
	// Another process starts on the same folder later and spools a choice.
	other := newRecorder(t, deadDB(t), dir)
	es := events(t, 1)
	record(t, other, es...)

	flush(t, r)
	got, err := db.ConsentEvents(context.Background(), es[0].ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("replayed a file another process may still append to: %+v", got)
	}
	if ids := spooledIDs(t, dir); !slices.Equal(ids, []string{es[0].ID}) {
		t.Errorf("spool holds %v, want %s", ids, es[0].ID)
	}
}

func TestFlush_SkipsATornLastLineAndStoresTheIntactEvents(t *testing.T) {
	dir := t.TempDir()
	earlier := newRecorder(t, deadDB(t), dir)
	es := events(t, 2)
	record(t, earlier, es...)
	files := spoolFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("spool files %v, want one", files)
	}
	// The process died halfway through writing a third line.
	torn, err := json.Marshal(events(t, 1)[0])
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(files[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(torn[:len(torn)/2]); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-11 * time.Minute)
	if err := os.Chtimes(files[0], old, old); err != nil {
		t.Fatal(err)
	}

	db := liveDB(t)
	r := newRecorder(t, db, dir)
	if n := r.Spooled(); n < 2 {
		t.Fatalf("Spooled() = %d, want at least the 2 intact events", n)
	}
	flush(t, r)
	assertStored(t, db, es)
	assertSpoolEmpty(t, r, dir)
}

func TestRun_ReplaysOnItsOwnOnceTheDatabaseIsBackAndStopsWithItsContext(t *testing.T) {
	db, create := lateDB(t)
	dir := t.TempDir()
	r := newRecorder(t, db, dir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx, 50*time.Millisecond)
	}()

	es := events(t, 2)
	record(t, r, es...)
	if n := r.Spooled(); n != 2 {
		t.Fatalf("Spooled() = %d, want 2", n)
	}
	// Let Run try (and fail) a few times first.
	time.Sleep(300 * time.Millisecond)
	if n := r.Spooled(); n != 2 {
		t.Fatalf("Spooled() = %d while the database is missing, want 2", n)
	}

	create()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := db.ConsentEvents(context.Background(), es[0].ConsentID)
		if err == nil && len(got) == len(es) && r.Spooled() == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5s: %d events stored (err %v), Spooled() = %d", len(got), err, r.Spooled())
		}
		time.Sleep(20 * time.Millisecond)
	}
	assertStored(t, db, es)

	cancel()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	assertSpoolEmpty(t, r, dir)
}

func TestNew_ReplaysWhatAnEarlierProcessLeftAtOnce(t *testing.T) {
	dir := t.TempDir()
	earlier := newRecorder(t, deadDB(t), dir)
	es := events(t, 2)
	record(t, earlier, es...)

	// The earlier process is gone; a new one starts on its folder.
	db := liveDB(t)
	r := newRecorder(t, db, dir)
	if n := r.Spooled(); n != 2 {
		t.Fatalf("Spooled() = %d, want 2", n)
	}
	flush(t, r)
	var n int
	if err := db.Pool().QueryRow(context.Background(), "SELECT count(*) FROM consent_event WHERE event_id = ANY($1::uuid[])", []string{es[0].ID, es[1].ID}).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d of the 2 events stored (%v)", n, err)
	}
	if r.Spooled() != 0 || len(spoolFiles(t, dir)) != 0 {
		t.Fatalf("spool after replay: %d events, files %v", r.Spooled(), spoolFiles(t, dir))
	}
}

func TestRecord_AChoiceAfterAPartialLineIsStillStored(t *testing.T) {
	dir := t.TempDir()
	dead := newRecorder(t, deadDB(t), dir)
	es := events(t, 3)
	record(t, dead, es[0])
	files := spoolFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("spool files %v", files)
	}
	// Something left half a line at the end of the file.
	f, err := os.OpenFile(files[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"ID":"1f0`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	record(t, dead, es[1], es[2])

	events, bad := readAll(t, files[0])
	if len(events) != 3 || bad != 1 {
		t.Fatalf("spool holds %d readable events and %d bad lines, want 3 and 1", len(events), bad)
	}
}

// readAll reads a spool file as the replay does: JSON lines, counting the
// unreadable ones.
func readAll(t *testing.T, file string) (ids []string, bad int) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var e struct{ ID string }
		if json.Unmarshal([]byte(line), &e) != nil || e.ID == "" {
			bad++
			continue
		}
		ids = append(ids, e.ID)
	}
	return ids, bad
}

// An event whose policy version is not recorded yet (a server that has not
// started against the database since it came back) waits; it is not set
// aside as refused.
func TestFlush_WaitsForThePolicyVersionInsteadOfRefusingTheEvent(t *testing.T) {
	db := pgtest.New(t) // migrated, but no policy version recorded
	dir := t.TempDir()
	r := newRecorder(t, deadDB(t), dir)
	es := events(t, 1)
	record(t, r, es...)
	live := newRecorder(t, db, dir)
	if err := live.Flush(context.Background()); err == nil {
		t.Fatal("replay succeeded without the policy version")
	}
	if live.Spooled() != 1 {
		t.Fatalf("Spooled() = %d, want the event still waiting", live.Spooled())
	}
	if _, err := db.RecordPolicyVersions(context.Background(), policy.Seed().Text(policy.Rendered{})); err != nil {
		t.Fatal(err)
	}
	if err := live.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertStored(t, db, es)
}

// A flood of clicks during an outage must not fill the disk: past
// MaxSpooled the recorder refuses, and takes events again once the spool
// has been replayed.
func TestRecord_AFullSpoolRefusesTheEventUntilItIsReplayed(t *testing.T) {
	db, create := lateDB(t)
	dir := t.TempDir()
	r := newRecorder(t, db, dir)
	r.MaxSpooled = 3
	es := events(t, 5)
	record(t, r, es[:3]...)
	err := r.Record(context.Background(), es[3])
	if !errors.Is(err, consentlog.ErrSpoolFull) {
		t.Fatalf("fourth event into a spool of three: %v, want ErrSpoolFull", err)
	}
	if n := r.Spooled(); n != 3 {
		t.Fatalf("Spooled() = %d, want 3", n)
	}
	if ids := spooledIDs(t, dir); len(ids) != 3 || slices.Contains(ids, es[3].ID) {
		t.Fatalf("spool holds %v, want the first three events only", ids)
	}

	create()
	flush(t, r)
	assertSpoolEmpty(t, r, dir)
	// The database answers again: the event goes straight in.
	record(t, r, es[4])
	assertStored(t, db, append(es[:3:3], es[4]))
}

// An earlier process may have left a spool as large as the limit: the
// count starts from what is on disk.
func TestNew_CountsTheSpoolOfAnEarlierProcessAgainstTheLimit(t *testing.T) {
	dir := t.TempDir()
	dead := deadDB(t)
	first := newRecorder(t, dead, dir)
	first.MaxSpooled = 2
	es := events(t, 3)
	record(t, first, es[:2]...)

	second := newRecorder(t, dead, dir)
	second.MaxSpooled = 2
	if err := second.Record(context.Background(), es[2]); !errors.Is(err, consentlog.ErrSpoolFull) {
		t.Fatalf("a new process over a full spool: %v, want ErrSpoolFull", err)
	}
}

// A spool folder the server cannot write to stops it at start, naming the
// folder, instead of losing choices the first time the database is away.
func TestNew_RefusesASpoolFolderItCannotWriteTo(t *testing.T) {
	// /proc/1 is a folder nobody may create a file in, root included.
	_, err := consentlog.New(nil, consentlog.NewSealer([]byte("test key")), "/proc/1", discard)
	if err == nil || !strings.Contains(err.Error(), "/proc/1 is not writable") {
		t.Fatalf("err = %v", err)
	}
}

// countingStore counts the writes that reach the database.
type countingStore struct {
	consentlog.Store
	writes atomic.Int64
}

func (s *countingStore) InsertConsentEvents(ctx context.Context, es []consent.Event) error {
	s.writes.Add(1)
	return s.Store.InsertConsentEvents(ctx, es)
}

// Many clicks at once are each stored once and acknowledged only then, and
// they share writes: the database commits far fewer times than there were
// clicks.
func TestRecord_ClicksAtOnceShareWritesAndAreEachStored(t *testing.T) {
	db := liveDB(t)
	store := &countingStore{Store: db}
	dir := t.TempDir()
	r := newRecorder(t, store, dir)
	const clicks = 300
	var all []consent.Event
	for range clicks / 3 {
		all = append(all, events(t, 3)...)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, clicks)
	for _, e := range all {
		wg.Go(func() {
			<-start
			errs <- r.Record(context.Background(), e)
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < clicks; i += 3 {
		assertStored(t, db, all[i:i+3])
	}
	if w := store.writes.Load(); w >= clicks/2 {
		t.Errorf("%d writes for %d clicks at once", w, clicks)
	}
	assertSpoolEmpty(t, r, dir)
}

// gatedStore holds every write until it is opened.
type gatedStore struct {
	consentlog.Store
	waiting atomic.Int64
	open    chan struct{}
}

func (s *gatedStore) InsertConsentEvents(ctx context.Context, es []consent.Event) error {
	s.waiting.Add(1)
	<-s.open
	return s.Store.InsertConsentEvents(ctx, es)
}

// An event the database refuses does not take the clicks written with it
// along: they are stored, it alone goes to the spool.
func TestRecord_ARefusedEventDoesNotHoldBackTheOthersWrittenWithIt(t *testing.T) {
	db := liveDB(t)
	store := &gatedStore{Store: db, open: make(chan struct{})}
	dir := t.TempDir()
	r := newRecorder(t, store, dir)
	r.DirectTimeout = 10 * time.Second
	var wg sync.WaitGroup
	recordAll := func(es ...consent.Event) {
		for _, e := range es {
			wg.Go(func() {
				if err := r.Record(context.Background(), e); err != nil {
					t.Error(err)
				}
			})
		}
	}
	// An earlier click keeps the one writer busy...
	recordAll(events(t, 1)...)
	for store.waiting.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	// ...so these wait, and are written together once it is free.
	good := events(t, 3)
	bad := events(t, 1)[0]
	bad.Locale = "xx" // the table's check refuses it
	recordAll(append(slices.Clone(good), bad)...)
	time.Sleep(100 * time.Millisecond)
	close(store.open)
	wg.Wait()
	// The earlier click, the four together, then each of them alone.
	if w := store.waiting.Load(); w != 6 {
		t.Errorf("%d writes, want 6: the waiting clicks were not written together first", w)
	}
	assertStored(t, db, good)
	if ids := spooledIDs(t, dir); len(ids) != 1 || ids[0] != bad.ID {
		t.Errorf("spooled %v, want only the refused event %s", ids, bad.ID)
	}
}

// hangingStore answers no write: each waits until its deadline.
type hangingStore struct{ writes atomic.Int64 }

func (s *hangingStore) InsertConsentEvents(ctx context.Context, _ []consent.Event) error {
	s.writes.Add(1)
	<-ctx.Done()
	return ctx.Err()
}

// A database that hangs holds each click for DirectTimeout at most: the
// clicks that waited that long behind the hanging write go to the spool
// without another try, however many they are.
func TestRecord_ClicksBehindAHangingWriteAreSpooledWhenTheirTimeIsUp(t *testing.T) {
	store := &hangingStore{}
	dir := t.TempDir()
	r := newRecorder(t, store, dir)
	r.DirectTimeout = time.Second
	first := events(t, 1)
	var wg sync.WaitGroup
	wg.Go(func() { record(t, r, first...) })
	for store.writes.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// Three batches' worth arrive while the first write hangs.
	waiting := events(t, 150)
	for _, e := range waiting {
		wg.Go(func() { record(t, r, e) })
	}
	wg.Wait()
	// The first write, and at most one for the clicks with a moment left
	// when it gave up; not one for each of the four batches.
	if w := store.writes.Load(); w > 2 {
		t.Errorf("%d writes tried, want at most 2: the clicks had waited their time behind the first", w)
	}
	if ids := spooledIDs(t, dir); len(ids) != 1+len(waiting) {
		t.Errorf("%d choices spooled, want all %d", len(ids), 1+len(waiting))
	}
}
