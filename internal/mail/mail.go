// Package mail delivers the site's outgoing mail: a background worker takes
// messages from the outbox and hands them to an SMTP server, retrying until
// each one is accepted.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Mail is one message of the outbox.
type Mail struct {
	ID       int64
	To       string
	ReplyTo  string
	Subject  string
	Body     string
	Attempts int
	// HasAttachments says the message carries files (a quote request's
	// photos and plans), which the worker reads just before sending it
	// rather than with the claim: a batch of them could be large.
	HasAttachments bool
	Attachments    []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name, Type string
	Data       []byte
}

// ErrHeaderInjection is returned for a recipient, Reply-To or subject that
// holds a line break: it could add headers or recipients of its own.
var ErrHeaderInjection = errors.New("line break in a mail header")

// ErrReplyTo is returned for a Reply-To that is not one bare address: a
// list would send answers to more people than the visitor, and a display
// name could pass off another address as the visitor's.
var ErrReplyTo = errors.New("reply-to is not one bare address")

// sendTimeout bounds connecting and each SMTP command, so a server that
// stops answering does not hold the worker.
const sendTimeout = 30 * time.Second

// Options say which SMTP server takes the site's mail, how to reach it, and
// whom the mail comes from.
type Options struct {
	Host string
	Port int
	// Username and Password, when set, log in.
	Username string
	Password string
	// ImplicitTLS is TLS from the first byte (smtps, port 465); otherwise
	// STARTTLS is required.
	ImplicitTLS bool
	// Plain allows a loopback relay without TLS or authentication.
	Plain bool
	// From is the envelope and header sender.
	From string
	// TLSConfig, when set, verifies the server instead of the system's
	// roots; tests use it to trust their own certificate.
	TLSConfig *tls.Config
}

// String is the server's address for logs, without credentials.
func (o Options) String() string {
	scheme := "smtp"
	if o.ImplicitTLS {
		scheme = "smtps"
	}
	return scheme + "://" + net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
}

// SMTPSender sends mail through one SMTP server, opening one connection per
// message (a few messages a day do not need a pool).
type SMTPSender struct {
	opts Options
	log  *slog.Logger
}

// NewSMTPSender returns a sender for the server of opts.
func NewSMTPSender(opts Options, logger *slog.Logger) *SMTPSender {
	return &SMTPSender{opts: opts, log: logger}
}

// Send delivers m. An error means the server did not accept it; the error
// text may quote addresses the server echoed.
func (s *SMTPSender) Send(ctx context.Context, m Mail) error {
	for _, v := range []string{m.To, m.ReplyTo, m.Subject, s.opts.From} {
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("mail %d: %w", m.ID, ErrHeaderInjection)
		}
	}
	for _, a := range m.Attachments {
		if strings.ContainsAny(a.Name+a.Type, "\r\n\"") {
			return fmt.Errorf("mail %d: %w", m.ID, ErrHeaderInjection)
		}
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.opts.From); err != nil {
		return fmt.Errorf("mail %d: sender address: %w", m.ID, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail %d: recipient address: %w", m.ID, err)
	}
	if m.ReplyTo != "" {
		a, err := netmail.ParseAddress(m.ReplyTo)
		if err != nil || a.Name != "" || a.Address != m.ReplyTo {
			return fmt.Errorf("mail %d: %w", m.ID, ErrReplyTo)
		}
		msg.ReplyToMailAddress(a)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	// With attachments go-mail writes multipart/mixed: the text, then each
	// file base64-encoded with its name and type.
	for _, a := range m.Attachments {
		err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.Type)))
		if err != nil {
			return fmt.Errorf("mail %d: attachment: %w", m.ID, err)
		}
	}
	// go-mail's own Message-ID names the machine's host name (a container
	// ID, say); the sending domain is what receiving servers expect.
	msg.SetMessageIDWithValue(messageID(s.opts.From))
	msg.SetDate()

	client, err := gomail.NewClient(s.opts.Host, s.clientOptions()...)
	if err != nil {
		return fmt.Errorf("mail %d: smtp client: %w", m.ID, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail %d: %s%w", m.ID, statusPrefix(err), err)
	}
	s.log.DebugContext(ctx, "mail accepted by smtp server", "outbox_id", m.ID, "server", s.opts.String())
	return nil
}

func (s *SMTPSender) clientOptions() []gomail.Option {
	tlsConfig := &tls.Config{}
	if s.opts.TLSConfig != nil {
		tlsConfig = s.opts.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = s.opts.Host
	}
	if tlsConfig.MinVersion < tls.VersionTLS12 {
		tlsConfig.MinVersion = tls.VersionTLS12
	}

	// WithPort comes first: go-mail's SSL and TLS port options only choose
	// a port while it is still the default 25.
	opts := []gomail.Option{
		gomail.WithPort(s.opts.Port),
		gomail.WithTimeout(sendTimeout),
		gomail.WithTLSConfig(tlsConfig),
	}
	switch {
	case s.opts.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case s.opts.Plain:
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
	if s.opts.Username != "" {
		opts = append(opts, gomail.WithUsername(s.opts.Username), gomail.WithPassword(s.opts.Password))
		if s.opts.Plain {
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
