package server

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"conpro/internal/follow"
	"conpro/internal/media"
	"conpro/internal/page"
	"conpro/internal/staff"
	"conpro/web"
)

// PageStore keeps the company's own pages and their revisions.
type PageStore interface {
	Pages(ctx context.Context) ([]page.Page, error)
	Page(ctx context.Context, id int64) (page.Page, error)
	CreatePage(ctx context.Context, slug string, c page.Content, audit staff.AuditEntry) (int64, error)
	SavePage(ctx context.Context, id int64, slug string, c page.Content, audit staff.AuditEntry) error
	PageRevisions(ctx context.Context, id int64) ([]page.Revision, error)
	RestorePage(ctx context.Context, id int64, number int, audit staff.AuditEntry) error
	PublishPage(ctx context.Context, id int64, audit staff.AuditEntry) error
	UnpublishPage(ctx context.Context, id int64, audit staff.AuditEntry) error
	MovePage(ctx context.Context, id int64, up bool, audit staff.AuditEntry) error
	LivePages(ctx context.Context) ([]page.Live, error)
	PhotosByID(ctx context.Context, ids []int64) (map[int64]media.Photo, error)
}

// pagesTTL is how long an instance trusts its list of published pages: a
// page published on another instance shows everywhere within this time.
const pagesTTL = 5 * time.Second

// livePages is what visitors see of the pages: the published ones, with
// their photos, and the generation the page cache keys on.
type livePages struct {
	list       []page.Live
	photos     map[int64]media.Photo
	generation string
}

// photo returns the photo of a page, if it has one still in the library.
func (l *livePages) photo(c page.Content) *media.Photo {
	if p, ok := l.photos[c.PhotoID]; ok {
		return &p
	}
	return nil
}

// followPages follows the published pages (follow.Value: read on first
// use, again in the background once older than pagesTTL, at once after a
// change here). Until the database answers there are none.
func followPages(store PageStore, log *slog.Logger, now func() time.Time) *follow.Value[*livePages] {
	return &follow.Value[*livePages]{
		Name: "the published pages",
		Read: func(ctx context.Context) (*livePages, error) {
			list, err := store.LivePages(ctx)
			if err != nil {
				return nil, err
			}
			var ids []int64
			for _, p := range list {
				if p.PhotoID != 0 {
					ids = append(ids, p.PhotoID)
				}
			}
			photos, err := store.PhotosByID(ctx, ids)
			if err != nil {
				return nil, err
			}
			return &livePages{list: list, photos: photos, generation: page.Generation(list) + photosGeneration(ids, photos)}, nil
		},
		Fallback: &livePages{},
		TTL:      pagesTTL,
		Now:      now,
		Log:      log,
	}
}

// photosGeneration names the state of the pages' photos (in the order of
// ids): which are still in the library, with which alt text and variants.
// A page kept by the page cache shows its photo's addresses and alt text,
// so a photo deleted or changed must not leave it served as it was.
func photosGeneration(ids []int64, photos map[int64]media.Photo) string {
	if len(ids) == 0 {
		return ""
	}
	h := fnv.New64a()
	for _, id := range ids {
		fmt.Fprintf(h, "%d:", id)
		if p, ok := photos[id]; ok {
			fmt.Fprintf(h, "%q", p.Alt)
			for _, v := range p.Variants {
				h.Write([]byte(v.Hash))
			}
		} else {
			h.Write([]byte("gone"))
		}
		h.Write([]byte{0})
	}
	return " photos:" + strconv.FormatUint(h.Sum64(), 16)
}

// currentPages is the published pages as this request sees them.
func (s *Server) currentPages(ctx context.Context) *livePages {
	if s.sitePages == nil {
		return &livePages{} // a server built without a page store
	}
	return s.sitePages.Get(ctx)
}

// navPages are the published pages' entries of the main navigation, in
// the staff's order and the visitor's language where translated.
func navPages(l *livePages, lang string) []web.NavItem {
	out := make([]web.NavItem, 0, len(l.list))
	for _, p := range l.list {
		t, ok := p.In(lang)
		item := web.NavItem{Href: p.Path(), Label: t.Title}
		if !ok {
			item.Lang = "nl"
		}
		out = append(out, item)
	}
	return out
}

// handleSitePage shows a published page in the visitor's language, or in
// Dutch with a line saying so when it has no translation in theirs.
// Anything else at a one-segment address is the Dutch 404 page.
func (s *Server) handleSitePage(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	slug := chi.URLParam(r, "slug")
	p, ok := page.Find(v.pages.list, slug)
	switch {
	case !ok && s.sitePaths["/"+slug]:
		// One of the site's own addresses, asked with a method it does
		// not take (GET /consent): as the router answers.
		s.fail(w, r, errMethodNotAllowed)
		return
	case !ok:
		v.unmatched = true
		s.fail(w, r, page.ErrNotFound)
		return
	}
	s.renderSitePage(w, r, p.Content, p.Path(), 0, string(visitOf(r.Context()).lang))
}

// renderSitePage renders a page's content as visitors see it at path; a
// preview names the page previewed (previewOf) and the language shown.
func (s *Server) renderSitePage(w http.ResponseWriter, r *http.Request, c page.Content, path string, previewOf int64, lang string) {
	t, translated := c.In(lang)
	v := web.SitePageView{Text: t, Lang: lang, PreviewOf: previewOf}
	if !translated {
		v.Lang, v.DutchOnly = "nl", lang != "nl"
	}
	if ph := visitOf(r.Context()).pages.photo(c); ph != nil {
		v.Photo = ph
	} else if previewOf != 0 && c.PhotoID != 0 {
		// A preview shows a photo no published page uses yet.
		if photos, err := s.pageStore.PhotosByID(r.Context(), []int64{c.PhotoID}); err == nil {
			if ph, ok := photos[c.PhotoID]; ok {
				v.Photo = &ph
			}
		}
	}
	p := s.page(w, r, "", "")
	p.Title, p.Description, p.Canonical = t.Title, t.Description, s.absURL(path)
	if previewOf != 0 {
		for _, l := range page.Languages {
			if _, ok := c.In(l); ok {
				v.PreviewLangs = append(v.PreviewLangs, l)
			}
		}
	}
	if v.Photo != nil {
		if jpeg := v.Photo.Largest(media.TypeJPEG); jpeg.Width > 0 {
			p.Image = s.absURL(jpeg.Path(v.Photo.ID))
		}
	}
	s.render(w, r, http.StatusOK, web.SitePage(p, v))
}

// reservedSlugs is the rule that keeps pages off the site's own
// addresses, made from the routes themselves (page.ReservedBy), and the
// set of the routes' addresses without a parameter.
func reservedSlugs(routes chi.Routes) (func(string) bool, map[string]bool, error) {
	var patterns []string
	paths := map[string]bool{}
	err := chi.Walk(routes, func(_ string, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		patterns = append(patterns, route)
		if !strings.ContainsAny(route, "{*") {
			paths[route] = true
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("the site's own addresses: %w", err)
	}
	return page.ReservedBy(patterns), paths, nil
}
