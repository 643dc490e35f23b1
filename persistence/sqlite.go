// Package persistence owns durable state: the key-value stores (kv.Store)
// of projects and coordinators, and the activation records (owner and
// fencing epoch) that decide which activation of a coordinator may write.
// It never runs user code and never decides placement; it only records and
// checks what it is told.
//
// SQLite (a pure-Go driver, one WAL database file) is the embedded default.
// Postgres, for clusters, implements the same operations. Both evaluate a
// group of atomic operations the same way (kvcommit.go); they differ only
// in how rows are read and written.
//
// Each open store runs a group committer goroutine and an expiry sweeper
// (sweeper.go); Postgres also runs a LISTEN connection. Close stops them.
package persistence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/edge-platform/edge/kv"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver (pure Go, no cgo)
)

// The errors of the Batch API are kv's, so that errors.Is matches either:
// the Batch API is now a thin layer over KV().
var (
	// ErrFenced: see kv.ErrFenced.
	ErrFenced = kv.ErrFenced
	// ErrAmbiguous: see kv.ErrAmbiguous.
	ErrAmbiguous = kv.ErrAmbiguous
	// ErrClosed: see kv.ErrClosed.
	ErrClosed = kv.ErrClosed
)

// Mutation is one write in a batch: a put of Value, or a delete.
type Mutation struct {
	Key    string
	Value  []byte
	Delete bool
}

// Batch is a set of mutations from one activation, committed atomically and
// only if Epoch is still the instance's current epoch.
type Batch struct {
	Project   string
	Instance  string
	Epoch     int64
	Mutations []Mutation
}

// SQLite is the embedded store: one database file under the data directory.
// Commits from all coordinators are grouped: one transaction, and one fsync,
// per batch of concurrent commits.
//
// Its key-value store (kv.Store) is KV(); Get and Commit(Batch) are the
// older Deno.storage API, kept until package actors moves to kv.Store.
type SQLite struct {
	path    string
	write   *sql.DB // one connection: SQLite has one writer
	read    *sql.DB // concurrent readers (WAL)
	log     *slog.Logger
	kv      *groupCommitter[commitReq, commitRes]
	watch   *watchers
	sweeper *sweeper
}

const schema = `
CREATE TABLE IF NOT EXISTS activations (
	project  TEXT NOT NULL,
	instance TEXT NOT NULL,
	epoch    INTEGER NOT NULL,
	owner    TEXT NOT NULL,
	since_ms INTEGER NOT NULL,
	PRIMARY KEY (project, instance)
);
CREATE TABLE IF NOT EXISTS kv (
	project      TEXT NOT NULL,
	instance     TEXT NOT NULL,  -- '' for a project's shared store
	key          BLOB NOT NULL,  -- kv.EncodeKey: BLOBs compare bytewise, as keys order
	kind         INTEGER NOT NULL,
	value        BLOB NOT NULL,
	versionstamp BLOB NOT NULL,  -- 10 bytes: commit sequence (8, big-endian), index in group (2)
	expires_at   INTEGER,        -- Unix ms; NULL: never
	PRIMARY KEY (project, instance, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL;
-- The commit sequence: bumped once per grouped transaction.
CREATE TABLE IF NOT EXISTS kv_meta (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL
);
INSERT OR IGNORE INTO kv_meta (id, seq) VALUES (1, 0);
`

// OpenSQLite opens (creating if needed) the database at path.
func OpenSQLite(ctx context.Context, path string, log *slog.Logger) (*SQLite, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating data directory for %s: %w", path, err)
	}
	// synchronous(FULL): a commit is on disk before it is acknowledged, so an
	// acknowledged write survives a crash of the process or the machine.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)"
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	if _, err := write.ExecContext(ctx, schema); err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s: creating schema: %w (is it an edge data file, and writable?)", path, err)
	}
	read, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s for reading: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	if n, err := migrateStorage(ctx, write, path); err != nil {
		write.Close()
		read.Close()
		return nil, err
	} else if n > 0 {
		log.Info("migrated Deno.storage entries to the KV store", "path", path, "entries", n)
	}
	s := &SQLite{path: path, write: write, read: read, log: log, watch: newWatchers()}
	s.kv = newGroupCommitter(func(reqs []commitReq) []commitRes {
		return runGroup(s.beginGroup, s.watch.notifyScopes, reqs)
	})
	s.sweeper = startSweeper(sweepInterval, s.sweepExpired, log)
	return s, nil
}

// Close stops the expiry sweeper, waits for queued commits and closes the
// database.
func (s *SQLite) Close() error {
	s.sweeper.stop()
	s.kv.close()
	return errors.Join(s.read.Close(), s.write.Close())
}

// Activate records owner as the owner of (project, instance) under a new
// epoch and returns that epoch. Every commit of the previous activation fails
// with ErrFenced from then on.
func (s *SQLite) Activate(ctx context.Context, project, instance, owner string) (int64, error) {
	var epoch int64
	err := s.write.QueryRowContext(ctx, `
INSERT INTO activations (project, instance, epoch, owner, since_ms) VALUES (?, ?, 1, ?, ?)
ON CONFLICT (project, instance) DO UPDATE SET epoch = epoch + 1, owner = excluded.owner, since_ms = excluded.since_ms
RETURNING epoch`, project, instance, owner, time.Now().UnixMilli()).Scan(&epoch)
	if err != nil {
		return 0, fmt.Errorf("activating %s/%s: %w", project, instance, err)
	}
	return epoch, nil
}

// Get reads one committed Deno.storage value: the KindJSON entry at KV key
// [key] of (project, instance).
//
// Deprecated: the Batch API stays until package actors uses KV().
func (s *SQLite) Get(ctx context.Context, project, instance, key string) ([]byte, bool, error) {
	k, err := kv.EncodeKey(kv.Key{key})
	if err != nil {
		return nil, false, fmt.Errorf("reading %s/%s key %q: %w", project, instance, key, err)
	}
	es, err := s.KV().Get(ctx, kv.Scope{Project: project, Instance: instance}, [][]byte{k})
	if err != nil {
		return nil, false, err
	}
	if es[0] == nil {
		return nil, false, nil
	}
	return es[0].Value.Data, true, nil
}

// Commit makes b durable, or fails with ErrFenced (nothing written), a
// database error (nothing written), or ErrAmbiguous if ctx ended while the
// batch was in the database's hands. Key k is the KV key [k]; values are
// stored as KindJSON.
//
// Deprecated: the Batch API stays until package actors uses KV().
func (s *SQLite) Commit(ctx context.Context, b Batch) error {
	muts := make([]kv.Mutation, len(b.Mutations))
	for i, m := range b.Mutations {
		k, err := kv.EncodeKey(kv.Key{m.Key})
		if err != nil {
			return fmt.Errorf("writing %s/%s key %q: %w", b.Project, b.Instance, m.Key, err)
		}
		muts[i] = kv.Mutation{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: m.Value}}
		if m.Delete {
			muts[i] = kv.Mutation{Key: k, Op: kv.OpDelete}
		}
	}
	// The Batch API always fenced: epoch 0 never matches an activation.
	epoch := b.Epoch
	if epoch == 0 {
		epoch = -1
	}
	_, _, err := s.KV().Commit(ctx, kv.Scope{Project: b.Project, Instance: b.Instance, Epoch: epoch}, nil, muts)
	return err
}
