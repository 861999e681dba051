package follow_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"conpro/internal/follow"
)

// database is a value another instance changes, and that can be away.
type database struct {
	value atomic.Int64
	down  atomic.Bool
	reads atomic.Int64
}

func (d *database) read(context.Context) (int64, error) {
	d.reads.Add(1)
	if d.down.Load() {
		return 0, errors.New("connection refused")
	}
	return d.value.Load(), nil
}

func follower(d *database, now *atomic.Int64) *follow.Value[int64] {
	return &follow.Value[int64]{
		Name: "the test value", Read: d.read, Fallback: -1, TTL: 5 * time.Second,
		Now: func() time.Time { return time.Unix(0, now.Load()) },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// eventually waits for a background read to land.
func eventually(t *testing.T, v *follow.Value[int64], want int64) {
	t.Helper()
	for range 200 {
		if v.Get(context.Background()) == want {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the value did not become %d; it is %d", want, v.Get(context.Background()))
}

func TestValue_FollowsAChangeMadeElsewhereOnceItsTTLIsOver(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC).UnixNano())
	d := &database{}
	d.value.Store(2)
	v := follower(d, &now)
	if got := v.Get(context.Background()); got != 2 {
		t.Fatalf("first read: %d, want 2", got)
	}
	d.value.Store(3)
	now.Add(int64(4 * time.Second))
	if got := v.Get(context.Background()); got != 2 {
		t.Fatalf("within the TTL the value read is kept: %d, want 2", got)
	}
	if d.reads.Load() != 1 {
		t.Fatalf("within the TTL the database is read %d times, want once", d.reads.Load())
	}
	now.Add(int64(2 * time.Second))
	eventually(t, v, 3)
}

func TestValue_ReloadReadsAChangeMadeHereAtOnce(t *testing.T) {
	var now atomic.Int64
	d := &database{}
	d.value.Store(2)
	v := follower(d, &now)
	v.Get(context.Background())
	d.value.Store(3)
	v.Reload(context.Background())
	if got := v.Get(context.Background()); got != 3 {
		t.Fatalf("after Reload: %d, want 3", got)
	}
}

func TestValue_ServesTheFallbackThenWhatItKnewWhileTheDatabaseIsAway(t *testing.T) {
	var now atomic.Int64
	d := &database{}
	d.down.Store(true)
	v := follower(d, &now)
	if got := v.Get(context.Background()); got != -1 {
		t.Fatalf("before any read succeeded: %d, want the fallback -1", got)
	}
	d.down.Store(false)
	d.value.Store(7)
	now.Add(int64(6 * time.Second))
	eventually(t, v, 7)
	d.down.Store(true)
	now.Add(int64(6 * time.Second))
	v.Get(context.Background())
	for range 50 {
		time.Sleep(2 * time.Millisecond)
	}
	if got := v.Get(context.Background()); got != 7 {
		t.Fatalf("with the database away the value known is kept: %d, want 7", got)
	}
}
