// Package privacyrequest holds the rules of data-subject requests: inzage
// (access), correctie (correction), verwijdering (erasure) and bezwaar
// (objection to personalised advertising). A request does nothing until its
// sender opened the single-use link mailed to them ("Om misbruik te
// voorkomen … uzelf te identificeren").
package privacyrequest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"conpro/internal/consent"
	"conpro/internal/contact"
)

// Kind is what the requester asks for.
type Kind string

const (
	Access    Kind = "inzage"
	Correct   Kind = "correctie"
	Erase     Kind = "verwijdering"
	Objection Kind = "bezwaar"
)

// Kinds lists the kinds in the order the form shows them.
func Kinds() []Kind { return []Kind{Access, Correct, Erase, Objection} }

// TokenLifetime is how long a verification link works. It is the validity
// of a link, not a retention period, so it stays with the link's other
// rules; the purge forgets a token's hash once it has expired, and a
// request never verified after retention.Periods.UnverifiedRequests.
const TokenLifetime = 24 * time.Hour

// MaxMessage bounds the optional explanation.
const MaxMessage = 2000

// Form is what the requester typed.
type Form struct {
	Kind, Email, ConsentID, Message string
	EraseConsentLog                 bool
}

// Errors maps an invalid field ("soort", "email", "toestemmings_id",
// "toelichting") to the message ID that explains why.
type Errors map[string]string

// Request is a valid request, ready to store.
type Request struct {
	Kind      Kind
	Email     string
	ConsentID string
	Message   string
	// EraseConsentLog asks, with an erasure, to erase the consent log of
	// ConsentID too (and with it the proof of any refusal).
	EraseConsentLog bool
	Locale          string
}

// Validate checks a form.
func Validate(f Form) (Request, Errors) {
	errs := Errors{}
	r := Request{
		Kind:      Kind(strings.TrimSpace(f.Kind)),
		Email:     strings.TrimSpace(f.Email),
		ConsentID: strings.TrimSpace(f.ConsentID),
		Message:   strings.TrimSpace(strings.ReplaceAll(f.Message, "\r\n", "\n")),
	}
	switch r.Kind {
	case Access, Correct, Erase, Objection:
	default:
		errs["soort"] = "RequestErrKind"
	}
	switch {
	case r.Email == "":
		errs["email"] = "RequestErrEmailRequired"
	case contact.HasBidiControl(r.Email):
		errs["email"] = "RequestErrEmailBidi"
	case len(r.Email) > contact.MaxEmail || !contact.ValidEmail(r.Email):
		errs["email"] = "RequestErrEmailInvalid"
	}
	if r.ConsentID != "" && !consent.ValidID(r.ConsentID) {
		errs["toestemmings_id"] = "RequestErrConsentID"
	}
	switch {
	case utf8.RuneCountInString(r.Message) > MaxMessage || !utf8.ValidString(r.Message) || hasControl(r.Message):
		errs["toelichting"] = "RequestErrMessage"
	case contact.Reorders(r.Message):
		errs["toelichting"] = "RequestErrMessageBidi"
	}
	r.EraseConsentLog = f.EraseConsentLog && r.Kind == Erase && r.ConsentID != ""
	if len(errs) > 0 {
		return Request{}, errs
	}
	return r, nil
}

// hasControl reports control characters but newlines and tabs, and U+FFFD
// or invalid UTF-8: text damaged on its way here.
func hasControl(s string) bool {
	for _, c := range s {
		if c != '\n' && c != '\t' && (unicode.IsControl(c) || c == utf8.RuneError) {
			return true
		}
	}
	return false
}

// Keys derives the secrets of requests from the server's key.
type Keys struct {
	email, download []byte
}

// NewKeys domain-separates key for the uses here.
func NewKeys(key []byte) Keys {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	return Keys{email: derive("conpro privacy request e-mail"), download: derive("conpro privacy request download")}
}

// EmailHash is the keyed hash that stands for an address in the records of
// requests: it lets a later request find the earlier ones of the same
// address without the address being stored.
func (k Keys) EmailHash(email string) [32]byte {
	m := hmac.New(sha256.New, k.email)
	m.Write([]byte(strings.ToLower(strings.TrimSpace(email))))
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// NewToken returns a fresh link token (256 random bits) and the hash that is
// stored instead of it.
func NewToken() (token string, hash [32]byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken is what a token is stored and looked up as.
func HashToken(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// ErrBadLink is returned for a link that is unknown, used, expired or altered.
var ErrBadLink = errors.New("invalid or used request link")

// DownloadTicket lets the page that shows an access request's data offer a
// JSON download of the same data for a short while, without a new login.
func (k Keys) DownloadTicket(requestID int64, expires time.Time) string {
	p := strconv.FormatInt(requestID, 10) + "." + strconv.FormatInt(expires.Unix(), 10)
	return p + "." + k.mac(p)
}

// CheckTicket returns the request ID of a valid, unexpired ticket.
func (k Keys) CheckTicket(ticket string, now time.Time) (int64, error) {
	i := strings.LastIndexByte(ticket, '.')
	if i < 0 || len(ticket) > 80 || !hmac.Equal([]byte(ticket[i+1:]), []byte(k.mac(ticket[:i]))) {
		return 0, ErrBadLink
	}
	idPart, expPart, ok := strings.Cut(ticket[:i], ".")
	id, err1 := strconv.ParseInt(idPart, 10, 64)
	exp, err2 := strconv.ParseInt(expPart, 10, 64)
	if !ok || err1 != nil || err2 != nil || now.Unix() > exp {
		return 0, ErrBadLink
	}
	return id, nil
}

func (k Keys) mac(p string) string {
	m := hmac.New(sha256.New, k.download)
	m.Write([]byte(p))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// VerificationMail is the mail with the link, in the requester's language
// as far as the subject and the few lines go.
type VerificationMail struct {
	To, Subject, Body string
}

// MailTexts are the translated lines of the verification mail.
type MailTexts struct {
	Subject, Intro, Action, Expiry, NotYou string
}

// NewVerificationMail composes the mail that carries the link.
func NewVerificationMail(to, link string, t MailTexts) VerificationMail {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n\n%s\n\n%s\n\n%s\n\n-- \nConstruct Professional bvba\n", t.Intro, t.Action, link, t.Expiry, t.NotYou)
	return VerificationMail{To: to, Subject: t.Subject, Body: b.String()}
}

// Verified is a request whose link was opened.
type Verified struct {
	ID              int64
	Kind            Kind
	Email           string
	EmailHash       [32]byte
	ConsentID       string
	EraseConsentLog bool
	Message         string
	CreatedAt       time.Time
}

// Export is everything the site stores about an address and a consent ID:
// the answer to an access request.
type Export struct {
	Email           string            `json:"email"`
	ConsentID       string            `json:"consent_id,omitempty"`
	GeneratedAt     time.Time         `json:"generated_at"`
	ContactMessages []ExportMessage   `json:"contact_messages"`
	Requests        []ExportRequest   `json:"privacy_requests"`
	ConsentLog      []consent.Event   `json:"consent_log"`
	Retention       map[string]string `json:"retention"`
	Notes           []string          `json:"notes,omitempty"`
}

// ExportMessage is a stored contact message.
type ExportMessage struct {
	ReceivedAt time.Time `json:"received_at"`
	Name       string    `json:"name"`
	Email      string    `json:"email"`
	Phone      string    `json:"phone,omitempty"`
	Message    string    `json:"message"`
	Network    string    `json:"network,omitempty"`
	Handled    bool      `json:"handled"`
	// Quote holds a quote request's own fields; nil for a contact message.
	Quote *ExportQuote `json:"quote_request,omitempty"`
}

// ExportQuote is what a quote request holds beside its message: the files
// by name (their content goes to staff, not into an export sent by mail).
type ExportQuote struct {
	Work     string   `json:"kind_of_work"`
	Postcode string   `json:"postcode"`
	Timing   string   `json:"timing"`
	Files    []string `json:"files"`
}

// ExportRequest is a stored data-subject request.
type ExportRequest struct {
	CreatedAt  time.Time  `json:"created_at"`
	Kind       Kind       `json:"kind"`
	Status     string     `json:"status"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	Outcome    string     `json:"outcome,omitempty"`
}

// Erased counts what an erasure removed.
type Erased struct {
	ContactMessages, Requests, ConsentEvents, Mails int64
}
