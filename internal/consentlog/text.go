package consentlog

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The archive keeps each text a visitor could consent to as the HTML the
// site rendered (table consent_text, by the digest an event names in
// banner_version). Staff and auditors read it as words: ReadShownText turns
// that HTML into blocks a person reads in order, the headings, paragraphs,
// switches with their labels and whether they were on, and the buttons. It
// reads the HTML's own meaning (elements, labels, form fields), never its
// class names, so it keeps working when the banner's markup changes; and
// nothing of the archived HTML is ever rendered as HTML again.

// BlockKind says what a block of a shown text is.
type BlockKind string

const (
	// BlockHeading is a heading.
	BlockHeading BlockKind = "heading"
	// BlockText is a paragraph, a caption, or a term with its description
	// ("Bedrijf: Google, US").
	BlockText BlockKind = "text"
	// BlockItem is an item of a list.
	BlockItem BlockKind = "item"
	// BlockSwitch is a checkbox with its label, as it was shown (on or
	// off, and whether it could be changed).
	BlockSwitch BlockKind = "switch"
	// BlockButton is something the visitor could press: a button, or the
	// summary that opens a disclosure ("Zelf kiezen").
	BlockButton BlockKind = "button"
)

// Block is one thing a person reads in a shown text.
type Block struct {
	Kind BlockKind `json:"kind"`
	// Text is the words; for a switch, the first part of its label (the
	// name of what it switches).
	Text string `json:"text"`
	// Description is the rest of a switch's label ("Meet het gebruik van
	// de website…", "Altijd aan").
	Description string `json:"description,omitempty"`
	// Depth counts the lists the block is in: a vendor's switch under its
	// category's is one deeper.
	Depth int `json:"depth,omitempty"`
	// On says whether a switch was shown switched on; Fixed, that the
	// visitor could not change it.
	On    *bool `json:"shown_on,omitempty"`
	Fixed bool  `json:"fixed,omitempty"`
	// Field and Value are what a switch posts when it is on ("vendor",
	// "google-analytics"): what it switched, for programs.
	Field string `json:"field,omitempty"`
	Value string `json:"value,omitempty"`
	// Links are the links in the block, with where they led.
	Links []Link `json:"links,omitempty"`
}

// Link is a link in a shown text.
type Link struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

// ShownText is an archived text as a person reads it.
type ShownText struct {
	Blocks []Block
}

// Offered lists the values the text's switches for a form field offered
// ("category" → analytics, advertising, …), in order, once each.
func (t ShownText) Offered(field string) []string {
	var out []string
	for _, b := range t.Blocks {
		if b.Kind == BlockSwitch && b.Field == field && b.Value != "" && !slices.Contains(out, b.Value) {
			out = append(out, b.Value)
		}
	}
	return out
}

// ReadShownText reads an archived text. An empty body has no blocks.
func ReadShownText(body string) (ShownText, error) {
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return ShownText{}, fmt.Errorf("read an archived consent text: %w", err)
	}
	r := textReader{labelled: map[string]bool{}}
	for _, n := range nodes {
		r.findSwitches(n)
	}
	for _, n := range nodes {
		r.walk(n)
	}
	r.flush()
	return ShownText{Blocks: saidOnce(r.blocks)}, nil
}

// textReader walks the archived HTML, gathering the running text of the
// block it is in until the block ends.
type textReader struct {
	blocks []Block
	// labelled holds the IDs of switches whose label names them with
	// for=…: the label is read with the switch, not where it stands.
	labelled map[string]bool
	labels   map[string]*html.Node
	text     strings.Builder
	links    []Link
	depth    int
	// inItem is set while the innermost block is a list item.
	inItem bool
}

// findSwitches notes the labels that belong to a switch elsewhere.
func (r *textReader) findSwitches(n *html.Node) {
	if n.Type == html.ElementNode {
		switch n.Data {
		case "label":
			if id := attr(n, "for"); id != "" {
				if r.labels == nil {
					r.labels = map[string]*html.Node{}
				}
				r.labels[id] = n
			}
		case "input":
			if isSwitch(n) && attr(n, "id") != "" {
				r.labelled[attr(n, "id")] = true
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.findSwitches(c)
	}
}

// blockElements end the running text before and after them.
var blockElements = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "caption": true, "dd": true,
	"details": true, "dialog": true, "div": true, "dl": true, "dt": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "form": true, "header": true, "hr": true,
	"legend": true, "li": true, "main": true, "nav": true, "ol": true, "p": true, "pre": true,
	"section": true, "table": true, "tbody": true, "td": true, "tfoot": true, "th": true,
	"thead": true, "tr": true, "ul": true,
}

// unread are elements nobody reads on the page.
var unread = map[string]bool{"script": true, "style": true, "template": true, "head": true, "title": true}

func (r *textReader) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		r.text.WriteString(n.Data)
		return
	case html.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			r.walk(c)
		}
		return
	}
	if unread[n.Data] || hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" {
		return
	}
	switch n.Data {
	case "br":
		r.text.WriteByte(' ')
	case "input":
		r.input(n)
	case "label":
		if id := attr(n, "for"); id != "" && r.labelled[id] {
			return // read with its switch
		}
		if sw := findSwitch(n); sw != nil {
			r.flush()
			r.addSwitch(sw, n)
			return
		}
		r.children(n)
	case "button", "summary":
		r.flush()
		r.children(n)
		r.emit(BlockButton)
	case "h1", "h2", "h3", "h4", "h5", "h6":
		r.flush()
		r.children(n)
		r.emit(BlockHeading)
	case "dt":
		r.flush()
		r.children(n)
		term := collapse(r.text.String())
		r.text.Reset()
		if term != "" {
			// The term heads its description: "Bedrijf: Google, US".
			r.text.WriteString(term + ": ")
		}
	case "dd":
		r.within(n, false)
	case "tr":
		r.flush()
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			r.children(c)
			if cell := collapse(r.text.String()); cell != "" {
				cells = append(cells, cell)
			}
			r.text.Reset()
		}
		r.text.WriteString(strings.Join(cells, " | "))
		r.flush()
	case "ul", "ol":
		r.flush()
		r.depth++
		r.children(n)
		r.flush()
		r.depth--
	case "li":
		r.flush()
		r.within(n, true)
	case "a":
		start := r.text.Len()
		r.children(n)
		if href := attr(n, "href"); href != "" {
			text := r.text.String()
			r.links = append(r.links, Link{Text: collapse(text[min(start, len(text)):]), Href: href})
		}
	default:
		if blockElements[n.Data] {
			r.flush()
			r.within(n, false)
			return
		}
		r.children(n)
	}
}

// within reads a block element's content, a list item or not, and ends it.
func (r *textReader) within(n *html.Node, item bool) {
	outer := r.inItem
	r.inItem = item
	r.children(n)
	r.flush()
	r.inItem = outer
}

func (r *textReader) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c)
	}
}

// input reads a form field: a switch with its label, a button; other
// fields (hidden ones included) say nothing.
func (r *textReader) input(n *html.Node) {
	switch strings.ToLower(attr(n, "type")) {
	case "checkbox", "radio":
		r.flush()
		r.addSwitch(n, r.labels[attr(n, "id")])
	case "submit", "button", "reset":
		r.flush()
		r.text.WriteString(attr(n, "value"))
		r.emit(BlockButton)
	}
}

// addSwitch adds a switch, named by its label (nil for none): the label's
// first part names it, the rest describes it.
func (r *textReader) addSwitch(input, label *html.Node) {
	on := hasAttr(input, "checked")
	b := Block{Kind: BlockSwitch, Depth: r.depth, On: &on, Fixed: hasAttr(input, "disabled"), Field: attr(input, "name"), Value: attr(input, "value")}
	if label != nil {
		parts := labelParts(label)
		if len(parts) > 0 {
			b.Text, b.Description = parts[0], strings.Join(parts[1:], " ")
		}
	}
	if b.Text == "" {
		b.Text = b.Value
	}
	r.blocks = append(r.blocks, b)
}

// flush ends the running text as a block of the kind its place makes it.
func (r *textReader) flush() {
	kind := BlockText
	if r.inItem {
		kind = BlockItem
	}
	r.emit(kind)
}

func (r *textReader) emit(kind BlockKind) {
	text := collapse(r.text.String())
	r.text.Reset()
	links := r.links
	r.links = nil
	if text == "" {
		return
	}
	r.blocks = append(r.blocks, Block{Kind: kind, Text: text, Depth: r.depth, Links: links})
}

// saidOnce drops a text that the next block repeats, such as a group's
// caption followed by the switch it names: a person reads it once.
func saidOnce(blocks []Block) []Block {
	out := blocks[:0:0]
	for i, b := range blocks {
		if b.Kind != BlockSwitch && i+1 < len(blocks) && blocks[i+1].Text == b.Text {
			continue
		}
		out = append(out, b)
	}
	return out
}

// labelParts are a label's pieces of text: each element in it, and each
// run of text between them.
func labelParts(label *html.Node) []string {
	var parts []string
	for c := label.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (unread[c.Data] || c.Data == "input" || hasAttr(c, "hidden") || attr(c, "aria-hidden") == "true") {
			continue
		}
		if p := collapse(textOf(c)); p != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

// textOf is the text in a node, without what nobody reads.
func textOf(n *html.Node) string {
	switch {
	case n.Type == html.TextNode:
		return n.Data
	case n.Type == html.ElementNode && (unread[n.Data] || hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true"):
		return ""
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
		if c.Type == html.ElementNode && (blockElements[c.Data] || c.Data == "br") {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// findSwitch returns the switch inside a label, if there is one.
func findSwitch(n *html.Node) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "input" && isSwitch(c) {
			return c
		}
		if sw := findSwitch(c); sw != nil {
			return sw
		}
	}
	return nil
}

func isSwitch(n *html.Node) bool {
	t := strings.ToLower(attr(n, "type"))
	return t == "checkbox" || t == "radio"
}

// collapse reads white space as a browser shows it: runs of it as one
// space, none at the ends.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return true
		}
	}
	return false
}
