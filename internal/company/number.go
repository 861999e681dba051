package company

import (
	"errors"
	"strconv"
	"strings"
)

// Number is a Belgian enterprise number (ondernemingsnummer, KBO/BCE), which
// a business must show on its website. The zero Number is no number.
type Number struct {
	// digits are the ten digits, the first 0 or 1.
	digits string
	// vat says the number was given as a VAT number (BE 0123.456.749),
	// and is shown so.
	vat bool
}

// ErrNotANumber says a text is not a valid Belgian enterprise number.
var ErrNotANumber = errors.New("not a Belgian enterprise number: want ten digits such as 0123.456.749, or BE 0123.456.749 for a VAT number, whose last two digits check the first eight")

// ParseNumber reads an enterprise number as people write it: 0123.456.749,
// 0123 456 749, 0123456749, or with BE in front as a VAT number. The last
// two digits must be the check digits of the first eight (97 minus their
// remainder by 97), which catches a mistyped digit.
func ParseNumber(s string) (Number, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	rest, vat := strings.CutPrefix(s, "BE")
	var digits strings.Builder
	for i, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case (r == '.' || r == ' ') && i > 0:
		case r == ' ' && vat && i == 0:
		default:
			return Number{}, ErrNotANumber
		}
	}
	d := digits.String()
	if len(d) != 10 || (d[0] != '0' && d[0] != '1') {
		return Number{}, ErrNotANumber
	}
	base, _ := strconv.Atoi(d[:8])
	check, _ := strconv.Atoi(d[8:])
	if 97-base%97 != check {
		return Number{}, ErrNotANumber
	}
	return Number{digits: d, vat: vat}, nil
}

// IsZero reports whether n is no number (none configured).
func (n Number) IsZero() bool { return n.digits == "" }

// String writes the number as the KBO does, 0123.456.749, with "BE " in
// front for a VAT number; "" for no number.
func (n Number) String() string {
	if n.IsZero() {
		return ""
	}
	s := n.digits[:4] + "." + n.digits[4:7] + "." + n.digits[7:]
	if n.vat {
		return "BE " + s
	}
	return s
}

// Digits is the number's ten digits, as the KBO's data carries them; ""
// for no number.
func (n Number) Digits() string { return n.digits }

// VATID is the VAT number, BE0123456749, when the number was configured
// as one; "" otherwise.
func (n Number) VATID() string {
	if !n.vat {
		return ""
	}
	return "BE" + n.digits
}
