package web

import (
	"context"
	"strings"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/locale"
)

// dateOnly writes a day for staff, in Belgian time.
func dateOnly(ctx context.Context, t time.Time) string {
	t = brussels.In(t)
	if locale.LangOf(ctx) == locale.NL {
		return DutchDate(t)
	}
	return t.Format("2006-01-02")
}

// staffFieldOrder is the order of the fields of the staff forms, for the
// focus on the first one in error.
var staffFieldOrder = []string{"email", "wachtwoord", "herhaal"}

func firstStaffError(errs map[string]string) string {
	for _, f := range staffFieldOrder {
		if errs[f] != "" {
			return f
		}
	}
	return ""
}

// staffDescribedBy links a staff form's input to its hint and its error.
func staffDescribedBy(errs map[string]string, name, hintID string) string {
	var ids []string
	if hintID != "" {
		ids = append(ids, name+"-hint")
	}
	if errs[name] != "" {
		ids = append(ids, name+"-fout")
	}
	return strings.Join(ids, " ")
}
