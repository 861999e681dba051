package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
	"conpro/internal/media/mediatest"
)

// TestBrowser_QuoteRequestAsAVisitorSendsIt fills /offerte in Chromium, in
// Dutch: first with a wrong postcode and an HTML file named plan.pdf, then
// right with a phone photo and a plan; it sees the thank-you page, and the
// pages (empty, with errors, thank-you) fit a phone and a desktop.
func TestBrowser_QuoteRequestAsAVisitorSendsIt(t *testing.T) {
	s := newSite(t, siteOptions{})
	b := browsertest.New(t, browsertest.Options{})
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	files := t.TempDir()
	photo := filepath.Join(files, "badkamer.jpg")
	plan := filepath.Join(files, "plan.pdf")
	fake := filepath.Join(files, "fake", "plan.pdf")
	_ = os.Mkdir(filepath.Dir(fake), 0o755)
	for path, data := range map[string][]byte{
		photo: mediatest.JPEGWithGPS(1200, 900, 1),
		plan:  aPlan,
		fake:  []byte("<!doctype html><title>plan</title><script>alert(1)</script>"),
	} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fits := func(what string, width int64) {
		t.Helper()
		overflow, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`
			[...document.querySelectorAll("body *")]
				.filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
				.map(el => el.tagName + "." + el.className)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(overflow) > 0 {
			t.Errorf("%s at %dpx: wider than the screen: %q", what, width, overflow)
		}
	}
	shoot := func(name string, width int64) {
		t.Helper()
		png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, width := range []int64{390, 1280} {
		b.Screenshot(t, s.URL+"/offerte", width, dir, fmt.Sprintf("offerte-%d", width))
		fits("/offerte", width)
	}

	b.Navigate(t, s.URL+"/offerte")
	if err := chromedp.Do(b.Ctx,
		chromedp.Click(chromedp.ID("soort-verbouwing")),
		chromedp.SendKeys(chromedp.ID("postcode"), "260"),
		chromedp.Click(chromedp.ID("planning-6maanden")),
		chromedp.SendKeys(chromedp.ID("bericht"), "Badkamer op de eerste verdieping volledig vernieuwen, ongeveer 6 m²."),
		chromedp.SetUploadFiles(chromedp.ID("bestanden"), []string{photo, fake}),
		chromedp.SendKeys(chromedp.ID("naam"), "An Janssens"),
		chromedp.SendKeys(chromedp.ID("email"), "an.janssens@example.be"),
	); err != nil {
		t.Fatal(err)
	}
	b.ClickAndWait(t, `.quote-form button[type="submit"]`)
	for id, want := range map[string]string{"postcode-fout": "4 cijfers", "bestanden-fout": "„plan.pdf” is geen foto"} {
		got, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil || !strings.Contains(got, want) {
			t.Errorf("#%s: %q %v, want %q", id, got, err, want)
		}
	}
	for id, want := range map[string]string{"postcode": "260", "naam": "An Janssens", "bericht": "Badkamer op de eerste verdieping volledig vernieuwen, ongeveer 6 m²."} {
		if got, err := chromedp.Run(b.Ctx, chromedp.Value(chromedp.ID(id))); err != nil || got != want {
			t.Errorf("%s after the error: %q, want %q", id, got, want)
		}
	}
	if checked, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`document.getElementById("soort-verbouwing").checked && document.getElementById("planning-6maanden").checked`)); err != nil || !checked {
		t.Error("the choices made are not kept")
	}
	if focused, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.activeElement.id`)); err != nil || focused != "postcode" {
		t.Errorf("focus on %q, want the postcode", focused)
	}
	for _, width := range []int64{390, 1280} {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		shoot("offerte-fouten", width)
		fits("/offerte with errors", width)
	}

	// The visitor fixes the postcode and chooses the right files again.
	if err := chromedp.Do(b.Ctx,
		chromedp.Clear(chromedp.ID("postcode")),
		chromedp.SendKeys(chromedp.ID("postcode"), "2600"),
		chromedp.SetUploadFiles(chromedp.ID("bestanden"), []string{photo, plan}),
	); err != nil {
		t.Fatal(err)
	}
	b.ClickAndWait(t, `.quote-form button[type="submit"]`)
	h1, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || h1 != "Bedankt voor uw aanvraag" {
		t.Fatalf("after sending: %q %v", h1, err)
	}
	for _, width := range []int64{390, 1280} {
		if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		shoot("offerte-bedankt", width)
		fits("/offerte/bedankt", width)
	}
	stored := s.quoteFiles(t)
	if len(stored) != 2 || stored[0].Name != "badkamer.jpg" || stored[1].Name != "plan.pdf" {
		t.Fatalf("stored %v", names(stored))
	}
	for _, e := range b.Errors() {
		if !strings.Contains(e, "status of 422") {
			t.Errorf("console error: %q", e)
		}
	}
}
