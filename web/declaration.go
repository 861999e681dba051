package web

import (
	"html"
	"strings"

	"conpro/internal/consent"
)

// Declaration is the generated cookie declaration: every cookie the site
// sets itself and every cookie an active vendor's code sets, with its
// party, purpose, category and lifetime. /cookies and /privacy show the
// same one, made from the registry, so it cannot drift from what pages load.
type Declaration struct {
	Site    []consent.SiteCookie
	Vendors []consent.Vendor
	// Location says where a party is established and on what transfer
	// basis, as staff describe it now (Registry.Location).
	Location func(key string) string
}

// NewDeclaration declares the site's own cookies and those of the active
// vendors, each party where staff say it is established.
func NewDeclaration(r *consent.Registry, site []consent.SiteCookie) Declaration {
	return Declaration{Site: site, Vendors: r.Active(), Location: r.Location}
}

// locationOf says where a vendor is established and on what transfer
// basis, as staff describe it now.
func (d Declaration) locationOf(v consent.Vendor) string {
	if d.Location != nil {
		if l := d.Location(v.Key); l != "" {
			return l
		}
	}
	return v.Location
}

// VendorRowsID is the anchor of a vendor's rows in the declaration on
// /cookies, which the banner links each vendor's name to.
func VendorRowsID(key string) string { return "leverancier-" + key }

// vendorLinks names vendors in a sentence, each linked to its rows in the
// declaration, and ends it: written as one string, so that no space comes
// before a comma.
func vendorLinks(vs []VendorView) string {
	var b strings.Builder
	b.WriteString(" ")
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`<a href="/cookies#` + html.EscapeString(VendorRowsID(v.Vendor.Key)) + `">` + html.EscapeString(v.Vendor.Name) + `</a>`)
	}
	b.WriteString(".")
	return b.String()
}

func joinDomains(ds []string) string { return strings.Join(ds, ", ") }

// wildcards reports whether a cookie is named by a pattern, which the
// declaration then explains.
func (d Declaration) wildcards() bool {
	for _, v := range d.Vendors {
		for _, c := range v.Cookies {
			if strings.Contains(c.Pattern, "*") {
				return true
			}
		}
	}
	return false
}
