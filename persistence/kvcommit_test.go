package persistence

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
)

// These tests put several operations in one group by calling runGroup
// directly with the store's own beginFunc (the store's committer is idle:
// nothing else commits meanwhile), so that the order and grouping are
// certain rather than left to timing.

// beginOf is the beginFunc of a store opened by openStore.
func beginOf(t *testing.T, s store) beginFunc {
	t.Helper()
	switch s := s.(type) {
	case *SQLite:
		return s.beginGroup
	case *Postgres:
		return s.beginGroup
	}
	t.Fatalf("no group commit for %T", s)
	return nil
}

// nextSeq is the commit sequence number the next group of s will get: one
// more than a commit made now. Nothing else commits in these tests.
func nextSeq(t *testing.T, s store) uint64 {
	t.Helper()
	vs, ok, err := s.Commit(context.Background(), kv.Scope{Project: "seq"}, nil, []kv.Mutation{{Key: mustKey(kv.Key{"x"}), Op: kv.OpDelete}})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	return binary.BigEndian.Uint64(vs[:8]) + 1
}

// activeScope activates instance of project in s and returns its scope
// under the new epoch.
func activeScope(t *testing.T, s store, project, instance string) kv.Scope {
	t.Helper()
	e, err := s.Activate(context.Background(), project, instance, "test")
	if err != nil {
		t.Fatal(err)
	}
	return kv.Scope{Project: project, Instance: instance, Epoch: e}
}

// vsOf is the versionstamp of operation i of the group with sequence seq.
func vsOf(seq uint64, i int) kv.Versionstamp {
	var vs kv.Versionstamp
	binary.BigEndian.PutUint64(vs[:8], seq)
	binary.BigEndian.PutUint16(vs[8:], uint16(i))
	return vs
}

func sum(k []byte, n uint64) kv.Mutation { return kv.Mutation{Key: k, Op: kv.OpSum, Value: *kv.U64(n)} }

func set(k []byte, v string) kv.Mutation {
	return kv.Mutation{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte(v)}}
}

// An operation sees the writes of the operations before it in its group,
// and only those that succeeded, as if each had committed alone.
func TestGroupOpsSeeEarlierOps(t *testing.T) {
	k := mustKey(kv.Key{"k"})
	other := mustKey(kv.Key{"other"})
	type want struct {
		ok     bool
		err    error // matched with errors.Is
		mutErr bool  // a *kv.MutationError
	}
	cases := []struct {
		name string
		// reqs builds the group's operations for scope sc (activated with
		// epoch sc.Epoch); vs(i) is operation i's versionstamp.
		reqs func(sc kv.Scope, vs func(int) kv.Versionstamp) []commitReq
		want []want
		// then is k's value (JSON, or a U64 as its decimal) and the index
		// of the operation that wrote it; "" for absent.
		value string
		by    int
	}{
		{
			name: "sum then sum",
			reqs: func(sc kv.Scope, vs func(int) kv.Versionstamp) []commitReq {
				return []commitReq{{scope: sc, muts: []kv.Mutation{sum(k, 1)}}, {scope: sc, muts: []kv.Mutation{sum(k, 2)}}}
			},
			want:  []want{{ok: true}, {ok: true}},
			value: "3", by: 1,
		},
		{
			name: "set then check with its versionstamp",
			reqs: func(sc kv.Scope, vs func(int) kv.Versionstamp) []commitReq {
				v0 := vs(0)
				return []commitReq{
					{scope: sc, muts: []kv.Mutation{set(k, `"a"`)}},
					{scope: sc, checks: []kv.Check{{Key: k, Versionstamp: &v0}}, muts: []kv.Mutation{set(k, `"b"`)}},
				}
			},
			want:  []want{{ok: true}, {ok: true}},
			value: `"b"`, by: 1,
		},
		{
			name: "set then check absent fails",
			reqs: func(sc kv.Scope, vs func(int) kv.Versionstamp) []commitReq {
				return []commitReq{
					{scope: sc, muts: []kv.Mutation{set(k, `"a"`)}},
					{scope: sc, checks: []kv.Check{{Key: k}}, muts: []kv.Mutation{set(k, `"b"`)}},
				}
			},
			want:  []want{{ok: true}, {ok: false}},
			value: `"a"`, by: 0,
		},
		{
			name: "delete then check absent",
			reqs: func(sc kv.Scope, vs func(int) kv.Versionstamp) []commitReq {
				return []commitReq{
					{scope: sc, muts: []kv.Mutation{set(k, `"a"`)}},
					{scope: sc, muts: []kv.Mutation{{Key: k, Op: kv.OpDelete}}},
					{scope: sc, checks: []kv.Check{{Key: k}}, muts: []kv.Mutation{sum(k, 5)}},
				}
			},
			want:  []want{{ok: true}, {ok: true}, {ok: true}},
			value: "5", by: 2,
		},
		{
			name: "set already expired reads as absent",
			reqs: func(sc kv.Scope, vs func(int) kv.Versionstamp) []commitReq {
				expired := set(k, `"gone"`)
				expired.ExpireAt = time.Now().Add(-time.Second)
				return []commitReq{
					{scope: sc, muts: []kv.Mutation{expired}},
					{scope: sc, checks: []kv.Check{{Key: k}}, muts: []kv.Mutation{sum(k, 7)}},
				}
			},
			want:  []want{{ok: true}, {ok: true}},
			value: "7", by: 1,
		},
		{
			name: "failed check leaves no trace",
			reqs: func(sc kv.Scope, vs func(int) kv.Versionstamp) []commitReq {
				wrong := vs(5)
				return []commitReq{
					{scope: sc, checks: []kv.Check{{Key: other, Versionstamp: &wrong}}, muts: []kv.Mutation{set(k, `"a"`)}},
					{scope: sc, checks: []kv.Check{{Key: k}}, muts: []kv.Mutation{sum(k, 1)}},
				}
			},
			want:  []want{{ok: false}, {ok: true}},
			value: "1", by: 1,
		},
		{
			name: "mutation error leaves no trace",
			reqs: func(sc kv.Scope, vs func(int) kv.Versionstamp) []commitReq {
				v0 := vs(0)
				return []commitReq{
					{scope: sc, muts: []kv.Mutation{set(k, `"text"`)}},
					{scope: sc, muts: []kv.Mutation{set(other, `1`), sum(k, 1)}},
					{scope: sc, checks: []kv.Check{{Key: k, Versionstamp: &v0}, {Key: other}}},
				}
			},
			want:  []want{{ok: true}, {mutErr: true}, {ok: true}},
			value: `"text"`, by: 0,
		},
		{
			name: "fenced op leaves no trace",
			reqs: func(sc kv.Scope, vs func(int) kv.Versionstamp) []commitReq {
				stale := sc
				stale.Epoch--
				return []commitReq{
					{scope: stale, muts: []kv.Mutation{set(k, `"stale"`)}},
					{scope: sc, checks: []kv.Check{{Key: k}}, muts: []kv.Mutation{sum(k, 9)}},
				}
			},
			want:  []want{{err: kv.ErrFenced}, {ok: true}},
			value: "9", by: 1,
		},
	}
	eachBackend(t, func(t *testing.T, kind, dsn string) {
		s := mustOpen(t, kind, dsn)
		begin := beginOf(t, s)
		ctx := context.Background()
		for n, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				sc := kv.Scope{Project: "p", Instance: fmt.Sprint("case", n)}
				// Epoch 2, so that epoch 1 is a stale one.
				for range 2 {
					e, err := s.Activate(ctx, sc.Project, sc.Instance, "test")
					if err != nil {
						t.Fatal(err)
					}
					sc.Epoch = e
				}
				seq := nextSeq(t, s)
				vs := func(i int) kv.Versionstamp { return vsOf(seq, i) }
				res := runGroup(begin, func([]kv.Scope) {}, nil, c.reqs(sc, vs))
				for i, w := range c.want {
					r := res[i]
					switch {
					case w.mutErr:
						var me *kv.MutationError
						if !errors.As(r.err, &me) {
							t.Errorf("op %d: %+v, want a *kv.MutationError", i, r)
						}
					case w.err != nil:
						if !errors.Is(r.err, w.err) {
							t.Errorf("op %d: %+v, want %v", i, r, w.err)
						}
					case r.err != nil || r.ok != w.ok || w.ok && r.vs != vs(i):
						t.Errorf("op %d: %+v, want ok=%v with versionstamp %s", i, r, w.ok, vs(i))
					}
				}
				es, err := s.Get(ctx, sc, [][]byte{k})
				if err != nil {
					t.Fatal(err)
				}
				if c.value == "" {
					if es[0] != nil {
						t.Fatalf("k is %+v, want absent", es[0])
					}
					return
				}
				if es[0] == nil {
					t.Fatalf("k is absent, want %s", c.value)
				}
				got := string(es[0].Value.Data)
				if n, ok := kv.AsU64(es[0].Value); ok {
					got = fmt.Sprint(n)
				}
				if got != c.value || es[0].Versionstamp != vs(c.by) {
					t.Fatalf("k is %s at %s, want %s at %s (op %d)", got, es[0].Versionstamp, c.value, vs(c.by), c.by)
				}
			})
		}
	})
}

// refusedKey returns a key whose write the database of s refuses: on
// Postgres, 4,000 incompressible bytes exceed the btree limit of the
// primary key's index (about 2,700 bytes); SQLite has no such limit, so a
// trigger refuses keys that long.
func refusedKey(t *testing.T, s store) []byte {
	t.Helper()
	if s, ok := s.(*SQLite); ok {
		if _, err := s.write.Exec(`CREATE TRIGGER IF NOT EXISTS refuse_long_keys BEFORE INSERT ON kv
WHEN length(NEW.key) > 3000 BEGIN SELECT RAISE(ABORT, 'key refused by the test'); END`); err != nil {
			t.Fatal(err)
		}
	}
	k := make([]byte, 4000)
	rand.Read(k)
	return k
}

// A write the database refuses fails its operation only: the rest of the
// group commits, and the operations after it are evaluated without it.
func TestGroupWriteRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, kind, dsn string) {
		s := mustOpen(t, kind, dsn)
		ctx := context.Background()
		sc := activeScope(t, s, "p", "i")
		shared := kv.Scope{Project: "p"}
		counter := mustKey(kv.Key{"counter"})
		bad1, bad2 := refusedKey(t, s), refusedKey(t, s)

		// Alone, through Commit: the operation fails, the store goes on.
		if _, ok, err := s.Commit(ctx, sc, nil, []kv.Mutation{set(bad1, "1")}); err == nil || ok {
			t.Fatalf("committing a refused key: ok=%v err=%v, want an error", ok, err)
		} else {
			t.Logf("refused: %v", err)
		}

		seq := nextSeq(t, s)
		v0 := vsOf(seq, 0)
		v1 := vsOf(seq, 1)
		reqs := []commitReq{
			{scope: sc, muts: []kv.Mutation{sum(counter, 1)}},
			{scope: sc, muts: []kv.Mutation{sum(counter, 10), set(bad1, "1")}},
			// Sees op 0's counter: op 1 is gone.
			{scope: sc, checks: []kv.Check{{Key: counter, Versionstamp: &v0}}, muts: []kv.Mutation{sum(counter, 100)}},
			{scope: shared, muts: []kv.Mutation{set(counter, "1")}},
			{scope: sc, muts: []kv.Mutation{set(bad2, "1"), sum(counter, 1000)}},
			// Would hold had op 1 been kept.
			{scope: sc, checks: []kv.Check{{Key: counter, Versionstamp: &v1}}, muts: []kv.Mutation{sum(counter, 10000)}},
			{scope: sc, muts: []kv.Mutation{sum(counter, 100000)}},
		}
		res := runGroup(beginOf(t, s), func([]kv.Scope) {}, nil, reqs)
		for i, want := range []string{"ok", "error", "ok", "ok", "error", "failed check", "ok"} {
			r := res[i]
			got := "ok"
			switch {
			case r.err != nil:
				got = "error"
			case !r.ok:
				got = "failed check"
			case r.vs != vsOf(seq, i):
				t.Errorf("op %d: versionstamp %s, want %s", i, r.vs, vsOf(seq, i))
			}
			if got != want {
				t.Errorf("op %d: %s (%+v), want %s", i, got, r, want)
			}
		}
		es, err := s.Get(ctx, sc, [][]byte{counter, bad1, bad2})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := kv.AsU64(es[0].Value); n != 100101 || es[0].Versionstamp != vsOf(seq, 6) {
			t.Errorf("counter %d at %s, want 100101 at %s", n, es[0].Versionstamp, vsOf(seq, 6))
		}
		if es[1] != nil || es[2] != nil {
			t.Errorf("a refused key was written: %v %v", es[1] != nil, es[2] != nil)
		}
		if v, err := s.Get(ctx, shared, [][]byte{counter}); err != nil || v[0] == nil {
			t.Errorf("the other scope's write is missing: %v", err)
		}
	})
}

// Several operations of one group writing the same keys: the store keeps
// each key as the last of them left it, with that operation's versionstamp
// (on Postgres the group's rows go out in one upsert and one delete, so the
// last write per key is picked before they are sent).
func TestGroupLastWriteOfAKeyWins(t *testing.T) {
	eachBackend(t, func(t *testing.T, kind, dsn string) {
		s := mustOpen(t, kind, dsn)
		ctx := context.Background()
		sc := activeScope(t, s, "p", "last")
		k1, k2, k3, k4 := mustKey(kv.Key{"k1"}), mustKey(kv.Key{"k2"}), mustKey(kv.Key{"k3"}), mustKey(kv.Key{"k4"})
		del := func(k []byte) kv.Mutation { return kv.Mutation{Key: k, Op: kv.OpDelete} }
		if _, ok, err := s.Commit(ctx, sc, nil, []kv.Mutation{set(k2, `"old"`), sum(k4, 5)}); err != nil || !ok {
			t.Fatal(ok, err)
		}
		seq := nextSeq(t, s)
		reqs := []commitReq{
			{scope: sc, muts: []kv.Mutation{set(k1, `"a"`)}},
			{scope: sc, muts: []kv.Mutation{set(k1, `"b"`), del(k2)}},
			{scope: sc, muts: []kv.Mutation{set(k2, `"c"`), set(k3, `"d"`)}},
			{scope: sc, muts: []kv.Mutation{del(k3), sum(k4, 1)}},
			{scope: sc, muts: []kv.Mutation{del(k4)}},
		}
		for i, r := range runGroup(beginOf(t, s), func([]kv.Scope) {}, nil, reqs) {
			if r.err != nil {
				t.Fatalf("op %d: %v", i, r.err)
			}
		}
		es, err := s.Get(ctx, sc, [][]byte{k1, k2, k3, k4})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			value string
			op    int
		}{{`"b"`, 1}, {`"c"`, 2}, {"", 0}, {"", 0}}
		for i, w := range want {
			switch {
			case w.value == "" && es[i] != nil:
				t.Errorf("k%d: %s, want deleted", i+1, es[i].Value.Data)
			case w.value != "" && (es[i] == nil || string(es[i].Value.Data) != w.value || es[i].Versionstamp != vsOf(seq, w.op)):
				t.Errorf("k%d: %+v, want %s at %s", i+1, es[i], w.value, vsOf(seq, w.op))
			}
		}
	})
}
