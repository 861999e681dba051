package contact_test

import (
	"strings"
	"testing"
	"time"

	"conpro/internal/contact"
)

func TestSpamReason_NamesEachWeakSignInPlainDutch(t *testing.T) {
	s, _ := contact.Validate(valid())
	minFill := 3 * time.Second
	person := contact.Signs{FormAge: 40 * time.Second, MinFill: minFill}
	cases := []struct {
		name  string
		edit  func(*contact.Submission, *contact.Signs)
		wants []string // "" for no sign at all
	}{
		{"a person who took their time", func(*contact.Submission, *contact.Signs) {}, []string{""}},
		{"just past the minimum", func(_ *contact.Submission, sg *contact.Signs) { sg.FormAge = minFill }, []string{""}},
		{"two links", func(s *contact.Submission, _ *contact.Signs) {
			s.Message = "Zie https://foto.example/album en www.plan.example voor de plannen."
		}, []string{""}},
		{"posted at once", func(_ *contact.Submission, sg *contact.Signs) { sg.FormAge = 400 * time.Millisecond }, []string{"Verstuurd binnen een seconde na het openen van het formulier"}},
		{"posted in two seconds", func(_ *contact.Submission, sg *contact.Signs) { sg.FormAge = 2500 * time.Millisecond }, []string{"Verstuurd 2 seconden na het openen"}},
		{"without a token", func(_ *contact.Submission, sg *contact.Signs) { sg.FormAge, sg.TokenErr = 0, contact.ErrBadToken }, []string{"niet via het formulier op de website verstuurd"}},
		{"a token of another key", func(_ *contact.Submission, sg *contact.Signs) {
			sg.FormAge, sg.TokenErr = 0, contact.ErrUnverifiedToken
		}, []string{"klopt niet", "vernieuwd"}},
		{"a form open for two days", func(_ *contact.Submission, sg *contact.Signs) { sg.FormAge = 48 * time.Hour }, []string{"langer dan een dag open"}},
		{"three links", func(s *contact.Submission, _ *contact.Signs) {
			s.Message = "Goedkope links: http://a.example https://b.example/x www.c.example"
		}, []string{"Het bericht bevat 3 webadressen."}},
		{"a link as a name", func(s *contact.Submission, _ *contact.Signs) { s.Name = "Win nu www.casino.example" }, []string{"De naam bevat een webadres."}},
		{"fast and full of links", func(s *contact.Submission, sg *contact.Signs) {
			sg.FormAge = time.Second
			s.Message = strings.Repeat("https://spam.example ", 5)
		}, []string{"Verstuurd 1 seconde", "5 webadressen"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub, sg := s, person
			c.edit(&sub, &sg)
			got := contact.SpamReason(sub, sg)
			for _, want := range c.wants {
				if (want == "" && got != "") || !strings.Contains(got, want) {
					t.Errorf("reason %q, want %q", got, want)
				}
			}
		})
	}
}

func TestNotification_OfAMessageThatMayBeSpamSaysSoAndWhy(t *testing.T) {
	s, _ := contact.Validate(valid())
	s.SpamReason = contact.SpamReason(s, contact.Signs{FormAge: time.Second, MinFill: 3 * time.Second})
	n := contact.NotificationFor(s, "info@conpro-bvba.be", "https://conpro-bouw.be")
	if n.Subject != "Mogelijk spam: Nieuw bericht via conpro-bouw.be — Jan Peeters" {
		t.Errorf("subject %q", n.Subject)
	}
	if !strings.HasPrefix(n.Body, "Mogelijk spam. Verstuurd 1 seconde na het openen van het formulier") || !strings.Contains(n.Body, "dakrenovatie") {
		t.Errorf("body:\n%s", n.Body)
	}
	if n.ReplyTo != "jan.peeters@example.be" {
		t.Errorf("reply-to %q", n.ReplyTo)
	}
}
