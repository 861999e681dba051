package consentstats_test

import (
	"errors"
	"testing"
	"time"

	"conpro/internal/consentstats"
)

func TestDay_ShareOfADayWithoutVisitorsIsZero(t *testing.T) {
	// Counts without visitors cannot come from the store, but must not
	// divide by zero either.
	empty := consentstats.Day{Date: time.Date(2025, 1, 14, 0, 0, 0, 0, time.UTC), Accepted: 2}
	for _, n := range []int{0, 2} {
		if s := empty.Share(n); s != 0 {
			t.Errorf("Share(%d) on a day without visitors = %v, want 0", n, s)
		}
	}
}

func TestLastDays_EndsTodayInBrussels(t *testing.T) {
	// 23:30 UTC on 14 January is already the 15th in Brussels.
	from, to := consentstats.LastDays(time.Date(2025, 1, 14, 23, 30, 0, 0, time.UTC), 30)
	if got, want := from.Format(time.DateOnly)+".."+to.Format(time.DateOnly), "2024-12-17..2025-01-15"; got != want {
		t.Errorf("period %s, want %s", got, want)
	}
	if n := consentstats.DaysIn(from, to); n != 30 {
		t.Errorf("%d days, want 30", n)
	}
}

func TestCheckPeriod_RefusesBackwardsAndOverlongPeriods(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"2025-01-14", "2025-01-14", true},
		{"2025-01-14", "2025-01-13", false},
		{"2024-01-01", "2025-12-31", true}, // 731 days
		{"2024-01-01", "2026-01-01", false},
	} {
		err := consentstats.CheckPeriod(d(tc.from), d(tc.to))
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, consentstats.ErrInvalidPeriod)) {
			t.Errorf("%s..%s: %v", tc.from, tc.to, err)
		}
	}
}
