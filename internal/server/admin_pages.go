package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"conpro/internal/page"
	"conpro/internal/staff"
	"conpro/web"
)

// pageDone names the notice the page screens show after a step (the
// redirect's klaar parameter); anything else shows none.
var pageDone = map[string]string{
	"opgeslagen":   "AdminPagesSaved",
	"gepubliceerd": "AdminPagesPublishedDone",
	"offline":      "AdminPagesUnpublishedDone",
	"teruggezet":   "AdminPagesRestoredDone",
}

func pageTarget(id int64) string { return "page:" + strconv.FormatInt(id, 10) }

// handleAdminPages lists the pages in the menu's order.
func (s *Server) handleAdminPages(w http.ResponseWriter, r *http.Request) {
	pages, err := s.pageStore.Pages(r.Context())
	if err == nil {
		err = s.audit(r, staff.ActionListPages, "page", fmt.Sprintf("%d shown", len(pages)))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.PagesListView{Pages: pages, Done: pageDone[r.URL.Query().Get("klaar")]}
	s.render(w, r, http.StatusOK, web.AdminPages(s.adminPage(r, "AdminPagesTitle"), v))
}

// renderPageEdit shows the page form with the library's photos to choose
// from.
func (s *Server) renderPageEdit(w http.ResponseWriter, r *http.Request, status int, v web.PageEditView, notice string) {
	photos, err := s.media.Photos(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Photos = photos
	title := "AdminPageEditTitleShort"
	if v.Page.ID == 0 {
		title = "AdminPageNewTitle"
	}
	p := s.adminPage(r, title)
	p.Notice = notice
	s.render(w, r, status, web.AdminPageEdit(p, v))
}

func (s *Server) handleAdminPageNew(w http.ResponseWriter, r *http.Request) {
	s.renderPageEdit(w, r, http.StatusOK, web.PageEditView{Form: page.Form{Texts: map[string]page.Text{}}}, "")
}

// pageForm reads the page form; unreadable text comes back legible, with
// errUnreadable.
func pageForm(r *http.Request) (page.Form, error) {
	values, err := formValues(r)
	if values == nil {
		values = url.Values{}
	}
	f := page.Form{Slug: values.Get(page.FieldSlug), Photo: values.Get(page.FieldPhoto), Texts: map[string]page.Text{}}
	for _, lang := range page.Languages {
		f.Texts[lang] = page.Text{
			Title:       values.Get(page.Field(page.FieldTitle, lang)),
			Intro:       values.Get(page.Field(page.FieldIntro, lang)),
			Body:        values.Get(page.Field(page.FieldBody, lang)),
			Description: values.Get(page.Field(page.FieldDescription, lang)),
		}
	}
	return f, err
}

// checkPage checks a posted page form against the site's addresses and
// the library. When it cannot be kept, the form is shown again as typed
// (422) and ok is false.
func (s *Server) checkPage(w http.ResponseWriter, r *http.Request, current page.Page) (slug string, c page.Content, ok bool) {
	f, err := pageForm(r)
	if errors.Is(err, errUnreadable) {
		s.renderPageEdit(w, r, http.StatusUnprocessableEntity, web.PageEditView{Page: current, Form: f}, "FormErrUnreadable")
		return "", page.Content{}, false
	}
	if err != nil {
		s.fail(w, r, err)
		return "", page.Content{}, false
	}
	photos, err := s.media.Photos(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return "", page.Content{}, false
	}
	rules := page.Rules{Reserved: s.reservedSlug, PhotoExists: func(id int64) bool {
		for _, p := range photos {
			if p.ID == id {
				return true
			}
		}
		return false
	}}
	slug, c, errs := f.Check(rules)
	if len(errs) > 0 {
		s.renderPageEdit(w, r, http.StatusUnprocessableEntity, web.PageEditView{Page: current, Form: f, Errors: errs}, "")
		return "", page.Content{}, false
	}
	return slug, c, true
}

// slugTakenAgain shows the form again when another page has the address.
func (s *Server) slugTakenAgain(w http.ResponseWriter, r *http.Request, current page.Page) {
	f, _ := pageForm(r)
	v := web.PageEditView{Page: current, Form: f, Errors: page.FieldErrors{page.FieldSlug: "PageErrSlugTaken"}}
	s.renderPageEdit(w, r, http.StatusUnprocessableEntity, v, "")
}

// handleAdminPageCreate keeps a new page as a draft, or shows the form
// again as typed with what is wrong.
func (s *Server) handleAdminPageCreate(w http.ResponseWriter, r *http.Request) {
	slug, c, ok := s.checkPage(w, r, page.Page{})
	if !ok {
		return
	}
	id, err := s.pageStore.CreatePage(r.Context(), slug, c, auditEntry(r, staff.ActionNewPage, "", ""))
	switch {
	case errors.Is(err, page.ErrSlugTaken):
		s.slugTakenAgain(w, r, page.Page{})
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.afterPageSave(w, r, id)
}

// afterPageSave goes where the button pressed said: the preview, the
// publication, or the page again.
func (s *Server) afterPageSave(w http.ResponseWriter, r *http.Request, id int64) {
	s.sitePages.Reload(r.Context()) // a published page's address may have changed
	next := "?klaar=opgeslagen"
	switch r.PostForm.Get("daarna") {
	case "voorbeeld", "publiceren":
		next = "/" + r.PostForm.Get("daarna")
	}
	http.Redirect(w, r, adminPageURL(id)+next, http.StatusSeeOther)
}

func adminPageURL(id int64) string { return "/admin/paginas/" + strconv.FormatInt(id, 10) }

// storedPage reads the page the address names.
func (s *Server) storedPage(w http.ResponseWriter, r *http.Request) (page.Page, bool) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return page.Page{}, false
	}
	p, err := s.pageStore.Page(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return page.Page{}, false
	}
	return p, true
}

func (s *Server) handleAdminPageEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.storedPage(w, r)
	if !ok {
		return
	}
	v := web.PageEditView{Page: p, Form: page.FormOf(p), Done: pageDone[r.URL.Query().Get("klaar")]}
	s.renderPageEdit(w, r, http.StatusOK, v, "")
}

// handleAdminPageSave keeps a new revision of a page, or shows the form
// again as typed with what is wrong.
func (s *Server) handleAdminPageSave(w http.ResponseWriter, r *http.Request) {
	p, ok := s.storedPage(w, r)
	if !ok {
		return
	}
	slug, c, ok := s.checkPage(w, r, p)
	if !ok {
		return
	}
	err := s.pageStore.SavePage(r.Context(), p.ID, slug, c, auditEntry(r, staff.ActionEditPage, pageTarget(p.ID), ""))
	switch {
	case errors.Is(err, page.ErrSlugTaken):
		s.slugTakenAgain(w, r, p)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.afterPageSave(w, r, p.ID)
}

// handleAdminPagePreview shows a page's latest revision exactly as
// visitors will see it once published (?taal=fr or en: its translation).
func (s *Server) handleAdminPagePreview(w http.ResponseWriter, r *http.Request) {
	p, ok := s.storedPage(w, r)
	if !ok {
		return
	}
	if err := s.audit(r, staff.ActionPreviewPage, pageTarget(p.ID), ""); err != nil {
		s.fail(w, r, err)
		return
	}
	lang := "nl"
	if l := r.URL.Query().Get("taal"); l == "fr" || l == "en" {
		lang = l
	}
	s.renderSitePage(w, r, p.Content, "/"+p.Slug, p.ID, lang)
}

// handleAdminPageConfirm asks once more before a page goes online
// (…/publiceren) or offline (…/offline).
func (s *Server) handleAdminPageConfirm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.storedPage(w, r)
	if !ok {
		return
	}
	offline := strings.HasSuffix(r.URL.Path, "/offline")
	if offline && !p.CanUnpublish() || !offline && !p.CanPublish() {
		http.Redirect(w, r, "/admin/paginas", http.StatusSeeOther) // nothing to do
		return
	}
	v := web.PageConfirmView{Page: p, Offline: offline, Address: s.absURL("/" + p.Slug)}
	title := "AdminPagePublishTitleShort"
	if offline {
		title = "AdminPageUnpublishTitleShort"
	}
	s.render(w, r, http.StatusOK, web.AdminPageConfirm(s.adminPage(r, title), v))
}

// handleAdminPagePublish puts a page's latest revision online: at once on
// this instance, within pagesTTL on every other.
func (s *Server) handleAdminPagePublish(w http.ResponseWriter, r *http.Request) {
	s.changePageState(w, r, staff.ActionPublishPage, s.pageStore.PublishPage, "gepubliceerd")
}

// handleAdminPageUnpublish takes a page offline.
func (s *Server) handleAdminPageUnpublish(w http.ResponseWriter, r *http.Request) {
	s.changePageState(w, r, staff.ActionUnpublishPage, s.pageStore.UnpublishPage, "offline")
}

func (s *Server) changePageState(w http.ResponseWriter, r *http.Request, action staff.Action,
	change func(ctx context.Context, id int64, audit staff.AuditEntry) error, done string) {
	p, ok := s.storedPage(w, r)
	if !ok {
		return
	}
	if _, err := formValues(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := change(r.Context(), p.ID, auditEntry(r, action, pageTarget(p.ID), "")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sitePages.Reload(r.Context())
	http.Redirect(w, r, "/admin/paginas?klaar="+done+"#pagina-"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// handleAdminPageRevisions lists a page's revisions.
func (s *Server) handleAdminPageRevisions(w http.ResponseWriter, r *http.Request) {
	p, ok := s.storedPage(w, r)
	if !ok {
		return
	}
	revs, err := s.pageStore.PageRevisions(r.Context(), p.ID)
	if err == nil {
		err = s.audit(r, staff.ActionPageRevisions, pageTarget(p.ID), fmt.Sprintf("%d shown", len(revs)))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.PageRevisionsView{Page: p, Revisions: revs}
	s.render(w, r, http.StatusOK, web.AdminPageRevisions(s.adminPage(r, "AdminPageRevisionsTitleShort"), v))
}

// handleAdminPageRestore keeps, as a new revision, what an earlier one
// held; visitors see it once it is published.
func (s *Server) handleAdminPageRestore(w http.ResponseWriter, r *http.Request) {
	p, ok := s.storedPage(w, r)
	if !ok {
		return
	}
	raw := chi.URLParam(r, "number")
	// A revision's number is an integer (32 bits) in the database.
	n, err := strconv.ParseInt(raw, 10, 32)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != raw {
		s.fail(w, r, errNotFound)
		return
	}
	if _, err := formValues(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.pageStore.RestorePage(r.Context(), p.ID, int(n), auditEntry(r, staff.ActionRestorePage, pageTarget(p.ID), "")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, adminPageURL(p.ID)+"?klaar=teruggezet", http.StatusSeeOther)
}

// handleAdminPageMove moves a page one place up (…/hoger) or down
// (…/lager) in the site's menu.
func (s *Server) handleAdminPageMove(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	up := strings.HasSuffix(r.URL.Path, "/hoger")
	if err := s.pageStore.MovePage(r.Context(), id, up, auditEntry(r, staff.ActionMovePage, pageTarget(id), "")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sitePages.Reload(r.Context())
	http.Redirect(w, r, "/admin/paginas#pagina-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
