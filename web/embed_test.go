package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"conpro/internal/consent"
	"conpro/internal/locale"
	"conpro/locales"
	"conpro/web"
)

func TestParseEmbed_ReadsEachFormOfAVideoOrMapAddress(t *testing.T) {
	cases := []struct {
		addr, vendor, id, src string
	}{
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "youtube", "dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://m.youtube.com/watch?v=a_b-C1d2E3f", "youtube", "a_b-C1d2E3f", "https://www.youtube-nocookie.com/embed/a_b-C1d2E3f"},
		{"https://youtu.be/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://youtu.be/dQw4w9WgXcQ?si=abc", "youtube", "dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"},
		{"https://vimeo.com/76979871", "vimeo", "76979871", "https://player.vimeo.com/video/76979871?dnt=1"},
		{"https://vimeo.com/76979871/abc123def0", "vimeo", "76979871", "https://player.vimeo.com/video/76979871?dnt=1&h=abc123def0"},
		{"https://player.vimeo.com/video/76979871", "vimeo", "76979871", "https://player.vimeo.com/video/76979871?dnt=1"},
		{"https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2505.9!2d4.35!3d50.84!5e0!3m2!1snl!2sbe!4v1600000000000", "google-maps", "",
			"https://www.google.com/maps/embed?pb=%211m18%211m12%211m3%211d2505.9%212d4.35%213d50.84%215e0%213m2%211snl%212sbe%214v1600000000000"},
		{"https://www.openstreetmap.org/export/embed.html?bbox=4.30,50.80,4.40,50.90&layer=mapnik&marker=50.85,4.35", web.OpenStreetMap, "",
			"https://www.openstreetmap.org/export/embed.html?bbox=4.3%2C50.8%2C4.4%2C50.9&layer=mapnik&marker=50.85%2C4.35"},
		{"https://www.openstreetmap.org/?mlat=50.85&mlon=4.35#map=16/50.85/4.35", web.OpenStreetMap, "", ""},
	}
	for _, c := range cases {
		e, ok := web.ParseEmbed(c.addr)
		if !ok {
			t.Errorf("%s: not read as an embed", c.addr)
			continue
		}
		if e.Vendor != c.vendor || (c.id != "" && e.ID != c.id) || (c.src != "" && e.Src != c.src) {
			t.Errorf("%s: got %+v, want vendor %s, id %s, src %s", c.addr, e, c.vendor, c.id, c.src)
		}
		if !regexp.MustCompile(`^embed-[a-z-]+-[A-Za-z0-9_-]+$`).MatchString(e.Anchor()) {
			t.Errorf("%s: anchor %q", c.addr, e.Anchor())
		}
	}
	// A share link of OpenStreetMap becomes a box around its view, with its
	// marker.
	e, _ := web.ParseEmbed("https://www.openstreetmap.org/?mlat=50.85&mlon=4.35#map=16/50.85/4.35")
	u, err := url.Parse(e.Src)
	if err != nil || !strings.HasPrefix(e.Src, web.OpenStreetMapFrame+"?") || u.Query().Get("marker") != "50.85,4.35" || len(strings.Split(u.Query().Get("bbox"), ",")) != 4 {
		t.Errorf("OpenStreetMap share link gave %q", e.Src)
	}
}

func TestParseEmbed_LeavesBadIDsAndOtherHostsAsLinks(t *testing.T) {
	for _, addr := range []string{
		"https://www.youtube.com/watch?v=dQw4w9WgXc",      // 10 characters
		"https://www.youtube.com/watch?v=dQw4w9WgXcQQ",    // 12
		"https://www.youtube.com/watch?v=dQw4w9WgX%22Q",   // a quote
		"https://www.youtube.com/watch?v=a&v=dQw4w9WgXcQ", // two
		"https://www.youtube.com/watch",
		"https://www.youtube.com/channel/UCdQw4w9WgXcQ",
		"https://youtu.be/dQw4w9WgXcQ/extra",
		"https://youtu.be.evil.example/dQw4w9WgXcQ",
		"https://evil.example/youtu.be/dQw4w9WgXcQ",
		"https://user@youtu.be/dQw4w9WgXcQ",
		"https://youtu.be:8443/dQw4w9WgXcQ",
		"javascript://youtu.be/dQw4w9WgXcQ",
		"ftp://youtu.be/dQw4w9WgXcQ",
		"https://vimeo.com/channels/staffpicks",
		"https://vimeo.com/0123",
		"https://vimeo.com/12345678901234",
		"https://vimeo.com/76979871/ZZZ",
		"https://www.google.com/maps/embed?pb=%22onload%3D",
		"https://www.google.com/maps/embed",
		"https://www.google.com/maps/place/Brussel",
		"https://www.google.com/search?q=maps",
		"https://maps.google.com.evil.example/maps/embed?pb=!1m18",
		"https://www.openstreetmap.org/export/embed.html?bbox=4.4,50.8,4.3,50.9",
		"https://www.openstreetmap.org/export/embed.html?bbox=NaN,50.8,4.4,50.9",
		"https://www.openstreetmap.org/export/embed.html?bbox=1e2,50.8,4.4,50.9",
		"https://www.openstreetmap.org/export/embed.html?bbox=4.3,50.8,4.4",
		"https://www.openstreetmap.org/?mlat=91&mlon=4.35",
		"https://www.openstreetmap.org/#map=30/50.85/4.35",
		"https://www.openstreetmap.org/user/someone",
		"https://conpro-bouw.be/contact",
	} {
		if e, ok := web.ParseEmbed(addr); ok {
			t.Errorf("%s: read as embed %+v", addr, e)
		}
	}
}

func FuzzParseEmbed(f *testing.F) {
	for _, s := range []string{
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ", "https://vimeo.com/76979871/abc123",
		"https://www.google.com/maps/embed?pb=!1m18!1m12", "https://www.openstreetmap.org/?mlat=50.85&mlon=4.35#map=16/50.85/4.35",
		"https://www.openstreetmap.org/export/embed.html?bbox=4.3,50.8,4.4,50.9&marker=50.85,4.35",
	} {
		f.Add(s)
	}
	hosts := map[string]string{
		"youtube": "https://www.youtube-nocookie.com/embed/", "vimeo": "https://player.vimeo.com/video/",
		"google-maps": "https://www.google.com/maps/embed?pb=", web.OpenStreetMap: web.OpenStreetMapFrame + "?bbox=",
	}
	safe := regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	f.Fuzz(func(t *testing.T, addr string) {
		e, ok := web.ParseEmbed(addr)
		if !ok {
			return
		}
		prefix, known := hosts[e.Vendor]
		if !known || !strings.HasPrefix(e.Src, prefix) {
			t.Fatalf("%q: frame %q of vendor %q", addr, e.Src, e.Vendor)
		}
		if strings.ContainsAny(e.Src, "\"'<> \\#") || !safe.MatchString(e.ID) {
			t.Fatalf("%q: unsafe frame address %q or id %q", addr, e.Src, e.ID)
		}
		if u, err := url.Parse(e.Src); err != nil || u.Scheme != "https" || u.User != nil {
			t.Fatalf("%q: frame address %q does not parse as https", addr, e.Src)
		}
	})
}

// embedRegistry switches every embed vendor on.
func embedRegistry(t *testing.T) *consent.Registry {
	t.Helper()
	r, err := consent.NewRegistry(func(name string) string {
		switch name {
		case "CONPRO_YOUTUBE", "CONPRO_VIMEO", "CONPRO_GOOGLE_MAPS":
			return "1"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func dutch(t testing.TB) context.Context {
	t.Helper()
	b, err := locale.Load(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	return locale.WithLocalizer(context.Background(), b.Localizer(locale.NL))
}

func renderEmbeds(t *testing.T, ctx context.Context, markdown string, ec web.EmbedConsent) string {
	t.Helper()
	var b strings.Builder
	if err := web.Content(markdown, ec).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const videoPage = "Ons werk in beeld:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nMeer info volgt.\n"

func TestContent_WithoutConsentShowsThePlaceholderAndNoAddressOfTheVendor(t *testing.T) {
	ctx := dutch(t)
	got := renderEmbeds(t, ctx, videoPage, web.NewEmbedConsent(embedRegistry(t), nil, "", "/diensten"))
	for _, want := range []string{
		`id="embed-youtube-dQw4w9WgXcQ"`, "Een video van YouTube", "Google", `href="/cookies#leverancier-youtube"`,
		`action="/consent"`, `name="vendor" value="youtube"`, `name="return_to" value="/diensten#embed-youtube-dQw4w9WgXcQ"`,
		`value="load_once"`, "Eenmalig laden", `value="allow_vendor"`, "Altijd toestaan voor YouTube",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("placeholder lacks %q:\n%s", want, got)
		}
	}
	for _, bad := range []string{"youtube.com", "youtu.be", "nocookie", "<iframe", "ytimg", "https://"} {
		if strings.Contains(got, bad) {
			t.Errorf("placeholder holds %q:\n%s", bad, got)
		}
	}
	ctx, frames := web.WithFrames(ctx)
	renderEmbeds(t, ctx, videoPage, web.NewEmbedConsent(embedRegistry(t), nil, "", "/diensten"))
	if h := frames.Hosts(); len(h) != 0 {
		t.Errorf("a placeholder asks the CSP for frames %v", h)
	}
}

func TestContent_ShowsTheNocookieFrameToWhoAllowedYouTubeOrAskedOnce(t *testing.T) {
	reg := embedRegistry(t)
	allowed := &consent.Choice{Categories: []consent.Category{consent.Advertising}, Vendors: []string{"youtube"}}
	for name, ec := range map[string]web.EmbedConsent{
		"always": web.NewEmbedConsent(reg, allowed, "", "/diensten"),
		"once":   web.NewEmbedConsent(reg, nil, "youtube", "/diensten"),
	} {
		ctx, frames := web.WithFrames(dutch(t))
		got := renderEmbeds(t, ctx, videoPage, ec)
		for _, want := range []string{
			`<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"`, `title="Video van YouTube"`, `loading="lazy"`,
			`id="embed-youtube-dQw4w9WgXcQ"`, `width="640" height="360"`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: frame lacks %q:\n%s", name, want, got)
			}
		}
		if strings.Contains(got, "Eenmalig laden") {
			t.Errorf("%s: placeholder shown with the frame", name)
		}
		if h := frames.Hosts(); len(h) != 1 || h[0] != "https://www.youtube-nocookie.com" {
			t.Errorf("%s: frames for the CSP %v", name, h)
		}
	}
}

func TestContent_KeepsTheLinkOfAVendorTheSiteHasNotSwitchedOn(t *testing.T) {
	none, err := consent.NewRegistry(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for name, ec := range map[string]web.EmbedConsent{
		"switched off": web.NewEmbedConsent(none, nil, "youtube", "/diensten"),
		"no consent":   {},
	} {
		got := renderEmbeds(t, dutch(t), videoPage, ec)
		if !strings.Contains(got, `<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">`) || strings.Contains(got, "<iframe") || strings.Contains(got, "Eenmalig") {
			t.Errorf("%s: the line is not a plain link:\n%s", name, got)
		}
	}
	// An address inside a sentence is a link, never an embed.
	got := renderEmbeds(t, dutch(t), "Bekijk https://youtu.be/dQw4w9WgXcQ eens.\n", web.NewEmbedConsent(embedRegistry(t), nil, "youtube", "/"))
	if strings.Contains(got, "<iframe") || !strings.Contains(got, `<a href="https://youtu.be/dQw4w9WgXcQ">`) {
		t.Errorf("an address in a sentence became an embed:\n%s", got)
	}
}

func TestContent_ShowsAnOpenStreetMapMapWithoutAsking(t *testing.T) {
	ctx, frames := web.WithFrames(dutch(t))
	got := renderEmbeds(t, ctx, "https://www.openstreetmap.org/?mlat=50.85&mlon=4.35#map=16/50.85/4.35\n", web.EmbedConsent{Path: "/"})
	if !strings.Contains(got, `<iframe src="https://www.openstreetmap.org/export/embed.html?bbox=`) || !strings.Contains(got, `title="Kaart van OpenStreetMap"`) || !strings.Contains(got, "embed-map") {
		t.Errorf("no OpenStreetMap frame:\n%s", got)
	}
	if h := frames.Hosts(); len(h) != 1 || h[0] != web.OpenStreetMapFrame {
		t.Errorf("frames for the CSP %v", h)
	}
}

func TestContent_GivesTheSameVideoTwiceTwoAnchors(t *testing.T) {
	got := renderEmbeds(t, dutch(t), "https://youtu.be/dQw4w9WgXcQ\n\nhttps://youtu.be/dQw4w9WgXcQ\n", web.NewEmbedConsent(embedRegistry(t), nil, "", "/"))
	if !strings.Contains(got, `id="embed-youtube-dQw4w9WgXcQ"`) || !strings.Contains(got, `id="embed-youtube-dQw4w9WgXcQ-2"`) {
		t.Errorf("anchors:\n%s", got)
	}
}
