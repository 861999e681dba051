package logging_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"conpro/internal/logging"
)

// lockedBuffer is an output the test can read while the logger writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
	n  int // writes
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) writes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// Routine lines are written in batches; a warning goes out at once, with
// whatever waited before it.
func TestLogger_WritesRoutineLinesInBatchesAndWarningsAtOnce(t *testing.T) {
	var out lockedBuffer
	l := logging.New(&out, logging.Options{FlushEvery: time.Hour})
	for i := range 100 {
		l.Info("request", "n", i)
	}
	if out.writes() != 0 {
		t.Fatalf("%d writes for 100 routine lines before the flush, want none", out.writes())
	}
	l.Warn("database unavailable")
	if s := out.String(); strings.Count(s, "msg=request") != 100 || !strings.Contains(s, `msg="database unavailable"`) {
		t.Fatalf("after a warning the output holds %d request lines and %q", strings.Count(s, "msg=request"), s[max(0, len(s)-80):])
	}
	if out.writes() != 1 {
		t.Errorf("%d writes, want the batch in one", out.writes())
	}
	l.Info("after")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "msg=after") {
		t.Error("Close did not write out the last line")
	}
}

// A line waits at most FlushEvery.
func TestLogger_ALineWaitsAtMostTheFlushInterval(t *testing.T) {
	var out lockedBuffer
	l := logging.New(&out, logging.Options{FlushEvery: 20 * time.Millisecond})
	defer l.Close()
	l.Info("request")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "msg=request") {
		if time.Now().After(deadline) {
			t.Fatal("the line was not written out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Lines written at once from many goroutines stay whole, in JSON too.
func TestLogger_ConcurrentLinesStayWhole(t *testing.T) {
	var out lockedBuffer
	l := logging.New(&out, logging.Options{JSON: true})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				l.Info("request", "goroutine", g, "n", i, "path", strings.Repeat("x", 100))
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4000 {
		t.Fatalf("%d lines, want 4000", len(lines))
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, "{") || !strings.HasSuffix(line, "}") || strings.Count(line, `"msg"`) != 1 {
			t.Fatalf("a broken line: %q", line)
		}
	}
}
