// Package contact holds the rules of the contact form: what a valid message
// is, how a phone number is read, what the company's notification says, and
// the signed timestamp that tells people from bots.
package contact

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"conpro/internal/brussels"
)

// Field names one input of the form; they are also the form's field names.
type Field string

const (
	Name    Field = "naam"
	Email   Field = "email"
	Phone   Field = "telefoon"
	Message Field = "bericht"
)

// Fields lists the inputs in the order the form shows them.
func Fields() []Field { return []Field{Name, Email, Phone, Message} }

// Limits of the fields, in characters.
const (
	MaxName    = 100
	MaxEmail   = 254
	MaxPhone   = 40
	MinMessage = 10
	MaxMessage = 5000
)

// Form is what the visitor typed, as typed.
type Form struct {
	Name, Email, Phone, Message string
}

// Value returns the typed value of a field.
func (f Form) Value(field Field) string {
	switch field {
	case Name:
		return f.Name
	case Email:
		return f.Email
	case Phone:
		return f.Phone
	case Message:
		return f.Message
	}
	return ""
}

// Errors maps each invalid field to the message ID that explains why.
type Errors map[Field]string

// First returns the first invalid field in form order.
func (e Errors) First() (Field, bool) {
	for _, f := range Fields() {
		if _, ok := e[f]; ok {
			return f, true
		}
	}
	return "", false
}

// Submission is a valid message, ready to store.
type Submission struct {
	Name, Email string
	// Phone is as typed (trimmed); PhoneE164 the same number as +32…, or
	// empty when none was given.
	Phone, PhoneE164 string
	Message          string
	Locale           string
	// Network is the sender's address truncated to /24 or /48.
	Network    netip.Prefix
	ReceivedAt time.Time
	// SpamReason says why the message may be spam (SpamReason), for
	// staff; empty when nothing points that way.
	SpamReason string
}

// Validate checks a form. On success it returns the cleaned submission;
// otherwise the errors, one per invalid field.
func Validate(f Form) (Submission, Errors) {
	errs := Errors{}
	s := Submission{
		Name:    strings.TrimSpace(f.Name),
		Email:   strings.TrimSpace(f.Email),
		Phone:   strings.TrimSpace(f.Phone),
		Message: normalizeNewlines(strings.TrimSpace(f.Message)),
	}

	switch n := utf8.RuneCountInString(s.Name); {
	case !utf8.ValidString(s.Name) || hasControl(s.Name, false):
		errs[Name] = "ContactErrNameInvalid"
	case HasBidiControl(s.Name):
		errs[Name] = "ContactErrNameBidi"
	case n == 0:
		errs[Name] = "ContactErrNameRequired"
	case n > MaxName:
		errs[Name] = "ContactErrNameTooLong"
	}

	switch {
	case s.Email == "":
		errs[Email] = "ContactErrEmailRequired"
	case HasBidiControl(s.Email):
		errs[Email] = "ContactErrEmailBidi"
	case len(s.Email) > MaxEmail:
		errs[Email] = "ContactErrEmailTooLong"
	case !ValidEmail(s.Email):
		errs[Email] = "ContactErrEmailInvalid"
	}

	if s.Phone != "" {
		switch {
		case utf8.RuneCountInString(s.Phone) > MaxPhone:
			errs[Phone] = "ContactErrPhoneInvalid"
		default:
			e164, ok := NormalizePhone(s.Phone)
			if !ok {
				errs[Phone] = "ContactErrPhoneInvalid"
			}
			s.PhoneE164 = e164
		}
	}

	switch n := utf8.RuneCountInString(s.Message); {
	case !utf8.ValidString(s.Message) || hasControl(s.Message, true):
		errs[Message] = "ContactErrMessageInvalid"
	case Reorders(s.Message):
		errs[Message] = "ContactErrMessageBidi"
	case n == 0:
		errs[Message] = "ContactErrMessageRequired"
	case n < MinMessage:
		errs[Message] = "ContactErrMessageTooShort"
	case n > MaxMessage:
		errs[Message] = "ContactErrMessageTooLong"
	}

	if len(errs) > 0 {
		return Submission{}, errs
	}
	return s, nil
}

// hasControl reports control characters; newlines and tabs are allowed only
// in running text. A name with a line break could inject mail headers. It
// also reports U+FFFD and invalid UTF-8: text damaged on its way here (the
// server shows a NUL byte or a broken byte as U+FFFD) is not taken as typed.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// HasBidiControl reports the invisible characters that change the direction
// of text: the embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) and the direction marks (U+200E, U+200F, U+061C). In a
// name or an address they make it read otherwise than it is stored ("Jan
// \u202Enesaj" shows as "Jan jasen") wherever it is shown: the inbox, the
// CSV, a mail's subject.
func HasBidiControl(s string) bool {
	return Reorders(s) || strings.ContainsAny(s, "\u200E\u200F\u061C")
}

// Reorders reports the characters that reorder the text after them (the
// embeddings, overrides and isolates). Running text in a right-to-left
// script may need a direction mark, but never these.
func Reorders(s string) bool {
	return strings.ContainsAny(s, "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069")
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// ValidEmail accepts a bare address (no display name) whose domain has a
// dot, with no character that could break a mail header or change the
// direction of the text around it.
func ValidEmail(s string) bool {
	if hasControl(s, false) || HasBidiControl(s) || strings.ContainsAny(s, " ,;<>\"()[]\\") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
	}
	return true
}

// NormalizePhone reads a Belgian or international phone number as people
// write it ("0484 53 27 38", "03/218.47.20", "+32 484 53 27 38",
// "0032 484 53 27 38", "+31 6 12345678") and returns it as E.164 (+32484532738).
func NormalizePhone(s string) (string, bool) {
	var digits strings.Builder
	plus := false
	// "+32 (0)3 …": the bracketed trunk 0 is not dialled from abroad.
	s = strings.Replace(s, "(0)", "", 1)
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '.' || r == '-' || r == '/' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := digits.String()
	switch {
	case plus:
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		// A Belgian national number; its length is checked below.
		d = "32" + d[1:]
	default:
		return "", false
	}
	// E.164: a country code that does not start with 0, at most 15 digits.
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", false
	}
	// Belgium: mobiles (4xx) have 9 digits after the country code,
	// landlines 8.
	if national, ok := strings.CutPrefix(d, "32"); ok {
		want := 8
		if strings.HasPrefix(national, "4") {
			want = 9
		}
		if len(national) != want {
			return "", false
		}
	}
	return "+" + d, true
}

// Notification is the mail that tells the company about a message.
type Notification struct {
	To, ReplyTo, Subject, Body string
}

// SiteName is the site's address as a subject line names it
// ("conpro-bouw.be" for https://conpro-bouw.be/).
func SiteName(siteURL string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(siteURL, "https://"), "http://"), "/")
}

// NotificationFor composes the company's notification of a submission, in
// Dutch. Replying to it answers the visitor. A message that may be spam
// says so in its subject, and why at the top.
func NotificationFor(s Submission, to, siteURL string) Notification {
	var b strings.Builder
	subject := "Nieuw bericht via " + SiteName(siteURL) + " — " + s.Name
	if s.SpamReason != "" {
		subject = "Mogelijk spam: " + subject
		fmt.Fprintf(&b, "Mogelijk spam. %s\nBekijk het bericht voor u antwoordt; is het geen spam, markeer het dan zo in het beheer.\n\n", s.SpamReason)
	}
	fmt.Fprintf(&b, "Nieuw bericht via het contactformulier op %s.\n\n", siteURL)
	fmt.Fprintf(&b, "Naam:     %s\n", s.Name)
	fmt.Fprintf(&b, "E-mail:   %s\n", s.Email)
	if s.Phone != "" {
		fmt.Fprintf(&b, "Telefoon: %s\n", s.Phone)
	}
	fmt.Fprintf(&b, "Ontvangen: %s\n", brussels.In(s.ReceivedAt).Format("02-01-2006 15:04"))
	fmt.Fprintf(&b, "Taal:     %s\n\n", s.Locale)
	b.WriteString(s.Message)
	b.WriteString("\n\n-- \nAntwoorden op deze e-mail gaat naar de afzender. ")
	b.WriteString("Dit bericht wordt bewaard zolang het nodig is om het te beantwoorden en af te handelen.\n")
	return Notification{
		To:      to,
		ReplyTo: s.Email,
		Subject: subject,
		Body:    b.String(),
	}
}

// ErrBadToken is returned for a form token that is missing or malformed:
// the form did not come from this site.
var ErrBadToken = errors.New("invalid contact form token")

// ErrUnverifiedToken is returned for a token shaped like the ones this site
// issues that fails the check: signed under another key (after a
// CONPRO_COOKIE_KEY rotation, or by an instance with another key) or dated
// ahead of this server's clock. A person may well have filled that form.
var ErrUnverifiedToken = errors.New("contact form token fails verification")
