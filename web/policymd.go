package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"conpro/internal/policy"
)

// policyMarkdown reads the policy's Markdown: CommonMark with GFM tables
// and strikethrough. Its renderer writes no raw HTML (goldmark's default:
// a tag typed in the text is shown as text, see renderPolicy) and no link
// to a javascript:, vbscript: or data: address.
var policyMarkdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

// RenderPolicy renders a version's Markdown as visitors see it: the first
// "# " line is the title; each "## " heading opens a section with a stable
// anchor (policy.Slugs) as version 2's sections have; e-mail addresses and
// phone numbers become links as in version 2; a line that is only
// policy.PartiesMarker becomes the table of the services the site uses
// (parties: its rows, frozen with the version), and a line that is only
// policy.DeclarationMarker the place of the cookie declaration. Images are
// shown as their description: a page may load nothing from another host.
func RenderPolicy(markdown string, parties [][]string) policy.Rendered {
	src := []byte(markdown)
	doc := policyMarkdown.Parser().Parse(text.NewReader(src))
	linkContactDetails(doc, src)

	out := policy.Rendered{Title: policy.TitleOf(markdown)}
	slugs := policy.Slugs{}
	var b bytes.Buffer
	b.WriteString(`<div class="policy-intro">`)
	inSection, titleSeen := false, false
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			title := strings.TrimSpace(plainText(n, src))
			if n.Level == 1 && !titleSeen {
				titleSeen = true
				continue
			}
			if n.Level > 2 {
				n.SetAttributeString("id", []byte(slugs.Slug(title)))
				renderNode(&b, src, n)
				continue
			}
			id := slugs.Slug(title)
			out.TOC = append(out.TOC, policy.Heading{ID: id, Title: title})
			if inSection {
				b.WriteString(`</section>`)
			} else {
				b.WriteString(`</div>`)
			}
			inSection = true
			e := html.EscapeString
			fmt.Fprintf(&b, `<section id="%s" aria-labelledby="%s-titel"><h2 id="%s-titel">%s <a class="anchor" href="#%s" aria-label="%s">#</a></h2>`,
				e(id), e(id), e(id), e(title), e(id), e("Link naar "+title))
		case *ast.Paragraph:
			switch strings.TrimSpace(string(n.Lines().Value(src))) {
			case policy.DeclarationMarker:
				b.WriteString(policy.DeclarationSlot)
			case policy.PartiesMarker:
				writePolicyTable(&b, "Diensten die deze website gebruikt", policy.PartyTableHeader(), textCells(parties))
			default:
				renderNode(&b, src, n)
			}
		case *extast.Table:
			header, rows := tableCells(n, src)
			writePolicyTable(&b, "", header, rows)
		case *ast.HTMLBlock:
			// Shown as the text typed, never as HTML.
			var raw strings.Builder
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				raw.Write(seg.Value(src))
			}
			if n.HasClosure() {
				raw.Write(n.ClosureLine.Value(src))
			}
			b.WriteString("<p>" + html.EscapeString(strings.TrimSpace(raw.String())) + "</p>")
		default:
			renderNode(&b, src, n)
		}
	}
	if inSection {
		b.WriteString(`</section>`)
	} else {
		b.WriteString(`</div>`)
	}
	out.Body = b.String()
	return out
}

// renderNode renders one block with goldmark's renderer.
func renderNode(b *bytes.Buffer, src []byte, n ast.Node) {
	if err := policyMarkdown.Renderer().Render(b, src, n); err != nil {
		// Rendering writes into a buffer: it cannot fail.
		panic(err)
	}
}

// cell is a rendered table cell: its HTML and its text (for data-label).
type cell struct{ html, text string }

func textCells(rows [][]string) [][]cell {
	out := make([][]cell, len(rows))
	for i, r := range rows {
		for _, c := range r {
			out[i] = append(out[i], cell{html.EscapeString(c), c})
		}
	}
	return out
}

func tableCells(t *extast.Table, src []byte) (header []string, rows [][]cell) {
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []cell
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			var b bytes.Buffer
			for in := c.FirstChild(); in != nil; in = in.NextSibling() {
				renderNode(&b, src, in)
			}
			cells = append(cells, cell{b.String(), strings.TrimSpace(plainText(c, src))})
		}
		if _, ok := row.(*extast.TableHeader); ok {
			for _, c := range cells {
				header = append(header, c.text)
			}
			continue
		}
		rows = append(rows, cells)
	}
	return header, rows
}

// writePolicyTable writes a table as version 2's are: stacked on a phone,
// each cell labelled with its column.
func writePolicyTable(b *bytes.Buffer, caption string, header []string, rows [][]cell) {
	e := html.EscapeString
	b.WriteString(`<div class="table-wrap"><table class="stack">`)
	if caption != "" {
		b.WriteString("<caption>" + e(caption) + "</caption>")
	}
	b.WriteString("<thead><tr>")
	for _, h := range header {
		b.WriteString(`<th scope="col">` + e(h) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, row := range rows {
		b.WriteString("<tr>")
		for i, c := range row {
			label := ""
			if i < len(header) {
				label = header[i]
			}
			if i == 0 {
				b.WriteString(`<th scope="row" data-label="` + e(label) + `">` + c.html + "</th>")
			} else {
				b.WriteString(`<td data-label="` + e(label) + `">` + c.html + "</td>")
			}
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table></div>")
}

// plainText is the text of a node's inline content.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if s, ok := t.(*ast.Text); ok {
					b.Write(s.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// linkContactDetails turns e-mail addresses and phone numbers in running
// text into links, as Segments does for version 2, images into their
// description, and inline HTML into the text typed.
func linkContactDetails(doc ast.Node, src []byte) {
	var texts []*ast.Text
	var images []*ast.Image
	var raws []*ast.RawHTML
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link, *ast.AutoLink, *ast.CodeSpan:
			return ast.WalkSkipChildren, nil
		case *ast.Image:
			images = append(images, n)
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			raws = append(raws, n)
		case *ast.Text:
			if !n.IsRaw() {
				texts = append(texts, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, t := range texts {
		value := string(t.Segment.Value(src))
		locs := linkable.FindAllStringIndex(value, -1)
		if len(locs) == 0 {
			continue
		}
		parent := t.Parent()
		at := 0
		for _, loc := range locs {
			if loc[0] > at {
				parent.InsertBefore(parent, t, ast.NewString([]byte(value[at:loc[0]])))
			}
			m := value[loc[0]:loc[1]]
			href := string(MailtoURL(m))
			if !strings.Contains(m, "@") {
				href = "tel:+32" + strings.ReplaceAll(m, " ", "")[1:]
			}
			link := ast.NewLink()
			link.Destination = []byte(href)
			link.AppendChild(link, ast.NewString([]byte(m)))
			parent.InsertBefore(parent, t, link)
			at = loc[1]
		}
		rest := value[at:]
		if t.SoftLineBreak() {
			rest += "\n"
		}
		if rest != "" {
			parent.InsertBefore(parent, t, ast.NewString([]byte(rest)))
		}
		parent.RemoveChild(parent, t)
	}
	for _, img := range images {
		parent := img.Parent()
		parent.ReplaceChild(parent, img, ast.NewString([]byte(plainText(img, src))))
	}
	for _, r := range raws {
		var raw strings.Builder
		for i := 0; i < r.Segments.Len(); i++ {
			seg := r.Segments.At(i)
			raw.Write(seg.Value(src))
		}
		parent := r.Parent()
		parent.ReplaceChild(parent, r, ast.NewString([]byte(raw.String())))
	}
}

// SeedText is version 2 as the database first keeps it: its Markdown (a
// draft of version 3 starts from it), its rendering as the site has always
// shown it, and the digest recorded when it was first published.
func SeedText() (policy.Text, error) {
	v := policy.Seed()
	var b bytes.Buffer
	if err := policyBody(v).Render(context.Background(), &b); err != nil {
		return policy.Text{}, fmt.Errorf("render version 2: %w", err)
	}
	r := policy.Rendered{Title: v.Title, Body: b.String()}
	for _, s := range v.Sections {
		r.TOC = append(r.TOC, policy.Heading{ID: s.ID, Title: s.Title})
	}
	return v.Text(r), nil
}
