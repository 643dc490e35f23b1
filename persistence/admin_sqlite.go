package persistence

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The deployments (deployments.go) and the coordinator directory
// (coordinators.go) on SQLite. Reads go to the read pool. Writes go
// through the single writer connection, like kv commit groups: a
// transaction here waits for the connection while a group holds it, and
// the reverse, and never takes anything else, so the two cannot deadlock.
// These are rare admin operations; TouchCoordinator is the only one a
// running coordinator calls, and it is one short UPDATE.

// sqliteRunner is what *sql.DB and *sql.Tx share.
type sqliteRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type sqliteQuerier struct{ r sqliteRunner }

func (q sqliteQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.r.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqliteQuerier) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	found := false
	err := q.query(ctx, query, args, func(scan func(dest ...any) error) error {
		if found {
			return nil
		}
		found = true
		return scan(dest...)
	})
	if err == nil && !found {
		return errNoRows
	}
	return err
}

func (q sqliteQuerier) query(ctx context.Context, query string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := q.r.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *SQLite) admin() adminSQL {
	return adminSQL{
		read:  sqliteQuerier{s.read},
		write: sqliteQuerier{s.write},
		inTx:  s.adminTx,
		// 'now' is read once per step of a statement: the same value
		// throughout a write.
		clock: `CAST(round(unixepoch('subsec') * 1000) AS INTEGER)`,
		wrap: func(doing string, err error) error {
			return fmt.Errorf("%s in %s: %w", doing, s.path, err)
		},
	}
}

// adminTx runs fn in a transaction on the writer connection. lockKV needs
// nothing more here: the transaction holds the database's write lock,
// which every commit group also takes, from its first statement.
func (s *SQLite) adminTx(ctx context.Context, _ bool, fn func(querier) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	// Take the write lock before reading anything. A transaction that reads
	// first and writes later fails at once (SQLITE_BUSY) if another
	// connection (another store on the same file) wrote in between; one
	// that starts with a write waits for the lock (busy_timeout) instead.
	if _, err := tx.ExecContext(ctx, `UPDATE kv_meta SET seq = seq WHERE id = 1`); err != nil {
		return err
	}
	if err := fn(sqliteQuerier{tx}); err != nil {
		return err
	}
	return tx.Commit()
}

// CreateDeployment stores d as the next version of its project (1 for a
// new project) and makes it current, in one transaction, and returns it
// as stored. It fails with ErrProjectOwned if another account deployed
// the project, ErrDomainTaken if another project's current version serves
// one of d.Domains, and ErrInvalid for a d that cannot be stored.
func (s *SQLite) CreateDeployment(ctx context.Context, d Deployment) (Deployment, error) {
	return s.admin().createDeployment(ctx, d)
}

// Projects returns the current version of every project, with its Source,
// ordered by project name.
func (s *SQLite) Projects(ctx context.Context) ([]Deployment, error) { return s.admin().projects(ctx) }

// CurrentVersions maps every project to its current version: a cheap
// check, for nodes that share the database, of what changed.
func (s *SQLite) CurrentVersions(ctx context.Context) (map[string]int64, error) {
	return s.admin().currentVersions(ctx)
}

// Project returns the current version of project, with its Source, or
// ErrNotFound.
func (s *SQLite) Project(ctx context.Context, project string) (Deployment, error) {
	return s.admin().project(ctx, project)
}

// Deployments returns every version of project, newest first, without
// Source (Size is set), or ErrNotFound.
func (s *SQLite) Deployments(ctx context.Context, project string) ([]Deployment, error) {
	return s.admin().deployments(ctx, project)
}

// Deployment returns one version of project, with its Source, or
// ErrNotFound.
func (s *SQLite) Deployment(ctx context.Context, project string, version int64) (Deployment, error) {
	return s.admin().deployment(ctx, project, version)
}

// SetCurrent makes version the current version of project (a rollback)
// and returns it. It fails with ErrNotFound, or ErrDomainTaken if another
// project now serves one of that version's domains.
func (s *SQLite) SetCurrent(ctx context.Context, project string, version int64) (Deployment, error) {
	return s.admin().setCurrent(ctx, project, version)
}

// DeleteProject deletes every version of project, its domains, its
// coordinators' directory rows and every kv row of it (its shared store
// and every instance's), and fences its activations: a commit with an
// epoch handed out before fails with kv.ErrFenced, and the next Activate
// returns a larger epoch. ErrNotFound if there was nothing of project.
func (s *SQLite) DeleteProject(ctx context.Context, project string) error {
	emptied, err := s.admin().deleteProject(ctx, project)
	if err == nil {
		s.watch.notify(emptied...)
	}
	return err
}

// EnsureCoordinator creates the directory entry of (project, instance)
// with settings if there is none, and returns the entry. Of any number of
// concurrent callers, on any store of the same database, exactly one gets
// created=true; the others get the entry with the first caller's
// settings. It does not check that project is deployed. ErrInvalid for
// empty names or settings that are not JSON.
func (s *SQLite) EnsureCoordinator(ctx context.Context, project, instance string, settings []byte) (CoordinatorRecord, bool, error) {
	return s.admin().ensureCoordinator(ctx, project, instance, settings)
}

// Coordinators returns the directory entries of project, ordered by
// instance; an empty slice if there are none.
func (s *SQLite) Coordinators(ctx context.Context, project string) ([]CoordinatorRecord, error) {
	return s.admin().coordinators(ctx, project)
}

// Coordinator returns one directory entry, or ErrNotFound.
func (s *SQLite) Coordinator(ctx context.Context, project, instance string) (CoordinatorRecord, error) {
	return s.admin().coordinator(ctx, project, instance)
}

// TouchCoordinator records activity of (project, instance) at at: its
// LastActive becomes the later of the two. Nothing happens if there is no
// such entry. It is a write: call it at most every few seconds per
// instance, not per request.
func (s *SQLite) TouchCoordinator(ctx context.Context, project, instance string, at time.Time) error {
	return s.admin().touchCoordinator(ctx, project, instance, at)
}

// DeleteCoordinator deletes the directory entry and kv rows of (project,
// instance) and fences its activation, as DeleteProject does. ErrNotFound
// if there was no entry, no live activation and no kv row.
func (s *SQLite) DeleteCoordinator(ctx context.Context, project, instance string) error {
	emptied, err := s.admin().deleteCoordinator(ctx, project, instance)
	if err == nil && emptied {
		s.watch.notify(scopeID{project, instance})
	}
	return err
}
