package csp

import (
	"slices"
	"strings"
	"testing"
)

func TestHash_IsTheQuotedBase64SHA256OfTheExactText(t *testing.T) {
	// Expected values computed independently:
	//   printf %s "$text" | openssl dgst -sha256 -binary | base64
	cases := []struct {
		text, want string
	}{
		{"x", "'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE='"},
		{"", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"},
		{"document.documentElement.className='js'", "'sha256-PtdI6/36DhPdMEgjNWV5ExIEqFovVcjUHPeOyApfBhs='"},
	}
	for _, c := range cases {
		if got := Hash(c.text); got != c.want {
			t.Errorf("Hash(%q) = %s, want %s", c.text, got, c.want)
		}
	}
}

func TestHash_ChangesWithAnyChangeOfTheText(t *testing.T) {
	if Hash("x") == Hash("x ") || Hash("x") == Hash("X") {
		t.Error("different texts give the same hash")
	}
}

// directives splits a policy into its directives, keyed by name, each with its
// sources in header order.
func directives(t *testing.T, policy string) (names []string, srcs map[string][]string) {
	t.Helper()
	srcs = map[string][]string{}
	for d := range strings.SplitSeq(policy, "; ") {
		f := strings.Fields(d)
		if len(f) == 0 {
			t.Fatalf("empty directive in %q", policy)
		}
		if _, dup := srcs[f[0]]; dup {
			t.Fatalf("directive %s twice in %q", f[0], policy)
		}
		names = append(names, f[0])
		srcs[f[0]] = f[1:]
	}
	return names, srcs
}

func TestPolicy_ZeroValueAllowsOnlyTheSiteItselfAndNoInlineScript(t *testing.T) {
	want := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; " +
		"connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
		"base-uri 'none'; object-src 'none'; report-uri /csp-report; report-to csp"
	got := Policy{}.String()
	if got != want {
		t.Fatalf("zero policy:\n got %s\nwant %s", got, want)
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "sha256-", "http", "*", "frame-src"} {
		if strings.Contains(got, bad) {
			t.Errorf("zero policy contains %q: %s", bad, got)
		}
	}
}

func TestPolicy_SourcesAreSortedAndDeduplicatedInTheirOwnDirective(t *testing.T) {
	h1, h2 := Hash("b()"), Hash("a()")
	p := Policy{
		ScriptHashes: []string{h1, h2, h1},
		ScriptHosts:  []string{"https://www.googletagmanager.com", "https://a.example", "https://www.googletagmanager.com"},
		ConnectHosts: []string{"https://z.example", "https://region1.google-analytics.com", "https://z.example"},
		ImgHosts:     []string{"https://img2.example", "https://img1.example"},
	}
	_, got := directives(t, p.String())

	wantScript := []string{"'self'", h1, h2, "https://a.example", "https://www.googletagmanager.com"}
	slices.Sort(wantScript[1:3])
	cases := map[string][]string{
		"script-src":   wantScript,
		"connect-src":  {"'self'", "https://region1.google-analytics.com", "https://z.example"},
		"img-src":      {"'self'", "https://img1.example", "https://img2.example"},
		"default-src":  {"'none'"},
		"style-src":    {"'self'"},
		"font-src":     {"'self'"},
		"manifest-src": {"'self'"},
		"form-action":  {"'self'"},
	}
	for name, want := range cases {
		if !slices.Equal(got[name], want) {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}
	if _, ok := got["frame-src"]; ok {
		t.Errorf("frame-src present without frame hosts: %q", got["frame-src"])
	}
}

func TestPolicy_EqualPoliciesGiveEqualHeadersWhateverTheOrder(t *testing.T) {
	a := Policy{ScriptHosts: []string{"https://b.example", "https://a.example"}, ImgHosts: []string{"https://c.example", "https://d.example"}}
	b := Policy{ScriptHosts: []string{"https://a.example", "https://b.example", "https://a.example"}, ImgHosts: []string{"https://d.example", "https://c.example"}}
	if a.String() != b.String() {
		t.Errorf("equal policies differ:\n%s\n%s", a.String(), b.String())
	}
}

func TestPolicy_StringLeavesTheCallersSlicesAlone(t *testing.T) {
	hosts := []string{"https://b.example", "https://a.example", "https://b.example"}
	p := Policy{ScriptHosts: hosts, FrameHosts: hosts}
	_ = p.String()
	if want := []string{"https://b.example", "https://a.example", "https://b.example"}; !slices.Equal(hosts, want) {
		t.Errorf("String changed the policy's hosts to %q", hosts)
	}
}

func TestPolicy_FrameSrcOnlyWithFrameHostsAndWithoutSelf(t *testing.T) {
	p := Policy{FrameHosts: []string{"https://www.youtube-nocookie.com", "https://maps.google.com", "https://maps.google.com"}}
	names, got := directives(t, p.String())
	if !slices.Contains(names, "frame-src") {
		t.Fatalf("no frame-src in %v", names)
	}
	want := []string{"https://maps.google.com", "https://www.youtube-nocookie.com"}
	if !slices.Equal(got["frame-src"], want) {
		t.Errorf("frame-src = %q, want %q", got["frame-src"], want)
	}
	// Frame hosts do not leak into other directives, and framing the site
	// stays forbidden.
	for name, srcs := range got {
		if name == "frame-src" {
			continue
		}
		for _, s := range srcs {
			if strings.HasPrefix(s, "https://") {
				t.Errorf("%s allows %s", name, s)
			}
		}
	}
	if !slices.Equal(got["frame-ancestors"], []string{"'none'"}) {
		t.Errorf("frame-ancestors = %q", got["frame-ancestors"])
	}
}
