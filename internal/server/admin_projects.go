package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"conpro/internal/locale"
	"conpro/internal/project"
	"conpro/internal/staff"
	"conpro/web"
)

// projectsDone names the notice the staff pages show after a change.
var projectsDone = map[string]string{
	"opgeslagen":   "AdminProjectSaved",
	"gepubliceerd": "AdminProjectPublished",
	"offline":      "AdminProjectUnpublished",
}

func (s *Server) handleAdminProjects(w http.ResponseWriter, r *http.Request) {
	list, err := s.projects.Projects(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.AdminProjectsView{Projects: list, Done: projectsDone[r.URL.Query().Get("klaar")]}
	s.render(w, r, http.StatusOK, web.AdminProjects(s.adminPage(r, "AdminProjectsTitle"), v))
}

func (s *Server) handleAdminProjectNew(w http.ResponseWriter, r *http.Request) {
	s.renderProjectForm(w, r, http.StatusOK, web.ProjectFormView{Input: project.Input{Year: strconv.Itoa(s.now().Year())}})
}

// renderProjectForm shows the project form with the photo library to
// choose from.
func (s *Server) renderProjectForm(w http.ResponseWriter, r *http.Request, status int, v web.ProjectFormView) {
	library, err := s.media.Photos(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Library = library
	title := "AdminProjectNewTitle"
	if v.ID != 0 {
		title = "AdminProjectEditTitle"
	}
	p := s.adminPage(r, title)
	if v.Unreadable {
		p.Notice = "FormErrUnreadable"
	}
	s.render(w, r, status, web.AdminProjectForm(p, v))
}

// projectInput reads the project form: the fields, and for each chosen
// photo its place and captions.
func projectInput(values url.Values) project.Input {
	in := project.Input{
		Slug: values.Get(project.FieldSlug), Place: values.Get(project.FieldPlace),
		Year: values.Get(project.FieldYear), Kind: values.Get(project.FieldKind),
		Texts: map[locale.Lang]project.Text{},
	}
	for _, l := range locale.Langs() {
		in.Texts[l] = project.Text{
			Title:       values.Get(project.FieldTitle(l)),
			Description: values.Get(project.FieldDescription(l)),
			Meta:        values.Get(project.FieldMeta(l)),
		}
	}
	seen := map[int64]bool{}
	for _, raw := range values[project.FieldPhotos] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 || seen[id] {
			continue // not a photo of the form: nothing anyone chose
		}
		seen[id] = true
		c := project.PhotoChoice{ID: id, Order: values.Get(project.FieldOrder(id)), Captions: map[locale.Lang]string{}}
		for _, l := range locale.Langs() {
			c.Captions[l] = values.Get(project.FieldCaption(l, id))
		}
		in.Photos = append(in.Photos, c)
	}
	return in
}

func (s *Server) handleAdminProjectCreate(w http.ResponseWriter, r *http.Request) {
	s.saveProject(w, r, 0)
}

func (s *Server) handleAdminProjectSave(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return
	}
	s.saveProject(w, r, id)
}

// saveProject keeps a new project (id 0) or the changes to one, or shows
// the form again as typed with what is wrong. A published project stays
// published: what is saved shows on the site at once.
func (s *Server) saveProject(w http.ResponseWriter, r *http.Request, id int64) {
	ctx := r.Context()
	values, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	in := projectInput(values)
	v := web.ProjectFormView{ID: id, Input: in, Unreadable: err != nil}
	if id != 0 {
		cur, err := s.projects.Project(ctx, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Published = cur.Published()
	}
	if v.Unreadable {
		s.renderProjectForm(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	p, errs := project.Check(in, s.now())
	if len(errs) == 0 {
		if id == 0 {
			id, err = s.projects.CreateProject(ctx, p, auditEntry(r, staff.ActionNewProject, "", ""))
		} else {
			err = s.projects.UpdateProject(ctx, id, p, auditEntry(r, staff.ActionEditProject, "project:"+strconv.FormatInt(id, 10), ""))
		}
		switch {
		case errors.Is(err, project.ErrSlugTaken):
			errs = project.Errors{project.FieldSlug: "ProjectErrSlugTaken"}
		case errors.Is(err, project.ErrUnknownPhoto):
			errs = project.Errors{project.FieldPhotos: "ProjectErrUnknownPhoto"}
		case err != nil:
			s.fail(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		v.Errors = errs
		if in.Slug == "" && errs[project.FieldSlug] != "" {
			v.Input.Slug = p.Slug // the address made from the title, to change
		}
		s.renderProjectForm(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	if v.Published {
		s.reloadProjects(ctx)
	}
	next := "?klaar=opgeslagen"
	switch r.PostForm.Get("daarna") {
	case "voorbeeld", "publiceren":
		next = "/" + r.PostForm.Get("daarna")
	}
	http.Redirect(w, r, "/admin/realisaties/"+strconv.FormatInt(id, 10)+next, http.StatusSeeOther)
}

// adminProject reads the project the address names.
func (s *Server) adminProject(w http.ResponseWriter, r *http.Request) (project.Project, bool) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return project.Project{}, false
	}
	p, err := s.projects.Project(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return project.Project{}, false
	}
	return p, true
}

func (s *Server) handleAdminProjectEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.adminProject(w, r)
	if !ok {
		return
	}
	v := web.ProjectFormView{ID: p.ID, Input: web.ProjectInputOf(p), Published: p.Published(), Slug: p.Slug,
		Done: projectsDone[r.URL.Query().Get("klaar")]}
	s.renderProjectForm(w, r, http.StatusOK, v)
}

// handleAdminProjectPreview shows a project as visitors will see it.
func (s *Server) handleAdminProjectPreview(w http.ResponseWriter, r *http.Request) {
	p, ok := s.adminProject(w, r)
	if !ok {
		return
	}
	s.renderProject(w, r, p, true)
}

// handleAdminProjectConfirm asks once more before publishing or taking a
// project offline, or says what publishing still needs.
func (s *Server) handleAdminProjectConfirm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.adminProject(w, r)
	if !ok {
		return
	}
	v := web.ProjectConfirmView{Project: p, Unpublish: strings.HasSuffix(r.URL.Path, "/offline")}
	if !v.Unpublish {
		v.Missing = project.CheckPublish(p)
	}
	s.render(w, r, http.StatusOK, web.AdminProjectConfirm(s.adminPage(r, "AdminProjectConfirmTitle"), v))
}

func (s *Server) handleAdminProjectPublish(w http.ResponseWriter, r *http.Request) {
	s.setProjectPublished(w, r, true)
}

func (s *Server) handleAdminProjectUnpublish(w http.ResponseWriter, r *http.Request) {
	s.setProjectPublished(w, r, false)
}

func (s *Server) setProjectPublished(w http.ResponseWriter, r *http.Request, publish bool) {
	ctx := r.Context()
	if _, err := formValues(r); err != nil {
		s.fail(w, r, err)
		return
	}
	p, ok := s.adminProject(w, r)
	if !ok {
		return
	}
	if publish {
		if missing := project.CheckPublish(p); missing != "" {
			v := web.ProjectConfirmView{Project: p, Missing: missing}
			s.render(w, r, http.StatusUnprocessableEntity, web.AdminProjectConfirm(s.adminPage(r, "AdminProjectConfirmTitle"), v))
			return
		}
	}
	action, done := staff.ActionPublishProject, "gepubliceerd"
	if !publish {
		action, done = staff.ActionUnpublishProject, "offline"
	}
	if err := s.projects.SetProjectPublished(ctx, p.ID, publish, auditEntry(r, action, "project:"+strconv.FormatInt(p.ID, 10), "")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.reloadProjects(ctx)
	http.Redirect(w, r, "/admin/realisaties?klaar="+done, http.StatusSeeOther)
}
