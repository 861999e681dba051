package web

import (
	"io/fs"
	"strings"
	"testing"

	"conpro/internal/company"
	"conpro/internal/locale"
	"conpro/locales"
)

// The company's place and address come from the company's facts in the
// visitor's language (CompanyFacts); a message that wrote them out would
// keep one language's names in every translation, or drift from the facts.
func TestLocales_NoMessageWritesOutTheCompanysPlaceOrAddress(t *testing.T) {
	// (The phone number is also the contact form's example of a number, so
	// it is not looked for.)
	facts := []string{company.Street, company.Email}
	for _, l := range locale.Langs() {
		p := company.PlaceIn(l)
		facts = append(facts, p.Locality, p.Country)
	}
	for _, l := range locale.Langs() {
		raw, err := fs.ReadFile(locales.FS(), "active."+string(l)+".toml")
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			for _, fact := range facts {
				if strings.Contains(line, fact) {
					t.Errorf("active.%s.toml:%d writes out %q: use {{.Place}}, {{.Country}}, {{.Address}}, {{.Email}} or {{.Phone}}", l, i+1, fact)
				}
			}
		}
	}
}
