package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"conpro/internal/quote"
)

// FuzzReadQuoteForm feeds the quote form's reader any multipart body: it
// never panics, an error is one the error table answers with a 4xx (a bad
// request, unreadable text, a body too large), and what it returns without
// an error is readable text and at most MaxFiles files, each within its
// bound or marked refused.
func FuzzReadQuoteForm(f *testing.F) {
	f.Add("x", "--x\r\nContent-Disposition: form-data; name=\"naam\"\r\n\r\nJan\r\n--x--\r\n")
	f.Add("x", "--x\r\nContent-Disposition: form-data; name=\"bestanden\"; filename=\"plan.pdf\"\r\n\r\n%PDF-1.4\n%%EOF\r\n--x--\r\n")
	f.Add("b", "--b\r\nContent-Disposition: form-data; name=\"bericht\"\r\n\r\n\xff\x00\r\n--b\r\nContent-Disposition: form-data; name=\"bestanden\"; filename=\"\"\r\n\r\n\r\n--b--\r\n")
	f.Add("x", "--x\r\n\r\n--x--")
	f.Fuzz(func(t *testing.T, boundary, body string) {
		r := httptest.NewRequest(http.MethodPost, "/offerte", strings.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=\""+strings.ReplaceAll(boundary, "\"", "")+"\"")
		w := httptest.NewRecorder()
		r.Body = http.MaxBytesReader(w, r.Body, quoteBody)
		values, files, err := readQuoteForm(w, r)
		if err != nil {
			if errors.Is(err, errUnreadable) {
				if !readable(values) {
					t.Fatalf("unreadable values came back as they were: %q", values)
				}
				return
			}
			if st := failureFor(fmtWrap(err)).status; st < 400 || st >= 500 {
				t.Fatalf("error %v answers %d", err, st)
			}
			return
		}
		if !readable(values) {
			t.Fatalf("unreadable values passed: %q", values)
		}
		if len(files) > quote.MaxFiles+1 && files[quote.MaxFiles].err == nil {
			t.Fatalf("%d files, the sixth not refused", len(files))
		}
		for _, f := range files {
			if f.err == nil && (len(f.data) == 0 || len(f.data) > quote.MaxFileBytes) {
				t.Fatalf("file %q of %d bytes taken", f.name, len(f.data))
			}
		}
	})
}

// fmtWrap is what handleQuotePost does with an error the reader returns.
func fmtWrap(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.Is(err, errTooLarge) || errors.As(err, &tooLarge) || errors.Is(err, errBadRequest) {
		return err
	}
	return errors.Join(errBadRequest, err)
}
