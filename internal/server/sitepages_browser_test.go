package server_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
	"conpro/internal/media/mediatest"
)

// TestPagesBrowser_StaffCreateAPageWithAPhotoPublishItAndAVisitorSeesIt: in
// Chromium, in Dutch, staff write a page, choose a photo, are refused an
// address the site uses, preview the page and publish it after being
// asked once more; a visitor then finds it in the menu with its photo
// loaded at once. Every screen fits a phone and a desktop (with
// -screenshots, each is saved).
func TestPagesBrowser_StaffCreateAPageWithAPhotoPublishItAndAVisitorSeesIt(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	if res := c.upload(t, "Nieuwe gevel in rode baksteen met witte ramen", "gevel.jpg", mediatest.JPEGWithGPS(1800, 1200, 1)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	if res := c.upload(t, "Trap in eik", "trap.jpg", mediatest.JPEGWithGPS(900, 1200, 1)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	b := s.staffBrowser(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	b.Navigate(t, s.URL+"/admin/paginas")
	b.shot("pages-empty")
	b.ClickAndWait(t, `a[href="/admin/paginas/nieuw"]`)
	b.fill("adres", "privacy")
	b.fill("titel", "Over ons")
	b.fill("inleiding", "Al dertig jaar bouwen en renoveren wij woningen in Vlaanderen.")
	b.fill("tekst", "# Wie wij zijn\n\nEen familiebedrijf met een eigen ploeg vakmensen.\n\n- Nieuwbouw\n- Renovatie\n- Dakwerken\n\n[Neem contact op](/contact)")
	b.fill("beschrijving", "Wie Construct Professional is, wat wij bouwen en hoe wij werken.")
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(`label.photo-option:nth-child(3)`))); err != nil {
		t.Fatal(err)
	}
	b.ClickAndWait(t, `button[value="voorbeeld"]`)
	if got := b.eval(`document.querySelector("#adres-fout").textContent`); got != "Dit adres gebruikt de website zelf al. Kies een ander adres." {
		t.Errorf("a reserved address: %q", got)
	}
	b.waitForFocus("adres")
	if got := b.eval(`document.activeElement.id + " " + document.querySelector("#titel").value + " " + document.querySelector("input[name=foto]:checked").closest("label").innerText.trim()`); got != "adres Over ons Nieuwe gevel in rode baksteen met witte ramen" {
		t.Errorf("after the refusal, focus, title and photo: %q", got)
	}
	b.shot("page-error")

	b.fill("adres", "over-ons")
	b.ClickAndWait(t, `button[value="voorbeeld"]`)
	if !strings.HasSuffix(b.path(), "/voorbeeld") || b.eval(`document.querySelector("h1").textContent`) != "Over ons" {
		t.Fatalf("no preview: %s", b.path())
	}
	waitPhoto(t, b.Browser)
	b.shot("page-preview")
	b.Navigate(t, s.URL+strings.TrimSuffix(b.path(), "/voorbeeld")+"/publiceren")
	b.shot("page-publish")
	b.ClickAndWait(t, `form.policy-confirm button[type="submit"]`)
	if got := b.eval(`document.querySelector(".notice-success").textContent`); !strings.Contains(got, "De pagina is gepubliceerd") {
		t.Errorf("after publishing: %q", got)
	}
	b.shot("pages")

	// A French translation, saved as a second version: the form with its
	// French section, the versions, the French preview.
	b.ClickAndWait(t, `.pages-table th a`)
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(`.page-translation summary`))); err != nil {
		t.Fatal(err)
	}
	b.fill("titel_fr", "À propos")
	b.fill("tekst_fr", "# Qui nous sommes\n\nUne entreprise familiale.")
	b.fill("beschrijving_fr", "Qui est Construct Professional.")
	b.ClickAndWait(t, `button[value=""]`)
	b.shot("page-edit")
	b.Navigate(t, s.URL+b.path()+"/versies")
	if got := b.eval(`document.querySelectorAll(".page-revisions > li").length + ""`); got != "2" {
		t.Errorf("%s versions listed, want 2", got)
	}
	b.shot("page-revisions")
	b.Navigate(t, s.URL+strings.TrimSuffix(b.path(), "/versies")+"/voorbeeld?taal=fr")
	if got := b.eval(`document.querySelector("article").lang + " " + document.querySelector("h1").textContent`); got != "fr À propos" {
		t.Errorf("the French preview: %q", got)
	}
	b.shot("page-preview-fr")

	// A visitor.
	v := browsertest.New(t, browsertest.Options{})
	v.Navigate(t, s.URL+"/")
	v.ClickAndWait(t, `.main-nav a[href="/over-ons"]`)
	waitPhoto(t, v)
	got, err := chromedp.Run(v.Ctx, chromedp.Evaluate[string](`[document.querySelector("h1").textContent, document.querySelector(".lead").textContent,
		document.querySelector(".page-text h2").textContent, document.querySelector(".page-photo img").loading,
		document.querySelector(".page-photo img").currentSrc.replace(/.*\./, ""), document.querySelector('.main-nav a[aria-current="page"]').textContent].join(" | ")`))
	if err != nil {
		t.Fatal(err)
	}
	if got != "Over ons | Al dertig jaar bouwen en renoveren wij woningen in Vlaanderen. | Wie wij zijn | auto | webp | Over ons" {
		t.Errorf("the visitor sees %q", got)
	}
	dir := *screenshotDir
	if dir == "" {
		dir = t.TempDir()
	}
	for _, width := range []int64{390, 1280} {
		v.Screenshot(t, s.URL+"/over-ons", width, filepath.Join(dir, "pages"), fmt.Sprintf("over-ons-%d", width))
		overflow, err := chromedp.Run(v.Ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")]
			.filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
			.map(el => el.tagName + "." + el.className)`))
		if err != nil || len(overflow) > 0 {
			t.Errorf("the page at %d px: wider than the screen: %q %v", width, overflow, err)
		}
	}
	for _, e := range v.Errors() {
		t.Errorf("console error: %q", e)
	}
}

// waitPhoto waits until the page's photo has loaded.
func waitPhoto(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok, _ := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`(i => i && i.complete && i.naturalWidth > 0)(document.querySelector(".page-photo img"))`)); ok {
			return
		}
	}
	t.Fatal("the page's photo does not load")
}
