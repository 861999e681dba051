package consent

import (
	"errors"
	"slices"
	"testing"
)

func embedsOn(name string) string {
	switch name {
	case "CONPRO_YOUTUBE", "CONPRO_GOOGLE_MAPS", "CONPRO_VIMEO":
		return "1"
	case "CONPRO_GA_MEASUREMENT_ID":
		return "G-ABC123"
	case "CONPRO_META_PIXEL_ID":
		return "123456789"
	}
	return ""
}

func TestEmbedded_AlwaysAllowingAVideoKeepsTheChoiceAndAddsOnlyThatVendor(t *testing.T) {
	r, err := NewRegistry(embedsOn)
	if err != nil {
		t.Fatal(err)
	}
	prev := &Choice{Categories: []Category{Analytics}, Vendors: []string{"google-analytics"}}
	cats, vendors, err := Embedded(r, AllowVendor, prev, "youtube")
	if err != nil {
		t.Fatal(err)
	}
	ch := Choice{Categories: cats, Vendors: vendors}
	var granted []string
	for _, v := range ch.GrantedVendors(r) {
		granted = append(granted, v.Key)
	}
	// Advertising is granted for YouTube alone: the Meta pixel, in the
	// same category, stays refused.
	if !slices.Equal(granted, []string{"google-analytics", "youtube"}) {
		t.Errorf("granted %v, want google-analytics and youtube", granted)
	}
	cats, vendors, _ = Embedded(r, AllowVendor, nil, "google-maps")
	if !slices.Equal(cats, []Category{Advertising}) || !slices.Equal(vendors, []string{"google-maps"}) {
		t.Errorf("without a choice: %v %v", cats, vendors)
	}
}

func TestEmbedded_LoadingOnceGrantsThatVendorAlone(t *testing.T) {
	r, err := NewRegistry(embedsOn)
	if err != nil {
		t.Fatal(err)
	}
	prev := &Choice{Categories: []Category{Analytics}, Vendors: []string{"google-analytics"}}
	cats, vendors, err := Embedded(r, LoadOnce, prev, "vimeo")
	if err != nil || !slices.Equal(cats, []Category{Analytics}) || !slices.Equal(vendors, []string{"vimeo"}) {
		t.Errorf("load once: %v %v %v", cats, vendors, err)
	}
}

func TestEmbedded_RefusesAVendorThatIsNoActiveEmbed(t *testing.T) {
	r, err := NewRegistry(func(n string) string {
		if n == "CONPRO_YOUTUBE" {
			return ""
		}
		return embedsOn(n)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"youtube", "google-analytics", "openstreetmap", "nope", ""} {
		if _, _, err := Embedded(r, AllowVendor, nil, key); !errors.Is(err, ErrNotEmbedded) {
			t.Errorf("%q: err %v, want ErrNotEmbedded", key, err)
		}
	}
	if _, _, err := Embedded(r, AcceptAll, nil, "vimeo"); !errors.Is(err, ErrUnknownChoice) {
		t.Errorf("accept_all through Embedded: %v", err)
	}
}
