package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

// TestBrowser_ContactFormAsAVisitorUsesIt fills the form in Chromium, first
// with a mistake, then right, with JavaScript on and off.
func TestBrowser_ContactFormAsAVisitorUsesIt(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "javascript", false: "no-javascript"}[js]
		t.Run(name, func(t *testing.T) {
			s := newSite(t, siteOptions{})
			b := browsertest.New(t, browsertest.Options{NoJavaScript: !js})
			b.Navigate(t, s.URL+"/contact")
			if err := chromedp.Do(b.Ctx,
				chromedp.SendKeys(chromedp.ID("naam"), "Jan Peeters"),
				chromedp.SendKeys(chromedp.ID("email"), "jan.peeters@example"),
				chromedp.SendKeys(chromedp.ID("telefoon"), "0484 53 27 38"),
				chromedp.SendKeys(chromedp.ID("bericht"), "Graag een offerte voor onze gevel."),
			); err != nil {
				t.Fatal(err)
			}
			b.ClickAndWait(t, `.contact-form button[type="submit"]`)

			errText, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS("#email-fout")))
			if err != nil || !strings.Contains(errText, "geldig e-mailadres") {
				t.Fatalf("no Dutch message next to the e-mail field: %q %v", errText, err)
			}
			focused, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.activeElement.id`))
			if err != nil || focused != "email" {
				t.Errorf("focus on %q, want the e-mail field", focused)
			}
			for id, want := range map[string]string{"naam": "Jan Peeters", "telefoon": "0484 53 27 38", "bericht": "Graag een offerte voor onze gevel.", "email": "jan.peeters@example"} {
				got, err := chromedp.Run(b.Ctx, chromedp.Value(chromedp.ID(id)))
				if err != nil || got != want {
					t.Errorf("%s after the error: %q, want %q", id, got, want)
				}
			}

			// The visitor corrects the address.
			if err := chromedp.Do(b.Ctx,
				chromedp.Clear(chromedp.ID("email")),
				chromedp.SendKeys(chromedp.ID("email"), "jan.peeters@example.be"),
			); err != nil {
				t.Fatal(err)
			}
			b.ClickAndWait(t, `.contact-form button[type="submit"]`)
			h1, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS("h1")))
			if err != nil || h1 != "Bedankt voor uw bericht" {
				t.Fatalf("after sending: %q %v", h1, err)
			}
			msgs := s.contactMessages(t)
			if len(msgs) != 1 || msgs[0].Email != "jan.peeters@example.be" || msgs[0].PhoneE164 != "+32484532738" {
				t.Fatalf("stored %+v", msgs)
			}
			// The 422 of the first post is logged by the browser, as any 4xx;
			// anything else would be a fault of the page.
			for _, e := range b.Errors() {
				if !strings.Contains(e, "status of 422") {
					t.Errorf("console error: %q", e)
				}
			}
		})
	}
}
