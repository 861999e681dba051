package logging

import (
	"context"
	"log/slog"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Request is what the access log says of one request.
type Request struct {
	Time     time.Time
	Level    slog.Level
	ID       string
	Method   string
	Route    string
	Path     string
	Status   int
	Bytes    int
	Duration time.Duration
	// Client is the visitor's network (an address truncated to its /24 or
	// /48); written empty when it is not valid.
	Client netip.Prefix
}

// Request writes an access-log line, with the message "request", the same
// line the logger's handler would write for these attributes. A busy
// server writes one per request, so a line whose texts are all plain (no
// character that would be quoted or escaped, which is nearly every line) is
// encoded here, without the handler's work for any record (TestRequest_*
// holds the two to the same bytes); any other goes through the handler.
func (l *Logger) Request(ctx context.Context, q Request) {
	if !l.Enabled(ctx, q.Level) {
		return
	}
	if !plain(q.ID) || !plain(q.Method) || !plain(q.Route) || !plain(q.Path) || !q.Client.IsValid() {
		r := slog.NewRecord(q.Time, q.Level, "request", 0)
		r.AddAttrs(q.attrs()...)
		_ = l.Handler().Handle(ctx, r)
		return
	}
	bp := lineBuffers.Get().(*[]byte)
	b := (*bp)[:0]
	if l.json {
		b = q.appendJSON(b)
	} else {
		b = q.appendText(b)
	}
	_, _ = l.out.Write(b)
	if q.Level >= slog.LevelWarn {
		_ = l.out.flush()
	}
	*bp = b
	lineBuffers.Put(bp)
}

var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// attrs are the line's attributes, in order, for the handler.
func (q *Request) attrs() []slog.Attr {
	return []slog.Attr{
		slog.String("request_id", q.ID),
		slog.String("method", q.Method),
		slog.String("route", q.Route),
		slog.String("path", q.Path),
		slog.Int("status", q.Status),
		slog.Int("bytes", q.Bytes),
		slog.Duration("duration", q.Duration),
		slog.String("client", client(q.Client)),
	}
}

func client(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

// plain reports whether s is written as it is by both handlers: not empty,
// printable ASCII without a space, a quote, a backslash or '='.
func plain(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b <= ' ' || b >= 0x7f || b == '"' || b == '\\' || b == '=' {
			return false
		}
	}
	return true
}

func (q *Request) appendText(b []byte) []byte {
	b = append(b, "time="...)
	// As slog's text handler writes a time: RFC 3339 with exactly three
	// digits of milliseconds.
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t := q.Time.Round(0).Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b[:n+prefixLen], b[n+prefixLen+1:]...)
	b = append(b, " level="...)
	b = append(b, q.Level.String()...)
	b = append(b, " msg=request request_id="...)
	b = append(b, q.ID...)
	b = append(b, " method="...)
	b = append(b, q.Method...)
	b = append(b, " route="...)
	b = append(b, q.Route...)
	b = append(b, " path="...)
	b = append(b, q.Path...)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(q.Status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, int64(q.Bytes), 10)
	b = append(b, " duration="...)
	b = append(b, q.Duration.String()...)
	b = append(b, " client="...)
	b = q.Client.AppendTo(b)
	return append(b, '\n')
}

func (q *Request) appendJSON(b []byte) []byte {
	b = append(b, `{"time":"`...)
	b = q.Time.Round(0).AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"`...)
	b = append(b, q.Level.String()...)
	b = append(b, `","msg":"request","request_id":"`...)
	b = append(b, q.ID...)
	b = append(b, `","method":"`...)
	b = append(b, q.Method...)
	b = append(b, `","route":"`...)
	b = append(b, q.Route...)
	b = append(b, `","path":"`...)
	b = append(b, q.Path...)
	b = append(b, `","status":`...)
	b = strconv.AppendInt(b, int64(q.Status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, int64(q.Bytes), 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(q.Duration), 10)
	b = append(b, `,"client":"`...)
	b = q.Client.AppendTo(b)
	return append(b, "\"}\n"...)
}
