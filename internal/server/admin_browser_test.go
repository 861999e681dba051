package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
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

// staffBrowser is a browser signed in to the staff area, saving screenshots
// of what it shows.
type staffBrowser struct {
	*browsertest.Browser
	t   *testing.T
	dir string
}

func (s *site) staffBrowser(t *testing.T, email, password string) staffBrowser {
	t.Helper()
	b := browsertest.New(t, browsertest.Options{})
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	b.Navigate(t, s.URL+"/admin/login")
	if err := chromedp.Do(b.Ctx,
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("wachtwoord"), password),
	); err != nil {
		t.Fatal(err)
	}
	b.ClickAndWait(t, `.contact-form button[type="submit"]`)
	return staffBrowser{Browser: b, t: t, dir: dir}
}

// shot saves the page as it is now (without loading it again) at phone and
// desktop width, and checks that nothing is wider than the screen.
func (b staffBrowser) shot(name string) {
	b.t.Helper()
	for _, w := range []int64{390, 1280} {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			b.t.Fatal(err)
		}
		png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatal(err)
		}
		if err := os.MkdirAll(b.dir, 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b.dir, fmt.Sprintf("admin-%s-%d.png", name, w)), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
		overflow, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")]
			.filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
			.map(el => el.tagName + "." + el.className)`))
		if err != nil || len(overflow) > 0 {
			b.t.Errorf("%s at %dpx: wider than the screen: %q (%v)", name, w, overflow, err)
		}
	}
}

func (b staffBrowser) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	return u.Path
}

func (b staffBrowser) eval(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

func (b staffBrowser) fill(id, value string) {
	b.t.Helper()
	b.eval(`document.getElementById("` + id + `").value = ""`)
	if err := chromedp.Do(b.Ctx, chromedp.SendKeys(chromedp.ID(id), value)); err != nil {
		b.t.Fatalf("fill %s: %v", id, err)
	}
}

// TestBrowser_StaffOpenAMessageFromAnywhereInItsRowOrWithTheKeyboard: the
// whole row of the inbox opens its message, and each row is one stop for
// the keyboard.
func TestBrowser_StaffOpenAMessageFromAnywhereInItsRowOrWithTheKeyboard(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Goedendag,\n\nGraag een offerte voor een nieuwe garagepoort van 3 meter breed, met motor en afstandsbediening.\nMet vriendelijke groet")
	form := s.contactForm(t)
	form.Set("naam", "Marie-Christine Vandenberghe-Dubois")
	form.Set("email", "marie-christine.vandenberghe@example.be")
	form.Set("telefoon", "")
	form.Set("bericht", "Bonjour, pourriez-vous passer pour une cuisine ?")
	if res := s.postForm(t, "/contact", form.Encode(), "Accept-Language", "fr"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("contact post: %d", res.StatusCode)
	}
	var marie, jan int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT max(id), min(id) FROM contact_message`).Scan(&marie, &jan)
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	if got := b.eval(`document.querySelector('.admin-nav a[href="/admin/berichten"]').innerText`); !strings.Contains(got, "2") {
		t.Errorf("the menu entry %q does not count the open messages", got)
	}
	b.shot("inbox-rows")

	// A click on the first line of Marie's message, not on a link.
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(".inbox-table tbody tr:nth-child(1) .inbox-preview"))))
	cancel()
	if err != nil {
		t.Fatalf("a click on the first line of a message opened nothing: %v", err)
	}
	if got := b.path(); got != fmt.Sprintf("/admin/berichten/%d", marie) {
		t.Fatalf("a click in Marie's row led to %s", got)
	}
	if got := b.eval(`document.querySelector(".card h2").innerText`); got != "Bericht" {
		t.Errorf("the message's heading is %q", got)
	}
	b.shot("message-fr")

	// From the search button, Tab reaches the rows one by one; Enter opens.
	b.Navigate(t, s.URL+"/admin/berichten")
	if err := chromedp.Do(b.Ctx, chromedp.Focus(".inbox-search button"), chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	if got := b.eval(`document.activeElement.closest("tr") ? document.activeElement.closest("tr").rowIndex + " " + document.activeElement.innerText : document.activeElement.tagName`); got != "1 Marie-Christine Vandenberghe-Dubois" {
		t.Fatalf("after the search, Tab went to %q", got)
	}
	if err := chromedp.Do(b.Ctx, chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	if got := b.eval(`document.activeElement.closest("tr").rowIndex + " " + getComputedStyle(document.activeElement.closest("tr")).outlineStyle`); got != "2 solid" {
		t.Fatalf("the second Tab: row and its outline %q, want the next row, outlined", got)
	}
	b.shot("inbox-focus")
	if _, err := chromedp.Run(b.Ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.KeyEvent("\r"))); err != nil {
		t.Fatal(err)
	}
	if got := b.path(); got != fmt.Sprintf("/admin/berichten/%d", jan) {
		t.Fatalf("Enter on Jan's row led to %s", got)
	}
	b.shot("message")
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

// TestBrowser_StaffSeeALateRequestAndMailKeptForWantOfAServer: what
// staff must act on stands out, in words.
func TestBrowser_StaffSeeALateRequestAndMailKeptForWantOfAServer(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	s.confirm(t, s.request(t, url.Values{"soort": {"correctie"}, "email": {"jan@example.be"}, "toelichting": {"Mijn naam is Jan Peeters, niet Jean Peters. Graag overal aanpassen."}}))
	_, err := s.db.Pool().Exec(context.Background(), `
		UPDATE privacy_request SET created_at = created_at - interval '40 days', verified_at = verified_at - interval '40 days'`)
	if err != nil {
		t.Fatal(err)
	}
	s.confirm(t, s.request(t, url.Values{"soort": {"bezwaar"}, "email": {"an.de.smet@example.be"}}))
	s.request(t, url.Values{"soort": {"inzage"}, "email": {"piet@example.be"}})
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Een vraag over een dak.")
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")

	b.Navigate(t, s.URL+"/admin/verzoeken")
	if got := b.eval(`[...document.querySelectorAll(".card-overdue")].map(c => c.querySelector(".badge-overdue").innerText + " | " + c.querySelector(".deadline").innerText).join("\n")`); !strings.HasPrefix(got, "⚠ Te laat | verstreken op") {
		t.Fatalf("the late request: %q", got)
	}
	if got := b.eval(`getComputedStyle(document.querySelector(".card-overdue")).borderLeftWidth + " " + getComputedStyle(document.querySelector(".card-attention:not(.card-overdue)")).borderLeftWidth`); got != "6px 4px" {
		t.Errorf("border of the late and the waiting request %q: the late one must stand out by more than its colour", got)
	}
	b.shot("requests")

	b.Navigate(t, s.URL+"/admin/mail")
	if got := b.eval(`document.querySelector("h1").nextElementSibling.innerText`); !strings.HasPrefix(got, "E-mail is niet ingesteld: berichten worden bewaard maar niet verstuurd.") {
		t.Fatalf("below the heading: %q", got)
	}
	if n := countNodes(t, b.Browser, `form[action$="/opnieuw"]`); n != 0 {
		t.Errorf("%d retry buttons for mail never tried", n)
	}
	b.shot("mail")
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

// TestBrowser_StaffAddAColleagueThenDisableEnableAndGiveItANewPassword.
func TestBrowser_StaffAddAColleagueThenDisableEnableAndGiveItANewPassword(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b.ClickAndWait(t, `.admin-nav a[href="/admin/medewerkers"]`)
	b.shot("accounts")

	b.fill("email", "jan.peeters@conpro-bvba.be")
	b.fill("wachtwoord", "te-kort")
	b.fill("herhaal", "te-kort")
	b.ClickAndWait(t, `.account-add button[type="submit"]`)
	if got := b.eval(`document.activeElement.id + " | " + document.querySelector("#wachtwoord-fout").innerText + " | " + document.querySelector("#email").value`); got != "wachtwoord | Kies een wachtwoord van minstens 12 tekens. | jan.peeters@conpro-bvba.be" {
		t.Fatalf("a short password: %q", got)
	}
	b.shot("accounts-error")
	b.fill("wachtwoord", "een-goed-wachtwoord")
	b.fill("herhaal", "een-goed-wachtwoord")
	b.ClickAndWait(t, `.account-add button[type="submit"]`)
	if got := b.eval(`document.querySelector(".notice-success").innerText`); got != "Het account van jan.peeters@conpro-bvba.be is toegevoegd." {
		t.Fatalf("after adding: %q", got)
	}
	if n := countNodes(t, b.Browser, `form[action$="/uitschakelen"]`); n != 1 {
		t.Fatalf("%d buttons to disable, want one: not for one's own account", n)
	}
	b.ClickAndWait(t, `form[action$="/uitschakelen"] button`)
	if got := b.eval(`document.querySelector("tr.account-disabled").innerText`); !strings.Contains(got, "jan.peeters@conpro-bvba.be") || !strings.Contains(got, "uitgeschakeld") {
		t.Fatalf("the disabled row: %q", got)
	}
	b.shot("accounts-disabled")
	b.ClickAndWait(t, `form[action$="/inschakelen"] button`)
	if n := countNodes(t, b.Browser, "tr.account-disabled"); n != 0 {
		t.Fatal("enabling left the account disabled")
	}
	b.ClickAndWait(t, `tbody tr:nth-child(2) a[href$="/wachtwoord"]`)
	if got := b.eval(`document.querySelector("h1").innerText`); got != "Nieuw wachtwoord voor jan.peeters@conpro-bvba.be" {
		t.Fatalf("password page %q", got)
	}
	b.shot("password")
	b.fill("wachtwoord", "nog-een-goed-wachtwoord")
	b.fill("herhaal", "nog-een-goed-wachtwoord")
	b.ClickAndWait(t, `.contact-form button[type="submit"]`)
	if got := b.eval(`document.querySelector(".notice-success").innerText`); !strings.HasPrefix(got, "Het wachtwoord van jan.peeters@conpro-bvba.be is gewijzigd") {
		t.Fatalf("after the new password: %q", got)
	}
	// The 422 of the short password is logged by the browser, as any 4xx.
	for _, e := range b.Errors() {
		if !strings.Contains(e, "status of 422") {
			t.Errorf("console error: %q", e)
		}
	}
}
