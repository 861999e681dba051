package brussels_test

import (
	"testing"
	"time"

	"conpro/internal/brussels"
)

func TestIn_FollowsBelgianSummerAndWinterTime(t *testing.T) {
	for utc, want := range map[string]string{
		"2025-01-15T12:00:00Z": "13:00 CET",
		"2025-07-15T12:00:00Z": "14:00 CEST",
		// The night the clocks go forward: 02:00 becomes 03:00.
		"2025-03-30T00:59:00Z": "01:59 CET",
		"2025-03-30T01:00:00Z": "03:00 CEST",
	} {
		at, err := time.Parse(time.RFC3339, utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := brussels.In(at).Format("15:04 MST"); got != want {
			t.Errorf("%s: %s, want %s", utc, got, want)
		}
	}
	if brussels.Location().String() != brussels.Zone {
		t.Errorf("location %s", brussels.Location())
	}
}
