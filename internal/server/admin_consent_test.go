package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
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
		"Het privacybeleid waarnaar deze tekst verwees: versie " + strconv.Itoa(policy.Current().Number),
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
	if want := fmt.Sprintf("/privacy/versies/%d", policy.Current().Number); !slices.Equal(hrefs, []string{want}) {
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
		consentID, recordedAt, policy.Current().Number, bannerVersion)
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
