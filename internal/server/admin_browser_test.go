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

// staffBrowser is a browser in which els@conpro-bvba.be (an account of s)
// has logged in.
func staffBrowser(t *testing.T, s *site) *browsertest.Browser {
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
	b := staffBrowser(t, s)
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
	b := staffBrowser(t, s)
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
	b := staffBrowser(t, s)
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
