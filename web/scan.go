package web

import (
	"conpro/internal/scan"
)

// ScanView is what the compliance page shows of the scans: the last one in
// full, what changed since the one before, and the earlier ones.
type ScanView struct {
	Last *scan.Report
	// Findings, New and Gone are the last scan's findings, those the one
	// before did not have, and those it had that are gone, in words.
	Findings, New, Gone []string
	Earlier             []scan.Report
}

// ScansView prepares the scans (newest first) for the page.
func ScansView(scans []scan.Report) ScanView {
	var v ScanView
	if len(scans) == 0 {
		return v
	}
	v.Last = &scans[0]
	for _, f := range v.Last.Findings {
		v.Findings = append(v.Findings, scan.Describe(f))
	}
	if len(scans) > 1 {
		prev := scans[1]
		for _, f := range scan.Fresh(&prev, *v.Last) {
			v.New = append(v.New, scan.Describe(f))
		}
		for _, f := range scan.Fresh(v.Last, prev) {
			v.Gone = append(v.Gone, scan.Describe(f))
		}
		v.Earlier = scans[1:]
	}
	return v
}
