package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"conpro/internal/brussels"
	"conpro/internal/company"
	"conpro/internal/locale"
	"conpro/internal/policy"
	"conpro/internal/staff"
	"conpro/web"
)

// policyDone names the notice the policy pages show after a step (the
// redirect's klaar parameter); anything else shows none.
var policyDone = map[string]string{
	"opgeslagen":   "AdminPolicySaved",
	"gepubliceerd": "AdminPolicyPublishedDone",
	"gepland":      "AdminPolicyScheduledDone",
}

// handleAdminPolicy lists the drafts, the scheduled and the published
// versions.
func (s *Server) handleAdminPolicy(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	texts, err := s.policyStore.PolicyTexts(ctx)
	if err == nil {
		err = s.audit(r, staff.ActionListPolicy, "policy_text", fmt.Sprintf("%d shown", len(texts)))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := brussels.Day(s.now())
	cur, _ := policy.Current(texts, today)
	v := web.PolicyListView{Current: cur.Number, Done: policyDone[r.URL.Query().Get("klaar")]}
	v.DoneNumber, _ = strconv.Atoi(r.URL.Query().Get("versie"))
	for _, t := range texts {
		switch {
		case t.Status == policy.Draft:
			v.Drafts = append(v.Drafts, t)
		case t.Scheduled(today):
			v.Scheduled = append(v.Scheduled, t)
		default:
			v.Published = append(v.Published, t)
		}
	}
	s.render(w, r, http.StatusOK, web.AdminPolicy(s.adminPage(r, "AdminPolicyTitle"), v))
}

// handleAdminPolicyNew shows a new draft that starts from the version in
// force; nothing is kept before it is saved.
//
// With ?van=site the draft is the site's suggestion instead (policy.Suggest):
// what it knows of its own processing, each passage marked for review.
func (s *Server) handleAdminPolicyNew(w http.ResponseWriter, r *http.Request) {
	cur := visitOf(r.Context()).policy.current
	v := web.PolicyEditView{Form: policy.Form{Markdown: cur.Markdown, MarkdownFR: cur.MarkdownFR, MarkdownEN: cur.MarkdownEN}, Base: cur.Number}
	if r.URL.Query().Get("van") == "site" {
		v.Form, v.Suggested = policy.Form{Markdown: policy.Suggest(s.policyFacts())}, true
	}
	s.render(w, r, http.StatusOK, web.AdminPolicyEdit(s.adminPage(r, "AdminPolicyNewTitle"), v))
}

// policyFacts is what the site knows of its own processing.
func (s *Server) policyFacts() policy.Facts {
	r := s.cfg.Retention
	return policy.Facts{
		Company: company.Name, Address: company.Address(locale.NL), Email: company.Email, Phone: company.Phone,
		Contact: r.Contact, Consent: r.Consent, Requests: r.Requests, UnverifiedRequests: r.UnverifiedRequests, SentMail: r.SentMail,
		ConsentMaxAge: s.cfg.ConsentMaxAge,
		Vendors:       s.vendors.Current().Active(),
	}
}

// policyForm reads the editor's form.
func policyForm(r *http.Request) (policy.Form, error) {
	form, err := formValues(r)
	if err != nil {
		return policy.Form{}, err
	}
	return policy.Form{
		Markdown:    form.Get(policy.FieldText),
		MarkdownFR:  form.Get(policy.FieldTextFR),
		MarkdownEN:  form.Get(policy.FieldTextEN),
		Summary:     form.Get(policy.FieldSummary),
		EffectiveOn: form.Get(policy.FieldEffective),
	}, nil
}

// handleAdminPolicyCreate keeps a new draft, or shows the form again as
// typed with what is wrong.
func (s *Server) handleAdminPolicyCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, err := policyForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, errs := f.CheckDraft()
	if len(errs) > 0 {
		v := web.PolicyEditView{Form: f, Errors: errs, Base: visitOf(ctx).policy.current.Number}
		s.render(w, r, http.StatusUnprocessableEntity, web.AdminPolicyEdit(s.adminPage(r, "AdminPolicyNewTitle"), v))
		return
	}
	id, err := s.policyStore.CreatePolicyDraft(ctx, d, auditEntry(r, staff.ActionNewPolicyDraft, "", ""))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.afterPolicySave(w, r, id)
}

// afterPolicySave goes where the button pressed said: the preview, the
// comparison, the publication, or the draft again.
func (s *Server) afterPolicySave(w http.ResponseWriter, r *http.Request, id int64) {
	next := "?klaar=opgeslagen"
	switch r.PostForm.Get("daarna") {
	case "voorbeeld", "vergelijken", "publiceren":
		next = "/" + r.PostForm.Get("daarna")
	}
	http.Redirect(w, r, "/admin/beleid/"+strconv.FormatInt(id, 10)+next, http.StatusSeeOther)
}

// policyDraft reads the draft the address names; a published version
// leads to its public page, a missing one fails with the 404 page.
func (s *Server) policyDraft(w http.ResponseWriter, r *http.Request) (policy.Text, bool) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return policy.Text{}, false
	}
	t, err := s.policyStore.PolicyText(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return policy.Text{}, false
	}
	if t.Status == policy.Published {
		http.Redirect(w, r, "/privacy/versies/"+strconv.Itoa(t.Number), http.StatusSeeOther)
		return policy.Text{}, false
	}
	return t, true
}

func (s *Server) handleAdminPolicyEdit(w http.ResponseWriter, r *http.Request) {
	d, ok := s.policyDraft(w, r)
	if !ok {
		return
	}
	v := web.PolicyEditView{ID: d.ID, Form: policy.FormOf(d), Base: visitOf(r.Context()).policy.current.Number,
		Done: policyDone[r.URL.Query().Get("klaar")]}
	s.render(w, r, http.StatusOK, web.AdminPolicyEdit(s.adminPage(r, "AdminPolicyEditTitle"), v))
}

// handleAdminPolicySave changes a draft, or shows the form again as typed
// with what is wrong.
func (s *Server) handleAdminPolicySave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, ok := s.policyDraft(w, r)
	if !ok {
		return
	}
	f, err := policyForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	changed, errs := f.CheckDraft()
	if len(errs) > 0 {
		v := web.PolicyEditView{ID: d.ID, Form: f, Errors: errs, Base: visitOf(ctx).policy.current.Number}
		s.render(w, r, http.StatusUnprocessableEntity, web.AdminPolicyEdit(s.adminPage(r, "AdminPolicyEditTitle"), v))
		return
	}
	target := "policy_text:" + strconv.FormatInt(d.ID, 10)
	if err := s.policyStore.UpdatePolicyDraft(ctx, d.ID, changed, auditEntry(r, staff.ActionEditPolicy, target, "")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.afterPolicySave(w, r, d.ID)
}

// renderPolicy renders a text as it would be published now: the table of
// services as the registry has it today.
func (s *Server) renderPolicy(markdown string) policy.Rendered {
	return web.RenderPolicy(markdown, policy.PartyRows(s.vendors.Current().Active()))
}

// handleAdminPolicyPreview shows a draft exactly as visitors will read it
// on /privacy once it is in force.
func (s *Server) handleAdminPolicyPreview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, ok := s.policyDraft(w, r)
	if !ok {
		return
	}
	if err := s.audit(r, staff.ActionPreviewPolicy, "policy_text:"+strconv.FormatInt(d.ID, 10), ""); err != nil {
		s.fail(w, r, err)
		return
	}
	pv := visitOf(ctx).policy
	t := d
	t.Number = pv.versions[len(pv.versions)-1].Number + 1
	if t.EffectiveOn.IsZero() {
		t.EffectiveOn = brussels.Day(s.now())
	}
	t.Rendered = map[string]policy.Rendered{"nl": s.renderPolicy(d.Markdown)}
	for lang, md := range map[locale.Lang]string{locale.FR: d.MarkdownFR, locale.EN: d.MarkdownEN} {
		if md != "" {
			t.Rendered[string(lang)] = s.renderPolicy(md)
		}
	}
	// ?taal=fr or en: the preview as a French or English visitor reads it.
	if lang, ok := locale.Parse(r.URL.Query().Get("taal")); ok {
		ctx = locale.WithLocalizer(ctx, s.locales.Localizer(lang))
		r = r.WithContext(ctx)
	}
	v := web.NewPolicyView(ctx, t, t.Number)
	decl := s.declaration(ctx)
	v.Declaration, v.ChangeNotice, v.PreviewOf = &decl, t.Summary != "", d.ID
	p := s.page(w, r, "PolicyTitle", "PolicyDescription")
	s.render(w, r, http.StatusOK, web.PolicyPage(p, v))
}

// handleAdminPolicyCompare shows what a draft changes against the version
// in force.
func (s *Server) handleAdminPolicyCompare(w http.ResponseWriter, r *http.Request) {
	d, ok := s.policyDraft(w, r)
	if !ok {
		return
	}
	if err := s.audit(r, staff.ActionComparePolicy, "policy_text:"+strconv.FormatInt(d.ID, 10), ""); err != nil {
		s.fail(w, r, err)
		return
	}
	cur := visitOf(r.Context()).policy.current
	v := web.PolicyCompareView{Draft: d, Current: cur, Lines: policy.Diff(cur.Markdown, d.Markdown)}
	s.render(w, r, http.StatusOK, web.AdminPolicyCompare(s.adminPage(r, "AdminPolicyCompareTitle"), v))
}

// handleAdminPolicyConfirm asks once more before publishing, or says what
// publishing still needs.
func (s *Server) handleAdminPolicyConfirm(w http.ResponseWriter, r *http.Request) {
	d, ok := s.policyDraft(w, r)
	if !ok {
		return
	}
	s.renderPolicyConfirm(w, r, http.StatusOK, d)
}

func (s *Server) renderPolicyConfirm(w http.ResponseWriter, r *http.Request, status int, d policy.Text) {
	pv := visitOf(r.Context()).policy
	today := brussels.Day(s.now())
	v := web.PolicyPublishView{Draft: d, Number: pv.versions[len(pv.versions)-1].Number + 1, Current: pv.current.Number,
		Today: today, Missing: policy.CheckPublish(d, today, policy.LatestDay(pv.versions))}
	s.render(w, r, status, web.AdminPolicyPublish(s.adminPage(r, "AdminPolicyPublishTitle"), v))
}

// handleAdminPolicyPublish publishes a draft: frozen, numbered, in force on
// its day on every instance.
func (s *Server) handleAdminPolicyPublish(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, ok := s.policyDraft(w, r)
	if !ok {
		return
	}
	if _, err := formValues(r); err != nil {
		s.fail(w, r, err)
		return
	}
	today := brussels.Day(s.now())
	who := currentStaff(ctx).Email
	// The versions as they are now, not as this instance last read them.
	published, err := s.policyStore.PublishedPolicies(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.policyStore.PublishPolicy(ctx, d.ID, func(t policy.Text) (policy.Text, error) {
		return policy.Publish(t, today, policy.LatestDay(published), who, s.renderPolicy)
	}, auditEntry(r, staff.ActionPublishPolicy, "", ""))
	switch {
	case errors.Is(err, policy.ErrIncomplete):
		s.renderPolicyConfirm(w, r, http.StatusUnprocessableEntity, d)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.policies.reload(ctx)
	done := "gepubliceerd"
	if t.Scheduled(today) {
		done = "gepland"
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/beleid?klaar=%s&versie=%d", done, t.Number), http.StatusSeeOther)
}
