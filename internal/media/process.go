package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"slices"

	"github.com/gen2brain/webp"
	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
	xwebp "golang.org/x/image/webp"
)

// Quality of the lossy encodings: photos of buildings, viewed on screens.
const (
	jpegQuality = 82
	webpQuality = 78
	// originalQuality is the JPEG quality of a kept original: high, since
	// later variants may be made from it.
	originalQuality = 92
)

// Upload is a processed upload, ready to store: the original re-encoded
// from its pixels, and its variants.
type Upload struct {
	Alt           string
	Width, Height int
	// Bytes is the size of the uploaded file.
	Bytes int64
	// Original is the full-size image without any metadata, of
	// OriginalType.
	Original     []byte
	OriginalType string
	Variants     []Variant
}

// Detect names the image type data holds, from its content alone
// (the name and declared type of an upload are the sender's word).
func Detect(data []byte) (string, error) {
	switch t := http.DetectContentType(data); t {
	case "image/jpeg", "image/png", "image/webp":
		return t, nil
	default:
		return "", ErrNotAPhoto
	}
}

// Process checks an uploaded file and makes what is stored of it. The
// image is decoded, turned upright as its Exif orientation says, and only
// its pixels are encoded again: no metadata of the file survives.
func Process(data []byte, alt string, maxBytes int64) (Upload, error) {
	alt, altErr := CheckAlt(alt)
	if int64(len(data)) > maxBytes {
		return Upload{}, ErrTooLarge
	}
	typ, err := Detect(data)
	if err != nil {
		return Upload{}, err
	}
	img, err := decode(data, typ)
	if err != nil {
		return Upload{}, err
	}
	if altErr != nil {
		// The file is fine; the alt text is the one thing to fix.
		return Upload{}, altErr
	}
	if typ == "image/jpeg" {
		img = orient(img, jpegOrientation(data))
	}
	b := img.Bounds()
	u := Upload{Alt: alt, Width: b.Dx(), Height: b.Dy(), Bytes: int64(len(data))}
	u.Original, u.OriginalType, err = encodeOriginal(img, typ)
	if err != nil {
		return Upload{}, err
	}
	// The widest variant is made from the photo, each narrower one from
	// the variant above it: the photo's own pixels (45 MB for 30
	// megapixels) are let go of once the widest is made, and no resize
	// reads more than about twice its result.
	widths := VariantWidths(u.Width)
	src := img
	img = nil
	for i := len(widths) - 1; i >= 0; i-- {
		w := widths[i]
		if w != src.Bounds().Dx() {
			src = resize(src, w, scaledHeight(u.Width, u.Height, w))
		}
		for _, t := range []string{TypeJPEG, TypeWebP} {
			v, err := encodeVariant(src, t)
			if err != nil {
				return Upload{}, err
			}
			u.Variants = append(u.Variants, v)
		}
	}
	slices.Reverse(u.Variants) // narrowest first, WebP before JPEG
	return u, nil
}

// VariantWidths are the widths a photo of width w is served in: each of
// Widths narrower than it, and its own width unless it is wider than the
// widest of Widths. Nothing is enlarged.
func VariantWidths(w int) []int {
	var out []int
	for _, x := range Widths {
		if x < w {
			out = append(out, x)
		}
	}
	if widest := Widths[len(Widths)-1]; w <= widest {
		out = append(out, w)
	}
	return out
}

func scaledHeight(w, h, to int) int {
	return max(1, (h*to+w/2)/w)
}

// decode reads the pixels of an image of type typ, after checking its
// size from the header: a small file may claim a huge image.
func decode(data []byte, typ string) (image.Image, error) {
	var (
		decodeConfig func(r *bytes.Reader) (image.Config, error)
		decodeImage  func(r *bytes.Reader) (image.Image, error)
	)
	switch typ {
	case "image/jpeg":
		decodeConfig = func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }
		decodeImage = func(r *bytes.Reader) (image.Image, error) { return jpeg.Decode(r) }
	case "image/png":
		decodeConfig = func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }
		decodeImage = func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) }
	default:
		// x/image's decoder is plain Go: the untrusted bytes are read
		// by memory-safe code (the encoder below runs libwebp).
		decodeConfig = func(r *bytes.Reader) (image.Config, error) { return xwebp.DecodeConfig(r) }
		decodeImage = func(r *bytes.Reader) (image.Image, error) { return xwebp.Decode(r) }
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotAPhoto, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, ErrTooManyPixels
	}
	img, err := decodeImage(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotAPhoto, err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, ErrNotAPhoto
	}
	return img, nil
}

// resize scales src to w × h with Catmull-Rom, as an affine transform:
// Scale would keep a buffer of 32 bytes for each pixel of the result's
// width times the source's height (230 MB for a 30-megapixel photo made
// 1600 pixels wide); Transform keeps none. A source more than twice as
// wide is first shrunk by a whole factor, each block of pixels averaged,
// which keeps Catmull-Rom's work to a few source pixels for each pixel of
// the result.
func resize(src image.Image, w, h int) image.Image {
	if f := src.Bounds().Dx() / w; f >= 2 {
		src = shrink(src, f)
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	b := src.Bounds()
	s2d := f64.Aff3{float64(w) / float64(b.Dx()), 0, -float64(b.Min.X) * float64(w) / float64(b.Dx()),
		0, float64(h) / float64(b.Dy()), -float64(b.Min.Y) * float64(h) / float64(b.Dy())}
	draw.CatmullRom.Transform(dst, s2d, src, b, draw.Src, nil)
	return dst
}

// shrink makes src f times smaller in each direction, each f × f block of
// its pixels averaged into one (a box filter, exact for a whole factor). It
// reads src a strip of f rows at a time, so it needs no memory beyond its
// result and one strip.
func shrink(src image.Image, f int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx()/f, b.Dy()/f
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	strip := image.NewRGBA(image.Rect(0, 0, w*f, f))
	sum := make([]uint32, 4*w)
	n := uint32(f * f)
	for y := range h {
		draw.Draw(strip, strip.Bounds(), src, image.Pt(b.Min.X, b.Min.Y+y*f), draw.Src)
		clear(sum)
		for yy := range f {
			row := strip.Pix[yy*strip.Stride : yy*strip.Stride+4*w*f]
			for x := range w * f {
				i, j := 4*(x/f), 4*x
				sum[i] += uint32(row[j])
				sum[i+1] += uint32(row[j+1])
				sum[i+2] += uint32(row[j+2])
				sum[i+3] += uint32(row[j+3])
			}
		}
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		for i, v := range sum {
			out[i] = uint8((v + n/2) / n)
		}
	}
	return dst
}

// encodeOriginal keeps the full-size image in its own kind: a PNG stays
// lossless, a photo becomes a high-quality JPEG.
func encodeOriginal(img image.Image, typ string) ([]byte, string, error) {
	var buf bytes.Buffer
	if typ == "image/png" {
		if err := png.Encode(&buf, img); err != nil {
			return nil, "", fmt.Errorf("encode original: %w", err)
		}
		return buf.Bytes(), "image/png", nil
	}
	if err := jpeg.Encode(&buf, flatten(img), &jpeg.Options{Quality: originalQuality}); err != nil {
		return nil, "", fmt.Errorf("encode original: %w", err)
	}
	return buf.Bytes(), TypeJPEG, nil
}

func encodeVariant(img image.Image, typ string) (Variant, error) {
	var buf bytes.Buffer
	var err error
	if typ == TypeWebP {
		err = webp.Encode(&buf, img, webp.Options{Quality: webpQuality, Method: 4})
	} else {
		err = jpeg.Encode(&buf, flatten(img), &jpeg.Options{Quality: jpegQuality})
	}
	if err != nil {
		return Variant{}, fmt.Errorf("encode %s variant: %w", typ, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	b := img.Bounds()
	return Variant{Width: b.Dx(), Height: b.Dy(), Type: typ, Hash: hex.EncodeToString(sum[:])[:hashLength], Data: buf.Bytes()}, nil
}

// flatten lays an image with transparency on white, for JPEG (which has
// none: transparent pixels would turn black).
func flatten(img image.Image) image.Image {
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return img
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	return dst
}
