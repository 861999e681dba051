package web

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"conpro/internal/policy"
)

// Version 2 written as Markdown renders with the same sections, anchors,
// links and table rows as version 2 itself: a draft started from it reads
// as the text in force.
func TestRenderPolicy_Version2sMarkdownHasItsSectionsTablesAndLinks(t *testing.T) {
	seed, err := SeedText()
	if err != nil {
		t.Fatal(err)
	}
	r := RenderPolicy(seed.Markdown, nil)
	if r.Title != seed.Rendered["nl"].Title || !slices.Equal(r.TOC, seed.Rendered["nl"].TOC) {
		t.Fatalf("title %q, toc %v\nwant %v", r.Title, r.TOC, seed.Rendered["nl"].TOC)
	}
	for _, want := range []string{
		`<section id="cookies" aria-labelledby="cookies-titel"><h2 id="cookies-titel">Cookies <a class="anchor" href="#cookies"`,
		`<a href="mailto:info@conpro-bvba.be">info@conpro-bvba.be</a>`,
		`<a href="tel:+32484532738">0484 53 27 38</a>`,
		`<th scope="row" data-label="Partij">Google</th><td data-label="Doel">E-mailverkeer</td><td data-label="Vestiging">US (Privacy Shield)</td>`,
		`<strong>Informeren:</strong>`,
		policy.DeclarationSlot + `</section>`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("body lacks %s", want)
		}
	}
	if strings.Count(r.Body, "<section") != len(seed.Rendered["nl"].TOC) || strings.Count(r.Body, "<table") != 3 {
		t.Errorf("%d sections, %d tables", strings.Count(r.Body, "<section"), strings.Count(r.Body, "<table"))
	}
}

func TestRenderPolicy_ThePartiesMarkerBecomesTheTableOfServices(t *testing.T) {
	r := RenderPolicy("# Titel\n\n## Diensten\n\n[[partijen]]\n", [][]string{{"Google", "Analytisch", "VS (EU-VS Data Privacy Framework)", "Analytics"}})
	if !strings.Contains(r.Body, `<td data-label="Vestiging">VS (EU-VS Data Privacy Framework)</td>`) || strings.Contains(r.Body, "[[partijen]]") {
		t.Fatalf("body %s", r.Body)
	}
}

// Whatever staff type, the page gets no markup of theirs: tags are shown as
// text, script addresses are no links, images load nothing.
func TestRenderPolicy_TypedHTMLScriptLinksAndImagesDoNothing(t *testing.T) {
	md := "# T\n\n<script>alert(1)</script>\n\nTekst <b onclick=\"x()\">vet</b> [klik](javascript:alert(1)) ![beeld](https://tracker.example/p.gif)\n\n<div>blok</div>\n"
	r := RenderPolicy(md, nil)
	for _, bad := range []string{"<script", "<b ", "<div>", "javascript:", "<img", "tracker.example"} {
		if strings.Contains(r.Body, bad) {
			t.Errorf("body carries %q: %s", bad, r.Body)
		}
	}
	for _, shown := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b onclick=&quot;x()&quot;&gt;vet", "beeld", "&lt;div&gt;blok&lt;/div&gt;"} {
		if !strings.Contains(r.Body, shown) {
			t.Errorf("body does not show %q: %s", shown, r.Body)
		}
	}
}

// FuzzRenderPolicy: any text renders to markup whose only elements and
// attributes are those the renderer writes, with no script and no
// address outside the site but links.
func FuzzRenderPolicy(f *testing.F) {
	seed, err := SeedText()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed.Markdown)
	f.Add("# T\n\n<script>x</script>\n\n![a](//evil/x.png) [b](javascript:x) info@conpro-bvba.be 0484 53 27 38\n")
	f.Add("# T\n\n| a | b |\n| - | - |\n| <i>c</i> | **d** |\n\n[[partijen]]\n\n[[cookietabel]]\n")
	allowed := map[string]bool{
		"div": true, "section": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "h1": true, "a": true, "p": true,
		"ul": true, "ol": true, "li": true, "strong": true, "em": true, "del": true, "code": true, "pre": true,
		"blockquote": true, "hr": true, "br": true, "table": true, "caption": true, "thead": true, "tbody": true,
		"tr": true, "th": true, "td": true,
	}
	attrs := map[string]bool{"id": true, "class": true, "href": true, "aria-labelledby": true, "aria-label": true, "scope": true, "data-label": true, "start": true, "style": false, "title": true}
	f.Fuzz(func(t *testing.T, md string) {
		r := RenderPolicy(md, [][]string{{"P", "T", "V", "D"}})
		z := html.NewTokenizer(strings.NewReader(r.Body))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			if tt == html.CommentToken && "<!--"+string(z.Text())+"-->" != policy.DeclarationSlot {
				t.Fatalf("comment %q in %s", z.Text(), r.Body)
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			name, more := z.TagName()
			if !allowed[string(name)] {
				t.Fatalf("element %s from %q", name, md)
			}
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				if !attrs[string(k)] {
					t.Fatalf("attribute %s from %q", k, md)
				}
				if string(k) == "href" {
					href := strings.ToLower(strings.TrimSpace(string(v)))
					if strings.HasPrefix(href, "javascript:") || strings.HasPrefix(href, "data:") || strings.HasPrefix(href, "vbscript:") {
						t.Fatalf("href %s from %q", v, md)
					}
				}
			}
		}
	})
}
