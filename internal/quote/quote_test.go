package quote_test

import (
	"bytes"
	"errors"
	"image/jpeg"
	"strings"
	"testing"

	"conpro/internal/contact"
	"conpro/internal/media/mediatest"
	"conpro/internal/quote"
)

var plan = []byte("%PDF-1.7\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestCheckPDF_AcceptsAPDFByItsHeaderAndEndAndNothingElse(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"a PDF", plan, nil},
		{"a PDF 2.0 with padding after its end", append(append([]byte("%PDF-2.0\n"), plan[9:]...), bytes.Repeat([]byte(" "), 500)...), nil},
		{"HTML named plan.pdf", []byte("<!doctype html><p>hallo</p>"), quote.ErrFileType},
		{"HTML behind a PDF header", []byte("%PDF-<html><script>alert(1)</script>%%EOF"), quote.ErrFileType},
		{"a PDF header in the middle", append([]byte("junk"), plan...), quote.ErrFileType},
		{"a PDF of version 9", []byte("%PDF-9.1\n%%EOF"), quote.ErrFileType},
		{"a PDF cut off", plan[:30], quote.ErrFileBroken},
		{"a PDF whose end is far from the end", append(append([]byte{}, plan...), bytes.Repeat([]byte("x"), 2000)...), quote.ErrFileBroken},
		{"empty", nil, quote.ErrFileType},
	}
	for _, c := range cases {
		if err := quote.CheckPDF(c.data); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestPrepare_KeepsAPhoneJPEGWithoutItsGPSAndAtMost2000PixelsWide(t *testing.T) {
	in := mediatest.JPEGWithGPS(3000, 2000, 1)
	f, err := quote.Prepare("IMG_0001.JPG", in)
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != quote.TypeJPEG || f.Name != "IMG_0001.jpg" {
		t.Fatalf("kept as %q %q", f.Name, f.Type)
	}
	for _, m := range []string{"Exif", mediatest.GPSMarker, mediatest.XMPMarker, mediatest.CommentMarker, "ICC_PROFILE"} {
		if bytes.Contains(f.Data, []byte(m)) {
			t.Errorf("kept photo holds %q", m)
		}
	}
	w, h := jpegSize(t, f.Data)
	if w != 2000 || h != 1333 {
		t.Errorf("kept at %d×%d, want 2000×1333", w, h)
	}
}

func TestPrepare_JudgesByContentNotByName(t *testing.T) {
	png := mediatest.PNG(mediatest.Picture(40, 30))
	webp := mediatest.WebP(mediatest.Picture(40, 30))
	cases := []struct {
		name     string
		data     []byte
		wantType string
		wantName string
		wantErr  error
	}{
		{"plan.pdf", plan, quote.TypePDF, "plan.pdf", nil},
		{"scan.png", png, quote.TypePNG, "scan.png", nil},
		{"foto.webp", webp, quote.TypeJPEG, "foto.jpg", nil},
		{"foto.pdf", png, quote.TypePNG, "foto.png", nil},
		{"plan.pdf", []byte("<html><body>plan</body></html>"), "", "", quote.ErrFileType},
		{"tekening.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "", "", quote.ErrFileType},
		{"kapot.jpg", mediatest.JPEG(mediatest.Picture(40, 30))[:200], "", "", quote.ErrFileType},
	}
	for _, c := range cases {
		f, err := quote.Prepare(c.name, c.data)
		if !errors.Is(err, c.wantErr) {
			t.Errorf("%s: %v, want %v", c.name, err, c.wantErr)
			continue
		}
		if err != nil {
			var fe *quote.FileError
			if !errors.As(err, &fe) || fe.Name != c.name {
				t.Errorf("%s: the error does not name the file: %v", c.name, err)
			}
			continue
		}
		if f.Type != c.wantType || f.Name != c.wantName {
			t.Errorf("%s: kept as %q %q, want %q %q", c.name, f.Name, f.Type, c.wantName, c.wantType)
		}
	}
	if _, err := quote.Prepare("groot.pdf", make([]byte, quote.MaxFileBytes+1)); !errors.Is(err, quote.ErrFileTooLarge) {
		t.Errorf("a file over the limit: %v", err)
	}
}

func TestCleanName_KeepsALegibleNameWithTheRightExtension(t *testing.T) {
	cases := map[string]string{
		"plan.pdf":                        "plan.pdf",
		`C:\Users\An\Gevel voorzijde.PDF`: "Gevel voorzijde.pdf",
		"../../etc/passwd":                "passwd.pdf",
		"a\r\nBcc: x@y.be.pdf":            "aBcc_ x_y.be.pdf",
		"\u202Efdp.exe":                   "fdp.pdf",
		"....pdf":                         "bestand.pdf",
		"":                                "bestand.pdf",
		"\"quoted\";name.pdf":             "_quoted__name.pdf",
		strings.Repeat("é", 200) + ".pdf": strings.Repeat("é", 76) + ".pdf",
	}
	for in, want := range cases {
		if got := quote.CleanName(in, quote.TypePDF); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckTotal_CountsTheFilesAndTheirKeptSize(t *testing.T) {
	f := quote.File{Name: "a.pdf", Type: quote.TypePDF, Data: make([]byte, 100)}
	if err := quote.CheckTotal([]quote.File{f, f, f, f, f}, 500); err != nil {
		t.Errorf("five files at the limit: %v", err)
	}
	if err := quote.CheckTotal([]quote.File{f, f, f, f, f, f}, 1000); !errors.Is(err, quote.ErrTooManyFiles) {
		t.Errorf("six files: %v", err)
	}
	if err := quote.CheckTotal([]quote.File{f, f}, 199); !errors.Is(err, quote.ErrTotalTooLarge) {
		t.Errorf("over the total: %v", err)
	}
}

func TestValidate_ChecksTheQuotesFieldsBesideTheContactRules(t *testing.T) {
	good := quote.Form{Contact: contact.Form{Name: "An", Email: "an@example.be", Message: "Een nieuw dak graag."}, Work: "dak", Postcode: "2600", Timing: "snel"}
	if s, errs := quote.Validate(good); errs != nil || s.Work != "dak" || s.Postcode != "2600" || s.Message != "Een nieuw dak graag." {
		t.Fatalf("valid form: %+v %v", s, errs)
	}
	cases := []struct {
		edit  func(*quote.Form)
		field quote.Field
		msg   string
	}{
		{func(f *quote.Form) { f.Work = "" }, quote.Work, "QuoteErrWork"},
		{func(f *quote.Form) { f.Work = "Dak" }, quote.Work, "QuoteErrWork"},
		{func(f *quote.Form) { f.Postcode = "" }, quote.Postcode, "QuoteErrPostcodeRequired"},
		{func(f *quote.Form) { f.Postcode = "B-2600" }, quote.Postcode, "QuoteErrPostcodeInvalid"},
		{func(f *quote.Form) { f.Postcode = "0600" }, quote.Postcode, "QuoteErrPostcodeInvalid"},
		{func(f *quote.Form) { f.Postcode = "２６００" }, quote.Postcode, "QuoteErrPostcodeInvalid"},
		{func(f *quote.Form) { f.Timing = "gisteren" }, quote.Timing, "QuoteErrTiming"},
		{func(f *quote.Form) { f.Contact.Message = "" }, quote.Description, "QuoteErrDescriptionRequired"},
		{func(f *quote.Form) { f.Contact.Message = "kort" }, quote.Description, "QuoteErrDescriptionTooShort"},
		{func(f *quote.Form) { f.Contact.Message = "Een dak \u202Egraag nu" }, quote.Description, "QuoteErrDescriptionBidi"},
		{func(f *quote.Form) { f.Contact.Email = "an" }, quote.Email, "ContactErrEmailInvalid"},
	}
	for _, c := range cases {
		f := good
		c.edit(&f)
		_, errs := quote.Validate(f)
		if errs[c.field] != c.msg {
			t.Errorf("%+v: %v, want %s on %s", f, errs, c.msg, c.field)
		}
	}
}

func FuzzCheckPDF(f *testing.F) {
	f.Add(plan)
	f.Add([]byte("%PDF-1.4\n%%EOF"))
	f.Add([]byte("<html>"))
	f.Add([]byte("%PDF-"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := quote.CheckPDF(data)
		if err == nil && (!bytes.HasPrefix(data, []byte("%PDF-")) || !bytes.Contains(data, []byte("%%EOF"))) {
			t.Fatalf("accepted %q", data)
		}
		if err != nil && !errors.Is(err, quote.ErrFileType) && !errors.Is(err, quote.ErrFileBroken) && !errors.Is(err, quote.ErrFileTooLarge) {
			t.Fatalf("unexpected error %v", err)
		}
		// Prepare never panics on any content and names the file.
		if _, err := quote.Prepare("x.pdf", data); err != nil {
			var fe *quote.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Prepare: %v is not a file's error", err)
			}
		}
	})
}

func jpegSize(t *testing.T, data []byte) (int, int) {
	t.Helper()
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Width, cfg.Height
}
