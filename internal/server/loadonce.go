package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// "Eenmalig laden" returns the visitor to the page with a permission in
// its query (web.LoadOnceParam): the vendor, when it was given, and a
// signature over both and the page's path with the site's key. Only the
// click that was logged makes one, it holds for that page only and for
// loadOnceFor: an address copied from the browser's history, a bookmark
// or a shared link shows the placeholder again, not the vendor's frame.

// loadOnceFor is how long a permission to load an embed once holds: the
// time from the click to the page that shows the frame.
const loadOnceFor = 2 * time.Minute

// loadOnceToken is the permission to show vendor's embeds once on path.
func (s *Server) loadOnceToken(vendor, path string, now time.Time) string {
	at := strconv.FormatInt(now.Unix(), 10)
	return vendor + "." + at + "." + s.loadOnceSignature(vendor, path, at)
}

// loadOnceVendor is the vendor a permission names when it is genuine, for
// path and still valid at now; "" otherwise.
func (s *Server) loadOnceVendor(token, path string, now time.Time) string {
	vendor, rest, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	at, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return ""
	}
	unix, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return ""
	}
	if age := now.Sub(time.Unix(unix, 0)); age < -time.Minute || age > loadOnceFor {
		return ""
	}
	if !hmac.Equal([]byte(sig), []byte(s.loadOnceSignature(vendor, path, at))) {
		return ""
	}
	return vendor
}

func (s *Server) loadOnceSignature(vendor, path, at string) string {
	m := hmac.New(sha256.New, s.cfg.CookieKey)
	m.Write([]byte("load-once\x00" + vendor + "\x00" + path + "\x00" + at))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
