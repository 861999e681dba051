// Package page holds the rules of the company's own pages ("Over ons",
// "Diensten" …) that staff write at /admin/paginas: what a page's address
// may be, what each language needs, the states a page goes through and its
// revisions. Every save is a revision that is kept; visitors see the
// revision that was published last, at /{slug}.
package page

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors callers branch on.
var (
	// ErrNotFound: no page (or revision) by that number, or no published
	// page at that address.
	ErrNotFound = errors.New("page not found")
	// ErrSlugTaken: another page has the address already.
	ErrSlugTaken = errors.New("page address taken")
)

// State is where a page stands.
type State string

const (
	// Draft: never published; only staff see it.
	Draft State = "draft"
	// Published: visitors see its published revision.
	Published State = "published"
	// Unpublished: it was published, and is no longer.
	Unpublished State = "unpublished"
)

// Languages a page may be written in; Dutch first, which every page has.
var Languages = []string{"nl", "fr", "en"}

// Text is a page in one language.
type Text struct {
	Title string `json:"title"`
	// Intro is an optional sentence or two shown larger above the body.
	Intro string `json:"intro,omitempty"`
	// Body is Markdown (rendered with web.Content).
	Body string `json:"body"`
	// Description is the meta description: what search engines and shared
	// links show under the title.
	Description string `json:"description"`
}

// Empty reports whether nothing was written in the language.
func (t Text) Empty() bool { return t == Text{} }

// Content is what a revision holds: the texts, by language, and the photo.
type Content struct {
	// Texts holds "nl" always, "fr" and "en" when translated.
	Texts map[string]Text
	// PhotoID is a photo of the library; 0 for none.
	PhotoID int64
}

// In returns the text in lang, or the Dutch text and false when the page
// has no translation in lang.
func (c Content) In(lang string) (Text, bool) {
	if t, ok := c.Texts[lang]; ok && !t.Empty() {
		return t, true
	}
	return c.Texts["nl"], lang == "nl"
}

// Page is a page as staff list and edit it: its latest revision.
type Page struct {
	ID    int64
	Slug  string
	State State
	// Position orders the pages in the main navigation, lowest first.
	Position int
	// Revision is the number of the latest revision; PublishedRevision of
	// the one visitors see (0: none).
	Revision, PublishedRevision int
	Content
	UpdatedAt time.Time
	UpdatedBy string
}

// Pending reports whether a published page has changes saved since it was
// published, which visitors do not see yet.
func (p Page) Pending() bool { return p.State == Published && p.Revision != p.PublishedRevision }

// Revision is one kept save of a page.
type Revision struct {
	Number int
	Content
	SavedAt time.Time
	SavedBy string
	// RestoredFrom is the revision this one brought back; 0 for an edit.
	RestoredFrom int
	Published    bool // visitors see this revision now
}

// Live is a published page as visitors see it.
type Live struct {
	ID       int64
	Slug     string
	Position int
	// Revision is the published revision's number.
	Revision int
	Content
	PublishedAt time.Time
}

// Path is the page's address on the site.
func (l Live) Path() string { return "/" + l.Slug }

// Generation names a set of published pages: it changes when any page is
// published, unpublished, moved, renamed or given another revision. Pages
// kept by the page cache key on it (every page shows the navigation).
func Generation(pages []Live) string {
	var b strings.Builder
	for _, p := range pages {
		b.WriteString(strconv.FormatInt(p.ID, 10))
		b.WriteByte('.')
		b.WriteString(strconv.Itoa(p.Revision))
		b.WriteByte('.')
		b.WriteString(p.Slug)
		b.WriteByte(' ')
	}
	return b.String()
}

// Find returns the published page at slug.
func Find(pages []Live, slug string) (Live, bool) {
	for _, p := range pages {
		if p.Slug == slug {
			return p, true
		}
	}
	return Live{}, false
}

// The fields of the page form, as the form and its errors name them. A
// translation's fields end in _fr or _en.
const (
	FieldSlug        = "adres"
	FieldTitle       = "titel"
	FieldIntro       = "inleiding"
	FieldBody        = "tekst"
	FieldDescription = "beschrijving"
	FieldPhoto       = "foto"
)

// Field is the form's name of field in lang.
func Field(field, lang string) string {
	if lang == "nl" {
		return field
	}
	return field + "_" + lang
}

// Limits, in characters.
const (
	MaxSlug        = 60
	MaxTitle       = 120
	MaxIntro       = 500
	MaxBody        = 50_000
	MaxDescription = 300
)

// Form is the page form as typed.
type Form struct {
	Slug string
	// Texts by language, as typed.
	Texts map[string]Text
	// Photo is the chosen photo's number as typed; "" for none.
	Photo string
}

// FormOf is the form of a kept page.
func FormOf(p Page) Form {
	f := Form{Slug: p.Slug, Texts: map[string]Text{}}
	for l, t := range p.Texts {
		f.Texts[l] = t
	}
	if p.PhotoID != 0 {
		f.Photo = strconv.FormatInt(p.PhotoID, 10)
	}
	return f
}

// FieldErrors maps a form field to the message ID that says what is wrong.
type FieldErrors map[string]string

// Rules are what a check needs to know of the site.
type Rules struct {
	// Reserved reports whether an address is one of the site's own
	// (privacy, contact, admin …).
	Reserved func(slug string) bool
	// PhotoExists reports whether the library has a photo by that number.
	PhotoExists func(id int64) bool
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Check turns a form into the slug and content to keep, or says what is
// wrong with each field. Texts are trimmed; a translation is either left
// empty or has a title, a text and a description.
func (f Form) Check(r Rules) (string, Content, FieldErrors) {
	errs := FieldErrors{}
	slug := strings.TrimSpace(f.Slug)
	switch {
	case slug == "":
		errs[FieldSlug] = "PageErrSlugEmpty"
	case utf8.RuneCountInString(slug) > MaxSlug:
		errs[FieldSlug] = "PageErrSlugLong"
	case !slugPattern.MatchString(slug):
		errs[FieldSlug] = "PageErrSlugForm"
	case r.Reserved != nil && r.Reserved(slug):
		errs[FieldSlug] = "PageErrSlugReserved"
	}
	c := Content{Texts: map[string]Text{}}
	for _, lang := range Languages {
		t := f.Texts[lang]
		t = Text{Title: strings.TrimSpace(t.Title), Intro: strings.TrimSpace(t.Intro), Body: strings.TrimSpace(t.Body), Description: strings.TrimSpace(t.Description)}
		if t.Empty() && lang != "nl" {
			continue
		}
		check := func(field, value string, max int, empty, long string) {
			if empty != "" && lang != "nl" {
				empty += "_" + lang // says which translation lacks it
			}
			switch n := utf8.RuneCountInString(value); {
			case n == 0 && empty != "":
				errs[Field(field, lang)] = empty
			case n > max:
				errs[Field(field, lang)] = long
			case strings.ContainsAny(value, "\r\n") && field != FieldBody && field != FieldIntro && field != FieldDescription:
				errs[Field(field, lang)] = "PageErrTitleLine"
			}
		}
		check(FieldTitle, t.Title, MaxTitle, "PageErrTitleEmpty", "PageErrTitleLong")
		check(FieldIntro, t.Intro, MaxIntro, "", "PageErrIntroLong")
		check(FieldBody, t.Body, MaxBody, "PageErrBodyEmpty", "PageErrBodyLong")
		check(FieldDescription, t.Description, MaxDescription, "PageErrDescriptionEmpty", "PageErrDescriptionLong")
		c.Texts[lang] = t
	}
	if p := strings.TrimSpace(f.Photo); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 || r.PhotoExists == nil || !r.PhotoExists(id) {
			errs[FieldPhoto] = "PageErrPhoto"
		} else {
			c.PhotoID = id
		}
	}
	if len(errs) > 0 {
		return "", Content{}, errs
	}
	return slug, c, nil
}

// CanPublish reports whether a page may be published now: a draft, an
// unpublished page, or a published one with changes visitors do not see.
func (p Page) CanPublish() bool { return p.State != Published || p.Pending() }

// CanUnpublish reports whether a page is online.
func (p Page) CanUnpublish() bool { return p.State == Published }

// ReservedBy returns the rule that keeps pages off the site's own
// addresses: the first segment of every route pattern (privacy, contact,
// admin, media, sitemap.xml …), so that the list follows the routes. A
// segment that is a parameter ({slug}) reserves nothing.
func ReservedBy(patterns []string) func(slug string) bool {
	taken := map[string]bool{}
	for _, p := range patterns {
		first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		if first != "" && !strings.ContainsAny(first, "{*") {
			taken[first] = true
		}
	}
	return func(slug string) bool { return taken[slug] }
}
