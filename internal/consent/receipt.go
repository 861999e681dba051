package consent

import "time"

// Receipt is the downloadable proof of a visitor's consent: the current
// choice, every logged choice under the same consent ID and the policy
// versions. It holds nothing that works as a credential: not the cookie,
// not its signature (whoever held a copy of the cookie could have the
// log exported or erased). Its JSON layout is documented by its field
// names.
type Receipt struct {
	ConsentID   string          `json:"consent_id"`
	Site        string          `json:"site"`
	GeneratedAt time.Time       `json:"generated_at"`
	Current     ReceiptChoice   `json:"current_choice"`
	History     []ReceiptEvent  `json:"history"`
	HistoryNote string          `json:"history_note,omitempty"`
	Policy      []ReceiptPolicy `json:"policy_versions"`
}

// ReceiptChoice is the choice the visitor's cookie holds.
type ReceiptChoice struct {
	PolicyVersion int        `json:"policy_version"`
	Categories    []Category `json:"categories"`
	Vendors       []string   `json:"vendors"`
	ChosenAt      time.Time  `json:"chosen_at"`
	Current       bool       `json:"current"`
}

// ReceiptEvent is one logged choice.
type ReceiptEvent struct {
	EventID       string     `json:"event_id"`
	ChosenAt      time.Time  `json:"chosen_at"`
	Action        Action     `json:"action"`
	PolicyVersion int        `json:"policy_version"`
	Categories    []Category `json:"categories"`
	Vendors       []string   `json:"vendors"`
	BannerVersion string     `json:"banner_version"`
	Locale        string     `json:"locale"`
	Page          string     `json:"page"`
	GPC           bool       `json:"gpc"`
	Network       string     `json:"network,omitempty"`
	UserAgent     string     `json:"user_agent"`
}

// ReceiptPolicy is a version of the policy and where to read it.
type ReceiptPolicy struct {
	Number int    `json:"number"`
	Date   string `json:"date"`
	URL    string `json:"url"`
}

// NewReceipt makes the receipt of a visitor's choice (current says whether
// it is still current), with its logged history.
func NewReceipt(ch *Choice, current bool, r *Registry, events []Event, policy []ReceiptPolicy, site string, now time.Time) Receipt {
	rc := Receipt{
		ConsentID:   ch.ID,
		Site:        site,
		GeneratedAt: now.UTC().Truncate(time.Second),
		Current: ReceiptChoice{
			PolicyVersion: ch.PolicyVersion,
			Categories:    nonNil(ch.Categories),
			Vendors:       []string{},
			ChosenAt:      ch.Time,
			Current:       current,
		},
		History: []ReceiptEvent{},
		Policy:  policy,
	}
	for _, v := range ch.GrantedVendors(r) {
		rc.Current.Vendors = append(rc.Current.Vendors, v.Key)
	}
	for _, e := range events {
		re := ReceiptEvent{
			EventID: e.ID, ChosenAt: e.Time, Action: e.Action, PolicyVersion: e.PolicyVersion,
			Categories: nonNil(e.Categories), Vendors: nonNil(e.Vendors), BannerVersion: e.BannerVersion,
			Locale: e.Locale, Page: e.Path, GPC: e.GPC, UserAgent: e.UserAgent,
		}
		if e.Network.IsValid() {
			re.Network = e.Network.String()
		}
		rc.History = append(rc.History, re)
	}
	return rc
}

// nonNil makes a nil list an empty one, so JSON shows [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
