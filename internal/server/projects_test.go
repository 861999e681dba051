package server_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"conpro/internal/media/mediatest"
)

// projectPhotos uploads n photos to the library and returns their
// numbers, oldest first.
func (c *staffClient) projectPhotos(t *testing.T, n int) []int64 {
	t.Helper()
	alts := []string{"Voorgevel na de renovatie", "Nieuwe keuken met eiken kasten", "Badkamer met inloopdouche", "Dakkapel in zink"}
	for i := range n {
		if res := c.upload(t, alts[i%len(alts)], "foto.jpg", mediatest.JPEGWithGPS(1200, 900, 1)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%.400s", res.StatusCode, res.Body)
		}
	}
	rows, err := c.s.db.Pool().Query(context.Background(), `SELECT id FROM photo ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// aProject is a valid project form with the given photos, in that order,
// each captioned.
func aProject(title string, year int, photos ...int64) url.Values {
	v := url.Values{
		"titel_nl": {title}, "plaats": {"Berchem"}, "jaar": {fmt.Sprint(year)}, "soort": {"renovatie"},
		"beschrijving_nl": {"Een rijwoning uit 1930 kreeg een **nieuwe gevel**, ramen en een dak.\n\n# Wat we deden\n\nAlles van fundering tot nok."},
		"slug":            {""}, "meta_nl": {""}, "titel_fr": {""}, "beschrijving_fr": {""}, "meta_fr": {""}, "titel_en": {""}, "beschrijving_en": {""}, "meta_en": {""},
	}
	for i, id := range photos {
		v.Add("fotos", fmt.Sprint(id))
		v.Set(fmt.Sprintf("volgorde_%d", id), fmt.Sprint(i+1))
		v.Set(fmt.Sprintf("onderschrift_nl_%d", id), fmt.Sprintf("Onderschrift %d", i+1))
	}
	return v
}

var projectIDFrom = regexp.MustCompile(`^/admin/realisaties/(\d+)`)

// createProject saves a project and returns its number.
func (c *staffClient) createProject(t *testing.T, form url.Values) int64 {
	t.Helper()
	res := c.do(t, "POST", "/admin/realisaties/nieuw", form)
	m := projectIDFrom.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create project: %d %q\n%.1500s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

func (c *staffClient) publishProject(t *testing.T, id int64) {
	t.Helper()
	if res := c.do(t, "POST", fmt.Sprintf("/admin/realisaties/%d/publiceren", id), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%.500s", res.StatusCode, res.Body)
	}
}

func mainNav(body string) string {
	i := strings.Index(body, `class="main-nav"`)
	j := strings.Index(body[i:], "</nav>")
	return body[i : i+j]
}

func TestProjects_APublishedProjectWithThreePhotosIsListedShownOnTheHomePageAndInTheSitemap(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	photos := c.projectPhotos(t, 3)
	// The third photo first: the order typed is the order shown.
	id := c.createProject(t, aProject("Renovatie rijwoning Berchem", 2024, photos[2], photos[0], photos[1]))

	// A draft is nowhere to be seen.
	if res := s.get(t, "/realisaties/renovatie-rijwoning-berchem"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a draft's page: %d", res.StatusCode)
	}
	home := s.get(t, "/")
	if strings.Contains(mainNav(home.Body), "Realisaties") {
		t.Error("the navigation leads to projects before one is published")
	}

	preview := c.do(t, "GET", fmt.Sprintf("/admin/realisaties/%d/voorbeeld", id), nil)
	if preview.StatusCode != http.StatusOK || !strings.Contains(preview.Body, "Dit is een voorbeeld") ||
		!strings.Contains(preview.Body, "<h1>Renovatie rijwoning Berchem</h1>") || preview.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the preview: %d %q", preview.StatusCode, preview.Header.Get("Cache-Control"))
	}

	c.publishProject(t, id)
	list := s.get(t, "/realisaties")
	if list.StatusCode != http.StatusOK {
		t.Fatalf("/realisaties: %d", list.StatusCode)
	}
	for _, want := range []string{`href="/realisaties/renovatie-rijwoning-berchem"`, "Renovatie rijwoning Berchem", "Renovatie · Berchem · 2024", fmt.Sprintf(`src="/media/%d-`, photos[2])} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	if !strings.Contains(mainNav(list.Body), `href="/realisaties" aria-current="page"`) {
		t.Errorf("the navigation does not lead to the projects:\n%s", mainNav(list.Body))
	}

	page := s.get(t, "/realisaties/renovatie-rijwoning-berchem")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("the project's page: %d", page.StatusCode)
	}
	imgs := regexp.MustCompile(`<img [^>]*>`).FindAllString(page.Body, -1)
	var shown []string
	for _, img := range imgs {
		if strings.Contains(img, `src="/media/`) {
			shown = append(shown, img)
		}
	}
	if len(shown) != 3 {
		t.Fatalf("%d photos on the page, want 3", len(shown))
	}
	for i, img := range shown {
		want := fmt.Sprintf(`src="/media/%d-`, photos[[]int{2, 0, 1}[i]])
		if !strings.Contains(img, want) || !strings.Contains(img, `srcset="/media/`) || !strings.Contains(img, `width="1200"`) || !strings.Contains(img, `height="900"`) {
			t.Errorf("photo %d: %s", i+1, img)
		}
		if lazy := strings.Contains(img, `loading="lazy"`); lazy != (i > 0) {
			t.Errorf("photo %d lazy %v: %s", i+1, lazy, img)
		}
	}
	for _, want := range []string{"<h1>Renovatie rijwoning Berchem</h1>", "<figcaption>Onderschrift 1</figcaption>", "<figcaption>Onderschrift 3</figcaption>",
		"<strong>nieuwe gevel</strong>", "<h2>Wat we deden</h2>", `alt="Badkamer met inloopdouche"`,
		fmt.Sprintf(`<meta property="og:image" content="https://conpro-bouw.be/media/%d-1200-`, photos[2]),
		`<meta name="description" content="Een rijwoning uit 1930 kreeg een nieuwe gevel, ramen en een dak. Wat we deden Alles van fundering tot nok.">`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the project's page lacks %q", want)
		}
	}

	home = s.get(t, "/")
	for _, want := range []string{"Recente realisaties", `href="/realisaties/renovatie-rijwoning-berchem"`, `href="/realisaties">Realisaties</a>`} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("the home page lacks %q", want)
		}
	}

	var set struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(s.get(t, "/sitemap.xml").Body), &set); err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, u := range set.URLs {
		found[u.Loc] = u.LastMod
	}
	for _, loc := range []string{"https://conpro-bouw.be/realisaties", "https://conpro-bouw.be/realisaties/renovatie-rijwoning-berchem"} {
		if lm, ok := found[loc]; !ok || !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(lm) {
			t.Errorf("the sitemap has %s with lastmod %q (%v)", loc, lm, ok)
		}
	}

	// A visitor reading French gets the kind of work in French and the
	// Dutch title, which has no translation.
	fr := s.get(t, "/realisaties/renovatie-rijwoning-berchem", "Accept-Language", "fr")
	if !strings.Contains(fr.Body, "<dd>Rénovation</dd>") || !strings.Contains(fr.Body, "<h1>Renovatie rijwoning Berchem</h1>") {
		t.Error("the French page lacks the French kind or the Dutch title")
	}

	// A change to a published project shows at once, though the page
	// was kept.
	changed := aProject("Renovatie rijwoning Berchem", 2024, photos[2], photos[0], photos[1])
	changed.Set("beschrijving_nl", "Een rijwoning kreeg een nieuw leven.")
	changed.Set("titel_fr", "Rénovation d'une maison à Berchem")
	if res := c.do(t, "POST", fmt.Sprintf("/admin/realisaties/%d", id), changed); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%.800s", res.StatusCode, res.Body)
	}
	if again := s.get(t, "/realisaties/renovatie-rijwoning-berchem"); !strings.Contains(again.Body, "Een rijwoning kreeg een nieuw leven.") {
		t.Error("the change does not show on the project's page")
	}
	if again := s.get(t, "/realisaties/renovatie-rijwoning-berchem", "Accept-Language", "fr"); !strings.Contains(again.Body, "<h1>Rénovation d&#39;une maison à Berchem</h1>") {
		t.Error("the French title does not show")
	}

	actions := s.auditActions(t)
	for _, want := range []string{fmt.Sprintf("new_project:project:%d", id), fmt.Sprintf("publish_project:project:%d", id), fmt.Sprintf("edit_project:project:%d", id)} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit log %v lacks %s", actions, want)
		}
	}
}

func TestProjects_WithoutAPublishedProjectTheHomePageIsAsBeforeAndTheNavigationHasNoProjects(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	before := s.get(t, "/")
	photos := c.projectPhotos(t, 1)
	c.createProject(t, aProject("Nieuwbouw woning Edegem", 2025, photos...))
	after := s.get(t, "/")
	if before.Body != after.Body {
		t.Error("a draft changed the home page")
	}
	for _, unwanted := range []string{"Realisaties", "realisaties", "Recente"} {
		if strings.Contains(after.Body, unwanted) {
			t.Errorf("the home page says %q without a published project", unwanted)
		}
	}
	var set strings.Builder
	set.WriteString(s.get(t, "/sitemap.xml").Body)
	if strings.Contains(set.String(), "/realisaties") {
		t.Error("the sitemap lists projects while none is published")
	}
}

func TestProjects_AnUnpublishedProjectIsGoneFromItsAddressTheListAndTheHomePage(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	photos := c.projectPhotos(t, 1)
	id := c.createProject(t, aProject("Gevelrenovatie Mortsel", 2023, photos...))
	c.publishProject(t, id)
	if res := s.get(t, "/realisaties/gevelrenovatie-mortsel"); res.StatusCode != http.StatusOK {
		t.Fatalf("published: %d", res.StatusCode)
	}
	// Once more, so the page cache holds it.
	_ = s.get(t, "/realisaties/gevelrenovatie-mortsel")
	ask := c.do(t, "GET", fmt.Sprintf("/admin/realisaties/%d/offline", id), nil)
	if !strings.Contains(ask.Body, "Wilt u deze realisatie offline halen?") {
		t.Errorf("taking offline does not ask once more:\n%.800s", ask.Body)
	}
	if res := c.do(t, "POST", fmt.Sprintf("/admin/realisaties/%d/offline", id), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unpublish: %d", res.StatusCode)
	}
	if res := s.get(t, "/realisaties/gevelrenovatie-mortsel"); res.StatusCode != http.StatusNotFound {
		t.Errorf("after unpublishing: %d", res.StatusCode)
	}
	if home := s.get(t, "/"); strings.Contains(home.Body, "Gevelrenovatie") || strings.Contains(mainNav(home.Body), "Realisaties") {
		t.Error("the home page still shows the project")
	}
	if !slices.Contains(s.auditActions(t), fmt.Sprintf("unpublish_project:project:%d", id)) {
		t.Error("taking offline is not audited")
	}
}

func TestProjects_ARefusedSaveShowsDutchMessagesAndKeepsEverythingTyped(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	photos := c.projectPhotos(t, 2)
	form := aProject("", 1800, photos...)
	form.Set("plaats", "Wilrijk")
	form.Set("slug", "Met Hoofdletters!")
	form.Set(fmt.Sprintf("volgorde_%d", photos[1]), "eerst")
	form.Set(fmt.Sprintf("onderschrift_fr_%d", photos[0]), "Façade après")
	form.Set("beschrijving_fr", "Une façade neuve.")
	res := c.do(t, "POST", "/admin/realisaties/nieuw", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{"Vul een titel in.", "Vul een jaar in met vier cijfers", "Het webadres mag alleen kleine letters",
		"Vul als volgorde een getal in", "Vul ook de titel in deze taal in",
		`value="Wilrijk"`, `value="Met Hoofdletters!"`, `value="eerst"`, `value="Façade après"`, "Une façade neuve.", `value="1800"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the form shown again lacks %q", want)
		}
	}
	var n int
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM project`).Scan(&n)
	if n != 0 {
		t.Errorf("%d projects stored", n)
	}

	// A slug another project has: said, and nothing typed lost.
	c.createProject(t, aProject("Dakwerken Hove", 2022, photos[0]))
	again := aProject("Dakwerken Hove", 2021, photos[1])
	again.Set("plaats", "Hove centrum")
	res = c.do(t, "POST", "/admin/realisaties/nieuw", again)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Een andere realisatie heeft dit webadres al.") ||
		!strings.Contains(res.Body, `value="dakwerken-hove"`) || !strings.Contains(res.Body, `value="Hove centrum"`) {
		t.Errorf("a taken slug: %d\n%.2000s", res.StatusCode, res.Body)
	}

	// Publishing without a photo says what is missing.
	id := c.createProject(t, aProject("Verbouwing zolder", 2020))
	res = c.do(t, "POST", fmt.Sprintf("/admin/realisaties/%d/publiceren", id), url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Kies eerst minstens één foto") {
		t.Errorf("publishing without a photo: %d", res.StatusCode)
	}
}

func TestProjects_TheHomePageDescribesTheCompanyAsStructuredData(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_COMPANY_NUMBER": "BE 0123.456.749", "CONPRO_OFFICE_HOURS": "ma–vr 8.00–17.00, za 9.00–12.00"}})
	home := s.get(t, "/")
	m := regexp.MustCompile(`<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(home.Body)
	if m == nil {
		t.Fatal("no JSON-LD on the home page")
	}
	var ld struct {
		Context   string   `json:"@context"`
		Type      []string `json:"@type"`
		Name      string   `json:"name"`
		URL       string   `json:"url"`
		Telephone string   `json:"telephone"`
		Email     string   `json:"email"`
		VATID     string   `json:"vatID"`
		Address   struct {
			Type, StreetAddress, PostalCode, AddressLocality, AddressCountry string
		} `json:"address"`
		Identifier struct {
			Value string `json:"value"`
		} `json:"identifier"`
		OpeningHours []string `json:"openingHours"`
	}
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("%v\n%s", err, m[1])
	}
	if ld.Context != "https://schema.org" || !slices.Equal(ld.Type, []string{"LocalBusiness", "GeneralContractor"}) ||
		ld.Name != "Construct Professional bvba" || ld.URL != "https://conpro-bouw.be/" || ld.Telephone != "+32484532738" ||
		ld.Email != "info@conpro-bvba.be" || ld.VATID != "BE0123456749" || ld.Identifier.Value != "0123456749" {
		t.Errorf("structured data: %+v", ld)
	}
	if ld.Address.StreetAddress != "Eikelstraat 26" || ld.Address.PostalCode != "2600" || ld.Address.AddressLocality != "Berchem-Antwerpen" || ld.Address.AddressCountry != "BE" {
		t.Errorf("address: %+v", ld.Address)
	}
	if !slices.Equal(ld.OpeningHours, []string{"Mo-Fr 08:00-17:00", "Sa 09:00-12:00"}) {
		t.Errorf("opening hours: %v", ld.OpeningHours)
	}
	if csp := home.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
		t.Errorf("the CSP allows inline scripts: %s", csp)
	}

	// Without a company number or hours that can be read, they are left out.
	plain := newSite(t, siteOptions{env: map[string]string{"CONPRO_OFFICE_HOURS": "op afspraak"}})
	body := plain.get(t, "/").Body
	if strings.Contains(body, "vatID") || strings.Contains(body, "openingHours") || strings.Contains(body, `"identifier"`) {
		t.Error("structured data names what is not configured")
	}
}
