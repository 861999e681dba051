package company

import (
	"regexp"
	"strings"
)

// dayCodes are Dutch day abbreviations and schema.org's two-letter days.
var dayCodes = map[string]string{
	"ma": "Mo", "di": "Tu", "wo": "We", "do": "Th", "vr": "Fr", "za": "Sa", "zo": "Su",
}

// openingPart is one part of the office hours as they are usually
// written: "ma–vr 8.00–17.00", "za 9:00-12:00".
var openingPart = regexp.MustCompile(`^(ma|di|wo|do|vr|za|zo)(?:\s*[-–]\s*(ma|di|wo|do|vr|za|zo))?\.?:?\s+(\d{1,2})[.:h](\d{2})\s*[-–]\s*(\d{1,2})[.:h](\d{2})$`)

// OpeningHours writes the office hours as schema.org's openingHours
// ("Mo-Fr 08:00-17:00"), one entry per part separated by a comma or a
// semicolon. Hours written otherwise are not guessed at: false, and the
// structured data leaves them out.
func OpeningHours(hours string) ([]string, bool) {
	hours = strings.TrimSpace(strings.ToLower(hours))
	if hours == "" {
		return nil, false
	}
	var out []string
	for part := range strings.FieldsFuncSeq(hours, func(r rune) bool { return r == ',' || r == ';' }) {
		m := openingPart.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			return nil, false
		}
		days := dayCodes[m[1]]
		if m[2] != "" {
			days += "-" + dayCodes[m[2]]
		}
		from, to := clock(m[3], m[4]), clock(m[5], m[6])
		if from == "" || to == "" {
			return nil, false
		}
		out = append(out, days+" "+from+"-"+to)
	}
	return out, len(out) > 0
}

func clock(h, m string) string {
	if len(h) == 1 {
		h = "0" + h
	}
	if h > "24" || m > "59" {
		return ""
	}
	return h + ":" + m
}
