package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"conpro/internal/mail"
	"conpro/internal/mail/smtptest"
	"conpro/internal/pgtest"
	"conpro/internal/store/postgres"
)

// queued is a row as the contact form writes it.
type queued struct {
	to, replyTo, subject, body string
}

func contactNotification(n int) queued {
	return queued{
		to:      company,
		replyTo: fmt.Sprintf("bezoeker%d@example.be", n),
		subject: fmt.Sprintf("Nieuw bericht via conpro-bouw.be — Bezoeker %d", n),
		body:    fmt.Sprintf("Bericht %d: graag een offerte voor een renovatie; café op de hoek.\n", n),
	}
}

// queue inserts an outbox row with plain SQL and returns its ID.
func queue(t *testing.T, db *postgres.DB, q queued) int64 {
	t.Helper()
	var id int64
	err := db.Pool().QueryRow(context.Background(), `
		INSERT INTO mail_outbox (kind, to_addr, reply_to, subject, body_text)
		VALUES ('contact_notification', $1, $2, $3, $4)
		RETURNING id`, q.to, q.replyTo, q.subject, q.body).Scan(&id)
	if err != nil {
		t.Fatalf("queue mail: %v", err)
	}
	return id
}

// outboxRow is the delivery state of one row.
type outboxRow struct {
	attempts    int
	nextAttempt time.Time
	lockedUntil *time.Time
	sentAt      *time.Time
	lastError   string
	dbNow       time.Time
}

func readRow(t *testing.T, db *postgres.DB, id int64) outboxRow {
	t.Helper()
	var r outboxRow
	err := db.Pool().QueryRow(context.Background(), `
		SELECT attempts, next_attempt_at, locked_until, sent_at, last_error, now()
		FROM mail_outbox WHERE id = $1`, id).
		Scan(&r.attempts, &r.nextAttempt, &r.lockedUntil, &r.sentAt, &r.lastError, &r.dbNow)
	if err != nil {
		t.Fatalf("read outbox row %d: %v", id, err)
	}
	return r
}

func exec(t *testing.T, db *postgres.DB, sql string, args ...any) {
	t.Helper()
	if _, err := db.Pool().Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// logBuffer collects a logger's JSON lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the records whose message is msg.
func (b *logBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelInfo})), b
}

// assertNoPersonalData fails when text holds an address or a subject.
func assertNoPersonalData(t *testing.T, what, text string) {
	t.Helper()
	for _, bad := range []string{"@", "Bezoeker", "bezoeker", "Jan Peeters"} {
		if strings.Contains(text, bad) {
			t.Errorf("%s holds personal data (%q): %s", what, bad, text)
		}
	}
}

type failingSender struct{ err error }

func (f failingSender) Send(context.Context, mail.Mail) error { return f.err }

func loopbackSender(srv *smtptest.Server) *mail.SMTPSender {
	return mail.NewSMTPSender(smtpOptions(srv, true, "", ""), discard)
}

func TestWorker_SendsEachDueMailOnceAndMarksItSent(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	srv := smtptest.New(t, smtptest.Options{})
	logger, logs := newLogger()
	w := mail.NewWorker(db, loopbackSender(srv), logger)

	// One as the contact form writes it, tied to its message.
	var messageID int64
	err := db.Pool().QueryRow(ctx, `
		INSERT INTO contact_message (name, email, message, locale)
		VALUES ('Jan Peeters', $1, 'Graag een offerte.', 'nl') RETURNING id`, visitor).Scan(&messageID)
	if err != nil {
		t.Fatal(err)
	}
	var first int64
	err = db.Pool().QueryRow(ctx, `
		INSERT INTO mail_outbox (kind, contact_message_id, to_addr, reply_to, subject, body_text)
		VALUES ('contact_notification', $1, $2, $3, $4, $5) RETURNING id`,
		messageID, company, visitor, subject, body).Scan(&first)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{first, queue(t, db, contactNotification(2)), queue(t, db, contactNotification(3))}

	sent, failed, err := w.RunOnce(ctx)
	if err != nil || sent != 3 || failed != 0 {
		t.Fatalf("RunOnce: sent %d, failed %d, err %v; want 3 sent", sent, failed, err)
	}
	msgs := srv.WaitFor(t, 3, 5*time.Second)
	wantReplyTo := []string{visitor, "bezoeker2@example.be", "bezoeker3@example.be"}
	for i, m := range msgs {
		if len(m.To) != 1 || m.To[0] != company {
			t.Errorf("message %d went to %q, want %q", i, m.To, company)
		}
		dec, err := m.Decode()
		if err != nil {
			t.Fatal(err)
		}
		if got := dec.Header.Get("Reply-To"); got != "<"+wantReplyTo[i]+">" {
			t.Errorf("message %d: Reply-To %q, want <%s>", i, got, wantReplyTo[i])
		}
	}
	for _, id := range ids {
		r := readRow(t, db, id)
		if r.sentAt == nil || r.lockedUntil != nil || r.lastError != "" || r.attempts != 1 {
			t.Errorf("row %d: sent_at %v, locked_until %v, last_error %q, attempts %d; want sent once, unlocked, no error",
				id, r.sentAt, r.lockedUntil, r.lastError, r.attempts)
		}
	}

	sent, failed, err = w.RunOnce(ctx)
	if err != nil || sent != 0 || failed != 0 {
		t.Fatalf("second RunOnce: sent %d, failed %d, err %v; want nothing to do", sent, failed, err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(srv.Messages()); n != 3 {
		t.Errorf("%d messages received after a second pass, want still 3", n)
	}
	if n, err := db.QueuedMail(ctx); err != nil || n != 0 {
		t.Errorf("queued %d (%v), want 0", n, err)
	}

	infos := logs.lines(t, "mail sent")
	if len(infos) != 3 {
		t.Errorf("%d 'mail sent' lines, want 3", len(infos))
	}
	for i, rec := range infos {
		if rec["level"] != "INFO" || rec["outbox_id"] != float64(ids[i]) {
			t.Errorf("log line %v, want INFO with outbox_id %d", rec, ids[i])
		}
	}
	assertNoPersonalData(t, "log", logs.String())
}

func TestWorker_ClaimsAtMostTwentyMailsPerPass(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	srv := smtptest.New(t, smtptest.Options{})
	w := mail.NewWorker(db, loopbackSender(srv), discard)
	for i := range 25 {
		queue(t, db, contactNotification(i))
	}

	for _, want := range []int{20, 5, 0} {
		sent, failed, err := w.RunOnce(ctx)
		if err != nil || sent != want || failed != 0 {
			t.Fatalf("RunOnce: sent %d, failed %d, err %v; want %d sent", sent, failed, err, want)
		}
	}
	srv.WaitFor(t, 25, 5*time.Second)
}

func TestWorker_KeepsMailWhileSMTPIsDownAndSendsItOnceItIsBack(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	srv := smtptest.New(t, smtptest.Options{})
	logger, logs := newLogger()
	w := mail.NewWorker(db, loopbackSender(srv), logger)
	q := contactNotification(1)
	id := queue(t, db, q)

	srv.Stop()
	sent, failed, err := w.RunOnce(ctx)
	if err != nil || sent != 0 || failed != 1 {
		t.Fatalf("RunOnce with SMTP down: sent %d, failed %d, err %v; want 1 failed", sent, failed, err)
	}
	r := readRow(t, db, id)
	if r.sentAt != nil || r.lockedUntil != nil || r.attempts != 1 {
		t.Errorf("after a failure: sent_at %v, locked_until %v, attempts %d; want unsent, unlocked, 1 attempt",
			r.sentAt, r.lockedUntil, r.attempts)
	}
	if wait := r.nextAttempt.Sub(r.dbNow); wait < 20*time.Second || wait > 40*time.Second {
		t.Errorf("next attempt in %v, want about 30s", wait)
	}
	if r.lastError == "" {
		t.Error("last_error is empty, want the reason")
	}
	assertNoPersonalData(t, "last_error", r.lastError)

	warns := logs.lines(t, "mail not sent; will retry")
	if len(warns) != 1 {
		t.Fatalf("%d warnings, want 1:\n%s", len(warns), logs.String())
	}
	for _, key := range []string{"outbox_id", "attempt", "next_attempt", "err"} {
		if _, ok := warns[0][key]; !ok {
			t.Errorf("warning %v lacks %s", warns[0], key)
		}
	}
	if warns[0]["level"] != "WARN" || warns[0]["attempt"] != float64(1) || warns[0]["err"] != r.lastError {
		t.Errorf("warning %v, want WARN, attempt 1, err as stored", warns[0])
	}
	assertNoPersonalData(t, "log", logs.String())

	// Not due yet: a pass leaves it alone.
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent+failed != 0 {
		t.Fatalf("RunOnce before the retry is due: sent %d, failed %d, err %v; want nothing", sent, failed, err)
	}

	srv.Start()
	exec(t, db, `UPDATE mail_outbox SET next_attempt_at = now() WHERE id = $1`, id)
	sent, failed, err = w.RunOnce(ctx)
	if err != nil || sent != 1 || failed != 0 {
		t.Fatalf("RunOnce with SMTP back: sent %d, failed %d, err %v; want 1 sent", sent, failed, err)
	}
	msgs := srv.WaitFor(t, 1, 5*time.Second)
	dec, err := msgs[0].Decode()
	if err != nil {
		t.Fatal(err)
	}
	if dec.Subject != q.subject || dec.Body != q.body {
		t.Errorf("delivered %q / %q, want %q / %q", dec.Subject, dec.Body, q.subject, q.body)
	}
	r = readRow(t, db, id)
	if r.sentAt == nil || r.attempts != 2 || r.lastError != "" {
		t.Errorf("after delivery: sent_at %v, attempts %d, last_error %q; want sent on attempt 2, error cleared",
			r.sentAt, r.attempts, r.lastError)
	}
}

func TestWorker_StoresARefusalWithItsSMTPCodeButWithoutAddressesAndKeepsTrying(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	srv := smtptest.New(t, smtptest.Options{RejectRecipients: true})
	w := mail.NewWorker(db, loopbackSender(srv), discard)
	id := queue(t, db, contactNotification(1))

	for attempt := 1; attempt <= 3; attempt++ {
		exec(t, db, `UPDATE mail_outbox SET next_attempt_at = now() WHERE id = $1`, id)
		if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 0 || failed != 1 {
			t.Fatalf("attempt %d: sent %d, failed %d, err %v; want 1 failed", attempt, sent, failed, err)
		}
		r := readRow(t, db, id)
		if r.attempts != attempt || r.sentAt != nil {
			t.Fatalf("attempt %d: attempts %d, sent_at %v", attempt, r.attempts, r.sentAt)
		}
		if !strings.HasPrefix(r.lastError, "mail ") || !strings.Contains(r.lastError, "smtp 550 5.1.1") {
			t.Errorf("last_error %q, want the SMTP status 550 5.1.1", r.lastError)
		}
		if !strings.Contains(r.lastError, "5.1.1 <address>: Recipient address rejected") {
			t.Errorf("last_error %q, want the echoed address replaced by <address>", r.lastError)
		}
		assertNoPersonalData(t, "last_error", r.lastError)
		want := mail.RetryDelay(attempt)
		if wait := r.nextAttempt.Sub(r.dbNow); wait < want-5*time.Second || wait > want+5*time.Second {
			t.Errorf("attempt %d: next attempt in %v, want about %v", attempt, wait, want)
		}
	}
}

func TestWorker_LongErrorsAreCutToThreeHundredCharacters(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	// Not about delivery: a sender that fails with a long reason will do.
	w := mail.NewWorker(db, failingSender{fmt.Errorf("smtp 451: %s", strings.Repeat("é", 500))}, discard)
	id := queue(t, db, contactNotification(1))

	if _, failed, err := w.RunOnce(ctx); err != nil || failed != 1 {
		t.Fatalf("RunOnce: failed %d, err %v", failed, err)
	}
	if n := len([]rune(readRow(t, db, id).lastError)); n != 300 {
		t.Errorf("last_error has %d characters, want 300", n)
	}
}

func TestWorker_TwoWorkersOnOneDatabaseSendEachMailExactlyOnce(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	srv := smtptest.New(t, smtptest.Options{})
	const total = 60
	for i := range total {
		queue(t, db, contactNotification(i))
	}

	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
		sent  [2]int
		errs  []error
	)
	for i := range 2 {
		w := mail.NewWorker(db, loopbackSender(srv), discard)
		wg.Go(func() {
			<-start
			for {
				s, f, err := w.RunOnce(ctx)
				mu.Lock()
				sent[i] += s
				if err != nil || f != 0 {
					errs = append(errs, fmt.Errorf("worker %d: %d failed, %v", i, f, err))
				}
				mu.Unlock()
				if s+f == 0 || err != nil {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}

	if sent[0]+sent[1] != total {
		t.Errorf("workers sent %d + %d, want %d in all", sent[0], sent[1], total)
	}
	msgs := srv.WaitFor(t, total, 5*time.Second)
	time.Sleep(100 * time.Millisecond)
	msgs = srv.Messages()
	seen := map[string]int{}
	for _, m := range msgs {
		dec, err := m.Decode()
		if err != nil {
			t.Fatal(err)
		}
		seen[dec.Subject]++
	}
	if len(msgs) != total || len(seen) != total {
		t.Errorf("%d messages with %d distinct subjects, want %d of each", len(msgs), len(seen), total)
	}
	for subj, n := range seen {
		if n != 1 {
			t.Errorf("%q delivered %d times", subj, n)
		}
	}
	if n, err := db.QueuedMail(ctx); err != nil || n != 0 {
		t.Errorf("queued %d (%v), want 0", n, err)
	}
	t.Logf("worker shares: %d and %d", sent[0], sent[1])
}

func TestWorker_RetriesMailWhoseClaimRanOut(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	srv := smtptest.New(t, smtptest.Options{})
	w := mail.NewWorker(db, loopbackSender(srv), discard)
	id := queue(t, db, contactNotification(1))

	// Another instance claims the row and crashes before sending.
	claimed, err := db.ClaimDueMail(ctx, 20, 2*time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].ID != id || claimed[0].Attempts != 1 {
		t.Fatalf("claim: %+v, %v", claimed, err)
	}
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent+failed != 0 {
		t.Fatalf("RunOnce during the claim: sent %d, failed %d, err %v; want nothing", sent, failed, err)
	}

	exec(t, db, `UPDATE mail_outbox SET locked_until = now() - interval '1 second' WHERE id = $1`, id)
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 1 || failed != 0 {
		t.Fatalf("RunOnce after the claim ran out: sent %d, failed %d, err %v; want 1 sent", sent, failed, err)
	}
	srv.WaitFor(t, 1, 5*time.Second)
	if r := readRow(t, db, id); r.sentAt == nil || r.attempts != 2 {
		t.Errorf("sent_at %v, attempts %d; want sent on attempt 2", r.sentAt, r.attempts)
	}
}

func TestWorker_WithoutSMTPSendsNothingKeepsMailQueuedAndSaysSoOnce(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	logger, logs := newLogger()
	w := mail.NewWorker(db, nil, logger)
	ids := []int64{queue(t, db, contactNotification(1)), queue(t, db, contactNotification(2))}

	for range 3 {
		sent, failed, err := w.RunOnce(ctx)
		if err != nil || sent != 0 || failed != 0 {
			t.Fatalf("RunOnce: sent %d, failed %d, err %v; want nothing", sent, failed, err)
		}
	}
	for _, id := range ids {
		if r := readRow(t, db, id); r.sentAt != nil || r.attempts != 0 || r.lockedUntil != nil || r.lastError != "" {
			t.Errorf("row %d touched: %+v", id, r)
		}
	}
	if n, err := db.QueuedMail(ctx); err != nil || n != 2 {
		t.Errorf("queued %d (%v), want 2", n, err)
	}
	warns := logs.lines(t, "mail stays queued: CONPRO_SMTP_URL is not set")
	if len(warns) != 1 {
		t.Fatalf("%d warnings in three passes, want 1:\n%s", len(warns), logs.String())
	}
	if warns[0]["level"] != "WARN" || warns[0]["queued"] != float64(2) {
		t.Errorf("warning %v, want WARN with queued 2", warns[0])
	}
	assertNoPersonalData(t, "log", logs.String())
}

func TestWorker_RunSendsAtOnceWhenKickedAndReturnsWhenCancelled(t *testing.T) {
	db := pgtest.New(t)
	srv := smtptest.New(t, smtptest.Options{})
	w := mail.NewWorker(db, loopbackSender(srv), discard)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx, time.Hour) // only a kick can make it send again
	}()

	queue(t, db, contactNotification(1))
	w.Kick()
	srv.WaitFor(t, 1, 5*time.Second)

	queue(t, db, contactNotification(2))
	w.Kick()
	w.Kick() // never blocks, even with a kick pending
	srv.WaitFor(t, 2, 5*time.Second)

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

func TestRetryDelay_DoublesFromThirtySecondsUpToAnHour(t *testing.T) {
	cases := []struct {
		attempt int
		want    time.Duration
	}{
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{4, 4 * time.Minute},
		{5, 8 * time.Minute},
		{6, 16 * time.Minute},
		{7, 32 * time.Minute},
		{8, time.Hour},
		{9, time.Hour},
		{1000, time.Hour},
		{0, 30 * time.Second},
	}
	for _, c := range cases {
		if got := mail.RetryDelay(c.attempt); got != c.want {
			t.Errorf("RetryDelay(%d) = %v, want %v", c.attempt, got, c.want)
		}
	}
}
