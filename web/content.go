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
)

// Content renders the Markdown of a page or a project as visitors see it.
// The page's own title is its only h1, so a "# " heading in the text
// becomes an h2. An image is shown as its description unless it is one of
// the site's own photos (/media/…): a page loads nothing from another
// host without the visitor's consent.
func Content(markdown string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b bytes.Buffer
		if err := contentMarkdown.Convert([]byte(markdown), &b); err != nil {
			return err
		}
		_, err := w.Write(b.Bytes())
		return err
	})
}

// contentTransformer applies Content's rules to the parsed text.
type contentTransformer struct{}

func (contentTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var replace []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
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
