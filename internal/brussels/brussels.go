// Package brussels is the site's one time zone. Construct Professional works
// in Belgium: the dates staff read, the days the consent statistics count,
// the times in mails and on the consent page are Belgian time, summer and
// winter, wherever the server runs.
package brussels

import (
	"time"
	_ "time/tzdata" // the zone on hosts (and images) without zoneinfo
)

// Zone is the IANA name of Belgian time.
const Zone = "Europe/Brussels"

// location is loaded once; a *time.Location is safe to share.
var location = load()

func load() *time.Location {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		// With time/tzdata linked in, this cannot happen; a server that
		// silently wrote UTC would date every message an hour or two off.
		panic("brussels: " + err.Error())
	}
	return loc
}

// Location is Belgian time.
func Location() *time.Location { return location }

// In returns t as a Belgian clock shows it.
func In(t time.Time) time.Time { return t.In(location) }

// Day is the calendar day in Belgium at t, written as midnight UTC (as a
// PostgreSQL date is read).
func Day(t time.Time) time.Time {
	y, m, d := In(t).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
