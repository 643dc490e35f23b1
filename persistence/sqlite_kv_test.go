package persistence

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
)

// A database written before the store was KV has Deno.storage's table
// storage(project, instance, key TEXT, value BLOB). Opening it moves every
// row to the KV key [key] once, as JSON, and drops the old table.
func TestSQLiteMigratesOldStorageTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edge.db")
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = old.Exec(`
CREATE TABLE activations (project TEXT NOT NULL, instance TEXT NOT NULL, epoch INTEGER NOT NULL,
	owner TEXT NOT NULL, since_ms INTEGER NOT NULL, PRIMARY KEY (project, instance));
CREATE TABLE storage (project TEXT NOT NULL, instance TEXT NOT NULL, key TEXT NOT NULL,
	value BLOB NOT NULL, PRIMARY KEY (project, instance, key));
INSERT INTO activations VALUES ('p', 'i', 3, 'node-a', 0);
INSERT INTO storage VALUES ('p', 'i', 'count', '41'), ('p', 'i', 'name', '"x\u0000y"'), ('p', 'j', 'count', '{"a":1}');`)
	if err != nil {
		t.Fatal(err)
	}
	// Enough rows to cross the migration's page size.
	for i := range 2500 {
		if _, err := old.Exec(`INSERT INTO storage VALUES ('bulk', '', ?, '1')`, string(rune('a'+i%26))+time.Duration(i).String()); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	ctx := context.Background()
	s, err := OpenSQLite(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ instance, key, want string }{{"i", "count", "41"}, {"i", "name", `"x\u0000y"`}, {"j", "count", `{"a":1}`}} {
		k, _ := kv.EncodeKey(kv.Key{c.key})
		es, err := s.Get(ctx, kv.Scope{Project: "p", Instance: c.instance}, [][]byte{k})
		if err != nil || es[0] == nil || es[0].Value.Kind != kv.KindJSON || string(es[0].Value.Data) != c.want {
			t.Fatalf("%s/%s after migration: %+v %v, want JSON %s", c.instance, c.key, es, err, c.want)
		}
	}
	if es, err := s.List(ctx, kv.Scope{Project: "bulk"}, kv.Range{Start: []byte{}, End: []byte{0xff}}); err != nil || len(es) != 2500 {
		t.Fatalf("bulk rows after migration: %d %v, want 2500", len(es), err)
	}
	var n int
	s.read.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'storage'`).Scan(&n)
	if n != 0 {
		t.Fatal("the old storage table is still there")
	}
	// The activation (and its epoch) carry over.
	if _, _, err := s.Commit(ctx, kv.Scope{Project: "p", Instance: "i", Epoch: 3}, nil, []kv.Mutation{setJSON(t, "count", "42")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// A second open finds nothing to migrate and keeps the data.
	s, err = OpenSQLite(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, ok := getJSON(t, s, kv.Scope{Project: "p", Instance: "i"}, "count"); !ok || v != "42" {
		t.Fatalf("after reopening: %q %v", v, ok)
	}
}

// Expired entries are invisible at once (kvtest checks that); the sweeper
// also deletes them from the table.
func TestSQLiteSweepDeletesExpired(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	sc := kv.Scope{Project: "p"}
	past := time.Now().Add(-time.Second)
	var muts []kv.Mutation
	for i := range 1500 {
		k, _ := kv.EncodeKey(kv.Key{float64(i)})
		m := kv.Mutation{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte("1")}, ExpireAt: past}
		if i%2 == 0 {
			m.ExpireAt = time.Time{}
		}
		muts = append(muts, m)
		if len(muts) == 500 {
			if _, ok, err := s.Commit(ctx, sc, nil, muts); err != nil || !ok {
				t.Fatal(ok, err)
			}
			muts = nil
		}
	}
	total := func() (n int) {
		s.read.QueryRow(`SELECT count(*) FROM kv`).Scan(&n)
		return n
	}
	if n := total(); n != 1500 {
		t.Fatalf("%d rows before sweeping, want 1500", n)
	}
	for {
		n, err := s.sweepExpired(ctx, time.Now().UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
		if n < sweepBatch {
			break
		}
	}
	if n := total(); n != 750 {
		t.Fatalf("%d rows after sweeping, want the 750 that never expire", n)
	}
}

// TestSQLiteGroupReadsInBatches reads, in one group, more scopes and keys
// than one read statement names (maxBatchRead), in counts that are not
// powers of two (the last batch is padded): every epoch and every live row
// must land under its own scope, and missing keys, expired keys and
// never-activated scopes must stay missing.
func TestSQLiteGroupReadsInBatches(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "edge.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 2*maxBatchRead + 7
	epochs := map[string]int64{}
	var reads []scopeRead
	for i := range n {
		inst := fmt.Sprintf("c%d", i)
		sc := kv.Scope{Project: "p", Instance: inst}
		fenced := i%3 != 0
		if fenced {
			e, err := s.Activate(ctx, "p", inst, "node")
			if err != nil {
				t.Fatal(err)
			}
			epochs[inst] = e
			sc.Epoch = e
		}
		muts := []kv.Mutation{set(mustKey(kv.Key{"v"}), fmt.Sprintf("%d", i))}
		if i%5 == 0 {
			muts = append(muts, kv.Mutation{Key: mustKey(kv.Key{"gone"}), Op: kv.OpSet,
				Value: kv.Value{Kind: kv.KindJSON, Data: []byte("1")}, ExpireAt: time.Now().Add(-time.Hour)})
		}
		if _, ok, err := s.Commit(ctx, sc, nil, muts); err != nil || !ok {
			t.Fatalf("writing %s: ok=%v err=%v", inst, ok, err)
		}
		reads = append(reads, scopeRead{scope: scopeID{"p", inst}, fenced: fenced,
			keys: [][]byte{mustKey(kv.Key{"v"}), mustKey(kv.Key{"missing"}), mustKey(kv.Key{"gone"})}})
	}
	tx, _, states, err := s.beginGroup(ctx, reads, time.Now().UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	tx.close()
	if len(states) != n {
		t.Fatalf("%d states for %d reads", len(states), n)
	}
	for i, st := range states {
		inst := fmt.Sprintf("c%d", i)
		want, fenced := epochs[inst]
		if st.activated != fenced || st.epoch != want {
			t.Errorf("%s: epoch %d activated %v, want %d %v", inst, st.epoch, st.activated, want, fenced)
		}
		if len(st.rows) != 1 {
			t.Errorf("%s: %d rows, want only \"v\" (missing and expired keys stay out)", inst, len(st.rows))
		}
		r, ok := st.rows[string(mustKey(kv.Key{"v"}))]
		if !ok || string(r.value.Data) != fmt.Sprintf("%d", i) {
			t.Errorf("%s: row v = %q (found %v), want %d", inst, r.value.Data, ok, i)
		}
	}
}
