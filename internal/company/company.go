// Package company holds the facts about Construct Professional bvba that the
// site shows: name, address and contact details. Only facts the company gave;
// the company number and office hours come from the configuration (see
// Details), and are shown only where they are set.
package company

import (
	"conpro/internal/locale"
)

const (
	Name       = "Construct Professional bvba"
	ShortName  = "Construct Professional"
	Street     = "Eikelstraat 26"
	PostalCode = "2600"
	Email      = "info@conpro-bvba.be"
	// Phone is written the Belgian way; PhoneURI is the same number for tel: links.
	Phone    = "0484 53 27 38"
	PhoneURI = "tel:+32484532738"
	Domain   = "conpro-bouw.be"
)

// Place is where the company is, as a reader of one language writes it.
type Place struct {
	// Locality is the place after the postal code: "Berchem-Antwerpen".
	Locality string
	Country  string
}

// places has an entry for every language of the site (a test holds them
// together).
var places = map[locale.Lang]Place{
	locale.NL: {Locality: "Berchem-Antwerpen", Country: "België"},
	locale.FR: {Locality: "Berchem-Anvers", Country: "Belgique"},
	locale.EN: {Locality: "Berchem-Antwerp", Country: "Belgium"},
}

// PlaceIn returns the company's place in language l (in Dutch for a language
// the site does not have).
func PlaceIn(l locale.Lang) Place {
	if p, ok := places[l]; ok {
		return p
	}
	return places[locale.Default]
}

// Address is the postal address on one line, in language l: "Eikelstraat 26,
// 2600 Berchem-Antwerpen, België".
func Address(l locale.Lang) string {
	p := PlaceIn(l)
	return Street + ", " + PostalCode + " " + p.Locality + ", " + p.Country
}

// Details are the company's facts that the operator configures
// (CONPRO_COMPANY_NUMBER, CONPRO_OFFICE_HOURS); a zero field is not shown.
type Details struct {
	Number      Number
	OfficeHours string
}
