package server_test

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// runAxe injects axe-core (tools/axe, installed by make test) into the page
// and returns its violations.
func runAxe(t *testing.T, b *browsertest.Browser) []axeViolation {
	t.Helper()
	src, err := os.ReadFile("../../tools/axe/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is not installed (make test runs scripts/deps.sh): %v", err)
	}
	if err := chromedp.Do(b.Ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
		t.Fatalf("inject axe: %v", err)
	}
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => ({target: n.target}))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe: %v", err)
	}
	return v
}

// TestAxe_PublicPagesHaveNoAccessibilityViolations runs axe-core on the
// main pages with the banner closed, open, and gone (after a choice).
func TestAxe_PublicPagesHaveNoAccessibilityViolations(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	b := browsertest.New(t, browsertest.Options{})
	check := func(state, path string) {
		t.Helper()
		for _, v := range runAxe(t, b) {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, strings.Join(n.Target, " "))
			}
			t.Errorf("%s (%s): %s — %s at %s", path, state, v.ID, v.Help, strings.Join(where, ", "))
		}
	}
	pages := []string{"/", "/privacy", "/cookies", "/contact", "/privacy/verzoek"}
	for _, p := range pages {
		b.Navigate(t, s.URL+p)
		check("banner closed", p)
		if countNodes(t, b, ".consent-prefs summary") > 0 {
			if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(".consent-prefs summary"))); err != nil {
				t.Fatal(err)
			}
			check("banner open", p)
		}
	}
	b.Navigate(t, s.URL+"/contact")
	b.ClickAndWait(t, `.contact-form button[type="submit"]`)
	check("form errors", "/contact")
	b.Navigate(t, s.URL+"/privacy/verzoek")
	b.ClickAndWait(t, `.request-form button[type="submit"]`)
	check("form errors", "/privacy/verzoek")
	b.Navigate(t, s.URL+"/")
	b.ClickAndWait(t, `#cookie-banner button[value="reject_all"]`)
	for _, p := range pages {
		b.Navigate(t, s.URL+p)
		check("after a choice", p)
	}
}
