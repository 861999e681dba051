package csp

import (
	"net/url"
	"reflect"
	"testing"
)

var site, _ = url.Parse("https://conpro-bouw.be")

// Both forms browsers send are read, and only what may be kept is: the
// path without its query, the directive's name, the blocked origin (or a
// keyword); never a full address.
func TestParseReports_KeepsPathDirectiveAndOriginOnly(t *testing.T) {
	cases := []struct {
		name, contentType, body string
		want                    []Violation
	}{
		{"report-uri", "application/csp-report", `{"csp-report":{"document-uri":"https://conpro-bouw.be/privacy?t=secret#x","referrer":"","violated-directive":"script-src-elem","effective-directive":"script-src-elem","original-policy":"...","blocked-uri":"https://evil.example/track.js?id=jan@example.be","status-code":200}}`,
			[]Violation{{Path: "/privacy", Directive: "script-src-elem", Blocked: "https://evil.example"}}},
		{"report-uri, old browser", "application/csp-report; charset=utf-8", `{"csp-report":{"document-uri":"https://conpro-bouw.be/","violated-directive":"connect-src 'self'","blocked-uri":"wss://Live.Example:8443/socket"}}`,
			[]Violation{{Path: "/", Directive: "connect-src", Blocked: "wss://live.example:8443"}}},
		{"report-to", "application/reports+json", `[{"type":"csp-violation","age":10,"url":"https://conpro-bouw.be/contact","user_agent":"Mozilla/5.0","body":{"documentURL":"https://conpro-bouw.be/contact","blockedURL":"inline","effectiveDirective":"script-src-elem","disposition":"enforce"}},{"type":"deprecation","body":{}}]`,
			[]Violation{{Path: "/contact", Directive: "script-src-elem", Blocked: "inline"}}},
		{"another site's page", "application/csp-report", `{"csp-report":{"document-uri":"https://other.example/","effective-directive":"img-src","blocked-uri":"https://x.example/a.png"}}`,
			nil},
		{"an odd path and directive", "application/csp-report", `{"csp-report":{"document-uri":"https://conpro-bouw.be/<script>","effective-directive":"evil-src","blocked-uri":"javascript:alert(1)"}}`,
			[]Violation{{Path: "(andere)", Directive: "(andere)", Blocked: "(andere)"}}},
		{"data", "application/reports+json", `[{"type":"csp-violation","body":{"documentURL":"https://conpro-bouw.be/privacy","blockedURL":"data:image/png;base64,AAAA","effectiveDirective":"img-src"}}]`,
			[]Violation{{Path: "/privacy", Directive: "img-src", Blocked: "data"}}},
	}
	for _, tc := range cases {
		got, err := ParseReports(tc.contentType, []byte(tc.body), site)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v %v, want %+v", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range []struct{ contentType, body string }{
		{"text/plain", `{"csp-report":{}}`},
		{"application/csp-report", `not json`},
		{"application/csp-report", `{"other":1}`},
		{"application/reports+json", `{"type":"csp-violation"}`},
		{"", ``},
	} {
		if _, err := ParseReports(bad.contentType, []byte(bad.body), site); err != ErrBadReport {
			t.Errorf("%q %q: %v, want ErrBadReport", bad.contentType, bad.body, err)
		}
	}
}

func FuzzParseReports(f *testing.F) {
	f.Add("application/csp-report", `{"csp-report":{"document-uri":"https://conpro-bouw.be/privacy","effective-directive":"img-src","blocked-uri":"https://a.example/x"}}`)
	f.Add("application/reports+json", `[{"type":"csp-violation","body":{"documentURL":"https://conpro-bouw.be/","blockedURL":"eval","effectiveDirective":"script-src"}}]`)
	f.Fuzz(func(t *testing.T, contentType, body string) {
		vs, err := ParseReports(contentType, []byte(body), site)
		if err != nil && err != ErrBadReport {
			t.Fatalf("error %v", err)
		}
		for _, v := range vs {
			if len(v.Path) > 200 || len(v.Blocked) > 270 || len(v.Directive) > 40 || !plainPath(v.Path) && v.Path != "(andere)" {
				t.Fatalf("kept %+v", v)
			}
		}
	})
}
