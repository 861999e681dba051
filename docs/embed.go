// Package docs embeds the documents the site itself serves: the layout of
// the consent record that staff export (consent-record.md).
package docs

import _ "embed"

//go:embed consent-record.md
var consentRecord []byte

// ConsentRecord returns consent-record.md; callers must not change it.
func ConsentRecord() []byte { return consentRecord }
