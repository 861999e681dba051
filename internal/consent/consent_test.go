package consent_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"conpro/internal/consent"
	"conpro/internal/csp"
)

// Every vendor ID the catalogue knows, each of a valid form.
var allIDs = map[string]string{
	"CONPRO_GA_MEASUREMENT_ID":   "G-TEST1234",
	"CONPRO_SMARTLOOK_KEY":       "0123456789abcdef0123",
	"CONPRO_GOOGLE_ADS_ID":       "AW-1234567",
	"CONPRO_META_PIXEL_ID":       "1234567890",
	"CONPRO_LINKEDIN_PARTNER_ID": "123456",
	"CONPRO_SOCIAL_WIDGETS":      "1",
}

var allKeys = []string{"google-analytics", "smartlook", "google-ads", "meta-pixel", "linkedin-insight", "social-widgets"}

// only returns allIDs restricted to the named variables.
func only(vars ...string) map[string]string {
	m := map[string]string{}
	for _, v := range vars {
		m[v] = allIDs[v]
	}
	return m
}

func newRegistry(t testing.TB, env map[string]string) *consent.Registry {
	t.Helper()
	r, err := consent.NewRegistry(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	return r
}

func keys(vs []consent.Vendor) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Key)
	}
	return out
}

func vendor(t testing.TB, r *consent.Registry, key string) consent.Vendor {
	t.Helper()
	v, ok := r.Vendor(key)
	if !ok {
		t.Fatalf("vendor %s not active", key)
	}
	return v
}

// ---- active.go, vendor.go ----

func TestNewRegistry_ActivatesExactlyTheVendorsWhoseIDIsSet(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", map[string]string{}, nil},
		{"every ID set, in catalogue order", allIDs, allKeys},
		{"Google Analytics only", only("CONPRO_GA_MEASUREMENT_ID"), []string{"google-analytics"}},
		{"advertising only", only("CONPRO_GOOGLE_ADS_ID", "CONPRO_META_PIXEL_ID", "CONPRO_LINKEDIN_PARTNER_ID"), []string{"google-ads", "meta-pixel", "linkedin-insight"}},
		{"social widgets switched off with 0", map[string]string{"CONPRO_SOCIAL_WIDGETS": "0", "CONPRO_SMARTLOOK_KEY": allIDs["CONPRO_SMARTLOOK_KEY"]}, []string{"smartlook"}},
		{"blank values count as unset", map[string]string{"CONPRO_GA_MEASUREMENT_ID": "  ", "CONPRO_META_PIXEL_ID": "\t"}, nil},
		{"surrounding space is trimmed", map[string]string{"CONPRO_GA_MEASUREMENT_ID": " G-TEST1234\n"}, []string{"google-analytics"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRegistry(t, c.env)
			if got := keys(r.Active()); !slices.Equal(got, c.want) {
				t.Fatalf("active = %v, want %v", got, c.want)
			}
		})
	}
}

// NewRegistry reads the registry's variables and nothing else; the ones
// this file tests by name are among them. (A vendor added to the registry
// adds its variable without touching this test.)
func TestNewRegistry_AsksOnlyForTheVendorVariables(t *testing.T) {
	var asked []string
	if _, err := consent.NewRegistry(func(k string) string { asked = append(asked, k); return "" }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(asked)
	var vars []string
	for _, v := range consent.VendorVars() {
		vars = append(vars, v.Name)
	}
	slices.Sort(vars)
	if !slices.Equal(asked, vars) {
		t.Fatalf("asked for %v, VendorVars = %v", asked, vars)
	}
	for _, name := range slices.Sorted(maps.Keys(allIDs)) {
		if !slices.Contains(vars, name) {
			t.Errorf("VendorVars = %v lacks %s", vars, name)
		}
	}
}

func TestNewRegistry_RefusesAMalformedIDAndNamesItsVariable(t *testing.T) {
	cases := []struct{ variable, value string }{
		{"CONPRO_GA_MEASUREMENT_ID", "UA-12345-1"},
		{"CONPRO_GA_MEASUREMENT_ID", "G-test1234"},
		{"CONPRO_GA_MEASUREMENT_ID", "G-ABC"},
		{"CONPRO_GA_MEASUREMENT_ID", "G-TEST1234');alert(1)//"},
		{"CONPRO_SMARTLOOK_KEY", "0123456789ABCDEF0123"},
		{"CONPRO_SMARTLOOK_KEY", "0123456789abcdef012"},
		{"CONPRO_SMARTLOOK_KEY", "0123456789abcdef0123'"},
		{"CONPRO_GOOGLE_ADS_ID", "AW-12345"},
		{"CONPRO_GOOGLE_ADS_ID", "1234567"},
		{"CONPRO_META_PIXEL_ID", "12345"},
		{"CONPRO_META_PIXEL_ID", "12345678x"},
		{"CONPRO_LINKEDIN_PARTNER_ID", "12"},
		{"CONPRO_LINKEDIN_PARTNER_ID", "1234567890123"},
		{"CONPRO_SOCIAL_WIDGETS", "2"},
		{"CONPRO_SOCIAL_WIDGETS", "yes"},
	}
	for _, c := range cases {
		t.Run(c.variable+"="+c.value, func(t *testing.T) {
			env := only("CONPRO_GA_MEASUREMENT_ID", "CONPRO_META_PIXEL_ID")
			env[c.variable] = c.value
			r, err := consent.NewRegistry(func(k string) string { return env[k] })
			if err == nil {
				t.Fatalf("accepted %s=%q: active %v", c.variable, c.value, keys(r.Active()))
			}
			if r != nil {
				t.Error("returned a registry along with the error")
			}
			if !strings.Contains(err.Error(), c.variable) {
				t.Errorf("error %q does not name %s", err, c.variable)
			}
		})
	}
}

func TestNewRegistry_ReportsEveryMalformedID(t *testing.T) {
	env := map[string]string{"CONPRO_GA_MEASUREMENT_ID": "nope", "CONPRO_LINKEDIN_PARTNER_ID": "nope", "CONPRO_META_PIXEL_ID": allIDs["CONPRO_META_PIXEL_ID"]}
	_, err := consent.NewRegistry(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("accepted malformed IDs")
	}
	for _, v := range []string{"CONPRO_GA_MEASUREMENT_ID", "CONPRO_LINKEDIN_PARTNER_ID"} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error %q does not name %s", err, v)
		}
	}
	if strings.Contains(err.Error(), "CONPRO_META_PIXEL_ID") {
		t.Errorf("error %q names a valid variable", err)
	}
}

func TestRegistry_IDIsTheTrimmedConfiguredIDOfAnActiveVendor(t *testing.T) {
	r := newRegistry(t, map[string]string{"CONPRO_GA_MEASUREMENT_ID": " G-TEST1234 ", "CONPRO_SMARTLOOK_KEY": allIDs["CONPRO_SMARTLOOK_KEY"]})
	cases := map[string]string{
		"google-analytics": "G-TEST1234",
		"smartlook":        "0123456789abcdef0123",
		"google-ads":       "",
		"no-such-vendor":   "",
	}
	for key, want := range cases {
		if got := r.ID(key); got != want {
			t.Errorf("ID(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestRegistry_VendorFindsActiveVendorsOnly(t *testing.T) {
	r := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID", "CONPRO_META_PIXEL_ID"))
	cases := []struct {
		key          string
		ok           bool
		wantCategory consent.Category
	}{
		{"google-analytics", true, consent.Analytics},
		{"meta-pixel", true, consent.Advertising},
		{"smartlook", false, ""},
		{"social-widgets", false, ""},
		{"", false, ""},
		{"Google-Analytics", false, ""},
	}
	for _, c := range cases {
		v, ok := r.Vendor(c.key)
		if ok != c.ok {
			t.Errorf("Vendor(%q) found = %v, want %v", c.key, ok, c.ok)
			continue
		}
		if ok && (v.Key != c.key || v.Category != c.wantCategory) {
			t.Errorf("Vendor(%q) = %s in %s", c.key, v.Key, v.Category)
		}
	}
}

func TestRegistry_ActiveInListsTheActiveVendorsOfOneCategory(t *testing.T) {
	full := newRegistry(t, allIDs)
	partial := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID", "CONPRO_LINKEDIN_PARTNER_ID"))
	cases := []struct {
		r    *consent.Registry
		cat  consent.Category
		want []string
	}{
		{full, consent.Analytics, []string{"google-analytics", "smartlook"}},
		{full, consent.Advertising, []string{"google-ads", "meta-pixel", "linkedin-insight"}},
		{full, consent.Social, []string{"social-widgets"}},
		{full, consent.Functional, nil},
		{partial, consent.Analytics, []string{"google-analytics"}},
		{partial, consent.Advertising, []string{"linkedin-insight"}},
		{partial, consent.Social, nil},
	}
	for _, c := range cases {
		if got := keys(c.r.ActiveIn(c.cat)); !slices.Equal(got, c.want) {
			t.Errorf("ActiveIn(%s) = %v, want %v", c.cat, got, c.want)
		}
	}
}

func TestRegistry_ActiveCannotBeChangedByTheCaller(t *testing.T) {
	r := newRegistry(t, allIDs)
	a := r.Active()
	a[0].Key = "changed"
	if got := keys(r.Active()); !slices.Equal(got, allKeys) {
		t.Fatalf("active after editing a copy = %v", got)
	}
}

func TestVendor_MatchesTheCookiesItSets(t *testing.T) {
	r := newRegistry(t, allIDs)
	cases := []struct {
		vendor, cookie string
		want           bool
	}{
		{"google-analytics", "_ga", true},
		{"google-analytics", "_ga_ABC123", true},
		{"google-analytics", "_gid", true},
		{"google-analytics", "_gat", true},
		{"google-analytics", "_gat_UA-1", true},
		{"google-analytics", "_gcl_au", false},
		{"google-analytics", "ga", false},
		{"google-analytics", "_gax", false},
		{"google-analytics", "_GA", false},
		{"smartlook", "SL_C_23361dd035530_SID", true},
		{"smartlook", "SL_", true},
		{"smartlook", "sl_c", false},
		{"google-ads", "_gcl_au", true},
		{"google-ads", "_gcl_aw", true},
		{"google-ads", "_gcl", false},
		{"google-ads", "_gac_UA-12345-1", true},
		{"google-ads", "_gac_gb_AW-1234567", true},
		{"google-ads", "_gac", false},
		{"google-analytics", "_gac_UA-12345-1", false},
		{"meta-pixel", "_fbp", true},
		{"meta-pixel", "_fbc", true},
		{"meta-pixel", "_fbpx", false},
		{"linkedin-insight", "li_fat_id", true},
		{"linkedin-insight", "_li_dcdm_c", true},
		{"linkedin-insight", "lidc", false},
		{"linkedin-insight", "ln_or", true},
		{"linkedin-insight", "ln_or_x", false},
		{"linkedin-insight", "ln_o", false},
		{"social-widgets", "ln_or", false},
		{"social-widgets", "_fbp", false},
		{"social-widgets", "li_fat_id", false},
		{"google-analytics", consent.CookieName, false},
		{"linkedin-insight", "conpro_lang", false},
	}
	for _, c := range cases {
		if got := vendor(t, r, c.vendor).MatchesCookie(c.cookie); got != c.want {
			t.Errorf("%s.MatchesCookie(%q) = %v, want %v", c.vendor, c.cookie, got, c.want)
		}
	}
}

// ---- choice.go ----

func TestParseAction_AcceptsExactlyTheFourActions(t *testing.T) {
	for _, s := range []string{"accept_all", "reject_all", "save", "withdraw"} {
		a, ok := consent.ParseAction(s)
		if !ok || string(a) != s {
			t.Errorf("ParseAction(%q) = %q, %v", s, a, ok)
		}
	}
	for _, s := range []string{"", "accept", "ACCEPT_ALL", "save ", " save", "reject-all", "withdraw\x00", "delete"} {
		if a, ok := consent.ParseAction(s); ok || a != "" {
			t.Errorf("ParseAction(%q) = %q, %v; want refused", s, a, ok)
		}
	}
}

func TestDecide_AcceptAllGrantsEveryOptionalCategoryWithAllItsActiveVendors(t *testing.T) {
	A, D, S := consent.Analytics, consent.Advertising, consent.Social
	cases := []struct {
		name        string
		env         map[string]string
		wantGranted []string
	}{
		{"every vendor active", allIDs, allKeys},
		{"some vendors active", only("CONPRO_SMARTLOOK_KEY", "CONPRO_META_PIXEL_ID"), []string{"smartlook", "meta-pixel"}},
		{"no vendor active", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRegistry(t, c.env)
			// Whatever else the form posted does not matter.
			cats, granted, err := consent.Decide(r, consent.AcceptAll, []string{"analytics"}, []string{"google-analytics", "hotjar"}, false)
			if err != nil {
				t.Fatal(err)
			}
			if want := []consent.Category{A, D, S}; !slices.Equal(cats, want) {
				t.Errorf("categories = %v, want %v", cats, want)
			}
			if !slices.Equal(granted, c.wantGranted) {
				t.Errorf("granted vendors = %v, want %v", granted, c.wantGranted)
			}
		})
	}
}

func TestDecide_GPCKeepsAdvertisingAndSocialRefusedOnAcceptAll(t *testing.T) {
	r := newRegistry(t, allIDs)
	cats, granted, err := consent.Decide(r, consent.AcceptAll, []string{"advertising", "social"}, []string{"meta-pixel"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []consent.Category{consent.Analytics}; !slices.Equal(cats, want) {
		t.Errorf("categories = %v, want %v", cats, want)
	}
	if want := []string{"google-analytics", "smartlook"}; !slices.Equal(granted, want) {
		t.Errorf("granted vendors = %v, want %v", granted, want)
	}
}

func TestDecide_RejectAllAndWithdrawGrantNothing(t *testing.T) {
	r := newRegistry(t, allIDs)
	for _, a := range []consent.Action{consent.RejectAll, consent.Withdraw} {
		for _, gpc := range []bool{false, true} {
			cats, granted, err := consent.Decide(r, a, []string{"analytics", "advertising", "social", "marketing"}, []string{"google-analytics", "meta-pixel", "hotjar"}, gpc)
			if err != nil || len(cats) != 0 || len(granted) != 0 {
				t.Errorf("%s (gpc %v) = %v, %v, %v; want nothing", a, gpc, cats, granted, err)
			}
		}
	}
}

func TestDecide_SaveGrantsWhatWasTicked(t *testing.T) {
	full := newRegistry(t, allIDs)
	// Smartlook and LinkedIn are switched off.
	partial := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID", "CONPRO_GOOGLE_ADS_ID", "CONPRO_META_PIXEL_ID", "CONPRO_SOCIAL_WIDGETS"))
	gaOnly := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID"))
	A, D, S := consent.Analytics, consent.Advertising, consent.Social
	cases := []struct {
		name        string
		r           *consent.Registry
		categories  []string
		vendors     []string
		gpc         bool
		wantCats    []consent.Category
		wantGranted []string
	}{
		{name: "nothing ticked", r: full},
		{name: "functional only is ignored", r: full, categories: []string{"functional"}},
		{name: "a ticked category grants all its vendors", r: full, categories: []string{"analytics"},
			wantCats: []consent.Category{A}, wantGranted: []string{"google-analytics", "smartlook"}},
		{name: "categories come out in registry order", r: full, categories: []string{"social", "functional", "analytics"},
			wantCats: []consent.Category{A, S}, wantGranted: []string{"google-analytics", "smartlook", "social-widgets"}},
		{name: "a category ticked twice counts once", r: full, categories: []string{"advertising", "advertising"},
			wantCats: []consent.Category{D}, wantGranted: []string{"google-ads", "meta-pixel", "linkedin-insight"}},
		{name: "a ticked vendor grants its category and only itself", r: full, vendors: []string{"google-analytics"},
			wantCats: []consent.Category{A}, wantGranted: []string{"google-analytics"}},
		{name: "ticked vendors narrow a ticked category", r: full, categories: []string{"analytics"}, vendors: []string{"smartlook"},
			wantCats: []consent.Category{A}, wantGranted: []string{"smartlook"}},
		{name: "vendors come out in catalogue order", r: full, vendors: []string{"linkedin-insight", "google-ads"},
			wantCats: []consent.Category{D}, wantGranted: []string{"google-ads", "linkedin-insight"}},
		{name: "vendors of several categories come out in catalogue order", r: full, vendors: []string{"social-widgets", "meta-pixel", "smartlook"},
			wantCats: []consent.Category{A, D, S}, wantGranted: []string{"smartlook", "meta-pixel", "social-widgets"}},
		{name: "a vendor ticked twice counts once", r: full, vendors: []string{"meta-pixel", "meta-pixel"},
			wantCats: []consent.Category{D}, wantGranted: []string{"meta-pixel"}},
		{name: "every vendor of a category ticked", r: full, vendors: []string{"smartlook", "google-analytics"},
			wantCats: []consent.Category{A}, wantGranted: []string{"google-analytics", "smartlook"}},
		{name: "the only social vendor ticked", r: full, vendors: []string{"social-widgets"},
			wantCats: []consent.Category{S}, wantGranted: []string{"social-widgets"}},
		{name: "vendors ticked in one category leave another ticked category whole", r: full, categories: []string{"advertising"}, vendors: []string{"google-analytics"},
			wantCats: []consent.Category{A, D}, wantGranted: []string{"google-analytics", "google-ads", "meta-pixel", "linkedin-insight"}},
		{name: "an inactive vendor is ignored", r: partial, vendors: []string{"smartlook"}},
		{name: "an inactive vendor ticked with its category leaves the category whole", r: partial, categories: []string{"advertising"}, vendors: []string{"linkedin-insight"},
			wantCats: []consent.Category{D}, wantGranted: []string{"google-ads", "meta-pixel"}},
		{name: "an inactive vendor beside an active one", r: partial, vendors: []string{"google-analytics", "smartlook"},
			wantCats: []consent.Category{A}, wantGranted: []string{"google-analytics"}},
		{name: "a ticked category without active vendors is granted with none", r: gaOnly, categories: []string{"social", "advertising"},
			wantCats: []consent.Category{D, S}},
		{name: "GPC does not refuse what was ticked explicitly", r: full, categories: []string{"advertising", "social"}, gpc: true,
			wantCats: []consent.Category{D, S}, wantGranted: []string{"google-ads", "meta-pixel", "linkedin-insight", "social-widgets"}},
		{name: "GPC does not refuse a vendor ticked explicitly", r: full, vendors: []string{"meta-pixel"}, gpc: true,
			wantCats: []consent.Category{D}, wantGranted: []string{"meta-pixel"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cats, granted, err := consent.Decide(c.r, consent.Save, c.categories, c.vendors, c.gpc)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cats, c.wantCats) {
				t.Errorf("categories = %v, want %v", cats, c.wantCats)
			}
			if !slices.Equal(granted, c.wantGranted) {
				t.Errorf("granted vendors = %v, want %v", granted, c.wantGranted)
			}
			// The choice made of them lets exactly those vendors load.
			ch := consent.Choice{Categories: cats, Vendors: granted}
			if got := keys(ch.GrantedVendors(c.r)); !slices.Equal(got, c.wantGranted) {
				t.Errorf("choice lets %v load, want %v", got, c.wantGranted)
			}
		})
	}
}

func TestDecide_RefusesOnlyAnUnknownAction(t *testing.T) {
	r := newRegistry(t, allIDs)
	for _, a := range []consent.Action{"maybe", "", "SAVE", "accept", "reject-all", "save "} {
		cats, granted, err := consent.Decide(r, a, []string{"analytics"}, []string{"google-analytics"}, false)
		if !errors.Is(err, consent.ErrUnknownChoice) {
			t.Errorf("action %q: err = %v, want ErrUnknownChoice", a, err)
		}
		if cats != nil || granted != nil {
			t.Errorf("action %q: granted %v, %v along with the error", a, cats, granted)
		}
	}
}

func TestDecide_IgnoresUnknownAndInactiveCategoriesAndVendors(t *testing.T) {
	// A form shown before a deploy may post what the site no longer offers.
	gaOnly := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID"))
	A := consent.Analytics
	cases := []struct {
		name        string
		categories  []string
		vendors     []string
		wantCats    []consent.Category
		wantGranted []string
	}{
		{name: "unknown category beside a known one", categories: []string{"analytics", "marketing"},
			wantCats: []consent.Category{A}, wantGranted: []string{"google-analytics"}},
		{name: "unknown category alone", categories: []string{"marketing"}},
		{name: "category in another case", categories: []string{"Analytics"}},
		{name: "empty category", categories: []string{""}},
		{name: "the any-category marker", categories: []string{"*"}},
		{name: "unknown vendor", vendors: []string{"hotjar"}},
		{name: "unknown vendor beside a known one", vendors: []string{"hotjar", "google-analytics"},
			wantCats: []consent.Category{A}, wantGranted: []string{"google-analytics"}},
		{name: "vendor in another case", vendors: []string{"Google-Analytics"}},
		{name: "empty vendor with a ticked category", categories: []string{"analytics"}, vendors: []string{""},
			wantCats: []consent.Category{A}, wantGranted: []string{"google-analytics"}},
		{name: "a party that is no vendor", vendors: []string{"cloudflare"}},
		{name: "unknown vendor after an inactive one", vendors: []string{"smartlook", "hotjar"}},
		{name: "inactive vendor with a ticked category", categories: []string{"analytics"}, vendors: []string{"smartlook"},
			wantCats: []consent.Category{A}, wantGranted: []string{"google-analytics"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cats, granted, err := consent.Decide(gaOnly, consent.Save, c.categories, c.vendors, false)
			if err != nil {
				t.Fatalf("err = %v, want the unknown ignored", err)
			}
			if !slices.Equal(cats, c.wantCats) || !slices.Equal(granted, c.wantGranted) {
				t.Errorf("granted %v, %v; want %v, %v", cats, granted, c.wantCats, c.wantGranted)
			}
		})
	}
}

func TestChoice_GrantsFunctionalAlwaysAndOptionalCategoriesOnlyWhenListed(t *testing.T) {
	cases := []struct {
		ch   consent.Choice
		cat  consent.Category
		want bool
	}{
		{consent.Choice{}, consent.Functional, true},
		{consent.Choice{}, consent.Analytics, false},
		{consent.Choice{Categories: []consent.Category{consent.Advertising}}, consent.Advertising, true},
		{consent.Choice{Categories: []consent.Category{consent.Advertising}}, consent.Analytics, false},
		{consent.Choice{Categories: []consent.Category{consent.Advertising}}, consent.Social, false},
		{consent.Choice{Categories: []consent.Category{consent.Analytics, consent.Social}}, consent.Social, true},
		// Vendors listed without their category do not grant it.
		{consent.Choice{Vendors: []string{"google-analytics", "smartlook"}}, consent.Analytics, false},
	}
	for _, c := range cases {
		if got := c.ch.Grants(c.cat); got != c.want {
			t.Errorf("%v %v: Grants(%s) = %v, want %v", c.ch.Categories, c.ch.Vendors, c.cat, got, c.want)
		}
	}
}

func TestChoice_GrantsVendorOnlyWithItsCategoryAndItsKey(t *testing.T) {
	r := newRegistry(t, allIDs)
	A, D, S := consent.Analytics, consent.Advertising, consent.Social
	cases := []struct {
		cats    []consent.Category
		vendors []string
		key     string
		want    bool
	}{
		{nil, nil, "google-analytics", false},
		{nil, []string{"google-analytics"}, "google-analytics", false},
		{nil, allKeys, "social-widgets", false},
		// A category granted without vendors grants none of them.
		{[]consent.Category{A}, nil, "google-analytics", false},
		{[]consent.Category{A}, nil, "smartlook", false},
		{[]consent.Category{A, D, S}, nil, "social-widgets", false},
		{[]consent.Category{A}, []string{"google-analytics"}, "google-analytics", true},
		{[]consent.Category{A}, []string{"google-analytics"}, "smartlook", false},
		{[]consent.Category{A}, []string{"smartlook"}, "smartlook", true},
		{[]consent.Category{A}, []string{"smartlook"}, "google-analytics", false},
		{[]consent.Category{A}, []string{"google-ads"}, "google-ads", false},
		{[]consent.Category{A, D}, []string{"smartlook", "meta-pixel"}, "meta-pixel", true},
		{[]consent.Category{A, D}, []string{"smartlook", "meta-pixel"}, "smartlook", true},
		{[]consent.Category{A, D}, []string{"smartlook", "meta-pixel"}, "google-analytics", false},
		{[]consent.Category{A, D}, []string{"smartlook", "meta-pixel"}, "google-ads", false},
		{[]consent.Category{A}, []string{"no-such-vendor", "google-analytics"}, "google-analytics", true},
		{[]consent.Category{A}, []string{"no-such-vendor"}, "google-analytics", false},
		{[]consent.Category{A}, []string{"Google-Analytics"}, "google-analytics", false},
		{[]consent.Category{S}, []string{"social-widgets"}, "social-widgets", true},
		{[]consent.Category{A, D, S}, allKeys, "linkedin-insight", true},
	}
	for _, c := range cases {
		ch := consent.Choice{Categories: c.cats, Vendors: c.vendors}
		if got := ch.GrantsVendor(vendor(t, r, c.key)); got != c.want {
			t.Errorf("categories %v, vendors %v: GrantsVendor(%s) = %v, want %v", c.cats, c.vendors, c.key, got, c.want)
		}
	}
}

func TestChoice_GrantedVendorsListsOnlyActiveGrantedVendorsInRegistryOrder(t *testing.T) {
	r := newRegistry(t, only("CONPRO_SMARTLOOK_KEY", "CONPRO_META_PIXEL_ID", "CONPRO_SOCIAL_WIDGETS"))
	all := []consent.Category{consent.Social, consent.Analytics, consent.Advertising}
	ch := consent.Choice{Categories: all, Vendors: []string{"social-widgets", "google-ads", "meta-pixel", "smartlook", "google-analytics"}}
	if got, want := keys(ch.GrantedVendors(r)), []string{"smartlook", "meta-pixel", "social-widgets"}; !slices.Equal(got, want) {
		t.Fatalf("granted = %v, want %v", got, want)
	}
	if got := keys(consent.Choice{Categories: all}.GrantedVendors(r)); len(got) != 0 {
		t.Errorf("categories without vendors grant %v", got)
	}
	if got := keys(consent.Choice{Categories: []consent.Category{consent.Analytics}, Vendors: allKeys}.GrantedVendors(r)); !slices.Equal(got, []string{"smartlook"}) {
		t.Errorf("analytics with every vendor listed grants %v, want [smartlook]", got)
	}
	if got := ch.RefusesAll(); got {
		t.Error("RefusesAll with categories granted")
	}
	if got := (consent.Choice{}).RefusesAll(); !got {
		t.Error("RefusesAll false without categories")
	}
	if got := (consent.Choice{Vendors: allKeys}).RefusesAll(); !got {
		t.Error("RefusesAll false with vendors but no categories")
	}
}

func TestChoice_PartlyGrantedWhenACategoryIsGrantedWithoutSomeOfItsActiveVendors(t *testing.T) {
	full := newRegistry(t, allIDs)
	// LinkedIn and Smartlook are switched off.
	partial := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID", "CONPRO_GOOGLE_ADS_ID", "CONPRO_META_PIXEL_ID", "CONPRO_SOCIAL_WIDGETS"))
	gaOnly := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID"))
	A, D, S := consent.Analytics, consent.Advertising, consent.Social
	cases := []struct {
		name    string
		r       *consent.Registry
		cats    []consent.Category
		vendors []string
		cat     consent.Category
		want    bool
	}{
		{"category refused", full, nil, nil, A, false},
		{"category refused with its vendors listed", full, []consent.Category{D}, []string{"google-analytics", "smartlook"}, A, false},
		{"every vendor granted", full, []consent.Category{A}, []string{"google-analytics", "smartlook"}, A, false},
		{"one of two vendors granted", full, []consent.Category{A}, []string{"google-analytics"}, A, true},
		{"the other of two vendors granted", full, []consent.Category{A}, []string{"smartlook"}, A, true},
		{"category granted without vendors", full, []consent.Category{A}, nil, A, true},
		{"every advertising vendor granted", full, []consent.Category{D}, []string{"google-ads", "meta-pixel", "linkedin-insight"}, D, false},
		{"two of three advertising vendors granted", full, []consent.Category{D}, []string{"google-ads", "linkedin-insight"}, D, true},
		{"the only social vendor granted", full, []consent.Category{S}, []string{"social-widgets"}, S, false},
		{"social granted without its vendor", full, []consent.Category{S}, nil, S, true},
		{"another category's vendors do not count", full, []consent.Category{A, D}, []string{"google-analytics", "smartlook"}, D, true},
		{"functional has no vendors", full, nil, nil, consent.Functional, false},
		{"an inactive vendor does not count", partial, []consent.Category{D}, []string{"google-ads", "meta-pixel"}, D, false},
		{"every active vendor granted, an inactive one left out", partial, []consent.Category{A}, []string{"google-analytics"}, A, false},
		{"a granted category without active vendors", gaOnly, []consent.Category{S}, nil, S, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := consent.Choice{Categories: c.cats, Vendors: c.vendors}
			if got := ch.PartlyGranted(c.r, c.cat); got != c.want {
				t.Errorf("PartlyGranted(%s) = %v, want %v", c.cat, got, c.want)
			}
		})
	}
}

func TestChoice_PartlyGrantedFollowsHowTheChoiceWasMade(t *testing.T) {
	r := newRegistry(t, allIDs)
	A, D, S := consent.Analytics, consent.Advertising, consent.Social
	cases := []struct {
		name       string
		action     consent.Action
		categories []string
		vendors    []string
		partly     []consent.Category
	}{
		{"accept all", consent.AcceptAll, nil, nil, nil},
		{"categories ticked", consent.Save, []string{"analytics", "advertising", "social"}, nil, nil},
		{"vendors ticked one by one", consent.Save, nil, []string{"google-analytics", "meta-pixel", "social-widgets"}, []consent.Category{A, D}},
		{"a category narrowed by a vendor", consent.Save, []string{"analytics", "advertising"}, []string{"google-ads"}, []consent.Category{D}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cats, granted, err := consent.Decide(r, c.action, c.categories, c.vendors, false)
			if err != nil {
				t.Fatal(err)
			}
			ch := consent.Choice{Categories: cats, Vendors: granted}
			for _, cat := range []consent.Category{A, D, S} {
				if got, want := ch.PartlyGranted(r, cat), slices.Contains(c.partly, cat); got != want {
					t.Errorf("PartlyGranted(%s) = %v, want %v (granted %v, %v)", cat, got, want, cats, granted)
				}
			}
		})
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewID_GivesDistinctValidIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		id := consent.NewID()
		if !consent.ValidID(id) {
			t.Fatalf("NewID() = %q is not ValidID", id)
		}
		if len(id) != 22 || strings.ContainsAny(id, "+/=") {
			t.Fatalf("NewID() = %q: not 22 characters of unpadded base64url", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestValidID_RefusesOtherForms(t *testing.T) {
	cases := []string{
		"",
		"AAAAAAAAAAAAAAAAAAAAA",   // 21
		"AAAAAAAAAAAAAAAAAAAAAAA", // 23
		"AAAAAAAAAAAAAAAAAAAAAA==",
		"AAAAAAAAAAAAAAAAAAAA+A",
		"AAAAAAAAAAAAAAAAAAAA/A",
		"AAAAAAAAAAAAAAAAAAAA A",
		"AAAAAAAAAAAAAAAAAAAA.A",
		"AAAAAAAAAAAAAAAAAAAAÄ",
	}
	for _, s := range cases {
		if consent.ValidID(s) {
			t.Errorf("ValidID(%q) = true", s)
		}
	}
	for _, s := range []string{"AAAAAAAAAAAAAAAAAAAAAA", "q7vVg0M1s2S4QnxhZ8m0bA", "_-_-_-_-_-_-_-_-_-_-_w"} {
		if !consent.ValidID(s) {
			t.Errorf("ValidID(%q) = false", s)
		}
	}
}

func TestEvaluate_SaysWhyTheBannerMustShow(t *testing.T) {
	now := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	maxAge := 180 * 24 * time.Hour
	at := func(t time.Time, policy int) *consent.Choice {
		return &consent.Choice{ID: "q7vVg0M1s2S4QnxhZ8m0bA", PolicyVersion: policy, Categories: []consent.Category{consent.Analytics}, Vendors: []string{"google-analytics"}, Time: t}
	}
	refused := func(t time.Time, policy int) *consent.Choice {
		return &consent.Choice{ID: "q7vVg0M1s2S4QnxhZ8m0bA", PolicyVersion: policy, Time: t}
	}
	cases := []struct {
		name string
		c    *consent.Choice
		want consent.Reason
	}{
		{"no choice", nil, consent.ReasonFirstVisit},
		{"current", at(now.Add(-time.Hour), 2), consent.ReasonNone},
		{"made just now", at(now, 2), consent.ReasonNone},
		{"exactly the maximum age", at(now.Add(-maxAge), 2), consent.ReasonNone},
		{"one second older than the maximum age", at(now.Add(-maxAge-time.Second), 2), consent.ReasonExpired},
		{"years old", at(now.AddDate(-3, 0, 0), 2), consent.ReasonExpired},
		{"older policy", at(now.Add(-time.Hour), 1), consent.ReasonPolicyChanged},
		{"older policy and expired", at(now.AddDate(-3, 0, 0), 1), consent.ReasonPolicyChanged},
		{"older policy from the future", at(now.AddDate(1, 0, 0), 1), consent.ReasonPolicyChanged},
		// A refusal is not asked again for a new policy, only when it expires.
		{"refused under an older policy", refused(now.Add(-time.Hour), 1), consent.ReasonNone},
		{"refused under an older policy and expired", refused(now.Add(-maxAge-time.Second), 1), consent.ReasonExpired},
		{"refused under the current policy", refused(now.Add(-time.Hour), 2), consent.ReasonNone},
		// A newer policy comes from an instance already deployed with it.
		{"newer policy", at(now.Add(-time.Hour), 3), consent.ReasonNone},
		{"much newer policy", at(now.Add(-time.Hour), 1000), consent.ReasonNone},
		{"newer policy made just now", at(now, 3), consent.ReasonNone},
		{"newer policy at exactly the maximum age", at(now.Add(-maxAge), 3), consent.ReasonNone},
		{"newer policy but expired", at(now.Add(-maxAge-time.Second), 3), consent.ReasonExpired},
		{"newer policy more than five minutes in the future", at(now.Add(5*time.Minute+time.Second), 3), consent.ReasonExpired},
		{"clock skew within five minutes", at(now.Add(5*time.Minute), 2), consent.ReasonNone},
		{"more than five minutes in the future", at(now.Add(5*time.Minute+time.Second), 2), consent.ReasonExpired},
		{"far in the future", at(now.AddDate(10, 0, 0), 2), consent.ReasonExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, gpc := range []bool{false, true} {
				st := consent.Evaluate(c.c, 2, maxAge, now, gpc)
				if st.Ask != c.want {
					t.Errorf("gpc %v: Ask = %q, want %q", gpc, st.Ask, c.want)
				}
				if st.Choice != c.c || st.GPC != gpc {
					t.Errorf("gpc %v: state %+v does not carry the choice and GPC", gpc, st)
				}
				wantCurrent := c.c
				if c.want != consent.ReasonNone {
					wantCurrent = nil
				}
				if st.Current() != wantCurrent {
					t.Errorf("gpc %v: Current() = %v, want %v", gpc, st.Current(), wantCurrent)
				}
			}
		})
	}
}

// ---- cookie.go ----

var testKey = []byte("0123456789abcdef0123456789abcdef")

func newCodec(t testing.TB, key []byte) *consent.Codec {
	t.Helper()
	c, err := consent.NewCodec(key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sign makes a cookie value of payload as the format documents it: an
// HMAC-SHA256 under key, first 16 bytes, unpadded base64url, after a dot.
func sign(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

const testID = "q7vVg0M1s2S4QnxhZ8m0bA"

func TestNewCodec_NeedsAKeyOfAtLeast32Bytes(t *testing.T) {
	for _, n := range []int{0, 1, 16, 31} {
		if c, err := consent.NewCodec(make([]byte, n)); err == nil || c != nil {
			t.Errorf("NewCodec(%d bytes) = %v, %v; want an error", n, c, err)
		}
	}
	for _, n := range []int{32, 64} {
		if _, err := consent.NewCodec(make([]byte, n)); err != nil {
			t.Errorf("NewCodec(%d bytes): %v", n, err)
		}
	}
}

func TestCodec_EncodeWritesTheDocumentedSignedFormat(t *testing.T) {
	c := newCodec(t, testKey)
	ch := consent.Choice{ID: testID, PolicyVersion: 2, Categories: []consent.Category{consent.Analytics},
		Vendors: []string{"google-analytics"}, Time: time.Unix(1764072000, 0)}
	if got, want := c.Encode(ch), sign(testKey, "1."+testID+".2.a.ga.1764072000"); got != want {
		t.Fatalf("Encode = %s, want %s", got, want)
	}
	ch = consent.Choice{ID: testID, PolicyVersion: 13, Time: time.Unix(1, 0)}
	if got, want := c.Encode(ch), sign(testKey, "1."+testID+".13.-.-.1"); got != want {
		t.Fatalf("Encode = %s, want %s", got, want)
	}
	// A category granted without vendors.
	ch = consent.Choice{ID: testID, PolicyVersion: 2, Categories: []consent.Category{consent.Advertising}, Time: time.Unix(1764072000, 0)}
	if got, want := c.Encode(ch), sign(testKey, "1."+testID+".2.d.-.1764072000"); got != want {
		t.Fatalf("Encode = %s, want %s", got, want)
	}
	// Every vendor granted: each one's code, in catalogue order.
	ch = consent.Choice{ID: testID, PolicyVersion: 2, Categories: []consent.Category{consent.Analytics, consent.Advertising, consent.Social},
		Vendors: allKeys, Time: time.Unix(1764072000, 0)}
	if got, want := c.Encode(ch), sign(testKey, "1."+testID+".2.ads.ga~sl~gads~meta~li~soc.1764072000"); got != want {
		t.Fatalf("Encode = %s, want %s", got, want)
	}
}

func TestCodec_CookieCarriesEveryVendorADecisionGranted(t *testing.T) {
	c := newCodec(t, testKey)
	codes := map[string]string{"google-analytics": "ga", "smartlook": "sl", "google-ads": "gads", "meta-pixel": "meta", "linkedin-insight": "li", "social-widgets": "soc"}
	regs := map[string]*consent.Registry{
		"every vendor active": newRegistry(t, allIDs),
		"some vendors active": newRegistry(t, only("CONPRO_SMARTLOOK_KEY", "CONPRO_GOOGLE_ADS_ID", "CONPRO_LINKEDIN_PARTNER_ID")),
	}
	decisions := []struct {
		action              consent.Action
		categories, vendors []string
		gpc                 bool
	}{
		{consent.AcceptAll, nil, nil, false},
		{consent.AcceptAll, nil, nil, true},
		{consent.Save, []string{"advertising"}, []string{"smartlook"}, false},
		{consent.Save, nil, []string{"linkedin-insight", "google-analytics"}, false},
		{consent.RejectAll, nil, nil, false},
	}
	for name, r := range regs {
		for _, d := range decisions {
			cats, granted, err := consent.Decide(r, d.action, d.categories, d.vendors, d.gpc)
			if err != nil {
				t.Fatal(err)
			}
			ch := consent.Choice{ID: consent.NewID(), PolicyVersion: 2, Categories: cats, Vendors: granted, Time: time.Unix(1764072000, 0)}
			v := c.Encode(ch)
			want := "-"
			if len(granted) > 0 {
				var cs []string
				for _, key := range granted {
					cs = append(cs, codes[key])
				}
				want = strings.Join(cs, "~")
			}
			if f := strings.Split(v, "."); len(f) != 7 || f[4] != want {
				t.Errorf("%s, %s %v %v gpc %v: cookie %s, want vendors field %q", name, d.action, d.categories, d.vendors, d.gpc, v, want)
			}
			if len(v) >= 120 {
				t.Errorf("%d bytes: %s", len(v), v)
			}
			got, err := c.Decode(v)
			if err != nil {
				t.Fatalf("Decode(%s): %v", v, err)
			}
			if !slices.Equal(got.Categories, cats) || !slices.Equal(got.Vendors, granted) {
				t.Errorf("%s, %s %v %v: decoded %v, %v; want %v, %v", name, d.action, d.categories, d.vendors, got.Categories, got.Vendors, cats, granted)
			}
			if lets := keys(got.GrantedVendors(r)); !slices.Equal(lets, granted) {
				t.Errorf("%s, %s %v %v: decoded choice lets %v load, want %v", name, d.action, d.categories, d.vendors, lets, granted)
			}
		}
	}
}

func TestCodec_DecodeReadsBackWhatEncodeWrote(t *testing.T) {
	c := newCodec(t, testKey)
	full := newRegistry(t, allIDs)
	A, D, S := consent.Analytics, consent.Advertising, consent.Social
	var choices []consent.Choice
	catSets := [][]consent.Category{nil, {A}, {D}, {S}, {A, D}, {A, S}, {D, S}, {A, D, S}}
	vendorSets := [][]string{nil, {"google-analytics"}, {"smartlook", "meta-pixel"}, {"google-ads", "linkedin-insight", "social-widgets"}, allKeys}
	times := []time.Time{time.Unix(1, 0), time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC), time.Unix(1<<40, 0)}
	for i, cats := range catSets {
		for j, vendors := range vendorSets {
			choices = append(choices, consent.Choice{
				ID:            consent.NewID(),
				PolicyVersion: 1 + i*7 + j,
				Categories:    cats,
				Vendors:       vendors,
				Time:          times[(i+j)%len(times)],
			})
		}
	}
	choices = append(choices, consent.Choice{ID: "AAAAAAAAAAAAAAAAAAAAAA", PolicyVersion: 1 << 30, Time: time.Unix(1<<62, 0)})
	for _, ch := range choices {
		v := c.Encode(ch)
		got, err := c.Decode(v)
		if err != nil {
			t.Errorf("Decode(Encode(%+v)) = %v", ch, err)
			continue
		}
		// Vendors outside the granted categories grant nothing: the cookie
		// leaves them out.
		var want []string
		for _, key := range ch.Vendors {
			if v, ok := full.Vendor(key); ok && ch.Grants(v.Category) {
				want = append(want, key)
			}
		}
		if got.ID != ch.ID || got.PolicyVersion != ch.PolicyVersion || !slices.Equal(got.Categories, ch.Categories) ||
			!slices.Equal(got.Vendors, want) || !got.Time.Equal(ch.Time) {
			t.Errorf("round trip of %+v gave %+v", ch, got)
		}
		if got.Time.Location() != time.UTC {
			t.Errorf("decoded time %v is not UTC", got.Time)
		}
		if again := c.Encode(got); again != v {
			t.Errorf("re-encoding gave %s, want %s", again, v)
		}
	}
}

func TestCodec_EncodeKeepsTheTimeToTheSecond(t *testing.T) {
	c := newCodec(t, testKey)
	at := time.Date(2025, 11, 25, 12, 0, 0, 999_999_999, time.UTC)
	got, err := c.Decode(c.Encode(consent.Choice{ID: testID, PolicyVersion: 2, Time: at}))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Time.Equal(at.Truncate(time.Second)) {
		t.Fatalf("time %v, want %v", got.Time, at.Truncate(time.Second))
	}
}

// cookieOctet reports whether b may appear in a cookie value unquoted
// (RFC 6265, section 4.1.1).
func cookieOctet(b byte) bool {
	return b == 0x21 || b >= 0x23 && b <= 0x2B || b >= 0x2D && b <= 0x3A || b >= 0x3C && b <= 0x5B || b >= 0x5D && b <= 0x7E
}

func TestCodec_EncodedValueIsCookieSafeAndShort(t *testing.T) {
	c := newCodec(t, testKey)
	longest := consent.Choice{
		ID:            consent.NewID(),
		PolicyVersion: 9999,
		Categories:    []consent.Category{consent.Analytics, consent.Advertising, consent.Social},
		Vendors:       allKeys,
		Time:          time.Date(2286, 1, 1, 0, 0, 0, 0, time.UTC), // 11 digits
	}
	for range 200 {
		longest.ID = consent.NewID()
		v := c.Encode(longest)
		if len(v) >= 120 {
			t.Fatalf("%d bytes: %s", len(v), v)
		}
		for i := 0; i < len(v); i++ {
			if !cookieOctet(v[i]) {
				t.Fatalf("byte %q at %d of %s is not a cookie-octet", v[i], i, v)
			}
		}
	}
}

func TestCodec_DecodeRefusesAValueSignedWithAnotherKey(t *testing.T) {
	other := []byte("0123456789abcdef0123456789abcdeF")
	ch := consent.Choice{ID: testID, PolicyVersion: 2, Categories: []consent.Category{consent.Analytics}, Time: time.Unix(1764072000, 0)}
	v := newCodec(t, other).Encode(ch)
	if _, err := newCodec(t, other).Decode(v); err != nil {
		t.Fatalf("the signing key itself refuses the value: %v", err)
	}
	if got, err := newCodec(t, testKey).Decode(v); !errors.Is(err, consent.ErrBadCookie) {
		t.Fatalf("Decode under another key = %+v, %v", got, err)
	}
	// A longer key that starts with the same 32 bytes is another key too.
	if got, err := newCodec(t, append(append([]byte(nil), other...), 'x')).Decode(v); !errors.Is(err, consent.ErrBadCookie) {
		t.Fatalf("Decode under an extended key = %+v, %v", got, err)
	}
}

func TestCodec_DecodeRefusesAnySingleCharacterChange(t *testing.T) {
	c := newCodec(t, testKey)
	ch := consent.Choice{ID: testID, PolicyVersion: 2, Categories: []consent.Category{consent.Analytics, consent.Social},
		Vendors: []string{"google-analytics"}, Time: time.Unix(1764072000, 0)}
	v := c.Encode(ch)
	for i := range len(v) {
		for _, r := range []byte{'A', 'B', 'a', 'd', 's', '0', '1', '9', '-', '_', '~', '.', 'Q', 'w'} {
			if r == v[i] {
				continue
			}
			changed := v[:i] + string(r) + v[i+1:]
			if got, err := c.Decode(changed); !errors.Is(err, consent.ErrBadCookie) {
				t.Errorf("changing byte %d to %q: Decode(%s) = %+v, %v", i, r, changed, got, err)
			}
		}
	}
}

func TestCodec_DecodeRefusesATruncatedOrExtendedValue(t *testing.T) {
	c := newCodec(t, testKey)
	v := c.Encode(consent.Choice{ID: testID, PolicyVersion: 2, Categories: []consent.Category{consent.Advertising},
		Vendors: []string{"google-ads", "meta-pixel"}, Time: time.Unix(1764072000, 0)})
	for i := range len(v) {
		if got, err := c.Decode(v[:i]); !errors.Is(err, consent.ErrBadCookie) {
			t.Errorf("Decode(%q) = %+v, %v", v[:i], got, err)
		}
		if got, err := c.Decode(v[i+1:]); !errors.Is(err, consent.ErrBadCookie) {
			t.Errorf("Decode(%q) = %+v, %v", v[i+1:], got, err)
		}
	}
	for _, extra := range []string{".", "A", ".x", " ", "\x00"} {
		if got, err := c.Decode(v + extra); !errors.Is(err, consent.ErrBadCookie) {
			t.Errorf("Decode(value+%q) = %+v, %v", extra, got, err)
		}
	}
}

func TestCodec_DecodeRefusesMalformedValuesEvenWhenSigned(t *testing.T) {
	c := newCodec(t, testKey)
	good := "1." + testID + ".2.a.ga.1764072000"
	if _, err := c.Decode(sign(testKey, good)); err != nil {
		t.Fatalf("the well-formed control value is refused: %v", err)
	}
	// field replaces field i of the good payload.
	field := func(i int, v string) string {
		f := strings.Split(good, ".")
		f[i] = v
		return strings.Join(f, ".")
	}
	long := field(4, strings.Repeat("ga~", 80)+"ga")
	cases := []struct{ name, payload string }{
		{"an extra field", good + ".x"},
		{"an extra empty field", good + "."},
		{"a field missing", "1." + testID + ".2.a.1764072000"},
		{"nothing", ""},
		{"format version 2", field(0, "2")},
		{"format version 01", field(0, "01")},
		{"empty format version", field(0, "")},
		{"ID of 21 characters", field(1, testID[:21])},
		{"ID of 23 characters", field(1, testID+"A")},
		{"ID with a +", field(1, "q7vVg0M1s2S4QnxhZ8m0b+")},
		{"ID with padding", field(1, testID+"==")},
		{"policy 02", field(2, "02")},
		{"policy 0", field(2, "0")},
		{"policy -1", field(2, "-1")},
		{"policy +2", field(2, "+2")},
		{"policy 2x", field(2, "2x")},
		{"policy beyond int64", field(2, "99999999999999999999")},
		{"empty policy", field(2, "")},
		{"a category letter twice", field(3, "aa")},
		{"a category letter twice, apart", field(3, "ada")},
		{"an unknown category letter", field(3, "x")},
		{"a capital category letter", field(3, "A")},
		{"the none marker with a letter", field(3, "a-")},
		{"category letters out of order", field(3, "da")},
		{"social before analytics", field(3, "sa")},
		{"social before advertising", field(3, "asd")},
		{"every category letter reversed", field(3, "sda")},
		{"empty categories", field(3, "")},
		{"the category none marker twice", field(3, "--")},
		{"an unknown vendor code", field(4, "gx")},
		{"a vendor key instead of its code", field(4, "google-analytics")},
		{"a capital vendor code", field(4, "GA")},
		{"an empty vendor code", field(4, "ga~")},
		{"empty vendors", field(4, "")},
		{"the none marker with a code", field(4, "-~ga")},
		{"the vendor none marker twice", field(4, "--")},
		{"a leading separator", field(4, "~ga")},
		{"vendors separated by dots", "1." + testID + ".2.a.ga.sl.1764072000"},
		{"vendors separated by commas", field(4, "ga,sl")},
		{"time 0", field(5, "0")},
		{"negative time", field(5, "-1764072000")},
		{"time with a leading zero", field(5, "01764072000")},
		{"time with a plus sign", field(5, "+1764072000")},
		{"time beyond int64", field(5, "99999999999999999999")},
		{"empty time", field(5, "")},
		{"time with spaces", field(5, " 1764072000")},
		{"longer than 256 bytes", long},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			v := sign(testKey, cs.payload)
			if got, err := c.Decode(v); !errors.Is(err, consent.ErrBadCookie) {
				t.Fatalf("Decode(%s) = %+v, %v", v, got, err)
			}
		})
	}
	if len(sign(testKey, long)) <= 256 {
		t.Fatal("the long value is not longer than 256 bytes")
	}
}

func TestCodec_DecodeRefusesGarbage(t *testing.T) {
	c := newCodec(t, testKey)
	for _, v := range []string{"", ".", "..", "1", "deleted", "1.2.3.4.5.6.7", strings.Repeat("A", 300), "\xff\xfe", "1." + testID + ".2.a.ga.1764072000"} {
		if got, err := c.Decode(v); !errors.Is(err, consent.ErrBadCookie) {
			t.Errorf("Decode(%q) = %+v, %v", v, got, err)
		}
	}
}

// ---- inject.go ----

func TestInject_LoadsNothingWithoutConsent(t *testing.T) {
	full := newRegistry(t, allIDs)
	gaOnly := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID"))
	cases := []struct {
		name string
		r    *consent.Registry
		c    *consent.Choice
	}{
		{"no choice", full, nil},
		{"everything refused", full, &consent.Choice{ID: testID, PolicyVersion: 2}},
		{"a category without active vendors", gaOnly, &consent.Choice{Categories: []consent.Category{consent.Advertising, consent.Social}, Vendors: allKeys[2:]}},
		{"granted only an inactive vendor", gaOnly, &consent.Choice{Categories: []consent.Category{consent.Analytics}, Vendors: []string{"smartlook"}}},
		{"every category granted, no vendor listed", full, &consent.Choice{ID: testID, PolicyVersion: 2,
			Categories: []consent.Category{consent.Analytics, consent.Advertising, consent.Social}}},
		{"every vendor listed, no category granted", full, &consent.Choice{ID: testID, PolicyVersion: 2, Vendors: allKeys}},
		{"unknown vendors listed", full, &consent.Choice{Categories: []consent.Category{consent.Analytics}, Vendors: []string{"hotjar", "Google-Analytics", "ga"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inj := c.r.Inject(c.c)
			if len(inj.Scripts) != 0 || inj.Social {
				t.Errorf("scripts %v, social %v", inj.Scripts, inj.Social)
			}
			if !reflect.DeepEqual(inj.CSP, csp.Policy{}) {
				t.Errorf("CSP %+v, want the zero policy", inj.CSP)
			}
		})
	}
}

// advertisingOnlyHosts are hosts only advertising vendors use.
var advertisingOnlyHosts = []string{
	"https://www.googleadservices.com", "https://googleads.g.doubleclick.net", "https://td.doubleclick.net",
	"https://www.google.com", "https://www.google.be", "https://connect.facebook.net", "https://www.facebook.com",
	"https://snap.licdn.com", "https://px.ads.linkedin.com",
}

func allHosts(p csp.Policy) []string {
	return slices.Concat(p.ScriptHosts, p.ConnectHosts, p.ImgHosts, p.FrameHosts)
}

func srcs(inj consent.Injection) []string {
	var out []string
	for _, s := range inj.Scripts {
		if s.Src != "" {
			out = append(out, s.Src)
		}
	}
	return out
}

func inlines(inj consent.Injection) []string {
	var out []string
	for _, s := range inj.Scripts {
		if s.Inline != "" {
			out = append(out, s.Inline)
		}
	}
	return out
}

func TestInject_AnalyticsLoadsGoogleAnalyticsAndSmartlookAndNoAdvertising(t *testing.T) {
	r := newRegistry(t, allIDs)
	inj := r.Inject(&consent.Choice{Categories: []consent.Category{consent.Analytics}, Vendors: []string{"google-analytics", "smartlook"}})

	if got, want := srcs(inj), []string{"https://www.googletagmanager.com/gtag/js?id=G-TEST1234"}; !slices.Equal(got, want) {
		t.Errorf("external scripts %v, want %v", got, want)
	}
	in := inlines(inj)
	if len(in) != 2 || !strings.Contains(in[0], "gtag('config','G-TEST1234')") || !strings.Contains(in[1], "smartlook('init','0123456789abcdef0123'") {
		t.Errorf("inline scripts %q: want the gtag set-up and the Smartlook set-up", in)
	}
	for _, s := range in {
		for _, bad := range []string{"AW-1234567", "fbq(", "_linkedin_data_partner_ids"} {
			if strings.Contains(s, bad) {
				t.Errorf("inline script carries %q: %s", bad, s)
			}
		}
	}
	for _, key := range []string{"google-analytics", "smartlook"} {
		v := vendor(t, r, key)
		for _, list := range []struct {
			name      string
			got, want []string
		}{
			{"script", inj.CSP.ScriptHosts, v.ScriptHosts},
			{"connect", inj.CSP.ConnectHosts, v.ConnectHosts},
			{"img", inj.CSP.ImgHosts, v.ImgHosts},
		} {
			for _, h := range list.want {
				if !slices.Contains(list.got, h) {
					t.Errorf("%s hosts %v lack %s's %s", list.name, list.got, key, h)
				}
			}
		}
	}
	for _, h := range []string{"https://web-sdk.smartlook.com", "https://www.googletagmanager.com"} {
		if !slices.Contains(inj.CSP.ScriptHosts, h) {
			t.Errorf("script hosts %v lack %s", inj.CSP.ScriptHosts, h)
		}
	}
	for _, h := range advertisingOnlyHosts {
		if slices.Contains(allHosts(inj.CSP), h) {
			t.Errorf("advertising host %s allowed with analytics only: %+v", h, inj.CSP)
		}
	}
	if len(inj.CSP.FrameHosts) != 0 || inj.Social {
		t.Errorf("frames %v, social %v", inj.CSP.FrameHosts, inj.Social)
	}
}

var consentSignal = regexp.MustCompile(`'(ad_storage|ad_user_data|ad_personalization|analytics_storage)':'(\w+)'`)

// consentDefaults reads the Consent Mode defaults of the page's gtag set-up.
func consentDefaults(t *testing.T, inj consent.Injection) map[string]string {
	t.Helper()
	var gtag []string
	for _, s := range inlines(inj) {
		if strings.Contains(s, "gtag('consent','default'") {
			gtag = append(gtag, s)
		}
	}
	if len(gtag) != 1 {
		t.Fatalf("%d gtag set-ups in %q", len(gtag), inlines(inj))
	}
	got := map[string]string{}
	for _, m := range consentSignal.FindAllStringSubmatch(gtag[0], -1) {
		if _, dup := got[m[1]]; dup {
			t.Fatalf("%s given twice in %s", m[1], gtag[0])
		}
		got[m[1]] = m[2]
	}
	return got
}

func TestInject_TellsConsentModeExactlyWhatWasGranted(t *testing.T) {
	r := newRegistry(t, allIDs)
	A, D := consent.Analytics, consent.Advertising
	granted := func(analytics, ads string) map[string]string {
		return map[string]string{"analytics_storage": analytics, "ad_storage": ads, "ad_user_data": ads, "ad_personalization": ads}
	}
	cases := []struct {
		name      string
		c         consent.Choice
		want      map[string]string
		gtagID    string
		configs   []string
		noConfigs []string
	}{
		{"Google Analytics only", consent.Choice{Categories: []consent.Category{A}, Vendors: []string{"google-analytics"}},
			granted("granted", "denied"), "G-TEST1234", []string{"G-TEST1234"}, []string{"AW-1234567"}},
		{"analytics, advertising refused", consent.Choice{Categories: []consent.Category{A}, Vendors: []string{"google-analytics", "smartlook"}},
			granted("granted", "denied"), "G-TEST1234", []string{"G-TEST1234"}, []string{"AW-1234567"}},
		{"Google Ads listed, advertising refused", consent.Choice{Categories: []consent.Category{A}, Vendors: []string{"google-analytics", "google-ads"}},
			granted("granted", "denied"), "G-TEST1234", []string{"G-TEST1234"}, []string{"AW-1234567"}},
		{"advertising granted, Google Analytics listed without analytics", consent.Choice{Categories: []consent.Category{D}, Vendors: []string{"google-analytics", "google-ads"}},
			granted("denied", "granted"), "AW-1234567", []string{"AW-1234567"}, []string{"G-TEST1234"}},
		{"everything", consent.Choice{Categories: []consent.Category{A, D, consent.Social}, Vendors: allKeys},
			granted("granted", "granted"), "G-TEST1234", []string{"G-TEST1234", "AW-1234567"}, nil},
		{"Google Ads only", consent.Choice{Categories: []consent.Category{D}, Vendors: []string{"google-ads"}},
			granted("denied", "granted"), "AW-1234567", []string{"AW-1234567"}, []string{"G-TEST1234"}},
		{"both", consent.Choice{Categories: []consent.Category{A, D}, Vendors: []string{"google-analytics", "google-ads"}},
			granted("granted", "granted"), "G-TEST1234", []string{"G-TEST1234", "AW-1234567"}, nil},
		{"advertising without Google Ads", consent.Choice{Categories: []consent.Category{A, D}, Vendors: []string{"google-analytics", "meta-pixel"}},
			granted("granted", "denied"), "G-TEST1234", []string{"G-TEST1234"}, []string{"AW-1234567"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inj := r.Inject(&c.c)
			if got := consentDefaults(t, inj); !reflect.DeepEqual(got, c.want) {
				t.Errorf("consent defaults %v, want %v", got, c.want)
			}
			gtag := inlines(inj)[0]
			for _, id := range c.configs {
				if !strings.Contains(gtag, "gtag('config','"+id+"');") {
					t.Errorf("no config for %s in %s", id, gtag)
				}
			}
			for _, id := range c.noConfigs {
				if strings.Contains(gtag, id) {
					t.Errorf("%s configured in %s", id, gtag)
				}
			}
			want := "https://www.googletagmanager.com/gtag/js?id=" + c.gtagID
			if n := strings.Count(strings.Join(srcs(inj), " "), "googletagmanager.com/gtag/js"); n != 1 || !slices.Contains(srcs(inj), want) {
				t.Errorf("external scripts %v: want %s once", srcs(inj), want)
			}
		})
	}
}

func TestInject_AllowsEveryInlineScriptByItsHashAndNoOther(t *testing.T) {
	r := newRegistry(t, allIDs)
	A, D, S := consent.Analytics, consent.Advertising, consent.Social
	choices := []consent.Choice{
		{Categories: []consent.Category{A}, Vendors: []string{"google-analytics", "smartlook"}},
		{Categories: []consent.Category{A}, Vendors: []string{"smartlook"}},
		{Categories: []consent.Category{D}, Vendors: []string{"google-ads", "meta-pixel", "linkedin-insight"}},
		{Categories: []consent.Category{D}, Vendors: []string{"meta-pixel"}},
		{Categories: []consent.Category{D}, Vendors: []string{"linkedin-insight"}},
		{Categories: []consent.Category{A, D, S}, Vendors: allKeys},
		{Categories: []consent.Category{S}, Vendors: []string{"social-widgets"}},
	}
	for _, c := range choices {
		inj := r.Inject(&c)
		var want []string
		for _, s := range inlines(inj) {
			want = append(want, csp.Hash(s))
		}
		if !slices.Equal(inj.CSP.ScriptHashes, want) {
			t.Errorf("%v %v: hashes %v, want %v", c.Categories, c.Vendors, inj.CSP.ScriptHashes, want)
		}
		for _, s := range inj.Scripts {
			if (s.Src == "") == (s.Inline == "") {
				t.Errorf("script %+v is neither external nor inline", s)
			}
		}
	}
}

func TestInject_SocialGrantedTurnsOnTheWidgets(t *testing.T) {
	r := newRegistry(t, allIDs)
	inj := r.Inject(&consent.Choice{Categories: []consent.Category{consent.Social}, Vendors: []string{"social-widgets"}})
	if !inj.Social {
		t.Error("Social is false with social media granted")
	}
	if got, want := srcs(inj), []string{"https://platform.linkedin.com/in.js"}; !slices.Equal(got, want) {
		t.Errorf("external scripts %v, want %v", got, want)
	}
	for _, h := range []string{"https://www.facebook.com", "https://www.linkedin.com"} {
		if !slices.Contains(inj.CSP.FrameHosts, h) {
			t.Errorf("frame hosts %v lack %s", inj.CSP.FrameHosts, h)
		}
	}
	if r.Inject(&consent.Choice{Categories: []consent.Category{consent.Analytics, consent.Advertising}, Vendors: allKeys}).Social {
		t.Error("Social is true without social media granted")
	}
	if r.Inject(&consent.Choice{Categories: []consent.Category{consent.Social}}).Social {
		t.Error("Social is true with social media granted but not the widgets")
	}
	off := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID"))
	if off.Inject(&consent.Choice{Categories: []consent.Category{consent.Social}, Vendors: []string{"social-widgets"}}).Social {
		t.Error("Social is true with the widgets switched off")
	}
}

func TestInject_AdvertisingLoadsEachAdvertisingVendor(t *testing.T) {
	r := newRegistry(t, allIDs)
	inj := r.Inject(&consent.Choice{Categories: []consent.Category{consent.Advertising}, Vendors: []string{"google-ads", "meta-pixel", "linkedin-insight"}})
	all := strings.Join(inlines(inj), "\n")
	for _, want := range []string{"gtag('config','AW-1234567')", "fbq('init','1234567890')", "_linkedin_data_partner_ids.push('123456')"} {
		if !strings.Contains(all, want) {
			t.Errorf("inline scripts lack %s", want)
		}
	}
	if strings.Contains(all, "smartlook") || strings.Contains(all, "G-TEST1234") {
		t.Errorf("analytics set up with advertising only: %s", all)
	}
	if !slices.Contains(srcs(inj), "https://snap.licdn.com/li.lms-analytics/insight.min.js") {
		t.Errorf("external scripts %v lack the LinkedIn insight tag", srcs(inj))
	}
	for _, h := range []string{"https://web-sdk.smartlook.com", "https://platform.linkedin.com"} {
		if slices.Contains(allHosts(inj.CSP), h) {
			t.Errorf("%s allowed with advertising only", h)
		}
	}
}

// markers tell, for each vendor, what in a page shows that it loads.
var markers = map[string]string{
	"google-analytics": "gtag('config','G-TEST1234')",
	"smartlook":        "smartlook('init','0123456789abcdef0123'",
	"google-ads":       "gtag('config','AW-1234567')",
	"meta-pixel":       "fbq('init','1234567890')",
	"linkedin-insight": "_linkedin_data_partner_ids.push('123456')",
	"social-widgets":   "https://platform.linkedin.com/in.js",
}

// loaded lists the vendors whose marker a page carries, in catalogue order.
func loaded(inj consent.Injection) []string {
	var page []string
	for _, s := range inj.Scripts {
		page = append(page, s.Src, s.Inline)
	}
	all := strings.Join(page, "\n")
	var out []string
	for _, key := range allKeys {
		if strings.Contains(all, markers[key]) {
			out = append(out, key)
		}
	}
	return out
}

func vendorHosts(v consent.Vendor) []string {
	return slices.Concat(v.ScriptHosts, v.ConnectHosts, v.ImgHosts, v.FrameHosts)
}

func TestInject_LoadsExactlyTheGrantedVendors(t *testing.T) {
	r := newRegistry(t, allIDs)
	all := []consent.Category{consent.Analytics, consent.Advertising, consent.Social}
	vendorSets := [][]string{
		{"google-analytics"}, {"smartlook"}, {"google-ads"}, {"meta-pixel"}, {"linkedin-insight"}, {"social-widgets"},
		{"smartlook", "meta-pixel"}, {"google-analytics", "linkedin-insight", "social-widgets"}, allKeys,
	}
	for _, want := range vendorSets {
		t.Run(strings.Join(want, "+"), func(t *testing.T) {
			inj := r.Inject(&consent.Choice{Categories: all, Vendors: want})
			if got := loaded(inj); !slices.Equal(got, want) {
				t.Errorf("loads %v, want %v", got, want)
			}
			if inj.Social != slices.Contains(want, "social-widgets") {
				t.Errorf("Social = %v", inj.Social)
			}
			allowed := allHosts(inj.CSP)
			var grantedHosts []string
			for _, key := range want {
				grantedHosts = append(grantedHosts, vendorHosts(vendor(t, r, key))...)
			}
			for _, h := range grantedHosts {
				if !slices.Contains(allowed, h) {
					t.Errorf("CSP lacks %s", h)
				}
			}
			for _, v := range r.Active() {
				if slices.Contains(want, v.Key) {
					continue
				}
				for _, h := range vendorHosts(v) {
					if !slices.Contains(grantedHosts, h) && slices.Contains(allowed, h) {
						t.Errorf("CSP allows %s of %s, which is not granted", h, v.Key)
					}
				}
			}
		})
	}
}

func TestChoice_ACategoryGrantedWithoutVendorsLetsNoVendorLoad(t *testing.T) {
	r := newRegistry(t, allIDs)
	all := []consent.Category{consent.Analytics, consent.Advertising, consent.Social}
	ch := consent.Choice{ID: testID, PolicyVersion: 2, Categories: all, Time: time.Unix(1764072000, 0)}
	for _, cat := range all {
		if !ch.Grants(cat) {
			t.Errorf("%s not granted", cat)
		}
		if !ch.PartlyGranted(r, cat) {
			t.Errorf("%s granted without its vendors is not partly granted", cat)
		}
	}
	if got := keys(ch.GrantedVendors(r)); len(got) != 0 {
		t.Errorf("granted vendors %v", got)
	}
	inj := r.Inject(&ch)
	if len(inj.Scripts) != 0 || inj.Social || !reflect.DeepEqual(inj.CSP, csp.Policy{}) {
		t.Errorf("injects %+v", inj)
	}
	if got, want := consent.RefusedCookies(&ch, presentCookies), consent.RefusedCookies(nil, presentCookies); !slices.Equal(got, want) {
		t.Errorf("refused cookies %v, want every vendor's: %v", got, want)
	}
	e := consent.NewEvent(ch, r, consent.Save, "b", "nl", "/", false, netip.Prefix{}, "")
	if !slices.Equal(e.Categories, all) || len(e.Vendors) != 0 {
		t.Errorf("event grants %v, %v; want %v and no vendor", e.Categories, e.Vendors, all)
	}
	c := newCodec(t, testKey)
	v := c.Encode(ch)
	if want := sign(testKey, "1."+testID+".2.ads.-.1764072000"); v != want {
		t.Errorf("cookie %s, want %s", v, want)
	}
	got, err := c.Decode(v)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Inject(&got).Scripts) != 0 {
		t.Error("the choice read back from its cookie loads scripts")
	}
}

func TestInject_AVendorActivatedAfterTheConsentIsNotLoaded(t *testing.T) {
	// Before: Google Analytics only. After a deploy: Smartlook, Meta and the
	// social widgets too.
	before := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID"))
	after := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID", "CONPRO_SMARTLOOK_KEY", "CONPRO_META_PIXEL_ID", "CONPRO_SOCIAL_WIDGETS"))
	c := newCodec(t, testKey)
	decisions := []struct {
		name                string
		action              consent.Action
		categories, vendors []string
	}{
		{"accept all", consent.AcceptAll, nil, nil},
		{"every category ticked", consent.Save, []string{"analytics", "advertising", "social"}, nil},
		{"the vendor ticked", consent.Save, nil, []string{"google-analytics"}},
		{"the new vendors ticked before they were offered", consent.Save, []string{"analytics"}, []string{"smartlook", "meta-pixel", "social-widgets"}},
	}
	for _, d := range decisions {
		t.Run(d.name, func(t *testing.T) {
			cats, granted, err := consent.Decide(before, d.action, d.categories, d.vendors, false)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(granted, []string{"google-analytics"}) {
				t.Fatalf("granted %v before the deploy, want [google-analytics]", granted)
			}
			// The visitor comes back after the deploy with the cookie.
			v := c.Encode(consent.Choice{ID: testID, PolicyVersion: 2, Categories: cats, Vendors: granted, Time: time.Unix(1764072000, 0)})
			ch, err := c.Decode(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := keys(ch.GrantedVendors(after)); !slices.Equal(got, []string{"google-analytics"}) {
				t.Errorf("granted after the deploy: %v, want [google-analytics]", got)
			}
			inj := after.Inject(&ch)
			if got := loaded(inj); !slices.Equal(got, []string{"google-analytics"}) {
				t.Errorf("loads %v after the deploy, want [google-analytics]", got)
			}
			if inj.Social {
				t.Error("social widgets on after the deploy")
			}
			for _, h := range []string{"https://web-sdk.smartlook.com", "https://connect.facebook.net", "https://platform.linkedin.com"} {
				if slices.Contains(allHosts(inj.CSP), h) {
					t.Errorf("CSP allows %s after the deploy", h)
				}
			}
			if got, want := consent.RefusedCookies(&ch, []string{"_ga", "SL_C_x", "_fbp"}), []string{"SL_C_x", "_fbp"}; !slices.Equal(got, want) {
				t.Errorf("refused cookies %v, want %v", got, want)
			}
			// The settings page shows analytics as chosen vendor by vendor.
			if !ch.PartlyGranted(after, consent.Analytics) {
				t.Error("analytics not partly granted after Smartlook was activated")
			}
			if ch.PartlyGranted(before, consent.Analytics) {
				t.Error("analytics partly granted before Smartlook was activated")
			}
		})
	}
	// Consenting again after the deploy grants the new vendors.
	cats, granted, err := consent.Decide(after, consent.AcceptAll, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	ch := consent.Choice{Categories: cats, Vendors: granted}
	if got, want := loaded(after.Inject(&ch)), []string{"google-analytics", "smartlook", "meta-pixel", "social-widgets"}; !slices.Equal(got, want) {
		t.Errorf("loads %v after consenting again, want %v", got, want)
	}
}

// ---- cookie.go: expiring refused cookies ----

var presentCookies = []string{"_ga", "_ga_ABC", "_gid", "_gcl_au", "_gac_UA-12345-1", "_fbp", "li_fat_id", "ln_or", "SL_C_x", "conpro_consent", "conpro_lang", "session", "PHPSESSID"}

func TestRefusedCookies_WithoutConsentRefusesEveryVendorCookieAndKeepsTheSites(t *testing.T) {
	got := consent.RefusedCookies(nil, presentCookies)
	want := []string{"_ga", "_ga_ABC", "_gid", "_gcl_au", "_gac_UA-12345-1", "_fbp", "li_fat_id", "ln_or", "SL_C_x"}
	if !slices.Equal(got, want) {
		t.Fatalf("refused %v, want %v", got, want)
	}
	if got := consent.RefusedCookies(&consent.Choice{}, presentCookies); !slices.Equal(got, want) {
		t.Fatalf("refuse-all choice: refused %v, want %v", got, want)
	}
	if got := consent.RefusedCookies(nil, nil); len(got) != 0 {
		t.Fatalf("refused %v of no cookies", got)
	}
}

func TestRefusedCookies_KeepsTheCookiesOfGrantedVendorsOnly(t *testing.T) {
	A, D, S := consent.Analytics, consent.Advertising, consent.Social
	cases := []struct {
		name string
		c    consent.Choice
		want []string
	}{
		{"analytics with its vendors", consent.Choice{Categories: []consent.Category{A}, Vendors: []string{"google-analytics", "smartlook"}},
			[]string{"_gcl_au", "_gac_UA-12345-1", "_fbp", "li_fat_id", "ln_or"}},
		{"analytics with Smartlook only", consent.Choice{Categories: []consent.Category{A}, Vendors: []string{"smartlook"}},
			[]string{"_ga", "_ga_ABC", "_gid", "_gcl_au", "_gac_UA-12345-1", "_fbp", "li_fat_id", "ln_or"}},
		{"advertising with Meta only", consent.Choice{Categories: []consent.Category{D}, Vendors: []string{"meta-pixel"}},
			[]string{"_ga", "_ga_ABC", "_gid", "_gcl_au", "_gac_UA-12345-1", "li_fat_id", "ln_or", "SL_C_x"}},
		{"advertising with Google Ads and LinkedIn", consent.Choice{Categories: []consent.Category{D}, Vendors: []string{"google-ads", "linkedin-insight"}},
			[]string{"_ga", "_ga_ABC", "_gid", "_fbp", "SL_C_x"}},
		{"every category without vendors", consent.Choice{Categories: []consent.Category{A, D, S}},
			[]string{"_ga", "_ga_ABC", "_gid", "_gcl_au", "_gac_UA-12345-1", "_fbp", "li_fat_id", "ln_or", "SL_C_x"}},
		{"every vendor without categories", consent.Choice{Vendors: allKeys},
			[]string{"_ga", "_ga_ABC", "_gid", "_gcl_au", "_gac_UA-12345-1", "_fbp", "li_fat_id", "ln_or", "SL_C_x"}},
		{"a vendor listed outside its granted category", consent.Choice{Categories: []consent.Category{A}, Vendors: []string{"google-analytics", "google-ads"}},
			[]string{"_gcl_au", "_gac_UA-12345-1", "_fbp", "li_fat_id", "ln_or", "SL_C_x"}},
		{"everything", consent.Choice{Categories: []consent.Category{A, D, S}, Vendors: allKeys}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := consent.RefusedCookies(&c.c, presentCookies); !slices.Equal(got, c.want) {
				t.Fatalf("refused %v, want %v", got, c.want)
			}
		})
	}
}

func TestRefusedCookies_KeepsEveryPatternOfAGrantedVendorAndRefusesTheOthers(t *testing.T) {
	ch := consent.Choice{Categories: []consent.Category{consent.Advertising}, Vendors: []string{"meta-pixel"}}
	if got, want := consent.RefusedCookies(&ch, []string{"_fbp", "_fbc", "_gcl_aw", "_gac_x", "ln_or", "_li_ss"}), []string{"_gcl_aw", "_gac_x", "ln_or", "_li_ss"}; !slices.Equal(got, want) {
		t.Fatalf("refused %v, want %v", got, want)
	}
}

// Scripts set their cookies on the registrable domain, which the public
// suffix list knows: two labels are not always enough.
func TestCookieDomain_IsTheRegistrableDomainOfTheHost(t *testing.T) {
	cases := map[string]string{
		"www.example.co.uk":  "example.co.uk",
		"www.conpro-bouw.be": "conpro-bouw.be",
		"conpro-bouw.be":     "conpro-bouw.be",
		"a.b.conpro-bouw.be": "conpro-bouw.be",
		"WWW.Conpro-Bouw.BE": "conpro-bouw.be",
		"conpro.github.io":   "conpro.github.io",
		"co.uk":              "",
		"localhost":          "",
		"127.0.0.1":          "",
		"::1":                "",
		"2001:db8::1":        "",
		"":                   "",
		"conpro-bouw.be.":    "",
	}
	for host, want := range cases {
		if got := consent.CookieDomain(host); got != want {
			t.Errorf("CookieDomain(%q) = %q, want %q", host, got, want)
		}
	}
}

// ---- event.go ----

func TestNewEvent_RecordsTheChoiceAndEveryVendorItLetsLoad(t *testing.T) {
	r := newRegistry(t, allIDs)
	at := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	ch := consent.Choice{ID: testID, PolicyVersion: 2, Categories: []consent.Category{consent.Analytics, consent.Advertising},
		Vendors: []string{"google-analytics", "smartlook", "google-ads"}, Time: at}
	network := netip.MustParsePrefix("203.0.113.0/24")
	e := consent.NewEvent(ch, r, consent.Save, "banner-1", "nl", "/nl/contact", true, network, "Mozilla/5.0")

	if e.ConsentID != testID || e.PolicyVersion != 2 || !e.Time.Equal(at) || e.Action != consent.Save ||
		e.BannerVersion != "banner-1" || e.Locale != "nl" || e.Path != "/nl/contact" || !e.GPC ||
		e.Network != network || e.UserAgent != "Mozilla/5.0" {
		t.Errorf("event %+v does not carry the choice", e)
	}
	if !slices.Equal(e.Categories, ch.Categories) {
		t.Errorf("categories %v, want %v", e.Categories, ch.Categories)
	}
	if want := []string{"google-analytics", "smartlook", "google-ads"}; !slices.Equal(e.Vendors, want) {
		t.Errorf("vendors %v, want %v", e.Vendors, want)
	}
	ch.Categories[0] = consent.Social
	if e.Categories[0] != consent.Analytics {
		t.Error("the event shares its categories with the choice")
	}
	ch.Vendors[0] = "changed"
	if e.Vendors[0] != "google-analytics" {
		t.Error("the event shares its vendors with the choice")
	}

	// Only what may load is recorded: not a vendor outside its granted
	// category, nor one that is switched off, nor one the catalogue lacks.
	partial := newRegistry(t, only("CONPRO_GA_MEASUREMENT_ID", "CONPRO_GOOGLE_ADS_ID", "CONPRO_META_PIXEL_ID"))
	narrow := consent.Choice{ID: testID, PolicyVersion: 2, Categories: []consent.Category{consent.Analytics, consent.Advertising},
		Vendors: []string{"google-analytics", "smartlook", "meta-pixel", "social-widgets", "hotjar"}, Time: at}
	if got, want := consent.NewEvent(narrow, partial, consent.Save, "b", "nl", "/", false, network, "").Vendors, []string{"google-analytics", "meta-pixel"}; !slices.Equal(got, want) {
		t.Errorf("vendors %v, want %v", got, want)
	}

	refused := consent.NewEvent(consent.Choice{ID: testID, PolicyVersion: 2, Time: at}, r, consent.RejectAll, "b", "fr", "/", false, netip.Prefix{}, "")
	if len(refused.Categories) != 0 || len(refused.Vendors) != 0 {
		t.Errorf("refusal event grants %v, %v", refused.Categories, refused.Vendors)
	}
}

func TestNewEvent_StripsControlCharactersFromUserAgentAndPath(t *testing.T) {
	r := newRegistry(t, allIDs)
	cases := []struct{ in, want string }{
		{"Mozilla/5.0 (X11; Linux)", "Mozilla/5.0 (X11; Linux)"},
		{"Mozilla\x00/5.0", "Mozilla/5.0"},
		{"a\r\nSet-Cookie: x=1", "aSet-Cookie: x=1"},
		{"\ttab\x1b[31mred\x7f", "tab[31mred"},
		{"\x01\x02\x03\x1f", ""},
		{"bad \xff\xfe utf-8", "bad  utf-8"},
		{"Ünïcødé 漢字 🙂", "Ünïcødé 漢字 🙂"},
	}
	for _, c := range cases {
		e := consent.NewEvent(consent.Choice{ID: testID, PolicyVersion: 2}, r, consent.Save, "b", "nl", "/nl/"+c.in, false, netip.Prefix{}, c.in)
		if e.UserAgent != c.want {
			t.Errorf("user agent %q stored as %q, want %q", c.in, e.UserAgent, c.want)
		}
		if e.Path != "/nl/"+c.want {
			t.Errorf("path %q stored as %q, want %q", "/nl/"+c.in, e.Path, "/nl/"+c.want)
		}
		if !utf8.ValidString(e.UserAgent) || !utf8.ValidString(e.Path) {
			t.Errorf("%q: stored text is not valid UTF-8", c.in)
		}
	}
}

func TestNewEvent_CutsTheUserAgentAt512BytesOnARuneBoundary(t *testing.T) {
	r := newRegistry(t, allIDs)
	cases := []struct {
		name    string
		ua      string
		wantLen int
	}{
		{"512 bytes are kept whole", strings.Repeat("a", 512), 512},
		{"513 bytes lose one", strings.Repeat("a", 513), 512},
		{"two-byte runes across the limit", "a" + strings.Repeat("é", 300), 511},
		{"three-byte runes across the limit", strings.Repeat("漢", 200), 510},
		{"four-byte runes across the limit", "ab" + strings.Repeat("🙂", 200), 510},
		{"control characters do not count", strings.Repeat("\x00", 100) + strings.Repeat("a", 512), 512},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := consent.NewEvent(consent.Choice{ID: testID}, r, consent.Save, "b", "nl", "/", false, netip.Prefix{}, c.ua)
			if len(e.UserAgent) != c.wantLen {
				t.Errorf("kept %d bytes, want %d", len(e.UserAgent), c.wantLen)
			}
			if !utf8.ValidString(e.UserAgent) {
				t.Errorf("cut inside a rune: %q", e.UserAgent[len(e.UserAgent)-4:])
			}
			if !strings.HasPrefix(strings.ReplaceAll(c.ua, "\x00", ""), e.UserAgent) {
				t.Error("kept text is not the start of the user agent")
			}
		})
	}
	if consent.MaxUserAgent != 512 {
		t.Fatalf("MaxUserAgent = %d", consent.MaxUserAgent)
	}
}

func TestNewEvent_GivesEachEventADistinctUUIDv4(t *testing.T) {
	r := newRegistry(t, allIDs)
	seen := map[string]bool{}
	for range 2000 {
		e := consent.NewEvent(consent.Choice{ID: testID}, r, consent.Save, "b", "nl", "/", false, netip.Prefix{}, "")
		if !uuidV4.MatchString(e.ID) {
			t.Fatalf("event ID %q is not a version 4 UUID", e.ID)
		}
		if seen[e.ID] {
			t.Fatalf("event ID %q repeated", e.ID)
		}
		seen[e.ID] = true
	}
}

func TestEvent_MarshalsToJSONWithTheSpoolFieldNames(t *testing.T) {
	at := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	e := consent.Event{
		ID:            "0f8fad5b-d9cb-469f-a165-70867728950e",
		ConsentID:     testID,
		Time:          at,
		PolicyVersion: 3,
		Action:        consent.Save,
		Categories:    []consent.Category{consent.Analytics, consent.Social},
		Vendors:       []string{"smartlook", "social-widgets"},
		BannerVersion: "banner-1",
		Locale:        "fr",
		Path:          "/fr/contact",
		GPC:           true,
		Network:       netip.MustParsePrefix("2001:db8:1234::/48"),
		UserAgent:     "Mozilla/5.0",
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"id":             `"0f8fad5b-d9cb-469f-a165-70867728950e"`,
		"consent_id":     `"` + testID + `"`,
		"time":           `"2025-11-25T12:00:00Z"`,
		"policy_version": `3`,
		"action":         `"save"`,
		"categories":     `["analytics","social"]`,
		"vendors":        `["smartlook","social-widgets"]`,
		"banner_version": `"banner-1"`,
		"locale":         `"fr"`,
		"path":           `"/fr/contact"`,
		"gpc":            `true`,
		"network":        `"2001:db8:1234::/48"`,
		"user_agent":     `"Mozilla/5.0"`,
	}
	if got := slices.Sorted(maps.Keys(fields)); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
		t.Fatalf("keys %v, want %v", got, slices.Sorted(maps.Keys(want)))
	}
	for k, v := range want {
		if string(fields[k]) != v {
			t.Errorf("%s = %s, want %s", k, fields[k], v)
		}
	}

	// A spooled line reads back as the same event.
	var back consent.Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Time.Equal(e.Time) {
		t.Errorf("time read back as %v, want %v", back.Time, e.Time)
	}
	back.Time = e.Time
	if !reflect.DeepEqual(back, e) {
		t.Errorf("read back as %+v, want %+v", back, e)
	}

	// An event NewEvent builds has every field, a refusal included.
	r := newRegistry(t, allIDs)
	refused := consent.NewEvent(consent.Choice{ID: testID, PolicyVersion: 2, Time: at}, r, consent.RejectAll, "b", "nl", "/", false,
		netip.MustParsePrefix("203.0.113.0/24"), "")
	b, err = json.Marshal(refused)
	if err != nil {
		t.Fatal(err)
	}
	fields = nil
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(fields)); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
		t.Fatalf("refusal: keys %v, want %v", got, slices.Sorted(maps.Keys(want)))
	}
	if string(fields["network"]) != `"203.0.113.0/24"` || string(fields["action"]) != `"reject_all"` {
		t.Errorf("refusal: network %s, action %s", fields["network"], fields["action"])
	}
}

// ---- fuzz ----

func FuzzDecodeCookie(f *testing.F) {
	c := newCodec(f, testKey)
	for _, ch := range []consent.Choice{
		{ID: testID, PolicyVersion: 2, Categories: []consent.Category{consent.Analytics}, Vendors: []string{"google-analytics"}, Time: time.Unix(1764072000, 0)},
		{ID: testID, PolicyVersion: 1, Time: time.Unix(1, 0)},
		{ID: testID, PolicyVersion: 7, Categories: []consent.Category{consent.Analytics, consent.Advertising, consent.Social}, Vendors: allKeys, Time: time.Unix(1764072000, 0)},
		{ID: testID, PolicyVersion: 3, Categories: []consent.Category{consent.Advertising, consent.Social}, Time: time.Unix(1764072000, 0)},
	} {
		v := c.Encode(ch)
		f.Add(v)
		f.Add(v[:strings.LastIndexByte(v, '.')]) // a payload, signed below
	}
	for _, s := range []string{
		"", ".", "1." + testID + ".2.-.-.1764072000", "1." + testID + ".2.ad.gads~meta.1764072000", "1." + testID + ".02.a.ga.1",
		"1." + testID + ".2.da.ga.1764072000", "1." + testID + ".2.ads.ga~sl~gads~meta~li~soc.1764072000", "1." + testID + ".2.a.-~ga.1764072000",
	} {
		f.Add(s)
	}
	order := map[consent.Category]int{consent.Analytics: 1, consent.Advertising: 2, consent.Social: 3}
	f.Fuzz(func(t *testing.T, s string) {
		// As it came, and as a payload carrying a valid signature.
		for _, v := range []string{s, sign(testKey, s)} {
			ch, err := c.Decode(v)
			if err != nil {
				if !errors.Is(err, consent.ErrBadCookie) {
					t.Fatalf("Decode(%q): error %v is not ErrBadCookie", v, err)
				}
				continue
			}
			if again := c.Encode(ch); again != v {
				t.Fatalf("Decode(%q) = %+v, which encodes as %q", v, ch, again)
			}
			if len(v) > 256 || !consent.ValidID(ch.ID) || ch.PolicyVersion <= 0 || ch.Time.Unix() <= 0 || ch.Time.Location() != time.UTC {
				t.Fatalf("Decode(%q) = %+v", v, ch)
			}
			for i, cat := range ch.Categories {
				if !cat.Optional() || i > 0 && order[ch.Categories[i-1]] >= order[cat] {
					t.Fatalf("Decode(%q): categories %v", v, ch.Categories)
				}
			}
			for _, key := range ch.Vendors {
				if !consent.Known(key) {
					t.Fatalf("Decode(%q): unknown vendor %q", v, key)
				}
			}
		}
	})
}

// list splits a fuzzed form field into its values.
func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func FuzzDecide(f *testing.F) {
	regs := []*consent.Registry{
		newRegistry(f, allIDs),
		newRegistry(f, only("CONPRO_GA_MEASUREMENT_ID", "CONPRO_GOOGLE_ADS_ID", "CONPRO_META_PIXEL_ID")),
		newRegistry(f, nil),
		newRegistry(f, only("CONPRO_SMARTLOOK_KEY", "CONPRO_LINKEDIN_PARTNER_ID", "CONPRO_SOCIAL_WIDGETS")),
	}
	c := newCodec(f, testKey)
	f.Add("save", "analytics,advertising", "google-analytics,meta-pixel", false, uint8(0))
	f.Add("save", "functional,social", "smartlook,linkedin-insight", true, uint8(1))
	f.Add("save", "", "google-analytics,smartlook,google-ads", false, uint8(0))
	f.Add("save", "advertising,social", "", true, uint8(3))
	f.Add("save", "analytics,marketing", "hotjar,google-analytics,google-analytics", false, uint8(1))
	f.Add("accept_all", "", "", true, uint8(2))
	f.Add("accept_all", "analytics", "smartlook", false, uint8(3))
	f.Add("reject_all", "analytics", "google-ads", false, uint8(0))
	f.Add("withdraw", "marketing", "hotjar", false, uint8(1))
	f.Add("save", "Analytics", "", false, uint8(0))
	f.Add("nope", "", "", false, uint8(0))
	all := []consent.Category{consent.Analytics, consent.Advertising, consent.Social}
	f.Fuzz(func(t *testing.T, action, categories, vendors string, gpc bool, which uint8) {
		r := regs[int(which)%len(regs)]
		cats, granted, err := consent.Decide(r, consent.Action(action), list(categories), list(vendors), gpc)
		if _, ok := consent.ParseAction(action); !ok {
			if !errors.Is(err, consent.ErrUnknownChoice) {
				t.Fatalf("action %q: err = %v, want ErrUnknownChoice", action, err)
			}
			if cats != nil || granted != nil {
				t.Fatalf("granted %v, %v along with %v", cats, granted, err)
			}
			return
		}
		// Unknown and inactive names are ignored: a valid action never fails.
		if err != nil {
			t.Fatalf("%s, categories %q, vendors %q: %v", action, categories, vendors, err)
		}
		order := map[consent.Category]int{consent.Analytics: 1, consent.Advertising: 2, consent.Social: 3}
		for i, c := range cats {
			if !c.Optional() {
				t.Fatalf("granted %q, which is not optional", c)
			}
			if i > 0 && order[cats[i-1]] >= order[c] {
				t.Fatalf("categories %v out of order or repeated", cats)
			}
		}
		// Every granted vendor is active, in a granted category, once, in
		// catalogue order.
		active := keys(r.Active())
		for i, key := range granted {
			v, ok := r.Vendor(key)
			if !ok {
				t.Fatalf("granted %q, which is not active", key)
			}
			if !slices.Contains(cats, v.Category) {
				t.Fatalf("granted %s, whose category %s is not granted (%v)", key, v.Category, cats)
			}
			if i > 0 && slices.Index(active, granted[i-1]) >= slices.Index(active, key) {
				t.Fatalf("vendors %v out of catalogue order or repeated", granted)
			}
		}

		// What each action should have granted, category by category.
		ticked := func(c consent.Category) bool { return slices.Contains(list(categories), string(c)) }
		var wantCats []consent.Category
		var wantGranted []string
		for _, c := range all {
			var in, picked []string
			for _, v := range r.ActiveIn(c) {
				in = append(in, v.Key)
				if slices.Contains(list(vendors), v.Key) {
					picked = append(picked, v.Key)
				}
			}
			switch {
			case action == "accept_all" && (!gpc || c == consent.Analytics):
				wantCats, wantGranted = append(wantCats, c), append(wantGranted, in...)
			case action != "save":
			case len(picked) > 0:
				// Ticked vendors grant their category and only themselves.
				wantCats, wantGranted = append(wantCats, c), append(wantGranted, picked...)
			case ticked(c):
				// A ticked category without ticked vendors grants them all.
				wantCats, wantGranted = append(wantCats, c), append(wantGranted, in...)
			}
		}
		if !slices.Equal(cats, wantCats) || !slices.Equal(granted, wantGranted) {
			t.Fatalf("%s, categories %q, vendors %q, gpc %v: granted %v, %v; want %v, %v", action, categories, vendors, gpc, cats, granted, wantCats, wantGranted)
		}
		if action == "save" {
			// GPC changes nothing that was ticked.
			cats2, granted2, _ := consent.Decide(r, consent.Save, list(categories), list(vendors), !gpc)
			if !slices.Equal(cats, cats2) || !slices.Equal(granted, granted2) {
				t.Fatalf("save with gpc %v gave %v, %v; with %v: %v, %v", gpc, cats, granted, !gpc, cats2, granted2)
			}
		}

		// The choice lets exactly those vendors load, through its cookie too;
		// a category decided without ticked vendors is granted whole.
		ch := consent.Choice{ID: testID, PolicyVersion: 2, Categories: cats, Vendors: granted, Time: time.Unix(1764072000, 0)}
		back, err := c.Decode(c.Encode(ch))
		if err != nil {
			t.Fatalf("the cookie of %+v does not read back: %v", ch, err)
		}
		for _, got := range []consent.Choice{ch, back} {
			if lets := keys(got.GrantedVendors(r)); !slices.Equal(lets, granted) {
				t.Fatalf("choice %v, %v lets %v load", got.Categories, got.Vendors, lets)
			}
			for _, cat := range cats {
				wholly := action == "accept_all" || !slices.ContainsFunc(r.ActiveIn(cat), func(v consent.Vendor) bool { return slices.Contains(list(vendors), v.Key) })
				if wholly && got.PartlyGranted(r, cat) {
					t.Fatalf("%s decided without ticked vendors is partly granted: %v", cat, got.Vendors)
				}
			}
		}
	})
}
