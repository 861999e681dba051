package web_test

import (
	"context"
	"strings"
	"testing"

	"conpro/web"
)

func renderContent(t *testing.T, markdown string) string {
	t.Helper()
	var b strings.Builder
	if err := web.Content(markdown).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestContent_RendersTheMarkdownStaffWrite(t *testing.T) {
	got := renderContent(t, "# Renovatie\n\nWij **renoveren** gevels.\n\n- dak\n- gevel\n\n| Werk | Duur |\n|---|---|\n| Dak | 2 weken |\n\nZie https://conpro-bouw.be/contact.\n")
	for _, want := range []string{
		"<h2", "Renovatie</h2>", "<strong>renoveren</strong>", "<li>dak</li>", "<table>", "<td>2 weken</td>",
		`<a href="https://conpro-bouw.be/contact">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered content lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<h1") {
		t.Errorf("a page's text must not add a second h1:\n%s", got)
	}
}

func TestContent_WritesNoHTMLAndLoadsNothingFromAnotherHost(t *testing.T) {
	got := renderContent(t, "<script>alert(1)</script>\n\nTekst met <b>vet</b> en ![Een logo](https://tracker.example/pixel.gif) en ![Gevel](/media/3-960-ab.webp).\n\n[klik](javascript:alert(1))\n")
	for _, bad := range []string{"<script", "<b>", "tracker.example", "javascript:"} {
		if strings.Contains(got, bad) {
			t.Errorf("rendered content holds %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;vet&lt;/b&gt;", "Een logo", `src="/media/3-960-ab.webp"`} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered content lacks %q:\n%s", want, got)
		}
	}
}
