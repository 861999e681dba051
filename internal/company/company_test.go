package company_test

import (
	"errors"
	"strings"
	"testing"

	"conpro/internal/company"
	"conpro/internal/locale"
)

func TestParseNumber_ReadsTheWaysPeopleWriteAnEnterpriseNumber(t *testing.T) {
	cases := map[string]string{
		"0123.456.749":      "0123.456.749",
		" 0123 456 749 ":    "0123.456.749",
		"0123456749":        "0123.456.749",
		"BE0123456749":      "BE 0123.456.749",
		"BE 0123.456.749":   "BE 0123.456.749",
		"be0123.456.749":    "BE 0123.456.749",
		"1000.000.021":      "1000.000.021", // numbers given since 2023 start with 1
		"0403.170.701":      "0403.170.701",
		"BE 0403 170 701  ": "BE 0403.170.701",
	}
	for in, want := range cases {
		n, err := company.ParseNumber(in)
		if err != nil || n.String() != want || n.IsZero() {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q", in, n, err, want)
		}
	}
}

func TestParseNumber_RefusesWhatIsNoEnterpriseNumber(t *testing.T) {
	for _, in := range []string{
		"",
		"0123.456.748",     // check digits wrong: one digit mistyped
		"0123.465.749",     // two digits swapped
		"123.456.749",      // nine digits
		"01234567490",      // eleven
		"2123.456.749",     // an establishment unit, not an enterprise
		"NL0123456749",     // another country
		"BE-0123456749",    // an unknown separator
		".0123456749",      // a separator first
		"0123456749 BTW",   // words
		"0123/456/749",     // slashes
		"0123.456.749\x00", // a NUL
		"０１２３４５６７４９",       // full-width digits
	} {
		if n, err := company.ParseNumber(in); !errors.Is(err, company.ErrNotANumber) {
			t.Errorf("ParseNumber(%q) = %q, %v; want ErrNotANumber", in, n, err)
		}
	}
}

func TestNumber_ZeroIsNoNumber(t *testing.T) {
	var n company.Number
	if !n.IsZero() || n.String() != "" {
		t.Errorf("zero Number: IsZero %v, String %q", n.IsZero(), n)
	}
}

func TestParseOfficeHours_TakesOneLineOfPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"ma–vr 8.00–17.00":                          "ma–vr 8.00–17.00",
		"  maandag tot vrijdag, 8 tot 17 uur ":      "maandag tot vrijdag, 8 tot 17 uur",
		"Mo–Fr 8:00–12:00 & 13:00–17:00":            "Mo–Fr 8:00–12:00 & 13:00–17:00",
		strings.Repeat("x", company.MaxOfficeHours): strings.Repeat("x", company.MaxOfficeHours),
	} {
		got, err := company.ParseOfficeHours(in)
		if err != nil || got != want {
			t.Errorf("ParseOfficeHours(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestParseOfficeHours_RefusesMarkupInvisibleCharactersAndLongTexts(t *testing.T) {
	for _, in := range []string{
		"ma–vr<br>8–17",
		"<script>alert(1)</script>",
		"ma–vr 8–17\nza 9–12",
		"ma–vr 8–17\x00",
		"ma–vr \u202e71–8", // a bidi override shows the hours reversed
		"ma–vr 8\u200b–17", // a zero-width space
		"ma–vr \xff 8–17",  // not UTF-8
		strings.Repeat("x", company.MaxOfficeHours+1),
	} {
		if got, err := company.ParseOfficeHours(in); err == nil {
			t.Errorf("ParseOfficeHours(%q) accepted as %q", in, got)
		}
	}
}

// Every language of the site writes the company's place its own way; none
// falls back to Dutch without a test noticing.
func TestPlaceIn_EveryLanguageHasItsOwnPlaceNames(t *testing.T) {
	want := map[locale.Lang]company.Place{
		locale.NL: {Locality: "Berchem-Antwerpen", Country: "België"},
		locale.FR: {Locality: "Berchem-Anvers", Country: "Belgique"},
		locale.EN: {Locality: "Berchem-Antwerp", Country: "Belgium"},
	}
	for _, l := range locale.Langs() {
		if got := company.PlaceIn(l); got != want[l] {
			t.Errorf("PlaceIn(%s) = %+v, want %+v", l, got, want[l])
		}
	}
	if got := company.Address(locale.FR); got != "Eikelstraat 26, 2600 Berchem-Anvers, Belgique" {
		t.Errorf("Address(fr) = %q", got)
	}
	if got := company.PlaceIn("de"); got != want[locale.NL] {
		t.Errorf("PlaceIn(de) = %+v, want the Dutch names", got)
	}
}
