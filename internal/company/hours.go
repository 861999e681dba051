package company

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxOfficeHours bounds the office hours' text: a line in the footer.
const MaxOfficeHours = 120

// ParseOfficeHours checks the office hours as the operator wrote them, such
// as "ma–vr 8.00–17.00": one line of plain text, shown as it is on every
// page, whatever its language.
func ParseOfficeHours(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", errors.New("not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > MaxOfficeHours {
		return "", fmt.Errorf("%d characters; at most %d (one line, such as ma–vr 8.00–17.00)", n, MaxOfficeHours)
	}
	for _, r := range s {
		switch {
		case r == '<' || r == '>':
			return "", errors.New("plain text only: no HTML")
		// Control characters break the line; format characters (bidi
		// overrides such as U+202E, zero-width ones) would make the text
		// read differently from what it holds.
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return "", fmt.Errorf("holds the invisible character %U: plain text on one line only", r)
		}
	}
	return s, nil
}
