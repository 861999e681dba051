package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// badCase is one hostile or broken request. Unless a case says otherwise,
// it must get a 4xx (or the page it asked for, where the input is simply
// ignored), never a 5xx, and store nothing.
type badCase struct {
	name   string
	method string
	path   string
	header map[string]string
	body   string
	// raw, when set, is sent as is over TCP (for what Go's client refuses
	// to send).
	raw string
	// status is the expected status; 0 means "any 4xx".
	status int
	// contains is text the answer must hold (a Dutch message, say).
	contains string
	// stores is how many contact messages, consent events and privacy
	// requests the case may add, in that order.
	stores [3]int
}

const form = "application/x-www-form-urlencoded"

func badCases(contactToken, forgedCookie string) []badCase {
	long := strings.Repeat("a", 10<<10)
	contact := func(edit func(url.Values)) string {
		v := url.Values{"t": {contactToken}, "naam": {"Jan Peeters"}, "email": {"jan@example.be"}, "bericht": {"Een bericht van genoeg tekens."}}
		edit(v)
		return v.Encode()
	}
	post := map[string]string{"Content-Type": form}
	crossSite := map[string]string{"Content-Type": form, "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
	cases := []badCase{
		// Consent cookies: no consent, never an error.
		{name: "garbled consent cookie", method: "GET", path: "/", header: map[string]string{"Cookie": "conpro_consent=%%%garbage"}, status: 200, contains: "cookie-banner"},
		{name: "huge consent cookie", method: "GET", path: "/", header: map[string]string{"Cookie": "conpro_consent=" + strings.Repeat("x", 8000)}, status: 200, contains: "cookie-banner"},
		{name: "forged consent cookie", method: "GET", path: "/privacy", header: map[string]string{"Cookie": "conpro_consent=" + forgedCookie}, status: 200, contains: "cookie-banner"},
		{name: "consent cookie with quotes", method: "GET", path: "/", header: map[string]string{"Cookie": `conpro_consent="1.a.2.a.ga.1.x"`}, status: 200, contains: "cookie-banner"},
		{name: "two consent cookies", method: "GET", path: "/", header: map[string]string{"Cookie": "conpro_consent=a; conpro_consent=b"}, status: 200},
		{name: "a hundred cookies", method: "GET", path: "/", header: map[string]string{"Cookie": strings.Repeat("c=1; ", 100)}, status: 200},
		{name: "NUL in a cookie", method: "GET", path: "/", raw: "GET / HTTP/1.1\r\nHost: x\r\nCookie: conpro_consent=a\x00b\r\nConnection: close\r\n\r\n"},
		{name: "invalid UTF-8 in a cookie", method: "GET", path: "/", raw: "GET / HTTP/1.1\r\nHost: x\r\nCookie: conpro_consent=\xff\xfe\r\nConnection: close\r\n\r\n", status: 200},
		{name: "receipt with a forged cookie", method: "GET", path: "/cookies/bewijs", header: map[string]string{"Cookie": "conpro_consent=" + forgedCookie}, status: 404},
		{name: "unknown project", method: "GET", path: "/realisaties/bestaat-niet", status: 404},
		{name: "project address with an encoded slash", method: "GET", path: "/realisaties/..%2fadmin", status: 404},
		{name: "project address with a query", method: "GET", path: "/realisaties/x?<script>=1", status: 404},
		{name: "language cookie garbage", method: "GET", path: "/", header: map[string]string{"Cookie": "conpro_lang=<script>"}, status: 200, contains: `lang="nl"`},

		// Bodies: size, type, encoding.
		{name: "consent body of 100 KB", method: "POST", path: "/consent", header: post, body: "action=accept_all&x=" + strings.Repeat("a", 100<<10), status: 413, contains: "Te veel gegevens"},
		{name: "contact body of 1 MB", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("bericht", strings.Repeat("b", 1<<20)) }), status: 413},
		{name: "consent as JSON", method: "POST", path: "/consent", header: map[string]string{"Content-Type": "application/json"}, body: `{"action":"accept_all"}`, status: 400},
		// The form is not read from these, so it is empty: its errors, and
		// nothing stored.
		{name: "contact as plain text", method: "POST", path: "/contact", header: map[string]string{"Content-Type": "text/plain"}, body: "naam=Jan", status: 422, contains: "Vul uw naam in."},
		{name: "contact as multipart", method: "POST", path: "/contact", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, body: "--x\r\nContent-Disposition: form-data; name=\"naam\"\r\n\r\nJan\r\n--x--\r\n", status: 422, contains: "Vul uw naam in."},
		{name: "consent with broken percent-encoding", method: "POST", path: "/consent", header: post, body: "action=%zz", status: 400},
		{name: "contact with broken percent-encoding", method: "POST", path: "/contact", header: post, body: "naam=%zz&email=%", status: 400},
		{name: "contact without a content type", method: "POST", path: "/contact", body: contact(func(url.Values) {}), status: 422, contains: "Vul uw naam in."},
		{name: "request form as JSON", method: "POST", path: "/privacy/verzoek", header: map[string]string{"Content-Type": "application/json"}, body: `{"email":"a@b.be"}`, status: 422},

		// The quote form as multipart: broken framing is a 400, a refused
		// file or field a Dutch 422, nothing stored.
		{name: "quote multipart without a boundary", method: "POST", path: "/offerte", header: map[string]string{"Content-Type": "multipart/form-data"}, body: "--x\r\n", status: 400},
		{name: "quote multipart cut off", method: "POST", path: "/offerte", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, body: "--x\r\nContent-Disposition: form-data; name=\"naam\"\r\n\r\nJan", status: 400},
		{name: "quote multipart with NUL in a field", method: "POST", path: "/offerte", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, body: "--x\r\nContent-Disposition: form-data; name=\"naam\"\r\n\r\nJa\x00n\r\n--x--\r\n", status: 422, contains: unreadable},
		{name: "quote multipart with invalid UTF-8 in a field's name", method: "POST", path: "/offerte", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, body: "--x\r\nContent-Disposition: form-data; name=\"na\xffam\"\r\n\r\nJan\r\n--x--\r\n", status: 422, contains: unreadable},
		{name: "quote with an HTML file named plan.pdf", method: "POST", path: "/offerte", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, body: "--x\r\nContent-Disposition: form-data; name=\"bestanden\"; filename=\"plan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n<html><script>alert(1)</script></html>\r\n--x--\r\n", status: 422, contains: "geen PDF-plan"},
		{name: "quote with a control character in a file's name", method: "POST", path: "/offerte", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, body: "--x\r\nContent-Disposition: form-data; name=\"bestanden\"; filename=\"\x1b[31mplan.pdf\"\r\n\r\nxx\r\n--x--\r\n", status: 400},
		{name: "quote with a direction control in a file's name", method: "POST", path: "/offerte", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, body: "--x\r\nContent-Disposition: form-data; name=\"bestanden\"; filename=\"\u202efdp.exe\"\r\n\r\nxx\r\n--x--\r\n", status: 422, contains: "„fdp.exe”"},
		{name: "quote as JSON", method: "POST", path: "/offerte", header: map[string]string{"Content-Type": "application/json"}, body: `{"naam":"Jan"}`, status: 422, contains: "Vul uw naam in."},
		{name: "quote body of 1 MB without files", method: "POST", path: "/offerte", header: post, body: "bericht=" + strings.Repeat("b", 1<<20), status: 413},
		{name: "cross-site quote post", method: "POST", path: "/offerte", header: crossSite, body: "naam=Jan", status: 403},

		// Form fields: Dutch errors, nothing stored.
		{name: "invalid UTF-8 in the name", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("naam", "Jan\xff\xfe") }), status: 422, contains: "tekens die wij niet kunnen verwerken"},
		{name: "NUL in the message", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("bericht", "Een bericht\x00met NUL erin") }), status: 422},
		{name: "header injection in the e-mail", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("email", "jan@example.be\r\nBcc: boef@evil.example") }), status: 422, contains: "geldig e-mailadres"},
		{name: "header injection in the name", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("naam", "Jan\nSubject: gekaapt") }), status: 422},
		{name: "display name in the e-mail", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("email", "Boef <boef@evil.example>") }), status: 422},
		{name: "two addresses in the e-mail", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("email", "a@b.be,c@d.be") }), status: 422},
		{name: "phone with letters", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("telefoon", "0484 abc") }), status: 422},
		{name: "name of 10 KB", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("naam", long) }), status: 422},
		{name: "repeated fields", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v["naam"] = []string{"", "Tweede"} }), status: 422},
		// A token that fails its check may be a person's form from before a
		// key rotation: kept, and marked for staff.
		{name: "token of another server", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("t", "1764072000000.AAAAAAAAAAAAAAAAAAAAAA") }), status: 303, stores: [3]int{1, 0, 0}},
		{name: "honeypot filled", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("website", "http://spam.example") }), status: 303},
		{name: "SQL in the name is stored as text", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("naam", "Robert'); DROP TABLE contact_message;--") }), status: 303, stores: [3]int{1, 0, 0}},
		{name: "HTML in the message is stored as text", method: "POST", path: "/contact", header: post, body: contact(func(v url.Values) { v.Set("bericht", "<script>alert(1)</script><img src=x onerror=alert(2)>") }), status: 303, stores: [3]int{1, 0, 0}},
		{name: "request with a bad e-mail", method: "POST", path: "/privacy/verzoek", header: post, body: "soort=inzage&email=geen-adres", status: 422, contains: "geldig e-mailadres"},
		{name: "request of an unknown kind", method: "POST", path: "/privacy/verzoek", header: post, body: "soort=alles&email=a@b.be", status: 422},
		{name: "request with SQL as consent ID", method: "POST", path: "/privacy/verzoek", header: post, body: "soort=inzage&email=a@b.be&toestemmings_id=' OR 1=1 --", status: 422},
		{name: "forged confirmation token", method: "POST", path: "/privacy/verzoek/bevestig", header: post, body: "t=" + strings.Repeat("A", 43), status: 410, contains: "Deze link werkt niet"},
		{name: "confirmation token of 10 KB", method: "POST", path: "/privacy/verzoek/bevestig", header: post, body: "t=" + long, status: 410},
		{name: "forged download ticket", method: "POST", path: "/privacy/verzoek/download", header: post, body: "d=1.9999999999.AAAAAAAAAAAAAAAAAAAAAA", status: 410},
		{name: "confirmation link of 10 KB", method: "GET", path: "/privacy/verzoek/bevestig?t=" + long, status: 410},
		{name: "unknown language", method: "POST", path: "/taal", header: post, body: "lang=<script>&return_to=/", status: 400},
		{name: "unknown consent action", method: "POST", path: "/consent", header: post, body: "action=drop_tables", status: 400, contains: "Ongeldig verzoek"},
		{name: "unknown category and vendor are ignored", method: "POST", path: "/consent", header: post, body: "action=save&category=<script>&vendor=evil&return_to=/", status: 303, stores: [3]int{0, 1, 0}},

		// Paths and redirects.
		{name: "traversal in /static", method: "GET", path: "/static/../go.mod", status: 404},
		{name: "encoded traversal in /static", method: "GET", path: "/static/%2e%2e/%2e%2e/etc/passwd", status: 404},
		{name: "encoded slash in /static", method: "GET", path: "/static/..%2fgo.mod", status: 404},
		{name: "unknown static file", method: "GET", path: "/static/site.css", status: 404},
		{name: "traversal after favicon", method: "GET", path: "/favicon.ico/../../etc/passwd", status: 404},
		{name: "NUL in the path", method: "GET", path: "/%00", status: 404},
		{name: "return_to to another site", method: "POST", path: "/taal", header: post, body: "lang=fr&return_to=https://evil.example/", status: 303},
		{name: "return_to protocol-relative", method: "POST", path: "/consent", header: post, body: "action=reject_all&return_to=//evil.example", status: 303, stores: [3]int{0, 1, 0}},
		{name: "return_to with a backslash", method: "POST", path: "/taal", header: post, body: "lang=fr&return_to=/\\evil.example", status: 303},
		{name: "return_to javascript:", method: "POST", path: "/taal", header: post, body: "lang=fr&return_to=javascript:alert(1)", status: 303},
		{name: "return_to with CRLF", method: "POST", path: "/taal", header: post, body: "lang=fr&return_to=/%0d%0aSet-Cookie:%20x=1", status: 303},
		{name: "return_to of 10 KB", method: "POST", path: "/consent", header: post, body: "action=reject_all&return_to=/" + long, status: 303, stores: [3]int{0, 1, 0}},

		// Cross-site posts.
		{name: "cross-site contact post", method: "POST", path: "/contact", header: crossSite, body: contact(func(url.Values) {}), status: 403},
		{name: "cross-site consent post", method: "POST", path: "/consent", header: crossSite, body: "action=accept_all", status: 403},
		{name: "cross-site request post", method: "POST", path: "/privacy/verzoek", header: crossSite, body: "soort=inzage&email=a@b.be", status: 403},
		{name: "cross-site staff login", method: "POST", path: "/admin/login", header: crossSite, body: "email=a@b.be&wachtwoord=x", status: 403},
		{name: "foreign Origin without Sec-Fetch-Site", method: "POST", path: "/consent", header: map[string]string{"Content-Type": form, "Origin": "https://evil.example"}, body: "action=accept_all", status: 403},

		// Methods.
		{name: "PUT /", method: "PUT", path: "/", status: 405},
		{name: "DELETE /privacy", method: "DELETE", path: "/privacy", status: 405},
		{name: "PATCH /contact", method: "PATCH", path: "/contact", status: 405},
		{name: "TRACE /", method: "TRACE", path: "/", status: 405},
		{name: "GET /consent", method: "GET", path: "/consent", status: 405},

		// Odd queries and headers: the page, as usual.
		{name: "query of 10 KB", method: "GET", path: "/?x=" + long, status: 200},
		{name: "a thousand query parameters", method: "GET", path: "/?" + strings.Repeat("a=1&", 1000), status: 200},
		{name: "policy version beyond int64", method: "GET", path: "/privacy/versies/99999999999999999999", status: 404},
		{name: "negative policy version", method: "GET", path: "/privacy/versies/-1", status: 404},
		{name: "staff message without a session", method: "GET", path: "/admin/berichten/abc", status: 303},
		{name: "staff statistics garbage without a session", method: "GET", path: "/admin/statistieken?van=';--", status: 303},
		{name: "Accept-Language of 4 KB", method: "GET", path: "/", header: map[string]string{"Accept-Language": strings.Repeat("xx-YY;q=0.5,", 340)}, status: 200, contains: `lang="nl"`},
		{name: "Sec-GPC garbage", method: "GET", path: "/", header: map[string]string{"Sec-GPC": "yes please"}, status: 200},
		{name: "X-Forwarded-For garbage", method: "GET", path: "/", header: map[string]string{"X-Forwarded-For": "not, an, address, ::::"}, status: 200},
		{name: "CF-Connecting-IP garbage", method: "GET", path: "/", header: map[string]string{"CF-Connecting-IP": "<script>"}, status: 200},
		{name: "staff login with SQL", method: "POST", path: "/admin/login", header: post, body: "email=' OR '1'='1&wachtwoord=' OR '1'='1", status: 401},
		{name: "staff login with an empty body", method: "POST", path: "/admin/login", header: post, status: 401},
		{name: "header line without a colon", method: "GET", path: "/", raw: "GET / HTTP/1.1\r\nHost: x\r\nthis is not a header\r\nConnection: close\r\n\r\n", status: 400},
		{name: "request line garbage", method: "GET", path: "/", raw: "GIVE ME / HTTP/9.9\r\n\r\n", status: 400},
	}
	// Every field of every form, with a NUL byte (which PostgreSQL refuses
	// in text) and with invalid UTF-8.
	return append(cases, everyFieldUnreadable(publicForms(contactToken))...)
}

func (s *site) counts(t *testing.T) [3]int {
	t.Helper()
	var c [3]int
	err := s.db.Pool().QueryRow(context.Background(), `SELECT (SELECT count(*) FROM contact_message), (SELECT count(*) FROM consent_event), (SELECT count(*) FROM privacy_request)`).Scan(&c[0], &c[1], &c[2])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sendRaw writes a request over TCP and reads the status code.
func sendRaw(t *testing.T, base, raw string) (int, string) {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, string(b)
}

// TestBadInput_ACatalogueOfHostileRequestsGetsClean4xxAndStoresNothing:
// every case gets the status it should (a clean 4xx, or the page, or the
// thank-you page a bot gets), never a 5xx, and stores only what it may.
func TestBadInput_ACatalogueOfHostileRequestsGetsClean4xxAndStoresNothing(t *testing.T) {
	env := map[string]string{"CONPRO_CONTACT_RATE": "10000"}
	for k, v := range allVendors {
		env[k] = v
	}
	s := newSite(t, siteOptions{env: env})
	token := s.contactForm(t).Get("t")
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	forged := strings.Replace(cookie.Value, ".ads.", ".a.", 1)
	cases := badCases(token, forged)
	if len(cases) < 60 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.counts(t)
			var status int
			var body string
			if c.raw != "" {
				status, body = sendRaw(t, s.URL, c.raw)
			} else {
				req, err := http.NewRequest(c.method, s.URL+c.path, strings.NewReader(c.body))
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range c.header {
					req.Header.Set(k, v)
				}
				res := s.do(t, req)
				status, body = res.StatusCode, res.Body
			}
			if status >= 500 {
				t.Fatalf("status %d", status)
			}
			switch {
			case c.status == 0 && (status < 400 || status >= 500):
				t.Errorf("status %d, want a 4xx", status)
			case c.status != 0 && status != c.status:
				t.Errorf("status %d, want %d", status, c.status)
			}
			if c.contains != "" && !strings.Contains(body, c.contains) {
				t.Errorf("answer lacks %q", c.contains)
			}
			after := s.counts(t)
			for i := range after {
				if after[i]-before[i] != c.stores[i] {
					t.Errorf("stored %v → %v, allowed %v", before, after, c.stores)
					break
				}
			}
		})
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("the catalogue caused errors in the log:\n%s", s.logs.String())
	}
	// What was stored is inert: shown escaped to staff.
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	inbox := c.do(t, "GET", "/admin/berichten", nil)
	if !strings.Contains(inbox.Body, "Robert&#39;); DROP TABLE contact_message;--") {
		t.Error("the SQL string is not shown as text")
	}
	var id int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM contact_message WHERE message LIKE '<script>%'`).Scan(&id)
	detail := c.do(t, "GET", fmt.Sprintf("/admin/berichten/%d", id), nil)
	if strings.Contains(detail.Body, "<script>alert(1)") || !strings.Contains(detail.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the HTML in a message is not escaped for staff")
	}
}

// aForm is a valid post (or query) of one of the site's forms, and what a
// field of it holding a NUL byte or invalid UTF-8 gets: a form a person
// types in is shown again with what was typed (422), any other is refused
// (400); both say so in Dutch.
type aForm struct {
	name, method, path string
	fields             url.Values
	status             int
}

// unreadable is the Dutch the answer to such a field says.
const unreadable = "tekens die wij niet kunnen lezen"

// everyFieldUnreadable makes, for every field of every form, a case with a
// NUL byte in it and one with invalid UTF-8, and one with a NUL byte in a
// field's name.
func everyFieldUnreadable(forms []aForm) []badCase {
	var out []badCase
	for _, f := range forms {
		spoil := func(edit func(url.Values)) (string, string) {
			v := url.Values{}
			for k, vs := range f.fields {
				v[k] = append([]string(nil), vs...)
			}
			edit(v)
			if f.method == http.MethodGet {
				return f.path + "?" + v.Encode(), ""
			}
			return f.path, v.Encode()
		}
		add := func(what string, edit func(url.Values)) {
			path, body := spoil(edit)
			c := badCase{name: f.name + ": " + what, method: f.method, path: path, body: body, status: f.status, contains: unreadable}
			if f.method == http.MethodPost {
				c.header = map[string]string{"Content-Type": form}
			}
			out = append(out, c)
		}
		for field := range f.fields {
			add("NUL in "+field, func(v url.Values) { v.Set(field, v.Get(field)+"a\x00b") })
			add("invalid UTF-8 in "+field, func(v url.Values) { v.Set(field, v.Get(field)+"\xff\xfe") })
		}
		add("NUL in a field's name", func(v url.Values) { v.Set("x\x00y", "1") })
	}
	return out
}

// publicForms are the forms anyone may send, filled in validly.
func publicForms(contactToken string) []aForm {
	return []aForm{
		{"contact", "POST", "/contact", url.Values{"t": {contactToken}, "naam": {"Jan Peeters"}, "email": {"jan@example.be"}, "telefoon": {"0484 53 27 38"},
			"bericht": {"Een bericht van genoeg tekens."}, "website": {""}}, 422},
		{"quote", "POST", "/offerte", url.Values{"t": {contactToken}, "soort": {"dak"}, "postcode": {"2600"}, "planning": {"snel"},
			"bericht": {"Een nieuw dak graag, met isolatie."}, "naam": {"Jan Peeters"}, "email": {"jan@example.be"}, "telefoon": {"0484 53 27 38"}, "website": {""}}, 422},
		{"request", "POST", "/privacy/verzoek", url.Values{"soort": {"verwijdering"}, "email": {"jan@example.be"}, "toestemmings_id": {""},
			"wis_toestemmingen": {"1"}, "toelichting": {"Graag alles wissen."}}, 422},
		{"confirmation page", "GET", "/privacy/verzoek/bevestig", url.Values{"t": {strings.Repeat("A", 43)}}, 400},
		{"confirmation", "POST", "/privacy/verzoek/bevestig", url.Values{"t": {strings.Repeat("A", 43)}}, 400},
		{"download", "POST", "/privacy/verzoek/download", url.Values{"d": {"1.9999999999.AAAAAAAAAAAAAAAAAAAAAA"}}, 400},
		{"consent", "POST", "/consent", url.Values{"action": {"save"}, "category": {"analytics"}, "vendor": {"google-analytics"}, "return_to": {"/privacy"}, "form": {"banner"}}, 400},
		{"language", "POST", "/taal", url.Values{"lang": {"fr"}, "return_to": {"/privacy"}}, 400},
	}
}

// TestBadInput_EveryFieldOfEveryStaffFormRefusesUnreadableText sends, signed
// in, every staff form with a NUL byte and with invalid UTF-8 in each field:
// a Dutch 4xx, never a 500, and nothing changes.
func TestBadInput_EveryFieldOfEveryStaffFormRefusesUnreadableText(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Een bericht over een dak.")
	s.confirm(t, s.request(t, url.Values{"soort": {"correctie"}, "email": {"an@example.be"}, "toelichting": {"Mijn naam is An."}}))
	var messageID, requestID, mailID int64
	ctx := context.Background()
	_ = s.db.Pool().QueryRow(ctx, `SELECT (SELECT id FROM contact_message), (SELECT id FROM privacy_request), (SELECT min(id) FROM mail_outbox)`).Scan(&messageID, &requestID, &mailID)
	c := s.newClient(t)
	if res := c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	// A project, put there as if it always was (nothing in the audit log).
	var projectID int64
	if err := s.db.Pool().QueryRow(ctx, `INSERT INTO project (slug, place, year, kind, texts)
		VALUES ('dakwerken-hove', 'Hove', 2024, 'dak', '{"nl": {"title": "Dakwerken Hove", "description": "Een nieuw dak."}}') RETURNING id`).Scan(&projectID); err != nil {
		t.Fatal(err)
	}
	projectForm := url.Values{"titel_nl": {"Dakwerken Hove"}, "slug": {"dakwerken-hove"}, "plaats": {"Hove"}, "jaar": {"2024"}, "soort": {"dak"},
		"beschrijving_nl": {"Een nieuw dak."}, "meta_nl": {"Een dak."}, "titel_fr": {"Toiture"}, "beschrijving_fr": {"Un toit."}, "meta_fr": {""},
		"titel_en": {""}, "beschrijving_en": {""}, "meta_en": {""}, "fotos": {"1"}, "volgorde_1": {"1"}, "onderschrift_nl_1": {"Het dak"},
		"onderschrift_fr_1": {""}, "onderschrift_en_1": {""}, "daarna": {"voorbeeld"}}
	project := fmt.Sprintf("/admin/realisaties/%d", projectID)
	message := fmt.Sprintf("/admin/berichten/%d", messageID)
	forms := []aForm{
		{"inbox search", "GET", "/admin/berichten", url.Values{"zoek": {"jan"}, "toon": {"open"}}, 422},
		{"message page", "GET", message, url.Values{"verwijderen": {"1"}}, 400},
		{"message handled", "POST", message + "/afgehandeld", url.Values{"afgehandeld": {"1"}}, 400},
		{"message not spam", "POST", message + "/geen-spam", url.Values{}, 400},
		{"message delete", "POST", message + "/verwijderen", url.Values{}, 400},
		{"request note", "POST", fmt.Sprintf("/admin/verzoeken/%d/behandeld", requestID), url.Values{"notitie": {"naam aangepast"}}, 422},
		{"retry mail", "POST", fmt.Sprintf("/admin/mail/%d/opnieuw", mailID), url.Values{}, 400},
		{"consent lookup", "GET", "/admin/toestemmingen", url.Values{"id": {"AAAAAAAAAAAAAAAAAAAAAA"}}, 422},
		{"statistics period", "GET", "/admin/statistieken", url.Values{"van": {"2030-01-01"}, "tot": {"2030-01-31"}, "dagen": {"30"}}, 422},
		{"logout", "POST", "/admin/uitloggen", url.Values{}, 400},
		{"new project", "POST", "/admin/realisaties/nieuw", projectForm, 422},
		{"project", "POST", project, projectForm, 422},
		{"publish project", "POST", project + "/publiceren", url.Values{}, 400},
		{"unpublish project", "POST", project + "/offline", url.Values{}, 400},
	}
	for _, bc := range everyFieldUnreadable(forms) {
		t.Run(bc.name, func(t *testing.T) {
			var form url.Values
			if bc.method == http.MethodPost {
				form, _ = url.ParseQuery(bc.body)
				if form == nil {
					form = url.Values{}
				}
			}
			res := c.do(t, bc.method, bc.path, form)
			if res.StatusCode != bc.status || !strings.Contains(res.Body, unreadable) {
				t.Errorf("status %d, want %d with %q\n%.400s", res.StatusCode, bc.status, unreadable, res.Body)
			}
		})
	}
	// Nothing was done: the message is there and open, the request still
	// waits, the session still works, and no action but looking is audited.
	var handled, queued bool
	_ = s.db.Pool().QueryRow(ctx, `SELECT (SELECT handled_at IS NOT NULL FROM contact_message WHERE id = $1), (SELECT status = 'queued' FROM privacy_request WHERE id = $2)`, messageID, requestID).Scan(&handled, &queued)
	var projects int
	var published bool
	_ = s.db.Pool().QueryRow(ctx, `SELECT count(*), bool_or(published_at IS NOT NULL) FROM project`).Scan(&projects, &published)
	if projects != 1 || published {
		t.Errorf("%d projects, published %v: a project action went through", projects, published)
	}
	if handled || !queued {
		t.Errorf("handled %v, queued %v: an action went through", handled, queued)
	}
	if res := c.do(t, "GET", message, nil); res.StatusCode != http.StatusOK {
		t.Errorf("the message after the catalogue: %d", res.StatusCode)
	}
	for _, a := range s.auditActions(t) {
		if !strings.HasPrefix(a, "login") && !strings.HasPrefix(a, "read_message") {
			t.Errorf("audited %s", a)
		}
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("the catalogue caused errors in the log:\n%s", s.logs.String())
	}
}

// A NUL byte in the login's e-mail address reached PostgreSQL (a 500) and
// answered at once: it is refused in Dutch, with the address kept, after as
// long as any failed login.
func TestBadInput_ALoginWithUnreadableTextFailsInDutchAfterTheFloor(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	for name, form := range map[string]url.Values{
		"NUL in the address":           {"email": {"els\x00@conpro-bvba.be"}, "wachtwoord": {"een-lang-wachtwoord"}},
		"invalid UTF-8 in the address": {"email": {"els\xff@conpro-bvba.be"}, "wachtwoord": {"een-lang-wachtwoord"}},
		"NUL in the password":          {"email": {"els@conpro-bvba.be"}, "wachtwoord": {"een-lang\x00wachtwoord"}},
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			res := s.newClient(t).do(t, "POST", "/admin/login", form)
			took := time.Since(start)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, unreadable) || !strings.Contains(res.Body, `lang="nl"`) {
				t.Errorf("status %d, want 422 with %q\n%.400s", res.StatusCode, unreadable, res.Body)
			}
			if took < 250*time.Millisecond {
				t.Errorf("answered in %s, before the 250 ms every failed login takes", took)
			}
			if want := strings.ReplaceAll(strings.ToValidUTF8(form.Get("email"), "\uFFFD"), "\x00", "\uFFFD"); !strings.Contains(res.Body, `value="`+want+`"`) {
				t.Errorf("the address typed is not kept as %q", want)
			}
		})
	}
	if got := s.auditActions(t); len(got) != 0 {
		t.Errorf("audited %v", got)
	}
}

// A NUL byte in the inbox search reached PostgreSQL (a 500): it is refused
// in Dutch, with the search kept in its field.
func TestBadInput_AnInboxSearchWithANulByteIsRefusedWithTheTermKept(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	res := c.do(t, "GET", "/admin/berichten?zoek=a%00b", nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, unreadable) {
		t.Fatalf("status %d, want 422 with %q", res.StatusCode, unreadable)
	}
	if !strings.Contains(res.Body, `id="zoek" name="zoek" value="a`+"\uFFFD"+`b"`) {
		t.Error("the search is not kept in its field, with the character shown as \uFFFD")
	}
}

// A NUL byte in a staff member's note reached PostgreSQL (a 500): it is
// refused in Dutch, the note is kept in its field, and the request still
// waits.
func TestBadInput_ANoteWithANulByteIsRefusedWithTheNoteKept(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.confirm(t, s.request(t, url.Values{"soort": {"correctie"}, "email": {"an@example.be"}, "toelichting": {"Mijn naam is An."}}))
	var id int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM privacy_request`).Scan(&id)
	c := s.newClient(t)
	c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	res := c.do(t, "POST", fmt.Sprintf("/admin/verzoeken/%d/behandeld", id), url.Values{"notitie": {"naam\x00aangepast"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, unreadable) {
		t.Fatalf("status %d, want 422 with %q", res.StatusCode, unreadable)
	}
	if !strings.Contains(res.Body, `value="naam`+"\uFFFD"+`aangepast"`) {
		t.Error("the note is not kept in its field")
	}
	var status string
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT status FROM privacy_request WHERE id = $1`, id).Scan(&status)
	if status != "queued" {
		t.Errorf("the request is %s", status)
	}
}
