package server_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// seedCorrections are the only changes the site makes to the company's text:
// obvious typing errors. The "[.....]" placeholders are left out.
var seedCorrections = strings.NewReplacer(
	"Informereren", "Informeren",
	"functionaliiteit", "functionaliteit",
	"Eikelstraat 26 2600, Berchem-Antwerpen", "Eikelstraat 26, 2600 Berchem-Antwerpen",
	"0484532738", "0484 53 27 38",
	"**", "",
)

// normalise collapses whitespace and drops the punctuation that ends a line
// (a list's last item ends in a full stop once its placeholder is gone).
func normalise(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimRight(s, ".;: ")
}

func TestPolicy_RendersEveryLineListItemAndTableRowOfTheSeed(t *testing.T) {
	seed, err := os.ReadFile("../policy/testdata/privacy-cookie-policy-v2.nl.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, siteOptions{})
	// The version in force, and its page in the archive, which keeps it
	// once another version replaces it.
	for _, path := range []string{"/privacy", "/privacy/versies/2"} {
		t.Run(path, func(t *testing.T) { seedOnPage(t, s, path, seed) })
	}
}

func seedOnPage(t *testing.T, s *site, path string, seed []byte) {
	res := s.get(t, path)
	page := doc(t, res.Body)
	article := all(page, "article")
	if len(article) != 1 {
		t.Fatalf("%d articles", len(article))
	}
	body := normalise(text(article[0]))

	var items []string
	for _, li := range all(article[0], "li") {
		items = append(items, normalise(text(li)))
	}
	var rows [][]string
	for _, tr := range all(article[0], "tr") {
		var cells []string
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
				cells = append(cells, normalise(text(c)))
			}
		}
		rows = append(rows, cells)
	}

	var nLines, nItems, nRows int
	for line := range strings.SplitSeq(seedCorrections.Replace(string(seed)), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.Contains(line, "[.....]") {
			continue
		}
		switch {
		case strings.Contains(line, "\t"):
			nRows++
			var want []string
			for cell := range strings.SplitSeq(line, "\t") {
				want = append(want, normalise(cell))
			}
			if !slices.ContainsFunc(rows, func(got []string) bool { return slices.Equal(got, want) }) {
				t.Errorf("no table row %q", want)
			}
		case strings.HasPrefix(line, "- "):
			nItems++
			if want := normalise(strings.TrimPrefix(line, "- ")); !slices.Contains(items, want) {
				t.Errorf("no list item %q", want)
			}
		default:
			nLines++
			if want := normalise(line); !strings.Contains(body, want) {
				t.Errorf("text lacks %q", want)
			}
		}
	}
	// The seed has 3 tables (6 + 2×5 + 10 rows with headers), 26 list items (placeholders left out)
	// and the rest running text; a parse that found nothing would pass above.
	if nRows != 24 || nItems != 26 || nLines < 40 {
		t.Fatalf("read %d rows, %d items, %d lines from the seed", nRows, nItems, nLines)
	}
	if strings.Contains(body, "[.....]") {
		t.Error("placeholder shown")
	}
}

func TestPolicy_HeadingsHaveAnchorsAndATableOfContents(t *testing.T) {
	s := newSite(t, siteOptions{})
	page := doc(t, s.get(t, "/privacy").Body)
	want := []string{
		"Het gebruik van persoonsgegevens", "Contactformulier en e-mails", "Cookies",
		"In- en uitschakelen van cookies", "Verwijderen van cookies", "Websites van derden",
		"Vertrouwelijkheid en verstrekking aan derden", "Beveiliging", "Bewaartermijn",
		"Rechten van betrokkenen", "Wijzigingen privacy- en cookie policy", "Contact",
	}
	toc := byID(page, "toc-title").Parent
	var tocLinks []string
	for _, a := range all(toc, "a") {
		href, _ := attr(a, "href")
		tocLinks = append(tocLinks, href)
		target := byID(page, strings.TrimPrefix(href, "#"))
		if target == nil {
			t.Errorf("TOC link %s has no target", href)
			continue
		}
		h2 := all(target, "h2")
		if len(h2) == 0 {
			t.Errorf("section %s has no heading", href)
			continue
		}
		title := strings.TrimSuffix(text(h2[0]), " #")
		if !slices.Contains(want, title) {
			t.Errorf("section %s is titled %q", href, title)
		}
	}
	if len(tocLinks) != len(want) {
		t.Fatalf("TOC has %d links, want %d", len(tocLinks), len(want))
	}
	if byID(page, "contactformulier-en-e-mails") == nil {
		t.Error("the contact form links to #contactformulier-en-e-mails, which is missing")
	}
	if h1 := all(page, "h1"); len(h1) != 1 || text(h1[0]) != "Privacy- en cookie policy" {
		t.Errorf("h1 %v", h1)
	}
	if !strings.Contains(text(page), "Versie 2 — 5 juni 2020") {
		t.Error("version and date not shown")
	}
}

func TestPolicy_VersionsPageListsEveryVersion(t *testing.T) {
	s := newSite(t, siteOptions{})
	page := doc(t, s.get(t, "/privacy/versies").Body)
	var found bool
	for _, a := range all(page, "a") {
		if href, _ := attr(a, "href"); href == "/privacy/versies/2" {
			found = true
		}
	}
	if !found || !strings.Contains(text(page), "5 juni 2020") || !strings.Contains(text(page), "huidige versie") {
		t.Fatal("versions page does not list version 2 as the current one")
	}
	v2 := s.get(t, "/privacy/versies/2").Body
	if !strings.Contains(v2, `rel="canonical" href="https://conpro-bouw.be/privacy"`) {
		t.Error("the current version's numbered page does not point to /privacy as canonical")
	}
}

func TestPolicy_EmailAndPhoneAreLinks(t *testing.T) {
	s := newSite(t, siteOptions{})
	page := doc(t, s.get(t, "/privacy").Body)
	article := all(page, "article")[0]
	var mail, tel bool
	for _, a := range all(article, "a") {
		href, _ := attr(a, "href")
		mail = mail || href == "mailto:info@conpro-bvba.be"
		tel = tel || href == "tel:+32484532738"
	}
	if !mail || !tel {
		t.Fatalf("mailto %v, tel %v", mail, tel)
	}
}
