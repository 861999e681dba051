package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"conpro/internal/contact"
)

// contactForm is a valid post, with a token from the form as shown.
func (s *site) contactForm(t *testing.T) url.Values {
	t.Helper()
	body := s.get(t, "/contact").Body
	m := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the contact form carries no token")
	}
	return url.Values{
		"t":        {m[1]},
		"naam":     {"Jan Peeters"},
		"email":    {"jan.peeters@example.be"},
		"telefoon": {"0484 53 27 38"},
		"bericht":  {"Graag een offerte voor een dakrenovatie in Berchem.\nMet vriendelijke groet."},
		"website":  {""},
	}
}

type storedMessage struct {
	Name, Email, Phone, PhoneE164, Message, Locale, Network string
	// SpamReason is why the message may be spam ("" for none).
	SpamReason string
}

func (s *site) contactMessages(t *testing.T) []storedMessage {
	t.Helper()
	rows, err := s.db.Pool().Query(context.Background(), `SELECT name, email, phone, phone_e164, message, locale, coalesce(client_network::text, ''), spam_reason FROM contact_message ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedMessage
	for rows.Next() {
		var m storedMessage
		if err := rows.Scan(&m.Name, &m.Email, &m.Phone, &m.PhoneE164, &m.Message, &m.Locale, &m.Network, &m.SpamReason); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

type outboxRow struct {
	To, ReplyTo, Subject, Body string
	MessageID                  *int64
}

func (s *site) outbox(t *testing.T) []outboxRow {
	t.Helper()
	rows, err := s.db.Pool().Query(context.Background(), `SELECT to_addr, reply_to, subject, body_text, contact_message_id FROM mail_outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.To, &r.ReplyTo, &r.Subject, &r.Body, &r.MessageID); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestContact_FormHasLabelledFieldsOfTheRightTypes(t *testing.T) {
	s := newSite(t, siteOptions{})
	body := s.get(t, "/contact").Body
	for _, want := range []string{
		`<label for="naam">`, `type="text" id="naam" name="naam"`, `autocomplete="name"`,
		`<label for="email">`, `type="email" id="email" name="email"`, `autocomplete="email"`,
		`<label for="telefoon">`, `type="tel" id="telefoon" name="telefoon"`, `autocomplete="tel"`,
		`<label for="bericht">`, `<textarea id="bericht" name="bericht"`,
		`href="/privacy#contactformulier-en-e-mails"`, `method="post" action="/contact"`,
		"info@conpro-bvba.be", "0484 53 27 38",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("contact page lacks %s", want)
		}
	}
	if !strings.Contains(s.get(t, "/privacy").Body, `id="contactformulier-en-e-mails"`) {
		t.Error("the privacy link's anchor does not exist")
	}
}

func TestContact_AValidMessageIsStoredOnceWithItsNotification(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/contact", s.contactForm(t).Encode(), "Accept-Language", "fr-BE", "X-Forwarded-For", "203.0.113.9")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/contact/bedankt" {
		t.Fatalf("POST /contact: %d to %q\n%.300s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	msgs := s.contactMessages(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages stored, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Name != "Jan Peeters" || m.Email != "jan.peeters@example.be" || m.Phone != "0484 53 27 38" || m.PhoneE164 != "+32484532738" ||
		!strings.HasPrefix(m.Message, "Graag een offerte") || m.Locale != "fr" || m.Network != "127.0.0.0/24" {
		t.Fatalf("stored %+v", m)
	}
	out := s.outbox(t)
	if len(out) != 1 || out[0].To != "info@conpro-bvba.be" || out[0].ReplyTo != "jan.peeters@example.be" ||
		!strings.Contains(out[0].Subject, "Jan Peeters") || !strings.Contains(out[0].Body, "dakrenovatie") || out[0].MessageID == nil {
		t.Fatalf("outbox %+v", out)
	}
	thanks := s.get(t, "/contact/bedankt")
	if thanks.StatusCode != 200 || !strings.Contains(thanks.Body, "Bedankt voor uw bericht") {
		t.Fatalf("thank-you page: %d", thanks.StatusCode)
	}
	// Reloading the thank-you page sends nothing again.
	s.get(t, "/contact/bedankt")
	if n := len(s.contactMessages(t)); n != 1 {
		t.Fatalf("%d messages after a reload", n)
	}
	if strings.Contains(s.logs.String(), "jan.peeters") || strings.Contains(s.logs.String(), "dakrenovatie") {
		t.Error("the log holds the visitor's address or message")
	}
}

func TestContact_EveryInvalidFieldShowsItsMessageAndKeepsWhatWasTyped(t *testing.T) {
	s := newSite(t, siteOptions{})
	cases := []struct {
		field, value, message string
	}{
		{"naam", "", "Vul uw naam in."},
		{"naam", "Jan\r\nBcc: boef@example.com", "Uw naam bevat tekens die wij niet kunnen verwerken"},
		{"email", "jan.peeters", "Vul een geldig e-mailadres in"},
		{"email", "jan@example.be\nBcc: boef@example.com", "Vul een geldig e-mailadres in"},
		{"email", "", "Vul uw e-mailadres in"},
		{"telefoon", "bel mij <script>", "Vul een geldig telefoonnummer in"},
		{"bericht", "Kort", "Uw bericht is te kort"},
		{"bericht", strings.Repeat("lang ", 1001), "Uw bericht is te lang"},
	}
	for _, c := range cases {
		t.Run(c.field+"="+c.value[:min(len(c.value), 12)], func(t *testing.T) {
			form := s.contactForm(t)
			form.Set(c.field, c.value)
			res := s.postForm(t, "/contact", form.Encode())
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if !strings.Contains(html.UnescapeString(res.Body), c.message) {
				t.Errorf("no message %q", c.message)
			}
			for _, f := range []string{"naam", "email", "telefoon"} {
				if v := form.Get(f); v != "" && !strings.Contains(res.Body, `value="`+html.EscapeString(strings.ReplaceAll(v, "\r\n", "\n"))+`"`) &&
					!strings.Contains(res.Body, `value="`+html.EscapeString(v)+`"`) {
					t.Errorf("%s not kept: %q", f, v)
				}
			}
			if !strings.Contains(res.Body, ">"+html.EscapeString(form.Get("bericht"))+"</textarea>") {
				t.Errorf("message not kept")
			}
			input := regexp.MustCompile(`<(input|textarea)[^>]*id="` + c.field + `"[^>]*>`).FindString(res.Body)
			if !strings.Contains(input, `aria-invalid="true"`) || !strings.Contains(input, "autofocus") || !strings.Contains(input, c.field+"-fout") {
				t.Errorf("the invalid field is not marked, described and focused: %s", input)
			}
		})
	}
	if n := len(s.contactMessages(t)); n != 0 {
		t.Fatalf("%d invalid messages stored", n)
	}
	if n := len(s.outbox(t)); n != 0 {
		t.Fatalf("%d mails queued for invalid messages", n)
	}
}

// Only the hidden honeypot field drops a post: the bot is thanked, and
// nothing is stored or mailed, whatever its token says.
func TestContact_OnlyAFilledHoneypotDropsAPost(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_CONTACT_MIN_FILL": "3s"}})
	cases := map[string]func(url.Values){
		"honeypot filled": func(f url.Values) { f.Set("website", "https://spam.example") },
		"honeypot filled at once, without a token": func(f url.Values) {
			f.Set("website", "https://spam.example")
			f.Del("t")
		},
		"honeypot filled with a token of another key": func(f url.Values) {
			f.Set("website", "https://spam.example")
			f.Set("t", contact.NewTokens([]byte(strings.Repeat("o", 32))).Issue(time.Now().Add(-time.Minute)))
		},
	}
	for name, edit := range cases {
		form := s.contactForm(t)
		edit(form)
		res := s.postForm(t, "/contact", form.Encode())
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/contact/bedankt" {
			t.Errorf("%s: %d to %q", name, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if n := len(s.contactMessages(t)); n != 0 {
		t.Fatalf("%d bot messages stored", n)
	}
	if n := len(s.outbox(t)); n != 0 {
		t.Fatalf("%d bot mails queued", n)
	}
}

// A visitor who autofills the form and pastes a prepared text posts within
// seconds: their message must not be lost behind a thank-you page. A valid
// post that only looks like a bot's is stored, mailed and marked for staff,
// with the reason in plain Dutch.
func TestContact_AValidPostThatOnlyLooksLikeABotsIsKeptMarkedAndMailed(t *testing.T) {
	shown := time.Now()
	clock := shown
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_CONTACT_MIN_FILL": "3s"}, now: func() time.Time { return clock }})
	rotated := contact.NewTokens([]byte(strings.Repeat("o", 32)))
	cases := []struct {
		name   string
		wait   time.Duration
		edit   func(url.Values)
		reason string
	}{
		{"posted at once", 0, func(url.Values) {}, "Verstuurd binnen een seconde na het openen van het formulier"},
		{"posted after two seconds", 2 * time.Second, func(url.Values) {}, "Verstuurd 2 seconden na het openen"},
		{"no token", 20 * time.Second, func(f url.Values) { f.Del("t") }, "niet via het formulier op de website verstuurd"},
		{"a token from a bot", 20 * time.Second, func(f url.Values) { f.Set("t", "garbage") }, "niet via het formulier op de website verstuurd"},
		{"a token signed with another key", 20 * time.Second, func(f url.Values) { f.Set("t", rotated.Issue(clock.Add(-time.Minute))) }, "klopt niet"},
		{"a well-formed token with a forged signature", 20 * time.Second, func(f url.Values) { f.Set("t", "1700000000000.AAAAAAAAAAAAAAAAAAAAAA") }, "klopt niet"},
		{"a form left open for two days", 48 * time.Hour, func(url.Values) {}, "langer dan een dag open"},
		{"a message full of links", 20 * time.Second, func(f url.Values) {
			f.Set("bericht", "Bekijk http://a.example, http://b.example en http://c.example voor goedkope pillen.")
		}, "Het bericht bevat 3 webadressen."},
	}
	for i, c := range cases {
		clock = shown.Add(time.Duration(i) * 72 * time.Hour)
		form := s.contactForm(t)
		form.Set("naam", fmt.Sprintf("Bezoeker %d", i))
		c.edit(form)
		clock = clock.Add(c.wait)
		res := s.postForm(t, "/contact", form.Encode())
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/contact/bedankt" {
			t.Fatalf("%s: %d to %q", c.name, res.StatusCode, res.Header.Get("Location"))
		}
		msgs, mails := s.contactMessages(t), s.outbox(t)
		if len(msgs) != i+1 || len(mails) != i+1 {
			t.Fatalf("%s: %d messages and %d mails stored, want %d", c.name, len(msgs), len(mails), i+1)
		}
		m, mail := msgs[i], mails[i]
		if m.Name != form.Get("naam") || !strings.Contains(m.SpamReason, c.reason) {
			t.Errorf("%s: stored %q with the reason %q, want %q", c.name, m.Name, m.SpamReason, c.reason)
		}
		if !strings.HasPrefix(mail.Subject, "Mogelijk spam: ") || !strings.Contains(mail.Body, c.reason) {
			t.Errorf("%s: the mail does not say it may be spam: %q\n%s", c.name, mail.Subject, mail.Body)
		}
	}
	// A person who took their time is not marked.
	clock = shown.Add(1000 * time.Hour)
	form := s.contactForm(t)
	clock = clock.Add(20 * time.Second)
	s.postForm(t, "/contact", form.Encode())
	msgs, mails := s.contactMessages(t), s.outbox(t)
	if last := msgs[len(msgs)-1]; last.SpamReason != "" || strings.HasPrefix(mails[len(mails)-1].Subject, "Mogelijk spam") {
		t.Errorf("a person's message is marked: %q", last.SpamReason)
	}
}

// Validation comes first: an empty or invalid form gets its Dutch errors
// however fast it came and whatever its token, and is not stored.
func TestContact_AnInvalidFormGetsItsErrorsWhateverTheTimingOrToken(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_CONTACT_MIN_FILL": "3s"}})
	cases := map[string]url.Values{
		"an empty form without a token":  {},
		"an empty form at once":          {"t": {s.contactForm(t).Get("t")}},
		"a bad address with a bot token": {"t": {"garbage"}, "naam": {"Jan"}, "email": {"jan@"}, "bericht": {"Een bericht van genoeg tekens."}},
	}
	for name, form := range cases {
		res := s.postForm(t, "/contact", form.Encode())
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Controleer het formulier") {
			t.Errorf("%s: %d, want 422 with the errors", name, res.StatusCode)
		}
		if want := map[bool]string{true: "Vul een geldig e-mailadres in", false: "Vul uw naam in."}[form.Get("email") != ""]; !strings.Contains(res.Body, want) {
			t.Errorf("%s: no %q", name, want)
		}
	}
	if n := len(s.contactMessages(t)); n != 0 {
		t.Fatalf("%d invalid messages stored", n)
	}
}

// Marked posts count for the rate limit like any other.
func TestContact_MarkedPostsCountForTheRateLimit(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_CONTACT_MIN_FILL": "3s", "CONPRO_CONTACT_RATE": "2"}})
	form := s.contactForm(t)
	for i := 1; i <= 2; i++ {
		if res := s.postForm(t, "/contact", form.Encode()); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("post %d: %d", i, res.StatusCode)
		}
	}
	if res := s.postForm(t, "/contact", form.Encode()); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third post: %d, want 429", res.StatusCode)
	}
	if msgs := s.contactMessages(t); len(msgs) != 2 || msgs[0].SpamReason == "" || msgs[1].SpamReason == "" {
		t.Fatalf("stored %+v, want two marked messages", msgs)
	}
}

func TestContact_CrossSitePostsAreRefused(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/contact", s.contactForm(t).Encode(), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", res.StatusCode)
	}
	if n := len(s.contactMessages(t)); n != 0 {
		t.Fatal("a cross-site post was stored")
	}
}

func TestContact_TheEleventhRapidPostFromOneAddressIs429(t *testing.T) {
	s := newSite(t, siteOptions{})
	form := s.contactForm(t)
	for i := 1; i <= 10; i++ {
		if res := s.postForm(t, "/contact", form.Encode()); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("post %d: %d", i, res.StatusCode)
		}
	}
	res := s.postForm(t, "/contact", form.Encode())
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("11th post: %d", res.StatusCode)
	}
	if !strings.Contains(res.Body, "veel berichten verstuurd") || !strings.Contains(res.Body, "dakrenovatie") || !strings.Contains(res.Body, "info@conpro-bvba.be") {
		t.Error("the 429 page is not Dutch or lost the text")
	}
	if n := len(s.contactMessages(t)); n != 10 {
		t.Fatalf("%d messages stored, want 10", n)
	}
}

func TestContact_DatabaseDownKeepsTheTextAndSays503(t *testing.T) {
	s := newSite(t, siteOptions{dbDown: true})
	form := s.contactForm(t)
	res := s.postForm(t, "/contact", form.Encode())
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	for _, want := range []string{"storing bij ons", "info@conpro-bvba.be", "dakrenovatie", `value="Jan Peeters"`, `value="jan.peeters@example.be"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("503 page lacks %q", want)
		}
	}
}

// TestContact_NothingIsHalfStored makes the outbox refuse the notification:
// the message must not stay behind without it.
func TestContact_NothingIsHalfStored(t *testing.T) {
	s := newSite(t, siteOptions{})
	ctx := context.Background()
	_, err := s.db.Pool().Exec(ctx, `
		CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$;
		CREATE TRIGGER refuse BEFORE INSERT ON mail_outbox FOR EACH ROW EXECUTE FUNCTION refuse();`)
	if err != nil {
		t.Fatal(err)
	}
	res := s.postForm(t, "/contact", s.contactForm(t).Encode())
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.Body, "dakrenovatie") {
		t.Fatalf("status %d", res.StatusCode)
	}
	if n := len(s.contactMessages(t)); n != 0 {
		t.Fatalf("%d messages stored without their notification", n)
	}
}

func TestContact_OversizedPostsAreRefusedCleanly(t *testing.T) {
	s := newSite(t, siteOptions{})
	form := s.contactForm(t)
	form.Set("bericht", strings.Repeat("x", 70<<10))
	res := s.postForm(t, "/contact", form.Encode())
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "Te veel gegevens") {
		t.Fatalf("oversized post: %d", res.StatusCode)
	}
}

func TestContact_TheLongestValidMessageFitsTheBodyLimit(t *testing.T) {
	s := newSite(t, siteOptions{})
	form := s.contactForm(t)
	form.Set("bericht", strings.Repeat("é", contact.MaxMessage))
	if res := s.postForm(t, "/contact", form.Encode()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a message of %d characters: %d", contact.MaxMessage, res.StatusCode)
	}
	if msgs := s.contactMessages(t); len(msgs) != 1 || len([]rune(msgs[0].Message)) != contact.MaxMessage {
		t.Fatal("the longest message was not stored whole")
	}
}

// An IPv6 host holds a whole /64 and can pick any address in it: the rate
// limits count it as one client. IPv4 stays per address, and an
// IPv4-mapped address is the IPv4 address.
func TestRateLimits_CountAnIPv6ClientByItsSlash64AndIPv4ByAddress(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_TRUSTED_PROXIES": "127.0.0.1", "CONPRO_CONTACT_RATE": "3"}})
	forms := []struct {
		path string
		post func(client string) response
	}{
		{"/contact", func(client string) response {
			return s.postForm(t, "/contact", s.contactForm(t).Encode(), "X-Forwarded-For", client)
		}},
		{"/privacy/verzoek", func(client string) response {
			form := url.Values{"soort": {"inzage"}, "email": {"jan.peeters@example.be"}}
			return s.postForm(t, "/privacy/verzoek", form.Encode(), "X-Forwarded-For", client)
		}},
	}
	for _, f := range forms {
		expect := func(client string, want int) {
			t.Helper()
			if res := f.post(client); res.StatusCode != want {
				t.Errorf("%s from %s: %d, want %d", f.path, client, res.StatusCode, want)
			}
		}
		// Three addresses of one /64 spend one budget of three.
		expect("2001:db8:1:2::1", http.StatusSeeOther)
		expect("2001:db8:1:2::2", http.StatusSeeOther)
		expect("2001:db8:1:2:ffff:ffff:ffff:fffe", http.StatusSeeOther)
		expect("2001:db8:1:2:abcd::99", http.StatusTooManyRequests)
		// The next /64 has a budget of its own.
		expect("2001:db8:1:3::1", http.StatusSeeOther)
		// IPv4 counts per address; its mapped form is the same client.
		for range 3 {
			expect("203.0.113.1", http.StatusSeeOther)
		}
		expect("::ffff:203.0.113.1", http.StatusTooManyRequests)
		expect("203.0.113.2", http.StatusSeeOther)
	}
	if n := len(s.contactMessages(t)); n != 8 {
		t.Errorf("%d contact messages stored, want 8", n)
	}
}

// A name such as "Jan \u202Esreteep" is stored as typed but shown reversed
// ("Jan peeters") in the inbox, the CSV and the mail's subject: direction
// controls in the name, the address or the message are refused, in Dutch,
// next to the field, and nothing is stored or mailed.
func TestContact_DirectionControlsAreRefusedNextToTheField(t *testing.T) {
	s := newSite(t, siteOptions{})
	for field, value := range map[string]string{
		"naam":    "Jan \u202Esreteep",
		"email":   "jan\u200F@example.be",
		"bericht": "Bel mij op \u202E83 72 35 4840, graag.",
	} {
		form := s.contactForm(t)
		form.Set(field, value)
		res := s.postForm(t, "/contact", form.Encode())
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422", field, res.StatusCode)
		}
		d := doc(t, res.Body)
		msg := byID(d, field+"-fout")
		if msg == nil || !strings.Contains(text(msg), "onzichtbaar teken dat de leesrichting van de tekst omkeert") {
			t.Errorf("%s: no Dutch message next to the field", field)
		}
		if v, _ := attr(byID(d, field), "aria-invalid"); v != "true" {
			t.Errorf("%s: the field is not marked invalid", field)
		}
	}
	if n, m := len(s.contactMessages(t)), len(s.outbox(t)); n != 0 || m != 0 {
		t.Fatalf("%d messages and %d mails stored", n, m)
	}
}
