package server_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"conpro/internal/consent"
)

// sitemapPaths are the paths the sitemap lists.
func (s *site) sitemapPaths(t *testing.T) []string {
	t.Helper()
	res := s.get(t, "/sitemap.xml")
	var paths []string
	for _, m := range regexp.MustCompile(`<loc>([^<]+)</loc>`).FindAllStringSubmatch(res.Body, -1) {
		u, err := url.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, u.Path)
	}
	if len(paths) < 3 {
		t.Fatalf("sitemap lists %q", paths)
	}
	return paths
}

// A site without optional vendors asks nothing: no banner on any page, and
// /cookies says that only technical cookies are used, without a choice to
// make.
func TestDeclaration_NoVendorsNoBanner(t *testing.T) {
	s := newSite(t, siteOptions{})
	paths := append(s.sitemapPaths(t), "/cookies", "/privacy", "/contact", "/privacy/verzoek", "/bestaat-niet")
	for _, p := range paths {
		res := s.get(t, p)
		if strings.Contains(res.Body, `id="cookie-banner"`) {
			t.Errorf("%s shows the banner on a site that uses no optional cookies", p)
		}
	}
	d := doc(t, s.get(t, "/cookies").Body)
	notice := byID(d, "only-technical")
	if notice == nil || !strings.Contains(text(notice), "alleen technische cookies") {
		t.Fatalf("/cookies does not say only technical cookies are used")
	}
	for _, f := range all(d, "form") {
		if a, _ := attr(f, "action"); a == "/consent" {
			t.Errorf("/cookies offers a choice on a site that has nothing to choose: %s", text(f))
		}
	}
	// The declaration still lists the site's own cookies.
	decl := text(byID(d, "deze-website"))
	for _, name := range []string{"conpro_consent", "conpro_lang"} {
		if !strings.Contains(decl, name) {
			t.Errorf("/cookies does not declare %s: %q", name, decl)
		}
	}
}

// The policy's cookie section carries the generated declaration: every
// cookie the site or an active vendor sets, the same as /cookies shows.
func TestDeclaration_OnThePolicyPage(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	registry, err := consent.NewRegistry(func(k string) string { return allVendors[k] })
	if err != nil {
		t.Fatal(err)
	}
	policyDecl := declarationOf(t, s.get(t, "/privacy").Body, "cookieverklaring")
	want := []string{"conpro_consent", "conpro_lang", "_ga", "_gid", "SL_*", "_gcl_*", "_fbp", "li_*", "Technische & functionele cookies", "Analytische cookies", "Advertentiecookies", "Social media cookies"}
	for _, v := range registry.Active() {
		want = append(want, v.Name)
		for _, c := range v.Cookies {
			want = append(want, c.Pattern)
		}
	}
	for _, w := range want {
		if !strings.Contains(policyDecl, w) {
			t.Errorf("/privacy's declaration does not name %q", w)
		}
	}
	cookiesPage := doc(t, s.get(t, "/cookies").Body)
	tables := all(cookiesPage, "table")
	if len(tables) == 0 {
		t.Fatal("/cookies has no declaration")
	}
	if got := text(tables[len(tables)-1]); !strings.Contains(policyDecl, got) {
		t.Errorf("/privacy and /cookies declare differently:\n%s\n%s", policyDecl, got)
	}

	if !strings.Contains(s.get(t, "/privacy/versies/2").Body, `id="cookieverklaring"`) {
		t.Error("the current version's page lacks the declaration")
	}

	// A site with one vendor declares only that one.
	one := newSite(t, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}})
	got := declarationOf(t, one.get(t, "/privacy").Body, "cookieverklaring")
	if !strings.Contains(got, "_ga") || strings.Contains(got, "_fbp") || strings.Contains(got, "LinkedIn") {
		t.Errorf("a site with Google Analytics alone declares %q", got)
	}
}

// declarationOf is the text of the declaration under the heading with the
// given id.
func declarationOf(t *testing.T, body, headingID string) string {
	t.Helper()
	h := byID(doc(t, body), headingID)
	if h == nil {
		t.Fatalf("no #%s", headingID)
	}
	tables := all(h.Parent, "table")
	if len(tables) != 1 {
		t.Fatalf("%d tables under #%s", len(tables), headingID)
	}
	return text(tables[0])
}

// The banner's first layer names the purposes, one line each, and every
// active third party, linked to its rows on /cookies.
func TestBanner_NamesPurposesAndParties(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	d := doc(t, s.get(t, "/").Body)
	lists := elementsWithClass(d, "ul", "consent-purposes")
	if len(lists) != 1 {
		t.Fatalf("%d purpose lists in the banner", len(lists))
	}
	items := all(lists[0], "li")
	var lines []string
	for _, li := range items {
		lines = append(lines, text(li))
	}
	if len(items) != 3 || !strings.HasPrefix(lines[0], "Analytische cookies") || !strings.HasPrefix(lines[1], "Advertentiecookies") || !strings.HasPrefix(lines[2], "Social media cookies") {
		t.Fatalf("purposes %q", lines)
	}
	cookies := doc(t, s.get(t, "/cookies").Body)
	registry, err := consent.NewRegistry(func(k string) string { return allVendors[k] })
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, a := range all(lists[0], "a") {
		href, _ := attr(a, "href")
		anchor, ok := strings.CutPrefix(href, "/cookies#")
		if !ok {
			t.Errorf("vendor link %q does not lead to /cookies", href)
			continue
		}
		rows := byID(cookies, anchor)
		if rows == nil || !strings.Contains(text(rows), text(a)) {
			t.Errorf("%s links to #%s, which on /cookies is not its rows", text(a), anchor)
		}
		linked[text(a)] = true
	}
	for _, v := range registry.Active() {
		if !linked[v.Name] {
			t.Errorf("the banner does not name %s", v.Name)
		}
	}
	for _, line := range lines {
		if strings.Contains(line, " ,") || !strings.HasSuffix(line, ".") {
			t.Errorf("purpose line %q is not a sentence", line)
		}
	}

	// With Google Analytics alone, the banner names only that purpose.
	one := newSite(t, siteOptions{env: map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}})
	d = doc(t, one.get(t, "/").Body)
	lists = elementsWithClass(d, "ul", "consent-purposes")
	if len(lists) != 1 || len(all(lists[0], "li")) != 1 || !strings.Contains(text(lists[0]), "Google Analytics") {
		t.Errorf("a site with Google Analytics alone shows purposes %q", text(d))
	}
}

// elementsWithClass returns the elements of a tag that carry a class.
func elementsWithClass(n *html.Node, tag, class string) []*html.Node {
	var out []*html.Node
	for _, e := range all(n, tag) {
		if c, _ := attr(e, "class"); strings.Contains(" "+c+" ", " "+class+" ") {
			out = append(out, e)
		}
	}
	return out
}
