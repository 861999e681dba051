package server_test

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

var screenshotDir = flag.String("screenshots", "", "also save each page's phone and desktop screenshots into this folder")

func TestBrowser_HomeAndPolicyShowHeadingsWithoutErrorsOrThirdParties(t *testing.T) {
	s := newSite(t, siteOptions{})
	b := browsertest.New(t, browsertest.Options{})
	server, _ := url.Parse(s.URL)

	b.Navigate(t, s.URL+"/")
	h1, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if h1 != "Construct Professional bvba" {
		t.Errorf("home h1 %q", h1)
	}

	b.Navigate(t, s.URL+"/privacy")
	headings, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("article h2")].map(h => h.firstChild.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Het gebruik van persoonsgegevens", "Cookies", "Rechten van betrokkenen", "Contact"} {
		if !slices.Contains(headings, want) {
			t.Errorf("policy headings %q lack %q", headings, want)
		}
	}
	// Following a table-of-contents link scrolls to its section.
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(`.toc a[href="#bewaartermijn"]`))); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "#bewaartermijn") {
		t.Errorf("after TOC click at %q (%v)", loc, err)
	}

	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
	if hosts := b.Hosts(); !slices.Equal(hosts, []string{server.Host}) {
		t.Errorf("pages contacted %q, want only %q", hosts, server.Host)
	}
}

func TestBrowser_LanguageSwitchWorksWithoutJavaScript(t *testing.T) {
	s := newSite(t, siteOptions{})
	b := browsertest.New(t, browsertest.Options{NoJavaScript: true})
	b.Navigate(t, s.URL+"/privacy")
	if _, err := chromedp.Run(b.Ctx, chromedp.WaitEvent(pageLoad, nil,
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="fr"]`)))); err != nil {
		t.Fatal(err)
	}
	lang, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(b.Ctx, chromedp.Location())
	if lang != "fr" || !strings.HasSuffix(loc, "/privacy") {
		t.Fatalf("after choosing FR: lang %q at %q", lang, loc)
	}
	// Remembered on the next page.
	b.Navigate(t, s.URL+"/")
	nav, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(".main-nav")))
	if err != nil || !strings.Contains(nav, "Accueil") {
		t.Fatalf("navigation %q (%v)", nav, err)
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

// TestBrowser_PagesFitAPhoneScreen checks every page at phone and desktop
// width: nothing wider than the screen (no sideways scrolling), and the
// skip link is the first thing the keyboard reaches.
func TestBrowser_PagesFitAPhoneScreen(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	b := browsertest.New(t, browsertest.Options{})
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	pages := map[string]string{"home": "/", "contact": "/contact", "privacy": "/privacy", "versies": "/privacy/versies", "404": "/bestaat-niet", "cookies": "/cookies", "bedankt": "/contact/bedankt", "verzoek": "/privacy/verzoek", "verstuurd": "/privacy/verzoek/verstuurd"}
	for name, path := range pages {
		for _, width := range []int64{390, 1280} {
			b.Screenshot(t, s.URL+path, width, dir, fmt.Sprintf("%s-%d", name, width))
			overflow, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`
				[...document.querySelectorAll("body *")]
					.filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
					.map(el => el.tagName + "." + el.className)`))
			if err != nil {
				t.Fatal(err)
			}
			if len(overflow) > 0 {
				t.Errorf("%s at %dpx: wider than the screen: %q", path, width, overflow)
			}
			// Boxes that flow side by side in a grid row start at the same
			// height: a margin meant for stacked boxes must not push one of
			// them down. (Items placed on purpose, such as the policy's
			// table of contents beside the text, are left out.)
			misaligned, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`
				[...document.querySelectorAll("body *")]
					.filter(el => getComputedStyle(el).display === "grid")
					.flatMap(grid => {
						const rows = new Map();
						for (const el of grid.children) {
							const st = getComputedStyle(el);
							if (st.gridRowStart !== "auto" || st.gridRowEnd !== "auto") continue;
							const r = el.getBoundingClientRect();
							const start = Math.round(r.top - parseFloat(getComputedStyle(el).marginTop));
							rows.set(start, [...(rows.get(start) || []), el]);
						}
						return [...rows.values()]
							.filter(row => new Set(row.map(el => Math.round(el.getBoundingClientRect().top))).size > 1)
							.map(row => grid.className + ": " + row.map(el => el.tagName + "." + el.className).join(", "));
					})`))
			if err != nil {
				t.Fatal(err)
			}
			if len(misaligned) > 0 {
				t.Errorf("%s at %dpx: boxes in one grid row start at different heights: %q", path, width, misaligned)
			}
		}
		if err := chromedp.Do(b.Ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		focused, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.activeElement.className`))
		if err != nil || focused != "skip-link" {
			t.Errorf("%s: first Tab reaches %q, want the skip link", path, focused)
		}
	}
	// The banner with its preferences open.
	for _, width := range []int64{390, 1280} {
		if err := chromedp.Do(b.Ctx,
			chromedp.EmulateViewport(width, 900),
			chromedp.Navigate(s.URL+"/"),
			chromedp.Click(chromedp.CSS(".consent-prefs summary")),
		); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("banner-open-%d.png", width)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The contact form with every error shown.
	for _, width := range []int64{390, 1280} {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		b.Navigate(t, s.URL+"/contact")
		b.ClickAndWait(t, `.contact-form button[type="submit"]`)
		png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("contact-errors-%d.png", width)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The settings page with a choice and its history.
	b.Navigate(t, s.URL+"/")
	b.ClickAndWait(t, `#cookie-banner button[value="accept_all"]`)
	b.Navigate(t, s.URL+"/cookies")
	b.ClickAndWait(t, `.settings-form button[value="withdraw"]`)
	for _, width := range []int64{390, 1280} {
		b.Screenshot(t, s.URL+"/cookies", width, dir, fmt.Sprintf("cookies-history-%d", width))
		if n := countNodes(t, b, "table.history tbody tr"); n != 2 {
			t.Errorf("history shows %d rows, want 2", n)
		}
	}
	// The request form of a browser with a consent cookie: the ID field.
	for _, width := range []int64{390, 1280} {
		b.Screenshot(t, s.URL+"/privacy/verzoek", width, dir, fmt.Sprintf("verzoek-cookie-%d", width))
		if n := countNodes(t, b, "input#toestemmings_id"); n != 1 {
			t.Errorf("request form with a cookie: %d consent ID fields, want 1", n)
		}
	}
	if *screenshotDir != "" {
		t.Logf("screenshots in %s", filepath.Clean(dir))
	}
}

var pageLoad = page.LoadEventFired

// allVendors configures every vendor, as a site with all of them would be.
var allVendors = map[string]string{
	"CONPRO_GA_MEASUREMENT_ID":   "G-TEST1234",
	"CONPRO_SMARTLOOK_KEY":       "0123456789abcdef0123",
	"CONPRO_GOOGLE_ADS_ID":       "AW-1234567",
	"CONPRO_META_PIXEL_ID":       "1234567890",
	"CONPRO_LINKEDIN_PARTNER_ID": "123456",
	"CONPRO_SOCIAL_WIDGETS":      "1",
}
