package consentlog_test

import (
	"os"
	"strings"
	"testing"

	"conpro/internal/consentlog"
)

func readShown(t *testing.T, body string) consentlog.ShownText {
	t.Helper()
	st, err := consentlog.ReadShownText(body)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lines writes the blocks one a line, as a reader meets them.
func lines(st consentlog.ShownText) string {
	var b strings.Builder
	for _, bl := range st.Blocks {
		b.WriteString(strings.Repeat("  ", bl.Depth))
		b.WriteString(string(bl.Kind))
		if bl.On != nil {
			switch {
			case *bl.On && bl.Fixed:
				b.WriteString("[always on]")
			case *bl.On:
				b.WriteString("[on]")
			default:
				b.WriteString("[off]")
			}
		}
		b.WriteString(": " + bl.Text)
		if bl.Description != "" {
			b.WriteString(" — " + bl.Description)
		}
		for _, l := range bl.Links {
			b.WriteString(" <" + l.Text + " → " + l.Href + ">")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The banner as a visitor with Global Privacy Control saw it (archived by
// the server, testdata/banner-gpc-nl.html), read as its words in order.
func TestReadShownText_ReadsTheBannerInTheOrderAPersonReadsIt(t *testing.T) {
	got := lines(readShown(t, testdata(t, "banner-gpc-nl.html")))
	want := `heading: Cookies op deze website
text: Uw browser vraagt om u niet te volgen (Global Privacy Control of Do Not Track): advertentie- en social media cookies blijven daarom uit. Analytische cookies plaatsen wij alleen als u dat toestaat. Lees onze privacy- en cookie policy <Lees onze privacy- en cookie policy → /privacy#cookies>
button: Alleen analytische cookies toestaan
button: Alles weigeren
button: Zelf kiezen
switch[always on]: Technische & functionele cookies — Altijd aan
text: Nodig om de website te laten werken en te beschermen, en om uw keuzes (taal, cookies) te onthouden. Hiervoor is geen toestemming nodig.
switch[off]: Analytische cookies
text: Laten ons zien hoe de website gebruikt wordt, zodat wij ze kunnen verbeteren.
  switch[off]: Google Analytics — Meet het gebruik van de website (bezochte pagina's, herkomst, toestel).
  switch[off]: Smartlook — Neemt op hoe bezoekers de website gebruiken, om fouten te vinden en de website te verbeteren.
switch[off]: Advertentiecookies
text: Maken gerichte advertenties via zoekmachines en marketingplatformen mogelijk.
  switch[off]: Google Ads — Meet het resultaat van onze advertenties bij Google en toont u gerichte advertenties.
  switch[off]: Meta Pixel (Facebook) — Meet het resultaat van onze advertenties op Facebook en Instagram en toont u gerichte advertenties.
  switch[off]: LinkedIn Insight Tag — Meet het resultaat van onze advertenties op LinkedIn en toont u gerichte advertenties.
switch[off]: Social media cookies
text: Laten u onze pagina's delen via social media, met de knoppen van die platformen.
  switch[off]: Facebook- en LinkedIn-knoppen — Toont de deelknoppen van Facebook en LinkedIn; die platformen kunnen daarbij cookies plaatsen.
button: Keuze opslaan
`
	if got != want {
		t.Errorf("the banner reads\n%s\nwant\n%s", got, want)
	}
}

// The settings form also names each vendor's company and cookies, as terms
// with their descriptions.
func TestReadShownText_ReadsATermWithItsDescriptionOnOneLine(t *testing.T) {
	got := lines(readShown(t, testdata(t, "settings-nl.html")))
	for _, want := range []string{
		"  switch[off]: Google Analytics — Meet het gebruik van de website (bezochte pagina's, herkomst, toestel).\n  text: Bedrijf: Google, US (Privacy Shield)\n  text: Cookies: _ga (2 jaar), _ga_* (2 jaar), _gid (1 dag), _gat* (1 minuut)\n",
		"  text: Cookies: li_* (3 maanden), _li_* (3 maanden), ln_or (1 dag)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the settings form lacks\n%s\nit reads\n%s", want, got)
		}
	}
}

// A switch is named by its label wherever the label stands (before it,
// after it, around it), and read as it was shown: on, off, or fixed.
func TestReadShownText_NamesEachSwitchByItsLabelAndSaysHowItWasShown(t *testing.T) {
	got := lines(readShown(t, `<form>
		<label for="a">Eerst het label</label> <input type="checkbox" id="a" name="x" value="1" checked>
		<input type="checkbox" id="b" name="x" value="2"><label for="b"><b>Daarna</b> het label</label>
		<label><input type="checkbox" name="y" value="3" checked disabled> Eromheen</label>
		<input type="radio" name="z" value="zonder-label">
	</form>`))
	want := `switch[on]: Eerst het label
switch[off]: Daarna — het label
switch[always on]: Eromheen
switch[off]: zonder-label
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// What a visitor never reads is not read: hidden fields and elements,
// scripts, styles, comments; a caption repeated by the switch after it is
// read once.
func TestReadShownText_LeavesOutWhatNobodyReads(t *testing.T) {
	got := lines(readShown(t, `<section><!-- a note for developers -->
		<script>var secret = 1;</script><style>p { color: red }</style>
		<input type="hidden" name="return_to" value="/geheim">
		<p hidden>Verborgen</p><p aria-hidden="true">Ook verborgen</p>
		<fieldset><legend>Statistieken</legend>
		<input type="checkbox" id="s" name="category" value="analytics"><label for="s">Statistieken</label></fieldset>
		<template><p>Sjabloon</p></template>
		<p>Zichtbaar<br>over twee regels</p>
		<button type="submit">Bewaren</button><input type="submit" value="Alles weigeren">
	</section>`))
	want := `switch[off]: Statistieken
text: Zichtbaar over twee regels
button: Bewaren
button: Alles weigeren
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Lists keep their depth and their items; tables are read a row a line;
// markup written as text stays text.
func TestReadShownText_ReadsListsTablesAndTextThatLooksLikeMarkup(t *testing.T) {
	got := lines(readShown(t, `<ul><li>Een</li><li>Twee<ul><li>Twee a</li></ul></li></ul>
		<table><tr><th>Naam</th><th>Duur</th></tr><tr><td><code>_ga</code></td><td>2 jaar</td></tr></table>
		<p>&lt;img src=x onerror=alert(1)&gt;</p>`))
	want := `  item: Een
  item: Twee
    item: Twee a
text: Naam | Duur
text: _ga | 2 jaar
text: <img src=x onerror=alert(1)>
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestShownText_OfferedListsWhatTheSwitchesOfAFieldOffered(t *testing.T) {
	st := readShown(t, testdata(t, "banner-gpc-nl.html"))
	if got := strings.Join(st.Offered("category"), ","); got != "analytics,advertising,social" {
		t.Errorf("categories offered: %s", got)
	}
	if got := strings.Join(st.Offered("vendor"), ","); got != "google-analytics,smartlook,google-ads,meta-pixel,linkedin-insight,social-widgets" {
		t.Errorf("vendors offered: %s", got)
	}
	if empty := readShown(t, ""); len(empty.Blocks) != 0 || empty.Offered("vendor") != nil {
		t.Errorf("an empty text reads %+v", empty)
	}
}
