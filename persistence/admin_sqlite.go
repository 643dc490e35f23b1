package persistence

import (
	"context"
	"database/sql"
	"fmt"
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

// DeleteProject deletes every version of project, its domains, its
// coordinators' directory rows and every kv row of it (its shared store
// and every instance's), and fences its activations: a commit with an
// epoch handed out before fails with kv.ErrFenced, and the next Activate
// returns a larger epoch. ErrNotFound if there was nothing of project.
func (s *SQLite) DeleteProject(ctx context.Context, project string) error {
	emptied, err := s.adminSQL.deleteProject(ctx, project)
	if err == nil {
		s.watch.notify(emptied...)
	}
	return err
}

// DeleteCoordinator deletes the directory entry and kv rows of (project,
// instance) and fences its activation, as DeleteProject does. ErrNotFound
// if there was no entry, no live activation and no kv row.
func (s *SQLite) DeleteCoordinator(ctx context.Context, project, instance string) error {
	emptied, err := s.adminSQL.deleteCoordinator(ctx, project, instance)
	if err == nil && emptied {
		s.watch.notify(scopeID{project, instance})
	}
	return err
}
