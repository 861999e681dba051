package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"conpro/internal/consent"
	"conpro/internal/pgtest"
	"conpro/internal/policy"
)

// Hosts of each category's vendors, as the CSP and the page must show them.
var (
	analyticsHosts   = []string{"https://www.googletagmanager.com", "https://web-sdk.smartlook.com"}
	advertisingHosts = []string{"https://connect.facebook.net", "https://snap.licdn.com", "https://www.googleadservices.com"}
	socialHosts      = []string{"https://platform.linkedin.com"}
)

// consentCookie returns the conpro_consent cookie a response sets.
func consentCookie(t *testing.T, res response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == consent.CookieName {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", consent.CookieName, res.Header.Values("Set-Cookie"))
	return nil
}

// choose posts a consent form and returns the response and its cookie.
func (s *site) choose(t *testing.T, form url.Values, header ...string) (response, *http.Cookie) {
	t.Helper()
	res := s.postForm(t, "/consent", form.Encode(), header...)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /consent %v: %d\n%.300s", form, res.StatusCode, res.Body)
	}
	return res, consentCookie(t, res)
}

func (s *site) events(t *testing.T, consentID string) []consent.Event {
	t.Helper()
	evs, err := s.db.ConsentEvents(context.Background(), consentID)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func hasBanner(body string) bool { return strings.Contains(body, `id="cookie-banner"`) }

// checkCSPMatchesPage asserts that the CSP allows each inline script on the
// page by its hash and each script source's host, and no other host than
// those of want; and that it never allows unsafe inline code.
func checkCSPMatchesPage(t *testing.T, res response, want []string) {
	t.Helper()
	csp := res.Header.Get("Content-Security-Policy")
	if strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP allows unsafe-inline: %s", csp)
	}
	for _, m := range regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(res.Body, -1) {
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("inline script %.60q is not allowed by the CSP", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`<script[^>]* src="(https://[^/"]+)`).FindAllStringSubmatch(res.Body, -1) {
		if !strings.Contains(csp, m[1]) {
			t.Errorf("script host %s is not in the CSP", m[1])
		}
	}
	for _, host := range regexp.MustCompile(`https://[^ ;]+`).FindAllString(csp, -1) {
		ok := false
		for _, w := range want {
			if strings.HasSuffix(host, strings.TrimPrefix(strings.TrimPrefix(w, "https://"), "*.")) || host == w {
				ok = true
			}
		}
		if !ok && !slices.Contains(vendorHostsAllowed(want), host) {
			t.Errorf("CSP allows %s, which this choice does not grant", host)
		}
	}
}

// vendorHostsAllowed expands the hosts of the granted categories into every
// host their vendors use (connect, img, frame), for checkCSPMatchesPage.
func vendorHostsAllowed(want []string) []string {
	all := map[string][]string{
		"https://www.googletagmanager.com": {"https://*.google-analytics.com", "https://*.analytics.google.com", "https://www.googletagmanager.com"},
		"https://web-sdk.smartlook.com":    {"https://*.smartlook.com", "https://*.smartlook.cloud"},
		"https://www.googleadservices.com": {"https://googleads.g.doubleclick.net", "https://www.google.com", "https://www.google.be", "https://td.doubleclick.net", "https://www.googletagmanager.com"},
		"https://connect.facebook.net":     {"https://www.facebook.com"},
		"https://snap.licdn.com":           {"https://px.ads.linkedin.com"},
		"https://platform.linkedin.com":    {"https://www.linkedin.com", "https://www.facebook.com", "https://static.xx.fbcdn.net", "https://static.licdn.com"},
	}
	var out []string
	for _, w := range want {
		out = append(out, all[w]...)
	}
	return out
}

func TestConsent_FirstVisitShowsTheBannerAndLoadsNoThirdParty(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	for _, p := range []string{"/", "/privacy", "/contact", "/bestaat-niet"} {
		res := s.get(t, p)
		if !hasBanner(res.Body) {
			t.Errorf("%s: no banner on a first visit", p)
		}
		checkCSPMatchesPage(t, res, nil)
		if strings.Contains(res.Body, "googletagmanager") || strings.Contains(res.Body, "fbevents") {
			t.Errorf("%s: vendor script without consent", p)
		}
	}
	if hasBanner(s.get(t, "/cookies").Body) {
		t.Error("banner on the settings page itself")
	}
}

func TestConsent_BannerButtonsAreEqualAndNothingIsPreTicked(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	body := s.get(t, "/").Body
	banner := body[strings.Index(body, `id="cookie-banner"`):]
	banner = banner[:strings.Index(banner, "</section>")]
	accept := regexp.MustCompile(`<button[^>]*value="accept_all"[^>]*>`).FindString(banner)
	reject := regexp.MustCompile(`<button[^>]*value="reject_all"[^>]*>`).FindString(banner)
	classOf := func(tag string) string { return regexp.MustCompile(`class="([^"]*)"`).FindStringSubmatch(tag)[1] }
	if accept == "" || reject == "" || classOf(accept) != classOf(reject) {
		t.Fatalf("accept %q and reject %q differ", accept, reject)
	}
	if strings.Index(banner, "accept_all") > strings.Index(banner, "reject_all") || strings.Index(banner, "reject_all") > strings.Index(banner, "<details") {
		t.Error("accept and reject are not side by side before the preferences")
	}
	if regexp.MustCompile(`name="(category|vendor)"[^>]*checked`).MatchString(banner) {
		t.Error("a switch is pre-ticked in the banner")
	}
	for _, want := range []string{`value="save"`, `name="return_to" value="/"`, `href="/privacy#cookies"`, `aria-labelledby="consent-title"`} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %s", want)
		}
	}
	for _, key := range []string{"google-analytics", "smartlook", "google-ads", "meta-pixel", "linkedin-insight", "social-widgets"} {
		if !strings.Contains(banner, `name="vendor" value="`+key+`"`) {
			t.Errorf("banner lacks a switch for %s", key)
		}
	}
}

// bannerOf returns the banner's markup in a page ("" without one).
func bannerOf(body string) string {
	i := strings.Index(body, `id="cookie-banner"`)
	if i < 0 {
		return ""
	}
	banner := body[i:]
	return banner[:strings.Index(banner, "</section>")]
}

// buttonLabels maps each consent action a page's buttons post (within the
// given markup) to the button's text.
func buttonLabels(markup string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<button[^>]*value="([a-z_]+)"[^>]*>(.*?)</button>`).FindAllStringSubmatch(markup, -1) {
		out[m[1]] = html.UnescapeString(strings.TrimSpace(m[2]))
	}
	return out
}

// The banner's first layer leads to the detailed choices one way: "Zelf
// kiezen" opens the switches in place. It has no second way (a link to the
// settings page), and no word the categories use ("Voorkeuren").
func TestConsent_TheBannerOffersOneWayToTheDetailedChoices(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	banner := bannerOf(s.get(t, "/").Body)
	if n := strings.Count(banner, "<details"); n != 1 {
		t.Fatalf("%d disclosures in the banner, want 1", n)
	}
	summary := regexp.MustCompile(`<summary>([^<]*)</summary>`).FindStringSubmatch(banner)
	if summary == nil || summary[1] != "Zelf kiezen" {
		t.Errorf("the details open under %q, want Zelf kiezen", summary)
	}
	if strings.Contains(banner, `href="/cookies"`) {
		t.Error("the banner also links to the settings page: two ways to the same choices")
	}
	if strings.Contains(banner, "Voorkeuren") {
		t.Error("the banner still says Voorkeuren")
	}
	save := regexp.MustCompile(`(?s)<button type="submit" class="button button-secondary">(.*?)</button>`).FindStringSubmatch(banner)
	if save == nil || save[1] != "Keuze opslaan" {
		t.Errorf("the switches are saved by %q, want Keuze opslaan", save)
	}
	if labels := buttonLabels(banner); labels["accept_all"] != "Alles accepteren" || labels["reject_all"] != "Alles weigeren" {
		t.Errorf("first-layer buttons %q", labels)
	}
	for lang, want := range map[string]string{"fr": "Personnaliser", "en": "Let me choose"} {
		banner := bannerOf(s.get(t, "/", "Accept-Language", lang).Body)
		if !strings.Contains(banner, "<summary>"+want+"</summary>") {
			t.Errorf("%s: the details do not open under %q", lang, want)
		}
	}
}

// With Global Privacy Control, "accept" keeps advertising and social media
// refused: the button says what it grants, on the banner and on the
// settings page, and is not offered when it would grant nothing.
func TestConsent_WithGPCTheAcceptButtonSaysWhatItGrants(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	for _, p := range []string{"/", "/cookies"} {
		body := s.get(t, p, "Sec-GPC", "1").Body
		form := body
		if p == "/" {
			form = bannerOf(body)
		}
		labels := buttonLabels(form)
		if labels["accept_all"] != "Alleen analytische cookies toestaan" {
			t.Errorf("%s with GPC: the accept button says %q", p, labels["accept_all"])
		}
		if strings.Contains(form, "Alles accepteren") {
			t.Errorf("%s with GPC still offers Alles accepteren", p)
		}
		if labels := buttonLabels(s.get(t, p).Body); labels["accept_all"] != "Alles accepteren" {
			t.Errorf("%s without GPC: the accept button says %q", p, labels["accept_all"])
		}
	}
	for lang, want := range map[string]string{"fr": "Accepter seulement les cookies analytiques", "en": "Allow analytics cookies only"} {
		if got := buttonLabels(bannerOf(s.get(t, "/", "Sec-GPC", "1", "Accept-Language", lang).Body))["accept_all"]; got != want {
			t.Errorf("%s with GPC: the accept button says %q, want %q", lang, got, want)
		}
	}
	// What the button says is what a click grants.
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}}, "Sec-GPC", "1")
	if ch, _ := s.codec.Decode(cookie.Value); !slices.Equal(ch.Categories, []consent.Category{consent.Analytics}) {
		t.Fatalf("the GPC accept button granted %v", ch.Categories)
	}

	// Without an analytics vendor, accepting under GPC would grant nothing:
	// no accept button, only the refusal and the switches.
	ads := newSite(t, siteOptions{env: map[string]string{"CONPRO_GOOGLE_ADS_ID": "AW-1234567"}})
	banner := bannerOf(ads.get(t, "/", "Sec-GPC", "1").Body)
	if labels := buttonLabels(banner); len(labels) != 1 || labels["reject_all"] != "Alles weigeren" || !strings.Contains(banner, "<summary>") {
		t.Errorf("GPC with only an advertising vendor: buttons %q", labels)
	}
	// Where GPC refuses nothing the site offers, accepting is accepting all.
	analytics := newSite(t, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}})
	if got := buttonLabels(bannerOf(analytics.get(t, "/", "Sec-GPC", "1").Body))["accept_all"]; got != "Alles accepteren" {
		t.Errorf("GPC with only an analytics vendor: the accept button says %q", got)
	}
}

// A choice made in the banner is confirmed on the page the visitor returns
// to: the redirect points at the page's confirmation, which every page of
// that consent state carries (so cached pages stay one copy for everyone),
// with a link to change the choice. Nothing of the visitor is in the address.
func TestConsent_AChoiceIsConfirmedOnThePageTheVisitorReturnsTo(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	if strings.Contains(s.get(t, "/privacy").Body, `id="keuze-bewaard"`) {
		t.Fatal("a first visit carries a confirmation")
	}
	res, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/privacy"}, "form": {"banner"}})
	if loc := res.Header.Get("Location"); loc != "/privacy#keuze-bewaard" {
		t.Fatalf("redirect to %q, want /privacy#keuze-bewaard", loc)
	}
	// What the browser asks for next: the path, without the fragment.
	page := s.get(t, "/privacy", "Cookie", cookie.Name+"="+cookie.Value)
	notice := regexp.MustCompile(`(?s)<div class="consent-saved" id="keuze-bewaard"[^>]*>.*?</div>\s*</div>`).FindString(page.Body)
	if !strings.Contains(notice, "Uw keuze is bewaard.") || !strings.Contains(notice, `<a href="/cookies">Keuze wijzigen</a>`) {
		t.Fatalf("the page after a choice lacks the confirmation with a link to change it:\n%s", notice)
	}
	if hasBanner(page.Body) {
		t.Fatal("the banner is back after a choice")
	}
	// The page is cached for this consent state: another visitor who
	// refused gets the same bytes.
	_, other := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	again := s.get(t, "/privacy", "Cookie", other.Name+"="+other.Value)
	if again.Header.Get("Etag") == "" || again.Header.Get("Etag") != page.Header.Get("Etag") {
		t.Errorf("the page after a choice is not one cached copy: ETag %q and %q", page.Header.Get("Etag"), again.Header.Get("Etag"))
	}
	// A choice on the settings page is confirmed there, without a link to
	// the page the visitor is on.
	res, cookie = s.choose(t, url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/cookies"}, "form": {"settings"}}, "Cookie", cookie.Name+"="+cookie.Value)
	if loc := res.Header.Get("Location"); loc != "/cookies#keuze-bewaard" {
		t.Fatalf("settings form: redirect to %q", loc)
	}
	settings := s.get(t, "/cookies", "Cookie", cookie.Name+"="+cookie.Value).Body
	if !strings.Contains(settings, `id="keuze-bewaard"`) || !strings.Contains(settings, "Uw keuze is bewaard.") || strings.Contains(settings, "Keuze wijzigen") {
		t.Error("the settings page does not confirm a choice made there, or links to itself")
	}
	if strings.Contains(s.get(t, "/cookies").Body, `id="keuze-bewaard"`) {
		t.Error("the settings page confirms a choice that was never made")
	}
}

// On the settings page refusing everything and withdrawing consent are one
// button: "Alles weigeren" while nothing is allowed, "Toestemming intrekken"
// while something is, and the log records which it was.
func TestConsent_TheSettingsPageHasOneButtonToRefuseEverything(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	refusing := func(cookie string) (action, label string) {
		t.Helper()
		var header []string
		if cookie != "" {
			header = []string{"Cookie", consent.CookieName + "=" + cookie}
		}
		page := s.get(t, "/cookies", header...).Body
		n := strings.Count(page, `value="withdraw"`) + strings.Count(page, `value="reject_all"`)
		if n != 1 {
			t.Fatalf("the settings page has %d buttons that refuse everything, want 1", n)
		}
		labels := buttonLabels(page)
		for _, a := range []string{"withdraw", "reject_all"} {
			if l, ok := labels[a]; ok {
				return a, l
			}
		}
		t.Fatal("the settings form has no refusing button")
		return "", ""
	}
	if a, l := refusing(""); a != "reject_all" || l != "Alles weigeren" {
		t.Errorf("without a choice: %s %q, want reject_all Alles weigeren", a, l)
	}
	_, c1 := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	a, l := refusing(c1.Value)
	if a != "withdraw" || l != "Toestemming intrekken" {
		t.Errorf("after accepting: %s %q, want withdraw Toestemming intrekken", a, l)
	}
	_, c2 := s.choose(t, url.Values{"action": {a}, "return_to": {"/cookies"}, "form": {"settings"}}, "Cookie", c1.Name+"="+c1.Value)
	a, l = refusing(c2.Value)
	if a != "reject_all" || l != "Alles weigeren" {
		t.Errorf("after withdrawing: %s %q, want reject_all Alles weigeren", a, l)
	}
	_, c3 := s.choose(t, url.Values{"action": {a}, "return_to": {"/cookies"}, "form": {"settings"}}, "Cookie", c2.Name+"="+c2.Value)
	ch, _ := s.codec.Decode(c3.Value)
	var actions []consent.Action
	for _, e := range s.events(t, ch.ID) {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []consent.Action{consent.AcceptAll, consent.Withdraw, consent.RejectAll}) {
		t.Fatalf("logged %v", actions)
	}
}

func TestConsent_OnlyConfiguredVendorsAreOffered(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}})
	body := s.get(t, "/").Body
	if !strings.Contains(body, `value="google-analytics"`) || strings.Contains(body, `value="smartlook"`) || strings.Contains(body, `value="meta-pixel"`) {
		t.Fatal("banner offers vendors that are not configured, or lacks the configured one")
	}
}

func TestConsent_AcceptAllRecordsOneRowSetsTheCookieAndLoadsEveryVendor(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	res, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/privacy?x=1"}},
		"User-Agent", "TestBrowser/1.0", "Accept-Language", "fr-BE")
	if res.Header.Get("Location") != "/privacy?x=1#keuze-bewaard" {
		t.Errorf("redirect to %q", res.Header.Get("Location"))
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.MaxAge < 150*24*3600 || cookie.Secure {
		t.Errorf("cookie attributes %+v", cookie)
	}
	ch, err := s.codec.Decode(cookie.Value)
	if err != nil {
		t.Fatal(err)
	}
	if !consent.ValidID(ch.ID) || ch.PolicyVersion != 2 || len(ch.Categories) != 3 {
		t.Fatalf("cookie choice %+v", ch)
	}
	evs := s.events(t, ch.ID)
	if len(evs) != 1 {
		t.Fatalf("%d rows, want 1", len(evs))
	}
	e := evs[0]
	if e.Action != consent.AcceptAll || e.PolicyVersion != 2 || len(e.Categories) != 3 || len(e.Vendors) != 6 ||
		e.Locale != "fr" || e.Path != "/privacy" || e.GPC || e.UserAgent != "TestBrowser/1.0" ||
		e.Network.String() != "127.0.0.0/24" || !strings.HasPrefix(e.BannerVersion, "banner-fr-") || time.Since(e.Time) > time.Minute {
		t.Fatalf("row %+v", e)
	}

	page := s.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value)
	if hasBanner(page.Body) {
		t.Error("banner after accepting")
	}
	checkCSPMatchesPage(t, page, append(append(slices.Clone(analyticsHosts), advertisingHosts...), socialHosts...))
	for _, want := range []string{"gtag/js?id=G-TEST1234", "'analytics_storage':'granted'", "'ad_storage':'granted'", "fbq('init','1234567890')", "insight.min.js", "smartlook('init','0123456789abcdef0123'", "facebook.com/plugins/share_button.php"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestConsent_RejectAllLoadsNothingAndTheBannerStaysAway(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	ch, _ := s.codec.Decode(cookie.Value)
	if len(ch.Categories) != 0 {
		t.Fatalf("categories %v after refusing", ch.Categories)
	}
	for _, p := range []string{"/", "/privacy", "/contact"} {
		res := s.get(t, p, "Cookie", cookie.Name+"="+cookie.Value)
		if hasBanner(res.Body) {
			t.Errorf("%s: the banner nags after a refusal", p)
		}
		checkCSPMatchesPage(t, res, nil)
		if strings.Contains(res.Body, "<script>") || strings.Contains(res.Body, "https://www.facebook.com/plugins") {
			t.Errorf("%s: a vendor loads after a refusal", p)
		}
	}
	if evs := s.events(t, ch.ID); len(evs) != 1 || evs[0].Action != consent.RejectAll || len(evs[0].Categories) != 0 || len(evs[0].Vendors) != 0 {
		t.Fatalf("rows %+v", evs)
	}
}

func TestConsent_SavingOnlyAnalyticsLoadsAnalyticsVendorsOnly(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, cookie := s.choose(t, url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/"}})
	res := s.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value)
	checkCSPMatchesPage(t, res, analyticsHosts)
	for _, h := range append(slices.Clone(advertisingHosts), socialHosts...) {
		if strings.Contains(res.Header.Get("Content-Security-Policy"), h) || strings.Contains(res.Body, h) {
			t.Errorf("analytics-only consent allows %s", h)
		}
	}
	if !strings.Contains(res.Body, "'analytics_storage':'granted'") || !strings.Contains(res.Body, "'ad_storage':'denied'") ||
		!strings.Contains(res.Body, "'ad_user_data':'denied'") || !strings.Contains(res.Body, "'ad_personalization':'denied'") {
		t.Error("Consent Mode signals do not match an analytics-only choice")
	}
	if !strings.Contains(res.Body, "Delen op Facebook") {
		t.Error("without social consent the share buttons are not plain links")
	}
}

func TestConsent_AVisitorCanAllowOneAnalyticsVendorAndNotAnother(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, cookie := s.choose(t, url.Values{"action": {"save"}, "vendor": {"google-analytics"}, "return_to": {"/"}})
	res := s.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value)
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "https://www.googletagmanager.com") || strings.Contains(csp, "smartlook") || strings.Contains(res.Body, "smartlook") {
		t.Fatalf("Google Analytics without Smartlook: CSP %s", csp)
	}
	ch, _ := s.codec.Decode(cookie.Value)
	evs := s.events(t, ch.ID)
	if len(evs) != 1 || !slices.Equal(evs[0].Vendors, []string{"google-analytics"}) || evs[0].Action != consent.Save {
		t.Fatalf("rows %+v", evs)
	}
	// The settings page shows the same: Google Analytics on, Smartlook off.
	cookies := s.get(t, "/cookies", "Cookie", cookie.Name+"="+cookie.Value).Body
	if !regexp.MustCompile(`value="google-analytics"[^>]*checked`).MatchString(cookies) || regexp.MustCompile(`value="smartlook"[^>]*checked`).MatchString(cookies) {
		t.Error("settings page does not reflect the per-vendor choice")
	}
}

func TestConsent_EveryClickAppendsExactlyOneRowAndTheHistoryShowsThem(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, c1 := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	_, c2 := s.choose(t, url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/cookies"}}, "Cookie", c1.Name+"="+c1.Value)
	_, c3 := s.choose(t, url.Values{"action": {"withdraw"}, "return_to": {"/cookies"}}, "Cookie", c2.Name+"="+c2.Value)
	ch1, _ := s.codec.Decode(c1.Value)
	ch3, _ := s.codec.Decode(c3.Value)
	if ch1.ID != ch3.ID {
		t.Fatalf("the consent ID changed from %s to %s", ch1.ID, ch3.ID)
	}
	evs := s.events(t, ch1.ID)
	var actions []consent.Action
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []consent.Action{consent.AcceptAll, consent.Save, consent.Withdraw}) {
		t.Fatalf("actions %v", actions)
	}
	page := s.get(t, "/cookies", "Cookie", c3.Name+"="+c3.Value).Body
	if !strings.Contains(page, ch1.ID) {
		t.Error("settings page does not show the consent ID")
	}
	rows := regexp.MustCompile(`(?s)<table class="stack history">.*?</table>`).FindString(page)
	for _, want := range []string{"Alles accepteren", "Zelf gekozen", "Toestemming ingetrokken"} {
		if !strings.Contains(rows, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	if n := strings.Count(rows, "<tr>") - 1; n != len(evs) {
		t.Errorf("history shows %d rows; the log has %d", n, len(evs))
	}
	// The log is append-only: the database refuses to change a row.
	if _, err := s.db.Pool().Exec(context.Background(), "UPDATE consent_event SET action = 'accept_all'"); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("UPDATE on the consent log: %v", err)
	}
}

func TestConsent_WithdrawingExpiresTheVendorCookies(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, c1 := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	cookies := c1.Name + "=" + c1.Value + "; _ga=GA1.1.1.1; _ga_TEST1234=GS1; _gid=GA1.1.2; _fbp=fb.1.2; li_fat_id=x; conpro_lang=nl"
	res, _ := s.choose(t, url.Values{"action": {"withdraw"}, "return_to": {"/cookies"}}, "Cookie", cookies)
	expired := map[string]bool{}
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			expired[c.Name] = true
		}
	}
	for _, name := range []string{"_ga", "_ga_TEST1234", "_gid", "_fbp", "li_fat_id"} {
		if !expired[name] {
			t.Errorf("%s not expired on withdrawal", name)
		}
	}
	if expired["conpro_lang"] || expired[consent.CookieName] {
		t.Error("withdrawal expired a functional cookie")
	}
	// The site's public host is conpro-bouw.be: scripts set their cookies
	// there, so the expiry is sent for that domain too.
	var domainExpiry bool
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "_ga=") && strings.Contains(v, "Domain=conpro-bouw.be") {
			domainExpiry = true
		}
	}
	if !domainExpiry {
		t.Error("no domain-wide expiry for _ga")
	}
}

func TestConsent_RefusingACategoryExpiresOnlyItsVendorsCookies(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	res, _ := s.choose(t, url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/"}}, "Cookie", "_ga=GA1.1.1.1; _fbp=fb.1.2")
	var expired []string
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 && !slices.Contains(expired, c.Name) {
			expired = append(expired, c.Name)
		}
	}
	if !slices.Equal(expired, []string{"_fbp"}) {
		t.Fatalf("expired %v, want only _fbp", expired)
	}
}

func TestConsent_GPCKeepsAdvertisingAndSocialRefused(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	banner := s.get(t, "/", "Sec-GPC", "1").Body
	if !strings.Contains(banner, "Global Privacy Control") {
		t.Error("banner does not say the browser's signal is respected")
	}
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}}, "Sec-GPC", "1")
	ch, _ := s.codec.Decode(cookie.Value)
	if !slices.Equal(ch.Categories, []consent.Category{consent.Analytics}) {
		t.Fatalf("accept all under GPC granted %v", ch.Categories)
	}
	evs := s.events(t, ch.ID)
	if len(evs) != 1 || !evs[0].GPC {
		t.Fatalf("rows %+v", evs)
	}
	res := s.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value, "Sec-GPC", "1")
	checkCSPMatchesPage(t, res, analyticsHosts)
	// An explicit tick still counts: the visitor chose it.
	_, cookie = s.choose(t, url.Values{"action": {"save"}, "category": {"advertising"}, "return_to": {"/"}}, "Sec-GPC", "1")
	if ch, _ := s.codec.Decode(cookie.Value); !slices.Equal(ch.Categories, []consent.Category{consent.Advertising}) {
		t.Fatalf("explicit advertising under GPC: %v", ch.Categories)
	}
}

func TestConsent_APolicyVersionChangeAsksAgain(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	old := s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 1, Categories: []consent.Category{consent.Analytics}, Time: time.Now().Add(-time.Hour)})
	res := s.get(t, "/", "Cookie", consent.CookieName+"="+old)
	if !hasBanner(res.Body) || !strings.Contains(res.Body, "is gewijzigd") || !strings.Contains(res.Body, `href="/privacy/versies"`) {
		t.Fatal("no banner with a policy-changed notice for a consent to version 1")
	}
	checkCSPMatchesPage(t, res, nil)
	if strings.Contains(res.Body, "googletagmanager") {
		t.Error("an outdated consent still loads vendors")
	}
}

func TestConsent_AnExpiredConsentAsksAgain(t *testing.T) {
	later := time.Now().Add(200 * 24 * time.Hour)
	s := newSite(t, siteOptions{env: allVendors, now: func() time.Time { return later }})
	old := s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 2, Categories: []consent.Category{consent.Analytics}, Time: time.Now()})
	res := s.get(t, "/", "Cookie", consent.CookieName+"="+old)
	if !hasBanner(res.Body) || strings.Contains(res.Body, "googletagmanager") {
		t.Fatal("a consent older than six months is still current")
	}
	fresh := s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 2, Categories: []consent.Category{consent.Analytics}, Time: later.Add(-24 * time.Hour)})
	if res := s.get(t, "/", "Cookie", consent.CookieName+"="+fresh); hasBanner(res.Body) {
		t.Fatal("a day-old consent is not current")
	}
}

func TestConsent_ForgedOrGarbledCookiesAreNoConsent(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	valid := s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 2, Categories: []consent.Category{consent.Analytics, consent.Advertising}, Time: time.Now()})
	forged := strings.Replace(valid, ".ad.", ".ads.", 1)
	other, _ := consent.NewCodec([]byte(strings.Repeat("k", 32)))
	for _, v := range []string{
		forged,
		other.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 2, Categories: []consent.Category{consent.Social}, Time: time.Now()}),
		"garbage", "", "1.....", strings.Repeat("x", 5000), "%ZZ", `"quoted"`, valid[:len(valid)-3],
	} {
		res := s.get(t, "/", "Cookie", consent.CookieName+"="+v)
		if res.StatusCode != 200 || !hasBanner(res.Body) || strings.Contains(res.Body, "googletagmanager") {
			t.Errorf("cookie %.40q: status %d, banner %v", v, res.StatusCode, hasBanner(res.Body))
		}
		if r := s.get(t, "/cookies/bewijs", "Cookie", consent.CookieName+"="+v); r.StatusCode != http.StatusNotFound {
			t.Errorf("receipt for cookie %.40q: %d", v, r.StatusCode)
		}
	}
}

func TestConsent_ReturnToNeverLeavesTheSite(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, rt := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:/evil.example", "\\/evil.example", "/%0d%0aLocation:%20https://evil.example"} {
		res, _ := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {rt}})
		// The fragment is the site's own confirmation (web.ChoiceSavedID).
		if loc := strings.TrimSuffix(res.Header.Get("Location"), "#keuze-bewaard"); loc != "/" && !strings.HasPrefix(loc, "/%") {
			t.Errorf("return_to %q redirects to %q", rt, loc)
		}
	}
}

func TestConsent_BadFormsAreClean4xx(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	for _, form := range []string{"action=maybe", "action=save&category=tracking", "action=save&vendor=evil-corp", "", "action=accept_all&return_to=%zz"} {
		res := s.postForm(t, "/consent", form)
		if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusSeeOther {
			t.Errorf("%q: %d", form, res.StatusCode)
		}
		if res.StatusCode == http.StatusBadRequest && !strings.Contains(res.Body, "Ongeldig verzoek") {
			t.Errorf("%q: 400 without the Dutch page", form)
		}
	}
	if res := s.postForm(t, "/consent", "action=maybe"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown action: %d", res.StatusCode)
	}
	if res := s.postForm(t, "/consent", "action=accept_all", "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden || len(res.Cookies()) != 0 {
		t.Errorf("cross-site consent post: %d", res.StatusCode)
	}
}

func TestConsent_ReceiptDownloadsTheChoicesAsJSON(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, c1 := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	_, c2 := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}}, "Cookie", c1.Name+"="+c1.Value)
	res := s.get(t, "/cookies/bewijs", "Cookie", c2.Name+"="+c2.Value)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("receipt: %d %v", res.StatusCode, res.Header)
	}
	var rc struct {
		ConsentID string `json:"consent_id"`
		Current   struct {
			PolicyVersion int      `json:"policy_version"`
			Categories    []string `json:"categories"`
			Current       bool     `json:"current"`
		} `json:"current_choice"`
		History []struct {
			EventID string `json:"event_id"`
			Action  string `json:"action"`
			Network string `json:"network"`
		} `json:"history"`
		Cookie string `json:"cookie"`
	}
	if err := json.Unmarshal([]byte(res.Body), &rc); err != nil {
		t.Fatal(err)
	}
	ch, _ := s.codec.Decode(c2.Value)
	if rc.ConsentID != ch.ID || rc.Current.PolicyVersion != 2 || len(rc.Current.Categories) != 0 || !rc.Current.Current ||
		len(rc.History) != 2 || rc.History[0].Action != "accept_all" || rc.History[1].Action != "reject_all" ||
		rc.History[0].Network != "127.0.0.0/24" || rc.Cookie != "" {
		t.Fatalf("receipt %+v", rc)
	}
	// The receipt is proof, not a key: nothing in it works as the cookie
	// (which would let its holder have the log exported or erased).
	_, signature, _ := strings.Cut(c2.Value[strings.LastIndexByte(c2.Value, '.'):], ".")
	if strings.Contains(res.Body, c2.Value) || strings.Contains(res.Body, signature) {
		t.Fatal("the receipt carries the consent cookie or its signature")
	}
	if r := s.get(t, "/cookies/bewijs"); r.StatusCode != http.StatusNotFound {
		t.Errorf("receipt without a consent: %d", r.StatusCode)
	}
}

func TestConsent_DatabaseDownTheClickStillTakesEffectAndIsSpooled(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors, dbDown: true})
	res, cookie := s.choose(t, url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/privacy"}})
	if res.Header.Get("Location") != "/privacy#keuze-bewaard" {
		t.Fatalf("redirect %q", res.Header.Get("Location"))
	}
	if s.recorder.Spooled() != 1 {
		t.Fatalf("%d choices spooled, want 1", s.recorder.Spooled())
	}
	page := s.get(t, "/privacy", "Cookie", cookie.Name+"="+cookie.Value)
	if page.StatusCode != 200 || hasBanner(page.Body) || !strings.Contains(page.Body, "googletagmanager") {
		t.Fatal("the choice does not take effect while the database is down")
	}
	settings := s.get(t, "/cookies", "Cookie", cookie.Name+"="+cookie.Value)
	if settings.StatusCode != 200 || !strings.Contains(settings.Body, "kan nu niet getoond worden") {
		t.Fatalf("settings page with the database down: %d", settings.StatusCode)
	}
}

// TestConsent_AnOutageLosesNoChoice cuts the database off while visitors
// click, brings it back, and finds every acknowledged choice in the log
// exactly once.
func TestConsent_AnOutageLosesNoChoice(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	s.recorder.DirectTimeout = time.Second
	_, before := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})

	end := pgtest.Outage(t, s.dbURL)
	var during []*http.Cookie
	for range 3 {
		_, c := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
		during = append(during, c)
	}
	if s.recorder.Spooled() != 3 {
		t.Fatalf("%d spooled during the outage, want 3", s.recorder.Spooled())
	}
	end()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for s.recorder.Spooled() > 0 {
		if err := s.recorder.Flush(ctx); err != nil && ctx.Err() != nil {
			t.Fatalf("spool not replayed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A second replay finds nothing to add.
	if err := s.recorder.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range append(during, before) {
		ch, _ := s.codec.Decode(c.Value)
		if evs := s.events(t, ch.ID); len(evs) != 1 {
			t.Errorf("consent %s: %d rows, want 1", ch.ID, len(evs))
		}
	}
}

// TestConsent_StoppingAndRestartingPostgresLosesNoChoice stops the database
// server itself while visitors click, starts it again, and finds every
// acknowledged choice in the log exactly once.
func TestConsent_StoppingAndRestartingPostgresLosesNoChoice(t *testing.T) {
	cluster := pgtest.NewCluster(t)
	s := newSite(t, siteOptions{env: allVendors, dbURL: cluster.URL()})
	s.recorder.DirectTimeout = time.Second
	_, before := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})

	cluster.Stop()
	var during []*http.Cookie
	for _, action := range []string{"reject_all", "accept_all", "withdraw"} {
		res, c := s.choose(t, url.Values{"action": {action}, "return_to": {"/privacy"}})
		if res.Header.Get("Location") != "/privacy#keuze-bewaard" {
			t.Fatalf("%s while stopped: redirect %q", action, res.Header.Get("Location"))
		}
		during = append(during, c)
	}
	if page := s.get(t, "/privacy", "Cookie", during[1].Name+"="+during[1].Value); page.StatusCode != 200 || hasBanner(page.Body) {
		t.Fatalf("page while stopped: %d", page.StatusCode)
	}
	if s.recorder.Spooled() != 3 {
		t.Fatalf("%d spooled while stopped, want 3", s.recorder.Spooled())
	}
	cluster.Start()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for s.recorder.Spooled() > 0 {
		if err := s.recorder.Flush(ctx); err != nil && ctx.Err() != nil {
			t.Fatalf("spool not replayed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i, c := range append(during, before) {
		ch, _ := s.codec.Decode(c.Value)
		if evs := s.events(t, ch.ID); len(evs) != 1 {
			t.Errorf("choice %d (%s): %d rows, want 1", i, ch.ID, len(evs))
		}
	}
}

// Without JavaScript, the settings form must mean what it shows: a granted
// category is its own ticked switch (its vendors' switches stay off), so
// unticking it refuses the whole category.
func TestConsent_UntickingACategoryOnTheSettingsPageRefusesItWithoutJavaScript(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	page := s.get(t, "/cookies", "Cookie", cookie.Name+"="+cookie.Value).Body
	form := regexp.MustCompile(`(?s)<form[^>]*settings-form.*?</form>`).FindString(page)
	if regexp.MustCompile(`name="vendor"[^>]*checked`).MatchString(form) {
		t.Fatal("vendor switches are ticked for wholly granted categories")
	}
	if n := len(regexp.MustCompile(`name="category"[^>]*checked`).FindAllString(form, -1)); n != 3 {
		t.Fatalf("%d category switches ticked, want 3", n)
	}
	// What a browser without JavaScript posts after unticking analytics:
	// the other two categories, no vendors.
	_, cookie = s.choose(t, url.Values{"action": {"save"}, "category": {"advertising", "social"}, "return_to": {"/cookies"}}, "Cookie", cookie.Name+"="+cookie.Value)
	ch, _ := s.codec.Decode(cookie.Value)
	if ch.Grants(consent.Analytics) || !ch.Grants(consent.Advertising) {
		t.Fatalf("after unticking analytics: %v %v", ch.Categories, ch.Vendors)
	}
	res := s.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value)
	if strings.Contains(res.Header.Get("Content-Security-Policy"), "googletagmanager") && !strings.Contains(res.Header.Get("Content-Security-Policy"), "googleadservices") {
		t.Fatal("analytics still loads")
	}
	if strings.Contains(res.Body, "smartlook") {
		t.Fatal("Smartlook still loads after analytics was refused")
	}
	// A partial category shows its vendors one by one.
	_, cookie = s.choose(t, url.Values{"action": {"save"}, "vendor": {"smartlook"}, "return_to": {"/cookies"}}, "Cookie", cookie.Name+"="+cookie.Value)
	form = regexp.MustCompile(`(?s)<form[^>]*settings-form.*?</form>`).FindString(s.get(t, "/cookies", "Cookie", cookie.Name+"="+cookie.Value).Body)
	if !regexp.MustCompile(`value="smartlook"[^>]*checked`).MatchString(form) || regexp.MustCompile(`value="google-analytics"[^>]*checked`).MatchString(form) {
		t.Fatal("a per-vendor choice is not shown vendor by vendor")
	}
}

// A vendor configured after the visitor chose was not part of that choice.
func TestConsent_AVendorAddedLaterIsNotCoveredByAnEarlierConsent(t *testing.T) {
	before := newSite(t, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}})
	_, cookie := before.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	after := newSite(t, siteOptions{env: allVendors})
	res := after.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value)
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "googletagmanager") {
		t.Fatalf("the consented vendor no longer loads: %s", csp)
	}
	scripts := strings.Join(regexp.MustCompile(`(?s)<script.*?</script>|<iframe[^>]*>`).FindAllString(res.Body, -1), "\n")
	for _, h := range []string{"smartlook", "facebook", "licdn", "linkedin", "AW-1234567"} {
		if strings.Contains(csp, h) || strings.Contains(scripts, h) {
			t.Errorf("%s loads without having been offered", h)
		}
	}
}

func TestConsent_WithdrawingClearsTheVendorsStorage(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, c1 := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	res, _ := s.choose(t, url.Values{"action": {"withdraw"}, "return_to": {"/cookies"}, "form": {"settings"}}, "Cookie", c1.Name+"="+c1.Value)
	if res.Header.Get("Clear-Site-Data") != `"storage"` {
		t.Fatalf("Clear-Site-Data %q", res.Header.Get("Clear-Site-Data"))
	}
	ch, _ := s.codec.Decode(consentCookie(t, res).Value)
	evs := s.events(t, ch.ID)
	if len(evs) != 2 || !strings.HasPrefix(evs[0].BannerVersion, "banner-nl-") || !strings.HasPrefix(evs[1].BannerVersion, "settings-nl-") {
		t.Fatalf("shown versions %q, %q", evs[0].BannerVersion, evs[1].BannerVersion)
	}
	// Accepting more clears nothing.
	res, _ = s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}}, "Cookie", consent.CookieName+"="+consentCookie(t, res).Value)
	if res.Header.Get("Clear-Site-Data") != "" {
		t.Fatal("Clear-Site-Data on a grant")
	}
}

// A grant needs its proof: when neither the database nor the spool can keep
// the choice, a grant does not take effect (a refusal still does).
func TestConsent_AGrantThatCannotBeRecordedDoesNotTakeEffect(t *testing.T) {
	spool := t.TempDir()
	s := newSite(t, siteOptions{env: allVendors, dbDown: true, spoolDir: spool})
	// The spool folder becomes unusable (a file where the folder was).
	if err := os.RemoveAll(spool); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spool, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := s.postForm(t, "/consent", url.Values{"action": {"accept_all"}, "return_to": {"/"}}.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: a banner click must not show an error", res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == consent.CookieName {
			t.Fatal("a grant without a record set the consent cookie")
		}
	}
	if loc := res.Header.Get("Location"); strings.Contains(loc, "#") {
		t.Errorf("a grant that did not take effect is confirmed: redirect to %q", loc)
	}
	res, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	if ch, err := s.codec.Decode(cookie.Value); err != nil || !ch.RefusesAll() {
		t.Fatalf("refusal: %+v %v (%d)", ch, err, res.StatusCode)
	}
}

func TestConsent_ANewerPolicyVersionFromAnotherInstanceCountsAsCurrent(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	newer := s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 3, Time: time.Now()})
	if res := s.get(t, "/", "Cookie", consent.CookieName+"="+newer); hasBanner(res.Body) {
		t.Fatal("a consent to a newer policy version shows the banner")
	}
}

func TestConsent_PagesAreNotForSharedCaches(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	for _, p := range []string{"/", "/privacy"} {
		res := s.get(t, p, "Cookie", cookie.Name+"="+cookie.Value)
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("%s: Cache-Control %q lets a CDN keep a consented page", p, cc)
		}
	}
}

func TestConsent_TheCookiesPageDeclaresTheConsentCookiesRealLifetime(t *testing.T) {
	s := newSite(t, siteOptions{})
	_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/cookies"}})
	months := cookie.MaxAge / (24 * 3600) / 30
	if months < 12 {
		t.Fatalf("the consent cookie lives %d s", cookie.MaxAge)
	}
	page := s.get(t, "/cookies", "Cookie", cookie.Name+"="+cookie.Value).Body
	row := regexp.MustCompile(`(?s)<code>` + consent.CookieName + `</code>.*?</tr>`).FindString(page)
	want := fmt.Sprintf(">%d maanden</td>", months)
	if !strings.Contains(row, want) || !strings.Contains(row, "Uw keuze geldt 6 maanden") {
		t.Fatalf("the row of %s does not say %q and that the choice counts 6 months:\n%s", consent.CookieName, want, row)
	}
}

func TestConsent_PagesWithPersonalDataCarryNoVendorScripts(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	everyHost := append(append(slices.Clone(analyticsHosts), advertisingHosts...), socialHosts...)
	for _, p := range []string{"/contact", "/cookies", "/privacy/verzoek", "/privacy/verzoek/verstuurd", "/privacy/verzoek/bevestig?t=x", "/admin/login"} {
		res := s.get(t, p, "Cookie", cookie.Name+"="+cookie.Value)
		if res.StatusCode >= 500 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
		checkCSPMatchesPage(t, res, nil)
		if strings.Contains(res.Body, "gtag/js") || strings.Contains(res.Body, "smartlook('init'") || strings.Contains(res.Body, "fbq('init'") {
			t.Errorf("%s carries a vendor script despite personal data on it", p)
		}
	}
	for _, p := range []string{"/", "/contact/bedankt"} {
		res := s.get(t, p, "Cookie", cookie.Name+"="+cookie.Value)
		checkCSPMatchesPage(t, res, everyHost)
		if !strings.Contains(res.Body, "gtag/js") {
			t.Errorf("%s lacks the scripts the visitor allowed", p)
		}
	}
}

func withEnv(base map[string]string, kv ...string) map[string]string {
	env := maps.Clone(base)
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

func (s *site) consentRows(t *testing.T) int {
	t.Helper()
	var n int
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM consent_event`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func setsConsentCookie(res response) bool {
	for _, c := range res.Cookies() {
		if c.Name == consent.CookieName {
			return true
		}
	}
	return false
}

// Every choice is kept for five years: one client gets 60 a minute. The
// 61st is refused with a Dutch page, and neither stored nor set, so the
// visitor is never told a choice was saved that was not.
func TestConsent_TheSixtyFirstChoiceInAMinuteIs429AndNotStored(t *testing.T) {
	start := time.Now()
	clock := start
	s := newSite(t, siteOptions{env: withEnv(allVendors, "CONPRO_TRUSTED_PROXIES", "127.0.0.1"), now: func() time.Time { return clock }})
	_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}}, "X-Forwarded-For", "2001:db8:7::1")
	for i := 2; i <= 60; i++ {
		// Another address of the same /64 is the same client.
		s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}}, "X-Forwarded-For", fmt.Sprintf("2001:db8:7::%x", i))
	}
	if n := s.consentRows(t); n != 60 {
		t.Fatalf("%d rows after 60 choices", n)
	}
	res := s.postForm(t, "/consent", url.Values{"action": {"accept_all"}, "return_to": {"/"}}.Encode(),
		"X-Forwarded-For", "2001:db8:7::ffff", "Cookie", cookie.Name+"="+cookie.Value)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("61st choice: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if !strings.Contains(html.UnescapeString(res.Body), "Deze keuze is daarom niet bewaard") {
		t.Errorf("the 429 page does not say in Dutch that the choice was not saved:\n%.500s", res.Body)
	}
	if len(res.Header.Values("Set-Cookie")) != 0 || res.Header.Get("Clear-Site-Data") != "" {
		t.Errorf("the refused choice set %v %q", res.Header.Values("Set-Cookie"), res.Header.Get("Clear-Site-Data"))
	}
	if n := s.consentRows(t); n != 60 {
		t.Fatalf("%d rows after a refused 61st choice, want 60", n)
	}
	// The earlier choice still holds.
	if page := s.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value); hasBanner(page.Body) || strings.Contains(page.Body, "googletagmanager") {
		t.Error("the refused grant took effect, or the earlier refusal was lost")
	}
	// Another client, and the same client a minute later, choose again.
	s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}}, "X-Forwarded-For", "2001:db8:8::1")
	clock = start.Add(time.Minute)
	s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}}, "X-Forwarded-For", "2001:db8:7::1")
	if n := s.consentRows(t); n != 62 {
		t.Fatalf("%d rows, want 62", n)
	}
}

// A load test turns the limit off with 0.
func TestConsent_RateZeroMeansNoLimit(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_CONSENT_RATE": "0"}})
	for range 80 {
		s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	}
	if n := s.consentRows(t); n != 80 {
		t.Fatalf("%d rows, want 80", n)
	}
}

// While the database is down choices wait in the spool, but not without
// end: a full spool refuses the choice with a Dutch 503 and sets nothing.
func TestConsent_AFullSpoolRefusesAGrantWith503ButAWithdrawalTakesEffect(t *testing.T) {
	s := newSite(t, siteOptions{env: withEnv(allVendors, "CONPRO_SPOOL_MAX", "2")})
	s.recorder.DirectTimeout = time.Second
	end := pgtest.Outage(t, s.dbURL)
	_, granted := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	if n := s.recorder.Spooled(); n != 2 {
		t.Fatalf("%d spooled, want 2", n)
	}
	res := s.postForm(t, "/consent", url.Values{"action": {"accept_all"}, "return_to": {"/"}}.Encode(),
		"Cookie", granted.Name+"="+granted.Value+"; _ga=GA1.1.1.1")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a grant into a full spool: %d, want 503", res.StatusCode)
	}
	if !strings.Contains(html.UnescapeString(res.Body), "kon uw cookiekeuze nu niet bewaard worden") {
		t.Errorf("the 503 page does not say in Dutch that the choice was not saved:\n%.500s", res.Body)
	}
	// An error page: no vendor script, although the cookie grants them all.
	withoutVendor(t, "503", res)
	if setsConsentCookie(res) || len(res.Header.Values("Set-Cookie")) != 0 || res.Header.Get("Clear-Site-Data") != "" {
		t.Errorf("a grant that could not be kept set %v %q", res.Header.Values("Set-Cookie"), res.Header.Get("Clear-Site-Data"))
	}
	// A withdrawal takes effect even unrecorded: the visitor's "no" must
	// not wait for our database.
	res = s.postForm(t, "/consent", url.Values{"action": {"withdraw"}, "return_to": {"/"}}.Encode(),
		"Cookie", granted.Name+"="+granted.Value+"; _ga=GA1.1.1.1")
	if res.StatusCode != http.StatusSeeOther || !setsConsentCookie(res) || !strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), " "), "_ga=;") {
		t.Fatalf("a withdrawal into a full spool: %d %v, want 303 with the refusing cookie and _ga expired", res.StatusCode, res.Header.Values("Set-Cookie"))
	}
	if n := s.recorder.Spooled(); n != 2 {
		t.Fatalf("%d spooled after the full spool's answers, want 2", n)
	}
	end()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for s.recorder.Spooled() > 0 {
		if err := s.recorder.Flush(ctx); err != nil && ctx.Err() != nil {
			t.Fatalf("spool not replayed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := s.consentRows(t); n != 2 {
		t.Fatalf("%d rows after the outage, want the 2 acknowledged choices", n)
	}
	// With room again, choices are taken.
	s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
}

// A load balancer may pass on a CF-Connecting-IP the client wrote: it counts
// only when the site says it is behind Cloudflare.
func TestConsent_CFConnectingIPCountsOnlyBehindCloudflare(t *testing.T) {
	for cloudflare, want := range map[string]string{"false": "203.0.113.0/24", "true": "198.51.100.0/24"} {
		s := newSite(t, siteOptions{env: map[string]string{"CONPRO_TRUSTED_PROXIES": "127.0.0.1", "CONPRO_CLOUDFLARE": cloudflare}})
		_, cookie := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}},
			"CF-Connecting-IP", "198.51.100.7", "X-Forwarded-For", "203.0.113.9")
		ch, _ := s.codec.Decode(cookie.Value)
		if evs := s.events(t, ch.ID); len(evs) != 1 || evs[0].Network.String() != want {
			t.Errorf("CONPRO_CLOUDFLARE=%s: logged %+v, want the network %s", cloudflare, evs, want)
		}
	}
}

// The exact words a visitor saw when choosing are archived under the
// version the log records, once, so the proof of a choice shows them.
func TestConsent_TheTextAVisitorChoseOnIsArchivedUnderItsVersion(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, c := s.choose(t, url.Values{"action": {"reject_all"}, "return_to": {"/"}})
	s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}}, "Cookie", c.Name+"="+c.Value)
	ch, err := s.codec.Decode(c.Value)
	if err != nil {
		t.Fatal(err)
	}
	evs := s.events(t, ch.ID)
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	body, err := s.db.ConsentText(context.Background(), evs[0].BannerVersion)
	if err != nil || !strings.Contains(body, "Alles weigeren") || !strings.Contains(body, "Google Analytics") {
		t.Fatalf("archived text of %s: %v %.300q", evs[0].BannerVersion, err, body)
	}
	var n int
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM consent_text`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d archived texts (%v), want the one banner once", n, err)
	}
}

// Do Not Track counts as Global Privacy Control: advertising and social
// media start refused, the banner says the browser's signal is respected,
// and the log records the signal.
func TestConsent_DoNotTrackCountsLikeGPC(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	banner := bannerOf(s.get(t, "/", "DNT", "1").Body)
	if !strings.Contains(html.UnescapeString(banner), "Do Not Track") || buttonLabels(banner)["accept_all"] != "Alleen analytische cookies toestaan" {
		t.Fatalf("the banner under DNT does not say it respects the signal, or offers to accept all:\n%.600s", banner)
	}
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}}, "DNT", "1")
	ch, _ := s.codec.Decode(cookie.Value)
	if !slices.Equal(ch.Categories, []consent.Category{consent.Analytics}) {
		t.Fatalf("accepting under DNT granted %v", ch.Categories)
	}
	if evs := s.events(t, ch.ID); len(evs) != 1 || !evs[0].GPC {
		t.Fatalf("the log does not record the signal: %+v", evs)
	}
	if !strings.Contains(s.get(t, "/").Header.Get("Vary"), "DNT") {
		t.Error("pages do not vary by DNT")
	}
}

// After a new version of the policy, a visitor who granted something is
// asked again (and gets no vendor script until they choose); one who
// refused is not asked before their choice is six months old.
func TestConsent_ARefusalIsNotAskedAgainAfterAPolicyChangeButAGrantIs(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s := newSite(t, siteOptions{env: allVendors, now: clock})
	old := policy.Seed().Number - 1
	refused := s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: old, Time: now.Add(-24 * time.Hour).Truncate(time.Second)})
	granted := s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: old, Categories: []consent.Category{consent.Analytics},
		Vendors: []string{"google-analytics"}, Time: now.Add(-24 * time.Hour).Truncate(time.Second)})

	page := s.get(t, "/privacy", "Cookie", consent.CookieName+"="+refused)
	if hasBanner(page.Body) {
		t.Error("a refusal under the previous version is asked again")
	}
	page = s.get(t, "/privacy", "Cookie", consent.CookieName+"="+granted)
	if !hasBanner(page.Body) || !strings.Contains(html.UnescapeString(page.Body), "gewijzigd") || strings.Contains(page.Body, "googletagmanager") {
		t.Error("a grant under the previous version is not asked again with the notice, or still loads its vendor")
	}
	// Six months on, the refusal is asked again too.
	now = now.Add(184 * 24 * time.Hour)
	if page := s.get(t, "/", "Cookie", consent.CookieName+"="+refused); !hasBanner(page.Body) {
		t.Error("a refusal older than six months is not asked again")
	}
}
