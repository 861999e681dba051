// Package policy holds the rules of the company's privacy- en cookie
// policy and its versions: which version is in force (Current), what a
// draft and a publication need, how two versions differ (Diff). Staff write
// versions in Markdown (text.go); version 2, the company's first text, is
// kept as structured content (v2.go) and becomes the first version the
// database keeps.
package policy

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"time"

	"conpro/internal/consent"
)

// ErrNotFound is returned for a version number that was never published
// (or a draft that does not exist).
var ErrNotFound = errors.New("policy version not found")

// CookieSectionID is the section of every version that explains cookies:
// the banner links to it, and on the current version it ends with the
// generated declaration of the cookies the site uses.
const CookieSectionID = "cookies"

// Version is one published text of the policy.
type Version struct {
	Number int
	// Date is the publication date as printed in the policy (a calendar day).
	Date time.Time
	// Changes says in a sentence or two what differs from the previous
	// version; empty where nothing is known.
	Changes string
	Title   string
	Intro   []Block
	// Sections are the headed parts of the policy, in order. Their IDs are the
	// page anchors and stay stable across versions where the section does.
	Sections []Section
}

// Section is a headed part of the policy.
type Section struct {
	ID     string
	Title  string
	Blocks []Block
}

// Block is a paragraph, list or table of the policy text.
type Block interface{ block() }

// Paragraph is running text. Text may mark a strong run with **…**; e-mail
// addresses, Belgian phone numbers and the company's domain become links
// when rendered.
type Paragraph struct {
	Text string
	// Note marks a remark that reads as an aside, such as "(Let op: …)".
	Note bool
}

// List is a bulleted list; items use the same inline marks as Paragraph.
type List struct {
	Items []string
}

// Table is a table whose rows are part of the policy text itself.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// PartyTable is a table of cookie parties whose rows come from the consent
// registry, so that the policy and the consent engine cannot disagree: the
// vendors the site loads and the parties it only names are entries there.
type PartyTable struct {
	Caption string
	Parties []string // registry keys, in the order shown
}

func (Paragraph) block()  {}
func (List) block()       {}
func (Table) block()      {}
func (PartyTable) block() {}

// PartyTableHeader returns the header row of every party table.
func PartyTableHeader() []string { return []string{"Partij", "Type", "Vestiging", "Dienst"} }

// Rows resolves the table's registry keys into rows: party, type, vestiging,
// dienst. A key missing from the registry is a programming error that the
// package tests catch; it is skipped here rather than shown half.
func (t PartyTable) Rows() [][]string { return t.RowsWith(nil) }

// RowsWith resolves the rows as Rows does, with each party's vestiging as
// location says (the staff's current description) when location is given.
func (t PartyTable) RowsWith(location func(key string) string) [][]string {
	rows := make([][]string, 0, len(t.Parties))
	for _, key := range t.Parties {
		p, ok := consent.Lookup(key)
		if !ok {
			continue
		}
		loc := p.Location
		if location != nil {
			loc = location(key)
		}
		rows = append(rows, []string{p.Party, p.Category.PolicyLabel(), loc, p.Service})
	}
	return rows
}

// Seed is version 2, the company's text of 5 June 2020, as the site first
// published it: the first version the database keeps (see SeedText).
func Seed() Version { return version2() }

// Text is the version as the database keeps it, published, rendered as r,
// with the digest it was first recorded with.
func (v Version) Text(r Rendered) Text {
	return Text{
		Number:      v.Number,
		Status:      Published,
		Markdown:    v.Markdown(),
		Summary:     v.Changes,
		EffectiveOn: v.Date,
		Rendered:    map[string]Rendered{"nl": r},
		Digest:      v.Digest(),
	}
}

// Digest is a SHA-256 over the version's whole content, party rows resolved.
// The store records it per version number so that a published text edited
// without a new version number is noticed.
func (v Version) Digest() [32]byte {
	type block struct {
		Kind    string
		Text    string     `json:",omitempty"`
		Note    bool       `json:",omitempty"`
		Items   []string   `json:",omitempty"`
		Caption string     `json:",omitempty"`
		Header  []string   `json:",omitempty"`
		Rows    [][]string `json:",omitempty"`
	}
	conv := func(bs []Block) []block {
		out := make([]block, 0, len(bs))
		for _, b := range bs {
			switch b := b.(type) {
			case Paragraph:
				out = append(out, block{Kind: "p", Text: b.Text, Note: b.Note})
			case List:
				out = append(out, block{Kind: "ul", Items: b.Items})
			case Table:
				out = append(out, block{Kind: "table", Caption: b.Caption, Header: b.Header, Rows: b.Rows})
			case PartyTable:
				out = append(out, block{Kind: "table", Caption: b.Caption, Header: PartyTableHeader(), Rows: b.Rows()})
			}
		}
		return out
	}
	type section struct {
		ID, Title string
		Blocks    []block
	}
	doc := struct {
		Number   int
		Date     string
		Title    string
		Intro    []block
		Sections []section
	}{Number: v.Number, Date: v.Date.Format(time.DateOnly), Title: v.Title, Intro: conv(v.Intro)}
	for _, s := range v.Sections {
		doc.Sections = append(doc.Sections, section{ID: s.ID, Title: s.Title, Blocks: conv(s.Blocks)})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		// Only strings, ints and slices of them: Marshal cannot fail.
		panic(err)
	}
	return sha256.Sum256(b)
}

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
