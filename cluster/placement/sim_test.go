package placement

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

// This file is a deterministic world for the core: members join, crash,
// leave, pause (SIGSTOP) and resume; heartbeats and a simulated clock
// advance; askers on different members race to create and move instances
// (their reads, decisions and writes interleaved one sub-step at a time);
// owners activate and commit. Every random choice comes from one seeded
// generator, so a seed replays exactly. The properties it checks are those
// of docs/ARCHITECTURE.md, "Placement and fencing core (cluster/placement)".

// simPolicy is the core under test. The correct one is Place, CanCommit and
// Directory.Apply; sim_broken_test.go breaks one rule at a time.
type simPolicy struct {
	name      string
	place     func(cur *Entry, key Key, asker Member, s Settings, ms *Membership, now time.Time) (Decision, error)
	canCommit func(stored Entry, member string, epoch int64) bool
	apply     func(d Directory, dec Decision) (Directory, error)
}

var correctPolicy = simPolicy{name: "correct", place: Place, canCommit: CanCommit, apply: Directory.Apply}

const (
	simLease       = 3 * time.Second
	simMaxNodes    = 8  // live or paused at once
	simMaxJoins    = 16 // members ever
	simMaxAttempts = 6  // reads per asker per request; more is a liveness failure
)

var simRegions = []string{"eu", "us"}

type nodeState int

const (
	nodeUp nodeState = iota
	nodePaused
	nodeDead
)

// simNode is one member process: its lookup cache and the activations it
// runs (instance -> epoch).
type simNode struct {
	m     Member
	state nodeState
	cache map[Key]Entry
	held  map[Key]int64
	// stale holds the activations found superseded when the node resumed
	// from a pause; committing with one of them is a violation.
	stale map[Key]int64
}

// simStats counts what happened, so the test can require that the
// interesting cases occurred at all.
type simStats struct {
	creates, moves, activations     int
	lostCreates, lostMoves          int
	cacheRetries, noMember          int
	commits, fenced                 int
	supersededOnResume, crossRegion int
	pinnedWaits, failovers          int
}

func (s *simStats) add(o simStats) {
	s.creates += o.creates
	s.moves += o.moves
	s.activations += o.activations
	s.lostCreates += o.lostCreates
	s.lostMoves += o.lostMoves
	s.cacheRetries += o.cacheRetries
	s.noMember += o.noMember
	s.commits += o.commits
	s.fenced += o.fenced
	s.supersededOnResume += o.supersededOnResume
	s.crossRegion += o.crossRegion
	s.pinnedWaits += o.pinnedWaits
	s.failovers += o.failovers
}

type simWorld struct {
	pol   simPolicy
	seed  uint64
	rng   *rand.Rand
	clock *SimClock
	ms    *Membership
	dir   Directory
	nodes []*simNode
	byID  map[string]*simNode
	joins int
	step  int
	err   error

	creations map[Key]int
	maxEpoch  map[Key]int64
	grants    map[Key]map[int64]string // epoch -> the owner it was written for
	stats     simStats
}

// runSim runs steps steps of seed against pol and returns the first
// property violation, or nil.
func runSim(pol simPolicy, seed uint64, steps int) (simStats, error) {
	ms, _ := NewMembership(simLease)
	w := &simWorld{
		pol: pol, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		clock: NewSimClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), ms: ms,
		byID: map[string]*simNode{}, creations: map[Key]int{}, maxEpoch: map[Key]int64{},
		grants: map[Key]map[int64]string{},
	}
	for i := range 4 {
		w.join(simRegions[i%2])
	}
	for w.step = 0; w.step < steps && w.err == nil; w.step++ {
		w.doStep()
		if w.err == nil {
			w.checkAll()
		}
	}
	return w.stats, w.err
}

func (w *simWorld) failf(format string, args ...any) {
	if w.err == nil {
		w.err = fmt.Errorf("policy %s, seed %d, step %d, t=%v: %s", w.pol.name, w.seed, w.step,
			w.clock.Now().Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), fmt.Sprintf(format, args...))
	}
}

func (w *simWorld) now() time.Time { return w.clock.Now() }

// pick returns a random node in state st, or nil.
func (w *simWorld) pick(st nodeState) *simNode {
	var c []*simNode
	for _, n := range w.nodes {
		if n.state == st {
			c = append(c, n)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[w.rng.IntN(len(c))]
}

func (w *simWorld) running() int {
	k := 0
	for _, n := range w.nodes {
		if n.state != nodeDead {
			k++
		}
	}
	return k
}

func (w *simWorld) join(region string) {
	w.joins++
	m := Member{ID: fmt.Sprintf("n%02d", w.joins), Region: region, Address: fmt.Sprintf("10.0.0.%d:7000", w.joins)}
	n := &simNode{m: m, cache: map[Key]Entry{}, held: map[Key]int64{}, stale: map[Key]int64{}}
	w.nodes = append(w.nodes, n)
	w.byID[m.ID] = n
	if err := w.ms.Join(m, w.now()); err != nil {
		w.failf("join: %v", err)
	}
}

func (w *simWorld) doStep() {
	switch r := w.rng.IntN(100); {
	case r < 5: // a member joins
		if w.running() < simMaxNodes && w.joins < simMaxJoins {
			w.join(simRegions[w.rng.IntN(len(simRegions))])
		}
	case r < 10: // a member crashes (or, 1 in 5, leaves gracefully)
		if n := w.pick(nodeUp); n != nil {
			n.state, n.held, n.stale = nodeDead, map[Key]int64{}, map[Key]int64{}
			if r == 9 {
				w.ms.Leave(n.m.ID)
			}
		}
	case r < 16: // SIGSTOP: no heartbeats, no work, activations kept
		if n := w.pick(nodeUp); n != nil {
			n.state = nodePaused
		}
	case r < 24: // SIGCONT
		if n := w.pick(nodePaused); n != nil {
			w.resume(n)
		}
	case r < 50: // time passes; running members heartbeat (1 in 10 missed)
		w.clock.Advance(time.Duration(w.rng.Int64N(int64(simLease / 2))))
		for _, n := range w.nodes {
			if n.state == nodeUp && w.rng.IntN(10) != 0 {
				_ = w.ms.Heartbeat(n.m.ID, w.now())
			}
		}
	case r < 80: // first or later requests for one instance, from 1-3 members at once
		w.request()
	case r < 86: // a member's failure detector re-places orphaned instances
		if n := w.pick(nodeUp); n != nil {
			for _, k := range Orphans(w.dir, w.ms, w.now()) {
				w.stats.failovers++
				e, _ := w.dir.Get(k)
				w.race(k, []*asker{{node: n, key: k, settings: e.Settings}})
			}
		}
	default: // a member commits on every activation it holds
		if n := w.pick(nodeUp); n != nil {
			w.commitAll(n)
		}
	}
}

func (w *simWorld) resume(n *simNode) {
	n.state = nodeUp
	_ = w.ms.Heartbeat(n.m.ID, w.now())
	for k, ep := range n.held {
		if e, ok := w.dir.Get(k); !ok || e.Epoch != ep {
			n.stale[k] = ep
			w.stats.supersededOnResume++
		}
	}
}

// commitAll tries one commit on each activation n holds, in key order.
func (w *simWorld) commitAll(n *simNode) {
	keys := make([]Key, 0, len(n.held))
	for k := range n.held {
		keys = append(keys, k)
	}
	sortKeys(keys)
	for _, k := range keys {
		ep := n.held[k]
		stored, _ := w.dir.Get(k)
		if !w.pol.canCommit(stored, n.m.ID, ep) {
			w.stats.fenced++
			delete(n.held, k) // the activation stops
			delete(n.stale, k)
			continue
		}
		w.stats.commits++
		if ep != w.maxEpoch[k] || w.grants[k][ep] != n.m.ID {
			w.failf("%s committed to %s at epoch %d, but epoch %d (owner %s) superseded it", n.m.ID, k, ep, w.maxEpoch[k], stored.Owner)
		}
		if s, ok := n.stale[k]; ok && s == ep {
			w.failf("%s resumed from a pause and committed to %s with its old epoch %d", n.m.ID, k, ep)
		}
	}
}

// randomSettings returns the settings header of a request: mostly none,
// sometimes a region, sometimes pinned.
func (w *simWorld) randomSettings() Settings {
	switch w.rng.IntN(8) {
	case 0, 1:
		return Settings{Region: simRegions[w.rng.IntN(len(simRegions))]}
	case 2:
		return Settings{Region: simRegions[w.rng.IntN(len(simRegions))], Pinned: true}
	case 3:
		return Settings{Pinned: true}
	}
	return Settings{}
}

func (w *simWorld) request() {
	key := Key{Project: fmt.Sprintf("p%d", w.rng.IntN(2)), Instance: fmt.Sprintf("i%d", w.rng.IntN(20))}
	settings := w.randomSettings()
	var askers []*asker
	for range 1 + w.rng.IntN(3) {
		n := w.pick(nodeUp)
		if n == nil {
			break
		}
		askers = append(askers, &asker{node: n, key: key, settings: settings})
	}
	if len(askers) > 0 {
		w.race(key, askers)
	}
}

// asker is one member's handling of a request for key, advanced one
// sub-step at a time so that several askers interleave.
type asker struct {
	node     *simNode
	key      Key
	settings Settings

	phase     int // askRead, askDecide, askApply, askRoute, askDone
	read      *Entry
	fromCache bool
	dec       Decision
	attempts  int
	served    bool
}

const (
	askRead = iota
	askDecide
	askApply
	askRoute
	askDone
)

// race runs askers to completion, interleaved at random, then checks that
// the instance is served if any member may host it.
func (w *simWorld) race(key Key, askers []*asker) {
	for w.err == nil {
		var open []*asker
		for _, a := range askers {
			if a.phase != askDone {
				open = append(open, a)
			}
		}
		if len(open) == 0 {
			break
		}
		w.advance(open[w.rng.IntN(len(open))])
	}
	if w.err != nil {
		return
	}
	e, ok := w.dir.Get(key)
	if !ok {
		for _, a := range askers {
			if a.served {
				w.failf("%s served %s, which has no entry", a.node.m.ID, key)
			}
		}
		return
	}
	if w.eligible(e.Region, e.Settings.Pinned) && !w.ms.Alive(e.Owner, w.now()) {
		w.failf("%s was asked for but stays with %q, which is dead, while a member of region %q (pinned %v) is alive", key, e.Owner, e.Region, e.Settings.Pinned)
	}
}

// eligible reports whether a member alive in the view may host an instance
// of region.
func (w *simWorld) eligible(region string, pinned bool) bool {
	for _, m := range w.ms.Live(w.now()) {
		if m.Region == region || !pinned {
			return true
		}
	}
	return false
}

func (w *simWorld) retry(a *asker) {
	a.attempts++
	a.phase = askRead
	if a.attempts >= simMaxAttempts {
		w.failf("%s asked for %s %d times without an answer", a.node.m.ID, a.key, a.attempts)
	}
}

func (w *simWorld) advance(a *asker) {
	switch a.phase {
	case askRead:
		a.read, a.fromCache = nil, false
		if c, ok := a.node.cache[a.key]; ok && a.attempts == 0 && w.rng.IntN(2) == 0 {
			a.read, a.fromCache = &c, true
		} else if e, ok := w.dir.Get(a.key); ok {
			a.read = &e
			a.node.cache[a.key] = e
		}
		a.phase = askDecide
	case askDecide:
		dec, err := w.pol.place(a.read, a.key, a.node.m, a.settings, w.ms, w.now())
		switch {
		case errors.Is(err, ErrNoMember):
			w.stats.noMember++
			region, pinned := a.settings.Region, a.settings.Pinned
			if region == "" {
				region = a.node.m.Region
			}
			if a.read != nil {
				region, pinned = a.read.Region, a.read.Settings.Pinned
			}
			if pinned {
				w.stats.pinnedWaits++
			}
			if w.eligible(region, pinned) {
				w.failf("placing %s: %v, but a member that may host it is alive", a.key, err)
			}
			a.phase = askDone
		case err != nil:
			w.failf("placing %s: %v", a.key, err)
		case dec.Action == Keep:
			a.dec, a.phase = dec, askRoute
		default:
			a.dec, a.phase = dec, askApply
		}
	case askApply:
		if !w.write(a.dec, &a.node.m, a.settings) {
			w.retry(a)
			return
		}
		a.node.cache[a.key] = a.dec.Entry
		a.phase = askRoute
	case askRoute:
		stored, ok := w.dir.Get(a.key)
		if !ok || stored.Epoch != a.dec.Entry.Epoch || stored.Owner != a.dec.Entry.Owner {
			if a.fromCache {
				w.stats.cacheRetries++
			}
			w.retry(a) // the owner says "not mine at that epoch": look up again
			return
		}
		owner := w.byID[stored.Owner]
		if owner == nil || owner.state != nodeUp {
			a.phase = askDone // the call times out; the next request or failover moves it
			return
		}
		if owner.held[a.key] != stored.Epoch {
			dec, err := Activate(stored, owner.m.ID, w.now())
			if err != nil {
				w.failf("activating: %v", err)
				return
			}
			if !w.write(dec, nil, Settings{}) {
				w.retry(a)
				return
			}
			owner.held[a.key] = dec.Entry.Epoch
			delete(owner.stale, a.key)
			owner.cache[a.key] = dec.Entry
			w.stats.activations++
		}
		a.served, a.phase = true, askDone
	}
}

// write applies dec through the policy and checks the rules every write
// must keep. asker is the member whose request caused a creation or move
// (nil for an activation). It reports whether the write applied.
func (w *simWorld) write(dec Decision, asker *Member, settings Settings) bool {
	k := dec.Entry.Key()
	before, existed := w.dir.Get(k)
	next, err := w.pol.apply(w.dir, dec)
	if err != nil {
		switch {
		case errors.Is(err, ErrExists):
			w.stats.lostCreates++
		case errors.Is(err, ErrStaleEpoch), errors.Is(err, ErrNotFound):
			w.stats.lostMoves++
		default:
			w.failf("writing %s: %v", k, err)
		}
		return false
	}
	w.dir = next
	e := dec.Entry
	if dec.Action == Create {
		w.creations[k]++
		if w.creations[k] > 1 {
			w.failf("%s created %d times", k, w.creations[k])
		}
	}
	if existed && e.Epoch <= before.Epoch {
		w.failf("%s changed from %s@%d to %s@%d: the epoch did not grow", k, before.Owner, before.Epoch, e.Owner, e.Epoch)
	}
	if e.Epoch <= w.maxEpoch[k] {
		w.failf("%s written at epoch %d, not above the highest epoch used so far (%d)", k, e.Epoch, w.maxEpoch[k])
	}
	w.maxEpoch[k] = e.Epoch
	if w.grants[k] == nil {
		w.grants[k] = map[int64]string{}
	}
	w.grants[k][e.Epoch] = e.Owner
	owner := w.byID[e.Owner].m // the sim's record: a member that left is no longer in the view
	if owner.Region != e.Region {
		w.stats.crossRegion++
	}
	switch dec.Action {
	case Create:
		w.stats.creates++
		want := settings.Region
		if want == "" {
			want = asker.Region
		}
		if e.Region != want {
			w.failf("%s created in region %q; settings %+v from %s in %q want %q", k, e.Region, settings, asker.ID, asker.Region, want)
		}
		if w.liveIn(want) && owner.Region != want {
			w.failf("%s created on %s in %q although region %q has live members", k, owner.ID, owner.Region, want)
		}
	case Move:
		if asker == nil {
			break // an activation; counted by the caller
		}
		w.stats.moves++
		if !w.ms.Alive(e.Owner, w.now()) {
			w.failf("%s moved to %s, which is not alive", k, e.Owner)
		}
	}
	return true
}

func (w *simWorld) liveIn(region string) bool {
	for _, m := range w.ms.Live(w.now()) {
		if m.Region == region {
			return true
		}
	}
	return false
}

// checkAll checks the properties that hold between steps. It visits the
// entries in map order and reports the smallest message, so the report is
// the same on every run without sorting the keys on every step.
func (w *simWorld) checkAll() {
	var bad []string
	for k, e := range w.dir.entries {
		if e.Epoch != w.maxEpoch[k] {
			bad = append(bad, fmt.Sprintf("%s is at epoch %d below the highest written, %d", k, e.Epoch, w.maxEpoch[k]))
		}
		if e.Settings.Pinned && e.Owner != "" {
			if m := w.byID[e.Owner].m; m.Region != e.Region {
				bad = append(bad, fmt.Sprintf("%s is pinned to %q but owned by %s in %q", k, e.Region, m.ID, m.Region))
			}
		}
		writers := 0
		for _, n := range w.nodes {
			if ep, ok := n.held[k]; ok && n.state != nodeDead && w.pol.canCommit(e, n.m.ID, ep) {
				writers++
			}
		}
		if writers > 1 {
			var who []string
			for _, n := range w.nodes {
				if ep, ok := n.held[k]; ok && n.state != nodeDead && w.pol.canCommit(e, n.m.ID, ep) {
					who = append(who, fmt.Sprintf("%s@%d", n.m.ID, ep))
				}
			}
			bad = append(bad, fmt.Sprintf("%s has %d activations that may commit: %v", k, writers, who))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		w.failf("%s", bad[0])
	}
}

func sortKeys(keys []Key) {
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Project != keys[j].Project {
			return keys[i].Project < keys[j].Project
		}
		return keys[i].Instance < keys[j].Instance
	})
}
