// Package media holds the rules of the site's photo library: which files
// are photos, how large they may be, that every photo says what it shows,
// and the widths it is served in. Process turns an upload into what is
// stored: the pixels alone, re-encoded, so that nothing the camera wrote
// (Exif with GPS, XMP, ICC profiles, comments) survives.
package media

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors an upload can meet; the staff page says each in Dutch.
var (
	// ErrNotAPhoto: the content is not a JPEG, PNG or WebP image, or it
	// cannot be decoded, whatever the file's name says.
	ErrNotAPhoto = errors.New("not a JPEG, PNG or WebP image")
	// ErrTooLarge: the file is larger than the configured limit.
	ErrTooLarge = errors.New("photo file too large")
	// ErrTooManyPixels: the image is larger than MaxPixels, or has no
	// pixels at all.
	ErrTooManyPixels = errors.New("photo has too many pixels")
	// ErrNoAlt: the photo does not say what it shows.
	ErrNoAlt = errors.New("alt text missing")
	// ErrAltTooLong: the alt text is longer than MaxAltLength.
	ErrAltTooLong = errors.New("alt text too long")
	// ErrNotFound: no photo (or variant) by that number.
	ErrNotFound = errors.New("no such photo")
)

// DefaultMaxBytes is the largest upload unless configured otherwise: a
// photo straight from a phone fits.
const DefaultMaxBytes = 15 << 20

// MaxPixels bounds an image's width × height, checked from its header
// before the pixels are decoded: a small file may claim an enormous
// image. A 48-megapixel phone photo fits.
const MaxPixels = 50_000_000

// MaxAltLength bounds the alt text in characters: a sentence, not an
// essay (screen readers read it whole).
const MaxAltLength = 250

// Widths are the widths, in pixels, a photo is served in: a phone, a
// tablet or half a desktop, a full desktop. A photo narrower than one is
// never enlarged: it is served at its own width instead.
var Widths = []int{480, 960, 1600}

// Types a variant is served as: WebP, and JPEG for browsers without it.
const (
	TypeWebP = "image/webp"
	TypeJPEG = "image/jpeg"
)

// Photo is a photo of the library. Its variants are listed without their
// bytes, narrowest first.
type Photo struct {
	ID  int64
	Alt string
	// Width and Height are those of the stored original, after its
	// orientation was applied.
	Width, Height int
	// Bytes is the size of the file as uploaded.
	Bytes      int64
	UploadedAt time.Time
	Variants   []Variant
}

// Variant is the photo at one width in one type.
type Variant struct {
	Width, Height int
	Type          string
	// Hash names the content (hex, from SHA-256): it is in the address,
	// so an address never changes meaning and may be cached for good.
	Hash string
	// Data is the encoded image; empty in listings.
	Data []byte
}

// Ext is the file extension a variant's address ends in.
func (v Variant) Ext() string {
	if v.Type == TypeWebP {
		return "webp"
	}
	return "jpg"
}

// Path is the site address of photo id's variant v.
func (v Variant) Path(id int64) string {
	return fmt.Sprintf("/media/%d-%d-%s.%s", id, v.Width, v.Hash, v.Ext())
}

// Address is what an address under /media names.
type Address struct {
	ID    int64
	Width int
	Hash  string
	Type  string
}

// ParseAddress reads the last part of a variant's address
// ("12-960-3f2a….webp"); ok is false for anything else.
func ParseAddress(name string) (a Address, ok bool) {
	base, ext, found := strings.Cut(name, ".")
	switch ext {
	case "webp":
		a.Type = TypeWebP
	case "jpg":
		a.Type = TypeJPEG
	default:
		return Address{}, false
	}
	parts := strings.Split(base, "-")
	if !found || len(parts) != 3 {
		return Address{}, false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	// The database keeps a width in an integer (32 bits).
	w, err2 := strconv.ParseInt(parts[1], 10, 32)
	if err1 != nil || err2 != nil || id <= 0 || w <= 0 || strconv.FormatInt(id, 10) != parts[0] || strconv.FormatInt(w, 10) != parts[1] || !isHash(parts[2]) {
		return Address{}, false
	}
	a.ID, a.Width, a.Hash = id, int(w), parts[2]
	return a, true
}

// hashLength is how many hex digits of the SHA-256 a variant's name keeps.
const hashLength = 16

func isHash(s string) bool {
	if len(s) != hashLength {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// CheckAlt trims an alt text and checks it says something, briefly.
func CheckAlt(alt string) (string, error) {
	alt = strings.Join(strings.Fields(alt), " ")
	switch {
	case alt == "":
		return "", ErrNoAlt
	case utf8.RuneCountInString(alt) > MaxAltLength:
		return alt, ErrAltTooLong
	}
	return alt, nil
}

// Largest is the widest variant of type typ (the zero Variant if none).
func (p Photo) Largest(typ string) Variant {
	var out Variant
	for _, v := range p.Variants {
		if v.Type == typ && v.Width > out.Width {
			out = v
		}
	}
	return out
}

// SrcSet is the srcset value of the photo's variants of type typ.
func (p Photo) SrcSet(typ string) string {
	var b strings.Builder
	for _, v := range p.Variants {
		if v.Type != typ {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %dw", v.Path(p.ID), v.Width)
	}
	return b.String()
}
