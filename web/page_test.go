package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"conpro/internal/company"
)

func TestSegments_SplitsStrongRunsAndLinksContactDetails(t *testing.T) {
	cases := []struct {
		text string
		want []Segment
	}{
		{"", nil},
		{"Gewone tekst.", []Segment{{Text: "Gewone tekst."}}},
		{"**Verwerkingsverantwoordelijke:** Construct Professional bvba", []Segment{
			{Text: "Verwerkingsverantwoordelijke:", Strong: true},
			{Text: " Construct Professional bvba"},
		}},
		{"a **b** c **d** e", []Segment{
			{Text: "a "}, {Text: "b", Strong: true}, {Text: " c "}, {Text: "d", Strong: true}, {Text: " e"},
		}},
		{"open **tot het einde", []Segment{{Text: "open "}, {Text: "tot het einde", Strong: true}}},
		{"U kunt uw verzoeken richten aan info@conpro-bvba.be of per brief.", []Segment{
			{Text: "U kunt uw verzoeken richten aan "},
			{Text: "info@conpro-bvba.be", Href: "mailto:info@conpro-bvba.be"},
			{Text: " of per brief."},
		}},
		{"Bel 0484 53 27 38 of 0484532738, mail j.peeters+web@mail.example.com.", []Segment{
			{Text: "Bel "},
			{Text: "0484 53 27 38", Href: "tel:+32484532738"},
			// Without the spaces it could be a company number: left as text.
			{Text: " of 0484532738, mail "},
			{Text: "j.peeters+web@mail.example.com", Href: "mailto:j.peeters+web@mail.example.com"},
			{Text: "."},
		}},
		{"**Telefoon: 0484 53 27 38 (kantooruren)** en verder", []Segment{
			{Text: "Telefoon: ", Strong: true},
			{Text: "0484 53 27 38", Strong: true, Href: "tel:+32484532738"},
			{Text: " (kantooruren)", Strong: true},
			{Text: " en verder"},
		}},
		// Numbers that are not Belgian phone numbers stay text.
		{"Eikelstraat 26, 2600 Berchem, versie 2 van 2020.", []Segment{{Text: "Eikelstraat 26, 2600 Berchem, versie 2 van 2020."}}},
		{"KBO 0123.456.789 en BE0484532738 x", []Segment{{Text: "KBO 0123.456.789 en BE0484532738 x"}}},
		{"04845327389 x", []Segment{{Text: "04845327389 x"}}},
		{"geen@adres en @niemand x", []Segment{{Text: "geen@adres en @niemand x"}}},
	}
	for _, c := range cases {
		if got := Segments(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Segments(%q)\n got %+v\nwant %+v", c.text, got, c.want)
		}
	}
}

// links returns the linked segments of text.
func links(text string) []Segment {
	var out []Segment
	for _, s := range Segments(text) {
		if s.Href != "" {
			out = append(out, s)
		}
	}
	return out
}

func TestSegments_LinksTheCompanysOwnContactDetails(t *testing.T) {
	cases := map[string]Segment{
		company.Phone:               {Text: company.Phone, Href: company.PhoneURI},
		company.Email:               {Text: company.Email, Href: "mailto:" + company.Email},
		"**" + company.Email + "**": {Text: company.Email, Strong: true, Href: "mailto:" + company.Email},
	}
	for text, want := range cases {
		if got := links(text); !slices.Equal(got, []Segment{want}) {
			t.Errorf("links in %q = %+v, want %+v", text, got, want)
		}
	}
}

func TestDutchDate_WritesDayMonthNameAndYear(t *testing.T) {
	months := []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	for i, name := range months {
		d := time.Date(2021, time.Month(i+1), 9, 12, 0, 0, 0, time.UTC)
		if got, want := DutchDate(d), "9 "+name+" 2021"; got != want {
			t.Errorf("DutchDate(%s) = %q, want %q", d.Format(time.DateOnly), got, want)
		}
	}
	cases := map[string]time.Time{
		"5 juni 2020":      time.Date(2020, time.June, 5, 0, 0, 0, 0, time.UTC),
		"31 december 1999": time.Date(1999, time.December, 31, 23, 59, 0, 0, time.UTC),
		"1 januari 2030":   time.Date(2030, time.January, 1, 0, 0, 0, 0, time.Local),
	}
	for want, d := range cases {
		if got := DutchDate(d); got != want {
			t.Errorf("DutchDate(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	cases := map[string]bool{
		"":                              false,
		"gzip":                          true,
		"GZip":                          true,
		"gzip, deflate, br, zstd":       true,
		"br;q=1.0, gzip;q=0.8, *;q=0.1": true,
		" gzip ; q=0.5":                 true,
		"gzip;q=1":                      true,
		"gzip;q=0.001":                  true,
		"gzip;q=0":                      false,
		"gzip; q=0":                     false,
		"gzip;q=0.0":                    false,
		"gzip;q=0.000":                  false,
		"deflate, gzip;q=0, br":         false,
		"deflate, br":                   false,
		"identity":                      false,
		"gzipped":                       false,
		"x-gzip-not":                    false,
		",,,":                           false,
	}
	for header, want := range cases {
		if got := AcceptsGzip(header); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// compressibleCSS is large and repetitive: gzip makes it smaller.
var compressibleCSS = []byte(strings.Repeat("body { margin: 0; padding: 0; color: #222; }\n", 40))

func testAssets(t *testing.T) (*Assets, fstest.MapFS) {
	t.Helper()
	fsys := fstest.MapFS{
		"site.css":     {Data: compressibleCSS},
		"tiny.css":     {Data: []byte("a")},
		"app.min.js":   {Data: []byte(strings.Repeat("console.log(1);", 30))},
		"img/logo.png": {Data: bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 100)},
	}
	a, err := NewAssets(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return a, fsys
}

func fingerprint(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])[:12]
}

func TestNewAssets_FingerprintsEveryFileByItsContent(t *testing.T) {
	a, fsys := testAssets(t)
	cases := map[string]string{
		"site.css":     "/static/site." + fingerprint(fsys["site.css"].Data) + ".css",
		"tiny.css":     "/static/tiny." + fingerprint(fsys["tiny.css"].Data) + ".css",
		"app.min.js":   "/static/app.min." + fingerprint(fsys["app.min.js"].Data) + ".js",
		"img/logo.png": "/static/img/logo." + fingerprint(fsys["img/logo.png"].Data) + ".png",
	}
	shape := regexp.MustCompile(`^/static/[a-z/.]+\.[0-9a-f]{12}\.(css|js|png)$`)
	for name, want := range cases {
		got := a.URL(name)
		if got != want || !shape.MatchString(got) {
			t.Errorf("URL(%q) = %q, want %q", name, got, want)
		}
		body, ok := a.Bytes(name)
		if !ok || !bytes.Equal(body, fsys[name].Data) {
			t.Errorf("Bytes(%q) = %q, %v", name, body, ok)
		}
	}
	if got := a.URL("nope.css"); got != "/static/missing/nope.css" {
		t.Errorf("URL of an unknown file = %q", got)
	}
	if _, ok := a.Bytes("nope.css"); ok {
		t.Error("Bytes of an unknown file reported ok")
	}
}

func TestNewAssets_AChangedFileGetsANewURL(t *testing.T) {
	a1, err := NewAssets(fstest.MapFS{"site.css": {Data: []byte("a{}")}})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := NewAssets(fstest.MapFS{"site.css": {Data: []byte("b{}")}})
	if err != nil {
		t.Fatal(err)
	}
	a3, err := NewAssets(fstest.MapFS{"site.css": {Data: []byte("a{}")}})
	if err != nil {
		t.Fatal(err)
	}
	if a1.URL("site.css") == a2.URL("site.css") {
		t.Errorf("different contents share the URL %s", a1.URL("site.css"))
	}
	if a1.URL("site.css") != a3.URL("site.css") {
		t.Errorf("equal contents get different URLs: %s, %s", a1.URL("site.css"), a3.URL("site.css"))
	}
}

func TestNewAssets_ReadsTheEmbeddedStaticFiles(t *testing.T) {
	a, err := NewAssets(Static())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"site.css", "favicon.svg", "favicon.ico", "logo.svg"} {
		ext := name[strings.LastIndex(name, "."):]
		re := regexp.MustCompile(`^/static/` + regexp.QuoteMeta(strings.TrimSuffix(name, ext)) + `\.[0-9a-f]{12}` + regexp.QuoteMeta(ext) + `$`)
		if got := a.URL(name); !re.MatchString(got) {
			t.Errorf("URL(%q) = %q", name, got)
		}
	}
}

// notFound marks the responses of the site's own 404 handler.
var notFound = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Not-Found", "site")
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, "niet gevonden")
})

func get(h http.Handler, method, target string, header ...string) *http.Response {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readAll(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

func TestHandler_ServesAFingerprintedFileForAYear(t *testing.T) {
	a, _ := testAssets(t)
	h := a.Handler(notFound)
	url := a.URL("site.css")
	res := get(h, http.MethodGet, url)
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := res.Header.Get("Content-Type"); got != "text/css; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if got, want := res.Header.Get("ETag"), `"`+fingerprint(compressibleCSS)+`"`; got != want {
		t.Errorf("ETag %q, want %q", got, want)
	}
	if res.Header.Get("Content-Encoding") != "" {
		t.Errorf("Content-Encoding %q without Accept-Encoding", res.Header.Get("Content-Encoding"))
	}
	if !bytes.Equal(body, compressibleCSS) {
		t.Errorf("body %q", body)
	}
	if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(compressibleCSS)) {
		t.Errorf("Content-Length %s, body %d bytes", got, len(compressibleCSS))
	}
	if res.Header.Get("X-Not-Found") != "" {
		t.Error("answered by the not-found handler")
	}
}

func TestHandler_GzipsOnlyForClientsThatAcceptIt(t *testing.T) {
	a, _ := testAssets(t)
	h := a.Handler(notFound)
	url := a.URL("site.css")
	cases := []struct {
		acceptEncoding string
		gzipped        bool
	}{
		{"", false},
		{"gzip, deflate, br", true},
		{"br", false},
		{"gzip;q=0, br", false},
	}
	for _, c := range cases {
		res := get(h, http.MethodGet, url, "Accept-Encoding", c.acceptEncoding)
		body := readAll(t, res)
		if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Vary %q", c.acceptEncoding, res.Header.Get("Vary"))
		}
		if got := res.Header.Get("Content-Encoding") == "gzip"; got != c.gzipped {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q", c.acceptEncoding, res.Header.Get("Content-Encoding"))
			continue
		}
		if res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("Accept-Encoding %q: Content-Length %s, body %d bytes", c.acceptEncoding, res.Header.Get("Content-Length"), len(body))
		}
		if c.gzipped {
			if len(body) >= len(compressibleCSS) {
				t.Errorf("gzipped body of %d bytes, plain %d", len(body), len(compressibleCSS))
			}
			body = gunzip(t, body)
		}
		if !bytes.Equal(body, compressibleCSS) {
			t.Errorf("Accept-Encoding %q: body differs from the file", c.acceptEncoding)
		}
	}
}

func TestHandler_SendsFilesAsTheyAreWhenGzipDoesNotPay(t *testing.T) {
	a, fsys := testAssets(t)
	h := a.Handler(notFound)
	for _, name := range []string{"tiny.css", "img/logo.png"} {
		res := get(h, http.MethodGet, a.URL(name), "Accept-Encoding", "gzip")
		body := readAll(t, res)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, fsys[name].Data) {
			t.Errorf("%s: %d, Content-Encoding %q, body %q", name, res.StatusCode, res.Header.Get("Content-Encoding"), body)
		}
		if v := res.Header.Get("Vary"); v != "" {
			t.Errorf("%s: Vary %q for a file that is never compressed", name, v)
		}
	}
	if res := get(h, http.MethodGet, a.URL("img/logo.png")); res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("logo.png: Content-Type %q", res.Header.Get("Content-Type"))
	}
}

func TestHandler_AnswersNotModifiedToAMatchingETag(t *testing.T) {
	a, _ := testAssets(t)
	h := a.Handler(notFound)
	url := a.URL("site.css")
	etag := get(h, http.MethodGet, url).Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	for _, inm := range []string{etag, `"other", ` + etag, "W/" + etag} {
		res := get(h, http.MethodGet, url, "If-None-Match", inm, "Accept-Encoding", "gzip")
		if body := readAll(t, res); res.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("If-None-Match %s: %d with %d bytes", inm, res.StatusCode, len(body))
		}
		if res.Header.Get("ETag") != etag || res.Header.Get("Cache-Control") == "" {
			t.Errorf("If-None-Match %s: 304 without ETag or Cache-Control: %v", inm, res.Header)
		}
	}
	res := get(h, http.MethodGet, url, "If-None-Match", `"000000000000"`)
	if res.StatusCode != http.StatusOK {
		t.Errorf("stale ETag: %d", res.StatusCode)
	}
}

func TestHandler_HeadSendsHeadersWithoutBody(t *testing.T) {
	a, _ := testAssets(t)
	res := get(a.Handler(notFound), http.MethodHead, a.URL("site.css"))
	if body := readAll(t, res); res.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD: %d with %d bytes", res.StatusCode, len(body))
	}
	if res.Header.Get("Content-Length") != strconv.Itoa(len(compressibleCSS)) {
		t.Errorf("HEAD: Content-Length %q", res.Header.Get("Content-Length"))
	}
}

func TestHandler_UnknownPathsGoToTheNotFoundHandler(t *testing.T) {
	a, _ := testAssets(t)
	h := a.Handler(notFound)
	url := a.URL("site.css")
	for _, p := range []string{
		"/static/site.css", // unfingerprinted
		"/static/site.000000000000.css",
		strings.Replace(url, ".css", ".js", 1),
		url + "x",
		"/static/",
		"/static/missing/site.css",
		"/static/img/",
	} {
		res := get(h, http.MethodGet, p)
		body := readAll(t, res)
		if res.StatusCode != http.StatusNotFound || res.Header.Get("X-Not-Found") != "site" || string(body) != "niet gevonden" {
			t.Errorf("GET %s: %d, body %q: not the site's 404", p, res.StatusCode, body)
		}
		if res.Header.Get("Cache-Control") != "" {
			t.Errorf("GET %s: 404 with Cache-Control %q", p, res.Header.Get("Cache-Control"))
		}
	}
}

func TestServeFile_ServesAFixedNameForADay(t *testing.T) {
	a, fsys := testAssets(t)
	res := get(a.ServeFile("tiny.css"), http.MethodGet, "/tiny.css")
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, fsys["tiny.css"].Data) {
		t.Errorf("%d, body %q", res.StatusCode, body)
	}
	if got := res.Header.Get("Cache-Control"); got != "public, max-age=86400" {
		t.Errorf("Cache-Control %q", got)
	}
	if res := get(a.ServeFile("nope.ico"), http.MethodGet, "/nope.ico"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown file: %d", res.StatusCode)
	}
}

func FuzzSegments(f *testing.F) {
	f.Add("")
	f.Add("**Verwerkingsverantwoordelijke:** Construct Professional bvba")
	f.Add("Mail info@conpro-bvba.be of bel 0484 53 27 38.")
	f.Add("**0484532738** ***a@b.cd****")
	f.Add("0484 53 27 38@x.be 0123.456.789 BE0484532738")
	f.Add("é **ü** \xff 0484 53 27 38\n")
	f.Fuzz(func(t *testing.T, text string) {
		segs := Segments(text)
		var b strings.Builder
		for _, s := range segs {
			b.WriteString(s.Text)
			switch {
			case s.Href == "":
			case strings.HasPrefix(s.Href, "mailto:"):
				if s.Href != "mailto:"+s.Text || !strings.Contains(s.Text, "@") {
					t.Fatalf("Segments(%q): mail link %+v", text, s)
				}
			case strings.HasPrefix(s.Href, "tel:+32"):
				digits := strings.TrimPrefix(s.Href, "tel:+32")
				if len(digits) != 9 || strings.Trim(digits, "0123456789") != "" {
					t.Fatalf("Segments(%q): phone link %+v", text, s)
				}
			default:
				t.Fatalf("Segments(%q): link %q is neither mailto: nor tel:+32", text, s.Href)
			}
		}
		if got, want := b.String(), strings.ReplaceAll(text, "**", ""); got != want {
			t.Fatalf("Segments(%q) text %q, want %q", text, got, want)
		}
	})
}

func FuzzAcceptsGzip(f *testing.F) {
	f.Add("")
	f.Add("gzip")
	f.Add("gzip, deflate, br")
	f.Add("gzip;q=0")
	f.Add(" GZIP ; q = 0.000 ,")
	f.Add("br;q=1.0, gzip;q=0.8, *;q=0.1")
	f.Add(";;,,;=")
	f.Fuzz(func(t *testing.T, header string) {
		got := AcceptsGzip(header)
		if got && !strings.Contains(strings.ToLower(header), "gzip") && !strings.Contains(header, "*") {
			t.Fatalf("AcceptsGzip(%q) = true without gzip or * in the header", header)
		}
	})
}

// An address may lawfully hold characters that start headers, a second
// recipient or a fragment in a mailto: link; the link writes to the address
// and to nothing else.
func TestMailtoURL_WritesToTheAddressAndNothingElse(t *testing.T) {
	for addr, want := range map[string]string{
		"info@conpro-bvba.be":                            "mailto:info@conpro-bvba.be",
		"j.peeters+web@mail.example.com":                 "mailto:j.peeters+web@mail.example.com",
		"x?bcc=spy%40evil.example&subject=Hi@example.be": "mailto:x%3Fbcc%3Dspy%2540evil.example%26subject%3DHi@example.be",
		"a,b@example.be":                                 "mailto:a%2Cb@example.be",
		"a#b@example.be":                                 "mailto:a%23b@example.be",
		"zoë@exämple.be":                                 "mailto:zo%C3%AB@ex%C3%A4mple.be",
	} {
		got := string(MailtoURL(addr))
		if got != want {
			t.Errorf("MailtoURL(%q) = %q, want %q", addr, got, want)
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "mailto" || u.RawQuery != "" || u.Fragment != "" {
			t.Errorf("%q parses as %+v, %v: want one mailto: address and no query or fragment", got, u, err)
			continue
		}
		if to, err := url.PathUnescape(u.Opaque); err != nil || to != addr || strings.Contains(u.Opaque, ",") {
			t.Errorf("%q writes to %q, want %q alone", got, to, addr)
		}
	}
}

// A block left open in site.css (a media query without its closing brace)
// silently limits every rule after it to that query's screens.
func TestSiteCSS_ClosesEveryBlockItOpens(t *testing.T) {
	css, err := os.ReadFile("static/site.css")
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for i, line := range strings.Split(regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(css), ""), "\n") {
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth < 0 {
			t.Fatalf("line %d closes a block that is not open", i+1)
		}
	}
	if depth != 0 {
		t.Fatalf("site.css leaves %d block(s) open", depth)
	}
}
