package web

import (
	"strconv"
	"time"

	"github.com/a-h/templ"

	"conpro/internal/policy"
)

// PolicyListView is the staff's list of the policy's versions: the drafts,
// the versions waiting for their day, and the published ones.
type PolicyListView struct {
	Drafts, Scheduled, Published []policy.Text
	// Current is the number of the version in force.
	Current int
	// Done is the message ID of what was just done (to version DoneNumber);
	// empty for none.
	Done       string
	DoneNumber int
}

// PolicyEditView is the editor of a draft: the form as typed (or as kept),
// its errors, and what it starts from.
type PolicyEditView struct {
	// ID is the draft's; 0 for a new draft, not kept yet.
	ID     int64
	Form   policy.Form
	Errors policy.FieldErrors
	// Base is the number of the version in force, which a new draft starts
	// from and a draft is compared with.
	Base int
	// Done is the message ID of what was just done; empty for none.
	Done string
	// Suggested marks a new draft the site wrote from what it knows.
	Suggested bool
}

func (v PolicyEditView) action() templ.SafeURL {
	if v.ID == 0 {
		return "/admin/beleid/nieuw"
	}
	return policyURL(v.ID, "")
}

func (v PolicyEditView) fields() []Field {
	f := []Field{
		{Name: policy.FieldText, Label: "PolicyEditText", Hint: "PolicyEditTextHint", Value: v.Form.Markdown, Type: "textarea", Rows: 28,
			Attrs: templ.Attributes{"spellcheck": "true", "class": "policy-source"}},
		{Name: policy.FieldSummary, Label: "PolicyEditSummary", Hint: "PolicyEditSummaryHint", Value: v.Form.Summary, Type: "textarea", Rows: 3, Optional: true},
		{Name: policy.FieldEffective, Label: "PolicyEditDate", Hint: "PolicyEditDateHint", Value: v.Form.EffectiveOn, Type: "date", Optional: true},
		{Name: policy.FieldTextFR, Label: "PolicyEditTextFR", Hint: "PolicyEditTranslationHint", Value: v.Form.MarkdownFR, Type: "textarea", Rows: 10, Optional: true,
			Attrs: templ.Attributes{"lang": "fr", "class": "policy-source"}},
		{Name: policy.FieldTextEN, Label: "PolicyEditTextEN", Hint: "PolicyEditTranslationHint", Value: v.Form.MarkdownEN, Type: "textarea", Rows: 10, Optional: true,
			Attrs: templ.Attributes{"lang": "en", "class": "policy-source"}},
	}
	for i := range f {
		f[i].Error = v.Errors[f[i].Name]
	}
	return focusFirstError(f)
}

// PolicyCompareView compares a draft with the version in force.
type PolicyCompareView struct {
	Draft   policy.Text
	Current policy.Text
	Lines   []policy.DiffLine
}

// PolicyPublishView asks once more before a draft is published.
type PolicyPublishView struct {
	Draft policy.Text
	// Number is the number the version will get; Current the one in force.
	Number, Current int
	// Today is the Belgian calendar day (midnight UTC).
	Today time.Time
	// Missing maps what publishing still needs to its message ID.
	Missing policy.FieldErrors
}

func (v PolicyPublishView) now() bool { return !v.Draft.EffectiveOn.After(v.Today) }

func policyURL(id int64, action string) templ.SafeURL {
	u := "/admin/beleid/" + strconv.FormatInt(id, 10)
	if action != "" {
		u += "/" + action
	}
	return templ.SafeURL(u)
}

func versionURL(n int) templ.SafeURL { return templ.SafeURL("/privacy/versies/" + strconv.Itoa(n)) }
