// Package persistence owns durable state: the key-value stores (kv.Store)
// of projects and coordinators, the activation records (owner and fencing
// epoch) that decide which activation of a coordinator may write, the
// deployed versions of projects (deployments.go), the directory of
// coordinator instances (coordinators.go), which is also the storage of
// the cluster's placement directory (directory.go), and the cluster's
// members (members.go).
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

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver (pure Go, no cgo)
)

// SQLite is the embedded store: one database file under the data directory.
// Commits from all coordinators are grouped: one transaction, and one fsync,
// per batch of concurrent commits.
// It is a kv.Store, and hands out fencing epochs (Activate).
type SQLite struct {
	// adminSQL gives the operations written once for both backends
	// (deployments, the coordinator directory, members).
	adminSQL
	path    string
	write   *sql.DB // one connection: SQLite has one writer
	read    *sql.DB // concurrent readers (WAL)
	log     *slog.Logger
	commits *groupCommitter[commitReq, commitRes]
	obs     commitObserver // read by the committer goroutine
	stmts   sqliteStmts
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
-- Deployments (deployments.go) and the coordinator directory (coordinators.go).
CREATE TABLE IF NOT EXISTS projects (
	project TEXT NOT NULL PRIMARY KEY,
	account TEXT NOT NULL,
	current_version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deployments (
	project    TEXT NOT NULL,
	version    INTEGER NOT NULL,
	account    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	entry      TEXT NOT NULL,
	source     BLOB NOT NULL,
	size       INTEGER NOT NULL,  -- bytes of source
	env        TEXT NOT NULL,     -- JSON object, or null
	domains    TEXT NOT NULL,     -- JSON array, or null
	message    TEXT NOT NULL,
	created_ms INTEGER NOT NULL,
	PRIMARY KEY (project, version)
);
-- The extra domains of current versions: the key makes each one served by one project.
CREATE TABLE IF NOT EXISTS domains (
	domain  TEXT NOT NULL PRIMARY KEY,
	project TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS domains_project ON domains (project);
CREATE TABLE IF NOT EXISTS coordinators (
	project        TEXT NOT NULL,
	instance       TEXT NOT NULL,
	settings       BLOB,               -- JSON; NULL: none
	created_ms     INTEGER NOT NULL,
	last_active_ms INTEGER NOT NULL,   -- 0: never
	region         TEXT NOT NULL DEFAULT '',  -- home region; added to older databases by migrateColumns
	PRIMARY KEY (project, instance)
);
-- The cluster's members (members.go): one row per live node, kept fresh by heartbeats.
CREATE TABLE IF NOT EXISTS members (
	id           TEXT NOT NULL PRIMARY KEY,
	region       TEXT NOT NULL,
	address      TEXT NOT NULL,
	started_ms   INTEGER NOT NULL,
	heartbeat_ms INTEGER NOT NULL
);
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
	if err := migrateColumns(ctx, write, path); err != nil {
		write.Close()
		return nil, err
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
	s.adminSQL = s.admin()
	if err := s.prepare(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	s.commits = newGroupCommitter(func(reqs []commitReq) []commitRes {
		return runGroup(s.beginGroup, s.watch.notifyScopes, &s.obs, reqs)
	})
	s.sweeper = startSweeper(sweepInterval, s.sweepExpired, log)
	return s, nil
}

// Close stops the expiry sweeper, waits for queued commits and closes the
// database.
func (s *SQLite) Close() error {
	s.sweeper.stop()
	s.commits.close()
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
