package persistence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The coordinator directory: which instances of a coordinator project
// exist, with the settings they were created with and when they were last
// used. Table coordinators(project, instance, settings, created_ms,
// last_active_ms, region); the owner and epoch come from activations, the
// stored bytes from kv. directory.go reads and writes the same rows as
// the cluster's placement directory. Like deployments.go, the logic is written once against
// querier.

// CoordinatorRecord is one coordinator instance in the directory.
type CoordinatorRecord struct {
	Project, Instance string
	// Region is the instance's home region ("" for entries made by
	// EnsureCoordinator, which knows none).
	Region string
	// Settings is the JSON the creating request carried (its
	// Edge-Coordinator-Settings header); nil if none.
	Settings   []byte
	CreatedAt  time.Time
	LastActive time.Time // zero if never touched
	// Epoch and Owner are the activation's (0 and "" if never activated).
	// After DeleteCoordinator or DeleteProject the owner is "" and the
	// epoch stays, one above the last one handed out.
	Epoch int64
	Owner string
	// StoredBytes is the sum of len(key)+len(value) of its kv rows,
	// expired ones not yet swept included.
	StoredBytes int64
}

const coordinatorSelect = `SELECT c.project, c.instance, c.region, c.settings, c.created_ms, c.last_active_ms,
	coalesce(a.epoch, 0), coalesce(a.owner, ''),
	coalesce((SELECT sum(length(k.key) + length(k.value)) FROM kv k WHERE k.project = c.project AND k.instance = c.instance), 0)
FROM coordinators c LEFT JOIN activations a ON a.project = c.project AND a.instance = c.instance`

func scanCoordinator(scan func(dest ...any) error) (CoordinatorRecord, error) {
	var r CoordinatorRecord
	var created, last int64
	if err := scan(&r.Project, &r.Instance, &r.Region, &r.Settings, &created, &last, &r.Epoch, &r.Owner, &r.StoredBytes); err != nil {
		return r, err
	}
	r.CreatedAt = time.UnixMilli(created)
	if last != 0 {
		r.LastActive = time.UnixMilli(last)
	}
	return r, nil
}

// validCoordinator checks the names of a directory entry: the instance
// "" is the project's shared store, never a coordinator.
func validCoordinator(project, instance string) error {
	if project == "" || instance == "" {
		return fmt.Errorf("coordinator %q of project %q: the project and instance names must not be empty: %w", instance, project, ErrInvalid)
	}
	return nil
}

// ensureAttempts bounds EnsureCoordinator's retries: it retries only when
// the row it found existing was deleted before it could read it.
const ensureAttempts = 3

// EnsureCoordinator creates the directory entry of (project, instance)
// with settings if there is none, and returns the entry. Of any number of
// concurrent callers, on any store of the same database, exactly one gets
// created=true; the others get the entry with the first caller's
// settings. It does not check that project is deployed. ErrInvalid for
// empty names or settings that are not JSON.
func (a adminSQL) EnsureCoordinator(ctx context.Context, project, instance string, settings []byte) (CoordinatorRecord, bool, error) {
	if err := validCoordinator(project, instance); err != nil {
		return CoordinatorRecord{}, false, err
	}
	if settings != nil && !json.Valid(settings) {
		return CoordinatorRecord{}, false, fmt.Errorf("settings of coordinator %s of %s are not JSON: %w", instance, project, ErrInvalid)
	}
	// Most calls find the entry: read it without taking the write path.
	if rec, err := a.Coordinator(ctx, project, instance); err == nil {
		return rec, false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return CoordinatorRecord{}, false, err
	}
	var rec CoordinatorRecord
	var created bool
	for range ensureAttempts {
		err := a.tx(ctx, fmt.Sprintf("creating coordinator %s of %s", instance, project), false, func(q querier) error {
			// The primary key decides: of concurrent inserts exactly one
			// creates the row, and the others wait for it and do nothing.
			n, err := q.exec(ctx, `INSERT INTO coordinators (project, instance, settings, created_ms, last_active_ms) VALUES (?, ?, ?, ?, 0)
ON CONFLICT (project, instance) DO NOTHING`, project, instance, settings, time.Now().UnixMilli())
			if err != nil {
				return err
			}
			created = n == 1
			return q.query(ctx, coordinatorSelect+` WHERE c.project = ? AND c.instance = ?`, []any{project, instance},
				func(scan func(dest ...any) error) error {
					var err error
					rec, err = scanCoordinator(scan)
					return err
				})
		})
		if err != nil {
			return CoordinatorRecord{}, false, err
		}
		if rec.Project != "" {
			return rec, created, nil
		}
		// Deleted between the insert that found it and the read: again.
	}
	return CoordinatorRecord{}, false, a.wrap(fmt.Sprintf("creating coordinator %s of %s", instance, project),
		fmt.Errorf("it was deleted concurrently %d times in a row", ensureAttempts))
}

// Coordinators returns the directory entries of project, ordered by
// instance; an empty slice if there are none.
func (a adminSQL) Coordinators(ctx context.Context, project string) ([]CoordinatorRecord, error) {
	out := []CoordinatorRecord{}
	err := a.read.query(ctx, coordinatorSelect+` WHERE c.project = ? ORDER BY c.instance`, []any{project},
		func(scan func(dest ...any) error) error {
			r, err := scanCoordinator(scan)
			out = append(out, r)
			return err
		})
	if err != nil {
		return nil, a.wrap("listing the coordinators of "+project, err)
	}
	return out, nil
}

// Coordinator returns one directory entry, or ErrNotFound.
func (a adminSQL) Coordinator(ctx context.Context, project, instance string) (CoordinatorRecord, error) {
	var rec CoordinatorRecord
	err := a.read.query(ctx, coordinatorSelect+` WHERE c.project = ? AND c.instance = ?`, []any{project, instance},
		func(scan func(dest ...any) error) error {
			var err error
			rec, err = scanCoordinator(scan)
			return err
		})
	if err != nil {
		return CoordinatorRecord{}, a.wrap(fmt.Sprintf("reading coordinator %s of %s", instance, project), err)
	}
	if rec.Project == "" {
		return CoordinatorRecord{}, fmt.Errorf("coordinator %s of project %s: %w", instance, project, ErrNotFound)
	}
	return rec, nil
}

// TouchCoordinator records activity of (project, instance) at at: its
// LastActive becomes the later of the two. Nothing happens if there is no
// such entry. It is a write: call it at most every few seconds per
// instance, not per request.
func (a adminSQL) TouchCoordinator(ctx context.Context, project, instance string, at time.Time) error {
	ms := at.UnixMilli()
	_, err := a.write.exec(ctx, `UPDATE coordinators SET last_active_ms = ? WHERE project = ? AND instance = ? AND last_active_ms < ?`,
		ms, project, instance, ms)
	if err != nil {
		return a.wrap(fmt.Sprintf("recording activity of coordinator %s of %s", instance, project), err)
	}
	return nil
}

// deleteCoordinator deletes the instance's directory row and kv rows and
// fences its activation (fenceActivations). It says whether kv rows were
// deleted, for the backend to signal the scope's watchers.
func (a adminSQL) deleteCoordinator(ctx context.Context, project, instance string) (bool, error) {
	if err := validCoordinator(project, instance); err != nil {
		return false, err
	}
	var emptied bool
	err := a.tx(ctx, fmt.Sprintf("deleting coordinator %s of %s", instance, project), true, func(q querier) error {
		dir, err := q.exec(ctx, `DELETE FROM coordinators WHERE project = ? AND instance = ?`, project, instance)
		if err != nil {
			return err
		}
		rows, err := q.exec(ctx, `DELETE FROM kv WHERE project = ? AND instance = ?`, project, instance)
		if err != nil {
			return err
		}
		emptied = rows > 0
		live, err := fenceActivations(ctx, q, `project = ? AND instance = ?`, project, instance)
		if err != nil {
			return err
		}
		if dir+rows+live == 0 {
			return fmt.Errorf("coordinator %s of project %s: %w", instance, project, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return emptied, nil
}
