package server_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
	"conpro/internal/consent"
)

// Hosts the browser may try to reach per category, without the scheme.
var (
	analyticsHostnames   = []string{"www.googletagmanager.com", "web-sdk.smartlook.com"}
	advertisingHostnames = []string{"connect.facebook.net", "snap.licdn.com", "www.googleadservices.com", "www.facebook.com", "px.ads.linkedin.com"}
	socialHostnames      = []string{"platform.linkedin.com", "www.facebook.com", "www.linkedin.com"}
)

// TestBrowser_ConsentFlows walks a visitor through refusing, allowing only
// analytics and withdrawing, in headless Chromium, with JavaScript on and
// off, and checks what the pages try to contact, the CSP of each page, the
// cookies left in the browser and the rows in the consent log.
func TestBrowser_ConsentFlows(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := "javascript"
		if !js {
			name = "no-javascript"
		}
		t.Run(name, func(t *testing.T) {
			s := newSite(t, siteOptions{env: allVendors})
			b := browsertest.New(t, browsertest.Options{NoJavaScript: !js})
			server, _ := url.Parse(s.URL)
			onlyServer := []string{server.Host}

			// First visit: the banner, and nothing but the server contacted.
			b.Navigate(t, s.URL+"/")
			if _, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS("#consent-title"))); err != nil {
				t.Fatalf("no banner: %v", err)
			}
			if hosts := b.Hosts(); !slices.Equal(hosts, onlyServer) {
				t.Fatalf("first visit contacted %q", hosts)
			}

			// Refuse everything: still nothing, and no banner on later pages.
			b.ClickAndWait(t, `#cookie-banner button[value="reject_all"]`)
			for _, p := range []string{"/privacy", "/contact"} {
				b.Navigate(t, s.URL+p)
				if n := countNodes(t, b, "#cookie-banner"); n != 0 {
					t.Errorf("%s: banner back after refusing", p)
				}
			}
			if hosts := b.Hosts(); !slices.Equal(hosts, onlyServer) {
				t.Fatalf("after refusing, pages contacted %q", hosts)
			}
			if csp := b.LastCSP(); strings.Contains(csp, "https://") {
				t.Errorf("CSP after refusing allows a third party: %s", csp)
			}

			// Allow only analytics on the settings page.
			b.Navigate(t, s.URL+"/cookies")
			if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS("#settings-cat-analytics"))); err != nil {
				t.Fatal(err)
			}
			b.ClickAndWait(t, `.settings-form button[value="save"]`)
			b.Reset()
			b.Navigate(t, s.URL+"/")
			hosts := b.Hosts()
			for _, h := range append(slices.Clone(advertisingHostnames), socialHostnames...) {
				if slices.Contains(hosts, h) {
					t.Errorf("analytics-only consent contacted %s", h)
				}
			}
			if js {
				for _, h := range analyticsHostnames {
					if !slices.Contains(hosts, h) {
						t.Errorf("analytics consent did not load %s (contacted %q)", h, hosts)
					}
				}
			} else if !slices.Equal(hosts, onlyServer) {
				t.Errorf("without JavaScript the page contacted %q", hosts)
			}
			csp := b.LastCSP()
			if !strings.Contains(csp, "https://www.googletagmanager.com") || !strings.Contains(csp, "https://web-sdk.smartlook.com") ||
				strings.Contains(csp, "facebook") || strings.Contains(csp, "licdn") || strings.Contains(csp, "googleadservices") {
				t.Errorf("CSP after allowing analytics: %s", csp)
			}
			if n := countNodes(t, b, `script[src*="googletagmanager.com/gtag/js"]`); n != 1 {
				t.Errorf("%d gtag loaders on the page", n)
			}

			// Scripts set their cookies; withdrawing expires them.
			b.SetCookie(t, s.URL, "_ga", "GA1.1.123.456")
			b.SetCookie(t, s.URL, "_gid", "GA1.1.789")
			b.Navigate(t, s.URL+"/cookies")
			b.ClickAndWait(t, `.withdraw-form button[value="withdraw"]`)
			jar := b.Cookies(t, s.URL)
			for _, name := range []string{"_ga", "_gid"} {
				if _, ok := jar[name]; ok {
					t.Errorf("%s survived the withdrawal", name)
				}
			}
			ch, err := s.codec.Decode(jar[consent.CookieName])
			if err != nil || !ch.RefusesAll() {
				t.Fatalf("consent cookie after withdrawal: %+v, %v", ch, err)
			}
			text, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(".notice-success")))
			if err != nil || !strings.Contains(text, "opgeslagen") {
				t.Errorf("no confirmation after withdrawing: %q %v", text, err)
			}

			// The log holds each click once, under one consent ID.
			var actions []consent.Action
			for _, e := range s.events(t, ch.ID) {
				actions = append(actions, e.Action)
			}
			if !slices.Equal(actions, []consent.Action{consent.RejectAll, consent.Save, consent.Withdraw}) {
				t.Fatalf("logged actions %v", actions)
			}
			if js {
				if errs := withoutNetworkErrors(b.Errors()); len(errs) > 0 {
					t.Errorf("console errors: %q", errs)
				}
			}
		})
	}
}

// TestBrowser_BannerIsKeyboardAccessible tabs from the skip link into the
// banner and refuses with the keyboard alone.
func TestBrowser_BannerIsKeyboardAccessible(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	b := browsertest.New(t, browsertest.Options{})
	b.Navigate(t, s.URL+"/")
	// A screen reader finds the banner as a named region.
	label, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.getElementById(document.getElementById("cookie-banner").getAttribute("aria-labelledby")).textContent`))
	if err != nil || label != "Cookies op deze website" {
		t.Errorf("banner region label %q (%v)", label, err)
	}
	var order []string
	for range 6 {
		if err := chromedp.Do(b.Ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		el, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(document.activeElement.value || document.activeElement.textContent || "").trim()`))
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, el)
	}
	// Skip link, the policy link in the banner text, accept, reject, preferences.
	want := []string{"Naar de inhoud", "Lees onze privacy- en cookie policy", "accept_all", "reject_all", "Voorkeuren"}
	if !slices.Equal(order[:5], want) {
		t.Fatalf("tab order %q, want %q first", order, want)
	}
	// Focus is visible: the focused button gets an outline.
	outline, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(() => { const b = document.querySelector('button[value="reject_all"]'); b.focus(); return getComputedStyle(b).outlineStyle; })()`))
	if err != nil || outline == "none" {
		t.Errorf("focused button outline %q (%v)", outline, err)
	}
	if _, err := chromedp.Run(b.Ctx, chromedp.WaitEvent(pageLoad, nil, chromedp.KeyEvent("\r"))); err != nil {
		t.Fatal(err)
	}
	if n := countNodes(t, b, "#cookie-banner"); n != 0 {
		t.Fatal("banner still there after refusing with the keyboard")
	}
}

func countNodes(t *testing.T, b *browsertest.Browser, css string) int {
	t.Helper()
	n, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+css+"`"+`).length`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// withoutNetworkErrors drops the errors of blocked vendor requests: the
// network here is closed, so an allowed vendor's script fails to load.
func withoutNetworkErrors(errs []string) []string {
	var out []string
	for _, e := range errs {
		if strings.Contains(e, "net::ERR_") || strings.Contains(e, "Failed to load resource") {
			continue
		}
		out = append(out, e)
	}
	return out
}

// TestBrowser_CategorySwitchMovesItsVendorSwitches checks the small script
// that keeps a category's switch and its vendors' switches in step.
func TestBrowser_CategorySwitchMovesItsVendorSwitches(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	b := browsertest.New(t, browsertest.Options{})
	b.Navigate(t, s.URL+"/")
	state := func() string {
		v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`["banner-cat-analytics","banner-vendor-google-analytics","banner-vendor-smartlook"]
			.map(id => { const e = document.getElementById(id); return e.indeterminate ? "~" : (e.checked ? "1" : "0"); }).join("")`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	steps := []struct {
		click, want string
	}{
		{"#banner-cat-analytics", "111"},           // category on: its vendors on
		{"#banner-vendor-smartlook", "~10"},        // one vendor off: category half
		{"#banner-vendor-google-analytics", "000"}, // the last vendor off: category off
		{"#banner-vendor-smartlook", "~01"},        // one vendor on: category half
		{"#banner-cat-analytics", "000"},           // a half category clicked: all off
	}
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(".consent-prefs summary"))); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(st.click))); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != st.want {
			t.Fatalf("after clicking %s: %s, want %s", st.click, got, st.want)
		}
	}
}

// TestBrowser_EnterInThePreferencesSavesThemAndNeverAcceptsAll: a keyboard
// user ticks one vendor with Space and presses Enter.
func TestBrowser_EnterInThePreferencesSavesThemAndNeverAcceptsAll(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	b := browsertest.New(t, browsertest.Options{})
	b.Navigate(t, s.URL+"/")
	if err := chromedp.Do(b.Ctx,
		chromedp.Click(chromedp.CSS(".consent-prefs summary")),
		chromedp.Focus(chromedp.ID("banner-vendor-google-analytics")),
		chromedp.KeyEvent(" "),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(b.Ctx, chromedp.WaitEvent(pageLoad, nil, chromedp.KeyEvent("\r"))); err != nil {
		t.Fatal(err)
	}
	ch, err := s.codec.Decode(b.Cookies(t, s.URL)[consent.CookieName])
	if err != nil {
		t.Fatal(err)
	}
	evs := s.events(t, ch.ID)
	if len(evs) != 1 || evs[0].Action != consent.Save || !slices.Equal(evs[0].Vendors, []string{"google-analytics"}) {
		t.Fatalf("logged %+v", evs)
	}
}
