package main

import "testing"

// The round that counts is the one with the median ratio, not the median of
// each server taken apart (which may come from different rounds).
func TestMedianRound_PicksTheRoundWithTheMedianRatio(t *testing.T) {
	rounds := []round{
		newRound(1, serverSite, wrkResult{RPS: 30000}, wrkResult{RPS: 20000}), // 1.50
		newRound(2, serverBare, wrkResult{RPS: 18000}, wrkResult{RPS: 20000}), // 0.90
		newRound(3, serverSite, wrkResult{RPS: 19000}, wrkResult{RPS: 20000}), // 0.95
		newRound(4, serverBare, wrkResult{RPS: 10000}, wrkResult{RPS: 25000}), // 0.40
		newRound(5, serverSite, wrkResult{RPS: 24000}, wrkResult{RPS: 24000}), // 1.00
	}
	if got := medianRound(rounds); got.Round != 3 {
		t.Errorf("median of five: round %d (%.2f), want round 3 (0.95)", got.Round, got.RPSRatio)
	}
	// An even count takes the lower middle one.
	if got := medianRound(rounds[:4]); got.Round != 2 {
		t.Errorf("median of four: round %d (%.2f), want round 2 (0.90)", got.Round, got.RPSRatio)
	}
	if rounds[0].RPSRatio != 1.5 || rounds[0].SiteRPS != 30000 || rounds[0].BaseRPS != 20000 {
		t.Errorf("round 1: %+v", rounds[0])
	}
}

// The load bench rewrites its own sections of results.md and keeps the
// hand-written changes and the sections other benches wrote after them;
// the Go benchmarks, which make bench appends afresh, are dropped.
func TestEarlierSections_KeepsTheChangesAndWhatOtherBenchesWrote(t *testing.T) {
	old := "# Load bench\n\n## Results\n\nold figures\n\n## What was changed\n\nby hand\n\n## Data\n\ndata figures\n\n" +
		"## Photo processing\n\n122 MB\n\n## Go benchmarks (hot paths)\n\n```text\nBenchmarkX 1 ns/op\n```\n"
	changes, others := earlierSections(old)
	if changes != "by hand\n" {
		t.Errorf("changes = %q", changes)
	}
	if want := "\n## Data\n\ndata figures\n\n## Photo processing\n\n122 MB\n"; others != want {
		t.Errorf("others = %q, want %q", others, want)
	}
	if changes, others := earlierSections(""); changes != changesPlaceholder || others != "" {
		t.Errorf("a new file: %q, %q", changes, others)
	}
	if changes, others := earlierSections("# Load bench\n\n## What was changed\n\n"); changes != changesPlaceholder || others != "" {
		t.Errorf("an empty changes section: %q, %q", changes, others)
	}
}

// The run of the median round is listed once more under the scenario's own
// key, the one the ratios read; the other rounds stay under theirs.
func TestCountMedian_ListsTheMedianRoundsRunUnderTheScenariosKey(t *testing.T) {
	site := scenario{Key: "consent", Name: "POST /consent", Server: serverSite}
	b := &bench{}
	var rounds []round
	for i, rps := range []float64{9000, 7000, 8000} {
		s := inRound(site, i, 3)
		s.Result = wrkResult{RPS: rps}
		b.res.Scenarios = append(b.res.Scenarios, s)
		rounds = append(rounds, newRound(i+1, serverSite, s.Result, wrkResult{RPS: 10000}))
	}
	if med := b.countMedian(site, rounds); med.Round != 3 {
		t.Fatalf("median round %d, want 3 (0.80)", med.Round)
	}
	got := b.res.find("consent", serverSite)
	if got.RPS != 8000 || len(b.res.Scenarios) != 4 || b.res.Scenarios[3].MedianOf != 3 {
		t.Errorf("counted %v req/s among %d scenarios (%+v), want round 3's 8000 added once", got.RPS, len(b.res.Scenarios), b.res.Scenarios[3])
	}
	if b.res.Scenarios[0].Key != "consent-round-1" {
		t.Errorf("round 1 listed as %q", b.res.Scenarios[0].Key)
	}
}
