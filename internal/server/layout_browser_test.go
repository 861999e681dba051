package server_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
	"conpro/internal/locale"
)

// readIn makes the browser read the site in lang from the next page on, as
// the language switch does.
func readIn(t *testing.T, b *browsertest.Browser, s *site, lang locale.Lang) {
	t.Helper()
	b.SetCookie(t, s.URL, locale.CookieName, string(lang))
}

// At desktop width every page's content starts where the header's brand
// does, so that pages do not jump sideways from one to the next.
func TestBrowser_EveryPageStartsWhereTheHeaderDoes(t *testing.T) {
	s := newSite(t, siteOptions{})
	b := browsertest.New(t, browsertest.Options{})
	for _, p := range publicPages {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+p.path)); err != nil {
			t.Fatal(err)
		}
		lefts, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]float64](`[
			document.querySelector(".site-header .brand").getBoundingClientRect().left,
			document.querySelector("main h1").getBoundingClientRect().left,
			document.querySelector(".site-footer h2").getBoundingClientRect().left,
		]`))
		if err != nil {
			t.Fatal(err)
		}
		brand, h1, footer := lefts[0], lefts[1], lefts[2]
		if math.Abs(h1-brand) > 1 || math.Abs(footer-brand) > 1 {
			t.Errorf("%s: the header starts at %.0f px, the heading at %.0f px, the footer at %.0f px", p.path, brand, h1, footer)
		}
	}
}

// Every public page in every language fits a 390 px phone and a 1280 px
// screen (nothing wider than the screen), and on the phone the language
// switch stays on the navigation's row (the French labels are the longest)
// rather than taking a row of its own. With -screenshots, each is saved.
func TestBrowser_EveryPageInEveryLanguageFitsWithTheLanguageSwitchBesideTheNavigation(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{
		"CONPRO_COMPANY_NUMBER": "BE 0123.456.749",
		"CONPRO_OFFICE_HOURS":   "ma–vr 8.00–17.00",
	}})
	b := browsertest.New(t, browsertest.Options{Timeout: 3 * time.Minute})
	for _, lang := range locale.Langs() {
		readIn(t, b, s, lang)
		for _, p := range publicPages {
			for _, width := range []int64{390, 1280} {
				if *screenshotDir != "" {
					b.Screenshot(t, s.URL+p.path, width, filepath.Join(*screenshotDir, "lang"), fmt.Sprintf("%s-%s-%d", p.name, lang, width))
				} else if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.URL+p.path)); err != nil {
					t.Fatal(err)
				}
				overflow, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`
					[...document.querySelectorAll("body *")]
						.filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
						.map(el => el.tagName + "." + el.className)`))
				if err != nil {
					t.Fatal(err)
				}
				if len(overflow) > 0 {
					t.Errorf("%s in %s at %d px: wider than the screen: %q", p.path, lang, width, overflow)
				}
				if width != 390 {
					continue
				}
				rows, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]float64](`[".main-nav", ".lang-switch"].flatMap(css => {
					const r = document.querySelector(css).getBoundingClientRect();
					return [r.top, r.bottom];
				})`))
				if err != nil {
					t.Fatal(err)
				}
				navTop, navBottom, switchTop, switchBottom := rows[0], rows[1], rows[2], rows[3]
				if switchTop >= navBottom || navTop >= switchBottom {
					t.Errorf("%s in %s at 390 px: the navigation spans %.0f–%.0f px, the language switch %.0f–%.0f px: not one row", p.path, lang, navTop, navBottom, switchTop, switchBottom)
				}
			}
		}
	}
}

// The postal code and the place are one line of the address, in the home
// page's contact card (a third of the screen wide beside two other cards)
// and in the footer, at phone and desktop width, in every language.
func TestBrowser_AddressKeepsPostalCodeAndPlaceOnOneLine(t *testing.T) {
	env := map[string]string{"CONPRO_COMPANY_NUMBER": "BE 0123.456.749", "CONPRO_OFFICE_HOURS": "ma–vr 8.00–17.00"}
	for k, v := range allVendors { // the share card makes three cards a row
		env[k] = v
	}
	s := newSite(t, siteOptions{env: env})
	b := browsertest.New(t, browsertest.Options{})
	for _, lang := range locale.Langs() {
		readIn(t, b, s, lang)
		for _, width := range []int64{390, 1280} {
			if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.URL+"/")); err != nil {
				t.Fatal(err)
			}
			lines, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`
				[...document.querySelectorAll("address")].map(address => {
					const walker = document.createTreeWalker(address, NodeFilter.SHOW_TEXT);
					for (let n = walker.nextNode(); n; n = walker.nextNode()) {
						const at = n.data.indexOf("2600");
						if (at < 0) continue;
						const range = document.createRange();
						range.setStart(n, at);
						range.setEnd(n, n.data.trimEnd().length);
						const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
						return range.toString() + ": " + tops.size + " line(s)";
					}
					return "no postal code";
				})`))
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != 2 {
				t.Fatalf("home in %s: %d addresses, want the card's and the footer's", lang, len(lines))
			}
			for _, line := range lines {
				if !strings.HasSuffix(line, ": 1 line(s)") {
					t.Errorf("home in %s at %d px: %s", lang, width, line)
				}
			}
		}
	}
}

// The line under the request form ("you can also e-mail …") is not glued to
// the form's button.
func TestBrowser_TheLineAfterTheRequestFormStandsApartFromItsButton(t *testing.T) {
	s := newSite(t, siteOptions{})
	b := browsertest.New(t, browsertest.Options{})
	for _, width := range []int64{390, 1280} {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.URL+"/privacy/verzoek")); err != nil {
			t.Fatal(err)
		}
		gap, err := chromedp.Run(b.Ctx, chromedp.Evaluate[float64](`
			document.querySelector("form.request-form").nextElementSibling.getBoundingClientRect().top -
			document.querySelector("form.request-form button[type=submit]").getBoundingClientRect().bottom`))
		if err != nil {
			t.Fatal(err)
		}
		if gap < 20 {
			t.Errorf("at %d px the line after the form starts %.0f px under its button, want at least 20", width, gap)
		}
	}
}
