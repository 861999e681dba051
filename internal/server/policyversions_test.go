package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/consent"
	"conpro/web"
)

// policyDay is the day these tests run on: 3 December 2026, 10:00 in
// Brussels.
var policyDay = time.Date(2026, time.December, 3, 10, 0, 0, 0, brussels.Location())

// version3 is version 2 with one sentence changed and Google's e-mail
// row moved off the Privacy Shield, as staff would write it.
func version3(t *testing.T) string {
	t.Helper()
	seed, err := web.SeedText()
	if err != nil {
		t.Fatal(err)
	}
	md := seed.Markdown
	for old, new := range map[string]string{
		"Construct Professional bvba acht uw privacy van groot belang.": "Construct Professional bvba vindt uw privacy zeer belangrijk.",
		"| Google | E-mailverkeer | US (Privacy Shield) | G Suite |":    "| Google | E-mailverkeer | VS (EU-VS Data Privacy Framework) | Google Workspace |",
	} {
		if !strings.Contains(md, old) {
			t.Fatalf("version 2's Markdown lacks %q", old)
		}
		md = strings.Replace(md, old, new, 1)
	}
	return md
}

const v3Summary = "Google verwerkt e-mail nu onder het EU-VS Data Privacy Framework."

// policyText is the policy's text on a page, without the generated cookie
// declaration (which only the version in force shows).
func policyText(t *testing.T, body string) string {
	t.Helper()
	start := strings.Index(body, `<div class="policy-text">`)
	end := strings.Index(body, "</article>")
	if start < 0 || end < start {
		t.Fatalf("no policy text in %.300s", body)
	}
	text := body[start:end]
	return regexp.MustCompile(`(?s)<div class="declaration-generated".*?</table></div>(<p class="muted declaration-note">.*?</p>)?</div>`).ReplaceAllString(text, "")
}

func staffSite(t *testing.T, opts siteOptions) (*site, *staffClient) {
	t.Helper()
	s := newSite(t, opts)
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	if res := c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	return s, c
}

// writeDraft keeps a new draft through the editor and returns its address.
func writeDraft(t *testing.T, c *staffClient, form url.Values) string {
	t.Helper()
	res := c.do(t, http.MethodPost, "/admin/beleid/nieuw", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new draft: %d %s", res.StatusCode, plainText(res.Body))
	}
	loc := regexp.MustCompile(`^/admin/beleid/[0-9]+`).FindString(res.Header.Get("Location"))
	if loc == "" {
		t.Fatalf("new draft: went to %q", res.Header.Get("Location"))
	}
	return loc
}

func TestPolicyVersions_StaffWriteVersion3PreviewCompareAndPublishIt(t *testing.T) {
	now := policyDay
	s, c := staffSite(t, siteOptions{env: allVendors, now: func() time.Time { return now }})
	before := policyText(t, s.get(t, "/privacy/versies/2").Body)

	// The new draft starts from version 2.
	res := c.do(t, http.MethodGet, "/admin/beleid/nieuw", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(html.UnescapeString(res.Body), "acht uw privacy van groot belang") {
		t.Fatalf("new draft: %d, does not start from version 2", res.StatusCode)
	}
	draft := writeDraft(t, c, url.Values{"tekst": {version3(t)}, "samenvatting": {v3Summary}, "geldig_vanaf": {"2026-12-03"}, "daarna": {"voorbeeld"}})

	// Nothing is public before it is published.
	if strings.Contains(s.get(t, "/privacy").Body, "zeer belangrijk") {
		t.Fatal("a draft is public")
	}
	preview := plainText(c.do(t, http.MethodGet, draft+"/voorbeeld", nil).Body)
	for _, want := range []string{"Voorbeeld:", "Versie 3 — 3 december 2026", "Gewijzigd op 3 december 2026: " + v3Summary, "vindt uw privacy zeer belangrijk", "VS (EU-VS Data Privacy Framework)"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	compare := c.do(t, http.MethodGet, draft+"/vergelijken", nil).Body
	for _, want := range []string{"Weggevallen: </span>acht <", "Nieuw: </span>vindt <", "<del>Google · E-mailverkeer · US (Privacy Shield) · G Suite</del>"} {
		if !strings.Contains(compare, want) {
			t.Errorf("comparison lacks %q", want)
		}
	}
	confirm := c.do(t, http.MethodGet, draft+"/publiceren", nil).Body
	if !strings.Contains(confirm, "Ja, publiceer versie 3") || !strings.Contains(html.UnescapeString(confirm), "krijgen de vraag opnieuw") {
		t.Fatalf("the confirmation does not ask once more: %s", plainText(confirm))
	}
	res = c.do(t, http.MethodPost, draft+"/publiceren", url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/beleid?klaar=gepubliceerd&versie=3" {
		t.Fatalf("publish: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	page := s.get(t, "/privacy")
	text := plainText(page.Body)
	for _, want := range []string{"Versie 3 — 3 december 2026", "Gewijzigd op 3 december 2026: " + v3Summary + " Bekijk de wijzigingen", "vindt uw privacy zeer belangrijk"} {
		if !strings.Contains(text, want) {
			t.Errorf("/privacy lacks %q", want)
		}
	}
	if !strings.Contains(page.Body, `href="/privacy/versies/3#wijzigingen"`) {
		t.Error("the notice does not lead to the changes")
	}
	list := plainText(s.get(t, "/privacy/versies").Body)
	if !regexp.MustCompile(`Versie 3\s*3 december 2026\s*huidige versie\s*` + regexp.QuoteMeta(v3Summary) + `.*Versie 2\s*5 juni 2020`).MatchString(list) {
		t.Errorf("the versions page does not list 3 and 2: %s", list)
	}
	v2 := s.get(t, "/privacy/versies/2").Body
	if after := policyText(t, v2); after != before {
		t.Errorf("version 2's text changed when version 3 was published")
	}
	if !strings.Contains(plainText(v2), "Dit is een oudere versie. Versie 3 is van kracht.") {
		t.Error("version 2 does not say it was replaced")
	}
	v3 := s.get(t, "/privacy/versies/3").Body
	if !strings.Contains(v3, `id="wijzigingen"`) || !strings.Contains(v3, "<del>Google · E-mailverkeer · US (Privacy Shield) · G Suite</del>") ||
		!strings.Contains(v3, "<ins>Google · E-mailverkeer · VS (EU-VS Data Privacy Framework) · Google Workspace</ins>") {
		t.Error("version 3's page does not show what changed")
	}

	// Every step is in the audit log.
	actions := strings.Join(s.auditActions(t), " ")
	for _, want := range []string{"new_policy_draft:policy_text:", "preview_policy:policy_text:", "compare_policy:policy_text:", "publish_policy:policy_version:3"} {
		if !strings.Contains(actions, want) {
			t.Errorf("audit log lacks %s: %s", want, actions)
		}
	}
	// A published version cannot change, not even in the database.
	ctx := context.Background()
	if _, err := s.db.Pool().Exec(ctx, `UPDATE policy_text SET summary = 'stil gewijzigd' WHERE number = 3`); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Errorf("UPDATE of a published version: %v", err)
	}
	if _, err := s.db.Pool().Exec(ctx, `DELETE FROM policy_text WHERE number = 2`); err == nil {
		t.Error("DELETE of a published version succeeded")
	}
	var digest []byte
	if err := s.db.Pool().QueryRow(ctx, `SELECT content_sha256 FROM policy_version WHERE number = 3`).Scan(&digest); err != nil || len(digest) != 32 {
		t.Errorf("version 3 not recorded for the consent log: %v", err)
	}
	// The draft's address now leads to the published version.
	if res := c.do(t, http.MethodGet, draft, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/privacy/versies/3" {
		t.Errorf("published draft: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestPolicyVersions_AVisitorWhoGrantedUnderVersion2IsAskedAgainAndOneWhoRefusedIsNot(t *testing.T) {
	now := policyDay
	s, c := staffSite(t, siteOptions{env: allVendors, now: func() time.Time { return now }})
	at := now.Add(-24 * time.Hour).UTC().Truncate(time.Second)
	all := []consent.Category{consent.Analytics, consent.Advertising, consent.Social}
	vendors := []string{"google-analytics", "smartlook", "google-ads", "meta-pixel", "linkedin-insight", "social-widgets"}
	granted := consent.CookieName + "=" + s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 2, Categories: all, Vendors: vendors, Time: at})
	refused := consent.CookieName + "=" + s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 2, Time: at})

	// Both pages are kept by the page cache under version 2.
	if page := s.get(t, "/privacy", "Cookie", granted); hasBanner(page.Body) || !strings.Contains(page.Body, "googletagmanager") {
		t.Fatal("under version 2 an accept-all visitor is asked, or gets no vendor")
	}
	if page := s.get(t, "/", "Cookie", refused); hasBanner(page.Body) {
		t.Fatal("under version 2 a refusal is asked again")
	}
	draft := writeDraft(t, c, url.Values{"tekst": {version3(t)}, "samenvatting": {v3Summary}, "geldig_vanaf": {"2026-12-03"}})
	if res := c.do(t, http.MethodPost, draft+"/publiceren", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}

	for _, path := range []string{"/privacy", "/"} {
		page := s.get(t, path, "Cookie", granted)
		if !hasBanner(page.Body) || !strings.Contains(html.UnescapeString(page.Body), "Onze privacy- en cookie policy is gewijzigd") {
			t.Errorf("%s: a grant under version 2 is not asked again with the notice", path)
		}
		for _, host := range []string{"googletagmanager.com", "web-sdk.smartlook.com", "connect.facebook.net", "snap.licdn.com"} {
			if strings.Contains(page.Body, host) || strings.Contains(page.Header.Get("Content-Security-Policy"), host) {
				t.Errorf("%s: %s loads before the visitor chooses again", path, host)
			}
		}
		if page := s.get(t, path, "Cookie", refused); hasBanner(page.Body) {
			t.Errorf("%s: a refusal under version 2 is asked again before it expires", path)
		}
	}
	// A choice made now is recorded under version 3.
	res := s.postForm(t, "/consent", url.Values{"action": {"accept_all"}, "return_to": {"/"}}.Encode(), "Cookie", granted)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: %d", res.StatusCode)
	}
	if err := s.recorder.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var version int
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT policy_version FROM consent_event ORDER BY chosen_at DESC LIMIT 1`).Scan(&version); err != nil || version != 3 {
		t.Errorf("the new choice is logged under version %d (%v)", version, err)
	}
}

func TestPolicyVersions_AScheduledVersionTakesEffectWhenItsDayComes(t *testing.T) {
	now := policyDay
	s, c := staffSite(t, siteOptions{now: func() time.Time { return now }})
	draft := writeDraft(t, c, url.Values{"tekst": {version3(t)}, "samenvatting": {v3Summary}, "geldig_vanaf": {"2026-12-15"}})
	if confirm := plainText(c.do(t, http.MethodGet, draft+"/publiceren", nil).Body); !strings.Contains(confirm, "Op 15 december 2026. Tot dan blijft versie 2 van kracht.") {
		t.Fatalf("confirmation: %s", confirm)
	}
	res := c.do(t, http.MethodPost, draft+"/publiceren", url.Values{})
	if res.Header.Get("Location") != "/admin/beleid?klaar=gepland&versie=3" {
		t.Fatalf("publish: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if list := plainText(c.do(t, http.MethodGet, "/admin/beleid", nil).Body); !strings.Contains(list, "Gepland") || !strings.Contains(list, "Wordt van kracht op 15 december 2026.") {
		t.Errorf("staff list: %s", list)
	}
	if !strings.Contains(plainText(s.get(t, "/privacy").Body), "Versie 2 — 5 juni 2020") {
		t.Fatal("version 3 is in force before its day")
	}
	if res := s.get(t, "/privacy/versies/3"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a scheduled version is shown before its day: %d", res.StatusCode)
	}
	// A later version cannot take effect before it: numbers follow days.
	early := writeDraft(t, c, url.Values{"tekst": {version3(t)}, "samenvatting": {"Nog een wijziging."}, "geldig_vanaf": {"2026-12-10"}})
	res = c.do(t, http.MethodPost, early+"/publiceren", url.Values{})
	if text := html.UnescapeString(plainText(res.Body)); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, "Een eerder gepubliceerde versie wordt pas later van kracht.") {
		t.Fatalf("a version dated before the scheduled one: %d %s", res.StatusCode, text)
	}
	// 14 December, 23:59 in Brussels: still version 2; a minute later, 3.
	now = time.Date(2026, time.December, 14, 23, 59, 0, 0, brussels.Location())
	if !strings.Contains(plainText(s.get(t, "/privacy").Body), "Versie 2 — 5 juni 2020") {
		t.Fatal("version 3 is in force before its Belgian day")
	}
	now = now.Add(time.Minute)
	if !strings.Contains(plainText(s.get(t, "/privacy").Body), "Versie 3 — 15 december 2026") {
		t.Fatal("version 3 is not in force on its day")
	}
}

// Another instance (or the command line) publishes: this one learns it
// within policyTTL, without a restart, and serves no page of the version
// before from its cache.
func TestPolicyVersions_AVersionPublishedElsewhereIsInForceHereWithinSeconds(t *testing.T) {
	now := policyDay
	clock := func() time.Time { return now }
	a, c := staffSite(t, siteOptions{now: clock})
	b := newSite(t, siteOptions{dbURL: a.dbURL, now: clock})
	if !strings.Contains(plainText(b.get(t, "/privacy").Body), "Versie 2") {
		t.Fatal("instance b does not serve version 2")
	}
	draft := writeDraft(t, c, url.Values{"tekst": {version3(t)}, "samenvatting": {v3Summary}, "geldig_vanaf": {"2026-12-03"}})
	c.do(t, http.MethodPost, draft+"/publiceren", url.Values{})
	now = now.Add(6 * time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(plainText(b.get(t, "/privacy").Body), "Versie 3") {
		if time.Now().After(deadline) {
			t.Fatal("instance b still serves version 2")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPolicyVersions_AWrongDraftGetsDutchMessagesAndKeepsWhatWasTyped(t *testing.T) {
	s, c := staffSite(t, siteOptions{now: func() time.Time { return policyDay }})
	res := c.do(t, http.MethodPost, "/admin/beleid/nieuw", url.Values{"tekst": {"Geen titel <b>hier</b>"}, "samenvatting": {"Mijn samenvatting"}, "geldig_vanaf": {"15/12/2026"}})
	body := html.UnescapeString(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Begin de tekst met de titel op een regel die begint met #") ||
		!strings.Contains(body, "Vul een geldige datum in") ||
		!strings.Contains(body, "Geen titel <b>hier</b></textarea>") || !strings.Contains(body, "Mijn samenvatting</textarea>") || !strings.Contains(body, `value="15/12/2026"`) {
		t.Fatalf("%d %s", res.StatusCode, plainText(res.Body))
	}
	// A draft without summary or day is kept, but cannot be published.
	draft := writeDraft(t, c, url.Values{"tekst": {"# Titel\n\nTekst."}})
	confirm := plainText(c.do(t, http.MethodGet, draft+"/publiceren", nil).Body)
	if !strings.Contains(confirm, "Schrijf in de samenvatting wat er veranderde") || !strings.Contains(confirm, "Kies de datum") || strings.Contains(confirm, "Ja, publiceer") {
		t.Fatalf("confirmation of an incomplete draft: %s", confirm)
	}
	if res := c.do(t, http.MethodPost, draft+"/publiceren", url.Values{}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("publishing an incomplete draft: %d", res.StatusCode)
	}
	// A day in the past is refused too.
	if res := c.do(t, http.MethodPost, draft, url.Values{"tekst": {"# Titel\n\nTekst."}, "samenvatting": {"x"}, "geldig_vanaf": {"2026-12-02"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if confirm := plainText(c.do(t, http.MethodGet, draft+"/publiceren", nil).Body); !strings.Contains(confirm, "Kies vandaag of een latere datum") {
		t.Fatalf("a day in the past: %s", confirm)
	}
	if strings.Contains(s.get(t, "/privacy").Body, "Versie 3") {
		t.Fatal("an incomplete draft was published")
	}
}

func TestPolicyVersions_FrenchAndEnglishVisitorsReadATranslationWhereOneExists(t *testing.T) {
	s, c := staffSite(t, siteOptions{now: func() time.Time { return policyDay }})
	fr := "# Politique de confidentialité et de cookies\n\n## Cookies\n\nNous utilisons des cookies. Écrivez à info@conpro-bvba.be.\n\n[[cookietabel]]\n"
	draft := writeDraft(t, c, url.Values{"tekst": {version3(t)}, "tekst_fr": {fr}, "samenvatting": {v3Summary}, "geldig_vanaf": {"2026-12-03"}})

	// Before publishing, staff read the translation as a French visitor will.
	preview := c.do(t, http.MethodGet, draft+"/voorbeeld", nil).Body
	if !strings.Contains(preview, `href="`+draft+`/voorbeeld?taal=fr"`) || strings.Contains(preview, "?taal=en") {
		t.Errorf("the preview does not offer exactly the French translation: %s", plainText(preview))
	}
	preview = c.do(t, http.MethodGet, draft+"/voorbeeld?taal=fr", nil).Body
	if text := plainText(preview); !strings.Contains(text, "Politique de confidentialité et de cookies") || !strings.Contains(text, "Ceci est une traduction.") ||
		!strings.Contains(preview, `<html lang="fr"`) {
		t.Errorf("the French preview: %.600s", text)
	}
	c.do(t, http.MethodPost, draft+"/publiceren", url.Values{})

	french := s.get(t, "/privacy", "Accept-Language", "fr")
	text := plainText(french.Body)
	if !strings.Contains(text, "Politique de confidentialité et de cookies") || !strings.Contains(text, "Ceci est une traduction. Le texte néerlandais fait foi.") ||
		!strings.Contains(french.Body, `<article class="policy" lang="fr"`) || !strings.Contains(french.Body, `href="mailto:info@conpro-bvba.be"`) {
		t.Errorf("a French visitor does not read the translation: %.600s", text)
	}
	english := plainText(s.get(t, "/privacy", "Accept-Language", "en").Body)
	if !strings.Contains(english, "This policy is available in Dutch only.") || !strings.Contains(english, "zeer belangrijk") {
		t.Errorf("an English visitor does not read the Dutch text with the note: %.600s", english)
	}
	dutch := plainText(s.get(t, "/privacy").Body)
	if strings.Contains(dutch, "Politique") {
		t.Error("a Dutch visitor reads the translation")
	}
}

// Staff start a draft from what the site knows: its configured retention,
// its services, the pages for each right and the authority, each passage
// marked; it is not published until a person took every mark away.
func TestPolicyVersions_ADraftFromWhatTheSiteKnowsIsPublishedOnlyOnceEveryPassageWasRead(t *testing.T) {
	env := map[string]string{"CONPRO_RETAIN_CONTACT": "365d", "CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}
	s, c := staffSite(t, siteOptions{env: env, now: func() time.Time { return policyDay }})
	res := c.do(t, http.MethodGet, "/admin/beleid/nieuw?van=site", nil)
	body := html.UnescapeString(res.Body)
	for _, want := range []string{"Dit ontwerp schreef de site uit wat ze weet", "| 1 jaar |", "**Google Analytics** (Google", "[[partijen]]", "Gegevensbeschermingsautoriteit", "[[nakijken]]"} {
		if !strings.Contains(body, want) {
			t.Errorf("the suggested draft lacks %q", want)
		}
	}
	md := regexp.MustCompile(`(?s)<textarea[^>]*id="tekst"[^>]*>(.*?)</textarea>`).FindStringSubmatch(res.Body)
	if md == nil {
		t.Fatal("no text field")
	}
	text := html.UnescapeString(md[1])
	draft := writeDraft(t, c, url.Values{"tekst": {text}, "samenvatting": {"Volledig herschreven."}, "geldig_vanaf": {"2026-12-03"}})
	if res := c.do(t, http.MethodPost, draft+"/publiceren", url.Values{}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(html.UnescapeString(res.Body), "De tekst bevat nog passages met [[nakijken]]") {
		t.Fatalf("a suggestion still marked: %d", res.StatusCode)
	}
	read := strings.ReplaceAll(text, "[[nakijken]] ", "")
	c.do(t, http.MethodPost, draft, url.Values{"tekst": {read}, "samenvatting": {"Volledig herschreven."}, "geldig_vanaf": {"2026-12-03"}})
	if res := c.do(t, http.MethodPost, draft+"/publiceren", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish after reading: %d", res.StatusCode)
	}
	page := s.get(t, "/privacy")
	if !strings.Contains(page.Body, `<td data-label="Vestiging">US (Privacy Shield)</td>`) || !strings.Contains(plainText(page.Body), "Versie 3") {
		t.Errorf("the published suggestion lacks its services' table: %.300s", plainText(page.Body))
	}
}
