package persistence

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/edge-platform/edge/kv"
)

// This file is the part of a KV commit that both backends share: how one
// group of atomic operations is evaluated inside one database transaction.
// The backends (SQLite, Postgres) only say how to read and write rows.
//
// A group gets one commit sequence number, taken by bumping a counter row
// at the start of its transaction; operation i of the group commits with
// versionstamp seq‖i. The counter row is the first thing a group locks, so
// groups (from this process or, with Postgres, from any process) run one at
// a time in counter order, and versionstamps are in commit order.
//
// # Why a group reads once and writes once
//
// A group costs a fixed number of database calls, whatever its size: on
// Postgres each call is a network round trip, and one committer goroutine
// makes them one after another, so a cost per operation would cap the
// commit rate. The group therefore:
//
//  1. reads, with its sequence number, everything any of its operations
//     needs: the epoch of each fenced scope (locking its activation row,
//     so that no Activate can commit until the group ends) and the live
//     rows of the keys its checks and sum/min/max read;
//  2. evaluates every operation in order, in memory (evalGroup), against
//     those rows overlaid with the writes of the operations before it:
//     the epoch check (ErrFenced), the checks (ok=false), then the
//     mutations (a *kv.MutationError fails the operation with nothing
//     written);
//  3. writes every successful operation, each inside its own savepoint,
//     and commits.
//
// Reading everything up front is sound because nothing else writes these
// rows meanwhile: every writer (commit groups of any process, the expiry
// sweeper) first locks the counter row, which this group holds.
//
// If the database refuses one operation's write (say, Postgres's btree
// limit on a huge key), only that operation fails: the backend rolls back
// to its savepoint, keeping the operations before it, and the group
// evaluates the operations after it again without the refused one's
// writes, and writes those. Each retry drops one more operation, so a
// group makes at most one write call per operation it has.

// commitReq is one atomic operation waiting to be committed.
type commitReq struct {
	scope  kv.Scope
	checks []kv.Check
	muts   []kv.Mutation
}

// commitRes is its outcome, as kv.Store.Commit returns it.
type commitRes struct {
	vs  kv.Versionstamp
	ok  bool
	err error
}

// row is a live (unexpired) stored entry.
type row struct {
	value kv.Value
	vs    kv.Versionstamp
}

// kvWrite is one row to write: value nil deletes the key. expiresAt is in
// Unix milliseconds, 0 for never.
type kvWrite struct {
	key       []byte
	value     *kv.Value
	expiresAt int64
}

// scopeRead is what a group reads of one scope: its epoch if fenced, and
// the live rows of keys.
type scopeRead struct {
	scope  scopeID
	fenced bool
	keys   [][]byte
}

// scopeState is what a backend found for a scopeRead: the scope's epoch
// (activated=false if it was never activated; both zero when not fenced)
// and its live rows among the keys, by string(key).
type scopeState struct {
	epoch     int64
	activated bool
	rows      map[string]row
}

// opWrite is what one successful operation writes: ws, all with
// versionstamp vs, or none of them.
type opWrite struct {
	scope kv.Scope
	vs    kv.Versionstamp
	ws    []kvWrite
}

// beginFunc opens a group's transaction: it bumps the commit sequence and
// returns it, then reads reads (live rows as of nowMs), returning one
// scopeState per scopeRead, in order. On error nothing is left open.
type beginFunc func(ctx context.Context, reads []scopeRead, nowMs int64) (groupTx, uint64, []scopeState, error)

// groupTx is an open transaction of one group, as a backend provides it.
type groupTx interface {
	// commit writes ops in order, each inside its own savepoint, then
	// commits the transaction; changed are the scopes the whole group
	// wrote (for other processes' watchers). If the database refuses a
	// write of one operation, commit rolls back to that operation's
	// savepoint and returns an *opFailed naming it: the operations before
	// it stay written and the transaction stays open for another commit
	// call. Any other error ends the transaction (it wraps kv.ErrAmbiguous
	// if the COMMIT may have applied).
	commit(ctx context.Context, ops []opWrite, changed []kv.Scope) error
	// close ends the transaction, rolling it back if it is still open.
	close()
}

// opFailed is a write of one operation (ops[op] of a commit call) that
// failed and was rolled back to its savepoint: the operation fails, its
// group goes on.
type opFailed struct {
	op  int
	err error
}

func (e *opFailed) Error() string { return e.err.Error() }
func (e *opFailed) Unwrap() error { return e.err }

// groupTimeout bounds one group's transaction: a database that stops
// answering fails the group (its callers get an error, or ErrAmbiguous if
// the COMMIT was sent) instead of blocking every later commit forever.
const groupTimeout = 30 * time.Second

// runGroup commits reqs in one transaction begun by begin. A failure of
// the transaction itself is every request's error. Once the transaction
// has ended, obs's observer (if any) is told about the group.
func runGroup(begin beginFunc, notify func([]kv.Scope), obs *commitObserver, reqs []commitReq) []commitRes {
	var groupErr error // the transaction's failure, every request's error
	if o := obs.get(); o != nil {
		start := time.Now()
		// Deferred before tx.close, so it runs after the transaction ends.
		defer func() { o.GroupCommitted(len(reqs), mutationsOf(reqs), time.Since(start), groupErr) }()
	}
	failAll := func(err error) []commitRes {
		groupErr = err
		res := make([]commitRes, len(reqs))
		for i := range res {
			res[i] = commitRes{err: err}
		}
		return res
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	nowMs := time.Now().UnixMilli()
	reads, at := groupReads(reqs)
	tx, seq, states, err := begin(ctx, reads, nowMs)
	if err != nil {
		return failAll(err)
	}
	defer tx.close()
	refused := map[int]error{} // operations whose write the database refused
	written := 0               // operations before this one are written
	for {
		res, ops, changed := evalGroup(reqs, at, states, refused, seq, nowMs)
		var pending []opWrite
		var index []int // index[j]: the operation pending[j] is
		for i := written; i < len(reqs); i++ {
			if ops[i] != nil {
				pending = append(pending, *ops[i])
				index = append(index, i)
			}
		}
		err := tx.commit(ctx, pending, changed)
		if err == nil {
			notify(changed)
			return res
		}
		var f *opFailed
		if !errors.As(err, &f) || f.op < 0 || f.op >= len(pending) {
			return failAll(err)
		}
		i := index[f.op]
		refused[i] = fmt.Errorf("writing %s: %w", reqs[i].scope, f.err)
		written = i + 1
	}
}

// groupReads lists what reqs read, one scopeRead per scope in order of
// first use; at[i] is the index of reqs[i]'s scope in it.
func groupReads(reqs []commitReq) (reads []scopeRead, at []int) {
	at = make([]int, len(reqs))
	byScope := map[scopeID]int{}
	type scopeKey struct {
		scope int
		key   string
	}
	want := map[scopeKey]bool{}
	for i, r := range reqs {
		id := idOf(r.scope)
		n, ok := byScope[id]
		if !ok {
			n = len(reads)
			byScope[id] = n
			reads = append(reads, scopeRead{scope: id})
		}
		at[i] = n
		sr := &reads[n]
		sr.fenced = sr.fenced || r.scope.Epoch != 0
		add := func(k []byte) {
			if sk := (scopeKey{n, string(k)}); !want[sk] {
				want[sk] = true
				sr.keys = append(sr.keys, k)
			}
		}
		for _, c := range r.checks {
			add(c.Key)
		}
		for _, m := range r.muts {
			if m.Op != kv.OpSet && m.Op != kv.OpDelete {
				add(m.Key) // sum, min, max read the current value
			}
		}
	}
	return reads, at
}

// evalGroup evaluates reqs in order against the rows read (states, at as
// groupReads returned them) and the writes of the operations before each:
// it returns each operation's result, what each successful operation
// writes (nil for the others), and the scopes they change. The operations
// in refused fail with their error and write nothing. It does no I/O, so
// evaluating again with one more refused operation gives the same
// outcome for the operations before it.
func evalGroup(reqs []commitReq, at []int, states []scopeState, refused map[int]error, seq uint64, nowMs int64) ([]commitRes, []*opWrite, []kv.Scope) {
	res := make([]commitRes, len(reqs))
	ops := make([]*opWrite, len(reqs))
	var changed []kv.Scope
	seen := map[scopeID]bool{}
	// overlay holds, per scope, the keys written by earlier operations of
	// the group: nil when deleted, or written already expired.
	overlay := make([]map[string]*row, len(states))
	for i, r := range reqs {
		if err, ok := refused[i]; ok {
			res[i] = commitRes{err: err}
			continue
		}
		var vs kv.Versionstamp
		binary.BigEndian.PutUint64(vs[:8], seq)
		binary.BigEndian.PutUint16(vs[8:], uint16(i))
		n := at[i]
		lookup := func(k []byte) (row, bool) {
			if w, ok := overlay[n][string(k)]; ok {
				if w == nil {
					return row{}, false
				}
				return *w, true
			}
			cur, ok := states[n].rows[string(k)]
			return cur, ok
		}
		out, ws := evalOp(r, states[n], lookup, vs)
		res[i] = out
		if !out.ok || len(r.muts) == 0 {
			continue
		}
		ops[i] = &opWrite{scope: r.scope, vs: vs, ws: ws}
		if overlay[n] == nil {
			overlay[n] = map[string]*row{}
		}
		for _, w := range ws {
			if w.value == nil || w.expiresAt != 0 && w.expiresAt <= nowMs {
				overlay[n][string(w.key)] = nil // as the database would read it
				continue
			}
			overlay[n][string(w.key)] = &row{value: *w.value, vs: vs}
		}
		if id := idOf(r.scope); !seen[id] {
			seen[id] = true
			changed = append(changed, r.scope)
		}
	}
	return res, ops, changed
}

// evalOp evaluates one atomic operation with versionstamp vs: st is its
// scope's epoch, lookup its current live rows. On success it returns the
// rows to write.
func evalOp(r commitReq, st scopeState, lookup func(key []byte) (row, bool), vs kv.Versionstamp) (commitRes, []kvWrite) {
	if r.scope.Epoch != 0 && (!st.activated || st.epoch != r.scope.Epoch) {
		return commitRes{err: fmt.Errorf("%s epoch %d (current %d): %w", r.scope, r.scope.Epoch, st.epoch, kv.ErrFenced)}, nil
	}
	for _, c := range r.checks {
		cur, exists := lookup(c.Key)
		if c.Versionstamp == nil && exists || c.Versionstamp != nil && (!exists || cur.vs != *c.Versionstamp) {
			return commitRes{}, nil
		}
	}
	// Compute every write before writing any, so that a mutation that cannot
	// apply fails the operation with nothing written.
	current := make(map[string]*kv.Value, len(r.muts))
	ws := make([]kvWrite, 0, len(r.muts))
	for _, m := range r.muts {
		v, seen := current[string(m.Key)]
		if !seen {
			if cur, ok := lookup(m.Key); ok {
				v = &cur.value
			}
		}
		v, err := kv.Apply(v, m)
		if err != nil {
			return commitRes{err: err}, nil
		}
		w := kvWrite{key: m.Key, value: v}
		if m.Op == kv.OpSet && !m.ExpireAt.IsZero() {
			w.expiresAt = m.ExpireAt.UnixMilli()
		}
		current[string(m.Key)] = w.value
		ws = append(ws, w)
	}
	return commitRes{vs: vs, ok: true}, ws
}

func nowMs() int64 { return time.Now().UnixMilli() }
