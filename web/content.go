package web

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/a-h/templ"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// contentMarkdown reads the Markdown staff write for the site's pages and
// projects: CommonMark with GFM tables, strikethrough and bare web
// addresses as links. Safe by construction: its renderer writes no raw
// HTML (tags typed in the text are shown as text, see contentTransformer)
// and no link to a javascript:, vbscript: or data: address (goldmark's
// default without html.WithUnsafe).
var contentMarkdown = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(contentTransformer{}, 100))),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(embedRenderer{}, 100))),
)

// Content renders the Markdown of a page or a project as visitors see it.
// The page's own title is its only h1, so a "# " heading in the text
// becomes an h2. An image is shown as its description unless it is one of
// the site's own photos (/media/…): a page loads nothing from another
// host without the visitor's consent. A paragraph holding only the address
// of a video or a map (ParseEmbed) becomes that embed as embeds allows it:
// the frame, or a placeholder that asks for consent, or (for a vendor the
// site has not switched on) the link it was. Without embeds, every such
// address but an OpenStreetMap map stays a link.
func Content(markdown string, embeds ...EmbedConsent) templ.Component {
	var ec EmbedConsent
	if len(embeds) > 0 {
		ec = embeds[0]
	}
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		pc := parser.NewContext()
		pc.Set(embedContextKey, &embedContext{ctx: ctx, consent: ec, seen: map[string]int{}})
		var b bytes.Buffer
		if err := contentMarkdown.Convert([]byte(markdown), &b, parser.WithContext(pc)); err != nil {
			return err
		}
		_, err := w.Write(b.Bytes())
		return err
	})
}

// contentTransformer applies Content's rules to the parsed text.
type contentTransformer struct{}

func (contentTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	ec, _ := pc.Get(embedContextKey).(*embedContext)
	var replace []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Paragraph:
			if ec != nil {
				if e, ok := ec.embedOf(n, src); ok {
					replace = append(replace, e)
					return ast.WalkSkipChildren, nil
				}
			}
		case *ast.Heading:
			if n.Level == 1 {
				n.Level = 2
			}
		case *ast.Image:
			if !strings.HasPrefix(string(n.Destination), "/media/") {
				replace = append(replace, n)
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *ast.HTMLBlock:
			replace = append(replace, n)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, n := range replace {
		if e, ok := n.(*embedNode); ok {
			e.paragraph.Parent().ReplaceChild(e.paragraph.Parent(), e.paragraph, e)
			continue
		}
		parent := n.Parent()
		switch n := n.(type) {
		case *ast.Image:
			parent.ReplaceChild(parent, n, ast.NewString([]byte(plainText(n, src))))
		case *ast.RawHTML:
			parent.ReplaceChild(parent, n, ast.NewString(segmentsText(n.Segments, src)))
		case *ast.HTMLBlock:
			p := ast.NewParagraph()
			raw := segmentsText(n.Lines(), src)
			if n.HasClosure() {
				raw = append(raw, n.ClosureLine.Value(src)...)
			}
			p.AppendChild(p, ast.NewString(bytes.TrimSpace(raw)))
			parent.ReplaceChild(parent, n, p)
		}
	}
}

// segmentsText is the source text the segments cover.
func segmentsText(s *text.Segments, src []byte) []byte {
	var b []byte
	for i := 0; i < s.Len(); i++ {
		seg := s.At(i)
		b = append(b, seg.Value(src)...)
	}
	return b
}
