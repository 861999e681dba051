package consentlog

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // a name-based (version 5) UUID is defined with SHA-1; it is an identifier, not a protection
	"fmt"
	"slices"
	"strings"
	"time"

	"conpro/internal/consent"
)

// A consent record is everything the log holds about one consent ID, laid
// out for whoever asks for it (the company, a complainant, the data
// protection authority). Its fields carry the names of ISO/IEC TS
// 27560:2023 (consent record information structure) where one fits, and
// names of their own elsewhere; docs/consent-record.md describes each. It
// does not claim conformance to the specification.

// RecordSchema names this layout and its version; a change of meaning gets
// a new one.
const RecordSchema = "conpro-consent-record-1"

// recordFieldNames says where the field names come from, in the record.
const recordFieldNames = "ISO/IEC TS 27560:2023 field names where one fits, own names elsewhere; the layout is described in docs/consent-record.md"

// Record is the consent record of one consent ID.
type Record struct {
	SchemaVersion string    `json:"schema_version"`
	FieldNames    string    `json:"field_names"`
	RecordID      string    `json:"record_id"`
	GeneratedAt   time.Time `json:"generated_at"`
	// PIIPrincipalID is the only name the record has for the visitor: the
	// random consent ID their browser holds.
	PIIPrincipalID   string  `json:"pii_principal_id"`
	PIIControllers   []Party `json:"pii_controllers"`
	Jurisdiction     string  `json:"jurisdiction"`
	WithdrawalMethod string  `json:"withdrawal_method"`
	// Events are the logged choices, oldest first.
	Events []StateChange `json:"events"`
}

// Party is an organisation the record names.
type Party struct {
	PartyName    string `json:"party_name"`
	PartyRole    string `json:"party_role,omitempty"`
	PartyID      string `json:"party_id,omitempty"`
	PartyAddress string `json:"party_address,omitempty"`
	PartyEmail   string `json:"party_email,omitempty"`
	PartyPhone   string `json:"party_phone,omitempty"`
	PartyURL     string `json:"party_url,omitempty"`
}

// StateChange is one logged choice: a change of the consent's state.
type StateChange struct {
	EventID   string    `json:"event_id"`
	EventTime time.Time `json:"event_time"`
	// EventType is how consent was expressed: by the visitor's own click.
	EventType  string `json:"event_type"`
	EventState string `json:"event_state"`
	// EntityID is who expressed it: the visitor, by their consent ID.
	EntityID string `json:"entity_id"`
	// Action is what the visitor pressed, in the site's own words.
	Action string `json:"action"`
	// ValidityDuration is how long a grant stays current (ISO 8601); a
	// refusal or withdrawal has none.
	ValidityDuration string    `json:"validity_duration,omitempty"`
	Purposes         []Purpose `json:"purposes"`
	Notice           Notice    `json:"notice"`
	CollectionMethod string    `json:"collection_method"`
	Page             string    `json:"page"`
	// PrivacySignal says whether the browser sent Sec-GPC: 1 or DNT: 1.
	PrivacySignal bool   `json:"privacy_signal"`
	Network       string `json:"network,omitempty"`
	UserAgent     string `json:"user_agent"`
	// Seal is left out when the record is made without the log's key.
	Seal *Seal `json:"seal,omitempty"`
}

// Purpose is a category of cookies the visitor was asked about, with the
// vendors in it.
type Purpose struct {
	PurposeID   string `json:"purpose_id"`
	Purpose     string `json:"purpose"`
	LawfulBasis string `json:"lawful_basis"`
	// State is "given" or "refused".
	State                 string      `json:"state"`
	RecipientThirdParties []Recipient `json:"recipient_third_parties"`
}

// Recipient is a vendor whose script the choice let load, or kept away.
type Recipient struct {
	PartyID   string `json:"party_id"`
	Service   string `json:"service"`
	PartyName string `json:"party_name,omitempty"`
	State     string `json:"state"`
}

// Notice is what the visitor was shown when they chose.
type Notice struct {
	// PrivacyNotice is where the policy version the choice names is read.
	PrivacyNotice string `json:"privacy_notice"`
	PolicyVersion int    `json:"policy_version"`
	// NoticeVersion is the digest of the text shown (the event's banner
	// version), under which the text is archived.
	NoticeVersion string `json:"notice_version"`
	Language      string `json:"language"`
	// TextArchived says whether the archive holds the text; Text is its
	// words when it does.
	TextArchived bool    `json:"text_archived"`
	Text         []Block `json:"text,omitempty"`
}

// Seal says whether the event still matches the seal made when it was
// recorded (see seal.go). It checks the event alone; conpro verify-log
// checks the whole log, the chain included.
type Seal struct {
	State SealState `json:"state"`
}

// SealState is what checking one event's seal found.
type SealState string

const (
	// SealIntact: the event is as it was sealed.
	SealIntact SealState = "intact"
	// SealChanged: the event no longer matches its seal.
	SealChanged SealState = "changed"
	// SealPending: recorded before sealing began and not yet linked into
	// the chain, which seals it.
	SealPending SealState = "pending"
	// SealMissing: recorded after sealing began without a seal; the server
	// did not write it.
	SealMissing SealState = "missing"
)

// RecordedEvent is an event as the log holds it, with the seal the chain
// keeps for it (nil until the chain links it).
type RecordedEvent struct {
	StoredEvent
	ChainSeal []byte
}

// CheckSeal checks an event against its own seal, or, for one recorded
// before sealing began, the seal the chain made for it.
func CheckSeal(s *Sealer, e RecordedEvent) SealState {
	seal := e.Seal
	switch {
	case seal == nil && e.Legacy && e.ChainSeal == nil:
		return SealPending
	case seal == nil && e.Legacy:
		seal = e.ChainSeal
	case seal == nil:
		return SealMissing
	}
	if !hmac.Equal(seal, s.Seal(e.Event)) {
		return SealChanged
	}
	return SealIntact
}

// RecordFacts is what a record says besides the events.
type RecordFacts struct {
	Controller Party
	// Jurisdiction is the country whose law applies (ISO 3166-1).
	Jurisdiction string
	// Withdrawal says where and how a visitor withdraws consent.
	Withdrawal string
	// PolicyURL is the address of a policy version.
	PolicyURL func(version int) string
	// ValidFor is how long a grant stays current.
	ValidFor time.Duration
	Sealer   *Sealer
	Now      time.Time
}

// NewRecord lays out the record of one consent ID from its events (oldest
// first) and the texts they name, read with ReadShownText (a version absent
// from texts is not archived).
func NewRecord(consentID string, events []RecordedEvent, texts map[string]ShownText, f RecordFacts) Record {
	controller := f.Controller
	controller.PartyRole = "pii_controller"
	r := Record{
		SchemaVersion:    RecordSchema,
		FieldNames:       recordFieldNames,
		RecordID:         recordID(consentID),
		GeneratedAt:      f.Now.UTC().Truncate(time.Second),
		PIIPrincipalID:   consentID,
		PIIControllers:   []Party{controller},
		Jurisdiction:     f.Jurisdiction,
		WithdrawalMethod: f.Withdrawal,
		Events:           make([]StateChange, 0, len(events)),
	}
	for _, e := range events {
		text, archived := texts[e.BannerVersion]
		c := StateChange{
			EventID:          e.ID,
			EventTime:        e.Time.UTC(),
			EventType:        "expressed_consent",
			EventState:       eventState(e.Event),
			EntityID:         consentID,
			Action:           string(e.Action),
			Purposes:         purposes(e.Event, text, archived),
			CollectionMethod: CollectionMethod(e.BannerVersion),
			Page:             e.Path,
			PrivacySignal:    e.GPC,
			UserAgent:        e.UserAgent,
			Notice: Notice{
				PrivacyNotice: f.PolicyURL(e.PolicyVersion),
				PolicyVersion: e.PolicyVersion,
				NoticeVersion: e.BannerVersion,
				Language:      e.Locale,
				TextArchived:  archived,
				Text:          text.Blocks,
			},
		}
		if f.Sealer != nil {
			c.Seal = &Seal{State: CheckSeal(f.Sealer, e)}
		}
		if c.EventState == "consent_given" && f.ValidFor > 0 && e.Action != consent.LoadOnce {
			c.ValidityDuration = isoDays(f.ValidFor)
		}
		if e.Network.IsValid() {
			c.Network = e.Network.String()
		}
		r.Events = append(r.Events, c)
	}
	return r
}

// eventState is the state a choice put the consent in: given (for what it
// granted), refused, or withdrawn.
func eventState(e consent.Event) string {
	switch {
	case e.Action == consent.Withdraw:
		return "consent_withdrawn"
	case len(e.Categories) == 0 && len(e.Vendors) == 0:
		return "consent_refused"
	}
	return "consent_given"
}

// purposes lists each optional category the visitor was asked about, with
// its vendors, granted or refused. What was offered is read from the
// switches of the text shown; without the text, every optional category and
// only the vendors granted (which were refused is not known).
func purposes(e consent.Event, text ShownText, archived bool) []Purpose {
	var cats []consent.Category
	for _, c := range text.Offered("category") {
		cats = append(cats, consent.Category(c))
	}
	if !archived || len(cats) == 0 {
		for _, c := range consent.Categories() {
			if c.Optional() {
				cats = append(cats, c)
			}
		}
	}
	vendors := text.Offered("vendor")
	for _, v := range e.Vendors {
		if !slices.Contains(vendors, v) {
			vendors = append(vendors, v)
		}
	}
	out := make([]Purpose, 0, len(cats))
	at := map[consent.Category]int{}
	add := func(id, label string, given bool) int {
		out = append(out, Purpose{PurposeID: id, Purpose: label, LawfulBasis: "consent", State: givenOrRefused(given), RecipientThirdParties: []Recipient{}})
		return len(out) - 1
	}
	for _, c := range cats {
		at[c] = add(string(c), c.PolicyLabel(), slices.Contains(e.Categories, c))
	}
	for _, key := range vendors {
		rc := Recipient{PartyID: key, Service: consent.VendorName(key), State: givenOrRefused(slices.Contains(e.Vendors, key))}
		v, known := consent.Lookup(key)
		if known {
			rc.PartyName = v.Company
		}
		cat, label := v.Category, v.Category.PolicyLabel()
		if !known {
			cat, label = "unlisted", "Niet (meer) in het register"
		}
		i, listed := at[cat]
		if !listed {
			// A vendor whose category the visitor was not asked about
			// (the registry changed since): a purpose of its own.
			i = add(string(cat), label, rc.State == "given")
			at[cat] = i
		}
		out[i].RecipientThirdParties = append(out[i].RecipientThirdParties, rc)
	}
	return out
}

func givenOrRefused(given bool) string {
	if given {
		return "given"
	}
	return "refused"
}

// CollectionMethod says where a choice was made, from the kind of text its
// version names ("banner-nl-…", "settings-nl-…", "embed-youtube-nl-…"):
// web_banner, web_settings_page, web_embed_placeholder, or web_form when
// the version does not say.
func CollectionMethod(version string) string {
	switch {
	case strings.HasPrefix(version, "banner-"):
		return "web_banner"
	case strings.HasPrefix(version, "settings-"):
		return "web_settings_page"
	case strings.HasPrefix(version, "embed-"):
		return "web_embed_placeholder"
	}
	return "web_form"
}

// isoDays writes a period as an ISO 8601 duration in whole days ("P182D").
func isoDays(d time.Duration) string {
	return fmt.Sprintf("P%dD", int((d+12*time.Hour)/(24*time.Hour)))
}

// recordID is the record's identifier: a name-based UUID (version 5, RFC
// 9562) of the consent ID, so every export of one consent ID names the same
// record and nothing else does.
func recordID(consentID string) string {
	// The namespace is the version 5 UUID of the URL
	// https://conpro-bouw.be/consent-record (88f38391-cd4a-52a7-a9fb-4f3dd8713e24).
	ns := [16]byte{0x88, 0xf3, 0x83, 0x91, 0xcd, 0x4a, 0x52, 0xa7, 0xa9, 0xfb, 0x4f, 0x3d, 0xd8, 0x71, 0x3e, 0x24}
	h := sha1.New() //nolint:gosec // see the import
	h.Write(ns[:])
	h.Write([]byte(consentID))
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
