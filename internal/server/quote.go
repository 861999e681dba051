package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/clientip"
	"conpro/internal/contact"
	"conpro/internal/locale"
	"conpro/internal/quote"
	"conpro/web"
)

// quoteBody bounds a quote request's body: five files at their largest,
// the text and the form's framing.
const quoteBody = quote.MaxFiles*quote.MaxFileBytes + 1<<20

// maxQuoteField bounds one text part of the form; the description, the
// longest, is 5000 characters.
const maxQuoteField = 64 << 10

func (s *Server) handleQuoteForm(w http.ResponseWriter, r *http.Request) {
	s.renderQuote(w, r, http.StatusOK, web.QuoteFormView{Token: s.tokens.Issue(s.now())})
}

func (s *Server) renderQuote(w http.ResponseWriter, r *http.Request, status int, v web.QuoteFormView) {
	v.MaxTotal = int64(s.cfg.QuoteMaxBytes)
	p := s.page(w, r, "QuoteTitle", "QuoteDescription")
	p.Canonical = s.absURL("/offerte")
	s.render(w, r, status, web.QuotePage(p, v))
}

// sentFile is a file part of the form: its name as sent, and its content
// (or why it was not read whole).
type sentFile struct {
	name string
	data []byte
	err  error
}

// readQuoteForm reads the form: multipart, as the page sends it (with the
// files), or urlencoded (a form without files). The text is refused as
// every form's is when it holds a NUL byte or invalid UTF-8 (errUnreadable,
// with the values made legible). The files are read as a stream, each at
// most quote.MaxFileBytes, at most quote.MaxFiles of them.
func readQuoteForm(w http.ResponseWriter, r *http.Request) (url.Values, []sentFile, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		// Without files the site's usual bound holds.
		if r.ContentLength > maxFormBody {
			return nil, nil, errTooLarge
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		}
		values, err := formValues(r)
		return values, nil, err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	values := url.Values{}
	var files []sentFile
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		name := part.FormName()
		switch {
		case name == string(quote.Files):
			if part.FileName() == "" {
				break // the field, with no file chosen
			}
			f := sentFile{name: part.FileName()}
			if len(files) >= quote.MaxFiles {
				f.err = quote.ErrTooManyFiles
			} else {
				f.data, err = io.ReadAll(io.LimitReader(part, quote.MaxFileBytes+1))
				if err != nil {
					return nil, nil, err
				}
				if len(f.data) > quote.MaxFileBytes {
					f.data, f.err = nil, &quote.FileError{Name: quote.ShownName(f.name), Err: quote.ErrFileTooLarge}
				}
			}
			if f.err != nil || len(f.data) > 0 {
				files = append(files, f)
			}
		case part.FileName() == "":
			b, err := io.ReadAll(io.LimitReader(part, maxQuoteField+1))
			if err != nil {
				return nil, nil, err
			}
			if len(b) > maxQuoteField {
				return nil, nil, fmt.Errorf("%w: form field %q too long", errBadRequest, legible(name))
			}
			values.Add(name, string(b))
		}
		// The rest of a part (a file over the limit, a file in a field
		// that takes none) is read and dropped, bounded by the route.
		if _, err := io.Copy(io.Discard, part); err != nil {
			return nil, nil, err
		}
	}
	if readable(values) {
		return values, files, nil
	}
	shown := make(url.Values, len(values))
	for k, vs := range values {
		for _, v := range vs {
			shown[legible(k)] = append(shown[legible(k)], legible(v))
		}
	}
	return shown, files, errUnreadable
}

// handleQuotePost takes a quote request the way handleContactPost takes a
// message (the same validation, limits and signs of a bot), with its files:
// each judged by content, photos stripped of everything but their pixels.
// A refused file is named in Dutch and the text comes back as typed.
func (s *Server) handleQuotePost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.now()
	values, sent, err := readQuoteForm(w, r)
	switch {
	case errors.Is(err, errTooLarge):
		s.fail(w, r, err)
		return
	case err != nil && !errors.Is(err, errUnreadable):
		s.failUpload(w, r, err)
		return
	}
	unreadable := err != nil
	form := quote.Form{
		Contact: contact.Form{
			Name:    values.Get(string(quote.Name)),
			Email:   values.Get(string(quote.Email)),
			Phone:   values.Get(string(quote.Phone)),
			Message: values.Get(string(quote.Description)),
		},
		Work:     values.Get(string(quote.Work)),
		Postcode: values.Get(string(quote.Postcode)),
		Timing:   values.Get(string(quote.Timing)),
	}
	again := web.QuoteFormView{Form: form, Token: s.tokens.Issue(now), FilesSent: len(sent)}

	addr := clientAddr(ctx)
	// Quote requests and contact messages share one count: both land in
	// the inbox and in the company's mail.
	if !s.contactLimiter.Allow(ctx, addr, now) {
		w.Header().Set("Retry-After", "600")
		again.Notice = "ContactErrTooMany"
		s.renderQuote(w, r, http.StatusTooManyRequests, again)
		return
	}

	sub, errs := quote.Validate(form)
	var files []quote.File
	var fileErr error
	if !s.decodePhotos(ctx, func() { files, fileErr = s.prepareFiles(sent) }) {
		return // the visitor left while waiting
	}
	if fileErr != nil {
		if errs == nil {
			errs = quote.Errors{}
		}
		errs[quote.Files] = fileMessage(fileErr)
		var fe *quote.FileError
		if errors.As(fileErr, &fe) {
			again.FileName = fe.Name
		}
	}
	if len(errs) > 0 || unreadable {
		again.Errors = errs
		if unreadable {
			again.Notice = "FormErrUnreadable"
		}
		s.renderQuote(w, r, http.StatusUnprocessableEntity, again)
		return
	}
	if values.Get("website") != "" {
		s.log.InfoContext(ctx, "quote post dropped: honeypot filled")
		http.Redirect(w, r, "/offerte/bedankt", http.StatusSeeOther)
		return
	}
	age, tokenErr := s.tokens.Age(values.Get("t"), now)
	sub.SpamReason = contact.SpamReason(sub.Submission, contact.Signs{FormAge: age, TokenErr: tokenErr, MinFill: s.cfg.ContactMinFill})
	sub.Locale = string(locale.LangOf(ctx))
	sub.Network = clientip.Truncate(addr)
	sub.ReceivedAt = now.UTC()
	sub.Files = files
	note := quote.NotificationFor(sub, s.cfg.MailTo, s.absURL("/"))
	// A post that may be a bot's gets no confirmation: the address may be
	// a stranger's.
	var confirmation contact.Notification
	if sub.SpamReason == "" {
		confirmation = quote.ConfirmationFor(sub, quote.ConfirmationTexts{
			Subject: locale.T(ctx, "QuoteMailSubject"),
			Intro:   locale.T(ctx, "QuoteMailIntro", map[string]any{"Date": brussels.In(now).Format("02-01-2006")}),
			Next:    locale.T(ctx, "QuoteMailNext"),
			NotYou:  locale.T(ctx, "QuoteMailNotYou"),
		})
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	id, err := s.contacts.CreateQuoteRequest(sctx, sub, note, confirmation)
	cancel()
	if err != nil {
		s.log.ErrorContext(ctx, "quote request not stored", "err", err)
		again.Notice = "ContactErrUnavailable"
		s.renderQuote(w, r, http.StatusServiceUnavailable, again)
		return
	}
	s.log.InfoContext(ctx, "quote request stored", "contact_message_id", id, "files", len(files), "maybe_spam", sub.SpamReason != "")
	if s.mailKick != nil {
		s.mailKick()
	}
	http.Redirect(w, r, "/offerte/bedankt", http.StatusSeeOther)
}

// prepareFiles checks and processes the files in the order sent; the first
// refused one stops it (the visitor chooses again anyway).
func (s *Server) prepareFiles(sent []sentFile) ([]quote.File, error) {
	if len(sent) > quote.MaxFiles {
		return nil, quote.ErrTooManyFiles
	}
	var out []quote.File
	for _, f := range sent {
		if f.err != nil {
			return nil, f.err
		}
		kept, err := quote.Prepare(f.name, f.data)
		if err != nil {
			return nil, err
		}
		out = append(out, kept)
	}
	if err := quote.CheckTotal(out, int64(s.cfg.QuoteMaxBytes)); err != nil {
		return nil, err
	}
	return out, nil
}

// fileMessages maps why files were refused to the form's message.
var fileMessages = []struct {
	err   error
	msgID string
}{
	{quote.ErrFileType, "QuoteErrFileType"},
	{quote.ErrFileTooLarge, "QuoteErrFileTooLarge"},
	{quote.ErrFileBroken, "QuoteErrFileBroken"},
	{quote.ErrTooManyFiles, "QuoteErrTooManyFiles"},
	{quote.ErrTotalTooLarge, "QuoteErrTotalTooLarge"},
}

func fileMessage(err error) string {
	for _, m := range fileMessages {
		if errors.Is(err, m.err) {
			return m.msgID
		}
	}
	// An image library's own failure is still a file we cannot take.
	return "QuoteErrFileType"
}

func (s *Server) handleQuoteThanks(w http.ResponseWriter, r *http.Request) {
	p := s.page(w, r, "QuoteThanksTitle", "")
	p.NoIndex = true
	s.render(w, r, http.StatusOK, web.QuoteThanks(p))
}

// contentDisposition names a file to download; the name is quote's clean
// one (letters, digits, a few marks), given plain and RFC 5987-encoded.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}
