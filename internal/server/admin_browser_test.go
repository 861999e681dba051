package server_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

// TestBrowser_StaffLogInReadAMessageMarkItHandledSeeTheChartLogOut walks a
// staff member's day at phone width, screenshotting each page.
func TestBrowser_StaffLogInReadAMessageMarkItHandledSeeTheChartLogOut(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Graag een offerte voor een nieuwe garagepoort.")
	s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	b := browsertest.New(t, browsertest.Options{})
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	shot := func(name string) {
		for _, w := range []int64{390, 1280} {
			loc, _ := chromedp.Run(b.Ctx, chromedp.Location())
			b.Screenshot(t, loc, w, dir, fmt.Sprintf("admin-%s-%d", name, w))
			overflow, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length`))
			if err != nil || overflow > 0 {
				t.Errorf("%s at %dpx: %d elements wider than the screen", name, w, overflow)
			}
		}
	}

	b.Navigate(t, s.URL+"/admin/berichten")
	if loc, _ := chromedp.Run(b.Ctx, chromedp.Location()); !strings.HasSuffix(loc, "/admin/login") {
		t.Fatalf("without a session at %s", loc)
	}
	shot("login")
	if err := chromedp.Do(b.Ctx,
		chromedp.SendKeys(chromedp.ID("email"), "els@conpro-bvba.be"),
		chromedp.SendKeys(chromedp.ID("wachtwoord"), "een-lang-wachtwoord"),
	); err != nil {
		t.Fatal(err)
	}
	b.ClickAndWait(t, `.contact-form button[type="submit"]`)
	shot("inbox")
	b.ClickAndWait(t, `.admin-table tbody a`)
	text, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(".message-text")))
	if err != nil || !strings.Contains(text, "garagepoort") {
		t.Fatalf("message: %q %v", text, err)
	}
	shot("message")
	b.ClickAndWait(t, `.admin-actions button`)
	if label, _ := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(".admin-actions button"))); label != "Zet terug op open" {
		t.Fatalf("after marking handled the button says %q", label)
	}
	b.Navigate(t, s.URL+"/admin/statistieken")
	if n := countNodes(t, b, ".stats-chart svg rect"); n == 0 {
		t.Fatal("no bars in the chart")
	}
	shot("stats")
	b.ClickAndWait(t, `.logout-form button`)
	b.Navigate(t, s.URL+"/admin/berichten")
	if loc, _ := chromedp.Run(b.Ctx, chromedp.Location()); !strings.HasSuffix(loc, "/admin/login") {
		t.Fatalf("after logging out at %s", loc)
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}
