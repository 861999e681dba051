// Package mediatest makes image files for tests: real JPEGs carrying the
// metadata a phone writes (Exif with GPS and orientation, XMP, an ICC
// profile, a comment), PNGs and WebPs.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	"github.com/gen2brain/webp"
)

// GPSMarker is a text the GPS block of JPEGWithGPS carries, to look for in
// what is served; XMPMarker and CommentMarker likewise.
const (
	GPSMarker     = "GPS-Kerkstraat-12-Aalst"
	XMPMarker     = "xmp-camera-Kerkstraat"
	CommentMarker = "foto-werf-Kerkstraat"
)

// Picture is a w×h image: left half red, right half blue, so a turn shows.
func Picture(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{R: 200, G: 30, B: 30, A: 255}
			if x >= w/2 {
				c = color.NRGBA{R: 30, G: 30, B: 200, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// JPEG encodes img as a plain JPEG.
func JPEG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PNG encodes img as a PNG.
func PNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// WebP encodes img as a WebP.
func WebP(img image.Image) []byte {
	var buf bytes.Buffer
	if err := webp.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// JPEGWithGPS is a w×h JPEG as a phone writes it: an Exif block with the
// given orientation and a GPS position (50°56'N 4°2'E, plus GPSMarker as
// its processing method), an XMP packet, an ICC profile and a comment.
func JPEGWithGPS(w, h, orientation int) []byte {
	plain := JPEG(Picture(w, h))
	var out bytes.Buffer
	out.Write(plain[:2]) // SOI
	segment(&out, 0xE1, append([]byte("Exif\x00\x00"), exifTIFF(orientation)...))
	segment(&out, 0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><rdf:Description exif:GPSLatitude=\"50,56N\" note=\""+XMPMarker+"\"/></x:xmpmeta>"))
	segment(&out, 0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), bytes.Repeat([]byte{0x42}, 128)...))
	segment(&out, 0xFE, []byte(CommentMarker))
	out.Write(plain[2:])
	return out.Bytes()
}

func segment(out *bytes.Buffer, marker byte, payload []byte) {
	out.Write([]byte{0xFF, marker})
	_ = binary.Write(out, binary.BigEndian, uint16(len(payload)+2))
	out.Write(payload)
}

// exifTIFF is a little-endian TIFF block: IFD0 with Orientation and a
// pointer to a GPS IFD holding latitude, longitude and a method text.
func exifTIFF(orientation int) []byte {
	le := binary.LittleEndian
	var t []byte
	t = append(t, 'I', 'I', 42, 0, 8, 0, 0, 0)
	entry := func(tag, typ uint16, count, value uint32) {
		t = le.AppendUint16(t, tag)
		t = le.AppendUint16(t, typ)
		t = le.AppendUint32(t, count)
		t = le.AppendUint32(t, value)
	}
	// IFD0 at 8: 2 entries, then the next-IFD offset.
	const ifd0 = 8
	const gpsIFD = ifd0 + 2 + 2*12 + 4 // 38
	const gpsEntries = 5
	const gpsData = gpsIFD + 2 + gpsEntries*12 + 4
	t = le.AppendUint16(t, 2)
	entry(0x0112, 3, 1, uint32(orientation)) // Orientation, SHORT
	entry(0x8825, 4, 1, gpsIFD)              // GPSInfo IFD pointer
	t = le.AppendUint32(t, 0)
	method := []byte("ASCII\x00\x00\x00" + GPSMarker)
	t = le.AppendUint16(t, gpsEntries)
	entry(0x0001, 2, 2, 'N')                                  // GPSLatitudeRef
	entry(0x0002, 5, 3, gpsData)                              // GPSLatitude, 3 RATIONAL
	entry(0x0003, 2, 2, 'E')                                  // GPSLongitudeRef
	entry(0x0004, 5, 3, gpsData+24)                           // GPSLongitude
	entry(0x001B, 7, uint32(len(method)), uint32(gpsData+48)) // GPSProcessingMethod
	t = le.AppendUint32(t, 0)
	for _, r := range [][2]uint32{{50, 1}, {56, 1}, {1234, 100}, {4, 1}, {2, 1}, {3456, 100}} {
		t = le.AppendUint32(t, r[0])
		t = le.AppendUint32(t, r[1])
	}
	return append(t, method...)
}
