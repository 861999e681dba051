package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"conpro/internal/consent"
)

// Embed is a video or a map that a line of a page's text names by its
// address alone (see Content). Its address is parsed strictly and the
// frame's address is built anew from the parts that passed: nothing of
// what staff typed reaches the page but an ID of a known form.
type Embed struct {
	// Vendor is the registry key of who runs it (youtube, vimeo,
	// google-maps), or OpenStreetMap.
	Vendor string
	Kind   consent.EmbedKind
	// ID names it in its anchor: the video's ID, or a digest of a map's
	// address.
	ID string
	// Src is the frame's address.
	Src string
}

// OpenStreetMap is the Vendor of OpenStreetMap's maps: a functional embed,
// which sets no cookies, needs no consent and is no vendor of the registry
// the site switches on (the registry names it as a functional party).
const OpenStreetMap = "openstreetmap"

// OpenStreetMapFrame is what a page carrying an OpenStreetMap map allows in
// its frame-src.
const OpenStreetMapFrame = "https://www.openstreetmap.org/export/embed.html"

// Anchor is the id of the embed on its page, which the placeholder's
// buttons return to.
func (e Embed) Anchor() string { return "embed-" + e.Vendor + "-" + e.ID }

var (
	youtubeID = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	vimeoID   = regexp.MustCompile(`^[1-9][0-9]{0,11}$`)
	vimeoHash = regexp.MustCompile(`^[0-9a-f]{6,20}$`)
	// A Google Maps embed's pb parameter as Google's "share, embed a map"
	// writes it: !-separated fields of letters, digits and a few marks.
	mapsPB = regexp.MustCompile(`^![0-9A-Za-z!._:~ ,-]+$`)
)

// ParseEmbed reads a web address as an embed: a YouTube video
// (youtube.com/watch?v=, youtu.be/, youtube.com/shorts/ or /embed/), a
// Vimeo video (vimeo.com/{id}), a Google Maps embed
// (google.com/maps/embed?pb=…) or an OpenStreetMap map
// (openstreetmap.org/?mlat=…&mlon=…#map=… or /export/embed.html?bbox=…).
// Anything else, including one of these with an ID of another form, is
// not an embed.
func ParseEmbed(raw string) (Embed, bool) {
	if len(raw) > 4096 {
		return Embed{}, false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Port() != "" || u.Opaque != "" {
		return Embed{}, false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Embed{}, false
	}
	host := strings.ToLower(u.Hostname())
	switch host {
	case "youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com":
		var id string
		switch {
		case u.Path == "/watch" && !strings.Contains(host, "nocookie"):
			if len(q["v"]) != 1 {
				return Embed{}, false
			}
			id = q.Get("v")
		case strings.HasPrefix(u.Path, "/shorts/"):
			id = strings.TrimSuffix(strings.TrimPrefix(u.Path, "/shorts/"), "/")
		case strings.HasPrefix(u.Path, "/embed/"):
			id = strings.TrimPrefix(u.Path, "/embed/")
		}
		return youtube(id)
	case "youtu.be":
		return youtube(strings.TrimPrefix(u.Path, "/"))
	case "vimeo.com", "www.vimeo.com":
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		switch {
		case len(parts) == 1:
			return vimeo(parts[0], "")
		case len(parts) == 2 && vimeoHash.MatchString(parts[1]):
			return vimeo(parts[0], parts[1])
		}
	case "player.vimeo.com":
		if id, ok := strings.CutPrefix(u.Path, "/video/"); ok {
			h := q.Get("h")
			if h != "" && !vimeoHash.MatchString(h) {
				return Embed{}, false
			}
			return vimeo(id, h)
		}
	case "google.com", "www.google.com":
		if u.Path != "/maps/embed" || len(q["pb"]) != 1 || len(q.Get("pb")) > 3000 || !mapsPB.MatchString(q.Get("pb")) {
			return Embed{}, false
		}
		return digestID(Embed{Vendor: "google-maps", Kind: consent.EmbedMap,
			Src: "https://www.google.com/maps/embed?pb=" + url.QueryEscape(q.Get("pb"))}), true
	case "openstreetmap.org", "www.openstreetmap.org":
		return openStreetMap(u.Path, q, u.Fragment)
	}
	return Embed{}, false
}

func youtube(id string) (Embed, bool) {
	if !youtubeID.MatchString(id) {
		return Embed{}, false
	}
	return Embed{Vendor: "youtube", Kind: consent.EmbedVideo, ID: id, Src: "https://www.youtube-nocookie.com/embed/" + id}, true
}

// vimeo builds the player's address with do not track on; hash is the
// key of an unlisted video, when it has one.
func vimeo(id, hash string) (Embed, bool) {
	if !vimeoID.MatchString(id) {
		return Embed{}, false
	}
	src := "https://player.vimeo.com/video/" + id + "?dnt=1"
	if hash != "" {
		src += "&h=" + hash
	}
	return Embed{Vendor: "vimeo", Kind: consent.EmbedVideo, ID: id, Src: src}, true
}

// openStreetMap reads a map's share link (a marker and the map's view in
// the fragment, #map=zoom/lat/lon) or its embed address (a box and an
// optional marker).
func openStreetMap(path string, q url.Values, fragment string) (Embed, bool) {
	var minLon, minLat, maxLon, maxLat float64
	var marker []float64
	switch path {
	case "/export/embed.html":
		box, ok := coords(q.Get("bbox"), 4)
		if !ok {
			return Embed{}, false
		}
		minLon, minLat, maxLon, maxLat = box[0], box[1], box[2], box[3]
		if m := q.Get("marker"); m != "" {
			if marker, ok = coords(m, 2); !ok {
				return Embed{}, false
			}
		}
	case "", "/":
		zoom, lat, lon := 16, math.NaN(), math.NaN()
		if m, ok := strings.CutPrefix(fragment, "map="); ok {
			parts := strings.Split(m, "/")
			if len(parts) != 3 {
				return Embed{}, false
			}
			z, err := strconv.Atoi(parts[0])
			if err != nil || z < 1 || z > 19 {
				return Embed{}, false
			}
			c, ok := coords(parts[1]+","+parts[2], 2)
			if !ok {
				return Embed{}, false
			}
			zoom, lat, lon = z, c[0], c[1]
		} else if fragment != "" {
			return Embed{}, false
		}
		if q.Has("mlat") || q.Has("mlon") {
			c, ok := coords(q.Get("mlat")+","+q.Get("mlon"), 2)
			if !ok {
				return Embed{}, false
			}
			marker = c
			if math.IsNaN(lat) {
				lat, lon = c[0], c[1]
			}
		}
		if math.IsNaN(lat) {
			return Embed{}, false
		}
		// The box a frame of about 700 by 400 pixels shows at that zoom.
		dLon := 360 / math.Exp2(float64(zoom)) * 700 / 256 / 2
		dLat := dLon * 4 / 7 * math.Cos(lat*math.Pi/180)
		minLon, maxLon = math.Max(lon-dLon, -180), math.Min(lon+dLon, 180)
		minLat, maxLat = math.Max(lat-dLat, -85), math.Min(lat+dLat, 85)
	default:
		return Embed{}, false
	}
	if minLon >= maxLon || minLat >= maxLat || minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90 {
		return Embed{}, false
	}
	if marker != nil && (marker[0] < -90 || marker[0] > 90 || marker[1] < -180 || marker[1] > 180) {
		return Embed{}, false
	}
	src := OpenStreetMapFrame + "?bbox=" + url.QueryEscape(join(minLon, minLat, maxLon, maxLat)) + "&layer=mapnik"
	if marker != nil {
		src += "&marker=" + url.QueryEscape(join(marker...))
	}
	return digestID(Embed{Vendor: OpenStreetMap, Kind: consent.EmbedMap, Src: src}), true
}

// coords reads n comma-separated decimal numbers.
func coords(s string, n int) ([]float64, bool) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, false
	}
	out := make([]float64, n)
	for i, p := range parts {
		if p == "" || len(p) > 20 || strings.ContainsAny(p, "eEnNiIxX_+") {
			return nil, false
		}
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 180 {
			return nil, false
		}
		out[i] = f
	}
	return out, true
}

// join writes coordinates to the metre (six decimals).
func join(fs ...float64) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = strconv.FormatFloat(math.Round(f*1e6)/1e6, 'f', -1, 64)
	}
	return strings.Join(s, ",")
}

// digestID names a map by its frame's address: the same map, the same
// anchor.
func digestID(e Embed) Embed {
	sum := sha256.Sum256([]byte(e.Src))
	e.ID = hex.EncodeToString(sum[:6])
	return e
}

// EmbedConsent is what a page's visitor allowed of the embeds: Content
// shows a vendor's frame only when the visitor allows it always (Granted)
// or asked for it on this page view (Once), a placeholder otherwise, and
// a plain link for a vendor the site has not switched on.
type EmbedConsent struct {
	// Vendors are the active embed vendors.
	Vendors []consent.Vendor
	// Granted are the keys of those the visitor's current choice allows.
	Granted []string
	// Once is the vendor asked for once, on this page view ("" for none).
	Once string
	// Path is the page's path, where the placeholder's buttons return to.
	Path string
}

// LoadOnceParam is the query parameter holding the permission to load a
// vendor's embeds once ("Eenmalig laden", signed by the server); an answer
// with a query is never kept in the page cache.
const LoadOnceParam = "laden"

// NewEmbedConsent works out a page view's EmbedConsent under the registry
// in force: current is the visitor's current choice (nil without one),
// once the vendor a genuine LoadOnceParam names ("" without one).
func NewEmbedConsent(r *consent.Registry, current *consent.Choice, once, path string) EmbedConsent {
	ec := EmbedConsent{Path: path}
	if r == nil {
		return ec
	}
	for _, v := range r.Active() {
		if v.Embed == "" {
			continue
		}
		ec.Vendors = append(ec.Vendors, v)
		if current != nil && current.GrantsVendor(v) {
			ec.Granted = append(ec.Granted, v.Key)
		}
		if v.Key == once {
			ec.Once = once
		}
	}
	return ec
}

// vendor returns the active embed vendor with key.
func (ec EmbedConsent) vendor(key string) (consent.Vendor, bool) {
	for _, v := range ec.Vendors {
		if v.Key == key {
			return v, true
		}
	}
	return consent.Vendor{}, false
}

// allows reports whether the page view shows the vendor's frame.
func (ec EmbedConsent) allows(key string) bool {
	return key == ec.Once || slices.Contains(ec.Granted, key)
}

// FrameHost is the CSP source that lets the embed's frame load.
func (e Embed) FrameHost(v consent.Vendor) string {
	if e.Vendor == OpenStreetMap || len(v.FrameHosts) == 0 {
		return OpenStreetMapFrame
	}
	return v.FrameHosts[0]
}

// Frames collects the frame sources the components rendered with one
// context showed, so that the answer's CSP can allow exactly those (see
// WithFrames).
type Frames struct {
	mu    sync.Mutex
	hosts []string
}

type framesKey struct{}

// WithFrames returns a context in which Content records the frames it
// shows into the returned Frames.
func WithFrames(ctx context.Context) (context.Context, *Frames) {
	f := &Frames{}
	return context.WithValue(ctx, framesKey{}, f), f
}

func framesOf(ctx context.Context) *Frames {
	f, _ := ctx.Value(framesKey{}).(*Frames)
	return f
}

func (f *Frames) add(host string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.hosts, host) {
		f.hosts = append(f.hosts, host)
	}
}

// Hosts are the frame sources shown, in the order first shown.
func (f *Frames) Hosts() []string {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.hosts)
}
