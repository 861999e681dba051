// Package locale chooses the interface language of a request and translates
// interface strings with go-i18n. Dutch is the default and the reference:
// every message exists in Dutch, French and English.
package locale

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is a supported interface language.
type Lang string

const (
	NL Lang = "nl"
	FR Lang = "fr"
	EN Lang = "en"
)

// Default is the language of the site when nothing else is known.
const Default = NL

// CookieName is the functional cookie that remembers the visitor's choice of
// language.
const CookieName = "conpro_lang"

// Langs lists the supported languages in the order the switch shows them.
func Langs() []Lang { return []Lang{NL, FR, EN} }

// Parse returns the supported language named by s ("nl", "fr", "en").
func Parse(s string) (Lang, bool) {
	switch Lang(strings.ToLower(strings.TrimSpace(s))) {
	case NL:
		return NL, true
	case FR:
		return FR, true
	case EN:
		return EN, true
	}
	return "", false
}

// Bundle holds the translations and one localizer per language.
type Bundle struct {
	matcher    language.Matcher
	localizers map[Lang]*Localizer
	// negotiated memoises Accept-Language headers: browsers send a few
	// dozen distinct values, and parsing and matching one costs
	// microseconds on every request.
	negotiated sync.Map // string → Lang
	memoised   atomic.Int64
}

// maxNegotiated bounds the memo; past it, it starts again.
const maxNegotiated = 1000

// Load reads locales/active.<lang>.toml for every supported language from
// fsys and checks that each language has exactly the Dutch message IDs.
func Load(fsys fs.FS) (*Bundle, error) {
	b := i18n.NewBundle(language.Dutch)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	ids := make(map[Lang]map[string]bool)
	for _, l := range Langs() {
		name := path.Join(".", "active."+string(l)+".toml")
		mf, err := b.LoadMessageFileFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", name, err)
		}
		ids[l] = make(map[string]bool, len(mf.Messages))
		for _, m := range mf.Messages {
			ids[l][m.ID] = true
		}
	}
	for _, l := range Langs()[1:] {
		for id := range ids[NL] {
			if !ids[l][id] {
				return nil, fmt.Errorf("locale %s lacks message %q", l, id)
			}
		}
		for id := range ids[l] {
			if !ids[NL][id] {
				return nil, fmt.Errorf("locale %s has message %q that nl lacks", l, id)
			}
		}
	}
	tags := []language.Tag{language.Dutch, language.French, language.English}
	bundle := &Bundle{
		matcher:    language.NewMatcher(tags),
		localizers: make(map[Lang]*Localizer),
	}
	for _, l := range Langs() {
		bundle.localizers[l] = &Localizer{lang: l, l: i18n.NewLocalizer(b, string(l))}
	}
	return bundle, nil
}

// Negotiate picks the language of a request: the visitor's remembered
// choice (the cookie value) first, then the browser's Accept-Language, then
// Dutch.
func (b *Bundle) Negotiate(cookieValue, acceptLanguage string) Lang {
	if l, ok := Parse(cookieValue); ok {
		return l
	}
	if acceptLanguage == "" {
		return Default
	}
	if l, ok := b.negotiated.Load(acceptLanguage); ok {
		return l.(Lang)
	}
	l := b.match(acceptLanguage)
	if len(acceptLanguage) <= 256 { // longer ones are not worth keeping
		if b.memoised.Add(1) > maxNegotiated {
			b.negotiated.Clear()
			b.memoised.Store(0)
		}
		b.negotiated.Store(acceptLanguage, l)
	}
	return l
}

// match picks the supported language that best fits an Accept-Language
// header.
func (b *Bundle) match(acceptLanguage string) Lang {
	// ParseAcceptLanguage rejects overlong or malformed headers; Dutch then.
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Langs()[idx]
}

// Localizer returns the localizer of a language (Dutch for an unknown one).
func (b *Bundle) Localizer(l Lang) *Localizer {
	if loc, ok := b.localizers[l]; ok {
		return loc
	}
	return b.localizers[Default]
}

// Localizer translates message IDs into one language.
type Localizer struct {
	lang Lang
	l    *i18n.Localizer
}

// Lang is the language of the localizer.
func (l *Localizer) Lang() Lang { return l.lang }

// missingMark is how T renders an unknown message ID: visible on the page, and
// searched for by the tests.
const missingMark = "⟦missing:"

// T translates a message ID; data fills the message's template fields, and
// its "Count" entry, when present, chooses the plural form.
func (l *Localizer) T(id string, data ...map[string]any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
		// A "Count" picks the plural form ("1 dag", "2 dagen").
		if n, ok := data[0]["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	s, err := l.l.Localize(cfg)
	if err != nil {
		return missingMark + id + "⟧"
	}
	return s
}

type ctxKey struct{}

// WithLocalizer returns a context that carries the request's localizer.
func WithLocalizer(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the request's localizer, or nil outside a request.
func FromContext(ctx context.Context) *Localizer {
	l, _ := ctx.Value(ctxKey{}).(*Localizer)
	return l
}

// T translates id in the language of the request in ctx.
func T(ctx context.Context, id string, data ...map[string]any) string {
	l := FromContext(ctx)
	if l == nil {
		return missingMark + id + "⟧"
	}
	return l.T(id, data...)
}

// LangOf returns the language of the request in ctx (Dutch outside a request).
func LangOf(ctx context.Context) Lang {
	if l := FromContext(ctx); l != nil {
		return l.lang
	}
	return Default
}
