package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"conpro/internal/follow"
	"conpro/internal/locale"
	"conpro/internal/project"
	"conpro/internal/staff"
	"conpro/web"
)

// ProjectStore keeps the projects: the published ones visitors see, and
// the staff's drafts.
type ProjectStore interface {
	PublishedProjects(ctx context.Context) ([]project.Project, error)
	Projects(ctx context.Context) ([]project.Project, error)
	Project(ctx context.Context, id int64) (project.Project, error)
	CreateProject(ctx context.Context, p project.Project, audit staff.AuditEntry) (int64, error)
	UpdateProject(ctx context.Context, id int64, p project.Project, audit staff.AuditEntry) error
	SetProjectPublished(ctx context.Context, id int64, published bool, audit staff.AuditEntry) error
}

// projectsTTL is how long an instance trusts its list of published
// projects: one published on another instance shows here within it.
const projectsTTL = 5 * time.Second

// publishedProjects is the list visitors see and its revision, which the
// page cache keys on.
type publishedProjects struct {
	list     []project.Project
	revision uint64
}

// bySlug returns the published project at slug.
func (p publishedProjects) bySlug(slug string) (project.Project, bool) {
	for _, pr := range p.list {
		if pr.Slug == slug {
			return pr, true
		}
	}
	return project.Project{}, false
}

// latest returns at most n projects, newest first.
func (p publishedProjects) latest(n int) []project.Project {
	return p.list[:min(n, len(p.list))]
}

// newProjectList follows the published projects (follow.Value: read on
// first use, again in the background after projectsTTL, at once after a
// change here). Until the database answers, there are none.
func newProjectList(store ProjectStore, log *slog.Logger, now func() time.Time) *follow.Value[publishedProjects] {
	if store == nil {
		return nil
	}
	return &follow.Value[publishedProjects]{
		Name: "the published projects",
		Read: func(ctx context.Context) (publishedProjects, error) {
			list, err := store.PublishedProjects(ctx)
			return publishedProjects{list: list, revision: project.Revision(list)}, err
		},
		TTL: projectsTTL,
		Now: now,
		Log: log,
	}
}

// projectsAt returns the published projects as this instance knows them.
func (s *Server) projectsAt(ctx context.Context) publishedProjects {
	if s.projectList == nil {
		return publishedProjects{} // a server built without them, in a unit test
	}
	return s.projectList.Get(ctx)
}

// projectCards are projects as the list and the home page show them.
func projectCards(ctx context.Context, list []project.Project) []web.ProjectCard {
	l := locale.LangOf(ctx)
	out := make([]web.ProjectCard, 0, len(list))
	for _, p := range list {
		c := web.ProjectCard{Href: "/realisaties/" + p.Slug, Title: p.Text(l).Title, Place: p.Place, Year: p.Year, Kind: p.Kind}
		if ph, ok := p.FirstPhoto(); ok {
			c.Photo = ph.Photo
		}
		out = append(out, c)
	}
	return out
}

// handleProjects lists the published projects, newest year first.
func (s *Server) handleProjects(w http.ResponseWriter, r *http.Request) {
	pp := visitOf(r.Context()).projects
	p := s.page(w, r, "ProjectsTitle", "ProjectsDescription")
	if first, ok := firstPhotoOf(pp.list); ok {
		p.Image = s.absURL(first)
	}
	s.render(w, r, http.StatusOK, web.Projects(p, projectCards(r.Context(), pp.list)))
}

func firstPhotoOf(list []project.Project) (string, bool) {
	for _, pr := range list {
		if ph, ok := pr.FirstPhoto(); ok {
			return web.ShareImage(ph.Photo)
		}
	}
	return "", false
}

// handleProject shows a published project.
func (s *Server) handleProject(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	pr, ok := v.projects.bySlug(chi.URLParam(r, "slug"))
	if !ok {
		v.unmatched = true // logged without the address, which may be anything typed
		s.fail(w, r, project.ErrNotFound)
		return
	}
	s.renderProject(w, r, pr, false)
}

// renderProject shows a project as visitors see it (or will: preview).
func (s *Server) renderProject(w http.ResponseWriter, r *http.Request, pr project.Project, preview bool) {
	ctx := r.Context()
	l := locale.LangOf(ctx)
	p := s.page(w, r, "", "")
	p.Title = pr.Text(l).Title
	p.Description = pr.MetaDescription(l)
	if ph, ok := pr.FirstPhoto(); ok {
		if img, ok := web.ShareImage(ph.Photo); ok {
			p.Image = s.absURL(img)
		}
	}
	if preview {
		p.Canonical = ""
	}
	s.render(w, r, http.StatusOK, web.ProjectPage(p, web.NewProjectView(ctx, pr, preview)))
}

// reloadProjects reads the published projects now (after a change here).
func (s *Server) reloadProjects(ctx context.Context) {
	if s.projectList != nil {
		s.projectList.Reload(ctx)
	}
}
