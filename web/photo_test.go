package web_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"conpro/internal/media"
	"conpro/web"
)

// photoImg renders a photo and returns its img and source elements'
// attributes.
func photoImg(t *testing.T, p media.Photo, o web.PhotoOptions) (img, source map[string]string) {
	t.Helper()
	var b strings.Builder
	if err := web.Photo(p, o).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	img, source = map[string]string{}, map[string]string{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		target := map[string]map[string]string{"img": img, "source": source}[n.Data]
		for _, a := range n.Attr {
			if target != nil {
				target[a.Key] = a.Val
			}
		}
	}
	return img, source
}

var library = media.Photo{ID: 7, Alt: "Nieuwe keuken in eik", Width: 1200, Height: 800, Variants: []media.Variant{
	{Width: 480, Height: 320, Type: media.TypeWebP, Hash: "aaaaaaaaaaaaaaaa"}, {Width: 480, Height: 320, Type: media.TypeJPEG, Hash: "bbbbbbbbbbbbbbbb"},
	{Width: 960, Height: 640, Type: media.TypeWebP, Hash: "cccccccccccccccc"}, {Width: 960, Height: 640, Type: media.TypeJPEG, Hash: "dddddddddddddddd"},
	{Width: 1200, Height: 800, Type: media.TypeWebP, Hash: "eeeeeeeeeeeeeeee"}, {Width: 1200, Height: 800, Type: media.TypeJPEG, Hash: "ffffffffffffffff"},
}}

func TestPhoto_BelowTheFoldLoadsLazilyWithEveryWidthAndItsSizeReserved(t *testing.T) {
	img, source := photoImg(t, library, web.PhotoOptions{Sizes: "(min-width: 60rem) 50vw, 100vw"})
	want := map[string]string{
		"src":     "/media/7-1200-ffffffffffffffff.jpg",
		"srcset":  "/media/7-480-bbbbbbbbbbbbbbbb.jpg 480w, /media/7-960-dddddddddddddddd.jpg 960w, /media/7-1200-ffffffffffffffff.jpg 1200w",
		"sizes":   "(min-width: 60rem) 50vw, 100vw",
		"width":   "1200",
		"height":  "800",
		"alt":     "Nieuwe keuken in eik",
		"loading": "lazy",
	}
	for k, v := range want {
		if img[k] != v {
			t.Errorf("img %s=%q, want %q", k, img[k], v)
		}
	}
	if source["type"] != "image/webp" || source["srcset"] != "/media/7-480-aaaaaaaaaaaaaaaa.webp 480w, /media/7-960-cccccccccccccccc.webp 960w, /media/7-1200-eeeeeeeeeeeeeeee.webp 1200w" {
		t.Errorf("source: %v", source)
	}
}

func TestPhoto_AboveTheFoldLoadsAtOnceAndFirst(t *testing.T) {
	img, _ := photoImg(t, library, web.PhotoOptions{AboveFold: true})
	if _, lazy := img["loading"]; lazy || img["fetchpriority"] != "high" || img["sizes"] != "100vw" {
		t.Errorf("img %v", img)
	}
}
