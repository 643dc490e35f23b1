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
// Each operation runs, in order: the epoch check (ErrFenced), the checks
// (ok=false), then its mutations, computed in memory first (a
// *kv.MutationError stops the operation before anything is written) and
// written inside a savepoint, so that a failed operation never takes the
// rest of its group down with it.

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

// groupTx is an open transaction of one group, as a backend provides it.
type groupTx interface {
	// read returns, when fenced, the scope's instance's current epoch
	// (activated=false if it was never activated), locking its activation
	// row so that no Activate can commit until this transaction ends; and
	// the live entries among keys, by string(key).
	read(ctx context.Context, s kv.Scope, fenced bool, keys [][]byte, nowMs int64) (epoch int64, activated bool, rows map[string]row, err error)
	// write writes all of ws with versionstamp vs, or none of them. An error
	// wrapped in *opFailed means nothing was written and the transaction is
	// still usable; any other error ends the group.
	write(ctx context.Context, s kv.Scope, vs kv.Versionstamp, ws []kvWrite) error
	// commit commits the transaction; changed are the scopes it wrote.
	commit(ctx context.Context, changed []kv.Scope) error
	rollback()
}

// opFailed is a write of one operation that failed and was rolled back to
// its savepoint: the operation fails, its group goes on.
type opFailed struct{ err error }

func (e *opFailed) Error() string { return e.err.Error() }
func (e *opFailed) Unwrap() error { return e.err }

// groupTimeout bounds one group's transaction: a database that stops
// answering fails the group (its callers get an error, or ErrAmbiguous if
// the COMMIT was sent) instead of blocking every later commit forever.
const groupTimeout = 30 * time.Second

// runGroup commits reqs in one transaction begun by begin, which also
// bumps the commit sequence and returns it. A failure of the transaction
// itself is every request's error.
func runGroup(begin func(ctx context.Context) (groupTx, uint64, error), notify func([]kv.Scope), reqs []commitReq) []commitRes {
	res := make([]commitRes, len(reqs))
	failAll := func(err error) []commitRes {
		for i := range res {
			res[i] = commitRes{err: err}
		}
		return res
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	tx, seq, err := begin(ctx)
	if err != nil {
		return failAll(err)
	}
	nowMs := time.Now().UnixMilli()
	var changed []kv.Scope
	seen := map[scopeID]bool{}
	for i, r := range reqs {
		var vs kv.Versionstamp
		binary.BigEndian.PutUint64(vs[:8], seq)
		binary.BigEndian.PutUint16(vs[8:], uint16(i))
		out, err := evalOp(ctx, tx, r, vs, nowMs)
		if err != nil {
			tx.rollback()
			return failAll(err)
		}
		res[i] = out
		if out.ok && len(r.muts) > 0 {
			if id := idOf(r.scope); !seen[id] {
				seen[id] = true
				changed = append(changed, r.scope)
			}
		}
	}
	if err := tx.commit(ctx, changed); err != nil {
		return failAll(err)
	}
	notify(changed)
	return res
}

// evalOp evaluates one atomic operation. The error is fatal to the group;
// the operation's own failures are in the result.
func evalOp(ctx context.Context, tx groupTx, r commitReq, vs kv.Versionstamp, nowMs int64) (commitRes, error) {
	keys := make([][]byte, 0, len(r.checks)+len(r.muts))
	want := map[string]bool{}
	add := func(k []byte) {
		if !want[string(k)] {
			want[string(k)] = true
			keys = append(keys, k)
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
	fenced := r.scope.Epoch != 0
	epoch, activated, rows, err := tx.read(ctx, r.scope, fenced, keys, nowMs)
	if err != nil {
		return commitRes{}, err
	}
	if fenced && (!activated || epoch != r.scope.Epoch) {
		return commitRes{err: fmt.Errorf("%s epoch %d (current %d): %w", r.scope, r.scope.Epoch, epoch, kv.ErrFenced)}, nil
	}
	for _, c := range r.checks {
		cur, exists := rows[string(c.Key)]
		if c.Versionstamp == nil && exists || c.Versionstamp != nil && (!exists || cur.vs != *c.Versionstamp) {
			return commitRes{}, nil
		}
	}
	// Compute every write before writing any, so that a mutation that cannot
	// apply fails the operation with nothing written.
	current := make(map[string]*kv.Value, len(rows))
	for k, row := range rows {
		v := row.value
		current[k] = &v
	}
	ws := make([]kvWrite, 0, len(r.muts))
	for _, m := range r.muts {
		v, err := kv.Apply(current[string(m.Key)], m)
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
	if len(ws) > 0 {
		if err := tx.write(ctx, r.scope, vs, ws); err != nil {
			var f *opFailed
			if errors.As(err, &f) {
				return commitRes{err: fmt.Errorf("writing %s: %w", r.scope, f.err)}, nil
			}
			return commitRes{}, err
		}
	}
	return commitRes{vs: vs, ok: true}, nil
}

func nowMs() int64 { return time.Now().UnixMilli() }
