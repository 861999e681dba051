package server_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// publicPages are the visitor's pages, by the name their screenshots take.
var publicPages = []struct{ name, path string }{
	{"home", "/"},
	{"contact", "/contact"},
	{"bedankt", "/contact/bedankt"},
	{"privacy", "/privacy"},
	{"versies", "/privacy/versies"},
	{"versie", "/privacy/versies/2"},
	{"cookies", "/cookies"},
	{"verzoek", "/privacy/verzoek"},
	{"verstuurd", "/privacy/verzoek/verstuurd"},
	{"404", "/bestaat-niet"},
}

// footerAndMain returns the text of a page's footer and of its main part.
func footerAndMain(t *testing.T, body string) (footer, main string) {
	t.Helper()
	d := doc(t, body)
	f, m := all(d, "footer"), all(d, "main")
	if len(f) != 1 || len(m) != 1 {
		t.Fatalf("%d footers and %d main elements", len(f), len(m))
	}
	return text(f[0]), text(m[0])
}

// contactDetails maps each term of the contact card to its description.
func contactDetails(t *testing.T, body string) map[string]string {
	t.Helper()
	card := byID(doc(t, body), "contact-details")
	if card == nil {
		t.Fatal("no contact details")
	}
	out := map[string]string{}
	var term string
	for _, dl := range all(card.Parent, "dl") {
		for c := dl.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.Data {
			case "dt":
				term = text(c)
			case "dd":
				out[term] = text(c)
			}
		}
	}
	return out
}

var companyEnv = map[string]string{
	"CONPRO_COMPANY_NUMBER": "0123456749",
	"CONPRO_OFFICE_HOURS":   "ma–vr 8.00–12.00 en 13.00–17.00",
}

// Every page's footer names the configured company number and office
// hours, and the contact details on /contact (and home) list them.
func TestCompanyDetails_ShownInEveryFooterAndOnContactWhenSet(t *testing.T) {
	s := newSite(t, siteOptions{env: companyEnv})
	for _, p := range publicPages {
		footer, _ := footerAndMain(t, s.get(t, p.path).Body)
		for _, want := range []string{"Ondernemingsnummer: 0123.456.749", "Kantooruren: ma–vr 8.00–12.00 en 13.00–17.00"} {
			if !strings.Contains(footer, want) {
				t.Errorf("%s: the footer lacks %q: %s", p.path, want, footer)
			}
		}
	}
	for _, path := range []string{"/contact", "/"} {
		d := contactDetails(t, s.get(t, path).Body)
		if d["Kantooruren"] != "ma–vr 8.00–12.00 en 13.00–17.00" || d["Ondernemingsnummer"] != "0123.456.749" {
			t.Errorf("%s: contact details %q", path, d)
		}
	}
	fr := s.get(t, "/contact", "Accept-Language", "fr")
	if d := contactDetails(t, fr.Body); d["Heures de bureau"] != "ma–vr 8.00–12.00 en 13.00–17.00" || d["Numéro d'entreprise"] != "0123.456.749" {
		t.Errorf("French contact details %q", d)
	}
	// Given as a VAT number, it is shown as one.
	s = newSite(t, siteOptions{env: map[string]string{"CONPRO_COMPANY_NUMBER": "be0123456749"}})
	if footer, _ := footerAndMain(t, s.get(t, "/").Body); !strings.Contains(footer, "Ondernemingsnummer: BE 0123.456.749") {
		t.Errorf("VAT number: footer %s", footer)
	}
}

// Unset, nothing is made up: no number, no hours, no empty label.
func TestCompanyDetails_NothingShownWhenUnset(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, p := range publicPages {
		footer, _ := footerAndMain(t, s.get(t, p.path).Body)
		for _, never := range []string{"Ondernemingsnummer", "Kantooruren"} {
			if strings.Contains(footer, never) {
				t.Errorf("%s: the footer says %q without a configured value: %s", p.path, never, footer)
			}
		}
	}
	d := contactDetails(t, s.get(t, "/contact").Body)
	if _, ok := d["Kantooruren"]; ok {
		t.Errorf("contact details %q", d)
	}
	if _, ok := d["Ondernemingsnummer"]; ok {
		t.Errorf("contact details %q", d)
	}
}

// French and English pages write the company's place in their own
// language, in the header, the eyebrow, the address and the text; none
// keeps a Dutch name or leaves a gap.
func TestPlaceNames_EachLanguageWritesTheCompanysPlaceItsOwnWay(t *testing.T) {
	s := newSite(t, siteOptions{})
	cases := []struct {
		lang          string
		place, region string
		dutch         []string
	}{
		{"nl", "Berchem-Antwerpen", "België", nil},
		{"fr", "Berchem-Anvers", "Belgique", []string{"Berchem-Antwerpen", "België"}},
		{"en", "Berchem-Antwerp", "Belgium", []string{"Berchem-Antwerpen", "België"}},
	}
	for _, c := range cases {
		for _, p := range publicPages {
			if strings.HasPrefix(p.path, "/privacy/versies/") || p.path == "/privacy" {
				continue // the policy itself is Dutch in every language
			}
			body := s.get(t, p.path, "Accept-Language", c.lang).Body
			page := text(doc(t, body))
			footer, _ := footerAndMain(t, body)
			if !strings.Contains(footer, "2600 "+c.place) || !strings.Contains(footer, c.region) {
				t.Errorf("%s in %s: footer address %q", p.path, c.lang, footer)
			}
			for _, dutch := range c.dutch {
				if strings.Contains(page, dutch) {
					t.Errorf("%s in %s says %q", p.path, c.lang, dutch)
				}
			}
			if strings.Contains(body, "<no value>") || strings.Contains(body, "⟦missing") {
				t.Errorf("%s in %s: a message lacks its data", p.path, c.lang)
			}
		}
		home := doc(t, s.get(t, "/", "Accept-Language", c.lang).Body)
		var eyebrow string
		for _, p := range all(home, "p") {
			if cls, _ := attr(p, "class"); cls == "eyebrow" {
				eyebrow = text(p)
			}
		}
		if eyebrow != c.place {
			t.Errorf("home in %s: eyebrow %q, want %q", c.lang, eyebrow, c.place)
		}
		title := text(all(home, "title")[0])
		if !strings.Contains(title, c.place) {
			t.Errorf("home in %s: title %q", c.lang, title)
		}
	}
	en := s.get(t, "/privacy/verzoek", "Accept-Language", "en").Body
	if _, main := footerAndMain(t, en); !strings.Contains(main, "Eikelstraat 26, 2600 Berchem-Antwerp, Belgium") {
		t.Errorf("the English request form's postal address: %s", main)
	}
}

// The company's phone number and e-mail address in running text are links,
// as they are in the footer: a visitor on a phone taps them.
func TestContactDetailsInTheTextAreLinks(t *testing.T) {
	s := newSite(t, siteOptions{})
	for path, href := range map[string]string{
		"/contact/bedankt": "tel:+32484532738",
		"/privacy/verzoek": "mailto:info@conpro-bvba.be",
	} {
		for _, lang := range []string{"nl", "fr", "en"} {
			main := all(doc(t, s.get(t, path, "Accept-Language", lang).Body), "main")[0]
			var found bool
			for _, a := range all(main, "a") {
				if h, _ := attr(a, "href"); h == href {
					found = true
				}
			}
			if !found {
				t.Errorf("%s in %s: the text has no link to %s", path, lang, href)
			}
		}
	}
}
