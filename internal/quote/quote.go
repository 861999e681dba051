// Package quote holds the rules of the quote request ("Offerte aanvragen"):
// a contact message with the kind of work, the building site's postcode,
// the desired timing and up to five photos or plans. What a contact message
// must be, it must be too (contact.Validate); this package adds its own
// fields, the files and the two mails.
package quote

import (
	"errors"
	"fmt"
	"strings"

	"conpro/internal/brussels"
	"conpro/internal/contact"
)

// Field names one input of the form, as the form names it. The contact
// details keep contact's names (naam, email, telefoon); the description is
// contact.Message ("bericht").
type Field string

const (
	Work     Field = "soort"
	Postcode Field = "postcode"
	Timing   Field = "planning"
	Files    Field = "bestanden"
)

// The contact details and the description, by their contact names.
var (
	Name        = Field(contact.Name)
	Email       = Field(contact.Email)
	Phone       = Field(contact.Phone)
	Description = Field(contact.Message)
)

// Fields lists the inputs in the order the form shows them.
func Fields() []Field {
	return []Field{Work, Postcode, Timing, Description, Files, Name, Email, Phone}
}

// Works are the kinds of work a visitor may ask a quote for, in the order
// the form lists them; each has a message QuoteWork_<kind>.
var Works = []string{"nieuwbouw", "renovatie", "verbouwing", "gevel", "dak", "andere"}

// Timings are the choices of when the work should start; each has a message
// QuoteTiming_<timing>.
var Timings = []string{"snel", "3maanden", "6maanden", "jaar", "onbekend"}

// Form is what the visitor typed, as typed (the files come apart).
type Form struct {
	Contact                contact.Form
	Work, Postcode, Timing string
}

// Value returns the typed value of a field.
func (f Form) Value(field Field) string {
	switch field {
	case Work:
		return f.Work
	case Postcode:
		return f.Postcode
	case Timing:
		return f.Timing
	}
	return f.Contact.Value(contact.Field(field))
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

// Submission is a valid quote request, ready to store: a contact
// submission (its Message is the description) and the quote's own fields.
type Submission struct {
	contact.Submission
	Work, Postcode, Timing string
	Files                  []File
}

// Validate checks a form's text. On success it returns the cleaned
// submission (without files); otherwise the errors, one per invalid field.
func Validate(f Form) (Submission, Errors) {
	errs := Errors{}
	c, cerrs := contact.Validate(f.Contact)
	for field, msg := range cerrs {
		if field == contact.Message {
			// "Describe the work", not "your message".
			msg = strings.Replace(msg, "ContactErrMessage", "QuoteErrDescription", 1)
		}
		errs[Field(field)] = msg
	}
	s := Submission{Submission: c,
		Work:     strings.TrimSpace(f.Work),
		Postcode: strings.Join(strings.Fields(f.Postcode), ""),
		Timing:   strings.TrimSpace(f.Timing),
	}
	if !oneOf(s.Work, Works) {
		errs[Work] = "QuoteErrWork"
	}
	switch {
	case s.Postcode == "":
		errs[Postcode] = "QuoteErrPostcodeRequired"
	case !ValidPostcode(s.Postcode):
		errs[Postcode] = "QuoteErrPostcodeInvalid"
	}
	if !oneOf(s.Timing, Timings) {
		errs[Timing] = "QuoteErrTiming"
	}
	if len(errs) > 0 {
		return Submission{}, errs
	}
	return s, nil
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

// ValidPostcode accepts a Belgian postcode: four digits, 1000 to 9999.
func ValidPostcode(s string) bool {
	if len(s) != 4 || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := 1; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// workWords and timingWords are the Dutch words staff read in the mail.
var (
	workWords = map[string]string{"nieuwbouw": "Nieuwbouw", "renovatie": "Renovatie", "verbouwing": "Verbouwing",
		"gevel": "Gevel", "dak": "Dak", "andere": "Andere werken"}
	timingWords = map[string]string{"snel": "Zo snel mogelijk", "3maanden": "Binnen 3 maanden",
		"6maanden": "Binnen 6 maanden", "jaar": "Binnen een jaar", "onbekend": "Nog niet bekend"}
)

// WorkWord is a kind of work in Dutch, as staff read it.
func WorkWord(work string) string { return workWords[work] }

// TimingWord is a timing in Dutch, as staff read it.
func TimingWord(timing string) string { return timingWords[timing] }

// NotificationFor composes the company's notification of a quote request,
// in Dutch; its files go with it as attachments. Replying answers the
// visitor.
func NotificationFor(s Submission, to, siteURL string) contact.Notification {
	var b strings.Builder
	subject := "Offerteaanvraag via " + contact.SiteName(siteURL) + " — " + s.Name
	if s.SpamReason != "" {
		subject = "Mogelijk spam: " + subject
		fmt.Fprintf(&b, "Mogelijk spam. %s\nBekijk de aanvraag voor u antwoordt; is het geen spam, markeer het dan zo in het beheer.\n\n", s.SpamReason)
	}
	fmt.Fprintf(&b, "Nieuwe offerteaanvraag via %s.\n\n", siteURL)
	fmt.Fprintf(&b, "Soort werk: %s\n", WorkWord(s.Work))
	fmt.Fprintf(&b, "Postcode:   %s\n", s.Postcode)
	fmt.Fprintf(&b, "Planning:   %s\n\n", TimingWord(s.Timing))
	fmt.Fprintf(&b, "Naam:       %s\n", s.Name)
	fmt.Fprintf(&b, "E-mail:     %s\n", s.Email)
	if s.Phone != "" {
		fmt.Fprintf(&b, "Telefoon:   %s\n", s.Phone)
	}
	fmt.Fprintf(&b, "Ontvangen:  %s\n", brussels.In(s.ReceivedAt).Format("02-01-2006 15:04"))
	fmt.Fprintf(&b, "Taal:       %s\n\n", s.Locale)
	b.WriteString(s.Message)
	b.WriteString("\n\n")
	if len(s.Files) == 0 {
		b.WriteString("Geen bijlagen.\n")
	} else {
		fmt.Fprintf(&b, "Bijlagen (%d):\n", len(s.Files))
		for _, f := range s.Files {
			fmt.Fprintf(&b, "- %s\n", f.Name)
		}
	}
	b.WriteString("\n-- \nAntwoorden op deze e-mail gaat naar de afzender. ")
	b.WriteString("Deze aanvraag wordt bewaard zolang het nodig is om ze te beantwoorden en af te handelen.\n")
	return contact.Notification{To: to, ReplyTo: s.Email, Subject: subject, Body: b.String()}
}

// ConfirmationTexts are the translated lines of the visitor's confirmation.
type ConfirmationTexts struct {
	Subject, Intro, Next, NotYou string
}

// ConfirmationFor composes the mail that tells the visitor their request
// arrived. It repeats nothing they typed but the date: an address typed by
// someone else must not turn the site into a way to mail a stranger a text
// of one's choosing.
func ConfirmationFor(s Submission, t ConfirmationTexts) contact.Notification {
	body := fmt.Sprintf("%s\n\n%s\n\n%s\n\n-- \nConstruct Professional bvba\n", t.Intro, t.Next, t.NotYou)
	return contact.Notification{To: s.Email, Subject: t.Subject, Body: body}
}

// ErrNotFound is returned for a quote or file that does not exist.
var ErrNotFound = errors.New("no such quote request or file")

// Stored is a kept quote request's own fields and its files (without their
// bytes), as staff see them beside the message.
type Stored struct {
	Work, Postcode, Timing string
	Files                  []StoredFile
}

// StoredFile is one kept file of a quote request.
type StoredFile struct {
	// Position numbers the files from 1, in the order they were sent; a
	// file's address names it.
	Position int
	Name     string
	Type     string
	Size     int64
}
