// Package follow keeps, in each instance of the site, a value that lives in
// the database every instance shares — the published versions of the
// policy, the published pages — and follows its changes without a
// restart.
//
// A Value is read on first use (that request waits, briefly), then read
// again in the background once it is older than its TTL: no request waits
// for a database that is slow or away, and a change made on another
// instance (or with the command line) reaches this one within the TTL. A
// change made on this instance is read at once (Reload). When a read fails
// the value known is kept, or, before any read succeeded, the fallback.
package follow

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Value is one followed value of type T.
type Value[T any] struct {
	// Name says in the log what could not be read.
	Name string
	// Read reads the value from the database.
	Read func(context.Context) (T, error)
	// Fallback is served until a read succeeds.
	Fallback T
	// TTL is how long a read value is trusted.
	TTL time.Duration
	// Now is the server's clock (a test moves it past the TTL).
	Now func() time.Time
	Log *slog.Logger

	value      atomic.Pointer[T]
	readAt     atomic.Int64 // UnixNano of the last read, failed or not
	first      sync.Mutex   // the first read, which requests wait for
	refreshing atomic.Bool
}

// firstReadWait bounds how long the first request waits for the database:
// past it the fallback is served and the read tried again after the TTL.
const firstReadWait = 2 * time.Second

// Get returns the value, reading it if it was never read and starting a
// background read when it is older than the TTL.
func (v *Value[T]) Get(ctx context.Context) T {
	if p := v.value.Load(); p != nil {
		if v.Now().Sub(time.Unix(0, v.readAt.Load())) > v.TTL && v.refreshing.CompareAndSwap(false, true) {
			go func() {
				defer v.refreshing.Store(false)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = v.Reload(ctx)
			}()
		}
		return *p
	}
	v.first.Lock()
	defer v.first.Unlock()
	if p := v.value.Load(); p != nil {
		return *p
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), firstReadWait)
	defer cancel()
	_ = v.Reload(ctx)
	return *v.value.Load()
}

// Reload reads the value now (after a change made on this instance). On
// failure the value known is kept, or the fallback before any; the error,
// logged already, is returned for a caller that says more.
func (v *Value[T]) Reload(ctx context.Context) error {
	got, err := v.Read(ctx)
	if err != nil {
		v.Log.Warn("could not read "+v.Name+"; the one known is served", "err", err)
		if v.value.Load() == nil {
			fallback := v.Fallback
			v.value.Store(&fallback)
		}
	} else {
		v.value.Store(&got)
	}
	v.readAt.Store(v.Now().UnixNano())
	return err
}
