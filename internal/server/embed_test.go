package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"conpro/internal/consent"
)

// embedVendors switches Google Analytics and the three embed vendors on.
var embedVendors = map[string]string{
	"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234",
	"CONPRO_YOUTUBE":           "1",
	"CONPRO_VIMEO":             "1",
	"CONPRO_GOOGLE_MAPS":       "1",
}

const embedAnchor = "embed-youtube-dQw4w9WgXcQ"

func frameSrc(res response) string {
	for _, d := range strings.Split(res.Header.Get("Content-Security-Policy"), ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "frame-src") {
			return d
		}
	}
	return ""
}

func TestEmbedConsent_LoadingOnceLogsTheGrantLeavesTheCookieAndReturnsWithTheVendorNamed(t *testing.T) {
	s := newSite(t, siteOptions{env: embedVendors})
	_, cookie := s.choose(t, url.Values{"action": {"save"}, "vendor": {"google-analytics"}, "return_to": {"/"}})
	res := s.postForm(t, "/consent", url.Values{"action": {"load_once"}, "vendor": {"youtube"}, "form": {"embed"},
		"return_to": {"/privacy#" + embedAnchor}}.Encode(), "Cookie", cookie.Name+"="+cookie.Value)
	if res.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/privacy\?laden=youtube\.[0-9]+\.[A-Za-z0-9_-]{22}#`+embedAnchor+`$`).MatchString(res.Header.Get("Location")) {
		t.Fatalf("status %d, redirect to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if sc := res.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("a one-time load sets cookies: %v", sc)
	}
	ch, err := s.codec.Decode(cookie.Value)
	if err != nil {
		t.Fatal(err)
	}
	evs := s.events(t, ch.ID)
	if len(evs) != 2 {
		t.Fatalf("%d rows, want the choice and the one-time load", len(evs))
	}
	e := evs[len(evs)-1]
	if e.Action != consent.LoadOnce || !slices.Equal(e.Vendors, []string{"youtube"}) || !slices.Equal(e.Categories, []consent.Category{consent.Advertising}) ||
		e.Path != "/privacy" || !strings.HasPrefix(e.BannerVersion, "embed-youtube-nl-") {
		t.Errorf("row %+v", e)
	}
	// The text the visitor clicked on is archived under that version.
	if body, err := s.db.ConsentText(t.Context(), e.BannerVersion); err != nil || !strings.Contains(body, "Eenmalig laden") || !strings.Contains(body, "Een video van YouTube") {
		t.Errorf("archived text %q (%v)", body, err)
	}
	// The next plain visit, with the same cookie, allows no YouTube frame.
	page := s.get(t, "/privacy", "Cookie", cookie.Name+"="+cookie.Value)
	if strings.Contains(page.Header.Get("Content-Security-Policy"), "youtube") {
		t.Errorf("CSP after a one-time load: %s", page.Header.Get("Content-Security-Policy"))
	}
	// A page without a video does not widen its CSP for the permission.
	page = s.get(t, strings.TrimSuffix(res.Header.Get("Location"), "#"+embedAnchor), "Cookie", cookie.Name+"="+cookie.Value)
	if page.StatusCode != http.StatusOK || strings.Contains(page.Header.Get("Content-Security-Policy"), "youtube") {
		t.Errorf("status %d, CSP %s", page.StatusCode, page.Header.Get("Content-Security-Policy"))
	}
}

func TestEmbedConsent_AlwaysAllowingAddsTheVendorToTheChoiceAndItsFrameToEveryAnswersCSP(t *testing.T) {
	s := newSite(t, siteOptions{env: embedVendors})
	_, cookie := s.choose(t, url.Values{"action": {"save"}, "vendor": {"google-analytics"}, "return_to": {"/"}})
	before := s.get(t, "/", "Cookie", cookie.Name+"="+cookie.Value)
	if frameSrc(before) != "" {
		t.Fatalf("frame-src before allowing YouTube: %s", frameSrc(before))
	}
	res, next := s.choose(t, url.Values{"action": {"allow_vendor"}, "vendor": {"youtube"}, "form": {"embed"},
		"return_to": {"/privacy#" + embedAnchor}}, "Cookie", cookie.Name+"="+cookie.Value)
	if res.Header.Get("Location") != "/privacy#"+embedAnchor {
		t.Errorf("redirect to %q", res.Header.Get("Location"))
	}
	ch, err := s.codec.Decode(next.Value)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := consent.NewRegistry(func(name string) string { return embedVendors[name] })
	if err != nil {
		t.Fatal(err)
	}
	var granted []string
	for _, v := range ch.GrantedVendors(reg) {
		granted = append(granted, v.Key)
	}
	if !slices.Equal(granted, []string{"google-analytics", "youtube"}) {
		t.Errorf("the cookie grants %v, want Google Analytics as before and YouTube", granted)
	}
	evs := s.events(t, ch.ID)
	if len(evs) != 2 || evs[1].Action != consent.AllowVendor || !slices.Equal(evs[1].Vendors, []string{"google-analytics", "youtube"}) ||
		!strings.HasPrefix(evs[1].BannerVersion, "embed-youtube-nl-") {
		t.Fatalf("rows %+v", evs)
	}
	page := s.get(t, "/", "Cookie", next.Name+"="+next.Value)
	if frameSrc(page) != "frame-src https://www.youtube-nocookie.com" {
		t.Errorf("frame-src after allowing YouTube: %q", frameSrc(page))
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "googletagmanager") || strings.Contains(csp, "vimeo") || strings.Contains(csp, "maps") {
		t.Errorf("CSP %s", csp)
	}
}

func TestEmbedConsent_AButtonForAVendorThatIsNoActiveEmbedIsAClean400(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_YOUTUBE": "1"}})
	for _, form := range []url.Values{
		{"action": {"allow_vendor"}, "vendor": {"vimeo"}, "return_to": {"/"}},
		{"action": {"load_once"}, "vendor": {"google-analytics"}, "return_to": {"/"}},
		{"action": {"load_once"}, "return_to": {"/"}},
	} {
		res := s.postForm(t, "/consent", form.Encode())
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "<html") || len(res.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("%v: status %d, cookies %v", form, res.StatusCode, res.Header.Values("Set-Cookie"))
		}
	}
	// An anchor that is not an embed's is dropped, the rest kept.
	res := s.postForm(t, "/consent", url.Values{"action": {"load_once"}, "vendor": {"youtube"}, "return_to": {`/privacy#"><script>`}}.Encode())
	if res.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/privacy\?laden=youtube\.[0-9]+\.[A-Za-z0-9_-]{22}$`).MatchString(res.Header.Get("Location")) {
		t.Errorf("status %d, redirect to %q", res.StatusCode, res.Header.Get("Location"))
	}
}
