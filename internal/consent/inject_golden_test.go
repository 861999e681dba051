package consent_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"conpro/internal/consent"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/inject.golden.json from the current code")

// TestInject_WritesTheRecordedScriptsAndCSP pins, byte for byte, what each
// granted subset of vendors puts on a page: the scripts in order, their
// text, their hashes, the CSP header and the widgets switch. A change to a
// snippet must be a change to this file, made on purpose.
func TestInject_WritesTheRecordedScriptsAndCSP(t *testing.T) {
	r := newRegistry(t, allIDs)
	subsets := []struct {
		Name    string
		Granted []string
	}{
		{"none", nil},
		{"Google Analytics alone", []string{"google-analytics"}},
		{"Smartlook alone", []string{"smartlook"}},
		{"Google Ads alone", []string{"google-ads"}},
		{"Meta Pixel alone", []string{"meta-pixel"}},
		{"LinkedIn Insight alone", []string{"linkedin-insight"}},
		{"social widgets alone", []string{"social-widgets"}},
		{"Google Analytics and Google Ads", []string{"google-analytics", "google-ads"}},
		{"Smartlook and Google Ads", []string{"smartlook", "google-ads"}},
		{"the advertising vendors", []string{"google-ads", "meta-pixel", "linkedin-insight"}},
		{"all six", allKeys},
	}
	type record struct {
		Name      string
		Granted   []string
		Injection consent.Injection
	}
	var got []record
	for _, s := range subsets {
		ch := consent.Choice{Categories: []consent.Category{consent.Analytics, consent.Advertising, consent.Social}, Vendors: s.Granted}
		got = append(got, record{s.Name, s.Granted, r.Inject(&ch)})
	}
	out, err := json.MarshalIndent(got, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	const golden = "testdata/inject.golden.json"
	if *updateGolden {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Fatalf("Inject differs from %s (run with -update only for an intended change):\n%s", golden, out)
	}
}
