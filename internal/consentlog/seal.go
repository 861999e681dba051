package consentlog

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"conpro/internal/consent"
)

// The proof of consent is tamper-evident in two ways. Each event is sealed
// as it is written: its seal is a keyed hash (HMAC-SHA-256) of everything
// it records, made with a key the database does not hold, so an event
// changed in the database no longer matches its seal. And a chain links the
// sealed events, in the order they were sealed, each to the one before it:
// link = HMAC(key, previous link, event ID, seal). An event removed other
// than by the retention purge or a verified erasure (which leave a
// tombstone), or links cut out or reordered, break the chain. Verify walks
// it and names the first event that fails. What it cannot see alone is the
// end of the chain cut off whole; each verification records the head it
// saw, the next one checks it is still there, and the server logs the head
// as it grows.

// Sealer makes seals and links with the log's key.
type Sealer struct {
	key []byte
}

// NewSealer derives the log's key from the server's secret.
func NewSealer(secret []byte) *Sealer {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("conpro consent log seal"))
	return &Sealer{key: m.Sum(nil)}
}

// Seal is the keyed hash of an event's contents, as the log stores them:
// times to the microsecond in UTC, the network as written. The event's own
// Seal field is not part of it.
func (s *Sealer) Seal(e consent.Event) []byte {
	m := hmac.New(sha256.New, s.key)
	var b []byte
	field := func(v string) {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	field("conpro consent event v1")
	field(e.ID)
	field(e.ConsentID)
	field(e.Time.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	field(strconv.Itoa(e.PolicyVersion))
	field(string(e.Action))
	field(strconv.Itoa(len(e.Categories)))
	for _, c := range e.Categories {
		field(string(c))
	}
	field(strconv.Itoa(len(e.Vendors)))
	for _, v := range e.Vendors {
		field(v)
	}
	field(e.BannerVersion)
	field(e.Locale)
	field(e.Path)
	field(strconv.FormatBool(e.GPC))
	network := ""
	if e.Network.IsValid() {
		network = e.Network.String()
	}
	field(network)
	field(e.UserAgent)
	m.Write(b)
	return m.Sum(nil)
}

// Link is the chain's link for an event after prev (nil for the first).
func (s *Sealer) Link(prev []byte, eventID string, seal []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(prev)
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(eventID)))
	b = append(b, eventID...)
	m.Write(b)
	m.Write(seal)
	return m.Sum(nil)
}

// StoredEvent is an event as the log holds it (its Seal nil when it was
// recorded without one), when the log stored it (by the database's clock),
// and whether that was before sealing began.
type StoredEvent struct {
	consent.Event
	RecordedAt time.Time
	Legacy     bool
}

// ChainLink is one link of the chain.
type ChainLink struct {
	Pos     int64
	EventID string
	Seal    []byte
	Link    []byte
	// SealedAt is when the link was added (by the database's clock); zero
	// for a link not stored yet.
	SealedAt time.Time
}

// ChainStore is where the chain is kept.
type ChainStore interface {
	// WithChainLock runs f while no other instance extends the chain; ran
	// is false when another holds it.
	WithChainLock(ctx context.Context, f func(ctx context.Context) error) (ran bool, err error)
	ChainHead(ctx context.Context) (ChainLink, error)
	// Unchained returns up to limit events recorded since since (all when
	// it is zero) not yet in the chain, oldest first.
	Unchained(ctx context.Context, since time.Time, limit int) ([]StoredEvent, error)
	AppendChain(ctx context.Context, links []ChainLink) error
}

// chainBatch bounds the links one transaction appends.
const chainBatch = 1000

// recentWindow is how far before the chain's last link Extend looks for
// events to link when it is not asked to sweep the whole log. An event is
// recorded with its transaction's start time and may commit later than
// events linked after it; no insert lasts an hour, and an event that
// reaches the log another way (a restored backup, a row inserted with SQL)
// is linked by the next full sweep.
const recentWindow = time.Hour

// Sweep says how much of the log Extend looks at for events to link.
type Sweep bool

const (
	// Recent looks only at events recorded lately (recentWindow before the
	// chain's last link): an index range, as fast at ten million events as
	// at ten.
	Recent Sweep = false
	// Whole looks at every event.
	Whole Sweep = true
)

// Extend links every event not yet in the chain (within sweep), in one
// instance at a time. An event recorded before sealing began is sealed now,
// from what is stored; one recorded since without a seal is linked with
// none, and fails verification. It returns how many it linked and the
// chain's head.
func Extend(ctx context.Context, store ChainStore, s *Sealer, sweep Sweep) (n int, head ChainLink, err error) {
	_, err = store.WithChainLock(ctx, func(ctx context.Context) error {
		if head, err = store.ChainHead(ctx); err != nil {
			return err
		}
		var since time.Time
		if sweep == Recent && !head.SealedAt.IsZero() {
			since = head.SealedAt.Add(-recentWindow)
		}
		for {
			events, err := store.Unchained(ctx, since, chainBatch)
			if err != nil || len(events) == 0 {
				return err
			}
			links := make([]ChainLink, 0, len(events))
			for _, e := range events {
				seal := e.Seal
				if seal == nil && e.Legacy {
					seal = s.Seal(e.Event)
				}
				if seal == nil {
					seal = []byte{} // linked as it is: Verify names it
				}
				head = ChainLink{Pos: head.Pos + 1, EventID: e.ID, Seal: seal, Link: s.Link(head.Link, e.ID, seal)}
				links = append(links, head)
			}
			if err := store.AppendChain(ctx, links); err != nil {
				return err
			}
			n += len(links)
			if len(events) < chainBatch {
				return nil
			}
			// The next batch starts where this one ended rather than at the
			// start of the window, which would read all it linked again: an
			// event recorded earlier that commits meanwhile waits for the
			// next Extend, as one that commits just after this one does.
			// Events recorded at the same instant (one transaction) may
			// straddle the batches; those linked are left out again.
			since = events[len(events)-1].RecordedAt
		}
	})
	if err != nil {
		return n, head, fmt.Errorf("extend the consent chain: %w", err)
	}
	return n, head, nil
}

// Failure names what is wrong with the log.
type Failure struct {
	EventID string
	Pos     int64 // in the chain; 0 for an event not in it
	Reason  Reason
}

// Reason says how an event fails.
type Reason string

const (
	// Changed: the event's contents no longer match its seal.
	Changed Reason = "changed"
	// Removed: the event is gone, and no purge or erasure removed it.
	Removed Reason = "removed"
	// Unsealed: the event was recorded, after sealing began, without a
	// seal: the server did not write it.
	Unsealed Reason = "unsealed"
	// Broken: the chain's link does not follow from the one before it (a
	// link changed, removed or moved).
	Broken Reason = "broken"
	// Truncated: the head an earlier verification saw is no longer in the
	// chain.
	Truncated Reason = "truncated"
)

func (f *Failure) Error() string {
	if f.Pos > 0 {
		return fmt.Sprintf("consent event %s (link %d): %s", f.EventID, f.Pos, f.Reason)
	}
	return fmt.Sprintf("consent event %s: %s", f.EventID, f.Reason)
}

// Report is what a verification found.
type Report struct {
	At time.Time
	// Checked counts the events whose seal was checked; Removed those gone
	// with a tombstone; Pending those recorded after the chain was last
	// extended (their seals are checked too).
	Checked, Removed, Pending int64
	Head                      ChainLink
	Failure                   *Failure // nil: the log is intact
}

// OK reports whether the log is intact.
func (r Report) OK() bool { return r.Failure == nil }

// Chained is one link with what it links: the event (nil when it is gone)
// and, for a gone event, the reason of its tombstone ("" for none).
type Chained struct {
	ChainLink
	Event     *StoredEvent
	Tombstone string
}

// VerifyStore reads the log and the chain for verification.
type VerifyStore interface {
	// EachChained calls f for every link in chain order.
	EachChained(ctx context.Context, f func(Chained) error) error
	// EachUnchained calls f for every event not in the chain.
	EachUnchained(ctx context.Context, f func(StoredEvent) error) error
	// LastVerifiedHead is the head the last verification saw (Pos 0: none).
	LastVerifiedHead(ctx context.Context) (ChainLink, error)
}

var errStop = errors.New("stop")

// Verify checks every event against its seal and the whole chain, and
// names the first event that fails.
func Verify(ctx context.Context, store VerifyStore, s *Sealer, now time.Time) (Report, error) {
	r := Report{At: now}
	earlier, err := store.LastVerifiedHead(ctx)
	if err != nil {
		return r, fmt.Errorf("verify the consent log: %w", err)
	}
	sawEarlier := earlier.Pos == 0
	fail := func(f Failure) error {
		r.Failure = &f
		return errStop
	}
	var prev []byte
	err = store.EachChained(ctx, func(c Chained) error {
		if c.Pos != r.Head.Pos+1 || !hmac.Equal(c.Link, s.Link(prev, c.EventID, c.Seal)) {
			return fail(Failure{EventID: c.EventID, Pos: c.Pos, Reason: Broken})
		}
		prev, r.Head = c.Link, c.ChainLink
		if c.Pos == earlier.Pos {
			if !hmac.Equal(c.Link, earlier.Link) {
				return fail(Failure{EventID: c.EventID, Pos: c.Pos, Reason: Broken})
			}
			sawEarlier = true
		}
		switch {
		case c.Event == nil && c.Tombstone != "":
			r.Removed++
			return nil
		case c.Event == nil:
			return fail(Failure{EventID: c.EventID, Pos: c.Pos, Reason: Removed})
		case len(c.Seal) == 0:
			return fail(Failure{EventID: c.EventID, Pos: c.Pos, Reason: Unsealed})
		case !hmac.Equal(c.Seal, s.Seal(c.Event.Event)) || c.Event.Seal != nil && !hmac.Equal(c.Event.Seal, c.Seal):
			return fail(Failure{EventID: c.EventID, Pos: c.Pos, Reason: Changed})
		}
		r.Checked++
		return nil
	})
	if err == nil && !sawEarlier {
		r.Failure = &Failure{EventID: earlier.EventID, Pos: earlier.Pos, Reason: Truncated}
		err = errStop
	}
	if err == nil {
		err = store.EachUnchained(ctx, func(e StoredEvent) error {
			switch {
			case e.Seal == nil && !e.Legacy:
				return fail(Failure{EventID: e.ID, Reason: Unsealed})
			case e.Seal != nil && !hmac.Equal(e.Seal, s.Seal(e.Event)):
				return fail(Failure{EventID: e.ID, Reason: Changed})
			}
			r.Pending++
			return nil
		})
	}
	if err != nil && !errors.Is(err, errStop) {
		return r, fmt.Errorf("verify the consent log: %w", err)
	}
	return r, nil
}

// wholeSweepEvery is how often RunChain looks at the whole log rather than
// at the recent events only.
const wholeSweepEvery = time.Hour

// RunChain extends the chain every interval until ctx ends, in whichever
// instance gets the lock, and logs the head as it grows: a copy of the head
// outside the database shows whether the end of the chain was cut off. It
// looks at the recent events each time, and at the whole log at its start
// and then every wholeSweepEvery.
func RunChain(ctx context.Context, store ChainStore, s *Sealer, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastWhole time.Time
	for {
		sweep := Recent
		if time.Since(lastWhole) >= wholeSweepEvery {
			sweep = Whole
		}
		n, head, err := Extend(ctx, store, s, sweep)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.WarnContext(ctx, "consent chain not extended; next try at the next interval", "err", err)
		case n > 0:
			logger.InfoContext(ctx, "consent chain extended", "linked", n, "head_pos", head.Pos, "head_link", hex.EncodeToString(head.Link))
		}
		if err == nil && sweep == Whole {
			lastWhole = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Verification is a recorded run of Verify, as staff see it.
type Verification struct {
	At                               time.Time
	OK                               bool
	Checked, Removed, Pending, Links int64
	FailedEvent                      string
	Reason                           Reason
}
