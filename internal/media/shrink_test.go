package media

import (
	"image"
	"image/color"
	"testing"
)

func TestShrink_AveragesEachBlockOfPixels(t *testing.T) {
	src := image.NewNRGBA(image.Rect(10, 20, 14, 22)) // 4 × 2, not at the origin
	for x := 10; x < 14; x++ {
		for y := 20; y < 22; y++ {
			c := color.NRGBA{R: 200, G: 0, B: 100, A: 255}
			if x >= 12 {
				c = color.NRGBA{R: 0, G: 100, B: 0, A: 255}
			}
			if x == 13 && y == 21 {
				c = color.NRGBA{R: 0, G: 20, B: 0, A: 255}
			}
			src.SetNRGBA(x, y, c)
		}
	}
	got := shrink(src, 2)
	if b := got.Bounds(); b.Dx() != 2 || b.Dy() != 1 {
		t.Fatalf("shrunk to %v, want 2 × 1", b)
	}
	for x, want := range []color.RGBA{{R: 200, G: 0, B: 100, A: 255}, {R: 0, G: 80, B: 0, A: 255}} {
		if c := got.RGBAAt(x, 0); c != want {
			t.Errorf("pixel %d: %v, want %v", x, c, want)
		}
	}
}
