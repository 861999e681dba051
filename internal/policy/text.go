package policy

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"conpro/internal/consent"
)

// Status says whether a stored text is still being written (a draft, which
// staff may change) or was published (frozen for good).
type Status string

const (
	Draft     Status = "draft"
	Published Status = "published"
)

// ErrPublished is returned for a change to a version that was published:
// published texts never change; a new version replaces them.
var ErrPublished = errors.New("policy version already published")

// DeclarationMarker is the line of Markdown where the generated cookie
// declaration goes, and PartiesMarker the line where the table of the
// services the site uses goes (made from the consent registry when the
// version is published, and frozen with it). In a rendered body,
// DeclarationSlot stands where the declaration goes: the current version
// shows the declaration of today there.
const (
	DeclarationMarker = "[[cookietabel]]"
	PartiesMarker     = "[[partijen]]"
	DeclarationSlot   = "<!--[[cookietabel]]-->"
)

// Text is a version of the policy as the database keeps it: a draft, or a
// published version with its frozen rendering.
type Text struct {
	// ID names a stored text in the staff area, draft or not; Number is the
	// version number, given when it is published (0 for a draft).
	ID     int64
	Number int
	Status Status
	// Markdown is the Dutch text, which prevails; MarkdownFR and MarkdownEN
	// are the staff's translations (empty: none).
	Markdown, MarkdownFR, MarkdownEN string
	// Summary says what changed, for visitors.
	Summary string
	// EffectiveOn is the Belgian calendar day the version takes effect, as
	// midnight UTC; zero for a draft without one.
	EffectiveOn time.Time
	// Rendered is what visitors see, per language ("nl", "fr", "en"),
	// frozen at publication.
	Rendered map[string]Rendered
	Digest   [32]byte

	CreatedAt, UpdatedAt, PublishedAt time.Time
	// PublishedBy is who published it: a staff address, or the server's
	// console.
	PublishedBy string
}

// Rendered is a version as visitors see it in one language.
type Rendered struct {
	Title string    `json:"title"`
	TOC   []Heading `json:"toc"`
	// Body is the HTML of the text under its title: the introduction and
	// each section, with DeclarationSlot where the cookie declaration goes.
	Body string `json:"body"`
}

// Heading is a section of the text as the table of contents links it.
type Heading struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Scheduled reports whether a published version waits for its date.
func (t Text) Scheduled(today time.Time) bool {
	return t.Status == Published && t.EffectiveOn.After(today)
}

// In returns the rendering in language lang and whether it is a
// translation; without one in that language, the Dutch text.
func (t Text) In(lang string) (Rendered, bool) {
	if lang != "nl" {
		if r, ok := t.Rendered[lang]; ok {
			return r, true
		}
	}
	return t.Rendered["nl"], false
}

// HasTranslation reports whether the version carries a translation in lang.
func (t Text) HasTranslation(lang string) bool {
	_, ok := t.Rendered[lang]
	return lang != "nl" && ok
}

// Current returns the version in force on the Belgian calendar day today
// (midnight UTC): the newest published version whose day has come.
// versions holds published versions in any order.
func Current(versions []Text, today time.Time) (Text, bool) {
	var cur Text
	found := false
	for _, v := range versions {
		if v.Status != Published || v.EffectiveOn.After(today) {
			continue
		}
		if !found || v.Number > cur.Number {
			cur, found = v, true
		}
	}
	return cur, found
}

// Previous returns the published version in force before v (the newest
// with a smaller number), if any.
func Previous(versions []Text, v Text) (Text, bool) {
	var prev Text
	found := false
	for _, o := range versions {
		if o.Status == Published && o.Number < v.Number && (!found || o.Number > prev.Number) {
			prev, found = o, true
		}
	}
	return prev, found
}

// DigestOf is the digest of a Markdown version: a SHA-256 over everything
// it publishes. (Version 2, written as Go, keeps the digest of Version.)
func DigestOf(t Text) [32]byte {
	doc := struct {
		Number                           int
		Date                             string
		Summary                          string
		Markdown, MarkdownFR, MarkdownEN string
		Rendered                         map[string]Rendered
	}{t.Number, t.EffectiveOn.Format(time.DateOnly), t.Summary, t.Markdown, t.MarkdownFR, t.MarkdownEN, t.Rendered}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // strings, ints and maps of them
	}
	return sha256.Sum256(b)
}

// The limits of what staff type.
const (
	MaxText    = 200_000
	MaxSummary = 500
)

// The fields of the editor's form, as the page and its errors name them.
const (
	FieldText      = "tekst"
	FieldTextFR    = "tekst_fr"
	FieldTextEN    = "tekst_en"
	FieldSummary   = "samenvatting"
	FieldEffective = "geldig_vanaf"
)

// Form is the editor's form as typed.
type Form struct {
	Markdown, MarkdownFR, MarkdownEN, Summary, EffectiveOn string
}

// FieldErrors maps each field that cannot be used to the message ID that
// says why.
type FieldErrors map[string]string

// FormOf returns a text's fields as the editor shows them.
func FormOf(t Text) Form {
	f := Form{Markdown: t.Markdown, MarkdownFR: t.MarkdownFR, MarkdownEN: t.MarkdownEN, Summary: t.Summary}
	if !t.EffectiveOn.IsZero() {
		f.EffectiveOn = t.EffectiveOn.Format(time.DateOnly)
	}
	return f
}

// CheckDraft checks what a draft may hold: a text with a title, within the
// limits, and a date that is a date (or none yet). It returns the draft's
// fields read.
func (f Form) CheckDraft() (Text, FieldErrors) {
	errs := FieldErrors{}
	t := Text{Status: Draft, Markdown: normalise(f.Markdown), MarkdownFR: normalise(f.MarkdownFR), MarkdownEN: normalise(f.MarkdownEN), Summary: strings.TrimSpace(f.Summary)}
	checkText := func(field, text string, required bool) {
		switch {
		case text == "" && required:
			errs[field] = "PolicyErrTextEmpty"
		case text == "":
		case utf8.RuneCountInString(text) > MaxText:
			errs[field] = "PolicyErrTextLong"
		case TitleOf(text) == "":
			errs[field] = "PolicyErrTitle"
		}
	}
	checkText(FieldText, t.Markdown, true)
	checkText(FieldTextFR, t.MarkdownFR, false)
	checkText(FieldTextEN, t.MarkdownEN, false)
	if utf8.RuneCountInString(t.Summary) > MaxSummary {
		errs[FieldSummary] = "PolicyErrSummaryLong"
	}
	if d := strings.TrimSpace(f.EffectiveOn); d != "" {
		day, err := time.Parse(time.DateOnly, d)
		if err != nil || day.Year() < 2000 || day.Year() > 9999 {
			errs[FieldEffective] = "PolicyErrDate"
		} else {
			t.EffectiveOn = day
		}
	}
	return t, errs
}

// CheckPublish checks what publishing needs besides a valid draft: a
// summary for visitors and a day that is today or later (Belgian calendar
// day, midnight UTC) and not before the day of the newest version already
// published (notBefore, see LatestDay). A version cannot take effect in the
// past: visitors consented to the text in force then; nor before a version
// published earlier: numbers follow days, so a scheduled version is never
// skipped or cut short by a later one.
func CheckPublish(t Text, today, notBefore time.Time) FieldErrors {
	errs := FieldErrors{}
	if strings.Contains(t.Markdown, ReviewMarker) {
		errs[FieldText] = "PolicyErrReview"
	}
	if t.Summary == "" {
		errs[FieldSummary] = "PolicyErrSummaryEmpty"
	}
	switch {
	case t.EffectiveOn.IsZero():
		errs[FieldEffective] = "PolicyErrDateEmpty"
	case t.EffectiveOn.Before(today):
		errs[FieldEffective] = "PolicyErrDatePast"
	case t.EffectiveOn.Before(notBefore):
		errs[FieldEffective] = "PolicyErrDateBeforeScheduled"
	}
	return errs
}

// LatestDay is the day the newest of the published versions takes effect
// (zero without any): a new version takes effect that day or later.
func LatestDay(versions []Text) time.Time {
	var day time.Time
	for _, v := range versions {
		if v.Status == Published && v.EffectiveOn.After(day) {
			day = v.EffectiveOn
		}
	}
	return day
}

// normalise writes line ends as \n and drops trailing blank space.
func normalise(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimRightFunc(s, unicode.IsSpace)
}

// TitleOf returns the text's title: its first line, written "# Title".
func TitleOf(markdown string) string {
	for line := range strings.SplitSeq(markdown, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if title, ok := strings.CutPrefix(line, "# "); ok {
			return strings.TrimSpace(title)
		}
		return ""
	}
	return ""
}

// reservedIDs are the page's own anchors, which no section may take.
var reservedIDs = map[string]bool{
	"policy-title": true, "toc-title": true, "cookieverklaring": true, "inhoud": true,
	"wijzigingen": true, "deze-website": true,
}

// Slugs gives section titles stable anchors: lower case, words joined by
// hyphens; the same title keeps its anchor from one version to the next
// (version 2's sections keep theirs). A repeated or reserved anchor gets a
// number.
type Slugs map[string]bool

// Slug returns the anchor of a section titled title.
func (s Slugs) Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	base := b.String()
	if base == "" {
		base = "sectie"
	}
	id := base
	for n := 2; s[id] || reservedIDs[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	s[id] = true
	return id
}

// ErrIncomplete is returned for a draft that cannot be published yet: it
// lacks a summary, or a day that is not past (CheckPublish says which).
var ErrIncomplete = errors.New("policy draft not ready to publish")

// Publish readies a draft, numbered by the store, for publication on the
// Belgian day today (not before notBefore, see CheckPublish) by who (a staff address or the server's console):
// each text rendered as visitors will read it (render; the services'
// table as it is now), frozen with its digest.
func Publish(t Text, today, notBefore time.Time, who string, render func(markdown string) Rendered) (Text, error) {
	if t.Status != Draft {
		return t, ErrPublished
	}
	if errs := CheckPublish(t, today, notBefore); len(errs) > 0 {
		return t, ErrIncomplete
	}
	t.Status, t.PublishedBy = Published, who
	t.Rendered = map[string]Rendered{"nl": render(t.Markdown)}
	if t.MarkdownFR != "" {
		t.Rendered["fr"] = render(t.MarkdownFR)
	}
	if t.MarkdownEN != "" {
		t.Rendered["en"] = render(t.MarkdownEN)
	}
	t.Digest = DigestOf(t)
	return t, nil
}

// PartyRows are the rows of the table of services (PartiesMarker): each
// party the site loads, with its category, where it is established and on
// what basis, and its service.
func PartyRows(vendors []consent.Vendor) [][]string {
	rows := make([][]string, 0, len(vendors))
	for _, v := range vendors {
		rows = append(rows, []string{v.Party, v.Category.PolicyLabel(), v.Location, v.Service})
	}
	return rows
}
