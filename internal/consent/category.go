package consent

// Category is a cookie category a visitor can accept or refuse. Functional is
// always on: it needs no consent.
type Category string

const (
	Functional  Category = "functional"
	Analytics   Category = "analytics"
	Advertising Category = "advertising"
	Social      Category = "social"
	// AnyCategory marks a party whose cookies can fall in every category
	// (the policy writes it as "*").
	AnyCategory Category = "*"
)

// Categories lists the categories in the order the site shows them.
func Categories() []Category {
	return []Category{Functional, Analytics, Advertising, Social}
}

// Optional reports whether a visitor must consent to the category; only the
// functional category is exempt.
func (c Category) Optional() bool {
	return c == Analytics || c == Advertising || c == Social
}

// PolicyLabel is the name of the category in the text of the policy, which is
// Dutch whatever the interface language.
func (c Category) PolicyLabel() string {
	switch c {
	case Functional:
		return "Technische & functionele cookies"
	case Analytics:
		return "Analytische cookies"
	case Advertising:
		return "Advertentie cookies"
	case Social:
		return "Social media cookies"
	case AnyCategory:
		return "*"
	}
	return string(c)
}
