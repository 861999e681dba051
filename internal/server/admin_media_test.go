package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"image"
	_ "image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	_ "golang.org/x/image/webp"

	"conpro/internal/media/mediatest"
)

// upload posts the photo form as a browser does: the description, then
// the file under its name with the type the browser guessed from it.
func (c *staffClient) upload(t *testing.T, alt, filename string, data []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("alt", alt)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="foto"; filename=%q`, filename)}
	h["Content-Type"] = []string{"image/jpeg"}
	part, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.s.URL+"/admin/media", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Response: res, Body: string(b)}
}

func (s *site) signedInStaff(t *testing.T) *staffClient {
	t.Helper()
	s.addStaff(t, "els@conpro-bvba.be", "een-lang-wachtwoord")
	c := s.newClient(t)
	if res := c.login(t, "els@conpro-bvba.be", "een-lang-wachtwoord"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	return c
}

var mediaAddress = regexp.MustCompile(`/media/\d+-\d+-[0-9a-f]{16}\.(?:webp|jpg)`)

func TestMedia_APhoneJPEGIsServedUprightInEveryWidthWithoutAnyMetadata(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	// Stored sideways, 2000 × 1500, with orientation 6: upright 1500 × 2000.
	res := c.upload(t, "Gerenoveerde gevel", "IMG_0042.jpg", mediatest.JPEGWithGPS(2000, 1500, 6))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/media?klaar=opgeladen" {
		t.Fatalf("upload: %d %q\n%.500s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	page := c.do(t, "GET", "/admin/media?klaar=opgeladen", nil)
	for _, want := range []string{"De foto is opgeladen.", "Gerenoveerde gevel", "1500 × 2000 beeldpunten", `loading="lazy"`, `width="1500"`, `height="2000"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the library page lacks %q", want)
		}
	}
	addresses := slices.Compact(slices.Sorted(slices.Values(mediaAddress.FindAllString(page.Body, -1))))
	var got []string
	for _, a := range addresses {
		v := s.get(t, a)
		if v.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", a, v.StatusCode)
		}
		wantType := "image/webp"
		if strings.HasSuffix(a, ".jpg") {
			wantType = "image/jpeg"
		}
		if v.Header.Get("Content-Type") != wantType || v.Header.Get("X-Content-Type-Options") != "nosniff" ||
			v.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || v.Header.Get("ETag") == "" {
			t.Errorf("%s: headers %v", a, v.Header)
		}
		for _, m := range []string{"Exif", "http://ns.adobe.com/xap", "ICC_PROFILE", mediatest.GPSMarker, mediatest.XMPMarker, mediatest.CommentMarker} {
			if strings.Contains(v.Body, m) {
				t.Errorf("%s holds %q", a, m)
			}
		}
		cfg, format, err := image.DecodeConfig(strings.NewReader(v.Body))
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if cfg.Height*3 != cfg.Width*4 {
			t.Errorf("%s is %d × %d: not upright", a, cfg.Width, cfg.Height)
		}
		got = append(got, fmt.Sprintf("%s %d", format, cfg.Width))
		if again := s.get(t, a, "If-None-Match", v.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
			t.Errorf("%s asked again with its ETag: %d", a, again.StatusCode)
		}
	}
	slices.Sort(got)
	if want := []string{"jpeg 1500", "jpeg 480", "jpeg 960", "webp 1500", "webp 480", "webp 960"}; !slices.Equal(got, want) {
		t.Errorf("served %v, want %v", got, want)
	}
	var original []byte
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT original FROM photo`).Scan(&original); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(original, []byte("Exif")) || bytes.Contains(original, []byte(mediatest.GPSMarker)) {
		t.Error("the stored original keeps the Exif")
	}
	if actions := s.auditActions(t); !slices.Contains(actions, "upload_photo:photo:1") {
		t.Errorf("audit log: %v", actions)
	}
}

func TestMedia_AFileIsJudgedByItsContentAndRefusedInDutchWithTheDescriptionKept(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_MEDIA_MAX_BYTES": "1048576"}})
	c := s.signedInStaff(t)
	big := make([]byte, 1<<20+1)
	_, _ = rand.Read(big)
	cases := []struct {
		name, alt, filename string
		data                []byte
		status              int
		want                []string
	}{
		{"a PNG named .jpg", "Nieuwe keuken", "keuken.jpg", mediatest.PNG(mediatest.Picture(64, 48)), http.StatusSeeOther, nil},
		{"a text named .jpg", "Badkamer", "badkamer.jpg", []byte("Dit is geen foto, maar tekst."), http.StatusUnprocessableEntity,
			[]string{"geen foto in JPEG, PNG of WebP", `value="Badkamer"`, "kies de foto opnieuw"}},
		{"an HTML page named .jpg", "Dak", "dak.jpg", []byte("<!DOCTYPE html><script>alert(1)</script>"), http.StatusUnprocessableEntity,
			[]string{"geen foto in JPEG, PNG of WebP", `value="Dak"`}},
		{"a file over the limit", "Zolder", "zolder.jpg", big, http.StatusUnprocessableEntity,
			[]string{"groter dan 1,0 MB", `value="Zolder"`, "kies de foto opnieuw"}},
		{"a photo without a description", "  ", "gevel.jpg", mediatest.JPEG(mediatest.Picture(64, 48)), http.StatusUnprocessableEntity,
			[]string{"Schrijf in een korte zin wat er op de foto te zien is.", "kies de foto opnieuw"}},
		{"no file", "Tuin", "", nil, http.StatusUnprocessableEntity,
			[]string{"Kies een foto om op te laden.", `value="Tuin"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := c.upload(t, tc.alt, tc.filename, tc.data)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%.800s", res.StatusCode, tc.status, res.Body)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
		})
	}
	var photos int
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM photo`).Scan(&photos); err != nil || photos != 1 {
		t.Errorf("%d photos stored (%v), want the PNG alone", photos, err)
	}
}

func TestMedia_DeletingAPhotoAsksOnceMoreThenRemovesItsVariants(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	if res := c.upload(t, "Trap in eik", "trap.png", mediatest.PNG(mediatest.Picture(300, 200))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	page := c.do(t, "GET", "/admin/media?verwijderen=1", nil)
	if !strings.Contains(page.Body, "Deze foto verwijderen?") || !strings.Contains(page.Body, `action="/admin/media/1/verwijderen"`) {
		t.Fatalf("no question before deleting:\n%.500s", page.Body)
	}
	address := mediaAddress.FindString(page.Body)
	if s.get(t, address).StatusCode != http.StatusOK {
		t.Fatalf("%s not served", address)
	}
	if res := c.do(t, "POST", "/admin/media/1/verwijderen", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	gone := s.get(t, address)
	if gone.StatusCode != http.StatusNotFound || !strings.Contains(gone.Body, "Pagina niet gevonden") {
		t.Errorf("%s after deleting: %d", address, gone.StatusCode)
	}
	if actions := s.auditActions(t); !slices.Contains(actions, "delete_photo:photo:1") {
		t.Errorf("audit log: %v", actions)
	}
	if res := c.do(t, "POST", "/admin/media/1/verwijderen", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it again: %d", res.StatusCode)
	}
}

func TestMedia_AnUnknownPhotoAddressGetsTheDutch404(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, path := range []string{"/media/1-480-0123456789abcdef.webp", "/media/1-480.webp", "/media/../../etc/passwd", "/media/x.svg",
		// Numbers past what the database's columns hold.
		"/media/1-99999999999-0123456789abcdef.jpg", "/media/99999999999999999999-480-0123456789abcdef.webp"} {
		res := s.get(t, path)
		if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "Pagina niet gevonden") {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
}
