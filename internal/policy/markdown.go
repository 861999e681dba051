package policy

import "strings"

// Markdown writes the version as the Markdown the editor takes: the title,
// each section's heading, paragraphs, lists and tables (a party table with
// its rows as they are today), and DeclarationMarker at the end of the
// cookie section, where the page shows the generated declaration. A new
// draft starts from it.
func (v Version) Markdown() string {
	var b strings.Builder
	b.WriteString("# " + v.Title + "\n")
	blocks := func(bs []Block) {
		for _, bl := range bs {
			b.WriteString("\n")
			switch bl := bl.(type) {
			case Paragraph:
				b.WriteString(escapeLine(bl.Text) + "\n")
			case List:
				for _, it := range bl.Items {
					b.WriteString("- " + escapeLine(it) + "\n")
				}
			case Table:
				writeTable(&b, bl.Header, bl.Rows)
			case PartyTable:
				writeTable(&b, PartyTableHeader(), bl.Rows())
			}
		}
	}
	blocks(v.Intro)
	for _, s := range v.Sections {
		b.WriteString("\n## " + s.Title + "\n")
		blocks(s.Blocks)
		if s.ID == CookieSectionID {
			b.WriteString("\n" + DeclarationMarker + "\n")
		}
	}
	return b.String()
}

func writeTable(b *strings.Builder, header []string, rows [][]string) {
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + strings.ReplaceAll(escapeLine(c), "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	row(header)
	b.WriteString("|" + strings.Repeat(" --- |", len(header)) + "\n")
	for _, r := range rows {
		row(r)
	}
}

// escapeLine keeps a line of policy text from reading as Markdown it is
// not: a leading number and full stop ("1. …") or a leading marker.
func escapeLine(s string) string {
	if s != "" && strings.ContainsRune("#>+-=", rune(s[0])) {
		return `\` + s
	}
	return s
}
