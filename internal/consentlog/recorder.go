// Package consentlog records consent choices so that none is lost: straight
// into PostgreSQL when it answers, otherwise into a local spool file that is
// synced to disk before the visitor's click is acknowledged, and replayed
// into PostgreSQL once it is back. Events carry their own ID, so a replay
// never stores one twice.
package consentlog

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"conpro/internal/consent"
	"conpro/internal/group"
)

// Store is where events end up.
type Store interface {
	InsertConsentEvents(ctx context.Context, events []consent.Event) error
}

// Recorder writes consent events to the store, or to the spool when the store
// fails.
type Recorder struct {
	store  Store
	sealer *Sealer
	dir    string
	log    *slog.Logger
	// pending is this process's spool file; other files in dir are left by
	// earlier processes or are being replayed.
	pending string
	mu      sync.Mutex // serialises appends and the rotation of pending
	// clicks gathers the clicks waiting to be written (see Record).
	clicks  group.Queue[*click]
	flushMu sync.Mutex // one replay at a time
	spooled atomic.Int64
	kick    chan struct{}
	// DirectTimeout bounds the attempt to write straight to the store, so a
	// hanging database does not hold the visitor's click.
	DirectTimeout time.Duration
	// MaxSpooled bounds the events waiting in the spool, so that a flood of
	// clicks during an outage cannot fill the disk. Past it, Record returns
	// ErrSpoolFull.
	MaxSpooled int
}

// DefaultMaxSpooled is MaxSpooled unless the caller sets another: far more
// choices than the site sees in a day, and at most some tens of megabytes
// (an event is a few hundred bytes, at most a few kilobytes).
const DefaultMaxSpooled = 20_000

// ErrSpoolFull is returned by Record when the database did not take the
// event and the spool already holds MaxSpooled events: the choice is not
// recorded.
var ErrSpoolFull = errors.New("consent spool is full")

// ErrRefused is wrapped by the store's error when the database refuses an
// event itself (a constraint or a malformed value) rather than being
// unreachable: retrying will not help.
var ErrRefused = errors.New("the database refuses the consent event")

// New returns a recorder that seals each event and spools into dir (created
// if needed).
func New(store Store, sealer *Sealer, dir string, logger *slog.Logger) (*Recorder, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("consent spool folder: %w", err)
	}
	// The spool is where choices go when the database is away: a folder it
	// cannot write to would be found only then, with visitors' choices lost.
	probe, err := os.CreateTemp(dir, ".writable-*")
	if err != nil {
		return nil, fmt.Errorf("consent spool folder %s is not writable: %w", dir, err)
	}
	probe.Close()
	if err := os.Remove(probe.Name()); err != nil {
		return nil, fmt.Errorf("consent spool folder %s: %w", dir, err)
	}
	host, _ := os.Hostname()
	r := &Recorder{
		store:         store,
		sealer:        sealer,
		dir:           dir,
		log:           logger,
		pending:       filepath.Join(dir, fmt.Sprintf("pending-%s-%d-%d.jsonl", sanitizeName(host), os.Getpid(), time.Now().UnixNano())),
		kick:          make(chan struct{}, 1),
		DirectTimeout: 3 * time.Second,
		MaxSpooled:    DefaultMaxSpooled,
	}
	r.clicks.Do, r.clicks.Max = r.write, maxBatch
	// Pending files in the folder were left by earlier processes (each
	// instance has a folder of its own): replay them right away.
	files, err := r.spoolFiles()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if base := filepath.Base(f); strings.HasPrefix(base, "pending-") {
			if err := os.Rename(f, filepath.Join(dir, "replay-0-"+base)); err != nil {
				return nil, fmt.Errorf("consent spool: %w", err)
			}
		}
	}
	n, err := r.countSpooled()
	if err != nil {
		return nil, err
	}
	r.spooled.Store(int64(n))
	return r, nil
}

func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// Record stores one event. It returns nil once the event is safe: in the
// database, or synced to the spool file. An error means neither worked; it
// wraps ErrSpoolFull when the spool had no room.
//
// Clicks that arrive while earlier ones are being written wait and are
// written together, in one statement (group commit): under load the
// database commits once for many clicks instead of once each. One write
// runs at a time (see group.Queue). A click waits for the database
// DirectTimeout at most, counted from when it came, also behind writes
// that hang: then it goes to the spool.
func (r *Recorder) Record(ctx context.Context, e consent.Event) error {
	e.Seal = r.sealer.Seal(e)
	c := &click{event: e, by: time.Now().Add(r.DirectTimeout), done: make(chan error, 1)}
	r.clicks.Add(ctx, c)
	return <-c.done
}

// click is a choice waiting to be written, by when it stops waiting for the
// database, and where its outcome goes.
type click struct {
	event consent.Event
	by    time.Time
	done  chan error
}

// errWaitedTooLong is why a click that waited its whole DirectTimeout
// behind earlier writes is spooled without a try.
var errWaitedTooLong = errors.New("the writes before it took the whole direct timeout")

// maxBatch is the most clicks one write takes.
const maxBatch = 64

// write stores a batch of clicks and tells each its outcome. The write
// lasts until the first of them (the one that came first) stops waiting;
// those whose time is up already go to the spool untried, so that a
// database that hangs holds no click longer than DirectTimeout, however
// many wait.
func (r *Recorder) write(ctx context.Context, batch []*click) {
	now := time.Now()
	waiting := batch[:0]
	for _, c := range batch {
		if now.Before(c.by) {
			waiting = append(waiting, c)
		} else {
			c.done <- r.settle(ctx, c.event, errWaitedTooLong)
		}
	}
	batch = waiting
	if len(batch) == 0 {
		return
	}
	events := make([]consent.Event, len(batch))
	for i, c := range batch {
		events[i] = c.event
	}
	dctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), batch[0].by)
	err := r.store.InsertConsentEvents(dctx, events)
	if err != nil && errors.Is(err, ErrRefused) && len(batch) > 1 {
		// The database refuses one of them: the others must not share its
		// fate, so each is written on its own.
		for _, c := range batch {
			c.done <- r.settle(ctx, c.event, r.store.InsertConsentEvents(dctx, []consent.Event{c.event}))
		}
	} else {
		for _, c := range batch {
			c.done <- r.settle(ctx, c.event, err)
		}
	}
	cancel()
}

// settle is the outcome of a click the database did (err == nil) or did
// not take: spooled, or an error when the spool failed too.
func (r *Recorder) settle(ctx context.Context, e consent.Event, err error) error {
	if err == nil {
		return nil
	}
	if serr := r.spool(e); serr != nil {
		return fmt.Errorf("record consent event: database: %v; spool: %w", err, serr)
	}
	r.log.WarnContext(ctx, "database unavailable: consent choice spooled for later", "event_id", e.ID, "err", err)
	select {
	case r.kick <- struct{}{}:
	default:
	}
	return nil
}

func (r *Recorder) spool(e consent.Event) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.spooled.Load() >= int64(r.MaxSpooled) {
		return ErrSpoolFull
	}
	f, err := os.OpenFile(r.pending, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	rec := append(line, '\n')
	if fi.Size() > 0 {
		// Should the file end in a partial line, start on a new one.
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
			rec = append([]byte{'\n'}, rec...)
		}
	}
	_, err = f.Write(rec)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		// Cut a partial line off, so the next choice starts on a line of
		// its own instead of being glued to unreadable bytes.
		_ = f.Truncate(fi.Size())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	r.spooled.Add(1)
	return nil
}

// Spooled returns how many events wait in the spool.
func (r *Recorder) Spooled() int { return int(r.spooled.Load()) }

// Run replays the spool until ctx ends: soon after a choice was spooled, and
// every interval anyway (to pick up files left by an earlier process).
func (r *Recorder) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if r.Spooled() > 0 {
			if err := r.Flush(ctx); err != nil && ctx.Err() == nil {
				r.log.WarnContext(ctx, "consent spool not replayed yet", "err", err, "waiting", r.Spooled())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.kick:
			// Give a database that just failed a moment before retrying.
			select {
			case <-ctx.Done():
				return
			case <-time.After(interval):
			}
		}
	}
}

// Flush replays every spool file into the store. Files whose events are all
// stored are removed; the others stay for the next attempt.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()

	// New clicks go to a fresh pending file while this one is replayed.
	r.mu.Lock()
	if _, err := os.Stat(r.pending); err == nil {
		rotated := filepath.Join(r.dir, "replay-"+strconv.FormatInt(time.Now().UnixNano(), 10)+"-"+filepath.Base(r.pending))
		if err := os.Rename(r.pending, rotated); err != nil {
			r.mu.Unlock()
			return fmt.Errorf("rotate consent spool: %w", err)
		}
	}
	r.mu.Unlock()

	files, err := r.spoolFiles()
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		if f == r.pending || r.othersPending(f) {
			continue
		}
		n, err := r.replay(ctx, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.Remove(f); err != nil {
			errs = append(errs, err)
			continue
		}
		r.log.InfoContext(ctx, "consent spool replayed", "events", n)
	}
	// Count again rather than subtract: files may have held unreadable
	// lines, or another process's events.
	if n, err := r.countSpooled(); err == nil {
		r.spooled.Store(int64(n))
	}
	return errors.Join(errs...)
}

func (r *Recorder) replay(ctx context.Context, file string) (int, error) {
	events, bad, err := readSpool(file)
	if err != nil {
		return 0, err
	}
	if bad > 0 {
		// A torn last line from a crash mid-write: that click was never
		// acknowledged (the sync had not returned), so nothing is lost.
		r.log.WarnContext(ctx, "consent spool: skipped unreadable lines", "file", filepath.Base(file), "lines", bad)
	}
	if err := r.store.InsertConsentEvents(ctx, events); err != nil {
		if !errors.Is(err, ErrRefused) {
			return 0, fmt.Errorf("replay %s: %w", filepath.Base(file), err)
		}
		// The database answers but refuses something in the file: store
		// the events one by one and set the refused ones aside, so one bad
		// event does not hold back the others.
		for _, e := range events {
			err := r.store.InsertConsentEvents(ctx, []consent.Event{e})
			switch {
			case err == nil:
			case errors.Is(err, ErrRefused):
				if qerr := r.quarantine(e); qerr != nil {
					return 0, qerr
				}
				r.log.ErrorContext(ctx, "consent spool: the database refuses an event; kept aside in the spool folder", "event_id", e.ID, "err", err)
			default:
				return 0, fmt.Errorf("replay %s: %w", filepath.Base(file), err)
			}
		}
	}
	return len(events) + bad, nil
}

// quarantine keeps a refused event in a file of its own, which replay
// leaves alone, for a person to look at.
func (r *Recorder) quarantine(e consent.Event) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(r.dir, "refused.jsonl.txt"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// othersPending reports whether file is another live process's pending
// file: it may still be appended to. A pending file untouched for ten
// minutes was left by a process that is gone, and is replayed.
func (r *Recorder) othersPending(file string) bool {
	if !strings.HasPrefix(filepath.Base(file), "pending-") {
		return false
	}
	fi, err := os.Stat(file)
	return err == nil && time.Since(fi.ModTime()) < 10*time.Minute
}

func readSpool(file string) (events []consent.Event, bad int, err error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e consent.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.ID == "" {
			bad++
			continue
		}
		events = append(events, e)
	}
	return events, bad, sc.Err()
}

// spoolFiles lists the spool's files, oldest name first.
func (r *Recorder) spoolFiles() ([]string, error) {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return nil, fmt.Errorf("read consent spool: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".jsonl") {
			out = append(out, filepath.Join(r.dir, e.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}

func (r *Recorder) countSpooled() (int, error) {
	files, err := r.spoolFiles()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		events, bad, err := readSpool(f)
		if err != nil {
			return 0, err
		}
		n += len(events) + bad
	}
	return n, nil
}
