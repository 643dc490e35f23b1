package persistence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/edge-platform/edge/kv"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the store for clusters: many edge processes share one
// database. It implements kv.Store and Activate with the same behaviour as
// SQLite:
//
//   - Commits are grouped per process (one transaction per group). Each
//     group first bumps the single row of kv_meta; that row lock orders all
//     groups of all processes, so versionstamps (taken from it) are in
//     commit order, and a check read inside a group cannot be invalidated by
//     another process before the group commits. A SEQUENCE would not do:
//     its values are handed out in call order, not commit order.
//   - The epoch check reads the activation row FOR SHARE, so an Activate on
//     another node waits until the group commits (or the group sees the new
//     epoch and is fenced): two activations can never both commit.
//   - Changes are signalled in-process and, through NOTIFY on a channel
//     named after the database and schema, to other processes.
//
// When Postgres is unreachable, operations fail with an error naming the
// server (never the password); the pool reconnects on its own once it is
// back. A group whose transaction failed fails every commit in it, and a
// COMMIT that failed on the connection (so it may have applied) fails
// with kv.ErrAmbiguous.
type Postgres struct {
	// adminSQL gives the operations written once for both backends
	// (deployments, the coordinator directory, members).
	adminSQL
	pool    *pgxpool.Pool
	cfg     *pgx.ConnConfig
	where   string // host:port/database, for errors: never the password
	channel string // NOTIFY channel of this database and schema
	log     *slog.Logger
	kv      *groupCommitter[commitReq, commitRes]
	obs     commitObserver // read by the committer goroutine
	watch   *watchers
	sweeper *sweeper
	stopL   context.CancelFunc
	doneL   chan struct{}
}

// Interface guard.
var _ kv.Store = (*Postgres)(nil)

const pgSchema = `
CREATE TABLE IF NOT EXISTS activations (
	project  text COLLATE "C" NOT NULL,
	instance text COLLATE "C" NOT NULL,
	epoch    bigint NOT NULL,
	owner    text NOT NULL,
	since_ms bigint NOT NULL,
	PRIMARY KEY (project, instance)
);
CREATE TABLE IF NOT EXISTS kv (
	project      text COLLATE "C" NOT NULL,
	instance     text COLLATE "C" NOT NULL,  -- '' for a project's shared store
	key          bytea NOT NULL,             -- kv.EncodeKey: bytea compares bytewise, as keys order
	kind         smallint NOT NULL,
	value        bytea NOT NULL,
	versionstamp bytea NOT NULL,             -- 10 bytes: commit sequence (8, big-endian), index in group (2)
	expires_at   bigint,                     -- Unix ms; NULL: never
	PRIMARY KEY (project, instance, key)
);
CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS kv_meta (
	id  int PRIMARY KEY CHECK (id = 1),
	seq bigint NOT NULL
);
INSERT INTO kv_meta (id, seq) VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS projects (
	project text COLLATE "C" NOT NULL PRIMARY KEY,
	account text COLLATE "C" NOT NULL,
	current_version bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS deployments (
	project    text COLLATE "C" NOT NULL,
	version    bigint NOT NULL,
	account    text COLLATE "C" NOT NULL,
	kind       text COLLATE "C" NOT NULL,
	entry      text COLLATE "C" NOT NULL,
	source     bytea NOT NULL,             -- bytes: text refuses NUL
	size       bigint NOT NULL,
	env        text COLLATE "C" NOT NULL,  -- JSON
	domains    text COLLATE "C" NOT NULL,  -- JSON
	message    text COLLATE "C" NOT NULL,
	created_ms bigint NOT NULL,
	PRIMARY KEY (project, version)
);
CREATE TABLE IF NOT EXISTS domains (
	domain  text COLLATE "C" NOT NULL PRIMARY KEY,
	project text COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS domains_project ON domains (project);
CREATE TABLE IF NOT EXISTS coordinators (
	project        text COLLATE "C" NOT NULL,
	instance       text COLLATE "C" NOT NULL,
	settings       bytea,
	created_ms     bigint NOT NULL,
	last_active_ms bigint NOT NULL,
	region         text COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (project, instance)
);
-- Databases made before coordinators had a region gain the column. Checked
-- first rather than ADD COLUMN IF NOT EXISTS, which would take the table's
-- exclusive lock at every start of every node.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'coordinators' AND column_name = 'region') THEN
		ALTER TABLE coordinators ADD COLUMN region text COLLATE "C" NOT NULL DEFAULT '';
	END IF;
END $$;
CREATE TABLE IF NOT EXISTS members (
	id           text COLLATE "C" NOT NULL PRIMARY KEY,
	region       text COLLATE "C" NOT NULL,
	address      text NOT NULL,
	started_ms   bigint NOT NULL,
	heartbeat_ms bigint NOT NULL
);
`

// pgSchemaLock is the advisory lock taken while creating the schema, so
// that processes starting together do not race on CREATE TABLE.
const pgSchemaLock = 0x65646765_6b76 // "edgekv"

// OpenPostgres connects to the database at url (postgres://user:password@
// host:port/database?options) and creates the tables if needed. It fails
// within ctx's deadline, or 10 seconds, if the server cannot be reached.
func OpenPostgres(ctx context.Context, url string, log *slog.Logger) (*Postgres, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("invalid Postgres URL %s: %s (want postgres://user:password@host:port/database)", redactURL(url), redactPassword(err.Error(), url))
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	// One connection commits, one listens (outside the pool), one sweeps;
	// the rest serve reads.
	cfg.MaxConns = max(cfg.MaxConns, 8)
	// A node paused (SIGSTOP) inside a transaction would hold its row locks
	// until it resumes, and a member taking over its coordinators would
	// wait for them: the server ends such a transaction after a few
	// seconds (its commit then fails; nothing is acknowledged). Ours never
	// idle that long. A URL option of the same name wins.
	if _, set := cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"]; !set {
		cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = "5s"
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to Postgres at %s: %w", where, err)
	}
	p := &Postgres{pool: pool, cfg: cfg.ConnConfig, where: where, log: log, watch: newWatchers()}
	p.adminSQL = p.admin()
	var db, schema string
	if err := pool.QueryRow(ctx, `SELECT current_database(), current_schema()`).Scan(&db, &schema); err != nil {
		pool.Close()
		return nil, p.unreachable("connecting", err)
	}
	if err := p.createSchema(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte(db + "\x00" + schema))
	p.channel = fmt.Sprintf("edge_kv_%016x", h.Sum64())
	p.kv = newGroupCommitter(func(reqs []commitReq) []commitRes {
		return runGroup(p.beginGroup, p.watch.notifyScopes, &p.obs, reqs)
	})
	p.sweeper = startSweeper(sweepInterval, p.sweepExpired, log)
	lctx, stop := context.WithCancel(context.Background())
	p.stopL, p.doneL = stop, make(chan struct{})
	listening := make(chan struct{})
	go p.listen(lctx, listening)
	// Wait (briefly) for the listener, so that its first wake-up of every
	// watcher, for changes it might have missed, comes before any watcher
	// exists rather than as a spurious notification later.
	select {
	case <-listening:
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
	}
	return p, nil
}

func (p *Postgres) createSchema(ctx context.Context) error {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return p.unreachable("creating the schema", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit this is a no-op
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pgSchemaLock)); err != nil {
		return p.unreachable("creating the schema", err)
	}
	if _, err := tx.Exec(ctx, pgSchema); err != nil {
		return fmt.Errorf("creating the schema in Postgres at %s: %w (does the user own the database or schema?)", p.where, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return p.unreachable("creating the schema", err)
	}
	return nil
}

// Close stops the sweeper and the listener, waits for queued commits and
// closes the pool.
func (p *Postgres) Close() error {
	p.sweeper.stop()
	p.stopL()
	<-p.doneL
	p.kv.close()
	p.pool.Close()
	return nil
}

// unreachable wraps err from talking to the server. A server's own error
// (a *pgconn.PgError) is reported as is; anything else is the connection
// failing, and the message says what to do.
func (p *Postgres) unreachable(doing string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Errorf("%s on Postgres at %s: %w", doing, p.where, err)
	}
	return fmt.Errorf("%s: cannot reach Postgres at %s (is it running and reachable, and are the user, password and database in the URL right?): %w", doing, p.where, err)
}

// Activate records owner as the owner of (project, instance) under a new
// epoch and returns that epoch. Every commit of the previous activation
// fails with kv.ErrFenced from then on, on every node.
func (p *Postgres) Activate(ctx context.Context, project, instance, owner string) (int64, error) {
	var epoch int64
	err := p.pool.QueryRow(ctx, `
INSERT INTO activations (project, instance, epoch, owner, since_ms) VALUES ($1, $2, 1, $3, $4)
ON CONFLICT (project, instance) DO UPDATE SET epoch = activations.epoch + 1, owner = EXCLUDED.owner, since_ms = EXCLUDED.since_ms
RETURNING epoch`, project, instance, owner, time.Now().UnixMilli()).Scan(&epoch)
	if err != nil {
		return 0, p.unreachable(fmt.Sprintf("activating %s/%s", project, instance), err)
	}
	return epoch, nil
}

// Get implements kv.Store.
func (p *Postgres) Get(ctx context.Context, s kv.Scope, keys [][]byte) ([]*kv.Entry, error) {
	if len(keys) == 0 {
		return []*kv.Entry{}, nil
	}
	rows, err := p.pool.Query(ctx, `SELECT key, kind, value, versionstamp, expires_at FROM kv WHERE project = $1 AND instance = $2
AND (expires_at IS NULL OR expires_at > $3) AND key = ANY($4::bytea[])`, s.Project, s.Instance, nowMs(), nonNilAll(keys))
	if err != nil {
		return nil, p.unreachable("reading "+s.String(), err)
	}
	found, err := scanPgEntries(rows)
	if err != nil {
		return nil, p.unreachable("reading "+s.String(), err)
	}
	return byKey(keys, found), nil
}

// List implements kv.Store.
func (p *Postgres) List(ctx context.Context, s kv.Scope, r kv.Range) ([]kv.Entry, error) {
	var q strings.Builder
	q.WriteString(`SELECT key, kind, value, versionstamp, expires_at FROM kv WHERE project = $1 AND instance = $2 AND (expires_at IS NULL OR expires_at > $3)`)
	args := []any{s.Project, s.Instance, nowMs()}
	q.WriteString(` AND key >= $4 AND key < $5`)
	args = append(args, nonNil(r.Start), nonNil(r.End))
	if r.Reverse {
		q.WriteString(` ORDER BY key DESC`)
	} else {
		q.WriteString(` ORDER BY key`)
	}
	if r.Limit > 0 {
		args = append(args, r.Limit)
		fmt.Fprintf(&q, ` LIMIT $%d`, len(args))
	}
	rows, err := p.pool.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, p.unreachable("listing "+s.String(), err)
	}
	es, err := scanPgEntries(rows)
	if err != nil {
		return nil, p.unreachable("listing "+s.String(), err)
	}
	return es, nil
}

// Commit implements kv.Store.
func (p *Postgres) Commit(ctx context.Context, s kv.Scope, checks []kv.Check, muts []kv.Mutation) (kv.Versionstamp, bool, error) {
	r, err := p.kv.submit(ctx, commitReq{scope: s, checks: checks, muts: muts})
	if err != nil {
		return kv.Versionstamp{}, false, err
	}
	return r.vs, r.ok, r.err
}

// Changes implements kv.Store. Commits of other processes arrive through
// NOTIFY; while the listening connection is down they are missed, and
// every watcher is woken when it is back.
func (p *Postgres) Changes(s kv.Scope) (<-chan struct{}, func()) { return p.watch.watch(s) }

// beginGroup opens a group's transaction, takes its commit sequence number
// and reads what the group needs, in one round trip: BEGIN, the kv_meta
// bump (which waits for the groups of other processes), then the epochs
// and the rows, which therefore see everything committed before.
func (p *Postgres) beginGroup(ctx context.Context, reads []scopeRead, now int64) (groupTx, uint64, []scopeState, error) {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return nil, 0, nil, p.unreachable("beginning a commit", err)
	}
	g := &pgGroup{p: p, conn: conn}
	states := make([]scopeState, len(reads))
	at := make(map[scopeID]int, len(reads))
	var fenced, keys struct {
		projects, instances []string
		keys                [][]byte
	}
	for i, r := range reads {
		states[i].rows = make(map[string]row, len(r.keys))
		at[r.scope] = i
		if r.fenced {
			fenced.projects = append(fenced.projects, r.scope.project)
			fenced.instances = append(fenced.instances, r.scope.instance)
		}
		for _, k := range r.keys {
			keys.projects = append(keys.projects, r.scope.project)
			keys.instances = append(keys.instances, r.scope.instance)
			keys.keys = append(keys.keys, nonNil(k))
		}
	}
	var seq uint64
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(`UPDATE kv_meta SET seq = seq + 1 WHERE id = 1 RETURNING seq`).QueryRow(func(r pgx.Row) error { return r.Scan(&seq) })
	if len(fenced.projects) > 0 {
		b.Queue(`SELECT a.project, a.instance, a.epoch FROM activations a
JOIN unnest($1::text[], $2::text[]) AS q(project, instance) ON a.project = q.project AND a.instance = q.instance
FOR SHARE OF a`, fenced.projects, fenced.instances).Query(func(rs pgx.Rows) error {
			for rs.Next() {
				var id scopeID
				var epoch int64
				if err := rs.Scan(&id.project, &id.instance, &epoch); err != nil {
					return err
				}
				st := &states[at[id]]
				st.epoch, st.activated = epoch, true
			}
			return rs.Err()
		})
	}
	if len(keys.keys) > 0 {
		b.Queue(`SELECT kv.project, kv.instance, kv.key, kv.kind, kv.value, kv.versionstamp FROM kv
JOIN unnest($1::text[], $2::text[], $3::bytea[]) AS q(project, instance, key)
	ON kv.project = q.project AND kv.instance = q.instance AND kv.key = q.key
WHERE kv.expires_at IS NULL OR kv.expires_at > $4`, keys.projects, keys.instances, keys.keys, now).Query(func(rs pgx.Rows) error {
			for rs.Next() {
				var id scopeID
				var key, vs []byte
				var rw row
				var kind int16
				if err := rs.Scan(&id.project, &id.instance, &key, &kind, &rw.value.Data, &vs); err != nil {
					return err
				}
				rw.value.Kind = kv.ValueKind(kind)
				var err error
				if rw.vs, err = toVersionstamp(vs); err != nil {
					return err
				}
				states[at[id]].rows[string(key)] = rw
			}
			return rs.Err()
		})
	}
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		g.close()
		return nil, 0, nil, p.unreachable("reading to commit", err)
	}
	return g, seq, states, nil
}

// pgGroup is a group's transaction on a connection of the pool. It runs
// BEGIN and COMMIT itself, rather than through pgx.Tx, so that they travel
// in the same round trips as the group's reads and writes.
type pgGroup struct {
	p    *Postgres
	conn *pgxpool.Conn // nil once the transaction ended
	safe bool          // each operation in its own savepoint (after a refused write)
}

// commit writes ops and commits. It first sends every row of the group in
// two statements (commitRows); only if the server refuses one of them does
// it write again operation by operation, each inside its own savepoint
// (commitEach), to learn which operation it was.
func (g *pgGroup) commit(ctx context.Context, ops []opWrite, changed []kv.Scope) error {
	if !g.safe {
		err := g.commitRows(ctx, ops, changed)
		if !errors.Is(err, errRowsRefused) {
			return err
		}
		g.safe = true
	}
	return g.commitEach(ctx, ops, changed)
}

// errRowsRefused means commitRows' statements were refused and rolled back
// to the group's savepoint: the transaction is open, with its reads and
// their locks, and nothing of ops is written.
var errRowsRefused = errors.New("a write of the group was refused")

// groupRows is what a group leaves in kv: each row as the last operation
// that wrote it left it (the transaction shows no other state), as the
// arrays of one upsert and one delete.
type groupRows struct {
	setProjects, setInstances []string
	setKeys, setValues, setVS [][]byte
	setKinds                  []int16
	setExpires                []*int64
	delProjects, delInstances []string
	delKeys                   [][]byte
}

func newGroupRows(ops []opWrite) *groupRows {
	type rowID struct{ project, instance, key string }
	type lastWrite struct {
		op int // index in ops
		w  kvWrite
	}
	last := map[rowID]lastWrite{}
	var order []rowID
	for i, op := range ops {
		for _, w := range op.ws {
			id := rowID{op.scope.Project, op.scope.Instance, string(w.key)}
			if _, seen := last[id]; !seen {
				order = append(order, id)
			}
			last[id] = lastWrite{i, w}
		}
	}
	r := &groupRows{}
	for _, id := range order {
		l := last[id]
		if l.w.value == nil {
			r.delProjects = append(r.delProjects, id.project)
			r.delInstances = append(r.delInstances, id.instance)
			r.delKeys = append(r.delKeys, nonNil(l.w.key))
			continue
		}
		var exp *int64
		if l.w.expiresAt != 0 {
			e := l.w.expiresAt
			exp = &e
		}
		vs := ops[l.op].vs
		r.setProjects = append(r.setProjects, id.project)
		r.setInstances = append(r.setInstances, id.instance)
		r.setKeys = append(r.setKeys, nonNil(l.w.key))
		r.setKinds = append(r.setKinds, int16(l.w.value.Kind))
		r.setValues = append(r.setValues, nonNil(l.w.value.Data))
		r.setVS = append(r.setVS, vs[:])
		r.setExpires = append(r.setExpires, exp)
	}
	return r
}

// commitRows sends a savepoint, the group's rows in one delete and one
// upsert, the NOTIFYs and COMMIT, in one round trip: two statements
// however many operations the group holds, where commitEach sends two
// savepoint statements per operation plus one per row. If the server
// refuses the delete or the upsert, it rolls back to the savepoint and
// returns errRowsRefused.
func (g *pgGroup) commitRows(ctx context.Context, ops []opWrite, changed []kv.Scope) error {
	r := newGroupRows(ops)
	b := &pgx.Batch{}
	b.Queue(`SAVEPOINT group_rows`)
	writes := 0
	if len(r.delKeys) > 0 {
		b.Queue(`DELETE FROM kv USING unnest($1::text[], $2::text[], $3::bytea[]) AS q(project, instance, key)
WHERE kv.project = q.project AND kv.instance = q.instance AND kv.key = q.key`, r.delProjects, r.delInstances, r.delKeys)
		writes++
	}
	if len(r.setKeys) > 0 {
		b.Queue(`INSERT INTO kv (project, instance, key, kind, value, versionstamp, expires_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::int2[], $5::bytea[], $6::bytea[], $7::int8[])
ON CONFLICT (project, instance, key) DO UPDATE SET kind = EXCLUDED.kind, value = EXCLUDED.value,
	versionstamp = EXCLUDED.versionstamp, expires_at = EXCLUDED.expires_at`,
			r.setProjects, r.setInstances, r.setKeys, r.setKinds, r.setValues, r.setVS, r.setExpires)
		writes++
	}
	for _, s := range changed {
		b.Queue(`SELECT pg_notify($1, $2)`, g.p.channel, notifyPayload(s))
	}
	b.Queue(`COMMIT`)
	ended, failed, err := g.exec(ctx, b, 1+writes+len(changed)+1)
	if ended {
		return err
	}
	if statementError(err) && failed >= 1 && failed <= writes {
		// The server refused the delete or the upsert: the rest of the
		// batch, COMMIT included, did not run.
		if _, rerr := g.conn.Exec(ctx, `ROLLBACK TO SAVEPOINT group_rows; RELEASE group_rows`); rerr == nil {
			return errRowsRefused
		}
		g.close()
		return g.p.unreachable("writing a group", err)
	}
	return g.failed(err)
}

// commitEach sends every write of ops, each inside its savepoint, the
// NOTIFYs and COMMIT, in one round trip. After an error, the server skips
// the rest of the batch (COMMIT included), so a refused write leaves the
// transaction open, in its failed state, until the rollback to that
// operation's savepoint.
func (g *pgGroup) commitEach(ctx context.Context, ops []opWrite, changed []kv.Scope) error {
	b := &pgx.Batch{}
	var owner []int // owner[q]: the operation statement q writes for, -1 if none
	queue := func(op int, sql string, args ...any) {
		b.Queue(sql, args...)
		owner = append(owner, op)
	}
	for i, op := range ops {
		s := op.scope
		queue(i, `SAVEPOINT op`)
		for _, w := range op.ws {
			if w.value == nil {
				queue(i, `DELETE FROM kv WHERE project = $1 AND instance = $2 AND key = $3`, s.Project, s.Instance, nonNil(w.key))
				continue
			}
			var exp *int64
			if w.expiresAt != 0 {
				exp = &w.expiresAt
			}
			queue(i, `INSERT INTO kv (project, instance, key, kind, value, versionstamp, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (project, instance, key) DO UPDATE SET kind = EXCLUDED.kind, value = EXCLUDED.value,
	versionstamp = EXCLUDED.versionstamp, expires_at = EXCLUDED.expires_at`,
				s.Project, s.Instance, nonNil(w.key), int16(w.value.Kind), nonNil(w.value.Data), op.vs[:], exp)
		}
		queue(i, `RELEASE op`)
	}
	// Delivered to listeners only if, and when, the transaction commits.
	for _, s := range changed {
		queue(-1, `SELECT pg_notify($1, $2)`, g.p.channel, notifyPayload(s))
	}
	queue(-1, `COMMIT`)
	ended, failed, err := g.exec(ctx, b, len(owner))
	if ended {
		return err
	}
	// A statement's ERROR means the server skipped the rest of the batch, so
	// COMMIT did not run. A FATAL one (the connection is being terminated)
	// proves nothing: it may come after COMMIT ran but before its result was
	// sent.
	if statementError(err) && failed >= 0 && owner[failed] >= 0 {
		// The server refused a write: undo that operation only.
		op := owner[failed]
		if _, rerr := g.conn.Exec(ctx, `ROLLBACK TO SAVEPOINT op; RELEASE op`); rerr == nil {
			return &opFailed{op: op, err: err}
		}
		g.close()
		return g.p.unreachable("writing "+ops[op].scope.String(), err)
	}
	return g.failed(err)
}

// exec sends b, whose last statement is COMMIT, and reads its n results.
// ended reports that the transaction is over (committed if err is nil);
// otherwise statement failed (or -1) failed with err and the transaction
// is still open.
func (g *pgGroup) exec(ctx context.Context, b *pgx.Batch, n int) (ended bool, failed int, err error) {
	br := g.conn.SendBatch(ctx, b)
	var tag pgconn.CommandTag
	failed = -1
	for q := range n {
		if tag, err = br.Exec(); err != nil {
			failed = q
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, failed, err
	}
	g.conn.Release()
	g.conn = nil
	if tag.String() == "ROLLBACK" {
		return true, -1, fmt.Errorf("committing to Postgres at %s: %w", g.p.where, pgx.ErrTxCommitRollback)
	}
	return true, -1, nil
}

// failed ends the transaction after err, which the server's refusal of an
// operation does not explain, and says whether the COMMIT may have applied.
func (g *pgGroup) failed(err error) error {
	g.close()
	if statementError(err) || pgconn.SafeToRetry(err) {
		return fmt.Errorf("committing to Postgres at %s: %w", g.p.where, err)
	}
	// The COMMIT may have reached the server before the connection failed.
	return fmt.Errorf("committing to Postgres at %s: %w: %w", g.p.where, kv.ErrAmbiguous, err)
}

// statementError says whether err is the server refusing one statement
// (severity ERROR), with the session going on.
func statementError(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	sev := pgErr.SeverityUnlocalized
	if sev == "" {
		sev = pgErr.Severity
	}
	return sev == "ERROR"
}

func (g *pgGroup) close() {
	if g.conn == nil {
		return
	}
	if g.conn.Conn().PgConn().TxStatus() != 'I' {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		g.conn.Exec(ctx, `ROLLBACK`) //nolint:errcheck // the group already failed; a connection still in a transaction is discarded on release
		cancel()
	}
	g.conn.Release()
	g.conn = nil
}

// sweepExpired deletes up to sweepBatch entries that expired by now. It
// takes the kv_meta row lock first, like a commit group, so it never
// deadlocks with one over the rows both touch.
func (p *Postgres) sweepExpired(ctx context.Context, now int64) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT seq FROM kv_meta WHERE id = 1 FOR UPDATE`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM kv WHERE ctid IN (SELECT ctid FROM kv WHERE expires_at <= $1 LIMIT $2)`, now, sweepBatch)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, p.unreachable("deleting expired entries", err)
	}
	return n, nil
}

// listen wakes local watchers for other processes' commits. It holds its
// own connection (outside the pool) and reconnects with backoff.
func (p *Postgres) listen(ctx context.Context, listening chan struct{}) {
	defer close(p.doneL)
	backoff := 100 * time.Millisecond
	var once sync.Once
	for ctx.Err() == nil {
		err := p.listenOnce(ctx, func() {
			backoff = 100 * time.Millisecond
			once.Do(func() { close(listening) })
		})
		once.Do(func() { close(listening) }) // failed: do not keep OpenPostgres waiting
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("listening for changes from other processes", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (p *Postgres) listenOnce(ctx context.Context, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, p.cfg.Copy())
	if err != nil {
		return p.unreachable("connecting to listen", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx) //nolint:errcheck // closing a listener
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{p.channel}.Sanitize()); err != nil {
		return p.unreachable("listening", err)
	}
	// Commits made while no connection listened were missed.
	p.watch.notifyAll()
	connected()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return p.unreachable("waiting for notifications", err)
		}
		var parts []string
		if json.Unmarshal([]byte(n.Payload), &parts) != nil || len(parts) != 2 {
			p.watch.notifyAll()
			continue
		}
		p.watch.notify(scopeID{parts[0], parts[1]})
	}
}

// notifyPayload names s in a NOTIFY payload (JSON [project, instance]).
// Postgres caps a payload below 8,000 bytes; a longer one becomes "*",
// which wakes every watcher.
func notifyPayload(s kv.Scope) string {
	b, _ := json.Marshal([]string{s.Project, s.Instance})
	if len(b) > 7000 {
		return "*"
	}
	return string(b)
}

func scanPgEntries(rows pgx.Rows) ([]kv.Entry, error) {
	defer rows.Close()
	var out []kv.Entry
	for rows.Next() {
		var e kv.Entry
		var kind int16
		var vs []byte
		var exp *int64
		if err := rows.Scan(&e.Key, &kind, &e.Value.Data, &vs, &exp); err != nil {
			return nil, err
		}
		if exp != nil {
			e.ExpireAt = time.UnixMilli(*exp)
		}
		e.Value.Kind = kv.ValueKind(kind)
		var err error
		if e.Versionstamp, err = toVersionstamp(vs); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func nonNilAll(keys [][]byte) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = nonNil(k)
	}
	return out
}

// redactURL is url without its password, for error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// redactPassword removes url's password from msg.
func redactPassword(msg, raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}
