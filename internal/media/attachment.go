package media

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"image/png"
)

// AttachmentSide bounds the longer side, in pixels, of a photo a visitor
// sends with a form (a quote request): enough to see a crack in a wall,
// small enough that five of them fit in one mail.
const AttachmentSide = 2000

// attachmentQuality is the JPEG quality of such a photo.
const attachmentQuality = 85

// Attachment checks a photo a visitor sent and makes the one size that is
// kept of it, by the same rules as the library's photos: judged by content,
// at most maxBytes and MaxPixels, turned upright, and only its pixels
// encoded again, so no Exif (GPS above all), XMP or comment survives. A PNG
// (a plan drawn on a computer, a screenshot) stays a lossless PNG; anything
// else becomes a JPEG. It returns the bytes and their type.
func Attachment(data []byte, maxBytes int64) ([]byte, string, error) {
	if int64(len(data)) > maxBytes {
		return nil, "", ErrTooLarge
	}
	typ, err := Detect(data)
	if err != nil {
		return nil, "", err
	}
	img, err := decode(data, typ)
	if err != nil {
		return nil, "", err
	}
	if typ == "image/jpeg" {
		img = orient(img, jpegOrientation(data))
	}
	if b := img.Bounds(); max(b.Dx(), b.Dy()) > AttachmentSide {
		w, h := b.Dx(), b.Dy()
		if w >= h {
			img = resize(img, AttachmentSide, scaledHeight(w, h, AttachmentSide))
		} else {
			img = resize(img, scaledHeight(h, w, AttachmentSide), AttachmentSide)
		}
	}
	var buf bytes.Buffer
	if typ == "image/png" {
		if err := png.Encode(&buf, img); err != nil {
			return nil, "", fmt.Errorf("encode attachment: %w", err)
		}
		return buf.Bytes(), "image/png", nil
	}
	if err := jpeg.Encode(&buf, flatten(img), &jpeg.Options{Quality: attachmentQuality}); err != nil {
		return nil, "", fmt.Errorf("encode attachment: %w", err)
	}
	return buf.Bytes(), TypeJPEG, nil
}
