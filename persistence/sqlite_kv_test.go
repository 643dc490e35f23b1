package persistence

import (
	"context"
	"database/sql"
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
