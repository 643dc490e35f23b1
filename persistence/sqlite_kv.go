package persistence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/edge-platform/edge/kv"
)

// The key-value store (kv.Store) of a SQLite database. Reads go to the
// read pool (WAL: they never wait for a writer); commits go through one
// group committer to the single writer connection.

// Interface guard.
var _ kv.Store = (*SQLite)(nil)

// Get implements kv.Store.
func (k *SQLite) Get(ctx context.Context, s kv.Scope, keys [][]byte) ([]*kv.Entry, error) {
	out := make([]*kv.Entry, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{s.Project, s.Instance, nowMs()}
	for _, key := range keys {
		args = append(args, nonNil(key))
	}
	q := `SELECT key, kind, value, versionstamp, expires_at FROM kv WHERE project = ? AND instance = ?
AND (expires_at IS NULL OR expires_at > ?) AND key IN (?` + strings.Repeat(", ?", len(keys)-1) + `)`
	rows, err := k.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s, err)
	}
	found, err := scanEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s, err)
	}
	return byKey(keys, found), nil
}

// List implements kv.Store.
func (k *SQLite) List(ctx context.Context, s kv.Scope, r kv.Range) ([]kv.Entry, error) {
	var q strings.Builder
	q.WriteString(`SELECT key, kind, value, versionstamp, expires_at FROM kv WHERE project = ? AND instance = ? AND (expires_at IS NULL OR expires_at > ?)`)
	args := []any{s.Project, s.Instance, nowMs()}
	q.WriteString(` AND key >= ? AND key < ?`)
	args = append(args, nonNil(r.Start), nonNil(r.End))
	if r.Reverse {
		q.WriteString(` ORDER BY key DESC`)
	} else {
		q.WriteString(` ORDER BY key`)
	}
	if r.Limit > 0 {
		q.WriteString(` LIMIT ?`)
		args = append(args, r.Limit)
	}
	rows, err := k.read.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", s, err)
	}
	es, err := scanEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", s, err)
	}
	return es, nil
}

// Commit implements kv.Store.
func (k *SQLite) Commit(ctx context.Context, s kv.Scope, checks []kv.Check, muts []kv.Mutation) (kv.Versionstamp, bool, error) {
	r, err := k.commits.submit(ctx, commitReq{scope: s, checks: checks, muts: muts})
	if err != nil {
		return kv.Versionstamp{}, false, err
	}
	return r.vs, r.ok, r.err
}

// Changes implements kv.Store. Only this process's commits are seen.
func (k *SQLite) Changes(s kv.Scope) (<-chan struct{}, func()) { return k.watch.watch(s) }

// sqliteStmts are the commit path's statements, prepared once on the
// writer connection: parsing them for every operation cost more than
// running them.
type sqliteStmts struct {
	seq, upsert, del, savepoint, release *sql.Stmt
	// epochs[n] and gets[n] read the epochs of n scopes and n live rows
	// in one statement each, for n a power of two up to maxBatchRead (a
	// group pads its last batch by repeating an argument).
	epochs, gets map[int]*sql.Stmt
}

// maxBatchRead is the most scopes (or keys) one read statement of a
// commit group names.
const maxBatchRead = 64

// batchArity is the prepared statement size that holds n (1 ≤ n ≤
// maxBatchRead) items: the next power of two.
func batchArity(n int) int {
	a := 1
	for a < n {
		a *= 2
	}
	return a
}

func (s *SQLite) prepare(ctx context.Context) error {
	prep := func(q string) (*sql.Stmt, error) {
		st, err := s.write.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("opening %s: preparing statements: %w", s.path, err)
		}
		return st, nil
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		q    string
	}{
		{&s.stmts.seq, `UPDATE kv_meta SET seq = seq + 1 WHERE id = 1 RETURNING seq`},
		{&s.stmts.upsert, `INSERT INTO kv (project, instance, key, kind, value, versionstamp, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (project, instance, key) DO UPDATE SET kind = excluded.kind, value = excluded.value,
	versionstamp = excluded.versionstamp, expires_at = excluded.expires_at`},
		{&s.stmts.del, `DELETE FROM kv WHERE project = ? AND instance = ? AND key = ?`},
		{&s.stmts.savepoint, `SAVEPOINT op`},
		{&s.stmts.release, `RELEASE op`},
	} {
		st, err := prep(p.q)
		if err != nil {
			return err
		}
		*p.stmt = st
	}
	s.stmts.epochs, s.stmts.gets = map[int]*sql.Stmt{}, map[int]*sql.Stmt{}
	for n := 1; n <= maxBatchRead; n *= 2 {
		e, err := prep(`SELECT project, instance, epoch FROM activations WHERE (project, instance) IN (VALUES ` + tuples(n, "(?, ?)") + `)`)
		if err != nil {
			return err
		}
		g, err := prep(`SELECT project, instance, key, kind, value, versionstamp FROM kv
WHERE (expires_at IS NULL OR expires_at > ?) AND (project, instance, key) IN (VALUES ` + tuples(n, "(?, ?, ?)") + `)`)
		if err != nil {
			return err
		}
		s.stmts.epochs[n], s.stmts.gets[n] = e, g
	}
	return nil
}

// tuples is n copies of tuple, comma-separated.
func tuples(n int, tuple string) string {
	return strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ")
}

// beginGroup opens a group's transaction on the writer connection, takes
// its commit sequence number and reads what the group needs (readAll).
func (s *SQLite) beginGroup(ctx context.Context, reads []scopeRead, now int64) (groupTx, uint64, []scopeState, error) {
	g := &sqliteGroup{db: s.write, path: s.path, stmts: &s.stmts}
	seq, err := g.begin(ctx)
	if err != nil {
		return nil, 0, nil, err
	}
	g.seq = seq
	states, err := g.readAll(ctx, reads, now)
	if err != nil {
		g.close()
		return nil, 0, nil, err
	}
	return g, seq, states, nil
}

// sqliteGroup is the open transaction of one commit group.
//
// Its writes go without savepoints at first: SQLite refuses a row only in
// unusual cases (a full disk, a trigger), and a savepoint and its release
// were two of the three statements an operation cost. If a write is
// refused, the group rolls the whole transaction back, begins it again
// (taking the same commit sequence number: nothing else writes meanwhile,
// since this goroutine holds the only writer connection) and writes again
// with each operation in its own savepoint, so that only the refused
// operation fails (see groupTx).
type sqliteGroup struct {
	db    *sql.DB
	tx    *sql.Tx
	path  string
	stmts *sqliteStmts
	bound map[*sql.Stmt]*sql.Stmt // prepared statement -> its form in tx
	seq   uint64
	safe  bool // each operation in its own savepoint (after a refused write)
}

// begin opens the transaction and takes its commit sequence number. On
// error nothing is left open.
func (g *sqliteGroup) begin(ctx context.Context) (uint64, error) {
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("beginning commit in %s: %w", g.path, err)
	}
	g.tx, g.bound = tx, map[*sql.Stmt]*sql.Stmt{}
	var seq uint64
	if err := g.stmt(ctx, g.stmts.seq).QueryRowContext(ctx).Scan(&seq); err != nil {
		g.close()
		return 0, fmt.Errorf("taking a commit sequence number in %s: %w", g.path, err)
	}
	return seq, nil
}

// restart rolls the transaction back and begins it again, which must take
// the same commit sequence number (the operations' versionstamps are
// already made from it).
func (g *sqliteGroup) restart(ctx context.Context) error {
	g.close()
	seq, err := g.begin(ctx)
	if err != nil {
		return err
	}
	if seq != g.seq {
		g.close()
		return fmt.Errorf("committing to %s: the commit sequence moved from %d to %d while a refused write was retried", g.path, g.seq, seq)
	}
	return nil
}

// stmt is st bound to the group's transaction (the writer connection's
// prepared statement, reused).
func (g *sqliteGroup) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	if b, ok := g.bound[st]; ok {
		return b
	}
	b := g.tx.StmtContext(ctx, st)
	g.bound[st] = b
	return b
}

// readAll reads what reads name, in as few statements as it can: the
// epochs of all fenced scopes, then the live rows (as of now) of all keys,
// maxBatchRead at a time. A statement per scope and per key cost more in
// database/sql and the driver than SQLite spent running them.
func (g *sqliteGroup) readAll(ctx context.Context, reads []scopeRead, now int64) ([]scopeState, error) {
	states := make([]scopeState, len(reads))
	at := make(map[scopeID]int, len(reads))
	var fenced []scopeID
	type keyRef struct {
		scope scopeID
		key   []byte
	}
	var keys []keyRef
	for i, r := range reads {
		states[i].rows = make(map[string]row, len(r.keys))
		at[r.scope] = i
		if r.fenced {
			fenced = append(fenced, r.scope)
		}
		for _, k := range r.keys {
			keys = append(keys, keyRef{r.scope, nonNil(k)})
		}
	}
	for start := 0; start < len(fenced); start += maxBatchRead {
		batch := fenced[start:min(start+maxBatchRead, len(fenced))]
		n := batchArity(len(batch))
		args := make([]any, 0, 2*n)
		for j := range n {
			s := batch[min(j, len(batch)-1)]
			args = append(args, s.project, s.instance)
		}
		if err := g.readEpochs(ctx, n, args, at, states); err != nil {
			return nil, fmt.Errorf("checking the epochs of %d coordinators: %w", len(batch), err)
		}
	}
	for start := 0; start < len(keys); start += maxBatchRead {
		batch := keys[start:min(start+maxBatchRead, len(keys))]
		n := batchArity(len(batch))
		args := make([]any, 0, 1+3*n)
		args = append(args, now)
		for j := range n {
			k := batch[min(j, len(batch)-1)]
			args = append(args, k.scope.project, k.scope.instance, k.key)
		}
		if err := g.readRows(ctx, n, args, at, states); err != nil {
			return nil, fmt.Errorf("reading %d keys: %w", len(batch), err)
		}
	}
	return states, nil
}

// readEpochs runs epochs[n] with args and records each scope's epoch.
func (g *sqliteGroup) readEpochs(ctx context.Context, n int, args []any, at map[scopeID]int, states []scopeState) error {
	return g.each(ctx, g.stmts.epochs[n], args, func(rows *sql.Rows) error {
		var s scopeID
		var epoch int64
		if err := rows.Scan(&s.project, &s.instance, &epoch); err != nil {
			return err
		}
		if i, ok := at[s]; ok {
			states[i].epoch, states[i].activated = epoch, true
		}
		return nil
	})
}

// readRows runs gets[n] with args and files each live row under its scope.
func (g *sqliteGroup) readRows(ctx context.Context, n int, args []any, at map[scopeID]int, states []scopeState) error {
	return g.each(ctx, g.stmts.gets[n], args, func(rows *sql.Rows) error {
		var s scopeID
		var key, vs []byte
		var rw row
		err := rows.Scan(&s.project, &s.instance, &key, &rw.value.Kind, &rw.value.Data, &vs)
		if err != nil {
			return err
		}
		if rw.vs, err = toVersionstamp(vs); err != nil {
			return err
		}
		if i, ok := at[s]; ok {
			states[i].rows[string(key)] = rw
		}
		return nil
	})
}

// each runs st (in the group's transaction) with args and calls scan on
// every row.
func (g *sqliteGroup) each(ctx context.Context, st *sql.Stmt, args []any, scan func(*sql.Rows) error) error {
	rows, err := g.stmt(ctx, st).QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (g *sqliteGroup) commit(ctx context.Context, ops []opWrite, _ []kv.Scope) error {
	if !g.safe {
		err := g.writeAll(ctx, ops)
		if err == nil {
			return g.end()
		}
		if ctx.Err() != nil {
			g.close()
			return fmt.Errorf("writing to %s: %w", g.path, err)
		}
		if err := g.restart(ctx); err != nil {
			return err
		}
		g.safe = true
	}
	for i, op := range ops {
		if err := g.write(ctx, op); err != nil {
			var f *opFailed
			if errors.As(err, &f) {
				f.op = i
				return f
			}
			g.close()
			return err
		}
	}
	return g.end()
}

// end commits the transaction.
func (g *sqliteGroup) end() error {
	err := g.tx.Commit()
	g.tx = nil
	if err != nil {
		return fmt.Errorf("committing to %s: %w", g.path, err)
	}
	return nil
}

// writeAll writes every row of ops without savepoints; the first refused
// write ends it with that error (the caller rolls everything back).
func (g *sqliteGroup) writeAll(ctx context.Context, ops []opWrite) error {
	for _, op := range ops {
		for _, w := range op.ws {
			if err := g.writeRow(ctx, op, w); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeRow writes (or deletes) one row of op.
func (g *sqliteGroup) writeRow(ctx context.Context, op opWrite, w kvWrite) error {
	s := op.scope
	if w.value == nil {
		_, err := g.stmt(ctx, g.stmts.del).ExecContext(ctx, s.Project, s.Instance, nonNil(w.key))
		return err
	}
	var exp any
	if w.expiresAt != 0 {
		exp = w.expiresAt
	}
	_, err := g.stmt(ctx, g.stmts.upsert).ExecContext(ctx,
		s.Project, s.Instance, nonNil(w.key), w.value.Kind, nonNil(w.value.Data), op.vs[:], exp)
	return err
}

// write writes one operation inside a savepoint; an *opFailed means it was
// rolled back to it.
func (g *sqliteGroup) write(ctx context.Context, op opWrite) error {
	s := op.scope
	if _, err := g.stmt(ctx, g.stmts.savepoint).ExecContext(ctx); err != nil {
		return fmt.Errorf("writing %s: %w", s, err)
	}
	for _, w := range op.ws {
		if err := g.writeRow(ctx, op, w); err != nil {
			if _, rerr := g.tx.ExecContext(ctx, `ROLLBACK TO op; RELEASE op`); rerr != nil {
				return fmt.Errorf("writing %s: %w (and rolling back: %w)", s, err, rerr)
			}
			return &opFailed{err: err}
		}
	}
	if _, err := g.stmt(ctx, g.stmts.release).ExecContext(ctx); err != nil {
		return fmt.Errorf("writing %s: %w", s, err)
	}
	return nil
}

func (g *sqliteGroup) close() {
	if g.tx != nil {
		g.tx.Rollback() //nolint:errcheck // the group already failed
		g.tx = nil
	}
}

// sweepExpired deletes up to sweepBatch entries that expired by now. It
// goes through the writer connection, between commit groups.
func (s *SQLite) sweepExpired(ctx context.Context, now int64) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM kv WHERE (project, instance, key) IN
(SELECT project, instance, key FROM kv WHERE expires_at <= ? LIMIT ?)`, now, sweepBatch)
	if err != nil {
		return 0, fmt.Errorf("deleting expired entries in %s: %w", s.path, err)
	}
	return res.RowsAffected()
}

// scanEntries reads rows of (key, kind, value, versionstamp) and closes them.
func scanEntries(rows *sql.Rows) ([]kv.Entry, error) {
	defer rows.Close()
	var out []kv.Entry
	for rows.Next() {
		var e kv.Entry
		var vs []byte
		var exp sql.NullInt64
		if err := rows.Scan(&e.Key, &e.Value.Kind, &e.Value.Data, &vs, &exp); err != nil {
			return nil, err
		}
		if exp.Valid {
			e.ExpireAt = time.UnixMilli(exp.Int64)
		}
		var err error
		if e.Versionstamp, err = toVersionstamp(vs); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// byKey returns, for each of keys, its entry in found or nil.
func byKey(keys [][]byte, found []kv.Entry) []*kv.Entry {
	idx := make(map[string]*kv.Entry, len(found))
	for i := range found {
		idx[string(found[i].Key)] = &found[i]
	}
	out := make([]*kv.Entry, len(keys))
	for i, key := range keys {
		out[i] = idx[string(key)]
	}
	return out
}

func toVersionstamp(b []byte) (kv.Versionstamp, error) {
	var v kv.Versionstamp
	if len(b) != len(v) {
		return v, fmt.Errorf("stored versionstamp has %d bytes, want %d", len(b), len(v))
	}
	copy(v[:], b)
	return v, nil
}

// nonNil keeps an empty key or value a zero-length BLOB: a nil []byte would
// be bound as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
