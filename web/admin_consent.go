package web

import (
	"context"
	"slices"
	"strconv"

	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/locale"
)

// ConsentLookupView is the consent lookup: the ID as typed, whether it was
// looked up or refused, and the choices logged under it (oldest first).
type ConsentLookupView struct {
	ID string
	// Searched is set when an ID was asked for; Invalid when it cannot be
	// one, so nothing was looked up.
	Searched, Invalid bool
	Events            []LoggedChoice
}

// LoggedChoice is a logged choice with the words the visitor saw.
type LoggedChoice struct {
	consent.Event
	// Shown is the archived text the choice names, as words; nil when the
	// archive does not hold it.
	Shown *consentlog.ShownText
	// BeforeArchive is set for a choice made before texts were archived.
	BeforeArchive bool
}

// NewestFirst returns the logged choices, the last one first.
func (v ConsentLookupView) NewestFirst() []LoggedChoice {
	out := slices.Clone(v.Events)
	slices.Reverse(out)
	return out
}

// ConsentExportPath is where staff download the record of a consent ID as
// JSON.
func ConsentExportPath(id string) string { return "/admin/toestemmingen/" + id + ".json" }

// ConsentRecordLayoutPath is the page that explains the record's layout
// (docs/consent-record.md).
const ConsentRecordLayoutPath = "/admin/toestemmingen/opbouw"

// shownLine is a line of a shown text on the staff page: a block, or a row
// of buttons that stood side by side.
type shownLine struct {
	consentlog.Block
	Buttons []string
}

// shownLines groups the buttons that follow each other into one line.
func shownLines(blocks []consentlog.Block) []shownLine {
	var out []shownLine
	for _, b := range blocks {
		if b.Kind == consentlog.BlockButton {
			if n := len(out); n > 0 && out[n-1].Kind == consentlog.BlockButton && out[n-1].Depth == b.Depth {
				out[n-1].Buttons = append(out[n-1].Buttons, b.Text)
				continue
			}
			out = append(out, shownLine{Block: b, Buttons: []string{b.Text}})
			continue
		}
		out = append(out, shownLine{Block: b})
	}
	return out
}

// shownClass places a line of a shown text: its kind and how deep in
// lists it stood.
func shownClass(l shownLine) string {
	return "shown-" + string(l.Kind) + " shown-depth-" + strconv.Itoa(min(l.Depth, 3))
}

// switchState says how a switch was shown: on, off, or always on.
func switchState(ctx context.Context, b consentlog.Block) string {
	on := b.On != nil && *b.On
	switch {
	case on && b.Fixed:
		return T(ctx, "AdminConsentSwitchFixed")
	case on:
		return T(ctx, "AdminConsentSwitchOn")
	}
	return T(ctx, "AdminConsentSwitchOff")
}

// shownWhere says where the text was shown, in which language.
func shownWhere(ctx context.Context, e LoggedChoice) string {
	return T(ctx, "AdminConsentShownIn_"+consentlog.CollectionMethod(e.BannerVersion), map[string]any{"Name": eventLanguage(e.Event)})
}

// consentGrant is a category a choice allowed, with the vendors of it that
// were allowed to load.
type consentGrant struct {
	Category string
	Vendors  []string
}

// consentGrants lists what a logged choice allowed, category by category,
// each with its vendors; a vendor whose category the entry does not name
// (the registry changed since) gets a line of its own.
func consentGrants(ctx context.Context, e consent.Event) []consentGrant {
	var out []consentGrant
	at := map[consent.Category]int{}
	for _, c := range e.Categories {
		at[c] = len(out)
		out = append(out, consentGrant{Category: categoryName(ctx, c)})
	}
	for _, key := range e.Vendors {
		v, ok := consent.Lookup(key)
		if i, listed := at[v.Category]; ok && listed {
			out[i].Vendors = append(out[i].Vendors, consent.VendorName(key))
			continue
		}
		out = append(out, consentGrant{Category: consent.VendorName(key)})
	}
	return out
}

// eventLanguage names the language a choice was made in.
func eventLanguage(e consent.Event) string {
	l := locale.Lang(e.Locale)
	if !slices.Contains(locale.Langs(), l) {
		return e.Locale
	}
	return languageName(l)
}
