package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"conpro/internal/locale"
	"conpro/internal/policy"
	"conpro/web"
)

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := s.page(w, r, "HomeTitle", "HomeDescription")
	latest := projectCards(ctx, visitOf(ctx).projects.latest(3))
	s.render(w, r, http.StatusOK, web.Home(p, latest, web.LocalBusiness(ctx, s.cfg.Company, s.absURL("/"))))
}

// handlePolicy shows the version in force, with the notice of what changed
// when it replaced another.
func (s *Server) handlePolicy(w http.ResponseWriter, r *http.Request) {
	pv := visitOf(r.Context()).policy
	v := web.NewPolicyView(r.Context(), pv.current, pv.current.Number)
	decl := s.declaration(r.Context())
	v.Declaration = &decl
	if _, ok := policy.Previous(pv.versions, pv.current); ok && pv.current.Summary != "" {
		v.ChangeNotice = true
	}
	s.render(w, r, http.StatusOK, web.PolicyPage(s.page(w, r, "PolicyTitle", "PolicyDescription"), v))
}

func (s *Server) handlePolicyVersions(w http.ResponseWriter, r *http.Request) {
	pv := visitOf(r.Context()).policy
	p := s.page(w, r, "VersionsTitle", "")
	s.render(w, r, http.StatusOK, web.PolicyVersions(p, pv.shown(), pv.current.Number))
}

// handlePolicyVersion shows a version in force or before, with what it
// changed against the version before it. A scheduled version is not shown
// before its day.
func (s *Server) handlePolicyVersion(w http.ResponseWriter, r *http.Request) {
	raw := chi.URLParam(r, "number")
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 || strconv.Itoa(n) != raw {
		s.fail(w, r, errNotFound)
		return
	}
	pv := visitOf(r.Context()).policy
	t, ok := pv.byNumber(n)
	if !ok || n > pv.current.Number {
		s.fail(w, r, policy.ErrNotFound)
		return
	}
	p := s.page(w, r, "", "PolicyDescription")
	p.Title = locale.T(r.Context(), "PolicyVersionTitle", map[string]any{"Number": n})
	v := web.NewPolicyView(r.Context(), t, pv.current.Number)
	if n == pv.current.Number {
		// The current text has one address; this copy points search engines there.
		p.Canonical = s.absURL("/privacy")
		d := s.declaration(r.Context())
		v.Declaration = &d
	}
	if prev, ok := policy.Previous(pv.versions, t); ok {
		v.Previous = prev.Number
		v.Diff = policy.Diff(prev.Markdown, t.Markdown)
	}
	s.render(w, r, http.StatusOK, web.PolicyPage(p, v))
}

// handleLanguage remembers the visitor's choice of interface language in a
// functional cookie and sends them back to the page they were on.
func (s *Server) handleLanguage(w http.ResponseWriter, r *http.Request) {
	if _, err := formValues(r); err != nil {
		s.fail(w, r, err)
		return
	}
	l, ok := locale.Parse(r.PostForm.Get("lang"))
	if !ok {
		s.fail(w, r, errBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     locale.CookieName,
		Value:    string(l),
		Path:     "/",
		MaxAge:   365 * 24 * 60 * 60,
		HttpOnly: true,
		Secure:   s.cfg.Production(),
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, safeReturnPath(r.PostForm.Get("return_to")), http.StatusSeeOther)
}
