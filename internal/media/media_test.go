package media_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"slices"
	"strconv"
	"strings"
	"testing"

	"conpro/internal/media"
	"conpro/internal/media/mediatest"
)

// metadataMarkers are bytes that only metadata carries: the Exif and XMP
// headers, an ICC profile, a comment segment, and the texts of the test
// file's GPS block, XMP and comment.
var metadataMarkers = []string{"Exif", "http://ns.adobe.com/xap", "ICC_PROFILE", "\xFF\xFE", mediatest.GPSMarker, mediatest.XMPMarker, mediatest.CommentMarker}

func TestProcess_KeepsNoMetadataOfAPhoneJPEG(t *testing.T) {
	in := mediatest.JPEGWithGPS(640, 480, 1)
	for _, m := range metadataMarkers {
		if !bytes.Contains(in, []byte(m)) {
			t.Fatalf("the test file lacks %q", m)
		}
	}
	u, err := media.Process(in, "Gevel na renovatie", media.DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string][]byte{"original": u.Original}
	for _, v := range u.Variants {
		outputs[v.Path(1)] = v.Data
	}
	for name, data := range outputs {
		for _, m := range metadataMarkers {
			// A comment segment's marker is a JPEG's business; in WebP
			// the two bytes may be anything.
			if m == "\xFF\xFE" && strings.HasSuffix(name, ".webp") {
				continue
			}
			if bytes.Contains(data, []byte(m)) {
				t.Errorf("%s holds %q", name, m)
			}
		}
	}
}

func TestProcess_TurnsAPortraitPhotoUprightBeforeDroppingItsExif(t *testing.T) {
	// Stored sideways (640 wide, 480 high) with orientation 6: upright it
	// is 480 wide and 640 high, and the red half is on top.
	u, err := media.Process(mediatest.JPEGWithGPS(640, 480, 6), "Trap", media.DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	if u.Width != 480 || u.Height != 640 {
		t.Fatalf("upright size %d×%d, want 480×640", u.Width, u.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(u.Original))
	if err != nil {
		t.Fatal(err)
	}
	top, bottom := img.At(240, 100), img.At(240, 540)
	if r, _, b, _ := top.RGBA(); r < b {
		t.Errorf("top is %v, want red", top)
	}
	if r, _, b, _ := bottom.RGBA(); b < r {
		t.Errorf("bottom is %v, want blue", bottom)
	}
}

func TestProcess_MakesEachWidthInWebPAndJPEGWithoutEnlarging(t *testing.T) {
	cases := []struct {
		name   string
		width  int
		widths []int
	}{
		{"a wide photo", 2000, []int{480, 960, 1600}},
		{"a photo of exactly the widest width", 1600, []int{480, 960, 1600}},
		{"a medium photo", 1200, []int{480, 960, 1200}},
		{"a small photo", 300, []int{300}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := media.Process(mediatest.PNG(mediatest.Picture(c.width, c.width/2)), "Dak", media.DefaultMaxBytes)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range u.Variants {
				var cfg image.Config
				var format string
				cfg, format, err = image.DecodeConfig(bytes.NewReader(v.Data))
				if err != nil {
					t.Fatalf("%s: %v", v.Path(1), err)
				}
				if cfg.Width != v.Width || cfg.Height != v.Height || cfg.Height != v.Width/2 {
					t.Errorf("%s is %d×%d, says %d×%d", v.Path(1), cfg.Width, cfg.Height, v.Width, v.Height)
				}
				got = append(got, format+":"+itoa(cfg.Width))
			}
			var want []string
			for _, w := range c.widths {
				want = append(want, "webp:"+itoa(w), "jpeg:"+itoa(w))
			}
			if !slices.Equal(got, want) {
				t.Errorf("variants %v, want %v", got, want)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestProcess_JudgesAFileByItsContentNotItsName(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"a PNG", mediatest.PNG(mediatest.Picture(40, 30)), nil},
		{"a WebP", mediatest.WebP(mediatest.Picture(40, 30)), nil},
		{"a JPEG", mediatest.JPEG(mediatest.Picture(40, 30)), nil},
		{"HTML", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), media.ErrNotAPhoto},
		{"an SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), media.ErrNotAPhoto},
		{"a text", []byte("Dit is geen foto."), media.ErrNotAPhoto},
		{"a GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), media.ErrNotAPhoto},
		{"a cut-off JPEG", mediatest.JPEG(mediatest.Picture(40, 30))[:200], media.ErrNotAPhoto},
		{"nothing", nil, media.ErrNotAPhoto},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := media.Process(c.data, "Foto", media.DefaultMaxBytes)
			if !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestProcess_RefusesAFileOverTheLimitAndAHugeImage(t *testing.T) {
	data := mediatest.PNG(mediatest.Picture(40, 30))
	if _, err := media.Process(data, "Foto", int64(len(data)-1)); !errors.Is(err, media.ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	// A PNG header claiming 10000×10000 pixels, with nothing behind it.
	huge := mediatest.PNG(mediatest.Picture(1, 1))
	copy(huge[16:24], []byte{0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10})
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	if _, err := media.Process(huge, "Foto", media.DefaultMaxBytes); !errors.Is(err, media.ErrTooManyPixels) {
		t.Errorf("10000×10000: %v", err)
	}
}

func TestProcess_WantsAnAltTextThatSaysSomethingBriefly(t *testing.T) {
	data := mediatest.PNG(mediatest.Picture(40, 30))
	for alt, want := range map[string]error{"": media.ErrNoAlt, "   \n\t": media.ErrNoAlt, strings.Repeat("a", media.MaxAltLength+1): media.ErrAltTooLong, "  Nieuwe  keuken ": nil} {
		u, err := media.Process(data, alt, media.DefaultMaxBytes)
		if !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", alt, err, want)
		}
		if err == nil && u.Alt != "Nieuwe keuken" {
			t.Errorf("alt kept as %q", u.Alt)
		}
	}
}

func TestParseAddress_ReadsOnlyTheAddressesVariantsHave(t *testing.T) {
	v := media.Variant{Width: 960, Type: media.TypeWebP, Hash: "0123456789abcdef"}
	a, ok := media.ParseAddress(strings.TrimPrefix(v.Path(12), "/media/"))
	if !ok || a != (media.Address{ID: 12, Width: 960, Hash: "0123456789abcdef", Type: media.TypeWebP}) {
		t.Errorf("%s read as %+v %v", v.Path(12), a, ok)
	}
	for _, bad := range []string{"12-960-0123456789abcdef.png", "12-960.webp", "012-960-0123456789abcdef.jpg", "12-960-0123456789ABCDEF.jpg", "-1-960-0123456789abcdef.jpg", "12-960-0123456789abcdef", "12-960-0123456789abcdef.jpg.webp", "12-99999999999-0123456789abcdef.jpg", ""} {
		if _, ok := media.ParseAddress(bad); ok {
			t.Errorf("%q read as an address", bad)
		}
	}
}

// FuzzProcess feeds the decoder any bytes: an upload is either stored
// (upright, with its variants) or refused with one of the errors the
// staff page words; never a panic, never another error.
func FuzzProcess(f *testing.F) {
	jpg := mediatest.JPEGWithGPS(24, 16, 6)
	pngData := mediatest.PNG(mediatest.Picture(24, 16))
	webpData := mediatest.WebP(mediatest.Picture(24, 16))
	for _, seed := range [][]byte{jpg, pngData, webpData, jpg[:len(jpg)/2], pngData[:40], webpData[:30], []byte("<svg/>"), []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), {0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02}, nil} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := media.Process(data, "Foto", 1<<20)
		if err != nil {
			if !errors.Is(err, media.ErrNotAPhoto) && !errors.Is(err, media.ErrTooManyPixels) && !errors.Is(err, media.ErrTooLarge) {
				t.Fatalf("an error the staff page cannot word: %v", err)
			}
			return
		}
		if len(u.Variants) == 0 || len(u.Original) == 0 {
			t.Fatal("stored without variants")
		}
	})
}
