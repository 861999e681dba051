package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// errUnreadable is a form whose field names or values hold a NUL byte or
// invalid UTF-8: PostgreSQL refuses both in text, a page cannot show them,
// and no person types them.
var errUnreadable = errors.New("a NUL byte or invalid UTF-8 in a form")

// formValues reads a request's form, the one way every handler reads one:
// the body of a POST, the query of anything else. Unreadable text (a NUL
// byte, invalid UTF-8) is refused here for every form at once, so none of it
// reaches the database or a page: the error is errUnreadable (a Dutch 400
// through fail), and the values come back with each such character replaced
// by U+FFFD, so that a handler that shows its form again with what was
// typed (a 422) can, and shows where. A body that cannot be parsed at all is
// errBadRequest, or too large. Once it has passed, r.PostForm holds the same
// values.
func formValues(r *http.Request) (url.Values, error) {
	values := r.URL.Query()
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("%w: %w", errBadRequest, err)
		}
		values = r.PostForm
	}
	if readable(values) {
		return values, nil
	}
	shown := make(url.Values, len(values))
	for k, vs := range values {
		for _, v := range vs {
			shown[legible(k)] = append(shown[legible(k)], legible(v))
		}
	}
	return shown, errUnreadable
}

func readable(values url.Values) bool {
	for k, vs := range values {
		if !readableText(k) {
			return false
		}
		for _, v := range vs {
			if !readableText(v) {
				return false
			}
		}
	}
	return true
}

func readableText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// legible replaces NUL bytes and invalid UTF-8 with U+FFFD, as a browser
// shows them.
func legible(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
}
