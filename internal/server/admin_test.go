package server_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"conpro/internal/mail"
	"conpro/internal/mail/smtptest"
	"conpro/internal/staff"
)

// staffClient is a browser-like client with a cookie jar, logged in as a
// staff member.
type staffClient struct {
	s      *site
	client *http.Client
}

func (s *site) addStaff(t *testing.T, email, password string) {
	t.Helper()
	hash, err := staff.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.AddStaffUser(context.Background(), email, hash); err != nil {
		t.Fatal(err)
	}
}

func (s *site) newClient(t *testing.T) *staffClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &staffClient{s: s, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *staffClient) do(t *testing.T, method, path string, form url.Values) response {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, c.s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Response: res, Body: string(b)}
}

func (c *staffClient) login(t *testing.T, email, password string) response {
	t.Helper()
	return c.do(t, http.MethodPost, "/admin/login", url.Values{"email": {email}, "wachtwoord": {password}})
}

func (s *site) auditActions(t *testing.T) []string {
	t.Helper()
	rows, err := s.db.Pool().Query(context.Background(), `SELECT action || coalesce(':' || nullif(target, ''), '') FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		out = append(out, a)
	}
	return out
}

var adminRoutes = []struct{ method, path string }{
	{"GET", "/admin"}, {"GET", "/admin/"}, {"GET", "/admin/berichten"}, {"GET", "/admin/berichten.csv"}, {"GET", "/admin/berichten/1"},
	{"POST", "/admin/berichten/1/afgehandeld"}, {"POST", "/admin/berichten/1/geen-spam"}, {"POST", "/admin/berichten/1/verwijderen"}, {"GET", "/admin/verzoeken"},
	{"POST", "/admin/verzoeken/1/behandeld"}, {"GET", "/admin/toestemmingen"}, {"GET", "/admin/statistieken"}, {"GET", "/admin/mail"}, {"POST", "/admin/mail/1/opnieuw"},
	{"GET", "/admin/audit"}, {"POST", "/admin/uitloggen"},
}

func TestAdmin_EveryRouteRedirectsToLoginWithoutASession(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.newClient(t)
	for _, r := range adminRoutes {
		res := c.do(t, r.method, r.path, url.Values{})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
			t.Errorf("%s %s: %d to %q", r.method, r.path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	login := c.do(t, "GET", "/admin/login", nil)
	if login.StatusCode != 200 || !strings.Contains(login.Body, "Inloggen voor medewerkers") || login.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login page: %d %q", login.StatusCode, login.Header.Get("Cache-Control"))
	}
	if strings.Contains(login.Body, "cookie-banner") {
		t.Error("the consent banner shows in the staff area")
	}
}

func TestAdmin_LoginStartsAFreshStrictSessionAndLogoutEndsIt(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_ENV": "production"}})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	c.do(t, "GET", "/admin/login", nil)
	res := c.login(t, "Els@conpro-bvba.be", "een-lang-wachtwoord")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/berichten" {
		t.Fatalf("login: %d %q\n%.300s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "conpro_staff" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/admin" {
		t.Fatalf("session cookie %+v", cookie)
	}
	// The jar does not send Secure cookies over http; send it by hand.
	inbox := s.get(t, "/admin/berichten", "Cookie", "conpro_staff="+cookie.Value)
	if inbox.StatusCode != 200 || !strings.Contains(inbox.Body, "els@conpro-bvba.be") {
		t.Fatalf("inbox with the session: %d", inbox.StatusCode)
	}
	req, _ := http.NewRequest("POST", s.URL+"/admin/uitloggen", nil)
	req.Header.Set("Cookie", "conpro_staff="+cookie.Value)
	if out := s.do(t, req); out.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", out.StatusCode)
	}
	if again := s.get(t, "/admin/berichten", "Cookie", "conpro_staff="+cookie.Value); again.StatusCode != http.StatusSeeOther {
		t.Fatalf("the session works after logout: %d", again.StatusCode)
	}
	var tokens int
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE token = $1`, cookie.Value).Scan(&tokens)
	if tokens != 0 {
		t.Error("the session token is stored in clear")
	}
}

func TestAdmin_WrongPasswordsAreThrottled(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	for i := 1; i <= staff.MaxFailures; i++ {
		if res := c.login(t, "els@conpro-bvba.be", "fout"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "klopt niet") {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	// Locked now, even with the right password; the answer is the one of a
	// wrong password.
	res := c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "geblokkeerd") {
		t.Fatalf("right password while locked: %d", res.StatusCode)
	}
	// An unknown account answers like a wrong password.
	if res := c.login(t, "niemand@conpro-bvba.be", "fout"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown account: %d", res.StatusCode)
	}
	// Past the lock, the right password works and resets the count.
	if _, err := staff.Login(context.Background(), s.db, "els@conpro-bvba.be", "een-lang-wachtwoord", time.Now().Add(staff.LockFor+time.Minute)); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// Per address: 20 attempts an hour from one address, whatever the
	// account (7 were made above).
	other := s.newClient(t)
	attempts := 7
	for {
		res := other.login(t, "niemand@conpro-bvba.be", "fout")
		if res.StatusCode == http.StatusTooManyRequests {
			break
		}
		attempts++
		if attempts > 30 {
			t.Fatal("no limit per address")
		}
	}
	if attempts != 20 {
		t.Fatalf("limited after %d attempts, want 20", attempts)
	}
	// The lock is in the audit log, once; single wrong or refused attempts
	// (anyone may send them) and the unknown address are not.
	if got := strings.Join(s.auditActions(t), ","); got != "account_locked" {
		t.Fatalf("audit %q, want the lock once", got)
	}
}

func TestAdmin_AnUnknownAddressAnswersLikeALockedAccount(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	known, unknown := s.newClient(t), s.newClient(t)
	// The same attempts at both addresses: wrong passwords up to the lock
	// and past it, then the right password of the existing account (refused
	// while locked). Only the address typed may differ in the answers.
	attempts := []string{"fout-1", "fout-2", "fout-3", "fout-4", "fout-5", "fout-6", "een-lang-wachtwoord"}
	notice := regexp.MustCompile(`role="alert">([^<]*)<`)
	for i, password := range attempts {
		a := known.login(t, "els@conpro-bvba.be", password)
		b := unknown.login(t, "niemand@conpro-bvba.be", password)
		if a.StatusCode != b.StatusCode {
			t.Fatalf("attempt %d: status %d for the account, %d for the unknown address", i+1, a.StatusCode, b.StatusCode)
		}
		if a.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i+1, a.StatusCode)
		}
		na, nb := notice.FindStringSubmatch(a.Body), notice.FindStringSubmatch(b.Body)
		if na == nil || nb == nil || na[1] != nb[1] {
			t.Fatalf("attempt %d: message %q for the account, %q for the unknown address", i+1, na, nb)
		}
		pageA := strings.ReplaceAll(a.Body, "els@conpro-bvba.be", "ADRES")
		pageB := strings.ReplaceAll(b.Body, "niemand@conpro-bvba.be", "ADRES")
		if pageA != pageB {
			t.Fatalf("attempt %d: the pages differ beyond the address typed", i+1)
		}
	}
}

func TestAdmin_InboxReadHandleDeleteAndEveryActionIsAudited(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Eerste bericht, over een dak.")
	s.sendContact(t, "Marie Dubois", "marie@example.be", "Tweede bericht, over een keuken.")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")

	inbox := c.do(t, "GET", "/admin/berichten", nil)
	if inbox.StatusCode != 200 || strings.Index(inbox.Body, "Marie Dubois") > strings.Index(inbox.Body, "Jan Peeters") {
		t.Fatalf("inbox: %d, newest first?", inbox.StatusCode)
	}
	search := c.do(t, "GET", "/admin/berichten?zoek=marie", nil)
	if !strings.Contains(search.Body, "Marie Dubois") || strings.Contains(search.Body, "Jan Peeters") {
		t.Fatal("search by e-mail does not filter")
	}
	id := regexp.MustCompile(`/admin/berichten/(\d+)">[^<]*</a>`).FindAllStringSubmatch(search.Body, -1)[0][1]
	detail := c.do(t, "GET", "/admin/berichten/"+id, nil)
	if !strings.Contains(detail.Body, "over een keuken") || !strings.Contains(detail.Body, "mailto:marie@example.be") {
		t.Fatal("detail view lacks the message")
	}
	if res := c.do(t, "POST", "/admin/berichten/"+id+"/afgehandeld", url.Values{"afgehandeld": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark handled: %d", res.StatusCode)
	}
	if open := c.do(t, "GET", "/admin/berichten?toon=open", nil); strings.Contains(open.Body, "Marie Dubois") || !strings.Contains(open.Body, "Jan Peeters") {
		t.Fatal("the open filter shows a handled message")
	}
	confirm := c.do(t, "GET", "/admin/berichten/"+id+"?verwijderen=1", nil)
	if !strings.Contains(confirm.Body, "definitief verwijderen?") {
		t.Fatal("no confirmation before deleting")
	}
	if res := c.do(t, "POST", "/admin/berichten/"+id+"/verwijderen", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if n := s.occurrences(t, "marie@example.be"); n != 0 {
		t.Fatalf("the deleted message is still in %d rows", n)
	}
	if res := c.do(t, "GET", "/admin/berichten/"+id, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("deleted message: %d", res.StatusCode)
	}
	list := "list_messages:contact_message"
	want := []string{"login", list, list, "read_message:contact_message:" + id, "mark_handled:contact_message:" + id, list, "read_message:contact_message:" + id, "delete_message:contact_message:" + id}
	if got := s.auditActions(t); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("audit %v, want %v", got, want)
	}
	// Who searched is recorded, not what for: the term is personal data.
	var details string
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT string_agg(detail, ' | ' ORDER BY id) FROM audit_log WHERE action = 'list_messages'`).Scan(&details)
	if details != "2 shown | 1 shown, search | 1 shown, filter open" {
		t.Fatalf("list audit details %q", details)
	}
	if _, err := s.db.Pool().Exec(context.Background(), `DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("deleting from the audit log: %v", err)
	}
	audit := c.do(t, "GET", "/admin/audit", nil)
	if !strings.Contains(audit.Body, "delete_message") || !strings.Contains(audit.Body, "els@conpro-bvba.be") {
		t.Fatal("the audit page does not show the actions")
	}
}

// A message that may be spam is marked, with its reason, in the list and
// on its page; a filter shows only those; "Geen spam" takes the mark away
// and is audited.
func TestAdmin_MaybeSpamIsMarkedWithItsReasonFilteredAndCanBeCleared(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Een bericht over een dak.")
	bot := s.contactForm(t)
	bot.Del("t")
	bot.Set("naam", "Snelle Sam")
	if res := s.postForm(t, "/contact", bot.Encode()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post without a token: %d", res.StatusCode)
	}
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	reason := "niet via het formulier op de website verstuurd"

	rows := func(body string) map[string]string {
		out := map[string]string{}
		for _, tr := range all(doc(t, body), "tr") {
			if cells := all(tr, "td"); len(cells) > 0 {
				out[strings.Fields(text(cells[0]))[0]] = text(tr)
			}
		}
		return out
	}
	list := rows(c.do(t, "GET", "/admin/berichten", nil).Body)
	if len(list) != 2 || !strings.Contains(list["Snelle"], "Mogelijk spam") || !strings.Contains(list["Snelle"], reason) || strings.Contains(list["Jan"], "Mogelijk spam") {
		t.Fatalf("inbox rows %q: want Sam marked with the reason, Jan not", list)
	}
	spam := c.do(t, "GET", "/admin/berichten?toon=spam", nil)
	if got := rows(spam.Body); len(got) != 1 || got["Snelle"] == "" {
		t.Fatalf("the spam filter shows %q", got)
	}
	if !strings.Contains(spam.Body, `<option value="spam" selected>`) {
		t.Error("the spam filter is not selected in the form")
	}
	var id int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM contact_message WHERE name = 'Snelle Sam'`).Scan(&id)
	page := c.do(t, "GET", fmt.Sprintf("/admin/berichten/%d", id), nil)
	if !strings.Contains(page.Body, "Mogelijk spam") || !strings.Contains(page.Body, reason) || !strings.Contains(page.Body, fmt.Sprintf(`action="/admin/berichten/%d/geen-spam"`, id)) {
		t.Fatal("the message page does not mark the message, say why, or offer \"Geen spam\"")
	}

	res := c.do(t, "POST", fmt.Sprintf("/admin/berichten/%d/geen-spam", id), url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != fmt.Sprintf("/admin/berichten/%d", id) {
		t.Fatalf("geen spam: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	page = c.do(t, "GET", fmt.Sprintf("/admin/berichten/%d", id), nil)
	if strings.Contains(page.Body, "geen-spam") || !strings.Contains(page.Body, "markeerde het als geen spam") {
		t.Fatal("after \"Geen spam\" the page still offers it, or does not say it was judged")
	}
	if got := rows(c.do(t, "GET", "/admin/berichten?toon=spam", nil).Body); len(got) != 0 {
		t.Fatalf("the spam filter still shows %q", got)
	}
	if list := rows(c.do(t, "GET", "/admin/berichten", nil).Body); strings.Contains(list["Snelle"], "Mogelijk spam") {
		t.Fatal("the list still marks the message")
	}
	if got := strings.Join(s.auditActions(t), ","); !strings.Contains(got, fmt.Sprintf("mark_not_spam:contact_message:%d", id)) {
		t.Fatalf("audit %s lacks the judgement", got)
	}
	if res := c.do(t, "POST", "/admin/berichten/99999/geen-spam", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown message: %d", res.StatusCode)
	}
}

func TestAdmin_CSVExportRoundTripsAccentsAndCommas(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Zoë Van den Bergh, ir.", "zoe@example.be", "Offerte; \"dringend\", graag.\nTweede regel: één, twee.")
	s.sendContact(t, "=HYPERLINK(\"x\")", "formule@example.be", "Een poging tot formule in een cel.")
	// Spreadsheets pass over invisible characters and read full-width and
	// small forms as = + - @.
	formulas := map[string]string{
		"breed@example.be":         "＝HYPERLINK(\"http://evil.example\")",
		"nulbreedte@example.be":    "\u200B=1+1",
		"bom@example.be":           "\uFEFF+32 3 218 47 20",
		"richting@example.be":      "Een bericht.\n－2+3",
		"klein@example.be":         "﹫SUM(1)",
		"ondersteboven@example.be": "\u2060@SUM(1;2)",
	}
	for email, value := range formulas {
		name, message := value, "Een bericht over een formule."
		if strings.HasPrefix(email, "richting") {
			name, message = "Richting", "－2+3 in een bericht."
		}
		s.sendContact(t, name, email, message)
	}
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	res := c.do(t, "GET", "/admin/berichten.csv", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(res.Body, "\ufeff") {
		t.Fatalf("csv: %d %q, BOM %v", res.StatusCode, res.Header.Get("Content-Type"), strings.HasPrefix(res.Body, "\ufeff"))
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff")))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 3+len(formulas) || records[0][2] != "naam" {
		t.Fatalf("records %v", records)
	}
	var zoe []string
	for _, rec := range records[1:] {
		if rec[3] == "zoe@example.be" {
			zoe = rec
		}
		if rec[3] == "formule@example.be" && !strings.HasPrefix(rec[2], "'=") {
			t.Errorf("a formula is exported as a formula: %q", rec[2])
		}
		if _, ok := formulas[rec[3]]; ok && !strings.HasPrefix(rec[2], "'") && !strings.HasPrefix(rec[5], "'") {
			t.Errorf("a formula behind an invisible or full-width character is exported as a formula: %q, %q", rec[2], rec[5])
		}
		if rec[3] == "zoe@example.be" && (strings.HasPrefix(rec[2], "'") || strings.HasPrefix(rec[5], "'")) {
			t.Errorf("a cell that is no formula got a quote: %q", rec)
		}
	}
	if zoe == nil || zoe[2] != "Zoë Van den Bergh, ir." || zoe[5] != "Offerte; \"dringend\", graag.\nTweede regel: één, twee." {
		t.Fatalf("Zoë's row %q", zoe)
	}
	if got := s.auditActions(t); got[len(got)-1] != "export_csv:contact_message" {
		t.Fatalf("audit %v", got)
	}
}

func TestAdmin_RequestQueueConsentLookupAndOutboxRetry(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	ch, _ := s.codec.Decode(cookie.Value)
	token := s.request(t, url.Values{"soort": {"correctie"}, "email": {"jan@example.be"}, "toelichting": {"Mijn naam is Jan, niet Jean."}, "toestemmings_id": {ch.ID}}, "Cookie", cookie.Name+"="+cookie.Value)
	s.confirm(t, token)
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")

	queue := c.do(t, "GET", "/admin/verzoeken", nil)
	if !strings.Contains(queue.Body, "Mijn naam is Jan, niet Jean.") || !strings.Contains(queue.Body, "te behandelen") {
		t.Fatal("the queued correction is not shown")
	}
	var reqID int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM privacy_request`).Scan(&reqID)
	if res := c.do(t, "POST", fmt.Sprintf("/admin/verzoeken/%d/behandeld", reqID), url.Values{"notitie": {"naam aangepast"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("handle request: %d", res.StatusCode)
	}
	var status, outcome string
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT status, outcome FROM privacy_request`).Scan(&status, &outcome)
	if status != "handled" || outcome != "behandeld: naam aangepast" {
		t.Fatalf("request %q %q", status, outcome)
	}
	// Once handled, the address is no longer needed and no longer kept.
	var email *string
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT email FROM privacy_request WHERE id = $1`, reqID).Scan(&email)
	if email != nil {
		t.Fatalf("the handled request still keeps the address %q", *email)
	}

	// A hand-made note longer than the field allows is stored clipped at a
	// character boundary; one with a broken byte is refused, and kept.
	s.confirm(t, s.request(t, url.Values{"soort": {"bezwaar"}, "email": {"an@example.be"}, "toelichting": {"Geen nieuwsbrief."}}))
	var reqID2 int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT max(id) FROM privacy_request`).Scan(&reqID2)
	if res := c.do(t, "POST", fmt.Sprintf("/admin/verzoeken/%d/behandeld", reqID2), url.Values{"notitie": {"\xff" + "afgehandeld"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, `value="`+"\uFFFD"+`afgehandeld"`) {
		t.Fatalf("handle request with a broken byte in the note: %d", res.StatusCode)
	}
	long := strings.Repeat("é", 600)
	if res := c.do(t, "POST", fmt.Sprintf("/admin/verzoeken/%d/behandeld", reqID2), url.Values{"notitie": {long}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("handle request with a long note: %d", res.StatusCode)
	}
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT outcome FROM privacy_request WHERE id = $1`, reqID2).Scan(&outcome)
	if want := "behandeld: " + strings.Repeat("é", 500); outcome != want {
		t.Fatalf("long note stored as %q", outcome)
	}

	lookup := c.do(t, "GET", "/admin/toestemmingen?id="+ch.ID, nil)
	if !strings.Contains(lookup.Body, "Alles weigeren") {
		t.Fatal("the consent lookup does not show the choice")
	}
	if bad := c.do(t, "GET", "/admin/toestemmingen?id=x%27or%201=1", nil); bad.StatusCode != 200 || !strings.Contains(bad.Body, "geen toestemmings-ID") {
		t.Fatal("a malformed ID is not refused")
	}

	var mailID int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM mail_outbox LIMIT 1`).Scan(&mailID)
	_, _ = s.db.Pool().Exec(context.Background(), `UPDATE mail_outbox SET attempts = 2, next_attempt_at = now() + interval '1 hour', last_error = 'smtp 451: try later'`)
	outbox := c.do(t, "GET", "/admin/mail", nil)
	if !strings.Contains(outbox.Body, "2 mislukte pogingen") || !strings.Contains(outbox.Body, "smtp 451") {
		t.Fatalf("outbox page lacks the failure")
	}
	if res := c.do(t, "POST", fmt.Sprintf("/admin/mail/%d/opnieuw", mailID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry: %d", res.StatusCode)
	}
	var due bool
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT next_attempt_at <= now() FROM mail_outbox WHERE id = $1`, mailID).Scan(&due)
	if !due {
		t.Fatal("retry did not make the mail due")
	}
	got := strings.Join(s.auditActions(t), ",")
	for _, want := range []string{fmt.Sprintf("handle_request:privacy_request:%d", reqID), "lookup_consent:consent_id:" + ch.ID, fmt.Sprintf("retry_mail:mail_outbox:%d", mailID)} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %s: %s", want, got)
		}
	}
}

// A change that cannot be written to the audit log is not made: the action
// and its entry are one transaction.
func TestAdmin_AnActionThatCannotBeAuditedIsNotDone(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Een bericht over een dak.")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	var id int64
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT id FROM contact_message`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// The audit log refuses entries for deletions and for marking (say, a
	// full disk or a permission change on that one table).
	_, err := s.db.Pool().Exec(context.Background(), `
		CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit_log unavailable'; END; $$;
		CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW
			WHEN (NEW.action IN ('delete_message', 'mark_handled')) EXECUTE FUNCTION refuse_audit();`)
	if err != nil {
		t.Fatal(err)
	}
	if res := c.do(t, "POST", fmt.Sprintf("/admin/berichten/%d/verwijderen", id), url.Values{}); res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("delete without audit: %d, want 500", res.StatusCode)
	}
	if n := s.occurrences(t, "jan@example.be"); n == 0 {
		t.Fatal("the message was deleted although the deletion could not be audited")
	}
	if res := c.do(t, "POST", fmt.Sprintf("/admin/berichten/%d/afgehandeld", id), url.Values{"afgehandeld": {"1"}}); res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("mark handled without audit: %d, want 500", res.StatusCode)
	}
	var handled bool
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT handled_at IS NOT NULL FROM contact_message WHERE id = $1`, id).Scan(&handled)
	if handled {
		t.Fatal("the message was marked handled although that could not be audited")
	}
	// Reading the audit log is recorded too, and shows on the page.
	if page := c.do(t, "GET", "/admin/audit", nil); !strings.Contains(page.Body, "view_audit") {
		t.Fatal("viewing the audit log is not audited")
	}
}

func TestAdmin_StatisticsShowTheDaysChoicesAsChartAndTable(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	// Today: three visitors accept all, one refuses.
	for _, a := range []string{"accept_all", "accept_all", "accept_all", "reject_all"} {
		s.choose(t, url.Values{"action": {a}, "return_to": {"/"}})
	}
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	res := c.do(t, "GET", "/admin/statistieken?dagen=7", nil)
	if res.StatusCode != 200 || !strings.Contains(res.Body, "<svg") || strings.Contains(res.Body, "<script") {
		t.Fatalf("stats page: %d", res.StatusCode)
	}
	today := regexp.MustCompile(`(?s)<tbody>\s*<tr>(.*?)</tr>`).FindStringSubmatch(res.Body)
	if today == nil || !strings.Contains(today[1], ">4</td>") || !strings.Contains(today[1], "75 % (3)") || !strings.Contains(today[1], "25 % (1)") {
		t.Fatalf("today's row: %v", today)
	}
	if rows := strings.Count(res.Body[strings.Index(res.Body, "<tbody>"):], "<tr>"); rows != 7 {
		t.Fatalf("%d days in the table, want 7", rows)
	}
	if bad := c.do(t, "GET", "/admin/statistieken?van=2026-12-01&tot=2026-01-01", nil); bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "periode klopt niet") {
		t.Fatalf("reversed period: %d", bad.StatusCode)
	}
}

// "x?bcc=spy%40evil.example&subject=Hi@example.be" is a valid address. The
// staff page rendered it into href="mailto:x?bcc=…", so clicking it wrote to
// an attacker as well; the link and the notification's Reply-To now write
// to that one address.
func TestAdmin_AnAddressShapedLikeAMailtoQueryIsLinkedAndAnsweredAsOneAddress(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	odd := "x?bcc=spy%40evil.example&subject=Hi@example.be"
	s.sendContact(t, "Jan Peeters", odd, "Een bericht over een dak.")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	var id int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM contact_message`).Scan(&id)

	page := doc(t, c.do(t, "GET", fmt.Sprintf("/admin/berichten/%d", id), nil).Body)
	var hrefs []string
	for _, a := range all(page, "a") {
		if href, _ := attr(a, "href"); strings.HasPrefix(href, "mailto:") {
			hrefs = append(hrefs, href)
		}
	}
	if len(hrefs) != 1 {
		t.Fatalf("mailto links %q, want one", hrefs)
	}
	u, err := url.Parse(hrefs[0])
	to, _ := url.PathUnescape(u.Opaque)
	if err != nil || u.RawQuery != "" || u.Fragment != "" || to != odd {
		t.Fatalf("the link %q writes to %q with query %q; want only %q", hrefs[0], to, u.RawQuery, odd)
	}

	relay := smtptest.New(t, smtptest.Options{})
	smtp := mail.Options{Host: relay.Host(), Port: relay.Port(), Plain: true, From: "website@conpro-bouw.be"}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if sent, _, err := mail.NewWorker(s.db, mail.NewSMTPSender(smtp, quiet), quiet).RunOnce(context.Background()); err != nil || sent != 1 {
		t.Fatalf("sent %d, %v", sent, err)
	}
	got := relay.WaitFor(t, 1, 10*time.Second)[0]
	d, err := got.Decode()
	if err != nil {
		t.Fatal(err)
	}
	replyTo, err := d.Header.AddressList("Reply-To")
	if len(got.To) != 1 || got.To[0] != "info@conpro-bvba.be" || err != nil || len(replyTo) != 1 || replyTo[0].Address != odd || d.Header.Get("Bcc") != "" {
		t.Fatalf("the notification goes to %q with Reply-To %q (%v)", got.To, d.Header.Get("Reply-To"), err)
	}
}
