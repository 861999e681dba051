// Package consent holds the cookie categories and the parties that may set
// cookies or receive data through the site. It is the one registry that the
// policy's cookie tables, the banner, the settings page, script injection and
// the Content-Security-Policy read.
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

// Party is someone who sets cookies or plug-ins on the site, as the policy
// lists them: name, category, where it is established (vestiging) and the
// service it provides.
type Party struct {
	Key      string
	Name     string
	Category Category
	Location string
	Service  string
}

// Parties is the registry: every party the policy names in its cookie tables,
// keyed by a stable identifier.
func Parties() []Party {
	return []Party{
		{Key: "google-analytics", Name: "Google", Category: Analytics, Location: "US (Privacy Shield)", Service: "Analytics, Tag manager, ..."},
		{Key: "google-ads", Name: "Google", Category: Advertising, Location: "US (Privacy Shield)", Service: "Adwords, remarketing snippets, ..."},
		{Key: "meta-pixel", Name: "Facebook", Category: Advertising, Location: "US (Privacy Shield)", Service: "Facebook pixel, like & share buttons, page includes, API connections, ..."},
		{Key: "mail-software", Name: "Mailsoftware", Category: Advertising, Location: "US (Privacy Shield)", Service: "Advertentie cookies, plug-in/script voor opt-in email nieuwsletter en remarketing/reminders"},
		{Key: "retargeting-software", Name: "Retargeting software", Category: Advertising, Location: "US (Privacy Shield)", Service: "Het tonen van gerichte advertenties door middel van cookies."},
		{Key: "smartlook", Name: "Smartlook", Category: Analytics, Location: "US (Privacy Shield)", Service: "Smartlook, script ter opname van websiteactiviteit (relevant voor bug detectie en verbeteren van de ervaring), ..."},
		{Key: "linkedin-insight", Name: "LinkedIn", Category: Advertising, Location: "US (Privacy Shield)", Service: "Pixel / Remarketing service, ..."},
		{Key: "cms-wordpress", Name: "Wordpress", Category: Functional, Location: "US (Privacy Shield)", Service: "CMS"},
		{Key: "cms-joomla", Name: "Joomla", Category: Functional, Location: "US (Privacy Shield)", Service: "CMS"},
		{Key: "cms-drupal", Name: "Drupal", Category: Functional, Location: "EU", Service: "CMS"},
		{Key: "cms-other", Name: "Ander CMS", Category: Functional, Location: "EU / US", Service: "CMS"},
		{Key: "cloudflare", Name: "Cloudflare", Category: Functional, Location: "US (Privacy Shield)", Service: "Verbetering van web prestaties en technisch relevante identificatie van een gebruiker met nadruk op security"},
		{Key: "functional-other", Name: "*", Category: Functional, Location: "EU", Service: "Technisch relevante cookies met betrekking tot (verbeterde) werkzaamheid/functionaliteit van de website."},
		{Key: "social-widgets", Name: "*", Category: Social, Location: "EU / US", Service: "Cookies die het mogelijk maken om bepaalde onderdelen van de website te delen op social media."},
		{Key: "payment-provider", Name: "Payment provider", Category: AnyCategory, Location: "EU / US", Service: "Cookies die noodzakelijk zijn voor het uitvoeren van betalingen alsook het adverteren of opvolgen van betalingen via cookies."},
	}
}

// PartyByKey finds a party in the registry.
func PartyByKey(key string) (Party, bool) {
	for _, p := range Parties() {
		if p.Key == key {
			return p, true
		}
	}
	return Party{}, false
}
