package persistence

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/edge-platform/edge/kv"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The deployments (deployments.go) and the coordinator directory
// (coordinators.go) on Postgres: plain transactions on the pool. Lock
// order, which keeps them free of deadlocks with each other and with
// commit groups: kv_meta (only the operations that delete kv rows, taken
// first, as a commit group takes it), then a project's row in projects,
// then domains in sorted order, then coordinators rows, then activations
// (directory.go's writes lock only these two, in this order).

// pgRunner is what *pgxpool.Pool and pgx.Tx share.
type pgRunner interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

type pgQuerier struct{ r pgRunner }

// pgPlaceholders rewrites the ? placeholders of q as $1, $2... (the
// admin queries have no ? inside literals).
func pgPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (q pgQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.r.Exec(ctx, pgPlaceholders(query), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (q pgQuerier) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
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

func (q pgQuerier) query(ctx context.Context, query string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := q.r.Query(ctx, pgPlaceholders(query), args...)
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

func (p *Postgres) admin() adminSQL {
	return adminSQL{
		read:      pgQuerier{p.pool},
		write:     pgQuerier{p.pool},
		inTx:      p.adminTx,
		forUpdate: " FOR UPDATE",
		clock:     `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`,
		wrap:      p.unreachable,
	}
}

// adminTxAttempts bounds the retries of a transaction the server aborted
// to resolve a conflict (serialization failure or deadlock: possible on
// serializable databases such as CockroachDB, not expected on Postgres
// with the lock order above).
const adminTxAttempts = 3

func (p *Postgres) adminTx(ctx context.Context, lockKV bool, fn func(querier) error) error {
	var err error
	for range adminTxAttempts {
		err = pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
			if lockKV {
				// Commit groups read rows first and write later, relying on
				// no one else writing kv rows while they hold kv_meta.
				if _, err := tx.Exec(ctx, `SELECT seq FROM kv_meta WHERE id = 1 FOR UPDATE`); err != nil {
					return err
				}
			}
			return fn(pgQuerier{tx})
		})
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "40001" && pgErr.Code != "40P01" {
			return err
		}
	}
	return err
}

// notifyDeleted signals the watchers of scopes whose rows a deletion
// removed, here and, through NOTIFY, in other processes. A NOTIFY that
// fails is only logged: the deletion is committed.
func (p *Postgres) notifyDeleted(ctx context.Context, ids []scopeID) {
	p.watch.notify(ids...)
	for _, id := range ids {
		if _, err := p.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, p.channel, notifyPayload(kv.Scope{Project: id.project, Instance: id.instance})); err != nil {
			p.log.Warn("notifying other processes of a deletion", "project", id.project, "instance", id.instance, "err", err)
			return
		}
	}
}

// DeleteProject: see SQLite.DeleteProject. Activations are fenced on
// every node: their commit groups read the epoch inside their transaction.
func (p *Postgres) DeleteProject(ctx context.Context, project string) error {
	emptied, err := p.adminSQL.deleteProject(ctx, project)
	if err == nil {
		p.notifyDeleted(ctx, emptied)
	}
	return err
}

// DeleteCoordinator: see SQLite.DeleteCoordinator.
func (p *Postgres) DeleteCoordinator(ctx context.Context, project, instance string) error {
	emptied, err := p.adminSQL.deleteCoordinator(ctx, project, instance)
	if err == nil && emptied {
		p.notifyDeleted(ctx, []scopeID{{project, instance}})
	}
	return err
}
