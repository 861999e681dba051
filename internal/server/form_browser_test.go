package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

// shownError is what Chromium shows of one invalid field.
type shownError struct {
	ID          string `json:"id"`
	Invalid     string `json:"invalid"`
	Border      string `json:"border"`
	Described   bool   `json:"described"`
	Message     string `json:"message"`
	InSummary   bool   `json:"inSummary"`
	GroupBorder string `json:"groupBorder"`
}

// TestBrowser_BothFormsShowTheirErrorsTheSameWay sends the contact form and
// the request form empty, with and without JavaScript: each shows a summary
// of its errors linking to the fields, every invalid field has a red border,
// says it is invalid and points at its message, and the first one has the
// focus.
func TestBrowser_BothFormsShowTheirErrorsTheSameWay(t *testing.T) {
	forms := []struct {
		path, submit string
		// invalid are the ids of the controls an empty post marks, in
		// order; a radio group is marked on its fieldset.
		invalid []string
		focus   string
	}{
		{"/contact", `.contact-form button[type="submit"]`, []string{"naam", "email", "bericht"}, "naam"},
		{"/privacy/verzoek", `.request-form button[type="submit"]`, []string{"soort", "email"}, "soort-inzage"},
	}
	for _, js := range []bool{true, false} {
		t.Run(map[bool]string{true: "javascript", false: "no-javascript"}[js], func(t *testing.T) {
			s := newSite(t, siteOptions{})
			b := browsertest.New(t, browsertest.Options{NoJavaScript: !js})
			for _, f := range forms {
				b.Navigate(t, s.URL+f.path)
				b.ClickAndWait(t, f.submit)
				shown, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]shownError](`
					[...document.querySelectorAll('[aria-invalid="true"]')].map(el => {
						const control = el.tagName === "FIELDSET" ? el.querySelector("input") : el;
						const described = (el.getAttribute("aria-describedby") || "").split(" ")
							.map(id => document.getElementById(id)).filter(Boolean);
						const error = described.find(d => d.classList.contains("field-error"));
						return {
							id: el.tagName === "FIELDSET" ? control.name : el.id,
							invalid: el.getAttribute("aria-invalid"),
							border: getComputedStyle(el.tagName === "FIELDSET" ? el : control).getPropertyValue(el.tagName === "FIELDSET" ? "border-left-color" : "border-top-color"),
							described: !!error,
							message: error ? error.textContent.trim() : "",
							inSummary: [...document.querySelectorAll(".error-summary a")].some(a => document.getElementById(a.hash.slice(1)) === control),
						};
					})`))
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, e := range shown {
					ids = append(ids, e.ID)
					if e.Border != "rgb(179, 38, 30)" {
						t.Errorf("%s: #%s has a %s border, want the red one", f.path, e.ID, e.Border)
					}
					if !e.Described || e.Message == "" {
						t.Errorf("%s: #%s does not point at its message (aria-describedby)", f.path, e.ID)
					}
					if !e.InSummary {
						t.Errorf("%s: the error summary has no link to #%s", f.path, e.ID)
					}
				}
				if !slices.Equal(ids, f.invalid) {
					t.Errorf("%s: invalid fields %q, want %q", f.path, ids, f.invalid)
				}
				summary, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(document.querySelector('.error-summary[role="alert"] h2') || {}).textContent || ""`))
				if err != nil || summary != "Controleer het formulier" {
					t.Errorf("%s: error summary %q", f.path, summary)
				}
				focused, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.activeElement.id`))
				if err != nil || focused != f.focus {
					t.Errorf("%s: focus on %q, want %q", f.path, focused, f.focus)
				}
			}
		})
	}
}

// TestBrowser_RequestFormWithErrorsAtPhoneAndDesktopWidth saves the request
// form with its errors (make test … TESTFLAGS='-screenshots DIR'); the
// contact form's are saved by TestBrowser_PagesFitAPhoneScreen.
func TestBrowser_RequestFormWithErrorsAtPhoneAndDesktopWidth(t *testing.T) {
	s := newSite(t, siteOptions{})
	b := browsertest.New(t, browsertest.Options{})
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	for _, width := range []int64{390, 1280} {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		b.Navigate(t, s.URL+"/privacy/verzoek")
		b.ClickAndWait(t, `.request-form button[type="submit"]`)
		png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("verzoek-errors-%d.png", width)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
