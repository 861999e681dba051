package policy_test

import (
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"conpro/internal/consent"
	"conpro/internal/policy"
)

func TestSeed_SectionIDsAreUniqueAnchors(t *testing.T) {
	for _, v := range []policy.Version{policy.Seed()} {
		var ids []string
		for _, s := range v.Sections {
			if s.ID == "" || slices.Contains(ids, s.ID) {
				t.Errorf("version %d: section %q has an empty or repeated ID %q", v.Number, s.Title, s.ID)
			}
			ids = append(ids, s.ID)
		}
	}
}

// The cookie tables come from the consent registry: every key must exist
// there, or a row would silently vanish from the policy.
func TestPartyTables_NameOnlyRegisteredParties(t *testing.T) {
	for _, v := range []policy.Version{policy.Seed()} {
		for _, s := range v.Sections {
			for _, b := range s.Blocks {
				pt, ok := b.(policy.PartyTable)
				if !ok {
					continue
				}
				for _, key := range pt.Parties {
					if _, ok := consent.Lookup(key); !ok {
						t.Errorf("version %d, %s: unknown party %q", v.Number, pt.Caption, key)
					}
				}
				if len(pt.Rows()) != len(pt.Parties) {
					t.Errorf("%s: %d rows for %d parties", pt.Caption, len(pt.Rows()), len(pt.Parties))
				}
			}
		}
	}
}

func TestDigest_IsStableAndChangesWithTheText(t *testing.T) {
	a, b := policy.Seed(), policy.Seed()
	if a.Digest() != b.Digest() {
		t.Fatal("digest differs between two reads of the same version")
	}
	b.Sections[0].Blocks = append(b.Sections[0].Blocks, policy.Paragraph{Text: "Extra zin."})
	if a.Digest() == b.Digest() {
		t.Fatal("digest ignores an added paragraph")
	}
	c := policy.Seed()
	c.Date = c.Date.AddDate(0, 0, 1)
	if a.Digest() == c.Digest() {
		t.Fatal("digest ignores the date")
	}
}

// The store records each version's digest and refuses to serve a published
// number whose text changed. Version 2 was published with this digest: a
// refactoring of the policy or of the registry its tables read must leave it
// exactly as it is.
func TestDigest_OfVersion2IsTheOneRecordedAtPublication(t *testing.T) {
	v := policy.Seed()
	const published = "eeadb6120c32be5a48374185be8ab63679c3a42311a878e1198a89cd6bd3d316"
	if d := v.Digest(); hex.EncodeToString(d[:]) != published {
		t.Fatalf("digest %x, published %s", d, published)
	}
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCurrent_IsTheNewestPublishedVersionWhoseDayHasCome(t *testing.T) {
	versions := []policy.Text{
		{Number: 3, Status: policy.Published, EffectiveOn: day("2026-12-15")},
		{Number: 2, Status: policy.Published, EffectiveOn: day("2020-06-05")},
		{ID: 9, Status: policy.Draft, EffectiveOn: day("2026-12-01")},
	}
	for _, c := range []struct {
		today string
		want  int
	}{{"2026-12-14", 2}, {"2026-12-15", 3}, {"2027-01-01", 3}} {
		cur, ok := policy.Current(versions, day(c.today))
		if !ok || cur.Number != c.want {
			t.Errorf("on %s: version %d, want %d", c.today, cur.Number, c.want)
		}
	}
	if !versions[0].Scheduled(day("2026-12-14")) || versions[0].Scheduled(day("2026-12-15")) {
		t.Error("version 3 is not scheduled until its day")
	}
	if prev, ok := policy.Previous(versions, versions[0]); !ok || prev.Number != 2 {
		t.Errorf("previous of 3: %d", prev.Number)
	}
	if _, ok := policy.Previous(versions, versions[1]); ok {
		t.Error("version 2 has a previous version")
	}
}

func TestForm_ADraftNeedsATitledTextAndAReadableDate(t *testing.T) {
	cases := []struct {
		name string
		form policy.Form
		want policy.FieldErrors
	}{
		{"empty", policy.Form{}, policy.FieldErrors{policy.FieldText: "PolicyErrTextEmpty"}},
		{"no title", policy.Form{Markdown: "Tekst zonder titel"}, policy.FieldErrors{policy.FieldText: "PolicyErrTitle"}},
		{"bad date", policy.Form{Markdown: "# Titel", EffectiveOn: "15/12/2026"}, policy.FieldErrors{policy.FieldEffective: "PolicyErrDate"}},
		{"translation without title", policy.Form{Markdown: "# Titel", MarkdownFR: "Texte"}, policy.FieldErrors{policy.FieldTextFR: "PolicyErrTitle"}},
		{"long summary", policy.Form{Markdown: "# Titel", Summary: strings.Repeat("a", policy.MaxSummary+1)}, policy.FieldErrors{policy.FieldSummary: "PolicyErrSummaryLong"}},
		{"fine", policy.Form{Markdown: "# Titel\r\n\r\nTekst.\r\n", Summary: " Nieuw. ", EffectiveOn: "2026-12-15"}, policy.FieldErrors{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, errs := c.form.CheckDraft()
			if !maps.Equal(errs, c.want) {
				t.Fatalf("errors %v, want %v", errs, c.want)
			}
			if c.name == "fine" && (d.Markdown != "# Titel\n\nTekst." || d.Summary != "Nieuw." || !d.EffectiveOn.Equal(day("2026-12-15"))) {
				t.Fatalf("draft read as %+v", d)
			}
		})
	}
}

func TestCheckPublish_NeedsASummaryAndADayNotInThePast(t *testing.T) {
	today := day("2026-12-03")
	if errs := policy.CheckPublish(policy.Text{}, today, time.Time{}); errs[policy.FieldSummary] != "PolicyErrSummaryEmpty" || errs[policy.FieldEffective] != "PolicyErrDateEmpty" {
		t.Fatalf("empty: %v", errs)
	}
	if errs := policy.CheckPublish(policy.Text{Summary: "x", EffectiveOn: day("2026-12-02")}, today, time.Time{}); errs[policy.FieldEffective] != "PolicyErrDatePast" {
		t.Fatalf("yesterday: %v", errs)
	}
	if errs := policy.CheckPublish(policy.Text{Summary: "x", EffectiveOn: today}, today, time.Time{}); len(errs) != 0 {
		t.Fatalf("today: %v", errs)
	}
}

func TestCheckPublish_AVersionTakesEffectNoEarlierThanOnePublishedBeforeIt(t *testing.T) {
	today := day("2026-12-03")
	published := []policy.Text{
		{Number: 2, Status: policy.Published, EffectiveOn: day("2020-06-05")},
		{Number: 3, Status: policy.Published, EffectiveOn: day("2026-12-15")},
		{Number: 0, Status: policy.Draft, EffectiveOn: day("2027-01-01")},
	}
	notBefore := policy.LatestDay(published)
	if !notBefore.Equal(day("2026-12-15")) {
		t.Fatalf("the newest published day is %v, want version 3's 2026-12-15 (a draft does not count)", notBefore)
	}
	if errs := policy.CheckPublish(policy.Text{Summary: "x", EffectiveOn: day("2026-12-10")}, today, notBefore); errs[policy.FieldEffective] != "PolicyErrDateBeforeScheduled" {
		t.Fatalf("before the scheduled version 3: %v", errs)
	}
	for _, d := range []string{"2026-12-15", "2026-12-20"} {
		if errs := policy.CheckPublish(policy.Text{Summary: "x", EffectiveOn: day(d)}, today, notBefore); len(errs) != 0 {
			t.Fatalf("%s: %v", d, errs)
		}
	}
}

// Version 2's anchors were chosen by hand; a version written in Markdown
// gets them from its headings, and the same headings must give the same
// anchors, or links to a section break with a new version.
func TestSlugs_GiveVersion2sHeadingsTheirAnchors(t *testing.T) {
	slugs := policy.Slugs{}
	for _, s := range policy.Seed().Sections {
		if got := slugs.Slug(s.Title); got != s.ID {
			t.Errorf("%q: anchor %q, want %q", s.Title, got, s.ID)
		}
	}
	if got := slugs.Slug("Cookies"); got != "cookies-2" {
		t.Errorf("a repeated heading: %q", got)
	}
	if got := slugs.Slug("Wijzigingen"); got != "wijzigingen-2" {
		t.Errorf("a heading taking the page's own anchor: %q", got)
	}
}

func TestSeedMarkdown_HoldsEveryHeadingAndTheDeclarationMarker(t *testing.T) {
	md := policy.Seed().Markdown()
	if policy.TitleOf(md) != "Privacy- en cookie policy" {
		t.Fatalf("title %q", policy.TitleOf(md))
	}
	for _, s := range policy.Seed().Sections {
		if !strings.Contains(md, "\n## "+s.Title+"\n") {
			t.Errorf("no heading %q", s.Title)
		}
	}
	if strings.Count(md, policy.DeclarationMarker) != 1 || !strings.Contains(md, "| Google | E-mailverkeer | US (Privacy Shield) | G Suite |") {
		t.Fatalf("markers or tables missing:\n%s", md)
	}
}

func TestDiff_ShowsAChangedSentenceWordByWordAndNewLinesWhole(t *testing.T) {
	old := "# Titel\n\n## Cookies\n\nWij gebruiken cookies van Google.\n\n| Partij | Vestiging |\n| --- | --- |\n| Google | US (Privacy Shield) |\n"
	new := "# Titel\n\n## Cookies\n\nWij gebruiken enkel cookies van Google.\n\n| Partij | Vestiging |\n| --- | --- |\n| Google | VS (EU-VS Data Privacy Framework) |\n\nEen nieuwe alinea.\n"
	lines := policy.Diff(old, new)
	var got []string
	for _, l := range lines {
		var b strings.Builder
		for _, w := range l.Words {
			switch w.Change {
			case policy.Added:
				b.WriteString("{+" + w.Text + "+}")
			case policy.Removed:
				b.WriteString("[-" + w.Text + "-]")
			default:
				b.WriteString(w.Text)
			}
		}
		got = append(got, b.String())
	}
	want := []string{
		"Titel",
		"Cookies",
		"Wij gebruiken {+enkel +}cookies van Google.",
		"Partij · Vestiging",
		"[-Google · US (Privacy Shield)-]",
		"{+Google · VS (EU-VS Data Privacy Framework)+}",
		"{+Een nieuwe alinea.+}",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("diff\n got %q\nwant %q", got, want)
	}
	if !policy.Changed(lines) || policy.Changed(policy.Diff(old, old)) {
		t.Fatal("Changed is wrong")
	}
}

func TestSuggest_WritesTheSitesFactsEachPassageMarkedForReviewAndCannotBePublishedSo(t *testing.T) {
	r, err := consent.NewRegistry(func(k string) string {
		return map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-TEST1234"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	md := policy.Suggest(policy.Facts{
		Company: "Construct Professional bvba", Address: "Eikelstraat 26, 2600 Berchem-Antwerpen, België", Email: "info@conpro-bvba.be", Phone: "0484 53 27 38",
		Contact: 730 * 24 * time.Hour, Consent: 1826 * 24 * time.Hour, Requests: 3 * 365 * 24 * time.Hour, UnverifiedRequests: 7 * 24 * time.Hour,
		SentMail: 30 * 24 * time.Hour, ConsentMaxAge: 180 * 24 * time.Hour, Vendors: r.Active(),
	})
	for _, want := range []string{
		"| Uw vraag beantwoorden |", "| 2 jaar |", "| 1826 dagen na uw laatste keuze |", "| 3 jaar; een verzoek dat u niet bevestigde 1 week |", "| 1 maand |",
		"Uw keuze geldt 6 maanden", policy.DeclarationMarker, policy.PartiesMarker, "- **Google Analytics** (Google", "/privacy/verzoek", "/cookies",
		"Gegevensbeschermingsautoriteit, Drukpersstraat 35, 1000 Brussel",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the suggestion lacks %q", want)
		}
	}
	if policy.TitleOf(md) == "" || strings.Count(md, policy.ReviewMarker) < 6 {
		t.Fatalf("title %q, %d passages marked", policy.TitleOf(md), strings.Count(md, policy.ReviewMarker))
	}
	draft, errs := policy.Form{Markdown: md, Summary: "Nieuw", EffectiveOn: "2026-12-03"}.CheckDraft()
	if len(errs) != 0 {
		t.Fatalf("draft: %v", errs)
	}
	if errs := policy.CheckPublish(draft, day("2026-12-03"), time.Time{}); errs[policy.FieldText] != "PolicyErrReview" {
		t.Fatalf("a suggestion with its marks is publishable: %v", errs)
	}
	draft.Markdown = strings.ReplaceAll(draft.Markdown, policy.ReviewMarker+" ", "")
	if errs := policy.CheckPublish(draft, day("2026-12-03"), time.Time{}); len(errs) != 0 {
		t.Fatalf("read and unmarked: %v", errs)
	}
}
