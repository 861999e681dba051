package policy_test

import (
	"encoding/hex"
	"errors"
	"slices"
	"testing"

	"conpro/internal/consent"
	"conpro/internal/policy"
)

func TestVersions_AreNumberedInOrderWithDatesAndTheNewestIsCurrent(t *testing.T) {
	vs := policy.Versions()
	for i, v := range vs {
		if v.Date.IsZero() || v.Title == "" || len(v.Sections) == 0 {
			t.Errorf("version %d is incomplete", v.Number)
		}
		if i > 0 && (v.Number <= vs[i-1].Number || v.Date.Before(vs[i-1].Date)) {
			t.Errorf("version %d is out of order", v.Number)
		}
	}
	if cur := policy.Current(); cur.Number != vs[len(vs)-1].Number || cur.Number != 2 {
		t.Fatalf("current version %d", cur.Number)
	}
	if _, err := policy.ByNumber(99); !errors.Is(err, policy.ErrNotFound) {
		t.Fatalf("ByNumber(99): %v", err)
	}
}

func TestVersions_SectionIDsAreUniqueAnchors(t *testing.T) {
	for _, v := range policy.Versions() {
		var ids []string
		for _, s := range v.Sections {
			if s.ID == "" || slices.Contains(ids, s.ID) {
				t.Errorf("version %d: section %q has an empty or repeated ID %q", v.Number, s.Title, s.ID)
			}
			ids = append(ids, s.ID)
		}
	}
}

// The cookie tables come from the consent registry: every key must exist
// there, or a row would silently vanish from the policy.
func TestPartyTables_NameOnlyRegisteredParties(t *testing.T) {
	for _, v := range policy.Versions() {
		for _, s := range v.Sections {
			for _, b := range s.Blocks {
				pt, ok := b.(policy.PartyTable)
				if !ok {
					continue
				}
				for _, key := range pt.Parties {
					if _, ok := consent.Lookup(key); !ok {
						t.Errorf("version %d, %s: unknown party %q", v.Number, pt.Caption, key)
					}
				}
				if len(pt.Rows()) != len(pt.Parties) {
					t.Errorf("%s: %d rows for %d parties", pt.Caption, len(pt.Rows()), len(pt.Parties))
				}
			}
		}
	}
}

func TestDigest_IsStableAndChangesWithTheText(t *testing.T) {
	a, b := policy.Current(), policy.Current()
	if a.Digest() != b.Digest() {
		t.Fatal("digest differs between two reads of the same version")
	}
	b.Sections[0].Blocks = append(b.Sections[0].Blocks, policy.Paragraph{Text: "Extra zin."})
	if a.Digest() == b.Digest() {
		t.Fatal("digest ignores an added paragraph")
	}
	c := policy.Current()
	c.Date = c.Date.AddDate(0, 0, 1)
	if a.Digest() == c.Digest() {
		t.Fatal("digest ignores the date")
	}
}

// The store records each version's digest and refuses to serve a published
// number whose text changed. Version 2 was published with this digest: a
// refactoring of the policy or of the registry its tables read must leave it
// exactly as it is.
func TestDigest_OfVersion2IsTheOneRecordedAtPublication(t *testing.T) {
	v, err := policy.ByNumber(2)
	if err != nil {
		t.Fatal(err)
	}
	const published = "eeadb6120c32be5a48374185be8ab63679c3a42311a878e1198a89cd6bd3d316"
	if d := v.Digest(); hex.EncodeToString(d[:]) != published {
		t.Fatalf("digest %x, published %s", d, published)
	}
}
