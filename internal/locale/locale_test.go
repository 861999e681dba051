package locale_test

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/BurntSushi/toml"

	"conpro/internal/locale"
	"conpro/locales"
)

func load(t testing.TB) *locale.Bundle {
	t.Helper()
	b, err := locale.Load(locales.FS())
	if err != nil {
		t.Fatalf("Load(locales.FS()): %v", err)
	}
	return b
}

// messageIDs returns the IDs of one of the site's message files.
func messageIDs(t *testing.T, lang locale.Lang) []string {
	t.Helper()
	raw, err := fs.ReadFile(locales.FS(), "active."+string(lang)+".toml")
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string]any
	if err := toml.Unmarshal(raw, &msgs); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range msgs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func TestParse_KnowsTheThreeLanguagesWhateverCaseOrSpacing(t *testing.T) {
	cases := []struct {
		in   string
		want locale.Lang
		ok   bool
	}{
		{"nl", locale.NL, true},
		{"fr", locale.FR, true},
		{"en", locale.EN, true},
		{" FR ", locale.FR, true},
		{"En", locale.EN, true},
		{"", "", false},
		{"de", "", false},
		{"nl-BE", "", false},
		{"english", "", false},
	}
	for _, c := range cases {
		got, ok := locale.Parse(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestLangs_DutchFirstThenFrenchAndEnglish(t *testing.T) {
	if got, want := locale.Langs(), []locale.Lang{"nl", "fr", "en"}; !slices.Equal(got, want) {
		t.Errorf("Langs() = %v, want %v", got, want)
	}
	if locale.Default != locale.NL {
		t.Errorf("Default = %q", locale.Default)
	}
}

func TestNegotiate_CookieThenAcceptLanguageThenDutch(t *testing.T) {
	b := load(t)
	cases := []struct {
		cookie, acceptLanguage string
		want                   locale.Lang
	}{
		{"", "", locale.NL},
		{"en", "fr-BE,fr;q=0.9", locale.EN},
		{"fr", "", locale.FR},
		{" NL ", "en", locale.NL},
		{"de", "fr-BE,fr;q=0.9", locale.FR},
		{"garbage", "", locale.NL},
		{"", "fr-BE,fr;q=0.9,en;q=0.5", locale.FR},
		{"", "fr-CH", locale.FR},
		{"", "en-GB,en;q=0.9", locale.EN},
		{"", "en-US", locale.EN},
		{"", "nl-BE", locale.NL},
		{"", "en;q=0.4, fr;q=0.8", locale.FR},
		{"", "fr;q=0, en", locale.EN},
		{"", "de-DE", locale.NL},
		{"", "ja", locale.NL},
		{"", "*", locale.NL},
		{"", "x;;;garbage,,", locale.NL},
		{"", strings.Repeat("fr,", 5000), locale.FR},
		{"", strings.Repeat("fr-BE,", 1001), locale.NL}, // overlong: rejected
	}
	// Twice: the second time the answers come from the memo.
	for _, c := range append(cases, cases...) {
		if got := b.Negotiate(c.cookie, c.acceptLanguage); got != c.want {
			al := c.acceptLanguage
			if len(al) > 40 {
				al = al[:40] + "…"
			}
			t.Errorf("Negotiate(%q, %q) = %q, want %q", c.cookie, al, got, c.want)
		}
	}
}

func TestT_TranslatesIntoTheLocalizersLanguage(t *testing.T) {
	b := load(t)
	cases := []struct {
		lang     locale.Lang
		id, want string
	}{
		{locale.NL, "SkipToContent", "Naar de inhoud"},
		{locale.FR, "SkipToContent", "Aller au contenu"},
		{locale.EN, "SkipToContent", "Skip to content"},
		{locale.NL, "NavPrivacy", "Privacy"},
		{locale.FR, "NavPrivacy", "Vie privée"},
	}
	for _, c := range cases {
		l := b.Localizer(c.lang)
		if l.Lang() != c.lang {
			t.Errorf("Localizer(%s).Lang() = %s", c.lang, l.Lang())
		}
		if got := l.T(c.id); got != c.want {
			t.Errorf("%s: T(%q) = %q, want %q", c.lang, c.id, got, c.want)
		}
	}
}

func TestT_FillsTemplateFields(t *testing.T) {
	b := load(t)
	want := map[locale.Lang]string{
		locale.NL: "Bel 0484 53 27 38",
		locale.FR: "Appeler le 0484 53 27 38",
		locale.EN: "Call 0484 53 27 38",
	}
	for lang, w := range want {
		if got := b.Localizer(lang).T("HomeCallCTA", map[string]any{"Phone": "0484 53 27 38"}); got != w {
			t.Errorf("%s: %q, want %q", lang, got, w)
		}
	}
}

func TestT_MarksAnUnknownMessageVisibly(t *testing.T) {
	b := load(t)
	for _, lang := range locale.Langs() {
		if got := b.Localizer(lang).T("NoSuchMessage"); got != "⟦missing:NoSuchMessage⟧" {
			t.Errorf("%s: T(unknown) = %q", lang, got)
		}
	}
}

func TestT_EveryDutchMessageExistsInEveryLanguage(t *testing.T) {
	b := load(t)
	ids := messageIDs(t, locale.NL)
	if len(ids) < 10 {
		t.Fatalf("only %d Dutch messages: %v", len(ids), ids)
	}
	data := map[string]any{"Phone": "P", "Number": 2, "Current": 3, "Category": "C", "Email": "E", "Categories": "C", "Count": 2, "Kind": "K", "ID": "I", "Messages": 1, "Requests": 1, "Consents": 1, "Name": "N", "When": "W", "Next": "X", "Valid": "V", "Domains": "D", "Party": "P", "Checked": 3, "Removed": 1, "Event": "E", "Pages": 4, "States": 12, "Findings": 2,
		"Period": "P", "From": "F", "To": "T", "Date": "D", "Percent": 1, "Accepted": 1, "Customised": 1, "Refused": 1, "Duration": "D", "Handled": "H", "Term": "T", "Value": "V", "Variable": "V",
		"Size": "2,4 MB", "Total": "20,0 MB", "Width": 960, "Height": 640, "Title": "Over ons", "Languages": "Nederlands", "Company": "Google"}
	// The company's facts (web.CompanyFacts) and configured details.
	for _, k := range []string{"Place", "Country", "Address", "Hours"} {
		data[k] = k
	}
	for _, lang := range locale.Langs() {
		if got := messageIDs(t, lang); !slices.Equal(got, ids) {
			t.Errorf("%s has IDs %v, nl has %v", lang, got, ids)
		}
		for _, id := range ids {
			got := b.Localizer(lang).T(id, data)
			if got == "" || strings.Contains(got, "⟦missing:") || strings.Contains(got, "<no value>") {
				t.Errorf("%s: T(%q) = %q", lang, id, got)
			}
		}
	}
}

func TestLocalizer_UnknownLanguageFallsBackToDutch(t *testing.T) {
	b := load(t)
	l := b.Localizer("de")
	if l == nil || l.Lang() != locale.NL || l.T("SkipToContent") != "Naar de inhoud" {
		t.Errorf("Localizer(de) = %+v", l)
	}
}

func TestFromContext_CarriesTheRequestsLocalizer(t *testing.T) {
	b := load(t)
	ctx := context.Background()
	if l := locale.FromContext(ctx); l != nil {
		t.Errorf("FromContext(background) = %+v, want nil", l)
	}
	if got := locale.T(ctx, "SkipToContent"); got != "⟦missing:SkipToContent⟧" {
		t.Errorf("T outside a request = %q", got)
	}
	if got := locale.LangOf(ctx); got != locale.NL {
		t.Errorf("LangOf outside a request = %q", got)
	}

	fr := b.Localizer(locale.FR)
	ctx = locale.WithLocalizer(ctx, fr)
	if l := locale.FromContext(ctx); l != fr {
		t.Errorf("FromContext = %+v, want the French localizer", l)
	}
	if got := locale.T(ctx, "SkipToContent"); got != "Aller au contenu" {
		t.Errorf("T in a French request = %q", got)
	}
	if got := locale.T(ctx, "HomeCallCTA", map[string]any{"Phone": "X"}); got != "Appeler le X" {
		t.Errorf("T with data in a French request = %q", got)
	}
	if got := locale.LangOf(ctx); got != locale.FR {
		t.Errorf("LangOf in a French request = %q", got)
	}
}

// messageFS builds a set of message files, one TOML body per language.
func messageFS(nl, fr, en string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, body := range map[string]string{"active.nl.toml": nl, "active.fr.toml": fr, "active.en.toml": en} {
		if body != "-" {
			m[name] = &fstest.MapFile{Data: []byte(body)}
		}
	}
	return m
}

func TestLoad_AcceptsLanguagesWithExactlyTheDutchMessages(t *testing.T) {
	b, err := locale.Load(messageFS(
		"A = \"a-nl\"\nB = \"b-nl\"\n",
		"B = \"b-fr\"\nA = \"a-fr\"\n",
		"A = \"a-en\"\nB = \"b-en\"\n",
	))
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Localizer(locale.EN).T("B"); got != "b-en" {
		t.Errorf("T(B) in English = %q", got)
	}
}

func TestLoad_RejectsMessageFilesThatDisagreeWithDutch(t *testing.T) {
	nl := "A = \"a\"\nB = \"b\"\n"
	cases := []struct {
		name      string
		fsys      fstest.MapFS
		wantInErr []string
	}{
		{"fr lacks a message", messageFS(nl, "A = \"a\"\n", nl), []string{"fr", `"B"`}},
		{"en lacks a message", messageFS(nl, nl, "B = \"b\"\n"), []string{"en", `"A"`}},
		{"fr has an extra message", messageFS(nl, nl+"C = \"c\"\n", nl), []string{"fr", `"C"`}},
		{"en has an extra message", messageFS(nl, nl, nl+"D = \"d\"\n"), []string{"en", `"D"`}},
		{"en is missing", messageFS(nl, nl, "-"), []string{"active.en.toml"}},
		{"nl is missing", messageFS("-", nl, nl), []string{"active.nl.toml"}},
		{"fr is not TOML", messageFS(nl, "A = = \"a\"\n", nl), []string{"active.fr.toml"}},
	}
	for _, c := range cases {
		b, err := locale.Load(c.fsys)
		if err == nil {
			t.Errorf("%s: loaded %+v", c.name, b)
			continue
		}
		for _, w := range c.wantInErr {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %s", c.name, err, w)
			}
		}
	}
}

func FuzzNegotiate(f *testing.F) {
	f.Add("", "")
	f.Add("en", "fr-BE,fr;q=0.9")
	f.Add(" FR ", "")
	f.Add("de", "en-GB,en;q=0.9,nl;q=0.8")
	f.Add("", "de-DE,de;q=0.9,*;q=0.1")
	f.Add("", "x;;;garbage,,")
	f.Add("", "fr;q=0, en;q=0.000")
	f.Add("nl\x00", "zh-Hant-TW-u-ca-chinese-x-private;q=0.5")
	f.Add("", "en-u-nu-arab, sr-Latn-RS;q=0.3, und")

	b := load(f)
	f.Fuzz(func(t *testing.T, cookie, acceptLanguage string) {
		got := b.Negotiate(cookie, acceptLanguage)
		if !slices.Contains(locale.Langs(), got) {
			t.Fatalf("Negotiate(%q, %q) = %q, not a supported language", cookie, acceptLanguage, got)
		}
		if l, ok := locale.Parse(cookie); ok && got != l {
			t.Fatalf("Negotiate(%q, %q) = %q, but the cookie names %q", cookie, acceptLanguage, got, l)
		}
	})
}

// The memo of Accept-Language answers starts again when full, and answers
// stay right before and after.
func TestNegotiate_ManyDistinctHeadersStayRight(t *testing.T) {
	b := load(t)
	want := map[int]locale.Lang{0: locale.FR, 1: locale.EN, 2: locale.NL}
	for round := range 2 {
		for i := range 2500 {
			header := []string{"fr-BE;q=0.%d, de", "en-GB, ja;q=0.%d", "de-DE, ja;q=0.%d"}[i%3]
			h := fmt.Sprintf(header, i%9+1) + strings.Repeat(" ", i/30)
			if got := b.Negotiate("", h); got != want[i%3] {
				t.Fatalf("round %d: Negotiate(%q) = %q, want %q", round, h, got, want[i%3])
			}
		}
	}
}
