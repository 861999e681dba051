package consent

import (
	"errors"
	"testing"
	"time"
)

func TestServices_AnIDIsCheckedByItsVendorsPattern(t *testing.T) {
	for _, tc := range []struct {
		key, id, want string
		err           error
	}{
		{"google-analytics", " G-ABC1234 ", "G-ABC1234", nil},
		{"google-analytics", "UA-1234-5", "", ErrBadServiceID},
		{"google-analytics", "G-ABC');alert(1)//", "", ErrBadServiceID},
		{"meta-pixel", "1234567", "1234567", nil},
		{"meta-pixel", "12a4567", "", ErrBadServiceID},
		{"social-widgets", "", SwitchValue, nil},
		{"cloudflare", "x", "", ErrUnknownService},
	} {
		got, err := CheckID(tc.key, tc.id)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("CheckID(%q, %q) = %q, %v; want %q, %v", tc.key, tc.id, got, err, tc.want, tc.err)
		}
	}
}

func TestServices_AnEnvironmentVariableWinsOverTheStaffSetting(t *testing.T) {
	env := map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-FROMENV1"}
	on := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	r, err := NewRegistryWith(func(k string) string { return env[k] }, []ServiceSetting{
		{Key: "google-analytics", On: true, ID: "G-STAFF123", SwitchedOn: on, Location: "VS (EU-VS Data Privacy Framework)"},
		{Key: "meta-pixel", On: true, ID: "1234567", SwitchedOn: on},
		{Key: "smartlook", On: false, ID: "3f9a1c0b7e2d4a6f8b0c", SwitchedOn: on},
		{Key: "linkedin-insight", On: true, ID: "not-an-id", SwitchedOn: on},
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, v := range r.Active() {
		keys = append(keys, v.Key)
	}
	if got := r.ID("google-analytics"); got != "G-FROMENV1" || !r.FromEnv("google-analytics") {
		t.Errorf("Google Analytics: ID %q, from the environment %t", got, r.FromEnv("google-analytics"))
	}
	if len(keys) != 2 || keys[0] != "google-analytics" || keys[1] != "meta-pixel" {
		t.Errorf("active %v, want Google Analytics and the Meta pixel (Smartlook is off, LinkedIn's ID is no ID)", keys)
	}
	if v, _ := r.Vendor("google-analytics"); v.Location != "VS (EU-VS Data Privacy Framework)" || r.Location("cloudflare") != "US (Privacy Shield)" {
		t.Errorf("locations %q, %q", v.Location, r.Location("cloudflare"))
	}
}

func TestServices_OnlyAChoiceThatPredatesAVendorInACategoryItGrantsIsAskedAgain(t *testing.T) {
	on := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	r, err := NewRegistryWith(func(string) string { return "" }, []ServiceSetting{{Key: "meta-pixel", On: true, ID: "1234567", SwitchedOn: on}})
	if err != nil {
		t.Fatal(err)
	}
	before, after := on.Add(-time.Hour), on.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		choice Choice
		want   bool
	}{
		{"accepted all before", Choice{Categories: []Category{Analytics, Advertising, Social}, Time: before}, true},
		{"refused advertising before", Choice{Categories: []Category{Analytics}, Time: before}, false},
		{"accepted all after, without it (refused it)", Choice{Categories: []Category{Advertising}, Time: after}, false},
		{"granted it", Choice{Categories: []Category{Advertising}, Vendors: []string{"meta-pixel"}, Time: before}, false},
	} {
		if got := r.AsksAboutNew(tc.choice); got != tc.want {
			t.Errorf("%s: asks %t, want %t", tc.name, got, tc.want)
		}
	}
}
