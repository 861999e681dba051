package project_test

import (
	"strings"
	"testing"
	"time"

	"conpro/internal/locale"
	"conpro/internal/project"
)

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func valid() project.Input {
	return project.Input{
		Place: "  Berchem ", Year: "2024", Kind: "renovatie",
		Texts: map[locale.Lang]project.Text{locale.NL: {Title: "Renovatie rijwoning, Berchem (één gevel)", Description: "Een nieuwe gevel."}},
		Photos: []project.PhotoChoice{
			{ID: 7, Order: "2", Captions: map[locale.Lang]string{locale.NL: "Achteraf"}},
			{ID: 3, Order: "1", Captions: map[locale.Lang]string{locale.NL: "Vooraf", locale.FR: "Avant"}},
			{ID: 9},
		},
	}
}

func TestCheck_AValidProjectGetsItsSlugFromTheDutchTitleAndItsPhotosInTheOrderTyped(t *testing.T) {
	p, errs := project.Check(valid(), now)
	if errs != nil {
		t.Fatal(errs)
	}
	if p.Slug != "renovatie-rijwoning-berchem-een-gevel" || p.Place != "Berchem" || p.Year != 2024 || p.Kind != project.KindRenovation {
		t.Errorf("%+v", p)
	}
	var ids []int64
	for _, ph := range p.Photos {
		ids = append(ids, ph.ID)
	}
	if len(ids) != 3 || ids[0] != 3 || ids[1] != 7 || ids[2] != 9 {
		t.Errorf("photo order %v, want [3 7 9]", ids)
	}
	if got := p.Photos[0].Caption(locale.FR); got != "Avant" {
		t.Errorf("French caption %q", got)
	}
	if got := p.Photos[1].Caption(locale.EN); got != "Achteraf" {
		t.Errorf("a missing English caption falls back to Dutch: %q", got)
	}
	if _, ok := p.Texts[locale.FR]; ok {
		t.Error("an empty translation is stored")
	}
}

func TestCheck_EveryFieldSaysInDutchWhatIsWrong(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*project.Input)
		field string
		msg   string
	}{
		{"no title", func(in *project.Input) { in.Texts[locale.NL] = project.Text{Description: "x"} }, "titel_nl", "ProjectErrTitle"},
		{"a long title", func(in *project.Input) {
			in.Texts[locale.NL] = project.Text{Title: strings.Repeat("a", 121), Description: "x"}
		}, "titel_nl", "ProjectErrTitleTooLong"},
		{"no description", func(in *project.Input) { in.Texts[locale.NL] = project.Text{Title: "x"} }, "beschrijving_nl", "ProjectErrDescription"},
		{"a long meta", func(in *project.Input) {
			in.Texts[locale.NL] = project.Text{Title: "x", Description: "y", Meta: strings.Repeat("m", 161)}
		}, "meta_nl", "ProjectErrMetaTooLong"},
		{"a French text without a title", func(in *project.Input) { in.Texts[locale.FR] = project.Text{Description: "Une façade."} }, "titel_fr", "ProjectErrTitleTranslation"},
		{"a slug with capitals", func(in *project.Input) { in.Slug = "Renovatie" }, "slug", "ProjectErrSlug"},
		{"a slug with a double hyphen", func(in *project.Input) { in.Slug = "a--b" }, "slug", "ProjectErrSlug"},
		{"a slug with a slash", func(in *project.Input) { in.Slug = "../admin" }, "slug", "ProjectErrSlug"},
		{"a long slug", func(in *project.Input) { in.Slug = strings.Repeat("a", 81) }, "slug", "ProjectErrSlugTooLong"},
		{"no place", func(in *project.Input) { in.Place = " " }, "plaats", "ProjectErrPlace"},
		{"a long place", func(in *project.Input) { in.Place = strings.Repeat("p", 81) }, "plaats", "ProjectErrPlaceTooLong"},
		{"no year", func(in *project.Input) { in.Year = "" }, "jaar", "ProjectErrYear"},
		{"a year in words", func(in *project.Input) { in.Year = "vorig jaar" }, "jaar", "ProjectErrYearRange"},
		{"a year too early", func(in *project.Input) { in.Year = "1949" }, "jaar", "ProjectErrYearRange"},
		{"a year two years ahead", func(in *project.Input) { in.Year = "2028" }, "jaar", "ProjectErrYearRange"},
		{"an unknown kind", func(in *project.Input) { in.Kind = "zwembad" }, "soort", "ProjectErrKind"},
		{"an order in words", func(in *project.Input) { in.Photos[0].Order = "eerst" }, "volgorde_7", "ProjectErrOrder"},
		{"an order of zero", func(in *project.Input) { in.Photos[0].Order = "0" }, "volgorde_7", "ProjectErrOrder"},
		{"a long caption", func(in *project.Input) { in.Photos[1].Captions[locale.EN] = strings.Repeat("c", 251) }, "onderschrift_en_3", "ProjectErrCaptionTooLong"},
		{"too many photos", func(in *project.Input) {
			for i := range 31 {
				in.Photos = append(in.Photos, project.PhotoChoice{ID: int64(100 + i)})
			}
		}, "fotos", "ProjectErrTooManyPhotos"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := valid()
			c.edit(&in)
			_, errs := project.Check(in, now)
			if errs[c.field] != c.msg {
				t.Errorf("errors %v, want %s on %s", errs, c.msg, c.field)
			}
		})
	}
	// Next year is allowed: a project finishing soon.
	in := valid()
	in.Year = "2027"
	if _, errs := project.Check(in, now); errs != nil {
		t.Errorf("next year: %v", errs)
	}
}

func TestSlugify_TitlesBecomeAddressesWithoutAccentsOrPunctuation(t *testing.T) {
	for title, want := range map[string]string{
		"Renovatie rijwoning Berchem":     "renovatie-rijwoning-berchem",
		"  Façade & dak — Hoboken (2024)": "facade-dak-hoboken-2024",
		"Crèche 'De Kleine Reus'":         "creche-de-kleine-reus",
		"!!!":                             "",
		strings.Repeat("woord ", 30):      strings.TrimRight(strings.Repeat("woord-", 14)[:80], "-"),
	} {
		if got := project.Slugify(title); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", title, got, want)
		}
		if got := project.Slugify(title); got != "" && !project.ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q is no valid slug", title, got)
		}
	}
}

func TestRevision_ChangesWhenAProjectIsPublishedChangedOrLosesAPhoto(t *testing.T) {
	p := project.Project{ID: 1, UpdatedAt: now, Photos: []project.Photo{{}, {}}}
	p.Photos[0].ID, p.Photos[1].ID = 4, 5
	base := project.Revision([]project.Project{p})
	if project.Revision(nil) == base {
		t.Error("publishing the first project keeps the revision")
	}
	changed := p
	changed.UpdatedAt = now.Add(time.Millisecond)
	if project.Revision([]project.Project{changed}) == base {
		t.Error("a change keeps the revision")
	}
	fewer := p
	fewer.Photos = p.Photos[:1]
	if project.Revision([]project.Project{fewer}) == base {
		t.Error("losing a photo keeps the revision")
	}
	if project.Revision([]project.Project{p}) != base {
		t.Error("the same list gets another revision")
	}
}

func TestMetaDescription_IsTheTextWrittenOrTheStartOfTheDescription(t *testing.T) {
	p := project.Project{Texts: map[locale.Lang]project.Text{
		locale.NL: {Title: "T", Description: "# Kop\n\nEen **vette** zin. " + strings.Repeat("Nog een zin met woorden. ", 20)},
		locale.FR: {Title: "T", Description: "Une phrase.", Meta: "Rénovation à Berchem."},
	}}
	if got := p.MetaDescription(locale.FR); got != "Rénovation à Berchem." {
		t.Errorf("French: %q", got)
	}
	got := p.MetaDescription(locale.NL)
	if !strings.HasPrefix(got, "Kop Een vette zin.") || !strings.HasSuffix(got, "…") || len([]rune(got)) > project.MaxMeta {
		t.Errorf("Dutch: %q", got)
	}
	if got := p.MetaDescription(locale.EN); !strings.HasPrefix(got, "Kop Een vette zin.") {
		t.Errorf("English falls back to Dutch: %q", got)
	}
}
