package contact_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"conpro/internal/contact"
)

func valid() contact.Form {
	return contact.Form{Name: "Jan Peeters", Email: "jan.peeters@example.be", Phone: "0484 53 27 38", Message: "Graag een offerte voor een dakrenovatie."}
}

func TestValidate_AcceptsAValidMessageAndCleansIt(t *testing.T) {
	f := valid()
	f.Name = "  Jan Peeters  "
	f.Message = "Regel één\r\nRegel twee\r\n"
	s, errs := contact.Validate(f)
	if errs != nil {
		t.Fatalf("errors %v", errs)
	}
	if s.Name != "Jan Peeters" || s.Message != "Regel één\nRegel twee" || s.PhoneE164 != "+32484532738" || s.Phone != "0484 53 27 38" {
		t.Fatalf("submission %+v", s)
	}
	f.Phone = ""
	if s, errs := contact.Validate(f); errs != nil || s.PhoneE164 != "" {
		t.Fatalf("without phone: %+v %v", s, errs)
	}
}

func TestValidate_EachInvalidFieldHasItsMessage(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*contact.Form)
		field contact.Field
		msgID string
	}{
		{"no name", func(f *contact.Form) { f.Name = "   " }, contact.Name, "ContactErrNameRequired"},
		{"long name", func(f *contact.Form) { f.Name = strings.Repeat("a", 101) }, contact.Name, "ContactErrNameTooLong"},
		{"name with a line break", func(f *contact.Form) { f.Name = "Jan\r\nBcc: x@evil.example" }, contact.Name, "ContactErrNameInvalid"},
		{"name with NUL", func(f *contact.Form) { f.Name = "Jan\x00" }, contact.Name, "ContactErrNameInvalid"},
		{"no e-mail", func(f *contact.Form) { f.Email = "" }, contact.Email, "ContactErrEmailRequired"},
		{"e-mail without @", func(f *contact.Form) { f.Email = "jan.example.be" }, contact.Email, "ContactErrEmailInvalid"},
		{"e-mail without a dot in the domain", func(f *contact.Form) { f.Email = "jan@localhost" }, contact.Email, "ContactErrEmailInvalid"},
		{"e-mail with a display name", func(f *contact.Form) { f.Email = "Jan <jan@example.be>" }, contact.Email, "ContactErrEmailInvalid"},
		{"e-mail with a header", func(f *contact.Form) { f.Email = "jan@example.be\r\nBcc: x@evil.example" }, contact.Email, "ContactErrEmailInvalid"},
		{"two e-mails", func(f *contact.Form) { f.Email = "jan@example.be, x@evil.example" }, contact.Email, "ContactErrEmailInvalid"},
		{"long e-mail", func(f *contact.Form) { f.Email = strings.Repeat("a", 250) + "@x.be" }, contact.Email, "ContactErrEmailTooLong"},
		{"letters in the phone", func(f *contact.Form) { f.Phone = "bel me" }, contact.Phone, "ContactErrPhoneInvalid"},
		{"short phone", func(f *contact.Form) { f.Phone = "12345" }, contact.Phone, "ContactErrPhoneInvalid"},
		{"no message", func(f *contact.Form) { f.Message = "" }, contact.Message, "ContactErrMessageRequired"},
		{"short message", func(f *contact.Form) { f.Message = "Hallo" }, contact.Message, "ContactErrMessageTooShort"},
		{"long message", func(f *contact.Form) { f.Message = strings.Repeat("é", 5001) }, contact.Message, "ContactErrMessageTooLong"},
		{"message with control characters", func(f *contact.Form) { f.Message = "Hallo daar\x1b[31m rood" }, contact.Message, "ContactErrMessageInvalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := valid()
			c.edit(&f)
			_, errs := contact.Validate(f)
			if len(errs) != 1 || errs[c.field] != c.msgID {
				t.Fatalf("errors %v, want %s: %s", errs, c.field, c.msgID)
			}
		})
	}
	_, errs := contact.Validate(contact.Form{})
	if first, _ := errs.First(); len(errs) != 3 || first != contact.Name {
		t.Fatalf("empty form: %v, first %s", errs, first)
	}
}

func TestNormalizePhone_ReadsBelgianAndInternationalNumbers(t *testing.T) {
	cases := map[string]string{
		"0484 53 27 38":       "+32484532738",
		"0484/53.27.38":       "+32484532738",
		"+32 484 53 27 38":    "+32484532738",
		"0032 484 53 27 38":   "+32484532738",
		"+32 (0)3 218 47 20":  "+3232184720",
		"03 218 47 20":        "+3232184720",
		"02-123-45-67":        "+3221234567",
		"+31 6 12345678":      "+31612345678",
		"+44 20 7946 0958":    "+442079460958",
		"0484 53 27 3":        "",
		"484532738":           "",
		"+0 123 456 789":      "+0123456789",
		"0484 53 27 38 ext 5": "",
		"++32484532738":       "",
		"+3248453273":         "",
		"04845327389":         "",
		"":                    "",
	}
	for in, want := range cases {
		got, ok := contact.NormalizePhone(in)
		if want == "+0123456789" {
			if ok {
				t.Errorf("%q: accepted a country code starting with 0 as %s", in, got)
			}
			continue
		}
		if got != want || ok != (want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestNotification_IsDutchAndRepliesToTheVisitor(t *testing.T) {
	s, _ := contact.Validate(valid())
	s.Locale = "fr"
	s.ReceivedAt = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	n := contact.NotificationFor(s, "info@conpro-bvba.be", "https://conpro-bouw.be/")
	if n.To != "info@conpro-bvba.be" || n.ReplyTo != "jan.peeters@example.be" {
		t.Fatalf("addresses %+v", n)
	}
	if n.Subject != "Nieuw bericht via conpro-bouw.be — Jan Peeters" {
		t.Errorf("subject %q", n.Subject)
	}
	for _, want := range []string{"Naam:     Jan Peeters", "Telefoon: 0484 53 27 38", "25-11-2026 10:30", "dakrenovatie"} {
		if !strings.Contains(n.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, n.Body)
		}
	}
}

func TestTokens_TellTheAgeOfAFormAndRefuseForgeries(t *testing.T) {
	tok := contact.NewTokens([]byte(strings.Repeat("k", 32)))
	shown := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	token := tok.Issue(shown)
	if age, err := tok.Age(token, shown.Add(7*time.Second)); err != nil || age != 7*time.Second {
		t.Fatalf("age %v, %v", age, err)
	}
	for _, bad := range []string{"", "x", "123.abc", token + "x", "-5." + token[strings.Index(token, ".")+1:], strings.Repeat("9", 80), "123.!!!!!!!!!!!!!!!!!!!!!!"} {
		if _, err := tok.Age(bad, shown); !errors.Is(err, contact.ErrBadToken) {
			t.Errorf("token %q: %v, want ErrBadToken", bad, err)
		}
	}
	// Shaped like ours but failing the check: maybe a person's form from
	// before a key rotation.
	other := contact.NewTokens([]byte(strings.Repeat("o", 32)))
	for _, bad := range []string{other.Issue(shown), strings.Replace(token, "1", "2", 1), tok.Issue(shown.Add(2 * time.Minute))} {
		if _, err := tok.Age(bad, shown); !errors.Is(err, contact.ErrUnverifiedToken) {
			t.Errorf("token %q: %v, want ErrUnverifiedToken", bad, err)
		}
	}
}

// FuzzValidate: whatever is posted, validation never panics; a submission it
// accepts fits the database's limits and can not break a mail header.
func FuzzValidate(f *testing.F) {
	f.Add("Jan", "jan@example.be", "0484 53 27 38", "Een bericht van tien tekens")
	f.Add("Jan\r\nBcc: x", "a@b.c\r\n", "+32", "\x00")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, name, email, phone, message string) {
		s, errs := contact.Validate(contact.Form{Name: name, Email: email, Phone: phone, Message: message})
		if errs != nil {
			for field, id := range errs {
				if !strings.HasPrefix(id, "ContactErr") || !slices.Contains(contact.Fields(), field) {
					t.Fatalf("error %s: %s", field, id)
				}
			}
			return
		}
		if strings.ContainsAny(s.Name+s.Email, "\r\n") || !utf8.ValidString(s.Name+s.Email+s.Message) {
			t.Fatalf("accepted a header-breaking value: %+v", s)
		}
		if n := utf8.RuneCountInString(s.Name); n < 1 || n > contact.MaxName {
			t.Fatalf("name of %d characters", n)
		}
		if n := utf8.RuneCountInString(s.Message); n < contact.MinMessage || n > contact.MaxMessage {
			t.Fatalf("message of %d characters", n)
		}
		if len(s.Email) > contact.MaxEmail || len(s.Phone) > 4*contact.MaxPhone {
			t.Fatalf("e-mail or phone too long: %+v", s)
		}
		if s.PhoneE164 != "" && (s.PhoneE164[0] != '+' || len(s.PhoneE164) > 16) {
			t.Fatalf("phone %q", s.PhoneE164)
		}
		if strings.Contains(s.Message, "\r") {
			t.Fatal("carriage return kept")
		}
	})
}

// Characters that change the direction of text make a name or an address
// read otherwise than it is stored, wherever staff see it: refused, each
// with its own message.
func TestValidate_RefusesDirectionControlsInNamesAndAddresses(t *testing.T) {
	controls := []rune{'\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'}
	for _, c := range controls {
		f := valid()
		f.Name = "Jan " + string(c) + "sreteeP"
		f.Email = "jan" + string(c) + "@example.be"
		_, errs := contact.Validate(f)
		if errs[contact.Name] != "ContactErrNameBidi" || errs[contact.Email] != "ContactErrEmailBidi" {
			t.Errorf("U+%04X: errors %v", c, errs)
		}
		if contact.ValidEmail(f.Email) {
			t.Errorf("U+%04X: ValidEmail accepts %q", c, f.Email)
		}
	}
	// In running text a right-to-left writer may need a direction mark, but
	// nothing that reorders what follows.
	f := valid()
	f.Message = "Een vraag over \u200Fالمطبخ\u200F, graag."
	if _, errs := contact.Validate(f); errs != nil {
		t.Errorf("a message with direction marks: %v", errs)
	}
	f.Message = "Bel mij op \u202E83 72 35 4840"
	if _, errs := contact.Validate(f); errs[contact.Message] != "ContactErrMessageBidi" {
		t.Errorf("a message with an override: %v", errs)
	}
}
