package server_test

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
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

			// Refuse everything: confirmed on the page the visitor is sent
			// back to; still nothing contacted, and no banner nor
			// confirmation on later pages.
			b.ClickAndWait(t, `#cookie-banner button[value="reject_all"]`)
			checkConfirmed(t, b, js, "/")
			// (The same page again, too: the confirmation shows once.)
			for _, p := range []string{"/", "/privacy", "/contact"} {
				b.Navigate(t, s.URL+p)
				if n := countNodes(t, b, "#cookie-banner"); n != 0 {
					t.Errorf("%s: banner back after refusing", p)
				}
				if visible(t, b, "#keuze-bewaard") {
					t.Errorf("%s: the confirmation shows on a later page", p)
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
			b.ClickAndWait(t, `.settings-form button[value="withdraw"]`)
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
			checkConfirmed(t, b, js, "/cookies")

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
	for range 12 {
		if err := chromedp.Do(b.Ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		el, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(document.activeElement.value || document.activeElement.textContent || "").trim()`))
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, el)
	}
	// Skip link, the vendors the text names (each a link to its cookies),
	// the policy link, accept, reject, the details.
	want := []string{"Naar de inhoud", "Google Analytics", "Smartlook", "Google Ads", "Meta Pixel (Facebook)", "LinkedIn Insight Tag", "Facebook- en LinkedIn-knoppen",
		"Lees onze privacy- en cookie policy", "accept_all", "reject_all", "Zelf kiezen"}
	if !slices.Equal(order[:len(want)], want) {
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

// checkConfirmed asserts that the page a choice led to, path, confirms it
// where the banner was. With JavaScript the address loses the fragment that
// showed it, so a reload does not confirm again; without, it keeps it.
func checkConfirmed(t *testing.T, b *browsertest.Browser, js bool, path string) {
	t.Helper()
	if !visible(t, b, "#keuze-bewaard") {
		t.Fatalf("%s: no confirmation after a choice", path)
	}
	text, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS("#keuze-bewaard")))
	if err != nil || !strings.Contains(text, "Uw keuze is bewaard.") {
		t.Errorf("%s: the confirmation says %q (%v)", path, text, err)
	}
	loc, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	if u.Path != path || u.RawQuery != "" {
		t.Errorf("after the choice at %q, want %s", loc, path)
	}
	if js && u.Fragment != "" {
		t.Errorf("the address keeps #%s after the confirmation showed", u.Fragment)
	}
	if !js && u.Fragment != "keuze-bewaard" {
		t.Errorf("without JavaScript the address is %q, want #keuze-bewaard", loc)
	}
}

// visible reports whether the element is on the page and shown.
func visible(t *testing.T, b *browsertest.Browser, css string) bool {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector(`+"`"+css+"`"+`); return !!e && e.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}); })()`))
	if err != nil {
		t.Fatal(err)
	}
	return v
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

// phone is the screen the banner's size is judged on: 390 × 844 CSS pixels,
// an iPhone 12 to 15 and about the median phone in use.
const phoneWidth, phoneHeight = 390, 844

// TestBrowser_TheBannersFirstLayerIsCompactOnAPhone measures the banner on a
// 390 px phone: its first layer takes at most two fifths of the screen, so
// the page's heading shows below it; it stays in the page's flow (it never
// covers the page); accept and reject are the same size; and one tap on
// "Zelf kiezen" opens the switches.
func TestBrowser_TheBannersFirstLayerIsCompactOnAPhone(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	b := browsertest.New(t, browsertest.Options{})
	if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(phoneWidth, phoneHeight)); err != nil {
		t.Fatal(err)
	}
	type box struct{ Top, Height, Width float64 }
	measure := func(css string) box {
		t.Helper()
		r, err := chromedp.Run(b.Ctx, chromedp.Evaluate[box](`(() => { const r = document.querySelector(`+"`"+css+"`"+`).getBoundingClientRect(); return {top: r.top, height: r.height, width: r.width}; })()`))
		if err != nil {
			t.Fatalf("measure %s: %v", css, err)
		}
		return r
	}
	// Two fifths of the screen, with every vendor active: the first layer
	// names each purpose and its third parties, one line each. Headless
	// Chromium here draws system-ui with DejaVu Sans, wider than a phone's
	// own fonts, so a phone needs no more room than this.
	const most = phoneHeight * 2 / 5
	for _, lang := range []string{"nl", "fr", "en"} {
		b := browsertest.New(t, browsertest.Options{AcceptLanguage: lang})
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(phoneWidth, phoneHeight)); err != nil {
			t.Fatal(err)
		}
		b.Navigate(t, s.URL+"/")
		h, err := chromedp.Run(b.Ctx, chromedp.Evaluate[float64](`document.getElementById("cookie-banner").getBoundingClientRect().height`))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: the banner's first layer is %.0f px of %d", lang, h, phoneHeight)
		if h > most {
			t.Errorf("%s: the banner's first layer is %.0f px high on a %d px phone screen, want at most %d", lang, h, phoneHeight, most)
		}
	}

	// With Global Privacy Control the banner says what the browser asked
	// for and the accept button is longer: more room, but the page's
	// heading still shows on the first screen.
	setHeaders(t, b, network.Headers{"Sec-GPC": "1"})
	b.Navigate(t, s.URL+"/")
	gpcBanner, gpcHeading := measure("#cookie-banner"), measure("main h1")
	t.Logf("with GPC: the banner's first layer is %.0f px of %d", gpcBanner.Height, phoneHeight)
	if gpcHeading.Top+gpcHeading.Height > phoneHeight {
		t.Errorf("with GPC the page's heading (%+v) is below the first screen", gpcHeading)
	}
	setHeaders(t, b, network.Headers{})

	b.Navigate(t, s.URL+"/")
	banner, heading := measure("#cookie-banner"), measure("main h1")
	if position, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("cookie-banner")).position`)); err != nil || position != "static" {
		t.Errorf("the banner is positioned %q: it must stay in the page's flow (%v)", position, err)
	}
	if heading.Top < banner.Top+banner.Height || heading.Top+heading.Height > phoneHeight {
		t.Errorf("the page's heading (%+v) is not on the first screen below the banner (%+v)", heading, banner)
	}
	accept, reject := measure(`#cookie-banner button[value="accept_all"]`), measure(`#cookie-banner button[value="reject_all"]`)
	if math.Abs(accept.Width-reject.Width) > 0.5 || accept.Height != reject.Height || accept.Top != reject.Top {
		t.Errorf("accept %+v and reject %+v differ in size or stand apart", accept, reject)
	}
	if accept.Height < 44 {
		t.Errorf("the buttons are %.0f px high: too small a target for a finger", accept.Height)
	}
	if visible(t, b, "#banner-cat-analytics") {
		t.Fatal("the switches show before Zelf kiezen is opened")
	}
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(".consent-prefs summary"))); err != nil {
		t.Fatal(err)
	}
	if !visible(t, b, "#banner-cat-analytics") || !visible(t, b, ".consent-prefs button.button-secondary") {
		t.Error("one tap on Zelf kiezen does not show the switches and their button")
	}
}

// TestBrowser_ConsentButtonsAreEqualInWidth: on a phone and a desktop, the
// banner's answers are one size, with and without Global Privacy Control,
// and the settings page's three buttons are one width ("Keuze opslaan" was
// narrower on a phone).
func TestBrowser_ConsentButtonsAreEqualInWidth(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	b := browsertest.New(t, browsertest.Options{})
	widths := func(css string) []float64 {
		t.Helper()
		w, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll(`+"`"+css+"`"+`)].map(e => e.getBoundingClientRect().width)`))
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	equal := func(what string, w []float64, n int) {
		t.Helper()
		if len(w) != n {
			t.Fatalf("%s: %d buttons, want %d", what, len(w), n)
		}
		for _, x := range w[1:] {
			if math.Abs(x-w[0]) > 0.5 { // layout rounds to a sixty-fourth of a pixel
				t.Errorf("%s: widths %v differ", what, w)
				return
			}
		}
	}
	for _, width := range []int64{phoneWidth, 1280} {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		for _, gpc := range []bool{false, true} {
			headers := network.Headers{}
			if gpc {
				headers["Sec-GPC"] = "1"
			}
			setHeaders(t, b, headers)
			b.Navigate(t, s.URL+"/")
			equal(fmt.Sprintf("banner at %d px, GPC %t", width, gpc), widths("#cookie-banner .consent-quick button"), 2)
			b.Navigate(t, s.URL+"/cookies")
			equal(fmt.Sprintf("settings at %d px, GPC %t", width, gpc), widths(".settings-form .consent-actions button"), 3)
		}
	}
}

// TestBrowser_ConsentScreens saves what a visitor sees of the consent flow
// at phone and desktop width (with -screenshots): the banner's first layer
// on the first screen, with Global Privacy Control, a page confirming a
// choice, and the settings page with a consent to withdraw.
func TestBrowser_ConsentScreens(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	for _, size := range [][2]int64{{phoneWidth, phoneHeight}, {1280, 900}} {
		b := browsertest.New(t, browsertest.Options{})
		shot := func(name string, full bool) {
			t.Helper()
			var png []byte
			var err error
			if full {
				png, err = chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
			} else {
				png, err = chromedp.Run(b.Ctx, chromedp.CaptureScreenshot())
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, size[0])), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(size[0], size[1])); err != nil {
			t.Fatal(err)
		}
		setHeaders(t, b, network.Headers{"Sec-GPC": "1"})
		b.Navigate(t, s.URL+"/")
		shot("banner-gpc", false)
		setHeaders(t, b, network.Headers{})
		b.Navigate(t, s.URL+"/")
		shot("banner-first", false)
		if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(".consent-prefs summary"))); err != nil {
			t.Fatal(err)
		}
		shot("banner-details", false)
		b.ClickAndWait(t, `#cookie-banner button[value="accept_all"]`)
		shot("choice-saved", false)
		b.Navigate(t, s.URL+"/cookies")
		shot("cookies-granted", true)
		b.ClickAndWait(t, `.settings-form button[value="withdraw"]`)
		shot("cookies-withdrawn", false)
	}
	// The first layer in French and English, whose words are longer.
	for _, lang := range []string{"fr", "en"} {
		b := browsertest.New(t, browsertest.Options{AcceptLanguage: lang})
		for _, size := range [][2]int64{{phoneWidth, phoneHeight}, {1280, 900}} {
			if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(size[0], size[1])); err != nil {
				t.Fatal(err)
			}
			b.Navigate(t, s.URL+"/")
			png, err := chromedp.Run(b.Ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("banner-first-%s-%d.png", lang, size[0])), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if *screenshotDir != "" {
		t.Logf("screenshots in %s", filepath.Clean(dir))
	}
}

// setHeaders makes the browser send these header fields with every request
// (such as Sec-GPC, which Chromium sends only when a user turns it on).
func setHeaders(t *testing.T, b *browsertest.Browser, h network.Headers) {
	t.Helper()
	if _, err := chromedp.Call(b.Ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: h}); err != nil {
		t.Fatal(err)
	}
}
