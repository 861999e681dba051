package consentlog_test

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"conpro/internal/consent"
	"conpro/internal/consentlog"
)

// recordOf lays out the record of two choices: analytics chosen on the
// settings page, whose text is archived, then everything accepted from a
// banner with the GPC signal, whose text is not.
func recordOf(t *testing.T) consentlog.Record {
	t.Helper()
	at := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	first := consent.Event{ID: "11111111-1111-4111-8111-111111111111", ConsentID: "0MtTMcHzzLXFns2uc5Jy-g", Time: at, PolicyVersion: 2,
		Action: consent.Save, Categories: []consent.Category{consent.Analytics}, Vendors: []string{"google-analytics"},
		BannerVersion: "settings-nl-722f0476088b", Locale: "nl", Path: "/cookies", Network: netip.MustParsePrefix("192.0.2.0/24"), UserAgent: "Firefox"}
	second := first
	second.ID, second.Time, second.Action, second.GPC, second.Path = "22222222-2222-4222-8222-222222222222", at.Add(time.Hour), consent.AcceptAll, true, "/"
	second.BannerVersion, second.Network = "banner-nl-652e0dcda65c", netip.Prefix{}
	first.Seal, second.Seal = testSealer.Seal(first), testSealer.Seal(second)
	texts := map[string]consentlog.ShownText{"settings-nl-722f0476088b": readShown(t, testdata(t, "settings-nl.html"))}
	return consentlog.NewRecord(first.ConsentID, []consentlog.RecordedEvent{{StoredEvent: consentlog.StoredEvent{Event: first}}, {StoredEvent: consentlog.StoredEvent{Event: second}}}, texts, consentlog.RecordFacts{
		Controller:   consentlog.Party{PartyName: "Construct Professional bvba"},
		Jurisdiction: "BE",
		Withdrawal:   "https://conpro-bouw.be/cookies",
		PolicyURL:    func(n int) string { return "https://conpro-bouw.be/privacy/versies/" + strconv.Itoa(n) },
		ValidFor:     182 * 24 * time.Hour,
		Sealer:       testSealer,
		Now:          at.Add(48 * time.Hour),
	})
}

func TestNewRecord_NamesTheVisitorOnlyByTheConsentIDAndTheSameRecordEachTime(t *testing.T) {
	r := recordOf(t)
	if r.SchemaVersion != consentlog.RecordSchema || r.PIIPrincipalID != "0MtTMcHzzLXFns2uc5Jy-g" || r.PIIControllers[0].PartyRole != "pii_controller" {
		t.Errorf("header: %+v", r)
	}
	// A version 5 UUID of the consent ID in the record's namespace (Python:
	// uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "https://conpro-bouw.be/consent-record"), id)).
	if r.RecordID != "f8384831-05e1-5440-9a27-12be9b56363c" {
		t.Errorf("record_id %s", r.RecordID)
	}
	for _, e := range r.Events {
		if e.EntityID != r.PIIPrincipalID || e.UserAgent != "Firefox" {
			t.Errorf("event %s: entity %q", e.EventID, e.EntityID)
		}
	}
}

func TestNewRecord_ListsWhatEachChoiceGaveAndRefusedAmongWhatWasOffered(t *testing.T) {
	r := recordOf(t)
	if len(r.Events) != 2 {
		t.Fatalf("%d events", len(r.Events))
	}
	first, second := r.Events[0], r.Events[1]
	if first.EventState != "consent_given" || first.Action != "save" || first.CollectionMethod != "web_settings_page" || first.ValidityDuration != "P182D" {
		t.Errorf("first: %+v", first)
	}
	// The settings form offered every category and vendor; the visitor
	// gave analytics with Google Analytics only.
	states := map[string]string{}
	for _, p := range first.Purposes {
		states[p.PurposeID] = p.State
		for _, v := range p.RecipientThirdParties {
			states[v.PartyID] = v.State
		}
	}
	want := map[string]string{"analytics": "given", "google-analytics": "given", "smartlook": "refused", "advertising": "refused", "google-ads": "refused",
		"meta-pixel": "refused", "linkedin-insight": "refused", "social": "refused", "social-widgets": "refused"}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%s: %q, want %q", k, states[k], v)
		}
	}
	if len(states) != len(want) {
		t.Errorf("purposes and vendors: %v", states)
	}
	n := first.Notice
	if !n.TextArchived || len(n.Text) == 0 || n.PrivacyNotice != "https://conpro-bouw.be/privacy/versies/2" || n.Language != "nl" || first.Network != "192.0.2.0/24" {
		t.Errorf("first notice: %+v", n)
	}
	// Without its text, the second choice lists the categories and the
	// vendors it gave.
	if second.Notice.TextArchived || second.Notice.Text != nil || !second.PrivacySignal || second.CollectionMethod != "web_banner" || second.Network != "" {
		t.Errorf("second: %+v", second)
	}
	if len(second.Purposes) != 3 || second.Purposes[0].State != "given" || len(second.Purposes[0].RecipientThirdParties) != 1 {
		t.Errorf("second purposes: %+v", second.Purposes)
	}
}

func TestCheckSeal_TellsAnIntactEventFromAChangedOneAndOneNotYetSealed(t *testing.T) {
	e := consent.Event{ID: "11111111-1111-4111-8111-111111111111", ConsentID: "0MtTMcHzzLXFns2uc5Jy-g", Action: consent.RejectAll, Locale: "nl"}
	sealed := e
	sealed.Seal = testSealer.Seal(e)
	changed := sealed
	changed.Locale = "fr"
	for _, tc := range []struct {
		name string
		e    consentlog.RecordedEvent
		want consentlog.SealState
	}{
		{"sealed as written", consentlog.RecordedEvent{StoredEvent: consentlog.StoredEvent{Event: sealed}}, consentlog.SealIntact},
		{"changed since", consentlog.RecordedEvent{StoredEvent: consentlog.StoredEvent{Event: changed}}, consentlog.SealChanged},
		{"from before sealing, not yet chained", consentlog.RecordedEvent{StoredEvent: consentlog.StoredEvent{Event: e, Legacy: true}}, consentlog.SealPending},
		{"from before sealing, sealed by the chain", consentlog.RecordedEvent{StoredEvent: consentlog.StoredEvent{Event: e, Legacy: true}, ChainSeal: testSealer.Seal(e)}, consentlog.SealIntact},
		{"from before sealing, changed after the chain sealed it", consentlog.RecordedEvent{StoredEvent: consentlog.StoredEvent{Event: unsealed(changed), Legacy: true}, ChainSeal: testSealer.Seal(e)}, consentlog.SealChanged},
		{"written since without a seal", consentlog.RecordedEvent{StoredEvent: consentlog.StoredEvent{Event: e}}, consentlog.SealMissing},
	} {
		if got := consentlog.CheckSeal(testSealer, tc.e); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func unsealed(e consent.Event) consent.Event {
	e.Seal = nil
	return e
}
