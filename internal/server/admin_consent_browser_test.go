package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_StaffReadTheWordsEachVisitorSawAndExportTheRecord opens, at
// phone and desktop width, what each choice's visitor saw, and downloads
// the record.
func TestBrowser_StaffReadTheWordsEachVisitorSawAndExportTheRecord(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	id := consentVisitor(t, s)
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b.Navigate(t, s.URL+"/admin/toestemmingen?id="+id)

	// Closed, the words take one line per choice.
	closed, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]bool](`[...document.querySelectorAll(".visitor-text")].map(d => d.open || d.querySelector(".visitor-text-inner").checkVisibility())`))
	if err != nil || len(closed) != 2 || closed[0] || closed[1] {
		t.Fatalf("the texts shown before anything is opened: %v (%v)", closed, err)
	}
	// A person opens each by its summary.
	for _, css := range []string{`.consent-event:nth-child(1) .visitor-text > summary`, `.consent-event:nth-child(2) .visitor-text > summary`} {
		if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
			t.Fatal(err)
		}
	}
	type line struct {
		Text    string  `json:"text"`
		Visible bool    `json:"visible"`
		Left    float64 `json:"left"`
	}
	lines := func() []line {
		t.Helper()
		got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]line](`[...document.querySelectorAll(".consent-event:nth-child(1) .visitor-text-body p")].map(p => {
			const r = p.getBoundingClientRect();
			return {text: p.textContent.replace(/\s+/g, " ").trim(), visible: p.checkVisibility() && r.height > 0, left: r.left};
		})`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, w := range []int64{390, 1280} {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		got := lines()
		var category, vendor *line
		var sawNotice bool
		for i := range got {
			l := &got[i]
			if !l.Visible {
				t.Errorf("at %dpx a line is hidden: %q", w, l.Text)
			}
			switch {
			case strings.HasSuffix(l.Text, "Analytische cookies"):
				category = l
			case strings.Contains(l.Text, "Google Analytics"):
				vendor = l
			case strings.HasPrefix(l.Text, "Uw browser vraagt om u niet te volgen"):
				sawNotice = true
			}
		}
		if !sawNotice || category == nil || vendor == nil {
			t.Fatalf("at %dpx the latest choice's words lack the GPC notice or the analytics switches:\n%+v", w, got)
		}
		// A vendor's switch stands under its category's, indented.
		if vendor.Left <= category.Left {
			t.Errorf("at %dpx the vendor's switch (%.0f) is not indented under its category's (%.0f)", w, vendor.Left, category.Left)
		}
		// Each button the visitor could press is a box of its own; the row
		// they stood in is not drawn as one more.
		framed, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".visitor-text-body p")].filter(p => getComputedStyle(p).borderTopStyle !== "none").map(p => p.textContent.trim())`))
		if err != nil || len(framed) > 0 {
			t.Errorf("at %dpx lines of the text are framed: %q (%v)", w, framed, err)
		}
		noAxeViolations(t, b.Browser, "consent lookup with the words opened")
	}
	b.shot("consent-words")

	// The export link downloads the record.
	record := b.Download(t, ".consent-export a")
	var r struct {
		Principal string `json:"pii_principal_id"`
		Events    []any  `json:"events"`
	}
	if err := json.Unmarshal(record, &r); err != nil || r.Principal != id || len(r.Events) != 2 {
		t.Errorf("the downloaded record: %s, %d events (%v)", r.Principal, len(r.Events), err)
	}
	for _, e := range b.Errors() {
		t.Errorf("console error: %q", e)
	}
}
