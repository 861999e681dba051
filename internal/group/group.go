// Package group does work that arrives while earlier work is under way
// together, in one go: under load, one round trip to the database serves
// many requests instead of one each (group commit). The consent log writes
// its clicks this way, and the rate limits count their attempts.
package group

import (
	"context"
	"slices"
	"sync"
)

// Queue gathers items and hands them to Do in batches, one batch at a
// time: the items that come while a batch is under way wait and make the
// next one. An item carries where its outcome goes (a channel its request
// waits on); Do must give every item of a batch its outcome.
//
// One at a time, because under load the batches then grow rather than
// multiply: with four under way at once, the clicks the rate limit let
// through together were written in batches of one to four, and POST
// /consent did 6,100-6,400 a second where one at a time did 7,000-7,600
// (alternating 10 s runs on the bench's machine, bench/results.md).
type Queue[T any] struct {
	// Do does a batch of at most Max items (any number when Max is 0).
	Do  func(ctx context.Context, batch []T)
	Max int

	mu    sync.Mutex
	queue []T
	busy  bool // a batch is under way
}

// Add queues item. When no batch is under way, this request does what
// waits, its own item included, and leaves the items that came meanwhile
// to a goroutine of its own; otherwise the batch under way is followed by
// one with it. Either way an item waits only for the batches queued before
// it (one, unless more than Max wait). ctx's values reach Do; its
// cancellation does not beyond this request's batch.
func (q *Queue[T]) Add(ctx context.Context, item T) {
	q.mu.Lock()
	q.queue = append(q.queue, item)
	lead := !q.busy
	q.busy = true
	q.mu.Unlock()
	if lead && q.next(ctx) {
		go func() {
			ctx := context.WithoutCancel(ctx)
			for q.next(ctx) {
			}
		}()
	}
}

// next does the items that wait (up to Max) and reports whether more
// wait; when none does, the queue is no longer busy.
func (q *Queue[T]) next(ctx context.Context) (more bool) {
	q.mu.Lock()
	n := len(q.queue)
	if q.Max > 0 {
		n = min(n, q.Max)
	}
	batch := slices.Clone(q.queue[:n])
	q.queue = slices.Delete(q.queue, 0, n)
	q.mu.Unlock()
	if n > 0 {
		q.do(ctx, batch)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.queue) == 0 {
		q.busy = false
		return false
	}
	return true
}

// do runs Do. Should Do panic (the request's handler recovers), the queue
// is no longer busy, so that the next item starts a batch instead of
// waiting for ever; the items of the batch that panicked get no outcome.
func (q *Queue[T]) do(ctx context.Context, batch []T) {
	defer func() {
		if p := recover(); p != nil {
			q.mu.Lock()
			q.busy = false
			q.mu.Unlock()
			panic(p)
		}
	}()
	q.Do(ctx, batch)
}
