// Package staff holds the rules of the staff area: accounts with argon2id
// password hashes, login throttling, and the audit trail of staff actions.
package staff

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"conpro/internal/contact"
	"conpro/internal/privacyrequest"
)

// User is a staff account.
type User struct {
	ID          int64
	Email       string
	LastLoginAt *time.Time
	// CredentialVersion changes with every password change; a session
	// opened under another version is no longer valid.
	CredentialVersion int
	// DisabledAt is when the account was disabled; nil while it is enabled.
	DisabledAt *time.Time
}

// Disabled reports whether the account may not be used.
func (u User) Disabled() bool { return u.DisabledAt != nil }

// Admits reports whether a session opened under credentialVersion still
// stands for the account: not once the account is disabled, nor after a
// password change.
func (u User) Admits(credentialVersion int) bool {
	return !u.Disabled() && u.CredentialVersion == credentialVersion
}

// MinPassword is the shortest password accepted.
const MinPassword = 12

var (
	// ErrWeakPassword is returned for a password that is too short.
	ErrWeakPassword = errors.New("password too short: use at least 12 characters")
	// ErrBadEmail is returned for an address that is not one.
	ErrBadEmail = errors.New("not an e-mail address")
	// ErrNotFound is returned for a record of the staff area (an account,
	// a message, a request, a mail) that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists is returned for an account whose address is taken.
	ErrExists = errors.New("already exists")
)

// params are argon2id's settings: OWASP's recommendation for argon2id
// (19 MiB, 2 passes, 1 lane) keeps a login well under a second on a small
// server.
var params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// hashSlots bounds how many argon2id computations run at once: each takes
// 19 MiB, so a burst of logins must queue rather than take memory without
// limit. More than one per CPU would not finish any sooner. It is the one
// piece of package state here, on purpose: memory is the process's, whatever
// part of the program asks for a hash.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// hashing waits for a free slot; the returned function frees it.
func hashing(ctx context.Context) (func(), error) {
	select {
	case hashSlots <- struct{}{}:
		return func() { <-hashSlots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to hash a password: %w", ctx.Err())
	}
}

// HashPassword checks a new password and hashes it with argon2id.
func HashPassword(password string) (string, error) {
	if err := checkStrength(password); err != nil {
		return "", err
	}
	done, err := hashing(context.Background())
	if err != nil {
		return "", err
	}
	defer done()
	return argon2id.CreateHash(password, params)
}

func checkStrength(password string) error {
	if utf8.RuneCountInString(password) < MinPassword {
		return ErrWeakPassword
	}
	return nil
}

// dummyHash is compared against when an address is unknown, so that a
// login takes as long for an unknown account as for a known one.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$RaFwQ+/Mht/eSY1CqkR7Vw$XX5DtAadSWTKEw1dI2G7weiTGpACD9A82/NIexH+JwM"

// CheckPassword compares a password with a stored hash (or with a dummy
// one when hash is empty, which always fails). It waits for a free hashing
// slot first; the error is the context's, if it ends while waiting.
func CheckPassword(ctx context.Context, password, hash string) (bool, error) {
	done, err := hashing(ctx)
	if err != nil {
		return false, err
	}
	defer done()
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(password, dummyHash)
		return false, nil
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok, nil
}

// NormalizeEmail checks and lowercases an account address.
func NormalizeEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if len(email) > contact.MaxEmail || !contact.ValidEmail(email) {
		return "", ErrBadEmail
	}
	return strings.ToLower(email), nil
}

// AuditEntry is one staff action: who, what, when, which record.
type AuditEntry struct {
	ID         int64
	At         time.Time
	StaffID    int64
	StaffEmail string
	// Action is what was done, one of Actions.
	Action Action
	// Target names the record ("contact_message:12").
	Target string
	Detail string
}

// InboxMessage is a contact message as staff see it.
type InboxMessage struct {
	ID                     int64
	ReceivedAt             time.Time
	Name, Email            string
	Phone, PhoneE164       string
	Message, Locale        string
	Network                string
	HandledAt              *time.Time
	MailSent               bool
	MailAttempts           int
	MailQueued, MailFailed bool
	// SpamReason says why the message may be spam ("" when nothing
	// pointed that way); NotSpamAt is when staff judged it was not.
	SpamReason string
	NotSpamAt  *time.Time
	// Kind is KindContact or KindQuote.
	Kind string
}

// Kinds of inbox messages: one sent with the contact form, or a quote
// request (with its own fields and files).
const (
	KindContact = "contact"
	KindQuote   = "quote"
)

// IsQuote reports a quote request.
func (m InboxMessage) IsQuote() bool { return m.Kind == KindQuote }

// Preview is the start of the message on one line (its line breaks and
// blank lines as spaces), at most about n characters cut at a space, with
// "…" when more follows: enough to tell messages apart in a list, even
// those whose first line is only a greeting.
func (m InboxMessage) Preview(n int) string {
	text := strings.Join(strings.Fields(m.Message), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	cut := text[:runeOffset(text, n)]
	// A word cut in two goes whole, unless that would leave less than half.
	if text[len(cut)] != ' ' {
		if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
			cut = cut[:i]
		}
	}
	return strings.TrimRight(cut, " ,;:.-") + "…"
}

// runeOffset is the byte offset of the n-th character of s.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// MaybeSpam reports whether a message is marked as possible spam: it
// showed a sign of a bot and staff have not judged it otherwise.
func (m InboxMessage) MaybeSpam() bool { return m.SpamReason != "" && m.NotSpamAt == nil }

// InboxState is which messages the inbox lists. The filter offers
// InboxStates in that order; the store knows which messages each selects.
type InboxState string

const (
	InboxAll     InboxState = ""
	InboxOpen    InboxState = "open"
	InboxHandled InboxState = "afgehandeld"
	InboxSpam    InboxState = "spam"
)

// InboxStates lists the inbox's views in the order the filter shows them.
func InboxStates() []InboxState {
	return []InboxState{InboxAll, InboxOpen, InboxHandled, InboxSpam}
}

// ParseInboxState reads a view's name from an address; anything unknown is
// the whole inbox.
func ParseInboxState(s string) InboxState {
	for _, st := range InboxStates() {
		if string(st) == s {
			return st
		}
	}
	return InboxAll
}

// InboxFilter selects messages: those of a state, matching a search in name
// or e-mail.
type InboxFilter struct {
	State  InboxState
	Search string
	Limit  int
}

// Waiting counts what waits for staff, for the navigation of every staff
// page.
type Waiting struct {
	// OpenMessages are contact messages not yet handled.
	OpenMessages int
	// QueuedRequests are confirmed data-subject requests that staff must
	// carry out (corrections and objections).
	QueuedRequests int
}

// QueuedRequest is a data-subject request as staff see it.
type QueuedRequest struct {
	ID         int64
	CreatedAt  time.Time
	Kind       string
	Email      string // empty after an erasure
	ConsentID  string
	Message    string
	Status     string
	Outcome    string
	VerifiedAt *time.Time
	HandledAt  *time.Time
}

// Deadline is the last day (midnight, Belgian time) to answer a request its
// sender confirmed; false for one not confirmed (no deadline runs yet) or
// carried out at once by the site (access and erasure).
func (q QueuedRequest) Deadline() (time.Time, bool) {
	if q.VerifiedAt == nil || (q.Status != "queued" && q.Status != "handled") {
		return time.Time{}, false
	}
	return privacyrequest.Deadline(*q.VerifiedAt), true
}

// Overdue reports whether a request waiting for staff is past its deadline
// at now.
func (q QueuedRequest) Overdue(now time.Time) bool {
	d, ok := q.Deadline()
	return ok && q.Status == "queued" && privacyrequest.DaysLeft(d, now) < 0
}

// OutboxMail is a mail of the outbox as staff see it; no body.
type OutboxMail struct {
	ID            int64
	CreatedAt     time.Time
	Kind, To      string
	Subject       string
	Attempts      int
	NextAttemptAt time.Time
	SentAt        *time.Time
	LastError     string
}

// Retryable reports whether staff may ask for another attempt now: only
// for a mail that was tried and not sent. A mail never tried waits for its
// first attempt (or for a mail server to be configured); a retry would
// change nothing.
func (m OutboxMail) Retryable() bool { return m.SentAt == nil && m.Attempts > 0 }
