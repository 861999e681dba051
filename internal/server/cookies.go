package server

import (
	"net/http"
	"net/textproto"
	"strings"
)

// cookieValue returns the value of the first cookie called name, as
// Request.Cookie does, without making an object of every cookie the
// browser sent: it runs on every request. A value that is not plain (in
// quotes, or with a byte a cookie value may not hold) is left to
// Request.Cookie, so the answer is always the standard library's.
func cookieValue(r *http.Request, name string) (string, bool) {
	for _, line := range r.Header["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			n, v, _ := strings.Cut(textproto.TrimString(part), "=")
			if textproto.TrimString(n) != name {
				continue
			}
			if !plainCookieValue(v) {
				c, err := r.Cookie(name)
				if err != nil {
					return "", false
				}
				return c.Value, true
			}
			return v, true
		}
	}
	return "", false
}

// plainCookieValue reports whether v is a cookie value that needs no
// unquoting or checking: visible ASCII but for '"', ';' and '\'.
func plainCookieValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; b <= 0x20 || b >= 0x7f || b == '"' || b == ';' || b == '\\' {
			return false
		}
	}
	return true
}
