package server_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

// TestBrowser_StaffJudgeAMessageThatMayBeSpam: a message posted without the
// form's check is in the inbox with its mark and reason; staff open it, judge
// it not to be spam, and the mark is gone. Phone and desktop screenshots of
// each page, and of the staff forms shown again after unreadable text.
func TestBrowser_StaffJudgeAMessageThatMayBeSpam(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Graag een offerte voor een nieuwe garagepoort.")
	fast := s.contactForm(t)
	fast.Del("t")
	fast.Set("naam", "Marie Dubois")
	fast.Set("bericht", "Ik plakte dit bericht meteen: een vraag over een keukenrenovatie.")
	if res := s.postForm(t, "/contact", fast.Encode()); res.StatusCode != 303 {
		t.Fatalf("post: %d", res.StatusCode)
	}
	s.confirm(t, s.request(t, url.Values{"soort": {"correctie"}, "email": {"an@example.be"}, "toelichting": {"Mijn naam is An."}}))
	b := browsertest.New(t, browsertest.Options{})
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	shot := func(name string) {
		t.Helper()
		for _, w := range []int64{390, 1280} {
			loc, _ := chromedp.Run(b.Ctx, chromedp.Location())
			b.Screenshot(t, loc, w, dir, fmt.Sprintf("admin-%s-%d", name, w))
			overflow, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length`))
			if err != nil || overflow > 0 {
				t.Errorf("%s at %dpx: %d elements wider than the screen", name, w, overflow)
			}
		}
	}

	b.Navigate(t, s.URL+"/admin/login")
	if err := chromedp.Do(b.Ctx,
		chromedp.SendKeys(chromedp.ID("email"), "els@conpro-bvba.be"),
		chromedp.SendKeys(chromedp.ID("wachtwoord"), "een-lang-wachtwoord"),
	); err != nil {
		t.Fatal(err)
	}
	b.ClickAndWait(t, `.contact-form button[type="submit"]`)
	marks, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".admin-table tbody tr")].filter(tr => tr.querySelector(".badge-spam")).map(tr => tr.textContent)`))
	if err != nil || len(marks) != 1 || !strings.Contains(marks[0], "Marie Dubois") || !strings.Contains(marks[0], "niet via het formulier") {
		t.Fatalf("marked rows %q %v, want Marie's with the reason", marks, err)
	}
	shot("inbox-spam")
	b.Navigate(t, s.URL+"/admin/berichten?toon=spam")
	shot("inbox-filter-spam")
	b.ClickAndWait(t, `.admin-table tbody a`)
	shot("message-spam")
	b.ClickAndWait(t, `.spam-notice button`)
	if n := countNodes(t, b, ".badge-spam"); n != 0 {
		t.Fatalf("%d spam marks after \"Geen spam\"", n)
	}
	shot("message-not-spam")

	// Unreadable text in a staff form: the form again, with a Dutch notice
	// and what was typed.
	b.Navigate(t, s.URL+"/admin/berichten?zoek=a%00b")
	shot("inbox-unreadable")
	// A POST's answer cannot be loaded again: it is sent at each width.
	for _, w := range []int64{390, 1280} {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		b.Navigate(t, s.URL+"/admin/verzoeken")
		if err := chromedp.Do(b.Ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="notitie"]').value = "naam\u0000aangepast"`)); err != nil {
			t.Fatal(err)
		}
		b.ClickAndWait(t, `.card form button`)
		note, err := chromedp.Run(b.Ctx, chromedp.Value(chromedp.CSS(`input[name="notitie"]`)))
		if err != nil || note != "naam\uFFFDaangepast" {
			t.Errorf("the note after the error: %q %v", note, err)
		}
		png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("admin-requests-unreadable-%d.png", w)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range b.Errors() {
		if !strings.Contains(e, "status of 422") {
			t.Errorf("console error: %q", e)
		}
	}
}
