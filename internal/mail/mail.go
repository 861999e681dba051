// Package mail delivers the site's outgoing mail: a background worker takes
// messages from the outbox and hands them to an SMTP server, retrying until
// each one is accepted.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"conpro/internal/config"
)

// Mail is one message of the outbox.
type Mail struct {
	ID       int64
	To       string
	ReplyTo  string
	Subject  string
	Body     string
	Attempts int
}

// ErrHeaderInjection is returned for a recipient, Reply-To or subject that
// holds a line break: it could add headers or recipients of its own.
var ErrHeaderInjection = errors.New("line break in a mail header")

// sendTimeout bounds connecting and each SMTP command, so a server that
// stops answering does not hold the worker.
const sendTimeout = 30 * time.Second

// SMTPSender sends mail through the server of CONPRO_SMTP_URL, opening one
// connection per message (a few messages a day do not need a pool).
type SMTPSender struct {
	cfg       config.SMTP
	from      string
	log       *slog.Logger
	tlsConfig *tls.Config
}

// Option adjusts an SMTPSender.
type Option func(*SMTPSender)

// WithTLSConfig makes the sender verify the server with cfg instead of the
// system's roots; tests use it to trust their own certificate.
func WithTLSConfig(cfg *tls.Config) Option {
	return func(s *SMTPSender) { s.tlsConfig = cfg }
}

// NewSMTPSender returns a sender for the server cfg, with from as the
// envelope and header sender.
func NewSMTPSender(cfg *config.SMTP, from string, logger *slog.Logger, opts ...Option) *SMTPSender {
	s := &SMTPSender{cfg: *cfg, from: from, log: logger}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Send delivers m. An error means the server did not accept it; the error
// text may quote addresses the server echoed.
func (s *SMTPSender) Send(ctx context.Context, m Mail) error {
	for _, v := range []string{m.To, m.ReplyTo, m.Subject, s.from} {
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("mail %d: %w", m.ID, ErrHeaderInjection)
		}
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("mail %d: sender address: %w", m.ID, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail %d: recipient address: %w", m.ID, err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return fmt.Errorf("mail %d: reply-to address: %w", m.ID, err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	// go-mail's own Message-ID names the machine's host name (a container
	// ID, say); the sending domain is what receiving servers expect.
	msg.SetMessageIDWithValue(messageID(s.from))
	msg.SetDate()

	client, err := gomail.NewClient(s.cfg.Host, s.clientOptions()...)
	if err != nil {
		return fmt.Errorf("mail %d: smtp client: %w", m.ID, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail %d: %s%w", m.ID, statusPrefix(err), err)
	}
	s.log.DebugContext(ctx, "mail accepted by smtp server", "outbox_id", m.ID, "server", s.cfg.String())
	return nil
}

func (s *SMTPSender) clientOptions() []gomail.Option {
	tlsConfig := &tls.Config{}
	if s.tlsConfig != nil {
		tlsConfig = s.tlsConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = s.cfg.Host
	}
	if tlsConfig.MinVersion < tls.VersionTLS12 {
		tlsConfig.MinVersion = tls.VersionTLS12
	}

	// WithPort comes first: go-mail's SSL and TLS port options only choose
	// a port while it is still the default 25.
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(sendTimeout),
		gomail.WithTLSConfig(tlsConfig),
	}
	switch {
	case s.cfg.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case s.cfg.Plain:
		// A loopback relay: the traffic never leaves the machine. No
		// STARTTLS at all rather than opportunistic, because a local postfix
		// typically offers STARTTLS with a self-signed certificate that would
		// fail verification, and go-mail does not fall back to plain then.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		// Without TLS the password would cross the network in clear text:
		// go-mail gives up when the server does not offer STARTTLS.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
		if s.cfg.Plain {
			// Loopback only (config sets Plain for nothing else), where
			// clear-text PLAIN or LOGIN stays on the machine.
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
		} else {
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
		}
	}
	return opts
}

// statusPrefix names the SMTP reply code of a refused message, such as
// "smtp 550 5.1.1: ", so the outbox's last error shows it first.
func statusPrefix(err error) string {
	var sendErr *gomail.SendError
	if !errors.As(err, &sendErr) || sendErr.ErrorCode() == 0 {
		return ""
	}
	if esc := sendErr.EnhancedStatusCode(); esc != "" {
		return fmt.Sprintf("smtp %d %s: ", sendErr.ErrorCode(), esc)
	}
	return fmt.Sprintf("smtp %d: ", sendErr.ErrorCode())
}

// messageID returns a unique ID in the domain of the sender address, without
// the angle brackets (go-mail adds them).
func messageID(from string) string {
	domain := "localhost"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		domain = from[at+1:]
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b) + "@" + domain
}
