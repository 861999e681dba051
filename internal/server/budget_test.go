package server_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestBudget_FirstViewOfHomeWeighsAtMost30KB: HTML, CSS and JavaScript of a
// first visit to / (banner shown), as transferred gzip-compressed; our
// JavaScript at most 2 KB; one render-blocking request, the stylesheet.
func TestBudget_FirstViewOfHomeWeighsAtMost30KB(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	home := s.get(t, "/", "Accept-Encoding", "gzip")
	if home.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("home page not compressed")
	}
	plain := s.get(t, "/").Body
	total := len(home.Body)
	head := plain[:strings.Index(plain, "</head>")]

	sheets := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindAllStringSubmatch(head, -1)
	if len(sheets) != 1 {
		t.Fatalf("%d stylesheets, want 1", len(sheets))
	}
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(head, -1) {
		if !strings.Contains(tag, " defer") && !strings.Contains(tag, " async") {
			t.Errorf("render-blocking script in the head: %s", tag)
		}
	}
	css := s.get(t, sheets[0][1], "Accept-Encoding", "gzip")
	total += len(css.Body)

	js := 0
	for _, m := range regexp.MustCompile(`<script[^>]* src="(/static/[^"]+)"`).FindAllStringSubmatch(plain, -1) {
		res := s.get(t, m[1], "Accept-Encoding", "gzip")
		js += len(res.Body)
	}
	total += js
	if js == 0 {
		t.Fatal("found none of our JavaScript: the budget would be measured wrong")
	}
	if js > 2<<10 {
		t.Errorf("our JavaScript weighs %d bytes gzip, budget 2048", js)
	}
	if total > 30<<10 {
		t.Errorf("first view of / weighs %d bytes gzip, budget 30720", total)
	}
	t.Logf("first view of /: %d bytes gzip (HTML %d, CSS %d, JS %d)", total, len(home.Body), len(css.Body), js)
}
