package server_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
	"conpro/internal/consent"
)

// TestBrowser_StaffPublishVersion3AndVisitorsSeeTheNoticeAndTheComparison:
// staff write version 3 in the editor, preview it, compare it and publish
// it; a visitor who accepted everything under version 2 sees the banner
// with the notice and nothing of a vendor until they choose; /privacy and
// the comparison read well on a phone and a desktop.
func TestBrowser_StaffPublishVersion3AndVisitorsSeeTheNoticeAndTheComparison(t *testing.T) {
	now := policyDay
	s := newSite(t, siteOptions{env: allVendors, now: func() time.Time { return now }})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	v2Before := policyText(t, s.get(t, "/privacy/versies/2").Body)

	b.ClickAndWait(t, `.admin-nav a[href="/admin/beleid"]`)
	b.shot("policy-list")
	b.ClickAndWait(t, `a[href="/admin/beleid/nieuw"]`)
	if got := b.eval(`document.getElementById("tekst").value.split("\n")[0]`); got != "# Privacy- en cookie policy" {
		t.Fatalf("the new draft starts with %q", got)
	}
	b.shot("policy-new")

	// A draft without a title comes back with the Dutch message and the
	// text as typed.
	b.eval(`document.getElementById("tekst").value = "Zonder titel"; ""`)
	b.ClickAndWait(t, `.policy-actions button[value=""]`)
	b.waitForFocus("tekst")
	if got := b.eval(`document.activeElement.id + " | " + document.getElementById("tekst-fout").innerText + " | " + document.getElementById("tekst").value`); !strings.HasPrefix(got, "tekst | Begin de tekst met de titel") || !strings.HasSuffix(got, " | Zonder titel") {
		t.Fatalf("a text without a title: %q", got)
	}
	b.shot("policy-error")

	md, _ := json.Marshal(version3(t))
	b.eval(`document.getElementById("tekst").value = ` + string(md) + `; ""`)
	b.fill("samenvatting", v3Summary)
	b.eval(`document.getElementById("geldig_vanaf").value = "2026-12-03"; ""`)
	b.ClickAndWait(t, `.policy-actions button[value="voorbeeld"]`)
	draft := strings.TrimSuffix(b.path(), "/voorbeeld")
	if !strings.Contains(b.eval(`document.querySelector(".policy-header").innerText`), "Versie 3") {
		t.Fatal("the preview does not show version 3")
	}
	b.shot("policy-preview")
	b.Navigate(t, s.URL+draft+"/vergelijken")
	if got := b.eval(`[...document.querySelectorAll(".diff del")].map(d => d.innerText).join(" | ")`); !strings.Contains(got, "US (Privacy Shield)") {
		t.Errorf("the comparison strikes through %q", got)
	}
	b.shot("policy-compare")
	b.Navigate(t, s.URL+draft+"/publiceren")
	b.shot("policy-confirm")
	b.ClickAndWait(t, `form[action$="/publiceren"] button[type="submit"]`)
	if got := b.eval(`document.querySelector(".notice-success").innerText`); got != "Versie 3 is gepubliceerd en nu van kracht." {
		t.Fatalf("after publishing: %q", got)
	}
	b.shot("policy-published")

	// A visitor who accepted everything under version 2.
	v := browsertest.New(t, browsertest.Options{})
	server, _ := url.Parse(s.URL)
	all := []consent.Category{consent.Analytics, consent.Advertising, consent.Social}
	vendors := []string{"google-analytics", "smartlook", "google-ads", "meta-pixel", "linkedin-insight", "social-widgets"}
	v.SetCookie(t, s.URL, consent.CookieName, s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 2, Categories: all, Vendors: vendors,
		Time: now.Add(-24 * time.Hour).UTC().Truncate(time.Second)}))
	v.Navigate(t, s.URL+"/privacy")
	notice, err := chromedp.Run(v.Ctx, chromedp.Text(chromedp.CSS("#cookie-banner")))
	if err != nil || !strings.Contains(notice, "Onze privacy- en cookie policy is gewijzigd") {
		t.Fatalf("no banner with the notice: %q %v", notice, err)
	}
	if hosts := v.Hosts(); !slices.Equal(hosts, []string{server.Host}) {
		t.Fatalf("before choosing again, the page contacted %q", hosts)
	}
	if got := evalIn(t, v, `document.querySelector("#cookie-banner .consent-changed a").getAttribute("href")`); got != "/privacy/versies/3#wijzigingen" {
		t.Errorf("the banner's notice leads to %q, not to what changed", got)
	}
	if got := evalIn(t, v, `document.querySelector(".policy-header").innerText`); !strings.Contains(got, "Versie 3 — 3 december 2026") {
		t.Errorf("/privacy shows %q, not version 3", got)
	}
	if got, _ := chromedp.Run(v.Ctx, chromedp.Text(chromedp.CSS(".notice-change"))); !strings.Contains(got, "Gewijzigd op 3 december 2026: "+v3Summary) {
		t.Errorf("the change notice says %q", got)
	}
	// Choosing again is what lets a vendor in.
	v.ClickAndWait(t, `#cookie-banner button[value="accept_all"]`)
	if hosts := v.Hosts(); !slices.Contains(hosts, "www.googletagmanager.com") {
		t.Errorf("after accepting again under version 3 the page contacted only %q", hosts)
	}
	v.Navigate(t, s.URL+"/privacy/versies")
	if got := evalIn(t, v, `[...document.querySelectorAll("main a[href^='/privacy/versies/']")].map(a => a.getAttribute("href")).join(" ")`); !strings.Contains(got, "/privacy/versies/3") || !strings.Contains(got, "/privacy/versies/2") {
		t.Errorf("/privacy/versies links to %q", got)
	}

	// Version 2 is still served byte for byte as it was.
	if got := policyText(t, s.get(t, "/privacy/versies/2").Body); got != v2Before {
		t.Error("/privacy/versies/2 changed when version 3 was published")
	}

	// A visitor who refused everything under version 2 is not asked again.
	r := browsertest.New(t, browsertest.Options{})
	r.SetCookie(t, s.URL, consent.CookieName, s.codec.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 2,
		Time: now.Add(-24 * time.Hour).UTC().Truncate(time.Second)}))
	r.Navigate(t, s.URL+"/privacy")
	if n := evalIn(t, r, `String(document.querySelectorAll("#cookie-banner").length)`); n != "0" {
		t.Error("a visitor who refused under version 2 sees the banner again")
	}
	if hosts := r.Hosts(); !slices.Equal(hosts, []string{server.Host}) {
		t.Errorf("a visitor who refused under version 2: the page contacted %q", hosts)
	}
	atWidths(t, v, s.URL+"/privacy", "privacy-v3-notice", nil)
	atWidths(t, v, s.URL+"/privacy/versies/3#wijzigingen", "privacy-v3-changes", nil)
	atWidths(t, v, s.URL+"/privacy/versies", "privacy-versions", nil)
}

// evalIn evaluates a JavaScript expression giving a string in a visitor's
// browser.
func evalIn(t *testing.T, b *browsertest.Browser, js string) string {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}
