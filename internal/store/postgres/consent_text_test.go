package postgres_test

import (
	"context"
	"maps"
	"testing"

	"conpro/internal/pgtest"
)

func TestConsentTexts_ReturnsTheArchivedTextsAskedForAndLeavesOutTheUnknown(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	for version, body := range map[string]string{
		"banner-nl-aaaaaaaaaaaa":   "<section><h2>Cookies op deze website</h2></section>",
		"settings-fr-bbbbbbbbbbbb": "<form><button>Enregistrer</button></form>",
		"banner-en-cccccccccccc":   "<section><h2>Cookies on this website</h2></section>",
	} {
		if err := db.ArchiveConsentText(ctx, version, body); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.ConsentTexts(ctx, []string{"banner-nl-aaaaaaaaaaaa", "settings-fr-bbbbbbbbbbbb", "banner-nl-000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"banner-nl-aaaaaaaaaaaa":   "<section><h2>Cookies op deze website</h2></section>",
		"settings-fr-bbbbbbbbbbbb": "<form><button>Enregistrer</button></form>",
	}
	if !maps.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if none, err := db.ConsentTexts(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no versions asked: %q, %v", none, err)
	}
}
