package privacyrequest_test

import (
	"testing"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/privacyrequest"
)

func TestDeadline_IsOneMonthLaterInBelgianTimeOrTheMonthsLastDay(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, brussels.Location())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct{ verified, due string }{
		{"2026-03-12 10:00", "2026-04-12"},
		// The month after has no 31st, 30th or 29th: its last day.
		{"2026-01-31 09:00", "2026-02-28"},
		{"2028-01-30 09:00", "2028-02-29"},
		{"2026-03-31 09:00", "2026-04-30"},
		{"2026-12-15 09:00", "2027-01-15"},
		// Just after midnight in Brussels is still the day before in UTC:
		// the Belgian day counts.
		{"2026-05-01 00:30", "2026-06-01"},
		{"2026-04-30 23:30", "2026-05-30"},
	}
	for _, c := range cases {
		d := privacyrequest.Deadline(at(c.verified).UTC())
		if got := d.Format("2006-01-02"); got != c.due || d.Location() != brussels.Location() || d.Hour() != 0 {
			t.Errorf("confirmed %s: due %s (%s), want %s", c.verified, got, d, c.due)
		}
	}
}

func TestDaysLeft_CountsBelgianCalendarDaysToTheDeadline(t *testing.T) {
	deadline := privacyrequest.Deadline(time.Date(2026, time.March, 12, 9, 0, 0, 0, brussels.Location()))
	cases := []struct {
		now  time.Time
		want int
	}{
		{time.Date(2026, time.March, 12, 9, 0, 0, 0, brussels.Location()), 31},
		{time.Date(2026, time.April, 11, 23, 59, 0, 0, brussels.Location()), 1},
		{time.Date(2026, time.April, 12, 0, 0, 0, 0, brussels.Location()), 0},
		{time.Date(2026, time.April, 12, 23, 59, 0, 0, brussels.Location()), 0},
		// 00:30 on 13 April in Brussels is 22:30 UTC on the 12th: late.
		{time.Date(2026, time.April, 12, 22, 30, 0, 0, time.UTC), -1},
		{time.Date(2026, time.April, 20, 12, 0, 0, 0, brussels.Location()), -8},
	}
	for _, c := range cases {
		if got := privacyrequest.DaysLeft(deadline, c.now); got != c.want {
			t.Errorf("at %s: %d days left, want %d", c.now, got, c.want)
		}
	}
}
