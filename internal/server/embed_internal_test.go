package server

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"conpro/internal/browsertest"
	"conpro/internal/clientip"
	"conpro/internal/config"
	"conpro/internal/consent"
	"conpro/internal/locale"
	"conpro/locales"
	"conpro/web"
)

// A page whose text holds a video and a map, rendered the way a page
// handler renders one (s.page, web.Content with the page's Embeds,
// s.render), until the pages of issue 17 give the site one of its own.
func embedPageServer(t *testing.T) (*Server, http.Handler) {
	t.Helper()
	bundle, err := locale.Load(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	assets, err := web.NewAssets(web.Static())
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://conpro-bouw.be")
	vendors, err := consent.NewRegistry(func(name string) string {
		return map[string]string{"CONPRO_YOUTUBE": "1", "CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		cfg:     config.Config{BaseURL: base, ConsentMaxAge: 180 * 24 * time.Hour},
		log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		locales: bundle,
		assets:  assets,
		vendors: vendors,
	}
	s.clientIPs = clientip.NewResolver(nil, false)
	s.now = time.Now
	s.cookies, _ = consent.NewCodec([]byte(strings.Repeat("k", 32)))
	const text = "Ons werk:\n\nhttps://youtu.be/dQw4w9WgXcQ\n\nhttps://www.openstreetmap.org/?mlat=50.85&mlon=4.35#map=16/50.85/4.35\n"
	return s, s.embedPage(text)
}

// embedPage renders text as a page's body, in the site's layout.
func (s *Server) embedPage(text string) http.Handler {
	return s.withRequest(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.page(w, r, "HomeTitle", "")
		s.render(w, r, http.StatusOK, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			return web.Layout(p).Render(templ.WithChildren(ctx, web.Content(text, p.Embeds)), w)
		}))
	}))
}

// In Chromium, a page with a YouTube line and no consent contacts no host
// but the site's own; the placeholder is screenshot at phone and desktop
// widths when the run asks for screenshots.
func TestBrowser_AnEmbedsPlaceholderContactsNoThirdPartyHost(t *testing.T) {
	s, _ := embedPageServer(t)
	mux := http.NewServeMux()
	mux.Handle("/static/", s.assets.Handler(http.NotFoundHandler()))
	mux.Handle("/", s.embedPage("## Ons werk in beeld\n\nEen renovatie van begin tot eind:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nNa de video volgt meer tekst.\n"))
	ts := httptest.NewServer(mux)
	defer ts.Close()
	b := browsertest.New(t, browsertest.Options{})
	b.Navigate(t, ts.URL+"/werk")
	host := strings.TrimPrefix(ts.URL, "http://")
	if len(b.Hosts()) == 0 {
		t.Fatal("the browser recorded no request")
	}
	for _, h := range b.Hosts() {
		if h != host && !strings.HasPrefix(h, host) {
			t.Errorf("the page contacted %s", h)
		}
	}
	if f := flag.Lookup("screenshots"); f != nil && f.Value.String() != "" {
		for _, width := range []int64{390, 1280} {
			b.Screenshot(t, ts.URL+"/werk", width, f.Value.String(), "embed-placeholder-"+strconv.FormatInt(width, 10))
		}
	}
}

func frameSources(csp string) string {
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "frame-src") {
			return d
		}
	}
	return ""
}

func TestEmbedAnswer_TheCSPAllowsExactlyTheFramesThePageShows(t *testing.T) {
	s, h := embedPageServer(t)
	const policy = 1 // a server without policy versions asks for none newer
	youtube := s.cookies.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: policy, Categories: []consent.Category{consent.Advertising}, Vendors: []string{"youtube"}, Time: time.Now()})
	analytics := s.cookies.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: policy, Categories: []consent.Category{consent.Analytics}, Vendors: []string{"google-analytics"}, Time: time.Now()})
	const osm = "https://www.openstreetmap.org/export/embed.html"
	once := func(vendor, path string, at time.Time) string {
		return path + "?laden=" + s.loadOnceToken(vendor, path, at)
	}
	cases := []struct {
		name, path, cookie string
		frame              bool
		frameSrc           string
	}{
		{"no consent", "/werk", "", false, "frame-src " + osm},
		{"asked once", once("youtube", "/werk", time.Now()), "", true, "frame-src " + osm + " https://www.youtube-nocookie.com"},
		{"asked once for a vendor that is off", once("vimeo", "/werk", time.Now()), "", false, "frame-src " + osm},
		// A link someone shares, a bookmark, a permission for another page
		// or one that is old: the placeholder, as without it.
		{"a shared address naming the vendor", "/werk?laden=youtube", "", false, "frame-src " + osm},
		{"a permission for another page", "/werk?laden=" + s.loadOnceToken("youtube", "/andere", time.Now()), "", false, "frame-src " + osm},
		{"a permission of ten minutes ago", once("youtube", "/werk", time.Now().Add(-10*time.Minute)), "", false, "frame-src " + osm},
		{"a forged signature", "/werk?laden=youtube." + strconv.FormatInt(time.Now().Unix(), 10) + ".AAAAAAAAAAAAAAAAAAAAAA", "", false, "frame-src " + osm},
		{"allowed always", "/werk", youtube, true, "frame-src " + osm + " https://www.youtube-nocookie.com"},
		{"allowed analytics only", "/werk", analytics, false, "frame-src " + osm},
		{"allowed analytics, asked once", once("youtube", "/werk", time.Now()), analytics, true, "frame-src " + osm + " https://www.youtube-nocookie.com"},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		if c.cookie != "" {
			req.AddCookie(&http.Cookie{Name: consent.CookieName, Value: c.cookie})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body, csp := rec.Body.String(), rec.Header().Get("Content-Security-Policy")
		if got := strings.Contains(body, `<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"`); got != c.frame {
			t.Errorf("%s: YouTube frame shown %v, want %v", c.name, got, c.frame)
		}
		if got := strings.Contains(body, "Eenmalig laden"); got == c.frame {
			t.Errorf("%s: placeholder shown %v with frame %v", c.name, got, c.frame)
		}
		if got := frameSources(csp); got != c.frameSrc {
			t.Errorf("%s: %q, want %q", c.name, got, c.frameSrc)
		}
		if strings.Contains(c.cookie, ".a.") != strings.Contains(csp, "googletagmanager") {
			t.Errorf("%s: the page's other vendors changed in the CSP: %s", c.name, csp)
		}
		if strings.Contains(csp, "youtube.com") {
			t.Errorf("%s: CSP allows youtube.com itself: %s", c.name, csp)
		}
	}
}
