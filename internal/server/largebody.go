package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// largeBody marks a route that takes a larger body than the site's forms
// (a photo upload) and bounds it at n bytes instead. The router's own bound
// (maxFormBody) runs before the router knows the route, so it looks the
// route up in s.largeBodies, which New makes from these marks. Its
// handler has a type of its own so that the walk can find the routes it
// wraps.
func (s *Server) largeBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return largeBodyRoute{n: n, next: s.boundBody(n, false)(next)}
	}
}

type largeBodyRoute struct {
	n    int64
	next http.Handler
}

func (l largeBodyRoute) ServeHTTP(w http.ResponseWriter, r *http.Request) { l.next.ServeHTTP(w, r) }

// largeBodies lists the routes marked with largeBody, as "METHOD pattern".
func largeBodies(routes chi.Routes) (map[string]int64, error) {
	out := map[string]int64{}
	err := chi.Walk(routes, func(method, route string, _ http.Handler, mws ...func(http.Handler) http.Handler) error {
		for _, mw := range mws {
			if l, ok := mw(http.NotFoundHandler()).(largeBodyRoute); ok {
				out[method+" "+route] = l.n
			}
		}
		return nil
	})
	return out, err
}

// takesLargeBody reports whether the route that will answer r bounds its
// body itself. Only a request with a body costs the look-up.
func (s *Server) takesLargeBody(r *http.Request) bool {
	if len(s.largeBodies) == 0 || r.Body == nil || r.Body == http.NoBody {
		return false
	}
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || rctx.Routes == nil {
		return false
	}
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	_, ok := s.largeBodies[r.Method+" "+rctx.Routes.Find(chi.NewRouteContext(), r.Method, path)]
	return ok
}
