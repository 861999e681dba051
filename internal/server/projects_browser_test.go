package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

// TestProjectsBrowser_StaffCreateAProjectWithThreePhotosAndAVisitorSeesItOnPhoneAndDesktop:
// in Dutch, staff choose three photos of the library, order and caption
// them, save and publish after being asked once more; a visitor then finds
// the project in the navigation, the list and its page, nothing wider
// than the screen at 390 and 1280 px.
func TestProjectsBrowser_StaffCreateAProjectWithThreePhotosAndAVisitorSeesItOnPhoneAndDesktop(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	photos := c.projectPhotos(t, 3)
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b.Navigate(t, s.URL+"/admin/realisaties")
	b.shot("projects-empty")
	b.ClickAndWait(t, `a[href="/admin/realisaties/nieuw"]`)

	// A first try without a title: refused, with what was typed kept.
	b.fill("plaats", "Berchem")
	b.fill("beschrijving_nl", "Een rijwoning uit 1930 kreeg een nieuwe gevel en nieuwe ramen.")
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS("#soort-renovatie"))); err != nil {
		t.Fatal(err)
	}
	for i, id := range []int64{photos[2], photos[0], photos[1]} {
		if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf("#foto-%d", id)))); err != nil {
			t.Fatal(err)
		}
		b.fill(fmt.Sprintf("volgorde_%d", id), fmt.Sprint(i+1))
		b.fill(fmt.Sprintf("onderschrift_nl_%d", id), []string{"De gevel na de werken", "De keuken", "De badkamer"}[i])
	}
	b.ClickAndWait(t, `button[value="publiceren"]`)
	if got := b.eval(`document.querySelector(".error-summary").textContent`); !strings.Contains(got, "Vul een titel in.") {
		t.Errorf("without a title: %q", got)
	}
	b.waitForFocus("titel_nl")
	if got := b.eval(`document.activeElement.id`); got != "titel_nl" {
		t.Errorf("the focus is on %q, not on the title", got)
	}
	if got := b.eval(fmt.Sprintf(`document.getElementById("onderschrift_nl_%d").value + "|" + document.getElementById("plaats").value`, photos[2])); got != "De gevel na de werken|Berchem" {
		t.Errorf("what was typed became %q", got)
	}
	b.shot("project-form-error")

	b.fill("titel_nl", "Renovatie rijwoning Berchem")
	b.ClickAndWait(t, `button[value="publiceren"]`)
	if got := b.eval(`document.querySelector("main").textContent`); !strings.Contains(got, "Wilt u deze realisatie publiceren?") {
		t.Fatalf("publishing does not ask once more: %q", got)
	}
	b.shot("project-confirm")
	b.ClickAndWait(t, `main form button[type="submit"]`)
	if got := b.eval(`document.querySelector(".notice-success").textContent`); !strings.Contains(got, "gepubliceerd") {
		t.Errorf("after publishing: %q", got)
	}
	b.shot("projects")
	b.Navigate(t, s.URL+"/admin/realisaties/1")
	b.shot("project-form")

	v := browsertest.New(t, browsertest.Options{})
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	v.Navigate(t, s.URL+"/")
	if _, err := chromedp.Run(v.Ctx, chromedp.Evaluate[bool](`true`)); err != nil {
		t.Fatal(err)
	}
	for _, page := range []struct{ name, path string }{{"home-projects", "/"}, {"realisaties", "/realisaties"}, {"realisatie", "/realisaties/renovatie-rijwoning-berchem"}} {
		for _, width := range []int64{390, 1280} {
			if err := chromedp.Do(v.Ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.URL+page.path)); err != nil {
				t.Fatal(err)
			}
			// Every photo in, lazy ones too, for the picture of the whole page.
			loaded := false
			for deadline := time.Now().Add(10 * time.Second); !loaded && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				loaded, _ = chromedp.Run(v.Ctx, chromedp.Evaluate[bool](`[...document.images].forEach(i => i.loading = "eager"), [...document.images].every(i => i.complete && i.naturalWidth > 0)`))
			}
			if !loaded {
				t.Errorf("%s at %dpx: the photos do not load", page.path, width)
			}
			fits, err := chromedp.Run(v.Ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
			if err != nil || !fits {
				t.Errorf("%s at %dpx: wider than the screen (%v)", page.path, width, err)
			}
			png, err := chromedp.Run(v.Ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			_ = os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", page.name, width)), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := chromedp.Run(v.Ctx, chromedp.Evaluate[string](`[...document.querySelectorAll(".main-nav a")].map(a => a.textContent.trim()).join(",") + "|" +
		[...document.querySelectorAll("figcaption")].map(f => f.textContent).join(",")`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Home,Realisaties,Contact,Privacy|De gevel na de werken,De keuken,De badkamer"; got != want {
		t.Errorf("the visitor sees %q, want %q", got, want)
	}
	if errs := v.Errors(); len(errs) > 0 {
		t.Errorf("console errors (a CSP violation among them?): %q", errs)
	}
}
