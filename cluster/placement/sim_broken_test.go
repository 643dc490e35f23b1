package placement

import (
	"sort"
	"strings"
	"testing"
	"time"
)

// Deliberately broken variants of the core, one rule broken in each. The
// simulation must catch every one; if it stops catching one, its checks (or
// its world) have become too weak to trust when it passes.
var brokenPolicies = []struct {
	pol  simPolicy
	want string // a phrase of the violation it must produce
}{
	{simPolicy{name: "keeps a dead owner", canCommit: CanCommit, apply: Directory.Apply,
		place: func(cur *Entry, key Key, asker Member, s Settings, ms *Membership, now time.Time) (Decision, error) {
			if cur != nil {
				return Decision{Action: Keep, Entry: *cur, Expected: cur.Epoch}, nil
			}
			return Place(cur, key, asker, s, ms, now)
		}}, "which is dead"},
	{simPolicy{name: "moves without a new epoch", canCommit: CanCommit, apply: Directory.Apply,
		place: func(cur *Entry, key Key, asker Member, s Settings, ms *Membership, now time.Time) (Decision, error) {
			d, err := Place(cur, key, asker, s, ms, now)
			if d.Action == Move {
				d.Entry.Epoch = cur.Epoch
			}
			return d, err
		}}, "epoch did not grow"},
	{simPolicy{name: "ignores pinning", canCommit: CanCommit, apply: Directory.Apply,
		place: func(cur *Entry, key Key, asker Member, s Settings, ms *Membership, now time.Time) (Decision, error) {
			if cur == nil {
				return Place(cur, key, asker, s, ms, now)
			}
			unpinned := *cur
			unpinned.Settings.Pinned = false
			d, err := Place(&unpinned, key, asker, s, ms, now)
			d.Entry.Settings = cur.Settings
			return d, err
		}}, "is pinned to"},
	{simPolicy{name: "places new instances in the first region", canCommit: CanCommit, apply: Directory.Apply,
		place: func(cur *Entry, key Key, asker Member, s Settings, ms *Membership, now time.Time) (Decision, error) {
			if cur == nil && s.Region == "" {
				s.Region = simRegions[0]
			}
			d, err := Place(cur, key, asker, s, ms, now)
			if cur == nil {
				d.Entry.Settings.Region = "" // hide the change from the record
			}
			return d, err
		}}, "created in region"},
	{simPolicy{name: "commit skips the epoch check", place: Place, apply: Directory.Apply,
		canCommit: func(stored Entry, member string, epoch int64) bool { return stored.Owner == member }},
		"superseded it"},
	{simPolicy{name: "commit trusts the activation", place: Place, apply: Directory.Apply,
		canCommit: func(stored Entry, member string, epoch int64) bool { return true }},
		"may commit"},
	{simPolicy{name: "creation overwrites (upsert)", place: Place, canCommit: CanCommit,
		apply: func(d Directory, dec Decision) (Directory, error) {
			if dec.Action == Create {
				if cur, ok := d.Get(dec.Entry.Key()); ok {
					dec = Decision{Action: Move, Entry: dec.Entry, Expected: cur.Epoch}
				}
			}
			return d.Apply(dec)
		}}, "created 2 times"},
}

// TestSimulationCatchesBrokenCores requires each broken variant to fail
// within the seeds TestSimulation runs, with the violation its broken rule
// leads to.
func TestSimulationCatchesBrokenCores(t *testing.T) {
	for _, b := range brokenPolicies {
		t.Run(b.pol.name, func(t *testing.T) {
			seen := map[string]int{}
			for seed := uint64(1); seed <= simSeeds; seed++ {
				_, err := runSim(b.pol, seed, simSteps)
				if err == nil {
					continue
				}
				if strings.Contains(err.Error(), b.want) {
					t.Logf("caught at the first failing seed: %v", err)
					return
				}
				seen[err.Error()]++
			}
			var other []string
			for e := range seen {
				other = append(other, e)
			}
			sort.Strings(other)
			t.Errorf("no seed of %d produced a violation containing %q; other violations: %d %v", simSeeds, b.want, len(other), other[:min(3, len(other))])
		})
	}
}
