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

// signedInBrowser is a browser in which els@conpro-bvba.be (an account of s)
// has logged in.
func signedInBrowser(t *testing.T, s *site) *browsertest.Browser {
	t.Helper()
	b := browsertest.New(t, browsertest.Options{})
	b.Navigate(t, s.URL+"/admin/login")
	if err := chromedp.Do(b.Ctx,
		chromedp.SendKeys(chromedp.ID("email"), "els@conpro-bvba.be"),
		chromedp.SendKeys(chromedp.ID("wachtwoord"), "een-lang-wachtwoord"),
	); err != nil {
		t.Fatal(err)
	}
	b.ClickAndWait(t, `.contact-form button[type="submit"]`)
	return b
}

// atWidths loads u at a phone's and a desktop's width, saves each
// screenshot as <name>-<width> when the run asks for screenshots, checks
// that nothing is wider than the screen, and runs check at that width.
func atWidths(t *testing.T, b *browsertest.Browser, u, name string, check func(t *testing.T, width int64)) {
	t.Helper()
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	for _, w := range []int64{390, 1280} {
		b.Screenshot(t, u, w, dir, fmt.Sprintf("%s-%d", name, w))
		overflow, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(el => el.tagName + "." + el.className)`))
		if err != nil || len(overflow) > 0 {
			t.Errorf("%s at %dpx: wider than the screen: %v %v", name, w, overflow, err)
		}
		if check != nil {
			check(t, w)
		}
	}
}

// noAxeViolations runs axe-core on the page the browser shows.
func noAxeViolations(t *testing.T, b *browsertest.Browser, what string) {
	t.Helper()
	for _, v := range runAxe(t, b) {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: %s — %s at %s", what, v.ID, v.Help, strings.Join(where, ", "))
	}
}

func TestBrowser_TheStatisticsChartKeepsReadableTextOnAPhoneAndADesktop(t *testing.T) {
	s := statsWeek(t)
	b := signedInBrowser(t, s)
	atWidths(t, b, s.URL+"/admin/statistieken", "admin-stats-week", func(t *testing.T, width int64) {
		// One drawing of the chart shows at each width; its smallest text,
		// as drawn on the screen, is at least 10 px.
		type shown struct {
			Charts   int     `json:"charts"`
			Smallest float64 `json:"smallest"`
			Bars     int     `json:"bars"`
		}
		got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[shown](`(() => {
			const visible = [...document.querySelectorAll(".stats-chart svg")].filter(svg => svg.getBoundingClientRect().width > 0);
			let smallest = Infinity, bars = 0;
			for (const svg of visible) {
				const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
				for (const text of svg.querySelectorAll("text")) {
					smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
				}
				bars += svg.querySelectorAll("g.day").length;
			}
			return {charts: visible.length, smallest: smallest, bars: bars};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if got.Charts != 1 || got.Bars != 3 {
			t.Errorf("at %dpx: %d charts shown with %d bars, want one with 3", width, got.Charts, got.Bars)
		}
		if got.Smallest < 10 {
			t.Errorf("at %dpx the chart's smallest text is %.1f px", width, got.Smallest)
		}
		noAxeViolations(t, b, fmt.Sprintf("statistics at %dpx", width))
		headline, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(".stats-headline")))
		if err != nil || strings.Join(strings.Fields(headline), " ") != "30 dagen: 53 % alles aanvaard (8), 27 % alles geweigerd (4), 20 % zelf gekozen (3)" {
			t.Errorf("at %dpx the headline reads %q (%v)", width, headline, err)
		}
	})
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

func TestBrowser_StaffFilterTheAuditLogInPlainDutchOnAPhoneAndADesktop(t *testing.T) {
	s, _, id, _ := auditDay(t)
	b := signedInBrowser(t, s)
	atWidths(t, b, s.URL+"/admin/audit", "admin-audit", func(t *testing.T, width int64) {
		first, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(".audit-table tbody tr:first-child td:last-child")))
		if err != nil || first != "Bekeek het logboek" {
			t.Errorf("at %dpx the newest entry reads %q (%v)", width, first, err)
		}
		noAxeViolations(t, b, fmt.Sprintf("audit log at %dpx", width))
	})
	// Choosing an action in the form narrows the list to it.
	if err := chromedp.Do(b.Ctx, chromedp.SetValue(chromedp.ID("wat"), "delete_message")); err != nil {
		t.Fatal(err)
	}
	b.ClickAndWait(t, `.audit-filter button[type="submit"]`)
	rows, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".audit-table tbody td:last-child")].map(td => td.textContent.trim())`))
	if err != nil || len(rows) != 1 || rows[0] != fmt.Sprintf("Bericht #%d verwijderd", id) {
		t.Errorf("after choosing the deletions: %q (%v)", rows, err)
	}
	if loc, _ := chromedp.Run(b.Ctx, chromedp.Location()); !strings.Contains(loc, "wat=delete_message") {
		t.Errorf("the filter is not in the address (%s): it cannot be bookmarked", loc)
	}
	atWidths(t, b, s.URL+"/admin/audit?van=2025-03-02&tot=2025-03-01&wat=login", "admin-audit-error", func(t *testing.T, width int64) {
		summary, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(".error-summary")))
		if err != nil || !strings.Contains(summary, "vóór de begindatum") {
			t.Errorf("at %dpx the error summary reads %q (%v)", width, summary, err)
		}
		noAxeViolations(t, b, fmt.Sprintf("refused audit filter at %dpx", width))
	})
	// The refused filter's 422 is the one error the browser may report.
	for _, e := range b.Errors() {
		if !strings.Contains(e, "status of 422") {
			t.Errorf("console error: %q", e)
		}
	}
}

func TestBrowser_StaffLookUpAConsentIDAndSeeItWholeOnAPhoneAndADesktop(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	id := consentVisitor(t, s)
	b := signedInBrowser(t, s)
	atWidths(t, b, s.URL+"/admin/toestemmingen", "admin-consent-empty", nil)
	atWidths(t, b, s.URL+"/admin/toestemmingen?id="+id, "admin-consent", func(t *testing.T, width int64) {
		// The ID is whole in the field and in the heading: nothing of it
		// is scrolled out of sight or cut.
		type shown struct {
			Heading      string `json:"heading"`
			FieldFits    bool   `json:"fieldFits"`
			HeadingFits  bool   `json:"headingFits"`
			Choices      int    `json:"choices"`
			LatestAction string `json:"latestAction"`
		}
		got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[shown](`(() => {
			const input = document.getElementById("id"), code = document.querySelector("#consent-result .consent-id");
			return {
				heading: code.textContent,
				fieldFits: input.scrollWidth <= input.clientWidth,
				headingFits: code.getBoundingClientRect().right <= document.documentElement.clientWidth,
				choices: document.querySelectorAll(".consent-event").length,
				latestAction: document.querySelector(".consent-event h3").firstChild.textContent.trim(),
			};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if got.Heading != id || !got.FieldFits || !got.HeadingFits {
			t.Errorf("at %dpx the ID reads %q in the heading (fits %v), fits in the field %v", width, got.Heading, got.HeadingFits, got.FieldFits)
		}
		if got.Choices != 2 || got.LatestAction != "Aanvaardde alle cookies" {
			t.Errorf("at %dpx: %d choices, the latest %q", width, got.Choices, got.LatestAction)
		}
		noAxeViolations(t, b, fmt.Sprintf("consent lookup at %dpx", width))
	})
	atWidths(t, b, s.URL+"/admin/toestemmingen?id=abc", "admin-consent-error", func(t *testing.T, width int64) {
		noAxeViolations(t, b, fmt.Sprintf("refused consent ID at %dpx", width))
	})
	for _, e := range b.Errors() {
		if !strings.Contains(e, "status of 422") {
			t.Errorf("console error: %q", e)
		}
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

// waitForFocus waits (up to three seconds) for the page to move the focus
// to the element with id, as a form shown again does with its first
// error once it has loaded; the check that follows tells if it never did.
func (b staffBrowser) waitForFocus(id string) {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && b.eval(`document.activeElement.id`) != id; {
		time.Sleep(50 * time.Millisecond)
	}
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
	b.waitForFocus("wachtwoord")
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

// On a phone the staff menu (thirteen entries, five rows when laid out as
// on a desktop) folds behind one line that names the page; it opens as two
// columns and leads where it says. On a desktop it is the row of links.
func TestBrowser_OnAPhoneTheStaffMenuFoldsBehindOneLineThatNamesThePage(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	phone := func() {
		t.Helper()
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(390, 800)); err != nil {
			t.Fatal(err)
		}
	}
	phone()
	b.Navigate(t, s.URL+"/admin/statistieken")
	state := func() string {
		return b.eval(`[getComputedStyle(document.querySelector(".admin-nav")).display,
			document.querySelector(".admin-menu summary").innerText.replace(/\s+/g, " ").trim(),
			document.querySelector(".admin-menu").open,
			Math.round(document.querySelector(".site-header").getBoundingClientRect().height) < 200].join(" | ")`)
	}
	if got := state(); got != "none | Menu Statistieken | false | true" {
		t.Fatalf("on a phone: %q", got)
	}
	b.shot("staff-menu-folded")
	phone()
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(".admin-menu summary"))); err != nil {
		t.Fatal(err)
	}
	b.shot("staff-menu-open")
	phone()
	b.ClickAndWait(t, `.admin-menu a[href="/admin/media"]`)
	if got := state(); got != "none | Menu Foto's | false | true" {
		t.Errorf("after choosing Foto's: %q", got)
	}
	if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	if got := b.eval(`getComputedStyle(document.querySelector(".admin-nav")).display + " " + getComputedStyle(document.querySelector(".admin-menu")).display`); got != "block none" {
		t.Errorf("on a desktop the menu and the folded line are %q", got)
	}
}
