package company_test

import (
	"slices"
	"testing"

	"conpro/internal/company"
)

func TestOpeningHours_DutchOfficeHoursBecomeSchemaOrgHoursOrNothing(t *testing.T) {
	for in, want := range map[string][]string{
		"ma–vr 8.00–17.00":                    {"Mo-Fr 08:00-17:00"},
		"Ma-Vr 8:00-17:30; za 9.00-12.00":     {"Mo-Fr 08:00-17:30", "Sa 09:00-12:00"},
		"ma - do 7h30 - 16h00, vr 7.30-12.00": {"Mo-Th 07:30-16:00", "Fr 07:30-12:00"},
		"op afspraak":                         nil,
		"ma–vr 8.00–17.00, op afspraak":       nil,
		"ma–vr 8.00–25.00":                    nil,
		"":                                    nil,
	} {
		got, ok := company.OpeningHours(in)
		if !slices.Equal(got, want) || ok != (want != nil) {
			t.Errorf("OpeningHours(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
}

func TestNumber_AVATNumberIsAVATIDAndACompanyNumberIsNot(t *testing.T) {
	vat, _ := company.ParseNumber("BE 0123.456.749")
	plain, _ := company.ParseNumber("0123.456.749")
	if vat.VATID() != "BE0123456749" || plain.VATID() != "" || plain.Digits() != "0123456749" {
		t.Errorf("%q %q %q", vat.VATID(), plain.VATID(), plain.Digits())
	}
}
