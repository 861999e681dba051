package privacyrequest

import (
	"time"

	"conpro/internal/brussels"
)

// Deadline is the last day to answer a request confirmed at verifiedAt,
// as midnight of that day in Belgian time. The GDPR (art. 12(3)) gives one
// month from receipt, and a request counts as received once its sender
// showed the address is theirs by opening the link. A month is counted as
// Regulation 1182/71 counts it: it ends with the day of the next month
// that has the same number, or with that month's last day when it has no
// such day (confirmed on 31 January, due by the end of 28 or 29 February).
func Deadline(verifiedAt time.Time) time.Time {
	y, m, d := brussels.In(verifiedAt).Date()
	first := time.Date(y, m+1, 1, 0, 0, 0, 0, brussels.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, brussels.Location())
}

// DaysLeft counts the days, as a Belgian calendar turns them, from now to
// the deadline's day: 0 on the last day itself, negative once it has passed
// (-1 the day after).
func DaysLeft(deadline, now time.Time) int {
	day := func(t time.Time) time.Time {
		y, m, d := brussels.In(t).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int(day(deadline).Sub(day(now)).Hours() / 24)
}
