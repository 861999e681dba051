// Package project holds the rules of the company's projects
// ("realisaties"): what a project says (title, place, year, kind of work,
// description, photos with captions) in each language, its address (the
// slug), what a save needs and what a publication needs.
package project

import (
	"errors"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"conpro/internal/locale"
	"conpro/internal/media"
)

// Errors callers branch on.
var (
	// ErrNotFound: no project by that number or slug (or not published).
	ErrNotFound = errors.New("no such project")
	// ErrSlugTaken: another project has the slug.
	ErrSlugTaken = errors.New("slug already used by another project")
	// ErrUnknownPhoto: a chosen photo is not (any more) in the library.
	ErrUnknownPhoto = errors.New("photo not in the library")
)

// Kind is the kind of work a project was.
type Kind string

// The kinds of work, in the order staff choose from.
const (
	KindNewBuild   Kind = "nieuwbouw"
	KindRenovation Kind = "renovatie"
	KindConversion Kind = "verbouwing"
	KindFacade     Kind = "gevel"
	KindRoof       Kind = "dak"
	KindOther      Kind = "andere"
)

// Kinds lists every kind of work.
func Kinds() []Kind {
	return []Kind{KindNewBuild, KindRenovation, KindConversion, KindFacade, KindRoof, KindOther}
}

// Known reports whether k is one of Kinds.
func (k Kind) Known() bool { return slices.Contains(Kinds(), k) }

// Limits of what a project holds, in characters (photos in number).
const (
	MaxTitle       = 120
	MaxSlug        = 80
	MaxPlace       = 80
	MaxDescription = 20000
	MaxMeta        = 160
	MaxCaption     = 250
	MaxPhotos      = 30
	// FirstYear is the earliest year a project may have.
	FirstYear = 1950
)

// Text is what a project says in one language.
type Text struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	// Meta is the meta description search engines show; empty: one is
	// made from the description.
	Meta string `json:"meta,omitempty"`
}

// Photo is a photo of the library in a project, with its caption per
// language (Dutch required when there is a caption in another language is
// not asked: a photo may have no caption). The library's alt text stays
// the photo's alt.
type Photo struct {
	media.Photo
	Captions map[locale.Lang]string
}

// Caption returns the caption in language l, or the Dutch one.
func (p Photo) Caption(l locale.Lang) string {
	if c := p.Captions[l]; c != "" {
		return c
	}
	return p.Captions[locale.NL]
}

// Project is a project as stored.
type Project struct {
	ID    int64
	Slug  string
	Place string
	Year  int
	Kind  Kind
	// Texts holds the texts per language: Dutch always, French and
	// English where written.
	Texts  map[locale.Lang]Text
	Photos []Photo
	// PublishedAt is when the project was published; zero for a draft.
	PublishedAt time.Time
	UpdatedAt   time.Time
}

// Published reports whether visitors see the project.
func (p Project) Published() bool { return !p.PublishedAt.IsZero() }

// Text returns the text in language l, falling back to Dutch field by
// field (a French title with no French description shows the Dutch one).
func (p Project) Text(l locale.Lang) Text {
	nl, t := p.Texts[locale.NL], p.Texts[l]
	if t.Title == "" {
		t.Title = nl.Title
	}
	if t.Description == "" {
		t.Description = nl.Description
	}
	if t.Meta == "" {
		t.Meta = nl.Meta
	}
	return t
}

// MetaDescription is what search engines show for the project in language
// l: the meta description written, or the start of the description.
func (p Project) MetaDescription(l locale.Lang) string {
	t := p.Text(l)
	if t.Meta != "" {
		return t.Meta
	}
	return Summary(t.Description, MaxMeta)
}

// Summary is the first words of a Markdown text, plain, at most max
// characters.
func Summary(markdown string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range markdown {
		switch {
		case strings.ContainsRune("#*_`>[]()|!", r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	s := b.String()
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := []rune(s)[:max-1]
	if i := strings.LastIndexByte(string(cut), ' '); i > max/2 {
		return string(cut)[:i] + "…"
	}
	return string(cut) + "…"
}

// FirstPhoto returns the project's first photo.
func (p Project) FirstPhoto() (Photo, bool) {
	if len(p.Photos) == 0 {
		return Photo{}, false
	}
	return p.Photos[0], true
}

// Errors maps a form field to the message ID that says what is wrong.
type Errors map[string]string

// Field names of the project form, shared by the rules and the form.
const (
	FieldSlug   = "slug"
	FieldPlace  = "plaats"
	FieldYear   = "jaar"
	FieldKind   = "soort"
	FieldPhotos = "fotos"
)

// FieldTitle, FieldDescription and FieldMeta name a language's fields
// ("titel_nl"); FieldCaption a photo's caption ("onderschrift_nl_12").
func FieldTitle(l locale.Lang) string       { return "titel_" + string(l) }
func FieldDescription(l locale.Lang) string { return "beschrijving_" + string(l) }
func FieldMeta(l locale.Lang) string        { return "meta_" + string(l) }
func FieldCaption(l locale.Lang, photo int64) string {
	return "onderschrift_" + string(l) + "_" + strconv.FormatInt(photo, 10)
}

// Input is a project as staff typed it, before checking.
type Input struct {
	Slug, Place, Year, Kind string
	Texts                   map[locale.Lang]Text
	// Photos are the chosen photos, in their order, with their captions.
	Photos []PhotoChoice
}

// PhotoChoice is a chosen photo of the library: its place as typed (a
// number; empty: after the numbered ones) and its captions.
type PhotoChoice struct {
	ID       int64
	Order    string
	Captions map[locale.Lang]string
}

// FieldOrder names a photo's place field ("volgorde_12").
func FieldOrder(photo int64) string { return "volgorde_" + strconv.FormatInt(photo, 10) }

// Check turns what was typed into a project, or says per field what is
// wrong (Dutch message IDs). A slug left empty is made from the Dutch
// title. now gives the year a project may not be later than (next year:
// a project finishing soon).
func Check(in Input, now time.Time) (Project, Errors) {
	errs := Errors{}
	p := Project{Texts: map[locale.Lang]Text{}}
	for _, l := range locale.Langs() {
		t := in.Texts[l]
		t = Text{Title: oneLine(t.Title), Description: strings.TrimSpace(strings.ReplaceAll(t.Description, "\r\n", "\n")), Meta: oneLine(t.Meta)}
		required := l == locale.NL
		switch {
		case t.Title == "" && required:
			errs[FieldTitle(l)] = "ProjectErrTitle"
		case utf8.RuneCountInString(t.Title) > MaxTitle:
			errs[FieldTitle(l)] = "ProjectErrTitleTooLong"
		}
		switch {
		case t.Description == "" && required:
			errs[FieldDescription(l)] = "ProjectErrDescription"
		case utf8.RuneCountInString(t.Description) > MaxDescription:
			errs[FieldDescription(l)] = "ProjectErrDescriptionTooLong"
		}
		if utf8.RuneCountInString(t.Meta) > MaxMeta {
			errs[FieldMeta(l)] = "ProjectErrMetaTooLong"
		}
		if !required && t.Title == "" && (t.Description != "" || t.Meta != "") {
			errs[FieldTitle(l)] = "ProjectErrTitleTranslation"
		}
		if t != (Text{}) {
			p.Texts[l] = t
		}
	}

	slug := strings.TrimSpace(in.Slug)
	if slug == "" {
		slug = Slugify(p.Texts[locale.NL].Title)
	}
	switch {
	case slug == "" && in.Slug == "" && p.Texts[locale.NL].Title == "":
		// The title's message says it.
	case utf8.RuneCountInString(slug) > MaxSlug:
		errs[FieldSlug] = "ProjectErrSlugTooLong"
	case !ValidSlug(slug):
		errs[FieldSlug] = "ProjectErrSlug"
	}
	p.Slug = slug

	p.Place = oneLine(in.Place)
	switch {
	case p.Place == "":
		errs[FieldPlace] = "ProjectErrPlace"
	case utf8.RuneCountInString(p.Place) > MaxPlace:
		errs[FieldPlace] = "ProjectErrPlaceTooLong"
	}

	year, err := strconv.Atoi(strings.TrimSpace(in.Year))
	switch {
	case strings.TrimSpace(in.Year) == "":
		errs[FieldYear] = "ProjectErrYear"
	case err != nil || year < FirstYear || year > now.Year()+1:
		errs[FieldYear] = "ProjectErrYearRange"
	}
	p.Year = year

	p.Kind = Kind(in.Kind)
	if !p.Kind.Known() {
		errs[FieldKind] = "ProjectErrKind"
	}

	if len(in.Photos) > MaxPhotos {
		errs[FieldPhotos] = "ProjectErrTooManyPhotos"
	}
	// The photos in the order typed; a photo without a number keeps its
	// place after the numbered ones.
	chosen := slices.Clone(in.Photos)
	place := func(c PhotoChoice) int {
		n, err := strconv.Atoi(strings.TrimSpace(c.Order))
		if err != nil {
			return 1 << 30
		}
		return n
	}
	for _, c := range chosen {
		if o := strings.TrimSpace(c.Order); o != "" {
			if n, err := strconv.Atoi(o); err != nil || n < 1 || n > 999 {
				errs[FieldOrder(c.ID)] = "ProjectErrOrder"
			}
		}
	}
	slices.SortStableFunc(chosen, func(a, b PhotoChoice) int { return place(a) - place(b) })
	for _, c := range chosen {
		ph := Photo{Photo: media.Photo{ID: c.ID}, Captions: map[locale.Lang]string{}}
		for _, l := range locale.Langs() {
			caption := oneLine(c.Captions[l])
			if utf8.RuneCountInString(caption) > MaxCaption {
				errs[FieldCaption(l, c.ID)] = "ProjectErrCaptionTooLong"
			}
			if caption != "" {
				ph.Captions[l] = caption
			}
		}
		p.Photos = append(p.Photos, ph)
	}
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

// CheckPublish says what a project still needs before visitors see it: a
// photo to show in the list (message ID; empty when it may be published).
func CheckPublish(p Project) string {
	if len(p.Photos) == 0 {
		return "ProjectErrPublishNoPhoto"
	}
	return ""
}

// oneLine is a single-line field as typed: trimmed, its line breaks and
// tabs spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// ValidSlug reports whether s may be a project's address: lowercase
// letters and digits in words joined by single hyphens.
func ValidSlug(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Slugify makes an address from a title: "Renovatie rijwoning,
// Berchem (2024)" becomes "renovatie-rijwoning-berchem-2024"; accents are
// dropped (é → e), anything else but letters and digits separates words.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == 'ß':
			b.WriteString("ss")
		case r == 'æ':
			b.WriteString("ae")
		case r == 'ø':
			b.WriteByte('o')
		default:
			dash = true
		}
		if b.Len() >= MaxSlug {
			break
		}
	}
	s := b.String()
	if len(s) > MaxSlug {
		s = strings.TrimRight(s[:MaxSlug], "-")
	}
	return s
}

// Sort orders published projects as visitors see them: newest year
// first, then the latest published.
func Sort(list []Project) {
	slices.SortStableFunc(list, func(a, b Project) int {
		if a.Year != b.Year {
			return b.Year - a.Year
		}
		return b.PublishedAt.Compare(a.PublishedAt)
	})
}

// Revision names the state of a list of published projects: it changes
// whenever a project is published, unpublished or changed (its
// UpdatedAt), or loses a photo, so that pages made from an older list are
// not served (the page cache keys on it).
func Revision(list []Project) uint64 {
	h := fnv.New64a()
	var buf []byte
	for _, p := range list {
		buf = strconv.AppendInt(buf[:0], p.ID, 10)
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, p.UpdatedAt.UnixNano(), 10)
		for _, ph := range p.Photos {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, ph.ID, 10)
		}
		buf = append(buf, ';')
		_, _ = h.Write(buf)
	}
	return h.Sum64()
}
