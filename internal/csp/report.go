package csp

import (
	"encoding/json"
	"errors"
	"mime"
	"net/url"
	"strings"
	"time"
)

// Violation is what is kept of a violation report: the page's path on this
// site, the directive, and the origin (scheme and host) the browser blocked,
// or a keyword such as "inline" or "eval". Never the full address, the
// query, the visitor's address or their browser.
type Violation struct {
	Path      string
	Directive string
	Blocked   string
}

// Count is how often a kind of violation was reported on a day.
type Count struct {
	Day time.Time
	Violation
	Count int64
}

// ErrBadReport is returned for a body that is not a violation report.
var ErrBadReport = errors.New("not a CSP violation report")

// ParseReports reads a POST body in either form browsers send:
// application/csp-report (report-uri) or application/reports+json
// (report-to). Reports about pages of another site are left out.
func ParseReports(contentType string, body []byte, site *url.URL) ([]Violation, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, ErrBadReport
	}
	var raw []rawReport
	switch mt {
	case "application/csp-report", "application/json":
		var one struct {
			Report *legacyReport `json:"csp-report"`
		}
		if err := json.Unmarshal(body, &one); err != nil || one.Report == nil {
			return nil, ErrBadReport
		}
		r := one.Report
		directive := r.EffectiveDirective
		if directive == "" {
			directive = r.ViolatedDirective
		}
		raw = append(raw, rawReport{document: r.DocumentURI, directive: directive, blocked: r.BlockedURI})
	case "application/reports+json":
		var many []struct {
			Type string `json:"type"`
			Body struct {
				DocumentURL        string `json:"documentURL"`
				BlockedURL         string `json:"blockedURL"`
				EffectiveDirective string `json:"effectiveDirective"`
			} `json:"body"`
		}
		if err := json.Unmarshal(body, &many); err != nil {
			return nil, ErrBadReport
		}
		for _, m := range many {
			if m.Type == "csp-violation" {
				raw = append(raw, rawReport{document: m.Body.DocumentURL, directive: m.Body.EffectiveDirective, blocked: m.Body.BlockedURL})
			}
		}
	default:
		return nil, ErrBadReport
	}
	var out []Violation
	for _, r := range raw {
		if v, ok := r.violation(site); ok {
			out = append(out, v)
		}
	}
	return out, nil
}

type legacyReport struct {
	DocumentURI        string `json:"document-uri"`
	BlockedURI         string `json:"blocked-uri"`
	ViolatedDirective  string `json:"violated-directive"`
	EffectiveDirective string `json:"effective-directive"`
}

type rawReport struct{ document, directive, blocked string }

// violation keeps what may be kept of a report about one of our pages.
func (r rawReport) violation(site *url.URL) (Violation, bool) {
	doc, err := url.Parse(r.document)
	if err != nil || !strings.EqualFold(doc.Host, site.Host) {
		return Violation{}, false
	}
	v := Violation{Path: "(andere)", Directive: "(andere)", Blocked: "(andere)"}
	if p := doc.Path; p == "" || len(p) <= 200 && plainPath(p) {
		v.Path = cmpOr(p, "/")
	}
	// "script-src-elem 'self' …" in older reports: the name alone.
	if d, _, _ := strings.Cut(strings.TrimSpace(r.directive), " "); knownDirective(d) {
		v.Directive = d
	}
	switch b := strings.TrimSpace(r.blocked); {
	case b == "inline" || b == "eval" || b == "wasm-eval" || b == "data" || b == "blob" || b == "self" || b == "trusted-types-policy":
		v.Blocked = b
	default:
		if u, err := url.Parse(b); err == nil && (u.Scheme == "https" || u.Scheme == "http" || u.Scheme == "wss" || u.Scheme == "ws") && u.Host != "" && len(u.Host) <= 253 && plainHost(u.Host) {
			v.Blocked = u.Scheme + "://" + strings.ToLower(u.Host)
		} else if u != nil && (u.Scheme == "data" || u.Scheme == "blob") {
			v.Blocked = u.Scheme
		}
	}
	return v, true
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func plainPath(p string) bool {
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/-_.~", c)) {
			return false
		}
	}
	return true
}

func plainHost(h string) bool {
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)) {
			return false
		}
	}
	return true
}

func knownDirective(d string) bool {
	switch d {
	case "default-src", "script-src", "script-src-elem", "script-src-attr", "style-src", "style-src-elem",
		"style-src-attr", "img-src", "font-src", "connect-src", "media-src", "object-src", "frame-src",
		"child-src", "worker-src", "manifest-src", "form-action", "frame-ancestors", "base-uri", "prefetch-src":
		return true
	}
	return false
}
