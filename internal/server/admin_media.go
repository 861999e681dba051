package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"conpro/internal/media"
	"conpro/internal/staff"
	"conpro/web"
)

// MediaStore keeps the photo library.
type MediaStore interface {
	AddPhoto(ctx context.Context, u media.Upload, audit staff.AuditEntry) (int64, error)
	Photos(ctx context.Context) ([]media.Photo, error)
	PhotoVariant(ctx context.Context, a media.Address) (media.Variant, error)
	DeletePhoto(ctx context.Context, id int64, audit staff.AuditEntry) error
}

// mediaBody bounds an upload's request body: the largest photo, the
// description and the form's framing, with room to spare so that a photo
// somewhat over the limit still gets the form's Dutch message rather than
// the bare 413 page.
func mediaBody(maxBytes int) int64 { return 2*int64(maxBytes) + 1<<20 }

// mediaDone names the notice the library shows after a change.
var mediaDone = map[string]string{
	"opgeladen":  "AdminMediaUploaded",
	"verwijderd": "AdminMediaDeleted",
}

func (s *Server) handleAdminMedia(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := web.MediaView{Done: mediaDone[q.Get("klaar")]}
	v.Confirm, _ = strconv.ParseInt(q.Get("verwijderen"), 10, 64)
	s.renderMedia(w, r, http.StatusOK, v)
}

func (s *Server) renderMedia(w http.ResponseWriter, r *http.Request, status int, v web.MediaView) {
	photos, err := s.media.Photos(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Photos, v.MaxBytes = photos, int64(s.cfg.MediaMaxBytes)
	s.render(w, r, status, web.AdminMedia(s.adminPage(r, "AdminMediaTitle"), v))
}

// mediaErrors maps what media.Process refuses to the form's field and
// message.
var mediaErrors = []struct {
	err          error
	field, msgID string
}{
	{media.ErrNoAlt, "alt", "AdminMediaErrNoAlt"},
	{media.ErrAltTooLong, "alt", "AdminMediaErrAltTooLong"},
	{media.ErrTooLarge, "foto", "AdminMediaErrTooLarge"},
	{media.ErrTooManyPixels, "foto", "AdminMediaErrTooManyPixels"},
	{media.ErrNotAPhoto, "foto", "AdminMediaErrNotAPhoto"},
}

// handleAdminMediaUpload stores an uploaded photo. The form is read as a
// stream, the description before the file, so that a file over the limit
// is refused without being held whole and the description typed comes
// back with the message. The file is judged by its content alone: its
// name and declared type are ignored.
func (s *Server) handleAdminMediaUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, errBadRequest)
		return
	}
	var (
		alt  string
		data []byte
		got  bool
	)
	maxBytes := int64(s.cfg.MediaMaxBytes)
	v := web.MediaView{Errors: map[string]string{}}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.failUpload(w, r, err)
			return
		}
		switch part.FormName() {
		case "alt":
			b, err := io.ReadAll(io.LimitReader(part, 4<<10))
			if err != nil {
				s.failUpload(w, r, err)
				return
			}
			alt = string(b)
		case "foto":
			if part.FileName() == "" {
				break // no file chosen
			}
			data, err = io.ReadAll(io.LimitReader(part, maxBytes+1))
			if err != nil {
				s.failUpload(w, r, err)
				return
			}
			got = len(data) > 0
		}
		// What is left of a part (a file over the limit) is read and
		// dropped, bounded by the route's body limit: a browser that is
		// still sending when the answer comes may show an error instead.
		if _, err := io.Copy(io.Discard, part); err != nil {
			s.failUpload(w, r, err)
			return
		}
	}
	if !readableText(alt) {
		s.fail(w, r, errUnreadable)
		return
	}
	v.Alt = alt
	if !got {
		v.Errors["foto"] = "AdminMediaErrNoFile"
		if _, err := media.CheckAlt(alt); err != nil {
			v.Errors["alt"] = mediaErrorMessage(err)
		}
		s.renderMedia(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	var u media.Upload
	if !s.decodePhotos(r.Context(), func() { u, err = media.Process(data, alt, maxBytes) }) {
		return
	}
	if err != nil {
		msg := mediaErrorMessage(err)
		if msg == "" {
			s.fail(w, r, err)
			return
		}
		for _, m := range mediaErrors {
			if m.msgID == msg {
				v.Errors[m.field] = msg
			}
		}
		if msg != "AdminMediaErrNoAlt" && msg != "AdminMediaErrAltTooLong" {
			// The file is refused; the description may be wanting too.
			if _, err := media.CheckAlt(alt); err != nil {
				v.Errors["alt"] = mediaErrorMessage(err)
			}
		}
		s.renderMedia(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	if _, err := s.media.AddPhoto(ctx, u, auditEntry(r, staff.ActionUploadPhoto, "", "")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/media?klaar=opgeladen", http.StatusSeeOther)
}

func mediaErrorMessage(err error) string {
	for _, m := range mediaErrors {
		if errors.Is(err, m.err) {
			return m.msgID
		}
	}
	return ""
}

// failUpload answers a form that could not be read: a body past the
// route's bound gets the 413 page, anything else the 400 page.
func (s *Server) failUpload(w http.ResponseWriter, r *http.Request, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.fail(w, r, err)
		return
	}
	s.fail(w, r, fmt.Errorf("%w: %w", errBadRequest, err))
}

func (s *Server) handleAdminMediaDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	if err := s.media.DeletePhoto(r.Context(), id, auditEntry(r, staff.ActionDeletePhoto, fmt.Sprintf("photo:%d", id), "")); err != nil {
		s.fail(w, r, err)
		return
	}
	// The pages and projects that showed it show it no more, here at once
	// (on other instances within their lists' few seconds).
	if s.sitePages != nil {
		s.sitePages.Reload(r.Context())
	}
	s.reloadProjects(r.Context())
	http.Redirect(w, r, "/admin/media?klaar=verwijderd", http.StatusSeeOther)
}

// mediaCache lets every cache keep a variant for a year without asking
// again: its address names its content.
var mediaCache = []string{"public, max-age=31536000, immutable"}

// handleMedia serves a variant of a photo. Its address carries the hash of
// its content, which is also its ETag.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	a, ok := media.ParseAddress(chi.URLParam(r, "name"))
	if !ok {
		visitOf(r.Context()).unmatched = true // logged without the address, which may be anything typed
		s.fail(w, r, errNotFound)
		return
	}
	etag := `"` + a.Hash + `"`
	v, err := s.media.PhotoVariant(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h["Cache-Control"] = mediaCache
	h["Etag"] = []string{etag}
	h.Set("Content-Type", v.Type)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(v.Data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(v.Data)
	}
}
