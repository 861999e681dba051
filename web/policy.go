package web

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"conpro/internal/locale"
	"conpro/internal/policy"
)

// PolicyView is a published version as a visitor reads it.
type PolicyView struct {
	Text policy.Text
	// Rendered is the text in the visitor's language where staff
	// translated it (Translated), else in Dutch.
	Rendered   policy.Rendered
	Translated bool
	// Current is the number of the version in force.
	Current int
	// Declaration is the cookie declaration of today, for the version in
	// force; nil on older versions.
	Declaration *Declaration
	// ChangeNotice says on /privacy that this version replaced another:
	// when, what changed (Text.Summary), and a link to the comparison.
	ChangeNotice bool
	// Diff compares the text with version Previous, on the version's own
	// page; nil for the first version.
	Diff     []policy.DiffLine
	Previous int
	// PreviewOf is the draft a staff member previews; 0 for a visitor.
	PreviewOf int64
}

// NewPolicyView picks the rendering for the visitor's language.
func NewPolicyView(ctx context.Context, t policy.Text, current int) PolicyView {
	r, translated := t.In(string(locale.LangOf(ctx)))
	return PolicyView{Text: t, Rendered: r, Translated: translated, Current: current}
}

// changesURL is where the change notice leads: the comparison on the
// version's page, or in a preview the staff's comparison of the draft.
func (v PolicyView) changesURL() templ.SafeURL {
	if v.PreviewOf != 0 {
		return policyURL(v.PreviewOf, "vergelijken")
	}
	return versionChangesURL(v.Text.Number)
}

// versionChangesURL is the comparison of version n with the one before.
func versionChangesURL(n int) templ.SafeURL {
	if n == 0 {
		return "/privacy/versies"
	}
	return templ.SafeURL("/privacy/versies/" + strconv.Itoa(n) + "#wijzigingen")
}

func (v PolicyView) textLang(ctx context.Context) string {
	if v.Translated {
		return langOf(ctx)
	}
	return "nl"
}

func (v PolicyView) before() string {
	before, _, _ := strings.Cut(v.Rendered.Body, policy.DeclarationSlot)
	return before
}

func (v PolicyView) after() string {
	_, after, _ := strings.Cut(v.Rendered.Body, policy.DeclarationSlot)
	return after
}

// diffShown is what a comparison shows: every line, or only the changed
// ones with the heading of their section before them.
func diffShown(lines []policy.DiffLine, changedOnly bool) []policy.DiffLine {
	if !changedOnly {
		return lines
	}
	var out []policy.DiffLine
	var heading *policy.DiffLine
	for i, l := range lines {
		changed := l.Change != policy.Same || slices.ContainsFunc(l.Words, func(w policy.DiffRun) bool { return w.Change != policy.Same })
		if l.Heading && !changed {
			heading = &lines[i]
			continue
		}
		if !changed {
			continue
		}
		if heading != nil && !l.Heading {
			out = append(out, *heading)
		}
		heading = nil
		out = append(out, l)
	}
	return out
}

func diffClass(l policy.DiffLine) string {
	switch {
	case l.Change == policy.Added:
		return "diff-added"
	case l.Change == policy.Removed:
		return "diff-removed"
	case l.Heading:
		return "diff-heading"
	}
	return "diff-same"
}

func diffMark(l policy.DiffLine) string {
	if slices.ContainsFunc(l.Words, func(w policy.DiffRun) bool { return w.Change != policy.Same }) {
		return "~"
	}
	return ""
}

// previewLangs are the languages a draft's preview can be read in: Dutch,
// and those it has a translation in.
func (v PolicyView) previewLangs() []locale.Lang {
	langs := []locale.Lang{locale.NL}
	for _, l := range []locale.Lang{locale.FR, locale.EN} {
		if v.Text.HasTranslation(string(l)) {
			langs = append(langs, l)
		}
	}
	return langs
}

// previewURL is a draft's preview in language l.
func previewURL(draft int64, l locale.Lang) templ.SafeURL {
	return templ.SafeURL(string(policyURL(draft, "voorbeeld")) + "?taal=" + string(l))
}
