package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conpro/internal/media/mediatest"
)

func TestMediaBrowser_TheLibraryShowsThumbnailsAndFormMessagesAtPhoneAndDesktopWidth(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	for _, p := range []struct {
		alt  string
		w, h int
	}{{"Gerenoveerde gevel in rode baksteen met nieuwe ramen", 1200, 900}, {"Trap in eik", 600, 900}} {
		if res := c.upload(t, p.alt, "foto.jpg", mediatest.JPEGWithGPS(p.w, p.h, 1)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d", res.StatusCode)
		}
	}
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b.Navigate(t, s.URL+"/admin/media")
	// Asked again until they are in: lazy images load after the page.
	loaded := false
	for deadline := time.Now().Add(10 * time.Second); !loaded && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		loaded, _ = chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll(".media-thumb img")].every(i => i.complete && i.naturalWidth > 0)`))
	}
	if !loaded {
		t.Fatal("the thumbnails do not load")
	}
	if got := b.eval(`document.querySelector(".media-thumb img").currentSrc.replace(/.*\./, "")`); got != "webp" {
		t.Errorf("Chromium shows the %s variant, want webp", got)
	}
	b.shot("media")

	b.fill("alt", "Badkamer met inloopdouche")
	b.ClickAndWait(t, `.media-upload button[type="submit"]`)
	if got := b.eval(`document.querySelector("#foto-fout").textContent`); got != "Kies een foto om op te laden." {
		t.Errorf("without a file: %q", got)
	}
	if got := b.eval(`document.querySelector("#alt").value`); got != "Badkamer met inloopdouche" {
		t.Errorf("the description typed became %q", got)
	}
	b.shot("media-error")

	b.Navigate(t, s.URL+"/admin/media?verwijderen=1#foto-1")
	b.shot("media-confirm")
}
