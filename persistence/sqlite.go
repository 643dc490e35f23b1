// Package persistence owns durable state: coordinator storage and the
// activation records (owner and fencing epoch) that decide which activation
// of a coordinator may write. It never runs user code and never decides
// placement; it only records and checks what it is told.
//
// SQLite (a pure-Go driver, one WAL database file) is the embedded default.
// Postgres, for clusters, implements the same operations.
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

// The errors of the Batch API are kv's, so that errors.Is matches either.
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
	commit  *groupCommitter[Batch, error]
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
CREATE TABLE IF NOT EXISTS storage (
	project  TEXT NOT NULL,
	instance TEXT NOT NULL,
	key      TEXT NOT NULL,
	value    BLOB NOT NULL,
	PRIMARY KEY (project, instance, key)
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
	s := &SQLite{path: path, write: write, read: read, log: log, watch: newWatchers()}
	s.commit = newGroupCommitter(s.commitGroup)
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
	s.commit.close()
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

// Get reads one committed value.
func (s *SQLite) Get(ctx context.Context, project, instance, key string) ([]byte, bool, error) {
	var v []byte
	err := s.read.QueryRowContext(ctx, `SELECT value FROM storage WHERE project = ? AND instance = ? AND key = ?`,
		project, instance, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s/%s key %q: %w", project, instance, key, err)
	}
	return v, true, nil
}

// Commit makes b durable, or fails with ErrFenced (nothing written), a
// database error (nothing written), or ErrAmbiguous if ctx ended while the
// batch was in the database's hands.
func (s *SQLite) Commit(ctx context.Context, b Batch) error {
	err, handOver := s.commit.submit(ctx, b)
	if handOver != nil {
		return handOver
	}
	return err
}

// commitGroup commits several batches in one transaction. A fenced batch is
// skipped (and reported) without failing the others.
func (s *SQLite) commitGroup(batches []Batch) []error {
	errs := make([]error, len(batches))
	ctx := context.Background()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fill(errs, fmt.Errorf("beginning commit: %w", err))
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	for i, b := range batches {
		var epoch int64
		err := tx.QueryRowContext(ctx, `SELECT epoch FROM activations WHERE project = ? AND instance = ?`, b.Project, b.Instance).Scan(&epoch)
		if errors.Is(err, sql.ErrNoRows) || err == nil && epoch != b.Epoch {
			errs[i] = fmt.Errorf("%s/%s epoch %d: %w", b.Project, b.Instance, b.Epoch, ErrFenced)
			continue
		}
		if err != nil {
			return fill(errs, fmt.Errorf("checking epoch of %s/%s: %w", b.Project, b.Instance, err))
		}
		for _, m := range b.Mutations {
			if m.Delete {
				_, err = tx.ExecContext(ctx, `DELETE FROM storage WHERE project = ? AND instance = ? AND key = ?`, b.Project, b.Instance, m.Key)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO storage (project, instance, key, value) VALUES (?, ?, ?, ?)
ON CONFLICT (project, instance, key) DO UPDATE SET value = excluded.value`, b.Project, b.Instance, m.Key, m.Value)
			}
			if err != nil {
				return fill(errs, fmt.Errorf("writing %s/%s key %q: %w", b.Project, b.Instance, m.Key, err))
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fill(errs, fmt.Errorf("committing: %w", err))
	}
	return errs
}

func fill(errs []error, err error) []error {
	for i := range errs {
		errs[i] = err
	}
	return errs
}
