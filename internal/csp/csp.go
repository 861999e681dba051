// Package csp builds Content-Security-Policy header values.
//
// Inline scripts are allowed by the SHA-256 of their text, never by
// 'unsafe-inline' and never by a per-request nonce: a page is then the same
// bytes for every visitor in the same language and consent state, so it can
// be rendered once and served from memory.
package csp

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
)

// Hash returns the CSP source expression that allows an inline script or
// style whose text is exactly s.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Policy is the set of sources one response allows beyond the site itself.
// The zero value allows nothing from third parties and no inline script.
type Policy struct {
	// ScriptHashes are Hash values of the inline scripts on the page.
	ScriptHashes []string
	// Hosts each directive allows besides 'self', such as
	// "https://www.googletagmanager.com".
	ScriptHosts  []string
	ConnectHosts []string
	ImgHosts     []string
	FrameHosts   []string
}

// String renders the header value. Sources are sorted and deduplicated so
// that equal policies give equal headers.
func (p Policy) String() string {
	var b strings.Builder
	directive := func(name string, base []string, extra ...[]string) {
		srcs := append([]string(nil), base...)
		var more []string
		for _, e := range extra {
			more = append(more, e...)
		}
		slices.Sort(more)
		srcs = append(srcs, slices.Compact(more)...)
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(name)
		for _, s := range srcs {
			b.WriteByte(' ')
			b.WriteString(s)
		}
	}
	directive("default-src", []string{"'none'"})
	directive("script-src", []string{"'self'"}, p.ScriptHashes, p.ScriptHosts)
	directive("style-src", []string{"'self'"})
	directive("img-src", []string{"'self'"}, p.ImgHosts)
	directive("font-src", []string{"'self'"})
	directive("connect-src", []string{"'self'"}, p.ConnectHosts)
	directive("manifest-src", []string{"'self'"})
	if len(p.FrameHosts) > 0 {
		directive("frame-src", nil, p.FrameHosts)
	}
	directive("form-action", []string{"'self'"})
	directive("frame-ancestors", []string{"'none'"})
	directive("base-uri", []string{"'none'"})
	directive("object-src", []string{"'none'"})
	// Browsers report what the policy blocked: to report-to's endpoint
	// where they support it (named by the Reporting-Endpoints header),
	// to report-uri otherwise.
	directive("report-uri", []string{ReportPath})
	directive("report-to", []string{ReportGroup})
	return b.String()
}

// ReportPath is where browsers send violation reports; ReportGroup names
// it for report-to in the Reporting-Endpoints header.
const (
	ReportPath  = "/csp-report"
	ReportGroup = "csp"
)
