package persistence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/edge-platform/edge/cluster/placement"
)

// The cluster's placement directory (package cluster/placement) stored in
// the coordinator directory's tables. An entry is an instance's
// coordinators row (region, settings, created_ms) joined with its
// activations row (owner, epoch, since_ms). The two stay apart because
// every kv commit checks the epoch in activations (fencing, kvcommit.go);
// the writes here change that row only the ways placement.Directory.Apply
// allows: insert if absent (CreateEntry), or compare-and-set on the epoch
// that was read (MoveEntry, ActivateOwned). Each such write raises the
// epoch, so a commit of any earlier activation fails with kv.ErrFenced,
// and no epoch is ever handed out twice. On Postgres the UPDATEs wait for
// commit groups holding the activation row FOR SHARE, and the reverse, so
// a commit either lands before a move or is fenced by it.
//
// Written once against querier, like deployments.go.

// entrySelect reads the entry of one instance: no row if it has no
// coordinators row; owner "", epoch 0 and since 0 if no activations row.
const entrySelect = `SELECT c.project, c.instance, c.region, c.settings, c.created_ms,
	coalesce(a.owner, ''), coalesce(a.epoch, 0), coalesce(a.since_ms, 0)
FROM coordinators c LEFT JOIN activations a ON a.project = c.project AND a.instance = c.instance
WHERE c.project = ? AND c.instance = ?`

// readEntry reads the entry of (project, instance) with q; found is false
// if the instance has no coordinators row.
func readEntry(ctx context.Context, q querier, project, instance string) (e placement.Entry, found bool, err error) {
	err = q.query(ctx, entrySelect, []any{project, instance}, func(scan func(dest ...any) error) error {
		var settings []byte
		var created, since int64
		if err := scan(&e.Project, &e.Instance, &e.Region, &settings, &created, &e.Owner, &e.Epoch, &since); err != nil {
			return err
		}
		found = true
		e.Settings = entrySettings(settings)
		e.CreatedAt = time.UnixMilli(created)
		if since != 0 {
			e.UpdatedAt = time.UnixMilli(since)
		}
		return nil
	})
	return e, found, err
}

// entrySettings parses stored settings: the "region" (string) and
// "pinned" (bool) fields, any others ignored. Settings that are absent, or
// do not parse with those types, are zero Settings: they were checked to
// be JSON when stored, and placing an instance must not fail on them.
func entrySettings(raw []byte) placement.Settings {
	var s struct {
		Region string `json:"region"`
		Pinned bool   `json:"pinned"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return placement.Settings{}
	}
	return placement.Settings{Region: s.Region, Pinned: s.Pinned}
}

// entryNotFound is the error of an instance without a coordinators row:
// it wraps both this package's ErrNotFound and placement's.
func entryNotFound(doing, project, instance string) error {
	return fmt.Errorf("%s: coordinator %s of project %s has no directory entry: %w (%w)",
		doing, instance, project, ErrNotFound, placement.ErrNotFound)
}

// DirectoryEntry returns the placement entry of (project, instance): its
// directory row with the owner and epoch of its activation (owner "" and
// epoch 0 if it was never activated; UpdatedAt is when the activation row
// last changed, zero if none). Settings are the "region" and "pinned"
// fields of the stored settings, zero if they do not parse. It fails with
// ErrNotFound (and placement.ErrNotFound) if there is no directory row,
// ErrInvalid for empty names.
func (a adminSQL) DirectoryEntry(ctx context.Context, project, instance string) (placement.Entry, error) {
	if err := validCoordinator(project, instance); err != nil {
		return placement.Entry{}, err
	}
	e, found, err := readEntry(ctx, a.read, project, instance)
	if err != nil {
		return placement.Entry{}, a.wrap(fmt.Sprintf("reading the directory entry of coordinator %s of %s", instance, project), err)
	}
	if !found {
		return placement.Entry{}, entryNotFound("reading the directory entry", project, instance)
	}
	return e, nil
}

// CreateEntry stores e, with rawSettings (nil, or JSON) as its settings,
// if (e.Project, e.Instance) has no directory row: the row and its
// activation, in one transaction. If the row exists nothing is written.
// Either way it returns the entry as stored after the call, and whether
// this call created it: of any number of concurrent calls, on any store of
// the same database, exactly one gets created = true. Settings come from
// rawSettings, not e.Settings; a zero CreatedAt or UpdatedAt means now.
// If an activation row outlived a deleted instance, the new epoch is the
// larger of e.Epoch and one above the old, so no epoch is reused.
// ErrInvalid for empty names, an epoch below 1 or settings that are not
// JSON.
func (a adminSQL) CreateEntry(ctx context.Context, e placement.Entry, rawSettings []byte) (placement.Entry, bool, error) {
	if err := validCoordinator(e.Project, e.Instance); err != nil {
		return placement.Entry{}, false, err
	}
	if rawSettings != nil && !json.Valid(rawSettings) {
		return placement.Entry{}, false, fmt.Errorf("settings of coordinator %s of %s are not JSON (send a JSON object, or none): %w",
			e.Instance, e.Project, ErrInvalid)
	}
	if e.Epoch < 1 {
		return placement.Entry{}, false, fmt.Errorf("creating the directory entry of coordinator %s of %s at epoch %d: a new entry's epoch must be at least 1: %w",
			e.Instance, e.Project, e.Epoch, ErrInvalid)
	}
	now := time.Now()
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now
	}
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = now
	}
	doing := fmt.Sprintf("creating the directory entry of coordinator %s of %s", e.Instance, e.Project)
	var stored placement.Entry
	var created, found bool
	for range ensureAttempts {
		err := a.tx(ctx, doing, false, func(q querier) error {
			// The primary key decides: of concurrent inserts, on any node,
			// exactly one creates the row; the others wait for it to commit
			// and do nothing, then read what it wrote.
			n, err := q.exec(ctx, `INSERT INTO coordinators (project, instance, settings, region, created_ms, last_active_ms)
VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (project, instance) DO NOTHING`,
				e.Project, e.Instance, rawSettings, e.Region, e.CreatedAt.UnixMilli())
			if err != nil {
				return err
			}
			created = n == 1
			if created {
				// An activations row survives the deletion of its instance
				// (fenceActivations), or predates the entry (Activate). Its
				// epoch may have been handed out: the new one must be larger.
				if _, err := q.exec(ctx, `INSERT INTO activations (project, instance, epoch, owner, since_ms) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (project, instance) DO UPDATE SET owner = excluded.owner, since_ms = excluded.since_ms,
	epoch = CASE WHEN activations.epoch + 1 > excluded.epoch THEN activations.epoch + 1 ELSE excluded.epoch END`,
					e.Project, e.Instance, e.Epoch, e.Owner, e.UpdatedAt.UnixMilli()); err != nil {
					return err
				}
			}
			stored, found, err = readEntry(ctx, q, e.Project, e.Instance)
			return err
		})
		if err != nil {
			return placement.Entry{}, false, err
		}
		if found {
			return stored, created, nil
		}
		// Deleted between the insert that found it and the read: again.
	}
	return placement.Entry{}, false, a.wrap(doing, fmt.Errorf("it was deleted concurrently %d times in a row; try again", ensureAttempts))
}

// MoveEntry makes member to the owner of (project, instance) under epoch
// expected+1, if the stored epoch is still expected, and returns the new
// epoch; commits of the previous activation are fenced from then on.
// expected 0 means no activation was read: then it records the first one,
// at epoch 1, if there is still none. It fails with placement.ErrStaleEpoch
// if the epoch changed, ErrNotFound (and placement.ErrNotFound) if the
// instance has no directory row: in both cases re-read the entry and place
// it again.
func (a adminSQL) MoveEntry(ctx context.Context, project, instance, to string, expected int64) (int64, error) {
	if err := validCoordinator(project, instance); err != nil {
		return 0, err
	}
	doing := fmt.Sprintf("moving coordinator %s of %s to member %q", instance, project, to)
	if to == "" || expected < 0 {
		return 0, fmt.Errorf("%s from epoch %d: the new owner must be a member ID and the epoch read 0 or more: %w", doing, expected, ErrInvalid)
	}
	now := time.Now().UnixMilli()
	if expected == 0 {
		// Nothing was read of activations: only inserting the first row
		// can succeed. (CAST: the SELECT gives Postgres no column to infer
		// the parameter's type from. The WHERE also resolves SQLite's
		// ambiguity between the SELECT's ON and the upsert's.)
		n, err := a.write.exec(ctx, `INSERT INTO activations (project, instance, epoch, owner, since_ms)
SELECT ?, ?, 1, ?, CAST(? AS BIGINT) WHERE EXISTS (SELECT 1 FROM coordinators WHERE project = ? AND instance = ?)
ON CONFLICT (project, instance) DO NOTHING`, project, instance, to, now, project, instance)
		if err != nil {
			return 0, a.wrap(doing, err)
		}
		if n == 1 {
			return 1, nil
		}
	} else {
		var epoch int64
		err := a.write.queryRow(ctx, `UPDATE activations SET owner = ?, epoch = epoch + 1, since_ms = ?
WHERE project = ? AND instance = ? AND epoch = ?
	AND EXISTS (SELECT 1 FROM coordinators WHERE project = ? AND instance = ?)
RETURNING epoch`, []any{to, now, project, instance, expected, project, instance}, &epoch)
		if err == nil {
			return epoch, nil
		}
		if !errors.Is(err, errNoRows) {
			return 0, a.wrap(doing, err)
		}
	}
	// Nothing written: say why, from what is stored now.
	cur, found, err := readEntry(ctx, a.read, project, instance)
	if err != nil {
		return 0, a.wrap(doing+": reading why the move did not apply", err)
	}
	if !found {
		return 0, fmt.Errorf("%w; re-read it and place it again", entryNotFound(doing, project, instance))
	}
	return 0, fmt.Errorf("%s from epoch %d: %w (it is now %d, owner %q); re-read the entry and place it again",
		doing, expected, placement.ErrStaleEpoch, cur.Epoch, cur.Owner)
}

// ActivateOwned starts a new activation of (project, instance) on member
// owner, which the entry must already name: the epoch goes up by one,
// fencing the member's previous activation, and is returned. It fails
// with placement.ErrNotOwner, naming the stored owner and epoch, if
// another member (or none) owns the instance.
func (a adminSQL) ActivateOwned(ctx context.Context, project, instance, owner string) (int64, error) {
	if err := validCoordinator(project, instance); err != nil {
		return 0, err
	}
	doing := fmt.Sprintf("activating coordinator %s of %s on member %q", instance, project, owner)
	if owner == "" {
		return 0, fmt.Errorf("%s: the member ID must not be empty: %w", doing, ErrInvalid)
	}
	var epoch int64
	err := a.write.queryRow(ctx, `UPDATE activations SET epoch = epoch + 1, since_ms = ?
WHERE project = ? AND instance = ? AND owner = ? RETURNING epoch`, []any{time.Now().UnixMilli(), project, instance, owner}, &epoch)
	if err == nil {
		return epoch, nil
	}
	if !errors.Is(err, errNoRows) {
		return 0, a.wrap(doing, err)
	}
	var stored string
	var at int64
	err = a.read.queryRow(ctx, `SELECT owner, epoch FROM activations WHERE project = ? AND instance = ?`, []any{project, instance}, &stored, &at)
	if err != nil && !errors.Is(err, errNoRows) {
		return 0, a.wrap(doing+": reading who owns it", err)
	}
	return 0, fmt.Errorf("%s: %w (the owner is %q at epoch %d); re-read the entry and route to its owner", doing, placement.ErrNotOwner, stored, at)
}
