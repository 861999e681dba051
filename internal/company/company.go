// Package company holds the facts about Construct Professional bvba that the
// site shows: name, address and contact details. Only facts the company gave;
// the company number and office hours come from the configuration (see
// Details), and are shown only where they are set.
package company

const (
	Name       = "Construct Professional bvba"
	ShortName  = "Construct Professional"
	Street     = "Eikelstraat 26"
	PostalCode = "2600"
	City       = "Berchem-Antwerpen"
	Country    = "België"
	Email      = "info@conpro-bvba.be"
	// Phone is written the Belgian way; PhoneURI is the same number for tel: links.
	Phone    = "0484 53 27 38"
	PhoneURI = "tel:+32484532738"
	Domain   = "conpro-bouw.be"
)

// Details are the company's facts that the operator configures
// (CONPRO_COMPANY_NUMBER, CONPRO_OFFICE_HOURS); a zero field is not shown.
type Details struct {
	Number      Number
	OfficeHours string
}
