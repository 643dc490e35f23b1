package placement

import (
	"testing"
)

const (
	simSeeds = 200
	simSteps = 500
)

// TestSimulation runs the correct core through simSeeds seeded histories of
// simSteps steps each and checks every property after every step (see
// sim_test.go). It also requires that each interesting case happened, so a
// change that makes the world tamer cannot pass silently.
func TestSimulation(t *testing.T) {
	var total simStats
	for seed := uint64(1); seed <= simSeeds; seed++ {
		st, err := runSim(correctPolicy, seed, simSteps)
		if err != nil {
			t.Fatalf("%v\nreplay: runSim(correctPolicy, %d, %d)", err, seed, simSteps)
		}
		total.add(st)
	}
	t.Logf("%d seeds x %d steps: %+v", simSeeds, simSteps, total)
	for name, n := range map[string]int{
		"creations":                                 total.creates,
		"creations lost to a racing asker":          total.lostCreates,
		"moves lost to a racing asker":              total.lostMoves,
		"retries after a stale cache":               total.cacheRetries,
		"commits":                                   total.commits,
		"commits fenced":                            total.fenced,
		"activations superseded in a pause":         total.supersededOnResume,
		"instances hosted outside their region":     total.crossRegion,
		"pinned instances waiting for their region": total.pinnedWaits,
		"failovers":                                 total.failovers,
	} {
		if n == 0 {
			t.Errorf("no %s in %d seeds: the simulation no longer exercises that case", name, simSeeds)
		}
	}
}

// TestSimulationIsDeterministic replays one seed twice.
func TestSimulationIsDeterministic(t *testing.T) {
	a, errA := runSim(correctPolicy, 42, simSteps)
	b, errB := runSim(correctPolicy, 42, simSteps)
	if a != b || (errA == nil) != (errB == nil) {
		t.Fatalf("seed 42 ran differently twice: %+v (%v) vs %+v (%v)", a, errA, b, errB)
	}
}
