package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Outbox is where mail waits until it is sent.
type Outbox interface {
	// ClaimDueMail reserves up to limit unsent messages whose next attempt
	// is due, for lease, and counts the attempt.
	ClaimDueMail(ctx context.Context, limit int, lease time.Duration) ([]Mail, error)
	MarkMailSent(ctx context.Context, id int64) error
	// MarkMailFailed ends the claim and schedules the next attempt.
	MarkMailFailed(ctx context.Context, id int64, nextAttempt time.Time, errText string) error
	// QueuedMail counts the messages not sent yet.
	QueuedMail(ctx context.Context) (int, error)
	// MailAttachments reads the files message id carries.
	MailAttachments(ctx context.Context, id int64) ([]Attachment, error)
}

// Sender hands one message to a mail server.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

const (
	// batchSize is how many messages one pass claims.
	batchSize = 20
	// lease is how long a claim holds; one that runs out (a crashed
	// instance) lets another instance retry the message.
	lease = 2 * time.Minute
	// markTimeout bounds recording a result, which happens even when the
	// pass's context has ended: a sent message must not be sent again.
	markTimeout = 10 * time.Second
	// unconfiguredEvery spaces the warnings that mail is not sent at all.
	unconfiguredEvery = 10 * time.Minute
	// maxErrText is the longest error kept in the outbox.
	maxErrText = 300
)

// Worker delivers the outbox. Several workers, in one process or several,
// may share an outbox: each message is claimed by one of them at a time.
type Worker struct {
	outbox Outbox
	sender Sender
	log    *slog.Logger
	kick   chan struct{}

	mu         sync.Mutex
	lastWarned time.Time // of the "not configured" warning
}

// NewWorker returns a worker that sends the outbox's mail with sender. A nil
// sender (no CONPRO_SMTP_URL) sends nothing: the mail stays queued.
func NewWorker(outbox Outbox, sender Sender, logger *slog.Logger) *Worker {
	return &Worker{
		outbox: outbox,
		sender: sender,
		log:    logger,
		kick:   make(chan struct{}, 1),
	}
}

// Kick makes Run look at the outbox now rather than at its next tick. It
// never blocks.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run sends due mail every interval, and at once after Kick, until ctx ends.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		sent, failed, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.WarnContext(ctx, "mail outbox not processed", "err", err)
		}
		if ctx.Err() != nil {
			return
		}
		if sent+failed == batchSize {
			// A full batch: more may be due.
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.kick:
		}
	}
}

// RunOnce sends the mail that is due, up to one batch, and records each
// result. A failed message is retried later, never dropped.
func (w *Worker) RunOnce(ctx context.Context) (sent, failed int, err error) {
	if w.sender == nil {
		return 0, 0, w.warnUnconfigured(ctx)
	}
	claimed := time.Now()
	due, err := w.outbox.ClaimDueMail(ctx, batchSize, lease)
	if err != nil {
		return 0, 0, fmt.Errorf("claim mail: %w", err)
	}
	var errs []error
	for _, m := range due {
		// A slow server can eat the lease (each send may wait 30s per SMTP
		// step): a send should end, and be recorded, before the claim does,
		// or another instance could send the same message. The rest keep
		// their claim until it runs out, then are retried; so on shutdown.
		if ctx.Err() != nil || time.Since(claimed) > lease-sendTimeout-markTimeout {
			break
		}
		var sendErr error
		if m.HasAttachments {
			m.Attachments, sendErr = w.outbox.MailAttachments(ctx, m.ID)
		}
		if sendErr == nil {
			sendErr = w.sender.Send(ctx, m)
		}
		m.Attachments = nil
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
		if sendErr == nil {
			sent++
			w.log.InfoContext(ctx, "mail sent", "outbox_id", m.ID)
			if err := w.outbox.MarkMailSent(mctx, m.ID); err != nil {
				// Sent but not recorded: once the claim runs out it is sent
				// a second time, which beats losing it.
				errs = append(errs, fmt.Errorf("mark mail %d sent: %w", m.ID, err))
			}
			cancel()
			continue
		}
		failed++
		next := time.Now().Add(RetryDelay(m.Attempts))
		text := failureText(sendErr, m)
		w.log.WarnContext(ctx, "mail not sent; will retry", "outbox_id", m.ID, "attempt", m.Attempts,
			"next_attempt", next.UTC().Format(time.RFC3339), "err", text)
		if err := w.outbox.MarkMailFailed(mctx, m.ID, next, text); err != nil {
			errs = append(errs, fmt.Errorf("mark mail %d failed: %w", m.ID, err))
		}
		cancel()
	}
	return sent, failed, errors.Join(errs...)
}

// warnUnconfigured says, now and then, that mail waits for an SMTP server.
func (w *Worker) warnUnconfigured(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.lastWarned.IsZero() && time.Since(w.lastWarned) < unconfiguredEvery {
		return nil
	}
	n, err := w.outbox.QueuedMail(ctx)
	if err != nil {
		return fmt.Errorf("count queued mail: %w", err)
	}
	if n == 0 {
		return nil
	}
	w.lastWarned = time.Now()
	w.log.WarnContext(ctx, "mail stays queued: CONPRO_SMTP_URL is not set", "queued", n)
	return nil
}

// RetryDelay is the wait after a message's attempt-th failed attempt: 30s,
// 1m, 2m, 4m … doubling up to an hour.
func RetryDelay(attempt int) time.Duration {
	const first, most = 30 * time.Second, time.Hour
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 8 { // 30s << 7 is already past the hour
		return most
	}
	return min(first<<(attempt-1), most)
}

// addressLike matches what could be an e-mail address, with its angle
// brackets: servers quote recipients in their replies, and go-mail lists the
// affected ones in its errors.
var addressLike = regexp.MustCompile(`<?[^\s<>()\[\],;:"']+@[^\s<>()\[\],;:"']+>?`)

// failureText is what the outbox keeps of a failed attempt: the reason
// without personal data (addresses, subject), cut to maxErrText characters.
func failureText(err error, m Mail) string {
	text := addressLike.ReplaceAllString(err.Error(), "<address>")
	// Whatever the pattern missed, such as an address the server quoted
	// in an odd way, still goes if it is this message's.
	for _, v := range []string{m.To, m.ReplyTo} {
		if v != "" {
			text = strings.ReplaceAll(text, v, "<address>")
		}
	}
	if m.Subject != "" {
		text = strings.ReplaceAll(text, m.Subject, "<subject>")
	}
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > maxErrText {
		text = string(r[:maxErrText-1]) + "…"
	}
	return text
}
