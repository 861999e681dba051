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
	s.render(w, r, http.StatusOK, web.Home(s.page(w, r, "HomeTitle", "HomeDescription")))
}

func (s *Server) handlePolicy(w http.ResponseWriter, r *http.Request) {
	v := policy.Current()
	decl := s.declaration(r.Context())
	s.render(w, r, http.StatusOK, web.PolicyPage(s.page(w, r, "PolicyTitle", "PolicyDescription"), v, v.Number, &decl))
}

func (s *Server) handlePolicyVersions(w http.ResponseWriter, r *http.Request) {
	p := s.page(w, r, "VersionsTitle", "")
	s.render(w, r, http.StatusOK, web.PolicyVersions(p, policy.Versions(), policy.Current().Number))
}

func (s *Server) handlePolicyVersion(w http.ResponseWriter, r *http.Request) {
	raw := chi.URLParam(r, "number")
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 || strconv.Itoa(n) != raw {
		s.fail(w, r, errNotFound)
		return
	}
	v, err := policy.ByNumber(n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(w, r, "", "PolicyDescription")
	p.Title = locale.T(r.Context(), "PolicyVersionTitle", map[string]any{"Number": n})
	current := policy.Current().Number
	if n == current {
		// The current text has one address; this copy points search engines there.
		p.Canonical = s.absURL("/privacy")
	}
	var decl *web.Declaration
	if n == current {
		d := s.declaration(r.Context())
		decl = &d
	}
	s.render(w, r, http.StatusOK, web.PolicyPage(p, v, current, decl))
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
