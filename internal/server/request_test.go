package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"conpro/internal/mail"
	"conpro/internal/mail/smtptest"
)

var linkToken = regexp.MustCompile(`/privacy/verzoek/bevestig\?t=([A-Za-z0-9_-]+)`)

// request files a data-subject request and returns the token from the
// verification mail, read from the outbox as the mail sender would send it.
func (s *site) request(t *testing.T, form url.Values, header ...string) string {
	t.Helper()
	res := s.postForm(t, "/privacy/verzoek", form.Encode(), header...)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/privacy/verzoek/verstuurd" {
		t.Fatalf("POST /privacy/verzoek: %d to %q\n%.300s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	var body string
	err := s.db.Pool().QueryRow(context.Background(), `
		SELECT body_text FROM mail_outbox WHERE kind = 'privacy_verification' AND to_addr = $1 ORDER BY id DESC LIMIT 1`, form.Get("email")).Scan(&body)
	if err != nil {
		t.Fatalf("no verification mail queued: %v", err)
	}
	m := linkToken.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link in the mail:\n%s", body)
	}
	return m[1]
}

func (s *site) confirm(t *testing.T, token string) response {
	t.Helper()
	return s.postForm(t, "/privacy/verzoek/bevestig", url.Values{"t": {token}}.Encode())
}

func (s *site) sendContact(t *testing.T, name, email, message string) {
	t.Helper()
	form := s.contactForm(t)
	form.Set("naam", name)
	form.Set("email", email)
	form.Set("bericht", message)
	if res := s.postForm(t, "/contact", form.Encode()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("contact post: %d", res.StatusCode)
	}
}

// occurrences counts the rows of every table with a text column that holds
// s anywhere: after an erasure the address must be nowhere.
func (s *site) occurrences(t *testing.T, needle string) int {
	t.Helper()
	var n int
	err := s.db.Pool().QueryRow(context.Background(), `
		SELECT (SELECT count(*) FROM contact_message WHERE concat_ws(' ', name, email, message) ILIKE '%' || $1 || '%')
		     + (SELECT count(*) FROM mail_outbox WHERE concat_ws(' ', to_addr, reply_to, subject, body_text) ILIKE '%' || $1 || '%')
		     + (SELECT count(*) FROM privacy_request WHERE concat_ws(' ', email, message, outcome) ILIKE '%' || $1 || '%')
		     + (SELECT count(*) FROM consent_event WHERE concat_ws(' ', consent_id, path, user_agent) ILIKE '%' || $1 || '%')`, needle).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRequest_FormPrefillsTheConsentIDFromTheCookieAndSaysSo(t *testing.T) {
	s := newSite(t, siteOptions{})
	_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	ch, _ := s.codec.Decode(cookie.Value)
	body := s.get(t, "/privacy/verzoek", "Cookie", cookie.Name+"="+cookie.Value).Body
	if !strings.Contains(body, `value="`+ch.ID+`"`) || !strings.Contains(body, "Ingevuld uit de cookie van deze browser") {
		t.Fatal("consent ID not prefilled and explained")
	}
	for _, k := range []string{"inzage", "correctie", "verwijdering", "bezwaar"} {
		if !strings.Contains(body, `name="soort" id="soort-`+k+`" value="`+k+`"`) {
			t.Errorf("no choice %s", k)
		}
	}
	if strings.Contains(s.get(t, "/privacy/verzoek").Body, "Ingevuld uit de cookie") {
		t.Error("without a cookie the form claims a prefilled ID")
	}
}

func TestRequest_NothingHappensBeforeTheLinkIsOpenedAndTheTokenIsStoredHashed(t *testing.T) {
	s := newSite(t, siteOptions{})
	token := s.request(t, url.Values{"soort": {"verwijdering"}, "email": {"jan@example.be"}})
	var stored []byte
	var verified *time.Time
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT token_hash, verified_at FROM privacy_request`).Scan(&stored, &verified); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(token))
	if string(stored) != string(sum[:]) || verified != nil {
		t.Fatal("the token is not stored as its hash, or the request counts as verified")
	}
	if s.occurrences(t, token) != 1 { // only in the queued mail itself
		t.Fatal("the token is stored in clear outside the mail to send")
	}
	// Opening the link (what a mail scanner does) only shows a button.
	page := s.get(t, "/privacy/verzoek/bevestig?t="+token)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "Ja, ik bevestig mijn verzoek") || page.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("confirm page: %d", page.StatusCode)
	}
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT verified_at FROM privacy_request`).Scan(&verified); err != nil || verified != nil {
		t.Fatal("opening the link verified the request")
	}
}

func TestRequest_AnUnknownAddressLooksTheSameAsAKnownOne(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.sendContact(t, "Jan Peeters", "known@example.be", "Een bericht voor de test.")
	known := s.postForm(t, "/privacy/verzoek", url.Values{"soort": {"inzage"}, "email": {"known@example.be"}}.Encode())
	unknown := s.postForm(t, "/privacy/verzoek", url.Values{"soort": {"inzage"}, "email": {"nobody@example.be"}}.Encode())
	if known.StatusCode != unknown.StatusCode || known.Header.Get("Location") != unknown.Header.Get("Location") || known.Body != unknown.Body {
		t.Fatalf("known %d %q, unknown %d %q", known.StatusCode, known.Header.Get("Location"), unknown.StatusCode, unknown.Header.Get("Location"))
	}
	a, b := s.get(t, "/privacy/verzoek/verstuurd"), s.get(t, "/privacy/verzoek/verstuurd")
	if a.Body != b.Body {
		t.Fatal("the sent page differs between two requests")
	}
}

func TestRequest_AccessShowsAndDownloadsEverythingForTheAddressAndConsentID(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Graag een offerte voor een veranda.")
	s.sendContact(t, "Iemand Anders", "ander@example.be", "Dit bericht is van iemand anders.")
	_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	ch, _ := s.codec.Decode(cookie.Value)

	token := s.request(t, url.Values{"soort": {"inzage"}, "email": {"Jan@Example.be"}, "toestemmings_id": {ch.ID}}, "Cookie", cookie.Name+"="+cookie.Value)
	res := s.confirm(t, token)
	if res.StatusCode != 200 || !strings.Contains(res.Body, "veranda") || strings.Contains(res.Body, "iemand anders") || !strings.Contains(res.Body, "Alles weigeren") {
		t.Fatalf("access page: %d\n%.500s", res.StatusCode, res.Body)
	}
	ticket := regexp.MustCompile(`name="d" value="([^"]+)"`).FindStringSubmatch(res.Body)
	if ticket == nil {
		t.Fatal("no download on the access page")
	}
	dl := s.postForm(t, "/privacy/verzoek/download", url.Values{"d": {ticket[1]}}.Encode())
	if dl.StatusCode != 200 || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d", dl.StatusCode)
	}
	var x struct {
		Email           string `json:"email"`
		ContactMessages []struct {
			Message string `json:"message"`
		} `json:"contact_messages"`
		Requests   []struct{ Kind string } `json:"privacy_requests"`
		ConsentLog []struct {
			Action string `json:"action"`
		} `json:"consent_log"`
	}
	if err := json.Unmarshal([]byte(dl.Body), &x); err != nil {
		t.Fatal(err)
	}
	if len(x.ContactMessages) != 1 || !strings.Contains(x.ContactMessages[0].Message, "veranda") || len(x.Requests) != 1 || len(x.ConsentLog) != 1 || x.ConsentLog[0].Action != "reject_all" {
		t.Fatalf("export %+v", x)
	}
	// The link works once.
	if again := s.confirm(t, token); again.StatusCode != http.StatusGone || !strings.Contains(again.Body, "Deze link werkt niet") {
		t.Fatalf("reused link: %d", again.StatusCode)
	}
	var status string
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT status FROM privacy_request`).Scan(&status); err != nil || status != "done" {
		t.Fatalf("status %q %v", status, err)
	}
}

func TestRequest_ExpiredAlteredAndMissingLinksShowADutchMessage(t *testing.T) {
	clock := time.Now()
	s := newSite(t, siteOptions{now: func() time.Time { return clock }})
	token := s.request(t, url.Values{"soort": {"inzage"}, "email": {"jan@example.be"}})
	for name, tok := range map[string]string{"altered": token[:len(token)-1] + "x", "empty": "", "garbage": "<script>"} {
		if res := s.confirm(t, tok); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "verlopen, al gebruikt of onvolledig") {
			t.Errorf("%s token: %d", name, res.StatusCode)
		}
	}
	clock = clock.Add(25 * time.Hour)
	if res := s.confirm(t, token); res.StatusCode != http.StatusGone {
		t.Fatalf("expired token: %d", res.StatusCode)
	}
	if res := s.get(t, "/privacy/verzoek/bevestig"); res.StatusCode != http.StatusGone {
		t.Fatalf("link without token: %d", res.StatusCode)
	}
	// A download ticket runs out too.
	token = s.request(t, url.Values{"soort": {"inzage"}, "email": {"jan@example.be"}})
	page := s.confirm(t, token)
	ticket := regexp.MustCompile(`name="d" value="([^"]+)"`).FindStringSubmatch(page.Body)
	clock = clock.Add(2 * time.Hour)
	if res := s.postForm(t, "/privacy/verzoek/download", url.Values{"d": {ticket[1]}}.Encode()); res.StatusCode != http.StatusGone {
		t.Fatalf("old download ticket: %d", res.StatusCode)
	}
}

func TestRequest_ErasureRemovesTheAddressFromTheWholeDatabase(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Eerste bericht van Jan.")
	s.sendContact(t, "Jan Peeters", "JAN@example.be", "Tweede bericht van Jan.")
	s.sendContact(t, "Iemand Anders", "ander@example.be", "Dit bericht blijft staan.")
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	ch, _ := s.codec.Decode(cookie.Value)
	s.request(t, url.Values{"soort": {"inzage"}, "email": {"jan@example.be"}}) // an earlier request, never confirmed

	token := s.request(t, url.Values{"soort": {"verwijdering"}, "email": {"jan@example.be"}, "toestemmings_id": {ch.ID}, "wis_toestemmingen": {"1"}}, "Cookie", cookie.Name+"="+cookie.Value)
	res := s.confirm(t, token)
	if res.StatusCode != 200 || !strings.Contains(res.Body, "Gewist: 2 contactbericht(en), 1 eerder(e) verzoek(en) en 1 cookiekeuze(s)") {
		t.Fatalf("erasure page: %d\n%.400s", res.StatusCode, res.Body)
	}
	if n := s.occurrences(t, "jan@example.be"); n != 0 {
		t.Fatalf("the address is still in %d rows", n)
	}
	if n := s.occurrences(t, "Eerste bericht"); n != 0 {
		t.Fatal("an erased message is still stored")
	}
	if n := s.occurrences(t, ch.ID); n != 0 {
		t.Fatal("the consent log of the ID is still stored")
	}
	if n := s.occurrences(t, "ander@example.be"); n != 2 { // the message and its notification
		t.Fatalf("someone else's data was touched: %d rows", n)
	}
	var email *string
	var hash []byte
	var outcome string
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT email, email_hash, outcome FROM privacy_request`).Scan(&email, &hash, &outcome); err != nil {
		t.Fatal(err)
	}
	if email != nil || len(hash) != 32 || !strings.HasPrefix(outcome, "gewist: 2 contactberichten") {
		t.Fatalf("request record: email %v, hash %d bytes, outcome %q", email, len(hash), outcome)
	}
	if strings.Contains(strings.ToLower(s.logs.String()), "jan@example.be") || strings.Contains(s.logs.String(), token) {
		t.Error("the log holds the address or the link token")
	}
}

func TestRequest_CorrectionAndObjectionGoToTheStaffQueue(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, kind := range []string{"correctie", "bezwaar"} {
		token := s.request(t, url.Values{"soort": {kind}, "email": {kind + "@example.be"}, "toelichting": {"Mijn naam is fout gespeld."}})
		if res := s.confirm(t, token); res.StatusCode != 200 || !strings.Contains(res.Body, "Een medewerker behandelt uw verzoek") {
			t.Fatalf("%s: %d", kind, res.StatusCode)
		}
		var status string
		var email string
		if err := s.db.Pool().QueryRow(context.Background(), `SELECT status, email FROM privacy_request WHERE kind = $1`, kind).Scan(&status, &email); err != nil || status != "queued" || email != kind+"@example.be" {
			t.Fatalf("%s: status %q, email %q, %v", kind, status, email, err)
		}
	}
}

func TestRequest_BadFormsKeepWhatWasTyped(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/privacy/verzoek", url.Values{"soort": {"alles"}, "email": {"jan.example.be"}, "toestemmings_id": {"kort"}, "toelichting": {"Mijn toelichting"}}.Encode())
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{"Kies wat u wilt.", "Vul een geldig e-mailadres in", "Dit is geen toestemmings-ID", `value="jan.example.be"`, `value="kort"`, ">Mijn toelichting</textarea>"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("lacks %q", want)
		}
	}
	if n := s.occurrences(t, "jan.example.be"); n != 0 {
		t.Fatal("an invalid request was stored")
	}
}

// TestRequest_TheVerificationMailArrivesAndIsEmptiedOnceSent sends the
// mail through a real SMTP server, confirms with the link from the mail,
// and finds no trace of the link or address left in the outbox.
func TestRequest_TheVerificationMailArrivesAndIsEmptiedOnceSent(t *testing.T) {
	s := newSite(t, siteOptions{})
	relay := smtptest.New(t, smtptest.Options{})
	res := s.postForm(t, "/privacy/verzoek", url.Values{"soort": {"inzage"}, "email": {"jan@example.be"}}.Encode(), "Accept-Language", "fr")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	smtp := mail.Options{Host: relay.Host(), Port: relay.Port(), Plain: true, From: "website@conpro-bouw.be"}
	w := mail.NewWorker(s.db, mail.NewSMTPSender(smtp, slog.New(slog.NewTextHandler(io.Discard, nil))), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if sent, _, err := w.RunOnce(context.Background()); err != nil || sent != 1 {
		t.Fatalf("sent %d, %v", sent, err)
	}
	got := relay.WaitFor(t, 1, 10*time.Second)
	d, err := got[0].Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got[0].To[0] != "jan@example.be" || !strings.Contains(d.Subject, "Confirmez votre demande") {
		t.Fatalf("mail to %v: %q", got[0].To, d.Subject)
	}
	m := linkToken.FindStringSubmatch(d.Body)
	if m == nil {
		t.Fatalf("no link in:\n%s", d.Body)
	}
	if s.occurrences(t, m[1]) != 0 || s.occurrences(t, "jan@example.be") != 1 { // only the request itself
		t.Fatal("the sent verification mail still holds the link or the address")
	}
	if res := s.confirm(t, m[1]); res.StatusCode != 200 || !strings.Contains(res.Body, "jan@example.be") {
		t.Fatalf("confirm with the mailed link: %d", res.StatusCode)
	}
}

// A consent ID is a pseudonym anyone may have seen: only the ID in the
// requesting browser's own cookie is taken. Someone else's ID, typed by
// hand or posted with another cookie, gets a Dutch error with the form
// kept, and no request is stored or mailed.
func TestRequest_AConsentIDIsTakenOnlyFromTheRequestersOwnCookie(t *testing.T) {
	s := newSite(t, siteOptions{})
	_, victim := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	theirs, _ := s.codec.Decode(victim.Value)
	_, own := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})

	for name, header := range map[string][]string{
		"no cookie":           nil,
		"another ID's cookie": {"Cookie", own.Name + "=" + own.Value},
	} {
		form := url.Values{"soort": {"verwijdering"}, "email": {"dief@example.be"}, "toestemmings_id": {theirs.ID}, "wis_toestemmingen": {"1"}, "toelichting": {"Wis alles."}}
		res := s.postForm(t, "/privacy/verzoek", form.Encode(), header...)
		body := html.UnescapeString(res.Body)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Dit toestemmings-ID hoort niet bij deze browser") {
			t.Fatalf("%s: %d, want 422 with the Dutch message\n%.400s", name, res.StatusCode, res.Body)
		}
		if !strings.Contains(body, "dief@example.be") || !strings.Contains(body, "Wis alles.") {
			t.Errorf("%s: the form lost what was typed", name)
		}
	}
	var n int
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM privacy_request`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d requests stored for someone else's consent ID", n)
	}
	// Without a cookie the form has no consent ID field, only the way to
	// get one in.
	page := html.UnescapeString(s.get(t, "/privacy/verzoek").Body)
	if strings.Contains(page, `name="toestemmings_id"`) || !strings.Contains(page, "open dit formulier dan in die browser") {
		t.Fatalf("the form without a cookie offers a consent ID field or lacks the hint")
	}
}

// An address with a direction control reads otherwise than it is: refused
// next to the field, and no link is mailed to it.
func TestRequest_DirectionControlsInTheAddressAreRefusedNextToTheField(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/privacy/verzoek", url.Values{"soort": {"inzage"}, "email": {"\u202Eeb.elpmaxe@naj"}}.Encode())
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	if msg := byID(doc(t, res.Body), "email-fout"); msg == nil || !strings.Contains(text(msg), "leesrichting") {
		t.Error("no Dutch message next to the address")
	}
	if c := s.counts(t); c[2] != 0 {
		t.Fatalf("%d requests stored", c[2])
	}
}
