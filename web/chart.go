package web

import (
	"math"
	"strconv"

	"conpro/internal/consentstats"
)

// Colours of the consent chart, from the site's palette.
const (
	chartInk   = "#1b2430"
	chartMuted = "#55606d"
	chartGrid  = "#d8d2c8"
	chartPaper = "#ffffff"
	chartFont  = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif`
)

// partColour returns the colour of a part of a consent chart's bars (and of
// its legend key).
func partColour(p consentstats.Part) string {
	switch p {
	case consentstats.PartCustomised:
		return "#b85a16" // 4.4:1 on white
	case consentstats.PartRefused:
		return "#6b7580" // 4.7:1 on white
	default:
		return "#1d3a5f"
	}
}

// svgNumber writes a coordinate to two decimals at most; never NaN or Inf,
// which would make the SVG invalid.
func svgNumber(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
}
