// Package logging makes the server's logger: structured lines (text or
// JSON) on one output, written in batches. A busy server logs a line per
// request; writing each on its own would cost a system call per request,
// about as much as the rest of serving a cached page. So lines wait in a
// buffer that is written out when it is full, a few times a second, at
// once after a warning or an error, and when the program ends (Close).
package logging

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Options choose the format and level of the lines.
type Options struct {
	Level slog.Level
	JSON  bool
	// FlushEvery is the longest a line waits in the buffer (100 ms when 0).
	FlushEvery time.Duration
}

// Logger is a logger with its buffered output.
type Logger struct {
	*slog.Logger
	out  *batchWriter
	json bool
}

// New returns a logger writing to w. Close it before the program ends.
func New(w io.Writer, o Options) *Logger {
	if o.FlushEvery <= 0 {
		o.FlushEvery = 100 * time.Millisecond
	}
	out := &batchWriter{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	opts := &slog.HandlerOptions{Level: o.Level}
	var h slog.Handler = slog.NewTextHandler(out, opts)
	if o.JSON {
		h = slog.NewJSONHandler(out, opts)
	}
	go out.flushEvery(o.FlushEvery)
	return &Logger{Logger: slog.New(urgent{Handler: h, out: out}), out: out, json: o.JSON}
}

// Flush writes out what is buffered.
func (l *Logger) Flush() error { return l.out.flush() }

// Close writes out what is buffered and stops the flushing.
func (l *Logger) Close() error {
	close(l.out.stop)
	<-l.out.done
	return l.out.flush()
}

// batchWriter is a buffer in front of the output, shared by every line.
type batchWriter struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *batchWriter) flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Flush()
}

func (b *batchWriter) flushEvery(d time.Duration) {
	defer close(b.done)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.flush()
		case <-b.stop:
			return
		}
	}
}

// urgent writes out the buffer after each warning or error, so that what
// went wrong is on the output at once (and survives a crash that follows).
type urgent struct {
	slog.Handler
	out *batchWriter
}

func (u urgent) Handle(ctx context.Context, r slog.Record) error {
	err := u.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := u.out.flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (u urgent) WithAttrs(attrs []slog.Attr) slog.Handler {
	return urgent{Handler: u.Handler.WithAttrs(attrs), out: u.out}
}

func (u urgent) WithGroup(name string) slog.Handler {
	return urgent{Handler: u.Handler.WithGroup(name), out: u.out}
}
