package group_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"conpro/internal/group"
)

type item struct {
	n    int
	done chan int // the size of the batch it was done in
}

// Items that come while a batch is under way wait and are done together,
// at most Max at a time, one batch under way at a time; every item gets
// its outcome.
func TestQueue_ItemsThatComeMeanwhileAreDoneTogether(t *testing.T) {
	gate := make(chan struct{})
	var running, most atomic.Int32
	var mu sync.Mutex
	var sizes []int
	q := group.Queue[*item]{Max: 4}
	q.Do = func(_ context.Context, batch []*item) {
		if n := running.Add(1); n > most.Load() {
			most.Store(n)
		}
		<-gate
		mu.Lock()
		sizes = append(sizes, len(batch))
		mu.Unlock()
		running.Add(-1)
		for _, it := range batch {
			it.done <- len(batch)
		}
	}
	first := &item{n: 0, done: make(chan int, 1)}
	go q.Add(context.Background(), first)
	for running.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	var wg sync.WaitGroup
	items := make([]*item, 10)
	for i := range items {
		items[i] = &item{n: i + 1, done: make(chan int, 1)}
		wg.Go(func() { q.Add(context.Background(), items[i]) })
	}
	wg.Wait() // all ten queued behind the first batch, which waits at the gate
	close(gate)
	if got := <-first.done; got != 1 {
		t.Errorf("the first item was done in a batch of %d, want 1", got)
	}
	for _, it := range items {
		select {
		case got := <-it.done:
			if got > 4 {
				t.Errorf("item %d done in a batch of %d, more than Max", it.n, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("item %d never done", it.n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sizes) != 4 || sizes[1]+sizes[2]+sizes[3] != 10 {
		t.Errorf("batches %v, want 1 and then the ten in three", sizes)
	}
	if most.Load() != 1 {
		t.Errorf("%d batches under way at once", most.Load())
	}
}

// A batch whose work panics (in the request that did it, which its
// handler recovers) does not hold up the items that come after it.
func TestQueue_APanicInABatchDoesNotStopTheNext(t *testing.T) {
	var q group.Queue[*item]
	q.Do = func(_ context.Context, batch []*item) {
		for _, it := range batch {
			if it.n < 0 {
				panic("bad item")
			}
			it.done <- len(batch)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the request")
			}
		}()
		q.Add(context.Background(), &item{n: -1, done: make(chan int, 1)})
	}()
	next := &item{n: 1, done: make(chan int, 1)}
	go q.Add(context.Background(), next)
	select {
	case <-next.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the item after the panic was never done")
	}
}
