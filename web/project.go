package web

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"conpro/internal/company"
	"conpro/internal/locale"
	"conpro/internal/media"
	"conpro/internal/project"
)

// ProjectCard is a project as the list and the home page show it: its
// first photo, title, place, year and kind.
type ProjectCard struct {
	Href, Title, Place string
	Year               int
	Kind               project.Kind
	Photo              media.Photo
}

// projectKind names a kind of work in the reader's language.
func projectKind(ctx context.Context, k project.Kind) string {
	return T(ctx, "ProjectKind_"+string(k))
}

// ProjectView is a project's page as the reader's language shows it.
type ProjectView struct {
	Title, Place, Description string
	Year                      int
	Kind                      project.Kind
	Photos                    []ProjectPhoto
	// Preview marks the staff's preview: a line says so, with the way
	// back to the project's form.
	Preview bool
	ID      int64
}

// ProjectPhoto is a photo of a project with its caption in the reader's
// language.
type ProjectPhoto struct {
	Photo   media.Photo
	Caption string
}

// NewProjectView makes a project's page in the language of ctx.
func NewProjectView(ctx context.Context, p project.Project, preview bool) ProjectView {
	l := locale.LangOf(ctx)
	t := p.Text(l)
	v := ProjectView{Title: t.Title, Place: p.Place, Description: t.Description, Year: p.Year, Kind: p.Kind, Preview: preview, ID: p.ID}
	for _, ph := range p.Photos {
		v.Photos = append(v.Photos, ProjectPhoto{Photo: ph.Photo, Caption: ph.Caption(l)})
	}
	return v
}

// ShareImage is the path of the variant of a photo that Open Graph names:
// the widest JPEG (every site that shows shared links reads JPEG).
func ShareImage(p media.Photo) (string, bool) {
	v := p.Largest(media.TypeJPEG)
	if v.Width == 0 {
		return "", false
	}
	return v.Path(p.ID), true
}

// projectSizes is how wide a photo of the project list is shown: one
// column on a phone, two on a tablet, three from 60rem (a 72rem wrap).
const projectCardSizes = "(min-width: 60rem) 23rem, (min-width: 40rem) 50vw, 100vw"

// projectPhotoSizes is how wide a project's photos are shown: the page's
// width up to the wrap, the ones after the first in two columns.
const (
	projectLeadSizes  = "(min-width: 72rem) 69rem, 100vw"
	projectOtherSizes = "(min-width: 72rem) 34rem, (min-width: 40rem) 50vw, 100vw"
)

// LocalBusiness is the home page's structured data (schema.org, JSON-LD):
// the company as a local business and general contractor, with its
// address, phone, e-mail and site, and its company number and opening
// hours where they are configured.
func LocalBusiness(ctx context.Context, details company.Details, siteURL string) templ.Component {
	place := company.PlaceIn(locale.NL)
	data := map[string]any{
		"@context":  "https://schema.org",
		"@type":     []string{"LocalBusiness", "GeneralContractor"},
		"@id":       siteURL + "#bedrijf",
		"name":      company.Name,
		"url":       siteURL,
		"telephone": strings.TrimPrefix(company.PhoneURI, "tel:"),
		"email":     company.Email,
		"address": map[string]any{
			"@type":           "PostalAddress",
			"streetAddress":   company.Street,
			"postalCode":      company.PostalCode,
			"addressLocality": place.Locality,
			"addressCountry":  "BE",
		},
	}
	if !details.Number.IsZero() {
		data["identifier"] = map[string]any{"@type": "PropertyValue", "propertyID": "KBO", "value": details.Number.Digits()}
		if id := details.Number.VATID(); id != "" {
			data["vatID"] = id
		}
	}
	if hours, ok := company.OpeningHours(details.OfficeHours); ok {
		data["openingHours"] = hours
	}
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		// encoding/json escapes <, > and & inside strings, so nothing in
		// the data can end the script element.
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, `<script type="application/ld+json">`); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		_, err = io.WriteString(w, `</script>`)
		return err
	})
}

// AdminProjectsView is the staff's list of projects.
type AdminProjectsView struct {
	Projects []project.Project
	// Done is the message ID of what was just done; empty for none.
	Done string
}

// ProjectFormView is the project form: what was typed, what is wrong, and
// the library to choose photos from.
type ProjectFormView struct {
	// ID is the project's number; 0 for a new one.
	ID        int64
	Input     project.Input
	Errors    project.Errors
	Library   []media.Photo
	Published bool
	// Slug is the project's stored address (for the link to its page).
	Slug string
	// Unreadable says the form held characters that cannot be read
	// (shown as �).
	Unreadable bool
	Done       string
}

// ProjectInputOf is a stored project as its form shows it, its photos
// numbered in their order.
func ProjectInputOf(p project.Project) project.Input {
	in := project.Input{Slug: p.Slug, Place: p.Place, Year: strconv.Itoa(p.Year), Kind: string(p.Kind), Texts: p.Texts}
	for i, ph := range p.Photos {
		in.Photos = append(in.Photos, project.PhotoChoice{ID: ph.ID, Order: strconv.Itoa(i + 1), Captions: ph.Captions})
	}
	return in
}

// formPhoto is a photo of the library in the project form: chosen or not,
// with its place and captions as typed.
type formPhoto struct {
	Photo  media.Photo
	Chosen bool
	Choice project.PhotoChoice
}

// photos lists the library for the form: the chosen photos first, in the
// order typed, then the others, newest first.
func (v ProjectFormView) photos() []formPhoto {
	byID := map[int64]media.Photo{}
	for _, p := range v.Library {
		byID[p.ID] = p
	}
	var out []formPhoto
	chosen := map[int64]bool{}
	inOrder := slices.Clone(v.Input.Photos)
	slices.SortStableFunc(inOrder, func(a, b project.PhotoChoice) int { return orderOf(a) - orderOf(b) })
	for _, c := range inOrder {
		if p, ok := byID[c.ID]; ok {
			out = append(out, formPhoto{Photo: p, Chosen: true, Choice: c})
			chosen[c.ID] = true
		}
	}
	for _, p := range v.Library {
		if !chosen[p.ID] {
			out = append(out, formPhoto{Photo: p, Choice: project.PhotoChoice{ID: p.ID}})
		}
	}
	return out
}

// orderOf is a chosen photo's place as typed; one not numbered (or not
// readably) comes after the numbered ones.
func orderOf(c project.PhotoChoice) int {
	n, err := strconv.Atoi(strings.TrimSpace(c.Order))
	if err != nil {
		return 1 << 30
	}
	return n
}

func (v ProjectFormView) text(l locale.Lang) project.Text { return v.Input.Texts[l] }

func (v ProjectFormView) action() templ.SafeURL {
	if v.ID == 0 {
		return "/admin/realisaties/nieuw"
	}
	return projectAdminURL(v.ID, "")
}

func projectAdminURL(id int64, action string) templ.SafeURL {
	u := "/admin/realisaties/" + strconv.FormatInt(id, 10)
	if action != "" {
		u += "/" + action
	}
	return templ.SafeURL(u)
}

// field is a field of the project form with its message as the form
// components draw it.
func (v ProjectFormView) field(name, label, hint, value string, optional bool, typ string, rows int, attrs templ.Attributes) Field {
	return Field{Name: name, Label: label, Hint: hint, Error: v.Errors[name], Value: value, Optional: optional, Type: typ, Rows: rows, Attrs: attrs}
}

// mainFields are the project's fields that do not depend on the
// language, then the Dutch texts; the first with an error takes the focus.
func (v ProjectFormView) dutchFields() []Field {
	nl := v.text(locale.NL)
	fields := []Field{
		v.field(project.FieldTitle(locale.NL), "AdminProjectTitleLabel", "", nl.Title, false, "text", 0, templ.Attributes{"maxlength": itoa(project.MaxTitle), "autocomplete": "off"}),
		v.field(project.FieldSlug, "AdminProjectSlugLabel", "AdminProjectSlugHint", v.Input.Slug, true, "text", 0, templ.Attributes{"maxlength": itoa(project.MaxSlug), "autocomplete": "off", "spellcheck": "false"}),
		v.field(project.FieldPlace, "AdminProjectPlaceLabel", "AdminProjectPlaceHint", v.Input.Place, false, "text", 0, templ.Attributes{"maxlength": itoa(project.MaxPlace), "autocomplete": "off"}),
		v.field(project.FieldYear, "AdminProjectYearLabel", "", v.Input.Year, false, "text", 0, templ.Attributes{"inputmode": "numeric", "maxlength": "4", "autocomplete": "off", "class": "input-short"}),
		v.kindField(),
		v.field(project.FieldDescription(locale.NL), "AdminProjectDescriptionLabel", "AdminProjectDescriptionHint", nl.Description, false, "textarea", 12, templ.Attributes{"maxlength": itoa(project.MaxDescription)}),
		v.field(project.FieldMeta(locale.NL), "AdminProjectMetaLabel", "AdminProjectMetaHint", nl.Meta, true, "text", 0, templ.Attributes{"maxlength": itoa(project.MaxMeta), "autocomplete": "off"}),
	}
	return fields
}

func (v ProjectFormView) kindField() Field {
	f := v.field(project.FieldKind, "AdminProjectKindLabel", "", v.Input.Kind, false, "", 0, nil)
	for _, k := range project.Kinds() {
		f.Choices = append(f.Choices, Choice{Value: string(k), Label: "ProjectKind_" + string(k)})
	}
	return f
}

// translationFields are a language's optional texts.
func (v ProjectFormView) translationFields(l locale.Lang) []Field {
	t := v.text(l)
	return []Field{
		v.field(project.FieldTitle(l), "AdminProjectTitleLabel", "", t.Title, true, "text", 0, templ.Attributes{"maxlength": itoa(project.MaxTitle), "autocomplete": "off", "lang": string(l)}),
		v.field(project.FieldDescription(l), "AdminProjectDescriptionLabel", "", t.Description, true, "textarea", 8, templ.Attributes{"maxlength": itoa(project.MaxDescription), "lang": string(l)}),
		v.field(project.FieldMeta(l), "AdminProjectMetaLabel", "", t.Meta, true, "text", 0, templ.Attributes{"maxlength": itoa(project.MaxMeta), "autocomplete": "off", "lang": string(l)}),
	}
}

// allFields lists every field with an error, in the order of the form,
// for the error summary; the first takes the focus.
func (v ProjectFormView) allFields() []Field {
	fields := v.dutchFields()
	for _, l := range []locale.Lang{locale.FR, locale.EN} {
		fields = append(fields, v.translationFields(l)...)
	}
	if e := v.Errors[project.FieldPhotos]; e != "" {
		fields = append(fields, Field{Name: project.FieldPhotos, Error: e})
	}
	for _, ph := range v.photos() {
		id := ph.Photo.ID
		if e := v.Errors[project.FieldOrder(id)]; e != "" {
			fields = append(fields, Field{Name: project.FieldOrder(id), Error: e})
		}
		for _, l := range locale.Langs() {
			if e := v.Errors[project.FieldCaption(l, id)]; e != "" {
				fields = append(fields, Field{Name: project.FieldCaption(l, id), Error: e})
			}
		}
	}
	return fields
}

// focused returns the fields with the first error marked to take the
// focus, which may be among fields, or not.
func (v ProjectFormView) focused(fields []Field) []Field {
	first := ""
	for _, f := range v.allFields() {
		if f.Error != "" {
			first = f.Name
			break
		}
	}
	out := make([]Field, len(fields))
	copy(out, fields)
	for i := range out {
		out[i].Focus = out[i].Name == first
	}
	return out
}

// translationOpen says whether a language's texts are shown open: when
// they hold something or an error.
func (v ProjectFormView) translationOpen(l locale.Lang) bool {
	t := v.text(l)
	return t != (project.Text{}) || v.Errors[project.FieldTitle(l)] != "" || v.Errors[project.FieldDescription(l)] != "" || v.Errors[project.FieldMeta(l)] != ""
}

// ProjectConfirmView asks once more before publishing or taking offline.
type ProjectConfirmView struct {
	Project   project.Project
	Unpublish bool
	// Missing is the message ID of what publishing still needs.
	Missing string
}

// firstError reports whether name is the form's first field with an error.
func (v ProjectFormView) firstError(name string) bool {
	for _, f := range v.allFields() {
		if f.Error != "" {
			return f.Name == name
		}
	}
	return false
}

// photoAttrs are the attributes of a photo's own control (its place, a
// caption): invalid and pointing at its error, focused when first.
func (v ProjectFormView) photoAttrs(name string) templ.Attributes {
	a := templ.Attributes{}
	if v.Errors[name] != "" {
		a["aria-invalid"] = "true"
		a["aria-describedby"] = name + "-fout"
		if v.firstError(name) {
			a["autofocus"] = true
		}
	}
	return a
}

// otherLangs are the languages besides Dutch.
func otherLangs() []locale.Lang { return []locale.Lang{locale.FR, locale.EN} }
