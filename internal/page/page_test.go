package page_test

import (
	"strings"
	"testing"

	"conpro/internal/page"
)

var rules = page.Rules{
	Reserved:    page.ReservedBy([]string{"/", "/privacy", "/privacy/versies/{number}", "/admin/*", "/sitemap.xml", "/{slug}", "/contact"}),
	PhotoExists: func(id int64) bool { return id == 7 },
}

func valid() page.Form {
	return page.Form{Slug: "over-ons", Texts: map[string]page.Text{
		"nl": {Title: "Over ons", Body: "Wij bouwen.", Description: "Wie wij zijn."},
	}}
}

func TestCheck_APageNeedsAnAddressOfItsOwnADutchTitleTextAndDescription(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*page.Form)
		field string
		want  string
	}{
		{"no address", func(f *page.Form) { f.Slug = " " }, page.FieldSlug, "PageErrSlugEmpty"},
		{"capitals", func(f *page.Form) { f.Slug = "Over-Ons" }, page.FieldSlug, "PageErrSlugForm"},
		{"a space", func(f *page.Form) { f.Slug = "over ons" }, page.FieldSlug, "PageErrSlugForm"},
		{"an accent", func(f *page.Form) { f.Slug = "realisatiés" }, page.FieldSlug, "PageErrSlugForm"},
		{"a double hyphen", func(f *page.Form) { f.Slug = "over--ons" }, page.FieldSlug, "PageErrSlugForm"},
		{"a hyphen at the end", func(f *page.Form) { f.Slug = "over-" }, page.FieldSlug, "PageErrSlugForm"},
		{"a slash", func(f *page.Form) { f.Slug = "over/ons" }, page.FieldSlug, "PageErrSlugForm"},
		{"too long", func(f *page.Form) { f.Slug = strings.Repeat("a", 61) }, page.FieldSlug, "PageErrSlugLong"},
		{"the privacy page's", func(f *page.Form) { f.Slug = "privacy" }, page.FieldSlug, "PageErrSlugReserved"},
		{"the staff area's", func(f *page.Form) { f.Slug = "admin" }, page.FieldSlug, "PageErrSlugReserved"},
		{"no Dutch title", func(f *page.Form) { f.Texts["nl"] = page.Text{Body: "x", Description: "y"} }, page.FieldTitle, "PageErrTitleEmpty"},
		{"a title on two lines", func(f *page.Form) { f.Texts["nl"] = page.Text{Title: "a\nb", Body: "x", Description: "y"} }, page.FieldTitle, "PageErrTitleLine"},
		{"no Dutch text", func(f *page.Form) { f.Texts["nl"] = page.Text{Title: "t", Description: "y"} }, page.FieldBody, "PageErrBodyEmpty"},
		{"no description", func(f *page.Form) { f.Texts["nl"] = page.Text{Title: "t", Body: "x"} }, page.FieldDescription, "PageErrDescriptionEmpty"},
		{"a long description", func(f *page.Form) {
			f.Texts["nl"] = page.Text{Title: "t", Body: "x", Description: strings.Repeat("é", 301)}
		}, page.FieldDescription, "PageErrDescriptionLong"},
		{"a half French translation", func(f *page.Form) { f.Texts["fr"] = page.Text{Title: "À propos"} }, "tekst_fr", "PageErrBodyEmpty_fr"},
		{"a photo not in the library", func(f *page.Form) { f.Photo = "8" }, page.FieldPhoto, "PageErrPhoto"},
		{"a photo that is no number", func(f *page.Form) { f.Photo = "zeven" }, page.FieldPhoto, "PageErrPhoto"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := valid()
			c.edit(&f)
			_, _, errs := f.Check(rules)
			if errs[c.field] != c.want {
				t.Errorf("errors %v, want %s: %s", errs, c.field, c.want)
			}
		})
	}
}

func TestCheck_AValidFormIsTrimmedAndAnEmptyTranslationLeftOut(t *testing.T) {
	f := valid()
	f.Slug = " diensten-2027 "
	f.Texts["nl"] = page.Text{Title: " Diensten ", Body: "Wij bouwen.\n", Description: "Wat wij doen."}
	f.Texts["fr"] = page.Text{}
	f.Texts["en"] = page.Text{Title: "Services", Body: "We build.", Description: "What we do."}
	f.Photo = "7"
	slug, c, errs := f.Check(rules)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if slug != "diensten-2027" || c.Texts["nl"].Title != "Diensten" || c.Texts["nl"].Body != "Wij bouwen." || c.PhotoID != 7 {
		t.Errorf("got %q %+v", slug, c)
	}
	if _, ok := c.Texts["fr"]; ok {
		t.Error("an empty French translation is kept")
	}
	if got, ok := c.In("fr"); ok || got.Title != "Diensten" {
		t.Errorf("a French visitor gets %+v (translated %v), want the Dutch text", got, ok)
	}
	if got, ok := c.In("en"); !ok || got.Title != "Services" {
		t.Errorf("an English visitor gets %+v", got)
	}
}

func TestReservedBy_ReservesTheFirstSegmentOfEveryStaticRouteOnly(t *testing.T) {
	for slug, want := range map[string]bool{"privacy": true, "admin": true, "contact": true, "sitemap.xml": true, "versies": false, "over-ons": false, "slug": false} {
		if got := rules.Reserved(slug); got != want {
			t.Errorf("%s reserved: %v, want %v", slug, got, want)
		}
	}
}

func TestGeneration_ChangesWithARevisionAMoveOrAnAddress(t *testing.T) {
	a := []page.Live{{ID: 1, Slug: "a", Revision: 1}, {ID: 2, Slug: "b", Revision: 3}}
	base := page.Generation(a)
	for name, b := range map[string][]page.Live{
		"new revision": {{ID: 1, Slug: "a", Revision: 2}, {ID: 2, Slug: "b", Revision: 3}},
		"moved":        {{ID: 2, Slug: "b", Revision: 3}, {ID: 1, Slug: "a", Revision: 1}},
		"renamed":      {{ID: 1, Slug: "c", Revision: 1}, {ID: 2, Slug: "b", Revision: 3}},
		"unpublished":  {{ID: 1, Slug: "a", Revision: 1}},
	} {
		if page.Generation(b) == base {
			t.Errorf("%s: the generation did not change", name)
		}
	}
}
