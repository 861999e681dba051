package server_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"conpro/internal/brussels"
	"conpro/internal/mail"
	"conpro/internal/mail/smtptest"
	"conpro/internal/policy"
	"conpro/internal/privacyrequest"
	"conpro/internal/staff"
	"conpro/web"
)

// staffClient is a browser-like client with a cookie jar, logged in as a
// staff member.
type staffClient struct {
	s      *site
	client *http.Client
}

// addStaff gives the site an account, as if it had always been there:
// nothing in the audit log, which tests read from its start.
func (s *site) addStaff(t *testing.T, email, password string) {
	t.Helper()
	hash, err := staff.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Pool().Exec(context.Background(), `INSERT INTO staff_user (email, password_hash) VALUES ($1, $2)`, email, hash); err != nil {
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
	{"POST", "/admin/verzoeken/1/behandeld"}, {"GET", "/admin/toestemmingen"}, {"GET", "/admin/toestemmingen/0MtTMcHzzLXFns2uc5Jy-g.json"},
	{"GET", "/admin/toestemmingen/opbouw"}, {"GET", "/admin/statistieken"}, {"GET", "/admin/mail"}, {"POST", "/admin/mail/1/opnieuw"},
	{"GET", "/admin/audit"}, {"GET", "/admin/medewerkers"}, {"POST", "/admin/medewerkers"}, {"POST", "/admin/medewerkers/1/uitschakelen"},
	{"POST", "/admin/medewerkers/1/inschakelen"}, {"GET", "/admin/medewerkers/1/wachtwoord"}, {"POST", "/admin/medewerkers/1/wachtwoord"},
	{"GET", "/admin/naleving"}, {"POST", "/admin/naleving/controleren"}, {"POST", "/admin/uitloggen"},
	{"GET", "/admin/diensten"}, {"POST", "/admin/diensten/google-analytics"},
	{"GET", "/admin/beleid"}, {"GET", "/admin/beleid/nieuw"}, {"POST", "/admin/beleid/nieuw"}, {"GET", "/admin/beleid/1"}, {"POST", "/admin/beleid/1"},
	{"GET", "/admin/beleid/1/voorbeeld"}, {"GET", "/admin/beleid/1/vergelijken"}, {"GET", "/admin/beleid/1/publiceren"}, {"POST", "/admin/beleid/1/publiceren"},
	{"GET", "/admin/media"}, {"POST", "/admin/media"}, {"POST", "/admin/media/1/verwijderen"},
	{"GET", "/admin/paginas"}, {"GET", "/admin/paginas/nieuw"}, {"POST", "/admin/paginas/nieuw"}, {"GET", "/admin/paginas/1"}, {"POST", "/admin/paginas/1"},
	{"GET", "/admin/paginas/1/voorbeeld"}, {"GET", "/admin/paginas/1/publiceren"}, {"POST", "/admin/paginas/1/publiceren"},
	{"GET", "/admin/paginas/1/offline"}, {"POST", "/admin/paginas/1/offline"}, {"GET", "/admin/paginas/1/versies"},
	{"POST", "/admin/paginas/1/versies/1/terugzetten"}, {"POST", "/admin/paginas/1/hoger"}, {"POST", "/admin/paginas/1/lager"},
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
	if !strings.Contains(audit.Body, "Bericht #"+id+" verwijderd") || !strings.Contains(audit.Body, "els@conpro-bvba.be") {
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
				out[strings.Fields(text(tr))[0]] = text(tr)
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
	if !strings.Contains(spam.Body, `<a href="/admin/berichten?toon=spam" aria-current="page">`) {
		t.Error("the spam view is not the current tab")
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
	if !strings.Contains(lookup.Body, "Weigerde alle cookies die niet nodig zijn") {
		t.Fatal("the consent lookup does not show the choice")
	}
	if bad := c.do(t, "GET", "/admin/toestemmingen?id=x%27or%201=1", nil); bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "geen toestemmings-ID") {
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
	if page := c.do(t, "GET", "/admin/audit", nil); !strings.Contains(page.Body, "Bekeek het logboek") {
		t.Fatal("viewing the audit log is not audited")
	}
}

// statsWeek is a hand-counted week of choices, made through the banner on
// the site's clock; the week ends on 15 March 2026 (Brussels).
//
//	9 March:  one visitor accepts all, one refuses all, one chooses
//	          analytics only (3)
//	12 March: one accepts all and then refuses all (counts once, refused),
//	          another accepts all (2)
//	15 March: six accept all, two choose, two refuse all (10)
//
// The week: 15 visitors who chose; 8 accepted all (53 %), 3 chose (20 %),
// 4 refused all (27 %: the largest remainder takes the point lost to
// rounding down).
func statsWeek(t *testing.T) *site {
	t.Helper()
	clock := time.Date(2026, 3, 9, 10, 0, 0, 0, brussels.Location())
	s := newSite(t, siteOptions{now: func() time.Time { return clock }})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	choose := func(actions ...string) {
		for _, a := range actions {
			form := url.Values{"action": {a}, "return_to": {"/"}}
			if a == "save" {
				form.Set("category", "analytics")
			}
			s.choose(t, form)
		}
	}
	choose("accept_all", "reject_all", "save")
	clock = time.Date(2026, 3, 12, 9, 0, 0, 0, brussels.Location())
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	clock = clock.Add(time.Hour)
	s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}}, "Cookie", cookie.Name+"="+cookie.Value)
	choose("accept_all")
	clock = time.Date(2026, 3, 15, 23, 30, 0, 0, brussels.Location())
	choose("accept_all", "accept_all", "accept_all", "accept_all", "accept_all", "accept_all", "save", "save", "reject_all", "reject_all")
	return s
}

// plainText is HTML as a browser shows it inline: without its tags, its
// spaces collapsed.
func plainText(html string) string {
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, "")), " ")
}

// statsRows returns the rows of the statistics table's body, each as the
// texts of its cells.
func statsRows(t *testing.T, body string) [][]string {
	t.Helper()
	tbody := regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`).FindStringSubmatch(body)
	if tbody == nil {
		return nil
	}
	var rows [][]string
	for _, tr := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(tbody[1], -1) {
		var cells []string
		for _, c := range regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(tr[1], -1) {
			cells = append(cells, strings.TrimSpace(c[1]))
		}
		rows = append(rows, cells)
	}
	return rows
}

func TestAdmin_StatisticsSumUpAHandCountedWeekInAHeadlineAChartAndATable(t *testing.T) {
	s := statsWeek(t)
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	res := c.do(t, "GET", "/admin/statistieken?dagen=7", nil)
	if res.StatusCode != 200 || strings.Contains(res.Body, "<script") {
		t.Fatalf("stats page: %d", res.StatusCode)
	}
	headline := regexp.MustCompile(`(?s)<h2 id="stats-headline"[^>]*>(.*?)</h2>\s*<p[^>]*>(.*?)</p>`).FindStringSubmatch(res.Body)
	if headline == nil {
		t.Fatal("no headline")
	}
	if got, want := plainText(headline[1]), "7 dagen: 53 % alles aanvaard (8), 27 % alles geweigerd (4), 20 % zelf gekozen (3)"; got != want {
		t.Errorf("headline %q, want %q", got, want)
	}
	if want := "15 bezoekers die kozen, van 9 maart 2026 tot en met 15 maart 2026."; headline[2] != want {
		t.Errorf("under the headline %q, want %q", headline[2], want)
	}
	if !strings.Contains(res.Body, `<th scope="col">Bezoekers die kozen</th>`) {
		t.Error("the visitors column is not called \"Bezoekers die kozen\"")
	}
	// The table lists the days with choices only, oldest first as in the
	// chart, each choice as a share and a count.
	want := [][]string{
		{"9 maart 2026", "3", "34 % (1)", "33 % (1)", "33 % (1)", "67 % (2)", "33 % (1)", "33 % (1)"},
		{"12 maart 2026", "2", "50 % (1)", "0 % (0)", "50 % (1)", "50 % (1)", "50 % (1)", "50 % (1)"},
		{"15 maart 2026", "10", "60 % (6)", "20 % (2)", "20 % (2)", "80 % (8)", "60 % (6)", "60 % (6)"},
	}
	if got := statsRows(t, res.Body); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("table rows\n%v\nwant\n%v", got, want)
	}
	if !strings.Contains(res.Body, "(4 dagen zonder keuzes weggelaten)") {
		t.Error("the table does not say it left out the empty days")
	}
	total := regexp.MustCompile(`(?s)<tfoot>(.*?)</tfoot>`).FindStringSubmatch(res.Body)
	if total == nil || !strings.Contains(total[1], "Samen") || !strings.Contains(total[1], ">15</td>") || !strings.Contains(total[1], "53 % (8)") {
		t.Errorf("no total row: %v", total)
	}
	// Both drawings of the chart have a bar for each of the three days.
	for _, class := range []string{"chart-wide", "chart-narrow"} {
		chart := regexp.MustCompile(`(?s)<div class="` + class + `">(.*?)</svg>`).FindStringSubmatch(res.Body)
		if chart == nil {
			t.Fatalf("no %s chart", class)
		}
		dates := regexp.MustCompile(`data-date="([0-9-]+)"`).FindAllStringSubmatch(chart[1], -1)
		if len(dates) != 3 || dates[0][1] != "2026-03-09" || dates[2][1] != "2026-03-15" {
			t.Errorf("%s: bars %v", class, dates)
		}
	}

	// Asked for, the empty days are listed too, in the same order.
	all := c.do(t, "GET", "/admin/statistieken?dagen=7&leeg=1", nil)
	rows := statsRows(t, all.Body)
	var days []string
	for _, r := range rows {
		days = append(days, r[0]+"="+r[1])
	}
	if got, want := strings.Join(days, " "), "9 maart 2026=3 10 maart 2026=0 11 maart 2026=0 12 maart 2026=2 13 maart 2026=0 14 maart 2026=0 15 maart 2026=10"; got != want {
		t.Errorf("with the empty days: %s\nwant %s", got, want)
	}
	if !regexp.MustCompile(`id="leeg"[^>]*checked`).MatchString(all.Body) || !strings.Contains(all.Body, `href="/admin/statistieken?dagen=30&amp;leeg=1"`) {
		t.Error("the switch for empty days is not kept in the form and the period links")
	}

	// A period without choices says so, without an empty table.
	none := c.do(t, "GET", "/admin/statistieken?van=2026-01-01&tot=2026-01-31", nil)
	if none.StatusCode != 200 || !strings.Contains(none.Body, "31 dagen: niemand maakte een keuze") || !strings.Contains(none.Body, "Geen keuzes in deze periode.") || strings.Contains(none.Body, "<tbody>") {
		t.Errorf("an empty period: %d", none.StatusCode)
	}
}

// A day is counted once it is over and kept; a choice that reaches the log
// later (replayed from the spool, recorded by a server whose clock lags)
// still shows when the page is opened again.
func TestAdmin_StatisticsShowAChoiceThatArrivesForADayAlreadyCounted(t *testing.T) {
	clock := time.Date(2026, 3, 12, 9, 0, 0, 0, brussels.Location())
	s := newSite(t, siteOptions{now: func() time.Time { return clock }})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	day := func() []string {
		t.Helper()
		res := c.do(t, "GET", "/admin/statistieken?van=2026-03-12&tot=2026-03-12", nil)
		rows := statsRows(t, res.Body)
		if res.StatusCode != 200 || len(rows) != 1 {
			t.Fatalf("stats page: %d, rows %v", res.StatusCode, rows)
		}
		if strings.Contains(res.Body, "⟦missing:") {
			t.Errorf("the page shows a message that has no text: %s", regexp.MustCompile(`⟦missing:[^⟧]*⟧`).FindString(res.Body))
		}
		return rows[0][:5]
	}
	if got, want := fmt.Sprint(day()), "[12 maart 2026 1 100 % (1) 0 % (0) 0 % (0)]"; got != want {
		t.Fatalf("before: %s, want %s", got, want)
	}
	var counted int
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM consent_day WHERE on_day = '2026-03-12'`).Scan(&counted); err != nil || counted != 1 {
		t.Fatalf("12 March stored %d times (%v), want once", counted, err)
	}
	// The visitor changed its mind that evening, and someone else chose.
	clock = time.Date(2026, 3, 12, 21, 0, 0, 0, brussels.Location())
	s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}}, "Cookie", cookie.Name+"="+cookie.Value)
	s.choose(t, url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/"}})
	if got, want := fmt.Sprint(day()), "[12 maart 2026 2 0 % (0) 50 % (1) 50 % (1)]"; got != want {
		t.Errorf("after the late choices: %s, want %s", got, want)
	}
}

func TestAdmin_StatisticsRefuseAPeriodTheyCannotReadAndKeepWhatWasTyped(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	for _, tc := range []struct{ query, keeps string }{
		{"van=2026-12-01&tot=2026-01-01", `value="2026-12-01"`},
		{"van=2020-01-01&tot=2026-01-01", `value="2020-01-01"`},
		{"van=1-2-2026&tot=2026-02-28", `value="1-2-2026"`},
		{"van=2026-01-01", `value="2026-01-01"`},
		{"van=%00&tot=%FF", `id="van"`},
		{"dagen=abc", `id="van"`},
		{"dagen=0", `id="van"`},
		{"dagen=100000", `id="van"`},
	} {
		res := c.do(t, "GET", "/admin/statistieken?"+tc.query, nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "periode klopt niet") || !strings.Contains(res.Body, tc.keeps) {
			t.Errorf("%s: %d, message %v, keeps %s: %v", tc.query, res.StatusCode, strings.Contains(res.Body, "periode klopt niet"), tc.keeps, strings.Contains(res.Body, tc.keeps))
		}
		if !strings.Contains(res.Body, `aria-invalid="true"`) && strings.Contains(tc.query, "van") {
			t.Errorf("%s: the date fields are not marked invalid", tc.query)
		}
	}
}

// auditRows returns the rows of the audit log page: when, who, what, as
// the page writes them.
func auditRows(t *testing.T, body string) [][]string {
	t.Helper()
	var rows [][]string
	for _, r := range statsRows(t, body) {
		for i := range r {
			r[i] = plainText(r[i])
		}
		rows = append(rows, r)
	}
	return rows
}

// auditDay is a staff day: Els reads, handles and deletes a message; Jan
// looks through the inbox (open ones, with a search), exports it, handles a
// request, looks a consent up and retries a mail; Piet's account is locked
// by wrong passwords. An entry of Jan's from 11 January 2025, 00:30 in
// Brussels (still the 10th in UTC), tests the days of the filter.
func auditDay(t *testing.T) (s *site, els *staffClient, messageID int64, consentID string) {
	t.Helper()
	s = newSite(t, siteOptions{})
	for _, who := range []string{"els", "jan", "piet"} {
		s.addStaff(t, who+"@conpro-bvba.be", "een-lang-wachtwoord")
	}
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Een bericht over een dak.")
	s.sendContact(t, "Marie Dubois", "marie@example.be", "Een bericht over een keuken.")
	_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	ch, _ := s.codec.Decode(cookie.Value)
	s.confirm(t, s.request(t, url.Values{"soort": {"bezwaar"}, "email": {"an@example.be"}, "toelichting": {"Geen nieuwsbrief."}}))
	ctx := context.Background()
	if err := s.db.Pool().QueryRow(ctx, `SELECT min(id) FROM contact_message`).Scan(&messageID); err != nil {
		t.Fatal(err)
	}
	requestID := requestIDOf(t, s)

	els = s.newClient(t)
	els.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	els.do(t, "GET", fmt.Sprintf("/admin/berichten/%d", messageID), nil)
	els.do(t, "POST", fmt.Sprintf("/admin/berichten/%d/afgehandeld", messageID), url.Values{"afgehandeld": {"1"}})
	els.do(t, "POST", fmt.Sprintf("/admin/berichten/%d/afgehandeld", messageID), url.Values{"afgehandeld": {"0"}})
	els.do(t, "POST", fmt.Sprintf("/admin/berichten/%d/verwijderen", messageID), url.Values{})
	mailID := mailIDOf(t, s) // of a message still there

	jan := s.newClient(t)
	jan.login(t, "jan@conpro-bvba.be", "een-lang-wachtwoord")
	jan.do(t, "GET", "/admin/berichten?toon=open&zoek=marie", nil)
	jan.do(t, "GET", "/admin/berichten.csv", nil)
	jan.do(t, "GET", "/admin/verzoeken", nil)
	jan.do(t, "POST", fmt.Sprintf("/admin/verzoeken/%d/behandeld", requestID), url.Values{"notitie": {"uitgeschreven"}})
	jan.do(t, "GET", "/admin/toestemmingen?id="+ch.ID, nil)
	jan.do(t, "GET", "/admin/mail", nil)
	jan.do(t, "POST", fmt.Sprintf("/admin/mail/%d/opnieuw", mailID), url.Values{})
	jan.do(t, "POST", "/admin/uitloggen", url.Values{})

	piet := s.newClient(t)
	for range staff.MaxFailures {
		piet.login(t, "piet@conpro-bvba.be", "fout")
	}
	if _, err := s.db.Pool().Exec(ctx, `INSERT INTO audit_log (at, staff_id, staff_email, action) VALUES ('2025-01-10T23:30:00Z', NULL, 'jan@conpro-bvba.be', 'login')`); err != nil {
		t.Fatal(err)
	}
	return s, els, messageID, ch.ID
}

func TestAdmin_TheAuditLogTellsEachActionInPlainDutch(t *testing.T) {
	s, els, id, consentID := auditDay(t)
	res := els.do(t, "GET", "/admin/audit", nil)
	if res.StatusCode != 200 {
		t.Fatalf("audit page: %d", res.StatusCode)
	}
	var said []string
	for _, r := range auditRows(t, res.Body) {
		if len(r) != 3 {
			t.Fatalf("row %q: want when, who, what", r)
		}
		said = append(said, strings.SplitN(r[1], "@", 2)[0]+": "+r[2])
	}
	want := []string{
		"els: Bekeek het logboek",
		"piet: Account geblokkeerd (na 5 foute wachtwoorden, voor 15 minuten)",
		"jan: Logde uit",
		fmt.Sprintf("jan: Liet mail #%d opnieuw versturen", mailIDOf(t, s)),
		"jan: Bekeek de mail (3 getoond)",
		"jan: Zocht de keuzes van toestemmings-ID " + consentID + " op",
		fmt.Sprintf("jan: Verzoek #%d afgehandeld", requestIDOf(t, s)),
		"jan: Bekeek de verzoeken (1 getoond)",
		"jan: Exporteerde de berichten als CSV-bestand (1 bericht)",
		"jan: Bekeek de berichten (1 getoond, alleen de open berichten, met een zoekterm)",
		"jan: Logde in",
		fmt.Sprintf("els: Bericht #%d verwijderd", id),
		fmt.Sprintf("els: Bericht #%d terug op open gezet", id),
		fmt.Sprintf("els: Bericht #%d afgehandeld", id),
		fmt.Sprintf("els: Opende bericht #%d", id),
		"els: Logde in",
		"jan: Logde in",
	}
	if strings.Join(said, "\n") != strings.Join(want, "\n") {
		t.Errorf("the audit log says\n%s\n\nwant\n%s", strings.Join(said, "\n"), strings.Join(want, "\n"))
	}
	// No code is left for staff to decode.
	table := res.Body[strings.Index(res.Body, "<table"):]
	for _, code := range append(staff.Actions(), "contact_message", "privacy_request", "mail_outbox", "consent_id", "shown") {
		if strings.Contains(plainText(table), string(code)) {
			t.Errorf("the log shows the code %q", code)
		}
	}
	// The consent ID is whole: it can be copied into the lookup.
	if !strings.Contains(res.Body, consentID) {
		t.Error("the consent ID is cut")
	}
}

func mailIDOf(t *testing.T, s *site) (id int64) {
	t.Helper()
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT min(id) FROM mail_outbox`).Scan(&id)
	return id
}

func requestIDOf(t *testing.T, s *site) (id int64) {
	t.Helper()
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM privacy_request`).Scan(&id)
	return id
}

func TestAdmin_TheAuditLogFiltersByPersonActionAndBelgianDays(t *testing.T) {
	_, els, id, _ := auditDay(t)
	whoAndWhat := func(query string) []string {
		t.Helper()
		res := els.do(t, "GET", "/admin/audit?"+query, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", query, res.StatusCode)
		}
		var out []string
		for _, r := range auditRows(t, res.Body) {
			out = append(out, strings.SplitN(r[1], "@", 2)[0]+": "+r[2])
		}
		return out
	}
	janLogins := whoAndWhat("wie=jan%40conpro-bvba.be&wat=login")
	if strings.Join(janLogins, " | ") != "jan: Logde in | jan: Logde in" {
		t.Errorf("Jan's logins: %q", janLogins)
	}
	for _, line := range whoAndWhat("wie=jan%40conpro-bvba.be") {
		if !strings.HasPrefix(line, "jan: ") {
			t.Errorf("Jan's actions hold %q", line)
		}
	}
	if got := whoAndWhat("wat=delete_message"); strings.Join(got, " | ") != fmt.Sprintf("els: Bericht #%d verwijderd", id) {
		t.Errorf("deletions: %q", got)
	}
	// 00:30 on 11 January in Brussels is that day, not the 10th (UTC).
	if got := whoAndWhat("van=2025-01-11&tot=2025-01-11"); strings.Join(got, " | ") != "jan: Logde in" {
		t.Errorf("11 January 2025: %q", got)
	}
	if got := whoAndWhat("van=2025-01-01&tot=2025-01-10"); len(got) != 0 {
		t.Errorf("1–10 January 2025: %q", got)
	}
	if got := whoAndWhat("tot=2025-12-31"); len(got) != 1 {
		t.Errorf("up to the end of 2025: %q", got)
	}
	res := els.do(t, "GET", "/admin/audit?van=2025-01-01&tot=2025-01-10", nil)
	if !strings.Contains(res.Body, "Geen handelingen die bij deze filter passen.") {
		t.Error("an empty result does not say so")
	}
	// The form keeps the filter, and offers every person and action in words.
	res = els.do(t, "GET", "/admin/audit?wie=jan%40conpro-bvba.be&wat=login&van=2025-01-11", nil)
	for _, want := range []string{
		`<option value="jan@conpro-bvba.be" selected>`, `<option value="piet@conpro-bvba.be">`,
		`<option value="login" selected>Inloggen</option>`, `<option value="delete_message">Bericht verwijderd</option>`,
		`value="2025-01-11"`, `href="/admin/audit">Alles tonen</a>`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
}

func TestAdmin_AnAuditFilterThatCannotBeUsedGetsDutchMessagesAndKeepsWhatWasTyped(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	for _, tc := range []struct{ query, message, keeps string }{
		{"wie=niemand%40example.be", "Kies een medewerker uit de lijst.", `id="wie"`},
		{"wie=els%40conpro-bvba.be%00", "Kies een medewerker uit de lijst.", `id="wie"`},
		{"wat=drop_table", "Kies een handeling uit de lijst.", `id="wat"`},
		{"wat=%FF%FE", "Kies een handeling uit de lijst.", `id="wat"`},
		{"van=2025-02-30", "Vul een bestaande datum in", `value="2025-02-30"`},
		{"van=%00", "Vul een bestaande datum in", `id="van"`},
		{"tot=morgen", "Vul een bestaande datum in", `value="morgen"`},
		{"van=2025-03-02&tot=2025-03-01", "vóór de begindatum", `value="2025-03-02"`},
	} {
		res := c.do(t, "GET", "/admin/audit?"+tc.query, nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, tc.message) || !strings.Contains(res.Body, tc.keeps) || !strings.Contains(res.Body, `aria-invalid="true"`) {
			t.Errorf("%s: %d, message %v, keeps %v", tc.query, res.StatusCode, strings.Contains(res.Body, tc.message), strings.Contains(res.Body, tc.keeps))
		}
		if strings.Contains(res.Body, "<table") {
			t.Errorf("%s: entries listed under a filter that was refused", tc.query)
		}
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("bad filters caused errors in the log:\n%s", s.logs.String())
	}
}

// consentVisitor is a visitor who chose analytics only on /contact, and
// later accepted all with the GPC signal on: their consent ID.
func consentVisitor(t *testing.T, s *site) string {
	t.Helper()
	_, cookie := s.choose(t, url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/contact"}})
	s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}}, "Cookie", cookie.Name+"="+cookie.Value, "Sec-GPC", "1")
	ch, err := s.codec.Decode(cookie.Value)
	if err != nil {
		t.Fatal(err)
	}
	return ch.ID
}

func TestAdmin_TheConsentLookupExplainsTheIDAndTellsEachChoiceInPlainDutch(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	id := consentVisitor(t, s)
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")

	empty := c.do(t, "GET", "/admin/toestemmingen", nil)
	for _, want := range []string{"22 letters, cijfers, - en _", "zegt niets over wie de bezoeker is", "toestemmingsbewijs", `href="/cookies"`} {
		if !strings.Contains(empty.Body, want) {
			t.Errorf("the page does not explain %q", want)
		}
	}

	res := c.do(t, "GET", "/admin/toestemmingen?id=+"+id+"+", nil)
	if res.StatusCode != 200 {
		t.Fatalf("lookup: %d", res.StatusCode)
	}
	if !strings.Contains(res.Body, `<code class="consent-id">`+id+`</code>`) || !strings.Contains(res.Body, `value="`+id+`"`) {
		t.Error("the ID is not shown whole")
	}
	events := strings.Split(res.Body, `<li class="card consent-event">`)[1:]
	if len(events) != 2 {
		t.Fatalf("%d choices shown, want 2", len(events))
	}
	// Each term and description read apart, as the page shows them.
	blocks := func(html string) string {
		return plainText(regexp.MustCompile(`</(dt|dd|h3|p|li)>`).ReplaceAllString(html, " $0"))
	}
	latest, first := blocks(events[0]), blocks(events[1])
	for _, want := range []string{
		"Aanvaardde alle cookies laatste keuze",
		"Privacybeleid versie " + strconv.Itoa(policy.Seed().Number),
		"Gekozen op de pagina / (de startpagina)",
		"Taal Nederlands",
		"Privacysignaal van de browser (GPC of DNT) Ja: de browser vroeg om geen gegevens te verkopen of te delen",
		"Analytische cookies (Google Analytics, Smartlook)",
	} {
		if !strings.Contains(latest, want) {
			t.Errorf("the latest choice lacks %q:\n%s", want, latest)
		}
	}
	for _, want := range []string{
		"Koos zelf welke cookies",
		"Toegestaan Analytische cookies (Google Analytics, Smartlook) Privacybeleid",
		"Gekozen op de pagina /contact",
		"Privacysignaal van de browser (GPC of DNT) Nee",
		"Netwerk 127.0.0.0/24",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("the first choice lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "laatste keuze") {
		t.Error("the first choice is marked as the latest")
	}
	if !strings.Contains(res.Body, fmt.Sprintf(`href="/privacy/versies/%d"`, policy.Seed().Number)) {
		t.Error("the policy version does not lead to its text")
	}
	for _, code := range []string{"accept_all", "save", "analytics", "ga,", "nl,"} {
		if strings.Contains(latest+first, code) {
			t.Errorf("the choices show the code %q", code)
		}
	}
	if got := s.auditActions(t); got[len(got)-1] != "lookup_consent:consent_id:"+id {
		t.Errorf("the lookup is not audited: %v", got)
	}
}

func TestAdmin_TheConsentLookupRefusesWhatCannotBeAnIDAndKeepsIt(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	before := len(s.auditActions(t))
	for _, tc := range []struct{ query, keeps string }{
		{"abc", `value="abc"`},
		{"x%27or%201=1", `value="x&#39;or 1=1"`},
		{"0MtTMcHzzLXFns2uc5Jy-g0", `value="0MtTMcHzzLXFns2uc5Jy-g0"`}, // 23 characters
		{"0MtTMcHzzLXFns2uc5Jy-h", `value="0MtTMcHzzLXFns2uc5Jy-h"`},   // its last bits set
		{"0MtTMcHzzLXFns2uc5J%00-g", `id="id"`},
		{"0MtTMcHzzLXFns2uc5Jy%FF", `id="id"`},
	} {
		res := c.do(t, "GET", "/admin/toestemmingen?id="+tc.query, nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Dit is geen toestemmings-ID") || !strings.Contains(res.Body, tc.keeps) || !strings.Contains(res.Body, `aria-invalid="true"`) {
			t.Errorf("%s: %d, message %v, keeps %v", tc.query, res.StatusCode, strings.Contains(res.Body, "Dit is geen toestemmings-ID"), strings.Contains(res.Body, tc.keeps))
		}
	}
	if after := len(s.auditActions(t)); after != before {
		t.Errorf("refused lookups were audited as lookups: %v", s.auditActions(t)[before:])
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

// byClass returns the elements whose class list holds class, in document
// order.
func byClass(n *html.Node, class string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if v, ok := attr(n, "class"); ok && slices.Contains(strings.Fields(v), class) {
				out = append(out, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// menuEntry is the text of the staff menu's link to href.
func menuEntry(t *testing.T, body, href string) string {
	t.Helper()
	for _, nav := range all(doc(t, body), "nav") {
		if v, _ := attr(nav, "class"); !strings.Contains(v, "admin-nav") {
			continue
		}
		for _, a := range all(nav, "a") {
			if h, _ := attr(a, "href"); h == href {
				return text(a)
			}
		}
	}
	t.Fatalf("no menu entry for %s", href)
	return ""
}

func TestAdmin_InboxRowsShowSenderPhoneLanguageAndFirstLineAndEachOpensItsMessage(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "\nGoedendag,\n\nGraag een offerte voor een nieuw dak op onze woning in Berchem, met isolatie en nieuwe dakgoten.\nMet vriendelijke groet,\nJan")
	form := s.contactForm(t)
	form.Set("naam", "Marie Dubois")
	form.Set("email", "marie@example.be")
	form.Set("telefoon", "")
	form.Set("bericht", "Bonjour, une question sur une cuisine.")
	if res := s.postForm(t, "/contact", form.Encode(), "Accept-Language", "fr"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("French contact post: %d", res.StatusCode)
	}
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")

	inbox := c.do(t, "GET", "/admin/berichten", nil)
	rows := byClass(doc(t, inbox.Body), "row-link")
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	marie, jan := text(rows[0]), text(rows[1])
	for _, want := range []string{"Jan Peeters", "jan@example.be", "0484 53 27 38", "Goedendag, Graag een offerte voor een nieuw dak op onze woning in Berchem, met isolatie en…", "Nederlands", "open"} {
		if !strings.Contains(jan, want) {
			t.Errorf("Jan's row %q lacks %q", jan, want)
		}
	}
	if strings.Contains(jan, "Met vriendelijke groet") {
		t.Errorf("Jan's row shows the whole message: %q", jan)
	}
	if !strings.Contains(marie, "Frans") || !strings.Contains(marie, "Bonjour, une question sur une cuisine.") || strings.Contains(marie, " fr ") {
		t.Errorf("Marie's row %q: want her language as a word and her first line", marie)
	}
	// Each row is one link (a stop for the keyboard) to its message.
	var ids []string
	for _, row := range rows {
		links := all(row, "a")
		if len(links) != 1 {
			t.Fatalf("a row with %d links", len(links))
		}
		href, _ := attr(links[0], "href")
		ids = append(ids, strings.TrimPrefix(href, "/admin/berichten/"))
	}
	detail := c.do(t, "GET", "/admin/berichten/"+ids[0], nil)
	d := doc(t, detail.Body)
	var headings []string
	for _, h := range all(d, "h2") {
		headings = append(headings, text(h))
	}
	if !slices.Contains(headings, "Bericht") || strings.Contains(detail.Body, "Uw bericht") {
		t.Errorf("the message page's headings %q: want Bericht, not the visitor's Uw bericht", headings)
	}
	var details []string
	for _, dd := range all(d, "dd") {
		details = append(details, text(dd))
	}
	if !slices.Contains(details, "Frans") || slices.Contains(details, "fr") {
		t.Errorf("the message page's details %q: want the language as a word", details)
	}
}

func TestAdmin_TheMenuCountsWhatWaitsAndTheFilterSaysWhatItShows(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Een vraag over een dak.")
	s.sendContact(t, "Marie Dubois", "marie@example.be", "Een vraag over een keuken.")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")

	// On every staff page, not only the inbox.
	if got := menuEntry(t, c.do(t, "GET", "/admin/mail", nil).Body, "/admin/berichten"); got != "Berichten (2 open)" {
		t.Fatalf("menu entry %q, want the two open messages counted", got)
	}
	var ids []int64
	rows, _ := s.db.Pool().Query(context.Background(), `SELECT id FROM contact_message ORDER BY id`)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	c.do(t, "POST", fmt.Sprintf("/admin/berichten/%d/afgehandeld", ids[0]), url.Values{"afgehandeld": {"1"}})
	if got := menuEntry(t, c.do(t, "GET", "/admin/berichten", nil).Body, "/admin/berichten"); got != "Berichten (1 open)" {
		t.Fatalf("after handling one: %q", got)
	}
	c.do(t, "POST", fmt.Sprintf("/admin/berichten/%d/afgehandeld", ids[1]), url.Values{"afgehandeld": {"1"}})
	page := c.do(t, "GET", "/admin/berichten", nil)
	if got := menuEntry(t, page.Body, "/admin/berichten"); got != "Berichten" {
		t.Fatalf("with nothing open: %q", got)
	}

	// The views are links that keep the search; the current one is marked;
	// the page says what it shows and how to see all again.
	page = c.do(t, "GET", "/admin/berichten?toon=afgehandeld&zoek=jan", nil)
	d := doc(t, page.Body)
	tabs := map[string]string{}
	for _, a := range all(byClass(d, "filter-tabs")[0], "a") {
		href, _ := attr(a, "href")
		if cur, _ := attr(a, "aria-current"); cur == "page" {
			tabs[text(a)] = href + " (current)"
		} else {
			tabs[text(a)] = href
		}
	}
	want := map[string]string{"Alle": "/admin/berichten?zoek=jan", "Open": "/admin/berichten?toon=open&zoek=jan", "Mogelijk spam": "/admin/berichten?toon=spam&zoek=jan", "Afgehandeld": "/admin/berichten?toon=afgehandeld&zoek=jan (current)"}
	if !maps.Equal(tabs, want) {
		t.Fatalf("filter links %v, want %v", tabs, want)
	}
	if hidden := byID(d, "zoek"); hidden == nil || !strings.Contains(page.Body, `name="toon" value="afgehandeld"`) {
		t.Fatal("searching forgets the view")
	}
	summary := byClass(d, "inbox-summary")[0]
	if got := text(summary); got != "1 afgehandeld bericht met ‘jan’ in naam of e-mailadres. Zoekopdracht wissen" {
		t.Fatalf("summary %q", got)
	}
	if href, _ := attr(all(summary, "a")[0], "href"); href != "/admin/berichten?toon=afgehandeld" {
		t.Fatalf("clearing the search leads to %q", href)
	}
	if got := text(byClass(doc(t, c.do(t, "GET", "/admin/berichten?toon=open", nil).Body), "inbox-summary")[0]); got != "0 open berichten" {
		t.Fatalf("open view summary %q", got)
	}
}

func TestAdmin_AConfirmedCorrectionMailsStaffAndShowsItsLegalDeadlineAndWhenItIsLate(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_MAIL_TO": "kantoor@conpro-bvba.be"}})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.confirm(t, s.request(t, url.Values{"soort": {"correctie"}, "email": {"jan@example.be"}, "toelichting": {"Mijn naam is Jan, niet Jean."}}))
	// Requests the site answers itself need nobody.
	s.confirm(t, s.request(t, url.Values{"soort": {"inzage"}, "email": {"an@example.be"}}))
	s.confirm(t, s.request(t, url.Values{"soort": {"verwijdering"}, "email": {"piet@example.be"}}))

	var to, subject, body string
	var mails int
	err := s.db.Pool().QueryRow(context.Background(), `
		SELECT to_addr, subject, body_text, count(*) OVER () FROM mail_outbox WHERE kind = 'privacy_request_waiting'`).Scan(&to, &subject, &body, &mails)
	if err != nil || mails != 1 || to != "kantoor@conpro-bvba.be" {
		t.Fatalf("staff mails: %d to %q (%v), want one to CONPRO_MAIL_TO", mails, to, err)
	}
	for _, want := range []string{"correctie", "https://conpro-bouw.be/admin/verzoeken", "Wettelijke termijn"} {
		if !strings.Contains(subject+"\n"+body, want) {
			t.Errorf("the staff mail lacks %q:\n%s\n\n%s", want, subject, body)
		}
	}
	for _, secret := range []string{"jan@example.be", "Jan, niet Jean"} {
		if strings.Contains(subject+body, secret) {
			t.Errorf("the staff mail carries the requester's %q", secret)
		}
		if strings.Contains(s.logs.String(), secret) {
			t.Errorf("the log carries the requester's %q", secret)
		}
	}

	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	var verifiedAt time.Time
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT verified_at FROM privacy_request WHERE kind = 'correctie'`).Scan(&verifiedAt)
	deadline := privacyrequest.Deadline(verifiedAt)
	queue := c.do(t, "GET", "/admin/verzoeken", nil)
	if got := menuEntry(t, queue.Body, "/admin/verzoeken"); got != "Verzoeken (1 te behandelen)" {
		t.Errorf("menu entry %q", got)
	}
	card := byClass(doc(t, queue.Body), "request-card")[0]
	due := text(byClass(card, "deadline")[0])
	want := fmt.Sprintf("uiterlijk %s (nog %d dagen)", web.DutchDate(deadline), privacyrequest.DaysLeft(deadline, time.Now()))
	if !strings.Contains(text(card), "Correctie") || due != want || strings.Contains(text(card), "Te laat") {
		t.Fatalf("the waiting correction's deadline %q, want %q", due, want)
	}

	// Forty days on, it is late: in words, not only in colour.
	_, err = s.db.Pool().Exec(context.Background(), `
		UPDATE privacy_request SET created_at = created_at - interval '40 days', verified_at = verified_at - interval '40 days' WHERE kind = 'correctie'`)
	if err != nil {
		t.Fatal(err)
	}
	deadline = privacyrequest.Deadline(verifiedAt.Add(-40 * 24 * time.Hour))
	late := byClass(doc(t, c.do(t, "GET", "/admin/verzoeken", nil).Body), "request-card")[0]
	class, _ := attr(late, "class")
	want = fmt.Sprintf("verstreken op %s, %d dagen geleden: beantwoord dit verzoek zo snel mogelijk", web.DutchDate(deadline), -privacyrequest.DaysLeft(deadline, time.Now()))
	if due := text(byClass(late, "deadline")[0]); !strings.Contains(class, "card-overdue") || !strings.Contains(text(late), "⚠ Te laat") || due != want {
		t.Fatalf("the late correction (%s): %q, want %q", class, due, want)
	}
	var id int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM privacy_request WHERE kind = 'correctie'`).Scan(&id)
	c.do(t, "POST", fmt.Sprintf("/admin/verzoeken/%d/behandeld", id), url.Values{"notitie": {"naam aangepast"}})
	handled := c.do(t, "GET", "/admin/verzoeken", nil)
	if strings.Contains(handled.Body, "Te laat") || !strings.Contains(handled.Body, "behandeld op "+web.DutchDate(brussels.Day(time.Now()))) {
		t.Fatal("a handled request is still shown late, or not when it was handled")
	}
	if got := menuEntry(t, handled.Body, "/admin/verzoeken"); got != "Verzoeken" {
		t.Errorf("menu entry with nothing waiting: %q", got)
	}
}

func TestAdmin_TheMailPageSaysMailIsNotSetUpShowsRecipientsAndRetriesOnlyTriedMail(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Een vraag over een dak.")
	s.sendContact(t, "Marie Dubois", "marie@example.be", "Een vraag over een keuken.")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")

	page := c.do(t, "GET", "/admin/mail", nil)
	notice := strings.Index(page.Body, "E-mail is niet ingesteld: berichten worden bewaard maar niet verstuurd.")
	if notice < 0 || notice > strings.Index(page.Body, "<table") {
		t.Fatal("the page does not say first that no mail server is set up")
	}
	d := doc(t, page.Body)
	recipients := byClass(d, "mail-to")
	if len(recipients) != 2 || text(recipients[0]) != "info@conpro-bvba.be" {
		t.Fatalf("recipients %d, first %q", len(recipients), text(recipients[0]))
	}
	if strings.Contains(page.Body, "/opnieuw") || !strings.Contains(page.Body, "bewaard, niet verstuurd") {
		t.Fatal("mail never tried is offered a retry, or its state is not plain")
	}
	var tried int64
	_ = s.db.Pool().QueryRow(context.Background(), `
		UPDATE mail_outbox SET attempts = 1, last_error = 'smtp 451: try later'
		WHERE id = (SELECT min(id) FROM mail_outbox) RETURNING id`).Scan(&tried)
	page = c.do(t, "GET", "/admin/mail", nil)
	if n := strings.Count(page.Body, "/opnieuw"); n != 1 || !strings.Contains(page.Body, fmt.Sprintf("/admin/mail/%d/opnieuw", tried)) {
		t.Fatalf("%d retry buttons, want one for the mail tried", n)
	}

	// With a mail server set up, the page says nothing of the kind.
	configured := newSite(t, siteOptions{env: map[string]string{"CONPRO_SMTP_URL": "smtp://127.0.0.1:2525"}})
	configured.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	configured.sendContact(t, "Jan Peeters", "jan@example.be", "Een vraag over een dak.")
	c = configured.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	page = c.do(t, "GET", "/admin/mail", nil)
	if strings.Contains(page.Body, "niet ingesteld") || !strings.Contains(page.Body, "wacht om verstuurd te worden") || strings.Contains(page.Body, "/opnieuw") {
		t.Fatal("with a mail server: the notice shows, the waiting mail is not called waiting, or it is offered a retry")
	}
}

func TestAdmin_StaffAddAColleagueDisableEnableAndResetItsPasswordEachAudited(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	els := s.newClient(t)
	els.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	var elsID int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM staff_user`).Scan(&elsID)
	list := els.do(t, "GET", "/admin/medewerkers", nil)
	if list.StatusCode != 200 || !strings.Contains(list.Body, "dit bent u") || strings.Contains(list.Body, fmt.Sprintf("/admin/medewerkers/%d/uitschakelen", elsID)) {
		t.Fatalf("the list: %d; want one's own account marked, without a button to disable it", list.StatusCode)
	}

	// A form with errors comes back with a Dutch message at the field and
	// the address typed; never with a password.
	for _, c := range []struct{ email, password, again, message, field string }{
		{"geen adres", "een-lang-wachtwoord", "een-lang-wachtwoord", "Vul een geldig e-mailadres in", "email"},
		{strings.Repeat("x", 250) + "@conpro-bvba.be", "een-lang-wachtwoord", "een-lang-wachtwoord", "Vul een geldig e-mailadres in", "email"},
		{"jan@conpro-bvba.be", "kort-wachtw", "kort-wachtw", "minstens 12 tekens", "wachtwoord"},
		{"jan@conpro-bvba.be", "een-ander-wachtwoord", "een-ander-wachtwoorD", "niet gelijk", "herhaal"},
		{"ELS@conpro-bvba.be", "een-ander-wachtwoord", "een-ander-wachtwoord", "Er is al een account met dit e-mailadres", "email"},
	} {
		res := els.do(t, "POST", "/admin/medewerkers", url.Values{"email": {c.email}, "wachtwoord": {c.password}, "herhaal": {c.again}})
		input := byID(doc(t, res.Body), c.field)
		if input == nil {
			t.Errorf("%+v: %d, no form", c, res.StatusCode)
			continue
		}
		invalid, _ := attr(input, "aria-invalid")
		value, _ := attr(byID(doc(t, res.Body), "email"), "value")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.message) || invalid != "true" || value != c.email {
			t.Errorf("%+v: %d, message %v, %s invalid %q, address kept %q", c, res.StatusCode, strings.Contains(res.Body, c.message), c.field, invalid, value)
		}
		if strings.Contains(res.Body, c.password) {
			t.Errorf("%+v: the page carries the password", c)
		}
	}
	res := els.do(t, "POST", "/admin/medewerkers", url.Values{"email": {"Jan@Conpro-BVBA.be"}, "wachtwoord": {"een-ander-wachtwoord"}, "herhaal": {"een-ander-wachtwoord"}})
	var janID int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM staff_user WHERE email = 'jan@conpro-bvba.be'`).Scan(&janID)
	if res.StatusCode != http.StatusSeeOther || janID == 0 {
		t.Fatalf("add: %d, account %d", res.StatusCode, janID)
	}
	if done := els.do(t, "GET", res.Header.Get("Location"), nil); !strings.Contains(done.Body, "Het account van jan@conpro-bvba.be is toegevoegd.") {
		t.Fatal("no word that the account was added")
	}
	jan := s.newClient(t)
	if res := jan.login(t, "jan@conpro-bvba.be", "een-ander-wachtwoord"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new account's login: %d", res.StatusCode)
	}
	if res := jan.do(t, "GET", "/admin/berichten", nil); res.StatusCode != 200 {
		t.Fatalf("the new account's inbox: %d", res.StatusCode)
	}

	// Disabled: the open session ends at once and the login is refused, as
	// a wrong password is.
	if res := els.do(t, "POST", fmt.Sprintf("/admin/medewerkers/%d/uitschakelen", janID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if res := jan.do(t, "GET", "/admin/berichten", nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
		t.Fatalf("the disabled account's session: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := jan.login(t, "jan@conpro-bvba.be", "een-ander-wachtwoord"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "uitgeschakeld") {
		t.Fatalf("the disabled account's login: %d", res.StatusCode)
	}
	if row := text(byClass(doc(t, els.do(t, "GET", "/admin/medewerkers", nil).Body), "account-disabled")[0]); !strings.Contains(row, "jan@conpro-bvba.be") || !strings.Contains(row, "uitgeschakeld sinds") {
		t.Fatalf("the disabled account's row %q", row)
	}
	// Nobody disables themselves, even with a hand-made request.
	if res := els.do(t, "POST", fmt.Sprintf("/admin/medewerkers/%d/uitschakelen", elsID), url.Values{}); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "U kunt uw eigen account niet uitschakelen") {
		t.Fatalf("disabling oneself: %d", res.StatusCode)
	}
	if res := els.do(t, "GET", "/admin/berichten", nil); res.StatusCode != 200 {
		t.Fatalf("after trying to disable oneself: %d", res.StatusCode)
	}
	if res := els.do(t, "POST", fmt.Sprintf("/admin/medewerkers/%d/inschakelen", janID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", res.StatusCode)
	}
	if res := jan.login(t, "jan@conpro-bvba.be", "een-ander-wachtwoord"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the account enabled again: %d", res.StatusCode)
	}

	// A new password ends the account's sessions; only the new one works.
	form := els.do(t, "GET", fmt.Sprintf("/admin/medewerkers/%d/wachtwoord", janID), nil)
	if !strings.Contains(form.Body, "Nieuw wachtwoord voor jan@conpro-bvba.be") {
		t.Fatal("the password page does not name the account")
	}
	if res := els.do(t, "POST", fmt.Sprintf("/admin/medewerkers/%d/wachtwoord", janID), url.Values{"wachtwoord": {"derde-wachtwoord!"}, "herhaal": {"derde-wachtwoord?"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "niet gelijk") {
		t.Fatalf("passwords that differ: %d", res.StatusCode)
	}
	if res := els.do(t, "POST", fmt.Sprintf("/admin/medewerkers/%d/wachtwoord", janID), url.Values{"wachtwoord": {"derde-wachtwoord!"}, "herhaal": {"derde-wachtwoord!"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new password: %d", res.StatusCode)
	}
	if res := jan.do(t, "GET", "/admin/berichten", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a session of the old password: %d", res.StatusCode)
	}
	if res := jan.login(t, "jan@conpro-bvba.be", "een-ander-wachtwoord"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the old password: %d", res.StatusCode)
	}
	if res := jan.login(t, "jan@conpro-bvba.be", "derde-wachtwoord!"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new password: %d", res.StatusCode)
	}
	// One's own: signed in here still, elsewhere no longer.
	elsElsewhere := s.newClient(t)
	elsElsewhere.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	if res := els.do(t, "POST", fmt.Sprintf("/admin/medewerkers/%d/wachtwoord", elsID), url.Values{"wachtwoord": {"nieuw-voor-els!"}, "herhaal": {"nieuw-voor-els!"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("one's own new password: %d", res.StatusCode)
	}
	if res := els.do(t, "GET", "/admin/berichten", nil); res.StatusCode != 200 {
		t.Fatalf("here, after one's own new password: %d", res.StatusCode)
	}
	if res := elsElsewhere.do(t, "GET", "/admin/berichten", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("elsewhere, after one's own new password: %d", res.StatusCode)
	}
	if res := els.do(t, "POST", "/admin/medewerkers/999/uitschakelen", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("an account that does not exist: %d", res.StatusCode)
	}

	var changes []string
	for _, a := range s.auditActions(t) {
		if strings.Contains(a, "staff") {
			changes = append(changes, a)
		}
	}
	jn, en := fmt.Sprint(janID), fmt.Sprint(elsID)
	want := []string{"list_staff:staff_user", "add_staff:staff_user:" + jn, "list_staff:staff_user", "disable_staff:staff_user:" + jn, "list_staff:staff_user",
		"enable_staff:staff_user:" + jn, "reset_staff_password:staff_user:" + jn, "reset_staff_password:staff_user:" + en}
	if strings.Join(changes, ",") != strings.Join(want, ",") {
		t.Fatalf("audit %q,\nwant %q", changes, want)
	}
}
