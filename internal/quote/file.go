package quote

import (
	"bytes"
	"errors"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"conpro/internal/media"
)

// Limits of the files a request may carry.
const (
	// MaxFiles is how many photos or plans one request may carry.
	MaxFiles = 5
	// MaxFileBytes bounds one file as sent: a photo straight from a phone,
	// or an architect's plan, fits.
	MaxFileBytes = 15 << 20
	// maxNameRunes bounds a file's name as kept.
	maxNameRunes = 80
)

// Types of a kept file.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypePDF  = "application/pdf"
)

// Errors a file can meet; the form names the file in each.
var (
	// ErrFileType: the content is not a JPEG, PNG or WebP photo nor a PDF,
	// whatever the file's name says.
	ErrFileType = errors.New("not a photo or a PDF")
	// ErrFileTooLarge: the file is over MaxFileBytes, or a photo with more
	// pixels than media.MaxPixels.
	ErrFileTooLarge = errors.New("file too large")
	// ErrFileBroken: a PDF that is cut off or damaged.
	ErrFileBroken = errors.New("file damaged or incomplete")
	// ErrTooManyFiles: more than MaxFiles files.
	ErrTooManyFiles = errors.New("too many files")
	// ErrTotalTooLarge: the kept files together are over the limit.
	ErrTotalTooLarge = errors.New("files together too large")
)

// FileError is a refused file: its name as sent, and why.
type FileError struct {
	Name string
	Err  error
}

func (e *FileError) Error() string { return "file " + e.Name + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// File is a photo or plan as kept: a photo re-encoded from its pixels
// (nothing of its metadata left), a plan as sent once checked.
type File struct {
	// Name is a clean name, with the extension of Type.
	Name string
	Type string
	Data []byte
}

// Prepare checks one file a visitor sent (name as sent, content) and makes
// what is kept of it. It judges by content alone.
func Prepare(name string, data []byte) (File, error) {
	fail := func(err error) (File, error) { return File{}, &FileError{Name: ShownName(name), Err: err} }
	if len(data) > MaxFileBytes {
		return fail(ErrFileTooLarge)
	}
	if bytes.HasPrefix(data, []byte(pdfMagic)) {
		if err := CheckPDF(data); err != nil {
			return fail(err)
		}
		return File{Name: CleanName(name, TypePDF), Type: TypePDF, Data: data}, nil
	}
	kept, typ, err := media.Attachment(data, MaxFileBytes)
	switch {
	case errors.Is(err, media.ErrTooLarge), errors.Is(err, media.ErrTooManyPixels):
		return fail(ErrFileTooLarge)
	case errors.Is(err, media.ErrNotAPhoto):
		return fail(ErrFileType)
	case err != nil:
		return File{}, err
	}
	return File{Name: CleanName(name, typ), Type: typ, Data: kept}, nil
}

// CheckTotal checks the number of files and their kept size together.
func CheckTotal(files []File, maxTotal int64) error {
	if len(files) > MaxFiles {
		return ErrTooManyFiles
	}
	var n int64
	for _, f := range files {
		n += int64(len(f.Data))
	}
	if n > maxTotal {
		return ErrTotalTooLarge
	}
	return nil
}

const pdfMagic = "%PDF-"

// pdfTail is how far before the end of a PDF its end-of-file marker may
// stand: writers leave a line break, some a little padding.
const pdfTail = 1024

// CheckPDF accepts a PDF by its content: the header "%PDF-" and a version
// (1.0 to 2.x) at the very start, and the end-of-file marker "%%EOF" near
// the end. An HTML page, a script or a picture named plan.pdf has neither;
// a PDF cut off on its way has no end. The PDF is kept as sent and only
// ever downloaded, never shown by the site.
func CheckPDF(data []byte) error {
	if len(data) > MaxFileBytes {
		return ErrFileTooLarge
	}
	if !bytes.HasPrefix(data, []byte(pdfMagic)) {
		return ErrFileType
	}
	v := data[len(pdfMagic):]
	if len(v) < 3 || (v[0] != '1' && v[0] != '2') || v[1] != '.' || v[2] < '0' || v[2] > '9' {
		return ErrFileType
	}
	tail := data[max(0, len(data)-pdfTail):]
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return ErrFileBroken
	}
	return nil
}

// extensions is the extension a kept file's name ends in, by type.
var extensions = map[string]string{TypeJPEG: ".jpg", TypePNG: ".png", TypePDF: ".pdf"}

// CleanName makes the name a file is kept, listed and mailed under from
// the name it was sent with: the last part of a path, letters, digits and
// a few marks only (nothing that could break a header or turn the text
// around), at most 80 characters, ending in the extension of its type.
func CleanName(name, typ string) string {
	base := ShownName(name)
	ext := extensions[typ]
	if e := path.Ext(base); e != "" {
		base = strings.TrimSuffix(base, e)
	}
	var b strings.Builder
	for _, r := range base {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.()+", r):
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune(' ')
		default:
			b.WriteRune('_')
		}
	}
	clean := strings.Join(strings.Fields(b.String()), " ")
	clean = strings.Trim(clean, ". ")
	if clean == "" {
		clean = "bestand"
	}
	if utf8.RuneCountInString(clean) > maxNameRunes-len(ext) {
		clean = string([]rune(clean)[:maxNameRunes-len(ext)])
	}
	return clean + ext
}

// ShownName is a file's name as sent, fit to show in a message: its last
// path part, readable text without control or direction characters, at most
// 80 characters.
func ShownName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	if utf8.RuneCountInString(name) > maxNameRunes {
		name = string([]rune(name)[:maxNameRunes-1]) + "…"
	}
	if name == "" {
		return "bestand"
	}
	return name
}
