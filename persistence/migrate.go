package persistence

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"

	"github.com/edge-platform/edge/kv"
)

// migrateStorage moves the rows of the table Deno.storage used before the
// store was KV, storage(project, instance, key TEXT, value BLOB), into kv,
// then drops it, all in one transaction: an interrupted migration leaves
// the old table whole and runs again at the next open. Key k becomes the
// KV key [k] (kv.EncodeKey), so Deno.storage's keys keep their meaning;
// values were JSON text and become KindJSON. All migrated entries get the
// versionstamp of one commit.
func migrateStorage(ctx context.Context, db *sql.DB, path string) (int, error) {
	var exists int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'storage'`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("looking for the old storage table in %s: %w", path, err)
	}
	if exists == 0 {
		return 0, nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("migrating the old storage table in %s: %w", path, err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	n, err := copyStorage(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("migrating the old storage table in %s: %w", path, err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE storage`); err != nil {
		return 0, fmt.Errorf("migrating the old storage table in %s: dropping it: %w", path, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("migrating the old storage table in %s: committing: %w", path, err)
	}
	return n, nil
}

type oldRow struct {
	project, instance, key string
	value                  []byte
}

func copyStorage(ctx context.Context, tx *sql.Tx) (int, error) {
	var seq uint64
	if err := tx.QueryRowContext(ctx, `UPDATE kv_meta SET seq = seq + 1 WHERE id = 1 RETURNING seq`).Scan(&seq); err != nil {
		return 0, err
	}
	var vs kv.Versionstamp
	binary.BigEndian.PutUint64(vs[:8], seq)
	// In pages, so that no statement runs while a result set is open on the
	// transaction's one connection.
	const page = 1000
	n := 0
	var last oldRow
	for {
		rows, err := tx.QueryContext(ctx, `SELECT project, instance, key, value FROM storage
WHERE (project, instance, key) > (?, ?, ?) ORDER BY project, instance, key LIMIT ?`, last.project, last.instance, last.key, page)
		if err != nil {
			return n, err
		}
		var batch []oldRow
		for rows.Next() {
			var r oldRow
			if err := rows.Scan(&r.project, &r.instance, &r.key, &r.value); err != nil {
				rows.Close()
				return n, err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
		for _, r := range batch {
			key, err := kv.EncodeKey(kv.Key{r.key})
			if err != nil {
				return n, fmt.Errorf("key %q of %s/%s: %w", r.key, r.project, r.instance, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO kv (project, instance, key, kind, value, versionstamp) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (project, instance, key) DO NOTHING`, r.project, r.instance, key, kv.KindJSON, nonNil(r.value), vs[:]); err != nil {
				return n, err
			}
			n++
		}
		if len(batch) < page {
			return n, nil
		}
		last = batch[len(batch)-1]
	}
}

// addedColumns are the columns added to tables after their first release,
// with their definitions; the schema's CREATE TABLE has them already, so
// only databases made before get them from migrateColumns.
var addedColumns = []struct{ table, column, def string }{
	{"coordinators", "region", `TEXT NOT NULL DEFAULT ''`},
}

// migrateColumns adds the addedColumns an older database lacks, in one
// transaction that takes the write lock first, so that two processes
// opening the same file do not both add a column.
func migrateColumns(ctx context.Context, db *sql.DB, path string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("adding new columns to %s: %w", path, err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	if _, err := tx.ExecContext(ctx, `UPDATE kv_meta SET seq = seq WHERE id = 1`); err != nil {
		return fmt.Errorf("adding new columns to %s: taking the write lock: %w", path, err)
	}
	for _, c := range addedColumns {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, c.table, c.column).Scan(&n); err != nil {
			return fmt.Errorf("adding column %s to table %s of %s: %w", c.column, c.table, path, err)
		}
		if n > 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+c.table+` ADD COLUMN `+c.column+` `+c.def); err != nil {
			return fmt.Errorf("adding column %s to table %s of %s: %w (is the file writable?)", c.column, c.table, path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("adding new columns to %s: committing: %w", path, err)
	}
	return nil
}
