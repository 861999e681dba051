package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
	"conpro/internal/media/mediatest"
)

// A page staff published with a photo and a YouTube line, as a visitor meets it in
// Chromium with and without JavaScript: the site's own placeholder and no
// request to another host until they ask; "Eenmalig laden" shows the
// nocookie frame on that page view only (the log keeps the one-time grant,
// the cookie does not, and the address it returns to is no permission for
// anyone else); "Altijd toestaan" adds YouTube to their choice and
// the frame loads on every later visit. Each answer's CSP lets in exactly
// the frame it shows.
func TestBrowser_AVideoOnAPageLoadsOnlyWhenTheVisitorAsksOnceOrAllowsItAlways(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_YOUTUBE": "1"}})
	c := s.signedInStaff(t)
	if res := c.upload(t, "Gerenoveerde gevel in rode baksteen", "gevel.jpg", mediatest.JPEGWithGPS(1800, 1200, 1)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	var photo int64
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT max(id) FROM photo`).Scan(&photo); err != nil {
		t.Fatal(err)
	}
	form := pageForm("ons-werk", "Ons werk")
	form.Set("foto", strconv.FormatInt(photo, 10))
	form.Set("tekst", "## Een renovatie in beeld\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nNa de video volgt meer tekst.")
	c.publishPage(t, c.createPage(t, form))
	server, _ := url.Parse(s.URL)
	const nocookie = "https://www.youtube-nocookie.com"

	// shown is what the page shows where the video goes, and what its
	// answer's CSP allows in frames.
	shown := func(t *testing.T, b *browsertest.Browser) (placeholders, frames string, frameSrc string) {
		t.Helper()
		got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`[
			String(document.querySelectorAll(".embed-placeholder").length),
			[...document.querySelectorAll("iframe")].map(f => f.src).join(" ")]`))
		if err != nil {
			t.Fatal(err)
		}
		return got[0], got[1], frameSrcOf(b.LastCSP())
	}
	events := func(t *testing.T, action string) int {
		t.Helper()
		var n int
		if err := s.db.Pool().QueryRow(context.Background(),
			`SELECT count(*) FROM consent_event WHERE action = $1 AND vendors = '{youtube}' AND path = '/ons-werk'`, action).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	for i, noJS := range []bool{false, true} {
		name := map[bool]string{false: "with JavaScript", true: "without JavaScript"}[noJS]
		t.Run(name, func(t *testing.T) {
			v := browsertest.New(t, browsertest.Options{NoJavaScript: noJS})
			v.Navigate(t, s.URL+"/ons-werk")
			if p, f, src := shown(t, v); p != "1" || f != "" || strings.Contains(src, nocookie) {
				t.Fatalf("before asking: %s placeholder(s), frames %q, frame-src %q", p, f, src)
			}
			if hosts := v.Hosts(); !slices.Equal(hosts, []string{server.Host}) {
				t.Fatalf("before asking, the page contacted %q", hosts)
			}
			v.ClickAndWait(t, `.embed-buttons button[value="load_once"]`)
			p, f, src := shown(t, v)
			if p != "0" || !strings.HasPrefix(f, nocookie+"/embed/dQw4w9WgXcQ") || !strings.Contains(src, nocookie) {
				t.Fatalf("after Eenmalig laden: %s placeholder(s), frames %q, frame-src %q", p, f, src)
			}
			if got := events(t, "load_once"); got != i+1 {
				t.Errorf("the log holds %d one-time grants, want %d", got, i+1)
			}
			// The next view of the page asks again, and so does an address
			// someone shares that names the vendor.
			for _, next := range []string{"/ons-werk", "/ons-werk?laden=youtube"} {
				v.Navigate(t, s.URL+next)
				if p, f, src := shown(t, v); p != "1" || f != "" || strings.Contains(src, nocookie) {
					t.Errorf("%s: %s placeholder(s), frames %q, frame-src %q", next, p, f, src)
				}
			}
		})
	}

	v := browsertest.New(t, browsertest.Options{NoJavaScript: true})
	atWidths(t, v, s.URL+"/ons-werk", "page-embed-placeholder", nil)
	v.ClickAndWait(t, `.embed-buttons button[value="allow_vendor"]`)
	if got := events(t, "allow_vendor"); got != 1 {
		t.Errorf("the log holds %d choices allowing YouTube, want 1", got)
	}
	for _, visit := range []string{"the answer", "a later visit"} {
		if visit == "a later visit" {
			v.Navigate(t, s.URL+"/ons-werk")
		}
		if p, f, src := shown(t, v); p != "0" || !strings.HasPrefix(f, nocookie+"/embed/dQw4w9WgXcQ") || !strings.Contains(src, nocookie) {
			t.Errorf("after Altijd toestaan, %s: %s placeholder(s), frames %q, frame-src %q", visit, p, f, src)
		}
	}
	v.Navigate(t, s.URL+"/contact")
	if src := frameSrcOf(v.LastCSP()); strings.Contains(src, "youtube") {
		t.Errorf("a page where the site loads no vendor allows YouTube frames: %q", src)
	}
}

// frameSrcOf is the frame-src directive of a Content-Security-Policy.
func frameSrcOf(csp string) string {
	for d := range strings.SplitSeq(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "frame-src") {
			return d
		}
	}
	return ""
}
