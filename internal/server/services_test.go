package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

// switchService posts a vendor's card on /admin/diensten as staff.
func (c *staffClient) switchService(t *testing.T, key string, form url.Values) response {
	t.Helper()
	return c.do(t, http.MethodPost, "/admin/diensten/"+key, form)
}

// staffOn signs a staff member in on s.
func (s *site) staffOn(t *testing.T, email string) *staffClient {
	t.Helper()
	s.addStaff(t, email, "een-lang-wachtwoord")
	c := s.newClient(t)
	if res := c.login(t, email, "een-lang-wachtwoord"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	return c
}

// within asks until ok holds or d has passed.
func within(t *testing.T, d time.Duration, ok func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if ok() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

func TestServices_GoogleAnalyticsSwitchedOnByStaffReachesNewVisitorsOnEveryInstanceWithoutARestartAndIsAudited(t *testing.T) {
	poll := map[string]string{"CONPRO_SERVICES_POLL": "200ms"}
	a := newSite(t, siteOptions{env: poll})
	b := newSite(t, siteOptions{env: poll, dbURL: a.dbURL})
	// Both instances keep their pages without a vendor first.
	for _, s := range []*site{a, b} {
		for _, p := range []string{"/", "/", "/cookies", "/privacy"} {
			if res := s.get(t, p); hasBanner(res.Body) || strings.Contains(res.Body, "Google Analytics") && p != "/privacy" {
				t.Fatalf("%s before: banner or Google Analytics shown", p)
			}
		}
	}

	els := a.staffOn(t, "els@conpro-bvba.be")
	res := els.switchService(t, "google-analytics", url.Values{"aan": {"1"}, "id-google-analytics": {" G-TEST12345 "}, "vestiging-google-analytics": {"VS (EU-VS Data Privacy Framework)"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/diensten?bewaard=google-analytics#dienst-google-analytics" {
		t.Fatalf("save: %d %q\n%.400s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if page := els.do(t, http.MethodGet, res.Header.Get("Location"), nil); !strings.Contains(page.Body, "Bewaard: de instellingen van Google Analytics gelden") {
		t.Errorf("no notice after saving:\n%.400s", plainText(page.Body))
	}

	// The instance that saved it shows it at once; the other within its poll.
	shows := func(s *site) bool {
		home, cookies := s.get(t, "/"), s.get(t, "/cookies")
		return hasBanner(home.Body) && strings.Contains(home.Body, "Google Analytics") &&
			strings.Contains(cookies.Body, "Google Analytics") && strings.Contains(cookies.Body, "VS (EU-VS Data Privacy Framework)")
	}
	if !shows(a) {
		t.Fatal("the instance where staff saved does not show Google Analytics in the banner and on /cookies")
	}
	if !within(t, 3*time.Second, func() bool { return shows(b) }) {
		t.Fatal("the second instance does not show Google Analytics within 3 s")
	}
	// The cookie declaration in the current policy says where Google is
	// established now (the published text itself stays as it was).
	if decl := declarationOf(t, b.get(t, "/privacy").Body, "cookieverklaring"); !strings.Contains(decl, "Google, VS (EU-VS Data Privacy Framework)") {
		t.Errorf("the policy's cookie declaration does not show the staff's description: %s", decl)
	}

	// A new visitor who accepts on the other instance gets the script with
	// the ID staff typed.
	_, cookie := b.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	home := b.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value)
	if !strings.Contains(home.Body, "gtag('config','G-TEST12345')") || !strings.Contains(home.Header.Get("Content-Security-Policy"), "https://www.googletagmanager.com") {
		t.Fatalf("after accepting, no Google Analytics script with the ID:\n%.300s", home.Header.Get("Content-Security-Policy"))
	}

	// The audit log says who did it, in plain Dutch.
	audit := els.do(t, http.MethodGet, "/admin/audit", nil)
	for _, want := range []string{
		"Schakelde Google Analytics in met ID G-TEST12345",
		"Wijzigde de vestiging en doorgiftegrond van Google Analytics in „VS (EU-VS Data Privacy Framework)”",
		"els@conpro-bvba.be",
	} {
		if !strings.Contains(plainText(audit.Body), want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}

	// Switched off, it leaves the banner again, and the log says so.
	if res := els.switchService(t, "google-analytics", url.Values{"id-google-analytics": {"G-TEST12345"}, "vestiging-google-analytics": {"VS (EU-VS Data Privacy Framework)"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch off: %d", res.StatusCode)
	}
	if !within(t, 3*time.Second, func() bool { return !hasBanner(b.get(t, "/").Body) }) {
		t.Fatal("switched off, the second instance still asks")
	}
	if audit := els.do(t, http.MethodGet, "/admin/audit", nil); !strings.Contains(plainText(audit.Body), "Schakelde Google Analytics uit") {
		t.Error("the audit log does not say Google Analytics was switched off")
	}
}

func TestServices_ABadIDIsRefusedInDutchKeepsWhatWasTypedAndChangesNothing(t *testing.T) {
	s := newSite(t, siteOptions{})
	els := s.staffOn(t, "els@conpro-bvba.be")
	for _, tc := range []struct {
		id, want string
	}{
		{"UA-12345-1", "Deze ID heeft niet de juiste vorm."},
		{"G-abc');alert(1)//", "Deze ID heeft niet de juiste vorm."},
		{"", "Vul de ID van de dienst in om hem in te schakelen."},
	} {
		res := els.switchService(t, "google-analytics", url.Values{"aan": {"1"}, "id-google-analytics": {tc.id}, "vestiging-google-analytics": {"VS, getypt"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%q: %d, want 422", tc.id, res.StatusCode)
		}
		n := doc(t, res.Body)
		if got := text(byID(n, "id-google-analytics-fout")); got != "" && !strings.Contains(got, tc.want) || got == "" {
			t.Errorf("%q: error %q, want %q", tc.id, got, tc.want)
		}
		if v, _ := attr(byID(n, "id-google-analytics"), "value"); v != tc.id {
			t.Errorf("%q: the field holds %q", tc.id, v)
		}
		if v, _ := attr(byID(n, "vestiging-google-analytics"), "value"); v != "VS, getypt" {
			t.Errorf("%q: the description holds %q", tc.id, v)
		}
		if _, on := attr(byID(n, "aan-google-analytics"), "checked"); !on {
			t.Errorf("%q: the switch lost its tick", tc.id)
		}
	}
	var rows int
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM service_setting`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("%d settings stored (%v)", rows, err)
	}
	if hasBanner(s.get(t, "/").Body) {
		t.Error("a refused ID switched the vendor on")
	}
	for _, a := range s.auditActions(t) {
		if strings.HasPrefix(a, "service_") {
			t.Errorf("a refused change was audited: %s", a)
		}
	}
}

func TestServices_AnEnvironmentVariableWinsAndOnlyItsDescriptionCanChange(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-FROMENV123"}})
	els := s.staffOn(t, "els@conpro-bvba.be")
	page := els.do(t, http.MethodGet, "/admin/diensten", nil)
	n := doc(t, page.Body)
	card := text(byID(n, "dienst-google-analytics"))
	if !strings.Contains(card, "ingeschakeld in de configuratie van de server (CONPRO_GA_MEASUREMENT_ID)") || !strings.Contains(card, "Staat aan") {
		t.Errorf("the card does not say the server switched it on: %q", card)
	}
	if _, disabled := attr(byID(n, "aan-google-analytics"), "disabled"); !disabled {
		t.Error("the switch can be used")
	}
	if _, ro := attr(byID(n, "id-google-analytics"), "readonly"); !ro {
		t.Error("the ID can be typed")
	}
	if v, _ := attr(byID(n, "id-google-analytics"), "value"); v != "G-FROMENV123" {
		t.Errorf("the ID field shows %q", v)
	}
	// A post that switches it off and changes its ID changes only the
	// description.
	res := els.switchService(t, "google-analytics", url.Values{"id-google-analytics": {"G-OTHER1234"}, "vestiging-google-analytics": {"VS (EU-VS Data Privacy Framework)"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	home := s.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value)
	if !strings.Contains(home.Body, "gtag('config','G-FROMENV123')") || strings.Contains(home.Body, "G-OTHER1234") {
		t.Error("the staff setting beat the environment variable")
	}
	if c := s.get(t, "/cookies"); !strings.Contains(c.Body, "VS (EU-VS Data Privacy Framework)") {
		t.Error("the description did not change")
	}
	got := strings.Join(s.auditActions(t), " ")
	if !strings.Contains(got, "service_location:service:google-analytics") || strings.Contains(got, "service_off") || strings.Contains(got, "service_id") {
		t.Errorf("audit: %s", got)
	}
}

func TestServices_AVisitorWhoAcceptedAllBeforeAVendorWasSwitchedOnGetsNoScriptOfItAndIsAskedAgain(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-FROMENV123"}})
	_, all := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	_, analyticsOnly := s.choose(t, url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/"}})
	visit := func(c *http.Cookie) response { return s.get(t, "/", "Cookie", c.Name+"="+c.Value) }
	if home := visit(all); hasBanner(home.Body) || !strings.Contains(home.Body, "G-FROMENV123") {
		t.Fatal("before: the visitor who accepted all is asked, or gets no Google Analytics")
	}
	time.Sleep(1100 * time.Millisecond) // the switch comes after the choice's second

	els := s.staffOn(t, "els@conpro-bvba.be")
	if res := els.switchService(t, "meta-pixel", url.Values{"aan": {"1"}, "id-meta-pixel": {"1234567"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch on: %d\n%.300s", res.StatusCode, res.Body)
	}

	home := visit(all)
	if !hasBanner(home.Body) || !strings.Contains(plainText(home.Body), "Sinds uw keuze gebruikt onze website een nieuwe dienst") {
		t.Error("the visitor who accepted all before is not asked about the new service")
	}
	for _, leak := range []string{"connect.facebook.net", "fbq(", "G-FROMENV123"} {
		if strings.Contains(home.Body, leak) || strings.Contains(home.Header.Get("Content-Security-Policy"), leak) {
			t.Errorf("before choosing again the page carries %q", leak)
		}
	}
	// Who refused advertising refused the new advertising vendor too: not
	// asked, and their analytics go on.
	if home := visit(analyticsOnly); hasBanner(home.Body) || !strings.Contains(home.Body, "G-FROMENV123") || strings.Contains(home.Body, "fbq(") {
		t.Error("the visitor who allowed only analytics is asked again, or loses Google Analytics, or gets the Meta pixel")
	}

	// Accepting again covers the new vendor.
	_, again := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}}, "Cookie", all.Name+"="+all.Value)
	if home := visit(again); hasBanner(home.Body) || !strings.Contains(home.Body, "fbq('init','1234567')") {
		t.Error("after accepting again the Meta pixel does not load")
	}
}

// TestBrowser_StaffSwitchGoogleAnalyticsOnAfterABadIDAndSeeItOnThePageOnAPhoneAndADesktop
// walks the services page in Chromium: a bad ID comes back with its Dutch
// message at the field, which takes the focus, and what was typed; a good
// one switches the service on, says so, and the banner shows it.
func TestBrowser_StaffSwitchGoogleAnalyticsOnAfterABadIDAndSeeItOnThePageOnAPhoneAndADesktop(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_SMARTLOOK_KEY": "3f9a1c0b7e2d4a6f8b0c"}})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b.ClickAndWait(t, `.admin-nav a[href="/admin/diensten"]`)
	if b.path() != "/admin/diensten" {
		t.Fatalf("the menu leads to %s", b.path())
	}
	b.shot("services")
	noAxeViolations(t, b.Browser, "services page")
	if got := b.eval(`document.querySelector("#dienst-smartlook .notice-warning").innerText`); !strings.Contains(got, "configuratie van de server") {
		t.Errorf("Smartlook, switched on by the server, says %q", got)
	}

	b.eval(`document.getElementById("aan-google-analytics").click(), ""`)
	b.fill("id-google-analytics", "UA-1234-5")
	b.fill("vestiging-google-analytics", "VS (EU-VS Data Privacy Framework)")
	b.ClickAndWait(t, `#dienst-google-analytics button[type="submit"]`)
	b.waitForFocus("id-google-analytics")
	if got := b.eval(`document.activeElement.id + " | " + document.querySelector("#id-google-analytics-fout").innerText + " | " + document.querySelector("#id-google-analytics").value + " | " + document.querySelector("#vestiging-google-analytics").value + " | " + document.querySelector("#aan-google-analytics").checked`); got != "id-google-analytics | Deze ID heeft niet de juiste vorm. Vergelijk met het voorbeeld boven het veld; er mogen geen spaties of andere tekens in staan. | UA-1234-5 | VS (EU-VS Data Privacy Framework) | true" {
		t.Fatalf("a bad ID: %q", got)
	}
	b.shot("services-error")
	noAxeViolations(t, b.Browser, "services page with a refused ID")

	b.fill("id-google-analytics", "G-TEST12345")
	b.ClickAndWait(t, `#dienst-google-analytics button[type="submit"]`)
	if got := b.eval(`document.querySelector(".notice-success").innerText + " | " + document.querySelector("#dienst-google-analytics h2").innerText`); !strings.Contains(got, "Bewaard: de instellingen van Google Analytics") || !strings.Contains(got, "Staat aan") {
		t.Fatalf("after saving: %q", got)
	}
	b.shot("services-saved")

	// A new visitor in another browser sees it in the banner.
	v := browsertest.New(t, browsertest.Options{})
	v.Navigate(t, s.URL+"/")
	if got, err := chromedp.Run(v.Ctx, chromedp.Evaluate[string](`document.querySelector("#cookie-banner").innerText`)); err != nil || !strings.Contains(got, "Google Analytics") {
		t.Errorf("the banner: %q %v", got, err)
	}
	for _, e := range b.Errors() {
		if !strings.Contains(e, "status of 422") {
			t.Errorf("console error: %q", e)
		}
	}
}

// TestBrowser_AVisitorIsAskedAgainWhenStaffSwitchOnANewServiceAndLoadsNothingOfItUntilTheyChoose:
// in Chromium, a visitor who accepted all sees the banner again with its
// notice once staff switch the Meta pixel on, and the browser contacts no
// host of it (nor of Google Analytics, granted before) until they choose.
func TestBrowser_AVisitorIsAskedAgainWhenStaffSwitchOnANewServiceAndLoadsNothingOfItUntilTheyChoose(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-FROMENV123"}})
	v := browsertest.New(t, browsertest.Options{})
	v.Navigate(t, s.URL+"/")
	v.ClickAndWait(t, `#cookie-banner button[value="accept_all"]`)
	if n := countNodes(t, v, "#cookie-banner"); n != 0 {
		t.Fatal("the banner stays after accepting")
	}
	time.Sleep(1100 * time.Millisecond) // the switch comes after the choice's second
	els := s.staffOn(t, "els@conpro-bvba.be")
	if res := els.switchService(t, "meta-pixel", url.Values{"aan": {"1"}, "id-meta-pixel": {"1234567"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch on: %d", res.StatusCode)
	}

	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	for _, w := range []int64{390, 1280} {
		v.Reset()
		v.Screenshot(t, s.URL+"/", w, dir, fmt.Sprintf("banner-new-service-%d", w))
		got, err := chromedp.Run(v.Ctx, chromedp.Evaluate[string](`document.querySelector("#cookie-banner .consent-changed").innerText`))
		if err != nil || !strings.Contains(got, "Sinds uw keuze gebruikt onze website een nieuwe dienst") {
			t.Errorf("at %dpx the banner says %q (%v)", w, got, err)
		}
		for _, h := range v.Hosts() {
			if strings.Contains(h, "facebook") || strings.Contains(h, "google") {
				t.Errorf("at %dpx, before choosing again, the browser contacted %s", w, h)
			}
		}
	}
	v.ClickAndWait(t, `#cookie-banner button[value="accept_all"]`)
	if n := countNodes(t, v, "#cookie-banner"); n != 0 {
		t.Error("the banner stays after accepting again")
	}
}
