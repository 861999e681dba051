// Package locales embeds the go-i18n message files (active.<lang>.toml).
package locales

import (
	"embed"
	"io/fs"
)

//go:embed *.toml
var files embed.FS

// FS returns the message files.
func FS() fs.FS { return files }
