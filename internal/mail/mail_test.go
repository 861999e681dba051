package mail_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"conpro/internal/mail"
	"conpro/internal/mail/smtptest"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

const (
	from    = "website@conpro-bouw.be"
	company = "info@conpro-bvba.be"
	visitor = "jan.peeters@example.be"
	subject = "Nieuw bericht via conpro-bouw.be — Jan Peeters"
	body    = "Naam: Jan Peeters\nE-mail: jan.peeters@example.be\n\nGraag een offerte voor een renovatie in Leuven.\nDe gevel is in slechte staat; café op de hoek.\n"
)

func notification() mail.Mail {
	return mail.Mail{ID: 7, To: company, ReplyTo: visitor, Subject: subject, Body: body, Attempts: 1}
}

// smtpOptions is what main makes of smtp://[user:pass@]127.0.0.1:port.
func smtpOptions(srv *smtptest.Server, plain bool, user, pass string) mail.Options {
	return mail.Options{Host: srv.Host(), Port: srv.Port(), Username: user, Password: pass, Plain: plain, From: from}
}

func sendCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSMTPSender_DeliversThroughALoopbackRelayWithHeadersAndUTF8Intact(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{})
	sender := mail.NewSMTPSender(smtpOptions(srv, true, "", ""), discard)

	if err := sender.Send(sendCtx(t), notification()); err != nil {
		t.Fatalf("send: %v", err)
	}

	msgs := srv.WaitFor(t, 1, 5*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d messages received, want 1", len(msgs))
	}
	got := msgs[0]
	if got.From != from || len(got.To) != 1 || got.To[0] != company {
		t.Errorf("envelope from %q to %q, want from %q to [%q]", got.From, got.To, from, company)
	}
	if got.TLS || got.User != "" {
		t.Errorf("plain relay: TLS %v, login %q; want neither", got.TLS, got.User)
	}
	dec, err := got.Decode()
	if err != nil {
		t.Fatal(err)
	}
	h := dec.Header
	for _, c := range []struct{ header, want string }{
		{"From", "<" + from + ">"},
		{"To", "<" + company + ">"},
		{"Reply-To", "<" + visitor + ">"},
	} {
		if v := h.Get(c.header); v != c.want {
			t.Errorf("%s: %q, want %q", c.header, v, c.want)
		}
	}
	if dec.Subject != subject {
		t.Errorf("subject %q, want %q", dec.Subject, subject)
	}
	if dec.Body != body {
		t.Errorf("body\n%q\nwant\n%q", dec.Body, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
		t.Errorf("Content-Type %q, want text/plain in UTF-8", ct)
	}
	if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@conpro-bouw.be>") {
		t.Errorf("Message-ID %q, want <…@conpro-bouw.be>", id)
	}
	if d, err := h.Date(); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date %q (%v), want about now", h.Get("Date"), err)
	}
	for _, raw := range []string{"Bcc", "User-Agent", "X-Mailer"} {
		if v := h.Get(raw); v != "" {
			t.Errorf("%s header %q, want none", raw, v)
		}
	}
}

func TestSMTPSender_OmitsReplyToWhenThereIsNone(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{})
	sender := mail.NewSMTPSender(smtpOptions(srv, true, "", ""), discard)
	m := notification()
	m.ReplyTo = ""

	if err := sender.Send(sendCtx(t), m); err != nil {
		t.Fatalf("send: %v", err)
	}
	dec, err := srv.WaitFor(t, 1, 5*time.Second)[0].Decode()
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := dec.Header["Reply-To"]; ok {
		t.Errorf("Reply-To %q, want none", v)
	}
}

func TestSMTPSender_UsesSTARTTLSAndLogsInOverIt(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{TLS: true, Username: "website", Password: "s3cret pass"})
	opts := smtpOptions(srv, false, "website", "s3cret pass")
	opts.TLSConfig = srv.ClientTLSConfig()
	sender := mail.NewSMTPSender(opts, discard)

	if err := sender.Send(sendCtx(t), notification()); err != nil {
		t.Fatalf("send: %v", err)
	}

	got := srv.WaitFor(t, 1, 5*time.Second)[0]
	if !got.TLS {
		t.Error("message travelled without TLS")
	}
	if got.User != "website" {
		t.Errorf("message sent as %q, want website", got.User)
	}
	logins := srv.Logins()
	if len(logins) != 1 || logins[0] != (smtptest.Login{Username: "website", Password: "s3cret pass", TLS: true}) {
		t.Errorf("logins %+v, want one as website with the password, over TLS", logins)
	}
}

func TestSMTPSender_SpeaksImplicitTLSForSMTPS(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{ImplicitTLS: true, Username: "website", Password: "pw"})
	opts := smtpOptions(srv, false, "website", "pw")
	opts.ImplicitTLS, opts.TLSConfig = true, srv.ClientTLSConfig()
	sender := mail.NewSMTPSender(opts, discard)

	if err := sender.Send(sendCtx(t), notification()); err != nil {
		t.Fatalf("send: %v", err)
	}
	if got := srv.WaitFor(t, 1, 5*time.Second)[0]; !got.TLS || got.User != "website" {
		t.Errorf("TLS %v, login %q; want TLS and website", got.TLS, got.User)
	}
}

func TestSMTPSender_LogsInToALoopbackRelayWithoutTLS(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Username: "relay", Password: "pw"})
	sender := mail.NewSMTPSender(smtpOptions(srv, true, "relay", "pw"), discard)

	if err := sender.Send(sendCtx(t), notification()); err != nil {
		t.Fatalf("send: %v", err)
	}
	if got := srv.WaitFor(t, 1, 5*time.Second)[0]; got.User != "relay" {
		t.Errorf("login %q, want relay", got.User)
	}
}

func TestSMTPSender_RefusesAServerWithoutSTARTTLSUnlessItIsALoopbackRelay(t *testing.T) {
	// A plain server that even offers AUTH in clear text: the sender must
	// neither send the mail nor the password.
	srv := smtptest.New(t, smtptest.Options{Username: "website", Password: "pw"})
	sender := mail.NewSMTPSender(smtpOptions(srv, false, "website", "pw"), discard)

	err := sender.Send(sendCtx(t), notification())
	if err == nil {
		t.Fatal("sent over a connection without TLS")
	}
	if !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("error %q does not say STARTTLS is missing", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages received, want 0", n)
	}
	if n := srv.AuthAttempts(); n != 0 {
		t.Errorf("%d AUTH attempts without TLS, want 0", n)
	}
}

func TestSMTPSender_RefusesACertificateTheSystemDoesNotTrust(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{TLS: true, Username: "website", Password: "pw"})
	sender := mail.NewSMTPSender(smtpOptions(srv, false, "website", "pw"), discard)

	if err := sender.Send(sendCtx(t), notification()); err == nil {
		t.Fatal("sent to a server with a self-signed certificate")
	}
	if n := len(srv.Messages()) + srv.AuthAttempts(); n != 0 {
		t.Errorf("%d messages or logins reached the server, want 0", n)
	}
}

func TestSMTPSender_RefusesLineBreaksInHeaders(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{})
	sender := mail.NewSMTPSender(smtpOptions(srv, true, "", ""), discard)

	cases := []struct {
		name   string
		change func(*mail.Mail)
	}{
		{"CRLF in the subject", func(m *mail.Mail) { m.Subject = "Hallo\r\nBcc: victim@example.com" }},
		{"LF in the subject", func(m *mail.Mail) { m.Subject = "Hallo\nBcc: victim@example.com" }},
		{"CR in the subject", func(m *mail.Mail) { m.Subject = "Hallo\rBcc: victim@example.com" }},
		{"LF in the Reply-To", func(m *mail.Mail) { m.ReplyTo = "jan@example.be\nBcc: victim@example.com" }},
		{"CR in the Reply-To", func(m *mail.Mail) { m.ReplyTo = "jan@example.be\rBcc: victim@example.com" }},
		{"CRLF in the recipient", func(m *mail.Mail) { m.To = company + "\r\nBcc: victim@example.com" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := notification()
			c.change(&m)
			err := sender.Send(sendCtx(t), m)
			if !errors.Is(err, mail.ErrHeaderInjection) {
				t.Errorf("error %v, want ErrHeaderInjection", err)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages received, want 0", n)
	}
}

func TestOptions_StringNamesTheServerWithoutCredentials(t *testing.T) {
	for o, want := range map[*mail.Options]string{
		{Host: "smtp.example.be", Port: 587, Username: "website", Password: "s3cret"}: "smtp://smtp.example.be:587",
		{Host: "smtp.example.be", Port: 465, ImplicitTLS: true}:                       "smtps://smtp.example.be:465",
		{Host: "::1", Port: 25, Plain: true}:                                          "smtp://[::1]:25",
	} {
		if got := o.String(); got != want {
			t.Errorf("%s, want %s", got, want)
		}
	}
}

// An address may lawfully look like a mailto: query; as the Reply-To of a
// notification it is one recipient and adds no header. A Reply-To that is
// a list or carries a display name is refused.
func TestSMTPSender_AReplyToIsOneAddressAndAddsNothing(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{})
	sender := mail.NewSMTPSender(smtpOptions(srv, true, "", ""), discard)
	odd := "x?bcc=spy%40evil.example&subject=Hi@example.be"
	m := notification()
	m.ReplyTo = odd
	if err := sender.Send(sendCtx(t), m); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := srv.WaitFor(t, 1, 5*time.Second)[0]
	if len(got.To) != 1 || got.To[0] != company {
		t.Errorf("envelope to %q, want only %q", got.To, company)
	}
	dec, err := got.Decode()
	if err != nil {
		t.Fatal(err)
	}
	list, err := dec.Header.AddressList("Reply-To")
	if err != nil || len(list) != 1 || list[0].Address != odd || list[0].Name != "" {
		t.Errorf("Reply-To %q (%v), want the one address %q", dec.Header.Get("Reply-To"), err, odd)
	}
	for _, h := range []string{"Bcc", "Cc"} {
		if v := dec.Header.Get(h); v != "" {
			t.Errorf("%s header %q, want none", h, v)
		}
	}
	if dec.Subject != subject {
		t.Errorf("subject %q, want %q", dec.Subject, subject)
	}

	for _, bad := range []string{"jan@example.be, spy@evil.example", `"Construct Professional" <spy@evil.example>`, "<spy@evil.example>", "geen adres"} {
		m := notification()
		m.ReplyTo = bad
		if err := sender.Send(sendCtx(t), m); !errors.Is(err, mail.ErrReplyTo) {
			t.Errorf("Reply-To %q: %v, want ErrReplyTo", bad, err)
		}
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages received, want 1", n)
	}
}
