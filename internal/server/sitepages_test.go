package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/media/mediatest"
)

// pageForm is a valid page form: a Dutch page at slug.
func pageForm(slug, title string) url.Values {
	return url.Values{
		"adres": {slug}, "titel": {title}, "inleiding": {"Al dertig jaar bouwen wij in Vlaanderen."},
		"tekst":        {"# Wat wij doen\n\nNieuwbouw, renovatie en **dakwerken**.\n\n- Ruwbouw\n- Afwerking"},
		"beschrijving": {"Wie Construct Professional is en wat wij bouwen."},
		"foto":         {""},
		"titel_fr":     {""}, "inleiding_fr": {""}, "tekst_fr": {""}, "beschrijving_fr": {""},
		"titel_en": {""}, "inleiding_en": {""}, "tekst_en": {""}, "beschrijving_en": {""},
	}
}

// createPage keeps a page through the staff form and returns its number.
func (c *staffClient) createPage(t *testing.T, form url.Values) int64 {
	t.Helper()
	res := c.do(t, "POST", "/admin/paginas/nieuw", form)
	m := regexp.MustCompile(`^/admin/paginas/(\d+)\?klaar=opgeslagen$`).FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create page: %d %q\n%.2000s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func (c *staffClient) publishPage(t *testing.T, id int64) {
	t.Helper()
	if res := c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d/publiceren", id), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%.1000s", res.StatusCode, res.Body)
	}
}

// navLinks are the main navigation's addresses and texts, in order.
func navLinks(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, n := range all(doc(t, body), "nav") {
		if c, _ := attr(n, "class"); c != "main-nav" {
			continue
		}
		for _, a := range all(n, "a") {
			href, _ := attr(a, "href")
			out = append(out, href+" "+text(a))
		}
	}
	return out
}

func TestPages_StaffCreatePreviewAndPublishAPageVisitorsThenFindInTheMenuAndTheSitemap(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	if res := c.upload(t, "Nieuwe gevel in rode baksteen", "gevel.jpg", mediatest.JPEGWithGPS(1800, 1200, 1)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	var photoID int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM photo`).Scan(&photoID)
	home := s.get(t, "/") // kept by the page cache, before the page exists

	form := pageForm("over-ons", "Over ons")
	form.Set("foto", strconv.FormatInt(photoID, 10))
	id := c.createPage(t, form)
	if res := s.get(t, "/over-ons"); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "Pagina niet gevonden") {
		t.Fatalf("a page not published yet: %d, want the Dutch 404", res.StatusCode)
	}
	list := c.do(t, "GET", "/admin/paginas", nil)
	for _, want := range []string{"Over ons", "/over-ons", "Nog niet gepubliceerd", "Publiceren"} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}

	preview := c.do(t, "GET", fmt.Sprintf("/admin/paginas/%d/voorbeeld", id), nil)
	if preview.StatusCode != http.StatusOK || !strings.Contains(preview.Body, "Voorbeeld: zo zien bezoekers deze pagina") ||
		!strings.Contains(preview.Body, "<h2>Wat wij doen</h2>") || !strings.Contains(preview.Body, `fetchpriority="high"`) {
		t.Fatalf("preview: %d\n%.3000s", preview.StatusCode, preview.Body)
	}
	if res := s.get(t, "/over-ons"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("after the preview the page is public: %d", res.StatusCode)
	}
	confirm := c.do(t, "GET", fmt.Sprintf("/admin/paginas/%d/publiceren", id), nil)
	if !strings.Contains(confirm.Body, "Ja, publiceren") || !strings.Contains(confirm.Body, "https://conpro-bouw.be/over-ons") {
		t.Fatalf("the publication is not asked about once more:\n%.2000s", confirm.Body)
	}
	c.publishPage(t, id)

	res := s.get(t, "/over-ons")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("published page: %d", res.StatusCode)
	}
	d := doc(t, res.Body)
	if h1 := all(d, "h1"); len(h1) != 1 || text(h1[0]) != "Over ons" {
		t.Errorf("h1: %v", len(h1))
	}
	for _, want := range []string{
		`<p class="lead">Al dertig jaar bouwen wij in Vlaanderen.</p>`, "<h2>Wat wij doen</h2>", "<strong>dakwerken</strong>", "<li>Ruwbouw</li>",
		`<meta name="description" content="Wie Construct Professional is en wat wij bouwen.">`,
		`<link rel="canonical" href="https://conpro-bouw.be/over-ons">`,
		`alt="Nieuwe gevel in rode baksteen"`, `fetchpriority="high"`, `width="1600"`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the public page lacks %s", want)
		}
	}
	if strings.Contains(res.Body, `loading="lazy"`) {
		t.Error("the photo above the fold loads lazily")
	}
	if !regexp.MustCompile(`<meta property="og:image" content="https://conpro-bouw\.be/media/\d+-1600-[0-9a-f]{16}\.jpg">`).MatchString(res.Body) {
		t.Error("no og:image with the photo's absolute address")
	}
	// The page cache held the home page without the new page; it shows it
	// at once.
	if strings.Contains(home.Body, "/over-ons") {
		t.Fatal("the home page named the page before it existed")
	}
	if got := navLinks(t, s.get(t, "/").Body); strings.Join(got, "|") != "/ Home|/over-ons Over ons|/contact Contact|/privacy Privacy" {
		t.Errorf("the menu: %q", got)
	}
	sitemap := s.get(t, "/sitemap.xml").Body
	today := brussels.In(time.Now()).Format(time.DateOnly)
	if !strings.Contains(sitemap, "<loc>https://conpro-bouw.be/over-ons</loc>\n    <lastmod>"+today+"</lastmod>") {
		t.Errorf("the sitemap lacks the page with its day:\n%s", sitemap)
	}

	// Offline, after asking once more: the Dutch 404, out of the menu and
	// the sitemap.
	if ask := c.do(t, "GET", fmt.Sprintf("/admin/paginas/%d/offline", id), nil); !strings.Contains(ask.Body, "Ja, offline halen") {
		t.Fatalf("taking the page offline is not asked about:\n%.1500s", ask.Body)
	}
	if res := c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d/offline", id), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("offline: %d", res.StatusCode)
	}
	if res := s.get(t, "/over-ons"); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "Pagina niet gevonden") {
		t.Errorf("an unpublished page: %d, want the Dutch 404", res.StatusCode)
	}
	if strings.Contains(s.get(t, "/").Body, "/over-ons") || strings.Contains(s.get(t, "/sitemap.xml").Body, "over-ons") {
		t.Error("an unpublished page is still in the menu or the sitemap")
	}
	if !strings.Contains(c.do(t, "GET", "/admin/paginas", nil).Body, "Offline") {
		t.Error("the list does not say the page is offline")
	}
	target := fmt.Sprintf(":page:%d", id)
	want := []string{"new_page" + target, "preview_page" + target, "publish_page" + target, "unpublish_page" + target}
	got := strings.Join(s.auditActions(t), " ")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("audit lacks %s: %s", w, got)
		}
	}
}

// A published page keeps its place in the page cache until something it
// shows changes: deleting its photo from the library is such a change.
func TestPages_APhotoDeletedFromTheLibraryLeavesThePageAtOnce(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	if res := c.upload(t, "Nieuwe gevel in rode baksteen", "gevel.jpg", mediatest.JPEGWithGPS(1800, 1200, 1)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	var photoID int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT id FROM photo`).Scan(&photoID)
	form := pageForm("over-ons", "Over ons")
	form.Set("foto", strconv.FormatInt(photoID, 10))
	c.publishPage(t, c.createPage(t, form))
	before := s.get(t, "/over-ons")
	if !strings.Contains(before.Body, `alt="Nieuwe gevel in rode baksteen"`) || !strings.Contains(before.Body, `property="og:image"`) {
		t.Fatalf("the published page does not show its photo:\n%.2000s", before.Body)
	}
	s.get(t, "/over-ons") // kept by the page cache now

	if res := c.do(t, "POST", fmt.Sprintf("/admin/media/%d/verwijderen", photoID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete the photo: %d", res.StatusCode)
	}
	after := s.get(t, "/over-ons")
	if after.StatusCode != http.StatusOK || strings.Contains(after.Body, "/media/") || strings.Contains(after.Body, "Nieuwe gevel") {
		t.Errorf("after the photo was deleted the page still shows it (or an address of it): %d", after.StatusCode)
	}
}

func TestPages_ASavedChangeShowsOnlyOncePublishedAndAnEarlierVersionCanBeRestored(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	id := c.createPage(t, pageForm("diensten", "Onze diensten"))
	c.publishPage(t, id)
	edit := pageForm("diensten", "Diensten en prijzen")
	if res := c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d", id), edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%.1500s", res.StatusCode, res.Body)
	}
	if body := s.get(t, "/diensten").Body; !strings.Contains(body, "Onze diensten") || strings.Contains(body, "Diensten en prijzen") {
		t.Error("a saved change shows before it is published")
	}
	if !strings.Contains(c.do(t, "GET", "/admin/paginas", nil).Body, "Gepubliceerd, met wijzigingen die nog niet online staan") {
		t.Error("the list does not say the page has changes not online")
	}
	c.publishPage(t, id)
	if body := s.get(t, "/diensten").Body; !strings.Contains(body, "Diensten en prijzen") {
		t.Error("the published change does not show")
	}

	revs := c.do(t, "GET", fmt.Sprintf("/admin/paginas/%d/versies", id), nil)
	for _, want := range []string{"Versie 2", "Versie 1", "Staat online", "Versie 1 terugzetten", "els@conpro-bvba.be"} {
		if !strings.Contains(revs.Body, want) {
			t.Errorf("the versions page lacks %q", want)
		}
	}
	for _, n := range []string{"3", "99999999999", "0"} {
		if res := c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d/versies/%s/terugzetten", id, n), url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Errorf("restoring version %s, which does not exist: %d, want 404", n, res.StatusCode)
		}
	}
	res := c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d/versies/1/terugzetten", id), url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != fmt.Sprintf("/admin/paginas/%d?klaar=teruggezet", id) {
		t.Fatalf("restore: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	form := c.do(t, "GET", res.Header.Get("Location"), nil)
	if !strings.Contains(form.Body, `value="Onze diensten"`) || !strings.Contains(form.Body, "De eerdere versie staat terug") {
		t.Errorf("the form after restoring does not hold version 1")
	}
	if !strings.Contains(s.get(t, "/diensten").Body, "Diensten en prijzen") {
		t.Error("a restored version shows before it is published")
	}
	c.publishPage(t, id)
	if !strings.Contains(s.get(t, "/diensten").Body, "Onze diensten") {
		t.Error("the restored version does not show once published")
	}
	// Every save was kept: 1, 2, and 3 (version 1 again); none can change.
	var n, from int
	ctx := context.Background()
	_ = s.db.Pool().QueryRow(ctx, `SELECT count(*), max(restored_from) FROM page_revision WHERE page_id = $1`, id).Scan(&n, &from)
	if n != 3 || from != 1 {
		t.Errorf("%d revisions, restored from %d; want 3, from 1", n, from)
	}
	if _, err := s.db.Pool().Exec(ctx, `UPDATE page_revision SET saved_by = 'x'`); err == nil {
		t.Error("a revision could be changed")
	}
	if !strings.Contains(strings.Join(s.auditActions(t), " "), fmt.Sprintf("restore_page:page:%d", id)) {
		t.Error("the restore is not audited")
	}
}

func TestPages_AReservedTakenOrMalformedAddressIsRefusedInDutchKeepingWhatWasTyped(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	c.createPage(t, pageForm("diensten", "Diensten"))
	cases := []struct{ slug, want string }{
		{"privacy", "Dit adres gebruikt de website zelf al."},
		{"admin", "Dit adres gebruikt de website zelf al."},
		{"contact", "Dit adres gebruikt de website zelf al."},
		{"media", "Dit adres gebruikt de website zelf al."},
		{"cookies", "Dit adres gebruikt de website zelf al."},
		{"taal", "Dit adres gebruikt de website zelf al."},
		{"diensten", "Een andere pagina heeft dit adres al."},
		{"Over Ons", "Het adres mag alleen kleine letters"},
		{"sitemap.xml", "Het adres mag alleen kleine letters"},
		{"", "Geef de pagina een adres"},
	}
	for _, tc := range cases {
		t.Run(tc.slug, func(t *testing.T) {
			form := pageForm(tc.slug, "Een titel die blijft staan")
			form.Set("tekst", "Een tekst die blijft staan.")
			res := c.do(t, "POST", "/admin/paginas/nieuw", form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, tc.want) {
				t.Fatalf("%d, want 422 with %q\n%.2000s", res.StatusCode, tc.want, res.Body)
			}
			for _, kept := range []string{`value="Een titel die blijft staan"`, ">Een tekst die blijft staan.</textarea>", `value="` + tc.slug + `"`} {
				if !strings.Contains(res.Body, kept) {
					t.Errorf("the form lost %s", kept)
				}
			}
		})
	}
	// Renaming a page to another's address is refused too.
	other := c.createPage(t, pageForm("over-ons", "Over ons"))
	if res := c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d", other), pageForm("diensten", "Over ons")); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Een andere pagina heeft dit adres al.") {
		t.Errorf("rename onto a taken address: %d", res.StatusCode)
	}
	// A half translation says which part is missing.
	half := pageForm("half", "Half")
	half.Set("titel_fr", "À moitié")
	res := c.do(t, "POST", "/admin/paginas/nieuw", half)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Vul ook de Franse tekst in") || !strings.Contains(res.Body, `value="À moitié"`) {
		t.Errorf("a half translation: %d", res.StatusCode)
	}
	var pages, revisions int
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT (SELECT count(*) FROM page), (SELECT count(*) FROM page_revision)`).Scan(&pages, &revisions)
	if pages != 2 || revisions != 2 {
		t.Errorf("%d pages, %d revisions stored; want 2 and 2", pages, revisions)
	}
}

func TestPages_AVisitorInFrenchGetsTheTranslationOrTheDutchPageWithALineSayingSo(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	both := pageForm("diensten", "Diensten")
	both.Set("titel_fr", "Services")
	both.Set("tekst_fr", "Nous construisons.")
	both.Set("beschrijving_fr", "Ce que nous construisons.")
	c.publishPage(t, c.createPage(t, both))
	c.publishPage(t, c.createPage(t, pageForm("over-ons", "Over ons")))

	fr := s.get(t, "/diensten", "Accept-Language", "fr-BE")
	if !strings.Contains(fr.Body, `<html lang="fr">`) || !strings.Contains(fr.Body, `<article lang="fr"`) || !strings.Contains(fr.Body, "Nous construisons.") ||
		strings.Contains(fr.Body, "Cette page n’existe pas") || strings.Contains(fr.Body, "Cette page n'existe pas") {
		t.Errorf("the French page:\n%.3000s", fr.Body)
	}
	dutch := s.get(t, "/over-ons", "Accept-Language", "fr-BE")
	if dutch.StatusCode != http.StatusOK || !strings.Contains(dutch.Body, `<article lang="nl"`) || !strings.Contains(dutch.Body, "Over ons") ||
		!strings.Contains(dutch.Body, "Cette page n&#39;existe pas (encore) en français") {
		t.Errorf("the untranslated page for a French visitor: %d\n%.3000s", dutch.StatusCode, dutch.Body)
	}
	if got := navLinks(t, dutch.Body); strings.Join(got, "|") != "/ Accueil|/diensten Services|/over-ons Over ons|/contact Contact|/privacy Vie privée" {
		t.Errorf("the French menu: %q", got)
	}
	if !regexp.MustCompile(`<a href="/over-ons"[^>]* lang="nl">Over ons</a>`).MatchString(dutch.Body) {
		t.Error("the Dutch title in the French menu does not say it is Dutch")
	}
}

func TestPages_AnotherInstanceShowsAPublicationWithinAFewSeconds(t *testing.T) {
	s := newSite(t, siteOptions{})
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	other := newSite(t, siteOptions{dbURL: s.dbURL, now: func() time.Time { return time.Unix(0, clock.Load()) }})
	c := s.signedInStaff(t)
	id := c.createPage(t, pageForm("over-ons", "Over ons"))
	if res := other.get(t, "/over-ons"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("before publication: %d", res.StatusCode)
	}
	otherHome := other.get(t, "/")
	c.publishPage(t, id)
	if res := s.get(t, "/over-ons"); res.StatusCode != http.StatusOK {
		t.Fatalf("the instance that published: %d", res.StatusCode)
	}
	clock.Add(int64(6 * time.Second)) // past the 5 s the other trusts what it read
	deadline := time.Now().Add(5 * time.Second)
	for {
		if res := other.get(t, "/over-ons"); res.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other instance does not show the publication")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(otherHome.Body, "/over-ons") || !strings.Contains(other.get(t, "/").Body, `href="/over-ons"`) {
		t.Error("the other instance's menu does not follow the publication")
	}
}

func TestPages_HigherAndLowerMoveAPageInTheSitesMenu(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	var ids []int64
	for _, slug := range []string{"een", "twee", "drie"} {
		id := c.createPage(t, pageForm(slug, strings.ToUpper(slug[:1])+slug[1:]))
		c.publishPage(t, id)
		ids = append(ids, id)
	}
	menu := func() string { return strings.Join(navLinks(t, s.get(t, "/").Body), "|") }
	if got := menu(); got != "/ Home|/een Een|/twee Twee|/drie Drie|/contact Contact|/privacy Privacy" {
		t.Fatalf("the menu: %s", got)
	}
	if res := c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d/hoger", ids[2]), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("up: %d", res.StatusCode)
	}
	if got := menu(); got != "/ Home|/een Een|/drie Drie|/twee Twee|/contact Contact|/privacy Privacy" {
		t.Errorf("after Drie went up: %s", got)
	}
	c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d/lager", ids[0]), url.Values{})
	c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d/hoger", ids[0]), url.Values{})
	c.do(t, "POST", fmt.Sprintf("/admin/paginas/%d/hoger", ids[0]), url.Values{}) // at the top already: nothing moves
	if got := menu(); got != "/ Home|/een Een|/drie Drie|/twee Twee|/contact Contact|/privacy Privacy" {
		t.Errorf("after Een went down and up twice: %s", got)
	}
	list := c.do(t, "GET", "/admin/paginas", nil).Body
	if strings.Index(list, ">Een<") > strings.Index(list, ">Drie<") || strings.Index(list, ">Drie<") > strings.Index(list, ">Twee<") {
		t.Error("the staff list is not in the menu's order")
	}
}

// TestBadInput_EveryFieldOfThePageFormsRefusesUnreadableTextAndKeepsIt
// sends every page form with a NUL byte and with invalid UTF-8 in each
// field: the page form comes back (422) with what was typed, the other
// steps are refused (400), both in Dutch, and nothing changes.
func TestBadInput_EveryFieldOfThePageFormsRefusesUnreadableTextAndKeepsIt(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	id := c.createPage(t, pageForm("over-ons", "Over ons"))
	c.publishPage(t, id)
	full := pageForm("nieuw", "Een titel die blijft staan")
	for _, lang := range []string{"fr", "en"} {
		full.Set("titel_"+lang, "Titre "+lang)
		full.Set("inleiding_"+lang, "Intro "+lang)
		full.Set("tekst_"+lang, "Texte "+lang)
		full.Set("beschrijving_"+lang, "Description "+lang)
	}
	edit := url.Values{}
	for k, v := range full {
		edit[k] = v
	}
	edit.Set("adres", "over-ons")
	page := fmt.Sprintf("/admin/paginas/%d", id)
	forms := []aForm{
		{"new page", "POST", "/admin/paginas/nieuw", full, 422},
		{"page edit", "POST", page, edit, 422},
		{"publish", "POST", page + "/publiceren", url.Values{}, 400},
		{"offline", "POST", page + "/offline", url.Values{}, 400},
		{"restore", "POST", page + "/versies/1/terugzetten", url.Values{}, 400},
		{"higher", "POST", page + "/hoger", url.Values{}, 400},
		{"lower", "POST", page + "/lager", url.Values{}, 400},
	}
	for _, bc := range everyFieldUnreadable(forms) {
		t.Run(bc.name, func(t *testing.T) {
			form, _ := url.ParseQuery(bc.body)
			if form == nil {
				form = url.Values{}
			}
			res := c.do(t, bc.method, bc.path, form)
			if res.StatusCode != bc.status || !strings.Contains(res.Body, unreadable) {
				t.Fatalf("status %d, want %d with %q\n%.400s", res.StatusCode, bc.status, unreadable, res.Body)
			}
			if bc.status == 422 && !strings.Contains(res.Body, "Een titel die blijft staan") && !strings.Contains(res.Body, "Een titel die blijft staan\uFFFD") {
				t.Error("the form lost the title typed")
			}
		})
	}
	var pages, revisions int
	var state string
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT (SELECT count(*) FROM page), (SELECT count(*) FROM page_revision), (SELECT state FROM page)`).Scan(&pages, &revisions, &state)
	if pages != 1 || revisions != 1 || state != "published" {
		t.Errorf("%d pages, %d revisions, %s: something changed", pages, revisions, state)
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("the catalogue caused errors in the log:\n%s", s.logs.String())
	}
}

func TestPages_AnAddressNoPageHasGetsTheDutch404AndASiteRouteItsOwnAnswer(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, path := range []string{"/bestaat-niet", "/Over-Ons", "/%C3%A9t%C3%A9", "/" + strings.Repeat("a", 5000), "/a%00b", "/over-ons%2F..%2Fadmin"} {
		if res := s.get(t, path); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "Pagina niet gevonden") {
			t.Errorf("GET %.40s: %d, want the Dutch 404", path, res.StatusCode)
		}
	}
	for _, path := range []string{"/consent", "/taal"} {
		if res := s.get(t, path); res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d, want 405 as before pages had addresses", path, res.StatusCode)
		}
	}
	if strings.Contains(s.logs.String(), "bestaat-niet") || strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("the log holds an address typed, or an error:\n%s", s.logs.String())
	}
}

// A page as long as the rules allow, with a translation, is kept: the
// staff's editors take more than the site's other forms.
func TestPages_ALongPageWithATranslationIsKept(t *testing.T) {
	s := newSite(t, siteOptions{})
	c := s.signedInStaff(t)
	form := pageForm("lang", "Een lange pagina")
	long := strings.Repeat("Één café, één ruïne.\n", 2000) // 42 000 characters, 5 encoded bytes or more each
	form.Set("tekst", long)
	form.Set("titel_fr", "Une longue page")
	form.Set("tekst_fr", long)
	form.Set("beschrijving_fr", "Une longue page.")
	id := c.createPage(t, form)
	c.publishPage(t, id)
	if res := s.get(t, "/lang"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Één café, één ruïne.") {
		t.Fatalf("the long page: %d", res.StatusCode)
	}
}
