package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"conpro/internal/locale"
	"conpro/internal/media"
	"conpro/internal/page"
)

// PagesListView is the staff's list of the company's pages.
type PagesListView struct {
	Pages []page.Page
	// Done is the message ID of what was just done; empty for none.
	Done string
}

// PageEditView is the page form: as typed (or as kept), its errors, and
// the photos of the library to choose from.
type PageEditView struct {
	// Page is the page edited; its ID is 0 for a new page, not kept yet.
	Page   page.Page
	Form   page.Form
	Errors page.FieldErrors
	Photos []media.Photo
	// Done is the message ID of what was just done; empty for none.
	Done string
}

// PageConfirmView asks once more before a page goes online or offline.
type PageConfirmView struct {
	Page page.Page
	// Offline asks about taking the page offline; otherwise publishing.
	Offline bool
	// Address is the page's public address, as visitors type it.
	Address string
}

// PageRevisionsView lists a page's revisions.
type PageRevisionsView struct {
	Page      page.Page
	Revisions []page.Revision
}

// SitePageView is one of the company's pages as visitors see it.
type SitePageView struct {
	Text page.Text
	// Lang is the language of Text; DutchOnly says the visitor asked for
	// another, which the page has no translation in.
	Lang      string
	DutchOnly bool
	Photo     *media.Photo
	// PreviewOf is the page a staff preview shows; 0 for visitors.
	// PreviewLangs are the languages the preview can show the page in.
	PreviewOf    int64
	PreviewLangs []string
}

// previewLangURL is the preview of the page in lang.
func (v SitePageView) previewLangURL(lang string) templ.SafeURL {
	return templ.SafeURL(string(pageURL(v.PreviewOf, "voorbeeld")) + "?taal=" + lang)
}

func pageURL(id int64, action string) templ.SafeURL {
	u := "/admin/paginas/" + strconv.FormatInt(id, 10)
	if action != "" {
		u += "/" + action
	}
	return templ.SafeURL(u)
}

func (v PageEditView) action() templ.SafeURL {
	if v.Page.ID == 0 {
		return "/admin/paginas/nieuw"
	}
	return pageURL(v.Page.ID, "")
}

// langFields are the fields of the page in one language.
func (v PageEditView) langFields(lang string) []Field {
	t := v.Form.Texts[lang]
	translation := lang != "nl"
	attrs := func(a templ.Attributes) templ.Attributes {
		if translation {
			a["lang"] = lang
		}
		return a
	}
	suffix := ""
	if translation {
		suffix = "Translation"
	}
	return []Field{
		{Name: page.Field(page.FieldTitle, lang), Label: "PageTitle", Value: t.Title, Type: "text", Optional: translation,
			Attrs: attrs(templ.Attributes{"maxlength": strconv.Itoa(page.MaxTitle), "autocomplete": "off"})},
		{Name: page.Field(page.FieldIntro, lang), Label: "PageIntro", Hint: "PageIntroHint", Value: t.Intro, Type: "textarea", Rows: 3, Optional: true,
			Attrs: attrs(templ.Attributes{"maxlength": strconv.Itoa(page.MaxIntro)})},
		{Name: page.Field(page.FieldBody, lang), Label: "PageBody", Hint: "PageBodyHint" + suffix, Value: t.Body, Type: "textarea", Rows: 16, Optional: translation,
			Attrs: attrs(templ.Attributes{"spellcheck": "true", "class": "policy-source"})},
		{Name: page.Field(page.FieldDescription, lang), Label: "PageDescription", Hint: "PageDescriptionHint", Value: t.Description, Type: "textarea", Rows: 2, Optional: translation,
			Attrs: attrs(templ.Attributes{"maxlength": strconv.Itoa(page.MaxDescription)})},
	}
}

// fields are every field of the form, in order, with their errors; the
// first one in error takes the focus.
func (v PageEditView) fields() []Field {
	f := []Field{{Name: page.FieldSlug, Label: "PageSlug", Hint: "PageSlugHint", Value: v.Form.Slug, Type: "text",
		Attrs: templ.Attributes{"maxlength": strconv.Itoa(page.MaxSlug), "autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}}}
	f = append(f, v.langFields("nl")...)
	f = append(f, Field{Name: page.FieldPhoto, Label: "PagePhoto", Value: v.Form.Photo, Optional: true})
	f = append(f, v.langFields("fr")...)
	f = append(f, v.langFields("en")...)
	for i := range f {
		f[i].Error = v.Errors[f[i].Name]
	}
	return focusFirstError(f)
}

// field returns the field named name of fields.
func field(fields []Field, name string) Field {
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	return Field{Name: name}
}

// translationOpen says whether a translation's section starts open: it
// holds text, or an error.
func (v PageEditView) translationOpen(lang string) bool {
	if !v.Form.Texts[lang].Empty() {
		return true
	}
	for name := range v.Errors {
		if len(name) > 3 && name[len(name)-3:] == "_"+lang {
			return true
		}
	}
	return false
}

// pageState says where a page stands, in words.
func pageState(ctx context.Context, p page.Page) string {
	if p.Pending() {
		return T(ctx, "PageStatePending")
	}
	return T(ctx, "PageState_"+string(p.State))
}

// pageTitle is the page's Dutch title.
func pageTitle(p page.Page) string { return p.Texts["nl"].Title }

// photoIDString is the value of a photo's choice.
func photoIDString(id int64) string { return strconv.FormatInt(id, 10) }

// excerpt is the start of a text, for a list.
func excerpt(s string) string {
	const n = 200
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// revisionLanguages names the languages a revision is written in, each in
// its own language.
func revisionLanguages(r page.Revision) string {
	var names []string
	for _, l := range page.Languages {
		if _, ok := r.In(l); ok {
			names = append(names, languageName(locale.Lang(l)))
		}
	}
	return strings.Join(names, ", ")
}
