package web

import (
	"context"
	"slices"

	"conpro/internal/consent"
	"conpro/internal/locale"
)

// ConsentLookupView is the consent lookup: the ID as typed, whether it was
// looked up or refused, and the choices logged under it (oldest first).
type ConsentLookupView struct {
	ID string
	// Searched is set when an ID was asked for; Invalid when it cannot be
	// one, so nothing was looked up.
	Searched, Invalid bool
	Events            []consent.Event
}

// NewestFirst returns the logged choices, the last one first.
func (v ConsentLookupView) NewestFirst() []consent.Event {
	out := slices.Clone(v.Events)
	slices.Reverse(out)
	return out
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
