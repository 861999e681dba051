package web

import (
	"context"
	"strconv"

	"github.com/a-h/templ"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"conpro/internal/consent"
)

// embedContext is what one rendering of Content knows about embeds: the
// context to render the placeholder in (its language), the visitor's
// consent and the anchors already given.
type embedContext struct {
	ctx     context.Context
	consent EmbedConsent
	seen    map[string]int
}

var embedContextKey = parser.NewContextKey()

// EmbedView is one embed as a page shows it.
type EmbedView struct {
	Embed
	// Vendor is who runs it (for OpenStreetMap, only its name).
	Vendor consent.Vendor
	// Anchor is its id on the page (Embed.Anchor, numbered when the same
	// embed comes twice); ReturnTo is the page's path with it.
	Anchor, ReturnTo string
}

var kindEmbed = ast.NewNodeKind("Embed")

// embedNode replaces a paragraph that holds only an embed's address.
type embedNode struct {
	ast.BaseBlock
	paragraph *ast.Paragraph
	view      EmbedView
	frame     bool
	ctx       context.Context
}

func (n *embedNode) Kind() ast.NodeKind { return kindEmbed }

func (n *embedNode) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// embedOf returns the embed a paragraph stands for: one that holds only a
// link whose text is its address, to an embed of OpenStreetMap or of an
// active vendor.
func (ec *embedContext) embedOf(p *ast.Paragraph, src []byte) (*embedNode, bool) {
	if p.ChildCount() != 1 {
		return nil, false
	}
	var addr string
	switch l := p.FirstChild().(type) {
	case *ast.AutoLink:
		addr = string(l.URL(src))
	case *ast.Link:
		if l.ChildCount() != 1 || plainText(l, src) != string(l.Destination) {
			return nil, false
		}
		addr = string(l.Destination)
	default:
		return nil, false
	}
	e, ok := ParseEmbed(addr)
	if !ok {
		return nil, false
	}
	n := &embedNode{paragraph: p, ctx: ec.ctx, view: EmbedView{Embed: e}}
	if e.Vendor == OpenStreetMap {
		n.view.Vendor, n.frame = consent.Vendor{Key: OpenStreetMap, Name: "OpenStreetMap", Company: "OpenStreetMap Foundation"}, true
	} else {
		v, active := ec.consent.vendor(e.Vendor)
		if !active {
			return nil, false
		}
		n.view.Vendor, n.frame = v, ec.consent.allows(v.Key)
	}
	n.view.Anchor = e.Anchor()
	if ec.seen[n.view.Anchor]++; ec.seen[n.view.Anchor] > 1 {
		n.view.Anchor += "-" + strconv.Itoa(ec.seen[n.view.Anchor])
	}
	path := ec.consent.Path
	if path == "" {
		path = "/"
	}
	n.view.ReturnTo = path + "#" + n.view.Anchor
	return n, true
}

// embedRenderer writes embedNodes: the frame, with the source it loads
// recorded for the answer's CSP (WithFrames), or the placeholder.
type embedRenderer struct{}

func (embedRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindEmbed, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		e := n.(*embedNode)
		var c templ.Component
		if e.frame {
			framesOf(e.ctx).add(e.view.FrameHost(e.view.Vendor))
			c = embedFrame(e.view)
		} else {
			c = embedPlaceholder(e.view)
		}
		return ast.WalkSkipChildren, c.Render(e.ctx, w)
	})
}

// EmbedPlaceholderText is the placeholder of a vendor's embed as a visitor
// reads it, whatever the video or map: the text the consent log's
// "Altijd toestaan" and "Eenmalig laden" refer to.
func EmbedPlaceholderText(v consent.Vendor) templ.Component {
	return embedPlaceholder(EmbedView{Embed: Embed{Vendor: v.Key, Kind: v.Embed}, Vendor: v, Anchor: "embed", ReturnTo: "/"})
}

// embedWhat says what will load: "Een video van YouTube".
func embedWhat(ctx context.Context, e EmbedView) string {
	id := "EmbedWhatVideo"
	if e.Kind == consent.EmbedMap {
		id = "EmbedWhatMap"
	}
	return T(ctx, id, map[string]any{"Name": e.Vendor.Name})
}

// embedTitle is the frame's title, which a screen reader announces.
func embedTitle(ctx context.Context, e EmbedView) string {
	id := "EmbedFrameVideo"
	if e.Kind == consent.EmbedMap {
		id = "EmbedFrameMap"
	}
	return T(ctx, id, map[string]any{"Name": e.Vendor.Name})
}
