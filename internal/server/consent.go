package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"conpro/internal/clientip"
	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/locale"
	"conpro/web"
)

// allowedVendors is what a current consent lets a page load: the scripts
// with the CSP that allows them, and the codes of the granted vendors (part
// of a page's variant).
type allowedVendors struct {
	injection consent.Injection
	grants    string
}

// siteCookies is what a request's Cookie header tells the site: the
// visitor's checked consent choice (nil without a valid one), what it lets
// pages load, and the language they chose.
type siteCookies struct {
	// vendors is the registry the rest was worked out with.
	vendors *consent.Registry
	choice  *consent.Choice
	allowed *allowedVendors // nil when the choice grants no vendor
	lang    string
}

// cookieMemo remembers what Cookie headers said: a visitor sends the same
// header with every request, and checking the consent cookie's signature is
// most of the work of reading it. It is bounded in entries and in the length
// of a header it keeps, and forgets everything when full.
type cookieMemo struct {
	m sync.Map // Cookie header → *siteCookies
	n atomic.Int64
}

const (
	maxRememberedHeaders = 4096
	maxRememberedHeader  = 512 // bytes; longer ones are read each time
)

// readCookies reads the site's own cookies from a request, for the
// registry in force (reg). A missing, garbled or forged consent cookie is
// no choice.
func (s *Server) readCookies(r *http.Request, reg *consent.Registry) *siteCookies {
	lines := r.Header["Cookie"]
	if len(lines) == 0 {
		return &noCookies
	}
	key := lines[0]
	remember := len(lines) == 1 && len(key) <= maxRememberedHeader
	if remember {
		// What a header says under another registry (one in force a moment
		// ago) is worked out again.
		if c, ok := s.cookieMemo.m.Load(key); ok && c.(*siteCookies).vendors == reg {
			return c.(*siteCookies)
		}
	}
	c := &siteCookies{vendors: reg}
	if lang, err := r.Cookie(locale.CookieName); err == nil {
		c.lang = lang.Value
	}
	if cookie, err := r.Cookie(consent.CookieName); err == nil {
		if ch, err := s.cookies.Decode(cookie.Value); err == nil {
			c.choice = &ch
			if granted := ch.GrantedVendors(reg); len(granted) > 0 {
				var b strings.Builder
				for _, v := range granted {
					b.WriteString(v.Code)
					b.WriteByte('~')
				}
				c.allowed = &allowedVendors{injection: reg.Inject(&ch), grants: b.String()}
			}
		}
	}
	if remember {
		if s.cookieMemo.n.Add(1) > maxRememberedHeaders {
			s.cookieMemo.m.Clear()
			s.cookieMemo.n.Store(0)
		}
		s.cookieMemo.m.Store(key, c)
	}
	return c
}

var noCookies siteCookies

// gpc reports whether the browser asks not to be tracked: Global Privacy
// Control (Sec-GPC: 1), or Do Not Track (DNT: 1), which counts the same.
// Header fields are read by their canonical keys: Get would canonicalise
// "Sec-GPC" on every call.
func gpc(r *http.Request) bool {
	for _, key := range []string{"Sec-Gpc", "Dnt"} {
		if v := r.Header[key]; len(v) > 0 && strings.TrimSpace(v[0]) == "1" {
			return true
		}
	}
	return false
}

// consentOf works out a request's consent state from its cookies under the
// registry and the policy version in force, and what its current consent
// lets pages load (nil for nothing). A choice made before staff switched on
// a vendor it would cover is asked again, and loads nothing until the
// visitor chooses.
func (s *Server) consentOf(r *http.Request, c *siteCookies, reg *consent.Registry, currentPolicy int) (consent.State, *allowedVendors) {
	st := consent.Evaluate(c.choice, currentPolicy, s.cfg.ConsentMaxAge, s.now(), gpc(r))
	if st.Ask == consent.ReasonNone && c.choice != nil && reg.AsksAboutNew(*c.choice) {
		st.Ask = consent.ReasonNewVendor
	}
	if st.Current() == nil {
		return st, nil
	}
	return st, c.allowed
}

// handleConsent records a banner or settings-form click: it decides what is
// granted, appends the choice to the log, sets the consent cookie, expires
// the cookies of refused vendors, and sends the visitor back.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	if _, err := formValues(r); err != nil {
		s.fail(w, r, err)
		return
	}
	action, ok := consent.ParseAction(r.PostForm.Get("action"))
	if !ok {
		s.fail(w, r, errBadRequest)
		return
	}
	if action == consent.AllowVendor || action == consent.LoadOnce {
		s.handleEmbedConsent(w, r, action)
		return
	}
	ctx := r.Context()
	st := consentState(ctx)
	reg := vendorsOf(ctx)
	cats, restrict, err := consent.Decide(reg, action, r.PostForm["category"], r.PostForm["vendor"], st.GPC)
	if err != nil {
		s.fail(w, r, errBadRequest)
		return
	}
	ch := s.newChoice(ctx, st, cats, restrict)
	returnTo := safeReturnPath(r.PostForm.Get("return_to"))

	// Every choice is kept for years: one client may not post them by the
	// thousand. Over the limit nothing is recorded or set, and the page
	// says so; the previous choice stays.
	if !s.consentLimiter.Allow(ctx, clientAddr(ctx), s.now()) {
		s.fail(w, r, errConsentTooMany)
		return
	}

	lang := locale.LangOf(ctx)
	event := consent.NewEvent(ch, reg, action, s.shownVersion(ctx, st, r.PostForm.Get("form")), string(lang),
		pathOf(returnTo), st.GPC, clientip.Truncate(clientAddr(ctx)), r.UserAgent())
	recorded := true
	if err := s.recorder.Record(ctx, event); err != nil {
		s.log.ErrorContext(ctx, "consent choice not recorded", "err", err, "event_id", event.ID)
		if errors.Is(err, consentlog.ErrSpoolFull) && !ch.RefusesAll() {
			// The database is down and the spool has no room: a grant is
			// not acknowledged, and nothing about it is set. A refusal
			// goes on below and takes effect, as when the spool fails.
			s.fail(w, r, err)
			return
		}
		recorded = false
	}
	// A grant needs its proof: without a record (neither the database nor
	// the spool took it) only a refusal takes effect; the banner asks again.
	// A choice that takes effect is confirmed on the page the visitor
	// returns to (web.ConsentSaved).
	if recorded || ch.RefusesAll() {
		returnTo += "#" + web.ChoiceSavedID
		s.setConsentCookie(w, ch)
	}
	s.expireRefusedCookies(w, r, &ch)
	if prev := st.Choice; prev != nil && len(ch.GrantedVendors(reg)) < len(prev.GrantedVendors(reg)) {
		// Vendor scripts may have left data in this origin's storage; the
		// site itself keeps nothing there.
		w.Header().Set("Clear-Site-Data", `"storage"`)
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

// handleEmbedConsent records a click on an embed's placeholder and returns
// to the embed. "Altijd toestaan" (allow_vendor) is a choice like any
// other: the visitor's current choice with the vendor added, logged, kept
// by the consent cookie. "Eenmalig laden" (load_once) is logged as a grant
// of that vendor alone, under the visitor's consent ID (a new one without
// a cookie), and returns with the vendor in the query: that page view
// shows it; the cookie is left as it was, so the next one does not.
func (s *Server) handleEmbedConsent(w http.ResponseWriter, r *http.Request, action consent.Action) {
	ctx := r.Context()
	st := consentState(ctx)
	reg := vendorsOf(ctx)
	key := r.PostForm.Get("vendor")
	cats, granted, err := consent.Embedded(reg, action, st.Current(), key)
	if err != nil {
		// A placeholder shown before staff switched the vendor off.
		s.fail(w, r, errBadRequest)
		return
	}
	ch := s.newChoice(ctx, st, cats, granted)
	returnTo, anchor := safeReturnPath(r.PostForm.Get("return_to")), embedAnchor(r.PostForm.Get("return_to"))
	if !s.consentLimiter.Allow(ctx, clientAddr(ctx), s.now()) {
		s.fail(w, r, errConsentTooMany)
		return
	}
	event := consent.NewEvent(ch, reg, action, s.shownVersion(ctx, st, "embed:"+key), string(locale.LangOf(ctx)),
		pathOf(returnTo), st.GPC, clientip.Truncate(clientAddr(ctx)), r.UserAgent())
	if err := s.recorder.Record(ctx, event); err != nil {
		// A grant needs its proof: without a record the page shows the
		// placeholder again.
		s.log.ErrorContext(ctx, "consent choice not recorded", "err", err, "event_id", event.ID)
		if errors.Is(err, consentlog.ErrSpoolFull) {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, returnTo+anchor, http.StatusSeeOther)
		return
	}
	if action == consent.LoadOnce {
		u, _ := url.Parse(returnTo)
		q := u.Query()
		q.Set(web.LoadOnceParam, s.loadOnceToken(key, u.Path, s.now()))
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String()+anchor, http.StatusSeeOther)
		return
	}
	s.setConsentCookie(w, ch)
	http.Redirect(w, r, returnTo+anchor, http.StatusSeeOther)
}

// newChoice is a choice made now under the policy in force, with the
// visitor's ID when they have one: the same visitor keeps one ID, so their
// history stays together.
func (s *Server) newChoice(ctx context.Context, st consent.State, cats []consent.Category, vendors []string) consent.Choice {
	ch := consent.Choice{
		ID:            consent.NewID(),
		PolicyVersion: visitOf(ctx).policy.current.Number,
		Categories:    cats,
		Vendors:       vendors,
		Time:          s.now().UTC().Truncate(time.Second),
	}
	if st.Choice != nil {
		ch.ID = st.Choice.ID
	}
	return ch
}

// setConsentCookie keeps a choice in the visitor's browser.
func (s *Server) setConsentCookie(w http.ResponseWriter, ch consent.Choice) {
	http.SetCookie(w, &http.Cookie{
		Name:  consent.CookieName,
		Value: s.cookies.Encode(ch),
		Path:  "/",
		// The cookie outlives the consent, so that an expired consent
		// keeps its ID (and its history) when the visitor chooses again;
		// whether it is current is decided from its time.
		MaxAge:   int(consentCookieLifetime / time.Second),
		HttpOnly: true,
		Secure:   s.cfg.Production(),
		SameSite: http.SameSiteLaxMode,
	})
}

// embedAnchor is the fragment of a placeholder's return_to, "#embed-…",
// when it has the form of an embed's anchor; "" otherwise.
func embedAnchor(returnTo string) string {
	_, frag, ok := strings.Cut(returnTo, "#")
	if !ok || !strings.HasPrefix(frag, "embed-") || len(frag) > 100 {
		return ""
	}
	for _, c := range frag {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return ""
		}
	}
	return "#" + frag
}

func pathOf(returnTo string) string {
	if u, err := url.Parse(returnTo); err == nil {
		return u.Path
	}
	return "/"
}

// expireRefusedCookies tells the browser to drop the first-party cookies of
// every vendor the choice does not grant. Scripts such as Google Analytics
// set them on the registrable domain, so each is expired host-only and on
// that domain.
func (s *Server) expireRefusedCookies(w http.ResponseWriter, r *http.Request, ch *consent.Choice) {
	var present []string
	for _, c := range r.Cookies() {
		present = append(present, c.Name)
	}
	domain := consent.CookieDomain(s.cfg.BaseURL.Hostname())
	for _, name := range consent.RefusedCookies(ch, present) {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1})
		if domain != "" {
			http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", Domain: domain, MaxAge: -1})
		}
	}
}

// consentCookieLifetime is how long browsers keep the consent cookie: about
// the most they allow (400 days).
const consentCookieLifetime = 400 * 24 * time.Hour

// shownVersion identifies the text a visitor saw when they chose: a digest
// of the banner, or of the settings form, as rendered in their language with
// their notices.
func (s *Server) shownVersion(ctx context.Context, st consent.State, form string) string {
	// The form is the banner or the settings page: what a client posts
	// must not make versions (and memo entries) without end.
	if key, ok := strings.CutPrefix(form, "embed:"); ok {
		// An embed's placeholder, of an active vendor (handleEmbedConsent
		// checked it).
		if _, active := vendorsOf(ctx).Vendor(key); !active {
			form = "banner"
		}
	} else if form != "settings" {
		form = "banner"
	}
	policy := visitOf(ctx).policy.current.Number
	key := shownKey{vendorsOf(ctx), locale.LangOf(ctx), askOrFirst(st.Ask), st.GPC, form, policy}
	if v, ok := s.shownVersions.Load(key); ok {
		return v.(string)
	}
	v, body := s.renderShownVersion(ctx, st, form, policy)
	// The text is archived once by its digest, so that the proof of a
	// choice shows the exact words; until the archive has it (the database
	// may be away), it is tried again with the next choice.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	err := s.texts.ArchiveConsentText(actx, v, body)
	cancel()
	if err != nil {
		s.log.WarnContext(ctx, "consent text not archived yet", "version", v, "err", err)
		return v
	}
	s.shownVersions.Store(key, v)
	return v
}

// shownKey names a text a visitor may choose on: the banner or the settings
// form, as one registry makes it in one language with one notice.
type shownKey struct {
	vendors *consent.Registry
	lang    locale.Lang
	ask     consent.Reason
	gpc     bool
	form    string
	policy  int // the notice of a change links to that version's changes
}

func (s *Server) renderShownVersion(ctx context.Context, st consent.State, form string, policy int) (version, body string) {
	v := web.NewConsentView(vendorsOf(ctx), consent.State{Ask: askOrFirst(st.Ask), GPC: st.GPC}, "/")
	v.Policy = policy
	component, name := web.ConsentBanner(v), "banner"
	if form == "settings" {
		component, name = web.ConsentFields(v, "settings", true), "settings"
	}
	if key, ok := strings.CutPrefix(form, "embed:"); ok {
		vendor, _ := vendorsOf(ctx).Vendor(key)
		component, name = web.EmbedPlaceholderText(vendor), "embed-"+key
	}
	var buf bytes.Buffer
	if err := component.Render(ctx, &buf); err != nil {
		return "unknown", ""
	}
	sum := sha256.Sum256(buf.Bytes())
	return name + "-" + string(locale.LangOf(ctx)) + "-" + hex.EncodeToString(sum[:6]), buf.String()
}

func askOrFirst(r consent.Reason) consent.Reason {
	if r == consent.ReasonNone {
		// A click on the settings page with a current consent: the form is
		// shown as a first visit shows it.
		return consent.ReasonFirstVisit
	}
	return r
}

// declaration is the cookie declaration of the site as the request's
// registry makes it.
func (s *Server) declaration(ctx context.Context) web.Declaration {
	return web.NewDeclaration(vendorsOf(ctx), consent.SiteCookies(consentCookieLifetime, s.cfg.ConsentMaxAge))
}

// handleCookies is the settings page.
func (s *Server) handleCookies(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := consentState(ctx)
	d := web.CookieSettingsData{
		Choice:      st.Choice,
		Declaration: s.declaration(ctx),
	}
	if st.Choice != nil {
		hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		events, err := s.history.ConsentEvents(hctx, st.Choice.ID)
		cancel()
		if err != nil {
			s.log.WarnContext(ctx, "consent history unavailable", "err", err)
			d.HistoryErr = true
		}
		d.History = events
	}
	p := s.page(w, r, "CookiesTitle", "CookiesDescription")
	p.Canonical = s.absURL("/cookies")
	// This page is the whole settings form: no banner above it.
	p.Consent.ShowBanner = false
	s.render(w, r, http.StatusOK, web.CookieSettings(p, d))
}

// handleReceipt downloads the visitor's consent receipt as JSON.
func (s *Server) handleReceipt(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := consentState(ctx)
	if st.Choice == nil {
		s.fail(w, r, errNotFound)
		return
	}
	ch := st.Choice
	var versions []consent.ReceiptPolicy
	pv := visitOf(ctx).policy.shown()
	for i := len(pv) - 1; i >= 0; i-- {
		v := pv[i]
		versions = append(versions, consent.ReceiptPolicy{Number: v.Number, Date: v.EffectiveOn.Format(time.DateOnly), URL: s.absURL("/privacy/versies/" + strconv.Itoa(v.Number))})
	}
	hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	events, err := s.history.ConsentEvents(hctx, ch.ID)
	cancel()
	rc := consent.NewReceipt(ch, st.Current() != nil, vendorsOf(ctx), events, versions, s.absURL("/"), s.now())
	if err != nil {
		s.log.WarnContext(ctx, "consent history unavailable", "err", err)
		rc.HistoryNote = locale.T(ctx, "ReceiptHistoryUnavailable")
	}
	body, err := json.MarshalIndent(rc, "", "  ")
	if err != nil {
		s.fail(w, r, errors.New("marshal consent receipt"))
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="conpro-toestemming-`+ch.ID+`.json"`)
	writeBody(w, r, http.StatusOK, "application/json; charset=utf-8", append(body, '\n'))
}
