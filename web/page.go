// Package web holds the site's HTML components (templ) and its static assets.
package web

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"conpro/internal/company"
	"conpro/internal/locale"
)

// Page is what the layout needs to know about the page it frames.
type Page struct {
	// Title is the page's own title, already translated; the layout adds the
	// company name.
	Title       string
	Description string
	// Path is the request path: it marks the current navigation item and is
	// where the language switch returns to.
	Path string
	// Canonical is the absolute URL of the page.
	Canonical string
	// Image is the absolute URL of a photo of the site's own that shows
	// the page where a link to it is shared (Open Graph); may be empty.
	Image  string
	Assets *Assets
	// NoIndex asks search engines to leave the page out (error pages).
	NoIndex bool
	// Consent drives the banner and the scripts the visitor allowed.
	Consent ConsentView
	// Embeds is what the visitor allowed of the videos and maps a page's
	// text may hold: pass it to Content.
	Embeds EmbedConsent
	// Company is the company number and office hours, where configured.
	Company company.Details
	// Projects says a project is published: the navigation leads to them.
	Projects bool
	// Nav are the company's own pages in the main navigation, after the
	// home page.
	Nav []NavItem
}

// CompanyFacts is the template data of messages that name the company's
// place, address, e-mail address or phone number, in the language of ctx:
// the locale files never write them out, so that a translation cannot keep
// the Dutch names.
func CompanyFacts(ctx context.Context) map[string]any {
	l := locale.LangOf(ctx)
	return map[string]any{
		"Place":   company.PlaceIn(l).Locality,
		"Country": company.PlaceIn(l).Country,
		"Address": company.Address(l),
		"Email":   company.Email,
		"Phone":   company.Phone,
	}
}

func place(ctx context.Context) company.Place { return company.PlaceIn(locale.LangOf(ctx)) }

// numberText is the company number as shown, "BE 0123.456.749" kept on
// one line.
func numberText(n company.Number) string { return strings.ReplaceAll(n.String(), " ", "\u00a0") }

// NavItem is an entry of the main navigation: a message ID, or a page's
// own title (Label) in its language (Lang, when not the page's).
type NavItem struct {
	Href, MessageID string
	Label, Lang     string
}

// navItems is the main navigation: home, the projects once one is
// published, the company's own pages, then contact and privacy.
func navItems(projects bool, pages []NavItem) []NavItem {
	out := make([]NavItem, 0, 4+len(pages))
	out = append(out, NavItem{Href: "/", MessageID: "NavHome"})
	if projects {
		out = append(out, NavItem{Href: "/realisaties", MessageID: "NavProjects"})
	}
	out = append(out, pages...)
	return append(out, NavItem{Href: "/contact", MessageID: "NavContact"}, NavItem{Href: "/privacy", MessageID: "NavPrivacy"})
}

// label is the entry's text.
func (i NavItem) label(ctx context.Context) string {
	if i.MessageID == "" {
		return i.Label
	}
	return T(ctx, i.MessageID)
}

// current reports whether the navigation item href is the page at path or
// one of its sub-pages.
func current(href, path string) bool {
	if href == "/" {
		return path == "/"
	}
	return path == href || strings.HasPrefix(path, href+"/")
}

// T is the templates' short hand for locale.T.
func T(ctx context.Context, id string, data ...map[string]any) string {
	return locale.T(ctx, id, data...)
}

func langOf(ctx context.Context) string { return string(locale.LangOf(ctx)) }

// DutchDate writes a date as "5 juni 2020", as the policy (always Dutch) does.
func DutchDate(t time.Time) string {
	months := [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	return strconv.Itoa(t.Day()) + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// MailtoURL is the mailto: link that writes to addr and to nothing else.
// An address may lawfully hold ? & = % # and more ("x?bcc=spy%40evil.example
// &subject=Hi@example.be" is one); in a mailto: URL they would start
// headers, a second recipient or a fragment, so everything but letters,
// digits, "@" and "-._~+" is percent-encoded (RFC 6068), UTF-8 byte by
// byte.
func MailtoURL(addr string) templ.SafeURL {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len("mailto:")+3*len(addr))
	b = append(b, "mailto:"...)
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("@-._~+", c) >= 0 {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return templ.SafeURL(b)
}

// Segment is a run of policy text: plain, strong, or a link.
type Segment struct {
	Text   string
	Strong bool
	Href   string
}

// linkable finds the e-mail addresses and Belgian mobile numbers written
// "0484 53 27 38" in policy text (the spaces keep a company number such as
// 0123456789 from becoming a link).
var linkable = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\b04\d{2} \d{2} \d{2} \d{2}\b`)

// Segments splits text marked with **strong** runs into segments, turning
// e-mail addresses into mailto: links and phone numbers into tel: links.
func Segments(text string) []Segment {
	var out []Segment
	strong := false
	for i, part := range strings.Split(text, "**") {
		if i > 0 {
			strong = !strong
		}
		if part == "" {
			continue
		}
		rest := part
		for {
			loc := linkable.FindStringIndex(rest)
			if loc == nil {
				if rest != "" {
					out = append(out, Segment{Text: rest, Strong: strong})
				}
				break
			}
			if loc[0] > 0 {
				out = append(out, Segment{Text: rest[:loc[0]], Strong: strong})
			}
			m := rest[loc[0]:loc[1]]
			href := string(MailtoURL(m))
			if !strings.Contains(m, "@") {
				href = "tel:+32" + strings.ReplaceAll(m, " ", "")[1:]
			}
			out = append(out, Segment{Text: m, Strong: strong, Href: href})
			rest = rest[loc[1]:]
		}
	}
	return out
}

// languageName is the name of a language in that language, as a language
// switch shows it whatever the page's language.
func languageName(l locale.Lang) string {
	switch l {
	case locale.FR:
		return "Français"
	case locale.EN:
		return "English"
	}
	return "Nederlands"
}

func languageCode(l locale.Lang) string { return strings.ToUpper(string(l)) }

// ogLocale is the Open Graph name of the page's language.
func ogLocale(ctx context.Context) string {
	switch locale.LangOf(ctx) {
	case locale.FR:
		return "fr_BE"
	case locale.EN:
		return "en_GB"
	}
	return "nl_BE"
}
