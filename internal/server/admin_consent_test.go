package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"conpro/internal/policy"
)

// signedIn is a staff client signed in as Els.
func signedIn(t *testing.T, s *site) *staffClient {
	t.Helper()
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	if res := c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	return c
}

// shownTexts returns, newest choice first, the text of each choice's
// "De tekst die de bezoeker zag" and the element that holds it.
func shownTexts(t *testing.T, body string) ([]string, []*html.Node) {
	t.Helper()
	var texts []string
	details := byClass(doc(t, body), "visitor-text")
	for _, d := range details {
		if d.Data != "details" {
			t.Fatalf("the text a visitor saw is in a <%s>, not a <details>", d.Data)
		}
		texts = append(texts, text(d))
	}
	return texts, details
}

func TestAdmin_TheConsentLookupShowsTheWordsEachVisitorSaw(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	id := consentVisitor(t, s) // chose analytics in the banner, then accepted all with GPC
	c := signedIn(t, s)
	res := c.do(t, "GET", "/admin/toestemmingen?id="+id, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("lookup: %d", res.StatusCode)
	}
	texts, details := shownTexts(t, res.Body)
	if len(texts) != 2 {
		t.Fatalf("%d choices with their text, want 2", len(texts))
	}
	latest, first := texts[0], texts[1]
	const gpcNotice = "Uw browser vraagt om u niet te volgen (Global Privacy Control of Do Not Track): advertentie- en social media cookies blijven daarom uit."
	for _, want := range []string{
		"De tekst die de bezoeker zag",
		"Zo stond de cookiebanner op het scherm (taal: Nederlands).",
		"De schakelaars staan zoals de bezoeker ze kreeg, voor hij koos.",
		"Cookies op deze website",
		gpcNotice,
		"Knop: Alleen analytische cookies toestaan",
		"Knop: Alles weigeren",
		"Schakelaar: altijd aan Technische & functionele cookies Altijd aan",
		"Schakelaar: uit Google Analytics Meet het gebruik van de website",
		"Schakelaar: uit Meta Pixel (Facebook)",
		"Knop: Keuze opslaan",
		"Het privacybeleid waarnaar deze tekst verwees: versie " + strconv.Itoa(policy.Seed().Number),
	} {
		if !strings.Contains(latest, want) {
			t.Errorf("the latest choice's text lacks %q:\n%s", want, latest)
		}
	}
	// The first choice was made without the signal: its banner said so.
	if strings.Contains(first, "Uw browser vraagt") || !strings.Contains(first, "Knop: Alles accepteren") || !strings.Contains(first, "Schakelaar: uit Smartlook") {
		t.Errorf("the first choice's text:\n%s", first)
	}
	// Shown as text in the visitor's language, with the policy version's
	// page; the archived HTML itself is not in the staff page.
	body := details[0]
	if inner := byClass(body, "visitor-text-body"); len(inner) != 1 || !hasAttrValue(inner[0], "lang", "nl") {
		t.Error("the visitor's words are not marked as Dutch")
	}
	var hrefs []string
	for _, a := range all(body, "a") {
		href, _ := attr(a, "href")
		hrefs = append(hrefs, href)
	}
	if want := fmt.Sprintf("/privacy/versies/%d", policy.Seed().Number); !slices.Equal(hrefs, []string{want}) {
		t.Errorf("the text's links are %q, want the policy version %s only", hrefs, want)
	}
	for _, tag := range []string{"form", "input", "button", "section", "h2"} {
		if n := len(all(body, tag)); n > 0 {
			t.Errorf("the archived HTML is rendered: %d <%s> in the text", n, tag)
		}
	}
	if strings.Contains(res.Body, `id="cookie-banner"`) || strings.Contains(res.Body, "consent-categories") {
		t.Error("the staff page carries the banner's markup")
	}
}

func hasAttrValue(n *html.Node, key, want string) bool {
	v, ok := attr(n, key)
	return ok && v == want
}

// insertEvent writes a choice straight into the log, as older servers did.
func insertEvent(t *testing.T, s *site, consentID, bannerVersion, recordedAt string) {
	t.Helper()
	_, err := s.db.Pool().Exec(context.Background(), `
		INSERT INTO consent_event (event_id, consent_id, chosen_at, recorded_at, policy_version, action, categories, vendors,
			banner_version, locale, path, gpc, client_network, user_agent)
		VALUES (gen_random_uuid(), $1, $2::timestamptz, $2::timestamptz, $3, 'reject_all', '{}', '{}', $4, 'nl', '/', false, NULL, 'Firefox')`,
		consentID, recordedAt, policy.Seed().Number, bannerVersion)
	if err != nil {
		t.Fatal(err)
	}
}

func TestAdmin_AChoiceWhoseTextIsNotArchivedSaysSoPlainly(t *testing.T) {
	s := newSite(t, siteOptions{})
	const id = "0MtTMcHzzLXFns2uc5Jy-g"
	// One made before the archive existed, one since whose text the
	// archive never got.
	insertEvent(t, s, id, "banner-nl-000000000000", "2020-01-02T10:00:00Z")
	insertEvent(t, s, id, "banner-nl-111111111111", "2099-01-02T10:00:00Z")
	c := signedIn(t, s)
	texts, _ := shownTexts(t, c.do(t, "GET", "/admin/toestemmingen?id="+id, nil).Body)
	if len(texts) != 2 {
		t.Fatalf("%d choices with their text, want 2", len(texts))
	}
	if want := "Van deze keuze is de tekst niet bewaard: ze werd gemaakt voor het archief bestond."; !strings.Contains(texts[1], want) {
		t.Errorf("the choice from before the archive says %q", texts[1])
	}
	if want := "De tekst van deze keuze staat niet in het archief"; !strings.Contains(texts[0], want) || strings.Contains(texts[0], "voor het archief bestond") {
		t.Errorf("the choice whose text is missing says %q", texts[0])
	}
}

// exported downloads the JSON record of a consent ID.
func exported(t *testing.T, c *staffClient, id string) (response, map[string]any) {
	t.Helper()
	res := c.do(t, "GET", "/admin/toestemmingen/"+id+".json", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d\n%.300s", res.StatusCode, res.Body)
	}
	var record map[string]any
	if err := json.Unmarshal([]byte(res.Body), &record); err != nil {
		t.Fatalf("the export is not JSON: %v\n%.300s", err, res.Body)
	}
	return res, record
}

func TestAdmin_TheConsentRecordExportsAsJSONWithWhatEachChoiceGaveAndSaw(t *testing.T) {
	env := map[string]string{"CONPRO_COMPANY_NUMBER": "0123.456.749"}
	for k, v := range allVendors {
		env[k] = v
	}
	s := newSite(t, siteOptions{env: env})
	id := consentVisitor(t, s) // chose analytics in the banner on /contact, then accepted all with GPC on /
	c := signedIn(t, s)
	lookup := c.do(t, "GET", "/admin/toestemmingen?id="+id, nil)
	link := byClass(doc(t, lookup.Body), "consent-export")
	if len(link) != 1 || !strings.Contains(text(link[0]), "Exporteren (JSON)") || !strings.Contains(lookup.Body, `href="/admin/toestemmingen/`+id+`.json"`) {
		t.Fatal("the lookup offers no export")
	}

	res, record := exported(t, c, id)
	if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt != "application/json" {
		t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="conpro-toestemmingsrecord-`+id+`.json"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	var versions []string
	rows, err := s.db.Pool().Query(context.Background(), `SELECT banner_version FROM consent_event WHERE consent_id = $1 ORDER BY chosen_at, recorded_at`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		_ = rows.Scan(&v)
		versions = append(versions, v)
	}
	policyURL := fmt.Sprintf("https://conpro-bouw.be/privacy/versies/%d", policy.Seed().Number)
	for path, want := range map[string]any{
		"schema_version":                  "conpro-consent-record-1",
		"pii_principal_id":                id,
		"pii_controllers.0.party_name":    "Construct Professional bvba",
		"pii_controllers.0.party_id":      "0123.456.749",
		"pii_controllers.0.party_address": "Eikelstraat 26, 2600 Berchem-Antwerpen, België",
		"pii_controllers.0.party_email":   "info@conpro-bvba.be",
		"jurisdiction":                    "BE",
		"withdrawal_method":               "https://conpro-bouw.be/cookies",

		"events.0.event_type":                                    "expressed_consent",
		"events.0.event_state":                                   "consent_given",
		"events.0.entity_id":                                     id,
		"events.0.action":                                        "save",
		"events.0.validity_duration":                             "P183D",
		"events.0.purposes.0.purpose_id":                         "analytics",
		"events.0.purposes.0.state":                              "given",
		"events.0.purposes.0.recipient_third_parties.0.party_id": "google-analytics",
		"events.0.purposes.0.recipient_third_parties.0.state":    "given",
		"events.0.purposes.1.purpose_id":                         "advertising",
		"events.0.purposes.1.state":                              "refused",
		"events.0.purposes.1.recipient_third_parties.1.service":  "Meta Pixel (Facebook)",
		"events.0.purposes.1.recipient_third_parties.1.state":    "refused",
		"events.0.notice.privacy_notice":                         policyURL,
		"events.0.notice.notice_version":                         versions[0],
		"events.0.notice.language":                               "nl",
		"events.0.notice.text_archived":                          true,
		"events.0.notice.text.0.text":                            "Cookies op deze website",
		"events.0.collection_method":                             "web_banner",
		"events.0.page":                                          "/contact",
		"events.0.privacy_signal":                                false,
		"events.0.network":                                       "127.0.0.0/24",
		"events.0.seal.state":                                    "intact",

		"events.1.action":                "accept_all",
		"events.1.event_state":           "consent_given",
		"events.1.purposes.0.state":      "given",
		"events.1.purposes.1.state":      "refused", // the signal keeps advertising refused
		"events.1.purposes.2.purpose_id": "social",
		"events.1.purposes.2.state":      "refused",
		"events.1.notice.notice_version": versions[1],
		"events.1.privacy_signal":        true,
		"events.1.page":                  "/",
		"events.1.seal.state":            "intact",
	} {
		if got := jsonPath(record, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if n := len(jsonPath(record, "events").([]any)); n != 2 {
		t.Errorf("%d events, want 2", n)
	}
	// The second choice's words: the notice the signal brought, and the
	// switches of every vendor.
	words, _ := json.Marshal(jsonPath(record, "events.1.notice.text"))
	for _, want := range []string{"Uw browser vraagt om u niet te volgen", `"text":"Google Ads"`, `"shown_on":false`, "Alleen analytische cookies toestaan"} {
		if !strings.Contains(string(words), want) {
			t.Errorf("the second choice's text lacks %s", want)
		}
	}
	if strings.Contains(res.Body, "<section") || strings.Contains(res.Body, `\u003c`) {
		t.Error("the record carries HTML")
	}
	if got := s.auditActions(t); got[len(got)-1] != "export_consent:consent_id:"+id {
		t.Errorf("the export is not audited: %v", got)
	}
}

// The fields docs/consent-record.md describes are the fields of the
// export, no more and no fewer.
func TestAdmin_TheConsentRecordHasTheFieldsItsDocumentDescribes(t *testing.T) {
	env := map[string]string{"CONPRO_COMPANY_NUMBER": "0123.456.749"}
	for k, v := range allVendors {
		env[k] = v
	}
	s := newSite(t, siteOptions{env: env})
	id := consentVisitor(t, s)
	_, record := exported(t, signedIn(t, s), id)
	inRecord := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, v := range x {
				inRecord[k] = true
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(record)

	md, err := os.ReadFile("../../docs/consent-record.md")
	if err != nil {
		t.Fatal(err)
	}
	inDoc := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(string(md), -1) {
		inDoc[m[1]] = true
	}
	var undocumented, missing []string
	for k := range inRecord {
		if !inDoc[k] {
			undocumented = append(undocumented, k)
		}
	}
	for k := range inDoc {
		if !inRecord[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(missing)
	if len(undocumented) > 0 || len(missing) > 0 {
		t.Errorf("fields the document does not describe: %v; fields it describes that the record lacks: %v", undocumented, missing)
	}
	// The staff area serves the same document.
	c := signedIn2(t, s)
	layout := c.do(t, "GET", "/admin/toestemmingen/opbouw", nil)
	if mt, _, _ := mime.ParseMediaType(layout.Header.Get("Content-Type")); layout.StatusCode != 200 || mt != "text/plain" || layout.Body != string(md) {
		t.Errorf("the layout page: %d %q", layout.StatusCode, layout.Header.Get("Content-Type"))
	}
}

// signedIn2 signs in a second staff member.
func signedIn2(t *testing.T, s *site) *staffClient {
	t.Helper()
	s.addStaff(t, "jan@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	c.login(t, "jan@conpro-bvba.be", "een-lang-wachtwoord")
	return c
}

func TestAdmin_TheConsentExportIsInTheAuditLogInPlainDutch(t *testing.T) {
	s := newSite(t, siteOptions{})
	_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	ch, _ := s.codec.Decode(cookie.Value)
	c := signedIn(t, s)
	exported(t, c, ch.ID)
	res := c.do(t, "GET", "/admin/audit", nil)
	var said []string
	for _, r := range auditRows(t, res.Body) {
		said = append(said, r[2])
	}
	if want := "Exporteerde de keuzes van toestemmings-ID " + ch.ID + " als JSON-bestand"; !slices.Contains(said, want) {
		t.Errorf("the audit log says %q, want %q among them", said, want)
	}
	// The filter offers the export as an action of its own.
	if !strings.Contains(res.Body, `<option value="export_consent">Toestemming exporteren</option>`) {
		t.Error("the audit filter does not offer the export")
	}
}

func TestAdmin_TheConsentExportNeedsAStaffLogin(t *testing.T) {
	s := newSite(t, siteOptions{})
	_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	ch, _ := s.codec.Decode(cookie.Value)
	c := s.newClient(t)
	for _, path := range []string{"/admin/toestemmingen/" + ch.ID + ".json", "/admin/toestemmingen/opbouw"} {
		res := c.do(t, "GET", path, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" || strings.Contains(res.Body, ch.ID) {
			t.Errorf("%s without a session: %d to %q", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if got := s.auditActions(t); len(got) != 0 {
		t.Errorf("audited %v", got)
	}
}

// An address that cannot name a consent ID is refused in Dutch with a 400,
// an ID with no choices is a 404; neither reaches the audit log as an
// export, and none is a 500.
func TestBadInput_TheConsentExportRefusesWhatCannotBeAnIDInItsAddress(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := signedIn(t, s)
	before := len(s.auditActions(t))
	for _, tc := range []struct {
		path   string
		status int
		says   string
	}{
		{"abc", http.StatusBadRequest, "Dit is geen toestemmings-ID"},
		{"0MtTMcHzzLXFns2uc5Jy-g0", http.StatusBadRequest, "Dit is geen toestemmings-ID"}, // 23 characters
		{"0MtTMcHzzLXFns2uc5Jy-h", http.StatusBadRequest, "Dit is geen toestemmings-ID"},  // its last bits set
		{"0MtTMcHzzLXFns2uc5J%00-g", http.StatusBadRequest, "Dit is geen toestemmings-ID"},
		{"0MtTMcHzzLXFns2uc5Jy%FF", http.StatusBadRequest, "Dit is geen toestemmings-ID"},
		{"x%27or%201=1", http.StatusBadRequest, "Dit is geen toestemmings-ID"},
		{"%3Cscript%3E", http.StatusBadRequest, "Dit is geen toestemmings-ID"},
		{strings.Repeat("A", 10<<10), http.StatusBadRequest, "Dit is geen toestemmings-ID"},
		{"", http.StatusBadRequest, "Dit is geen toestemmings-ID"},
		{"..%2F..%2Fetc%2Fpasswd", http.StatusNotFound, ""}, // no route: the ID stops at the first dot
		{"a.b", http.StatusNotFound, ""},
		{"0MtTMcHzzLXFns2uc5Jy-g", http.StatusNotFound, "Onder dit toestemmings-ID staat geen keuze"}, // a valid ID nobody chose under
	} {
		res := c.do(t, "GET", "/admin/toestemmingen/"+tc.path+".json", nil)
		if res.StatusCode != tc.status || !strings.Contains(res.Body, tc.says) {
			t.Errorf("%.40s: %d, want %d saying %q\n%.300s", tc.path, res.StatusCode, tc.status, tc.says, plainText(res.Body))
		}
		if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || res.Header.Get("Content-Disposition") != "" {
			t.Errorf("%.40s: a download", tc.path)
		}
	}
	if after := s.auditActions(t); len(after) != before {
		t.Errorf("refused exports were audited: %v", after[before:])
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("refused exports caused errors in the log:\n%s", s.logs.String())
	}
}

func jsonPath(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
