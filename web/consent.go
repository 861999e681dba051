package web

import (
	"context"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"

	"conpro/internal/brussels"
	"conpro/internal/consent"
	"conpro/internal/consentlog"
	"conpro/internal/locale"
)

// ConsentView is what the layout needs to show the banner and load the
// scripts the visitor allowed.
type ConsentView struct {
	// ShowBanner is true when there is no current consent and something to
	// ask (the settings page, which is the whole form, turns it off).
	ShowBanner bool
	// Asks is true when an optional vendor is active: without one the site
	// uses only technical cookies and asks nothing.
	Asks bool
	Ask  consent.Reason
	GPC  bool
	// Policy is the number of the version in force: the notice that the
	// policy changed links to what changed in it.
	Policy int
	// Categories are the optional categories with their active vendors, in
	// order; Checked reflects the visitor's current choice (never pre-ticked
	// in the banner).
	Categories []CategoryView
	// Injection is what the page loads: the scripts of the vendors the
	// visitor allowed, where the route may carry them (the server decides).
	Injection consent.Injection
	// ReturnTo is where POST /consent sends the visitor back.
	ReturnTo string
	// Sharing is true when a vendor offering share widgets is configured,
	// so pages offer share links.
	Sharing bool
	// AcceptsAll is true when the accept button grants every vendor the
	// site offers. With the browser's privacy signal it grants less
	// (advertising and social media stay refused): AcceptOnly then lists
	// the categories it does grant, for a label that says so, and when it
	// grants nothing at all there is no accept button.
	AcceptsAll bool
	AcceptOnly []consent.Category
	// Chosen is true when the visitor has a current choice: the page can
	// confirm one just made (see ChoiceSavedID).
	Chosen bool
}

// ChoiceSavedID is the fragment POST /consent sends the visitor back to
// after a choice: the page's confirmation shows only then (CSS :target), so
// the page stays the same bytes for everyone in its consent state and the
// address carries nothing of the visitor.
const ChoiceSavedID = "keuze-bewaard"

// CategoryView is one optional category in a consent form.
type CategoryView struct {
	Category consent.Category
	Checked  bool
	Vendors  []VendorView
}

// VendorView is one vendor switch in a consent form.
type VendorView struct {
	Vendor  consent.Vendor
	Checked bool
}

// NewConsentView builds the view of a request's consent state, without
// scripts (see Injection).
func NewConsentView(r *consent.Registry, st consent.State, returnTo string) ConsentView {
	asks := r.Asks()
	v := ConsentView{
		ShowBanner: asks && st.Ask != consent.ReasonNone,
		Asks:       asks,
		Ask:        st.Ask,
		GPC:        st.GPC,
		ReturnTo:   returnTo,
		Chosen:     st.Current() != nil,
	}
	v.Sharing = r.Widgets()
	v.AcceptsAll, v.AcceptOnly = acceptGrants(r, st.GPC)
	for _, c := range consent.Categories() {
		if !c.Optional() {
			continue
		}
		cv := CategoryView{Category: c}
		cur := st.Current()
		if cur != nil {
			cv.Checked = cur.Grants(c)
		}
		// A vendor's switch is ticked only where the visitor chose vendor
		// by vendor: a whole category shows as its own switch, so that
		// unticking it (without JavaScript) refuses the whole category.
		partly := cur != nil && cur.PartlyGranted(r, c)
		for _, vendor := range r.ActiveIn(c) {
			cv.Vendors = append(cv.Vendors, VendorView{Vendor: vendor, Checked: partly && cur.GrantsVendor(vendor)})
		}
		v.Categories = append(v.Categories, cv)
	}
	return v
}

// acceptGrants works out what the accept button grants: everything offered,
// or only the categories listed.
func acceptGrants(r *consent.Registry, gpc bool) (all bool, only []consent.Category) {
	_, granted, _ := consent.Decide(r, consent.AcceptAll, nil, nil, gpc)
	_, offered, _ := consent.Decide(r, consent.AcceptAll, nil, nil, false)
	if len(granted) == len(offered) {
		return true, nil
	}
	for _, c := range consent.Categories() {
		for _, v := range r.ActiveIn(c) {
			if slices.Contains(granted, v.Key) {
				only = append(only, c)
				break
			}
		}
	}
	return false, only
}

// acceptLabel names the accept button by what it does.
func acceptLabel(ctx context.Context, v ConsentView) string {
	if v.AcceptsAll {
		return T(ctx, "ConsentAcceptAll")
	}
	names := make([]string, len(v.AcceptOnly))
	for i, c := range v.AcceptOnly {
		names[i] = lowerFirst(categoryName(ctx, c))
	}
	return T(ctx, "ConsentAcceptOnly", map[string]any{"Categories": strings.Join(names, ", ")})
}

// offersAccept reports whether an accept button would grant anything.
func offersAccept(v ConsentView) bool { return v.AcceptsAll || len(v.AcceptOnly) > 0 }

// lowerFirst writes a category's name inside a sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func categoryName(ctx context.Context, c consent.Category) string {
	return T(ctx, "Category_"+string(c))
}

func categoryText(ctx context.Context, c consent.Category) string {
	return T(ctx, "CategoryText_"+string(c))
}

// lifetime writes a cookie's lifetime in the visitor's language.
func lifetime(ctx context.Context, d time.Duration) string {
	switch days := int(d / (24 * time.Hour)); {
	case d < time.Hour:
		return T(ctx, "LifetimeMinutes", map[string]any{"Count": int(d / time.Minute)})
	case d < 24*time.Hour:
		return T(ctx, "LifetimeHours", map[string]any{"Count": int(d / time.Hour)})
	case days >= 365 && days%365 == 0:
		return T(ctx, "LifetimeYears", map[string]any{"Count": days / 365})
	case days >= 60:
		return T(ctx, "LifetimeMonths", map[string]any{"Count": days / 30})
	default:
		return T(ctx, "LifetimeDays", map[string]any{"Count": days})
	}
}

// dateTime writes a moment for the visitor, in Belgian time.
func dateTime(ctx context.Context, t time.Time) string {
	t = brussels.In(t)
	if locale.LangOf(ctx) == locale.NL {
		return DutchDate(t) + ", " + t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

func vendorInputID(prefix string, v consent.Vendor) string { return prefix + "-vendor-" + v.Key }

func categoryInputID(prefix string, c consent.Category) string {
	return prefix + "-cat-" + string(c)
}

func grantedSummary(ctx context.Context, c *consent.Choice, r []CategoryView) string {
	if c == nil || c.RefusesAll() {
		return T(ctx, "CookiesSummaryNone")
	}
	var names string
	for _, cv := range r {
		if c.Grants(cv.Category) {
			if names != "" {
				names += ", "
			}
			names += categoryName(ctx, cv.Category)
		}
	}
	return T(ctx, "CookiesSummarySome", map[string]any{"Categories": names})
}

// withdraws reports whether refusing everything on the settings page takes
// back a consent: the visitor's last choice allowed something. The page then
// offers "Toestemming intrekken" in the place of "Alles weigeren": the two
// would do the same, and the log records which one it was.
func withdraws(c *consent.Choice) bool { return c != nil && !c.RefusesAll() }

func itoa(n int) string { return strconv.Itoa(n) }

// scriptTag writes one script element exactly as its CSP hash expects.
func scriptTag(s consent.Script) string {
	if s.Src != "" {
		return `<script async src="` + html.EscapeString(s.Src) + `"></script>`
	}
	return "<script>" + s.Inline + "</script>"
}

// grantedList names what a log entry granted: categories, or "nothing".
func grantedList(ctx context.Context, e consent.Event) string {
	if len(e.Categories) == 0 {
		return T(ctx, "GrantedNothing")
	}
	var out string
	for i, c := range e.Categories {
		if i > 0 {
			out += ", "
		}
		out += categoryName(ctx, c)
	}
	if len(e.Vendors) > 0 {
		names := make([]string, len(e.Vendors))
		for i, key := range e.Vendors {
			names[i] = consent.VendorName(key)
		}
		out += " (" + strings.Join(names, ", ") + ")"
	}
	return out
}

func facebookShareURL(page string) string {
	return "https://www.facebook.com/sharer/sharer.php?u=" + url.QueryEscape(page)
}

func linkedInShareURL(page string) string {
	return "https://www.linkedin.com/sharing/share-offsite/?url=" + url.QueryEscape(page)
}

func facebookButtonURL(page string) templ.SafeURL {
	return templ.SafeURL("https://www.facebook.com/plugins/share_button.php?layout=button&size=small&href=" + url.QueryEscape(page))
}

// linkedInShareTag is LinkedIn's share button: a data block that the
// platform script (loaded only with consent) turns into a button.
func linkedInShareTag(page string) string {
	return `<script type="IN/Share" data-url="` + html.EscapeString(page) + `"></script>`
}

// verificationText says in a sentence what a verification of the consent
// log found.
func verificationText(ctx context.Context, v consentlog.Verification) string {
	data := map[string]any{"When": dateTime(ctx, v.At), "Checked": v.Checked, "Removed": v.Removed, "Event": v.FailedEvent}
	if v.OK {
		return T(ctx, "AdminComplianceOK", data)
	}
	return T(ctx, "AdminComplianceFailed_"+string(v.Reason), data)
}

// blockedKind says in words what kind of thing a CSP directive covers.
func blockedKind(ctx context.Context, directive string) string {
	kind := "Other"
	switch strings.TrimSuffix(strings.TrimSuffix(directive, "-elem"), "-attr") {
	case "script-src":
		kind = "Script"
	case "connect-src":
		kind = "Connect"
	case "img-src":
		kind = "Image"
	case "frame-src", "child-src":
		kind = "Frame"
	case "style-src":
		kind = "Style"
	case "font-src":
		kind = "Font"
	case "form-action":
		kind = "Form"
	}
	return T(ctx, "AdminBlockedKind"+kind)
}

// blockedOrigin says where a blocked thing came from.
func blockedOrigin(ctx context.Context, blocked string) string {
	switch blocked {
	case "inline":
		return T(ctx, "AdminBlockedInline")
	case "eval":
		return T(ctx, "AdminBlockedEval")
	case "(andere)":
		return T(ctx, "AdminBlockedUnknown")
	}
	return blocked
}
