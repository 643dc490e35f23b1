package placement

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Key names a coordinator instance.
type Key struct {
	Project, Instance string
}

func (k Key) String() string { return k.Project + "/" + k.Instance }

// Entry is one directory row: where an instance lives and under which epoch.
type Entry struct {
	Project  string
	Instance string
	// Region is the instance's home region: settings.Region, else the region
	// of the member that first asked. It never changes; an unpinned instance
	// whose region has no live member runs elsewhere (Owner's region differs)
	// until it moves again.
	Region string
	// Owner is the ID of the member that holds the activation; "" means
	// nobody (the next request claims it).
	Owner string
	// Epoch grows by one with every change of owner and is never reused, so
	// a commit made under an older epoch is refused.
	Epoch int64
	// Settings are the creation settings, fixed at creation.
	Settings  Settings
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Key returns the instance the entry describes.
func (e Entry) Key() Key { return Key{e.Project, e.Instance} }

// Errors from Directory.Apply. Each means the caller's read is stale: read
// the entry again and call Place again. None of them is ambiguous; the
// Postgres adapter must turn an ambiguous failure into a re-read too.
var (
	// ErrExists means a creation lost: another member created the entry first.
	ErrExists = errors.New("directory entry already exists")
	// ErrStaleEpoch means a move lost: the entry's epoch is no longer the one read.
	ErrStaleEpoch = errors.New("directory entry epoch changed since it was read")
	// ErrNotFound means a move named an entry that does not exist.
	ErrNotFound = errors.New("directory entry not found")
)

// Directory is the set of entries, a value: Apply returns a new Directory
// and leaves the receiver unchanged, so a simulation can keep old versions.
// The zero value is an empty directory.
type Directory struct {
	entries map[Key]Entry
}

// Get returns the entry for k.
func (d Directory) Get(k Key) (Entry, bool) {
	e, ok := d.entries[k]
	return e, ok
}

// Len returns the number of entries.
func (d Directory) Len() int { return len(d.entries) }

// Keys returns every key, sorted.
func (d Directory) Keys() []Key {
	out := make([]Key, 0, len(d.entries))
	for k := range d.entries {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Project != out[j].Project {
			return out[i].Project < out[j].Project
		}
		return out[i].Instance < out[j].Instance
	})
	return out
}

// Apply performs dec's write, the only way a Directory changes:
//
//   - Create inserts dec.Entry if no entry has its key, else fails with
//     ErrExists (INSERT … ON CONFLICT DO NOTHING, zero rows);
//   - Move replaces the entry if its epoch is still dec.Expected, else fails
//     with ErrStaleEpoch or ErrNotFound (UPDATE … WHERE epoch = expected);
//   - Keep writes nothing.
//
// Like the SQL it models, Apply checks only what was read; that the new
// epoch is larger is Place's rule, and the simulation checks it.
func (d Directory) Apply(dec Decision) (Directory, error) {
	k := dec.Entry.Key()
	cur, ok := d.entries[k]
	switch dec.Action {
	case Keep:
		return d, nil
	case Create:
		if ok {
			return d, fmt.Errorf("creating %s: %w (owner %s, epoch %d); read it and place again", k, ErrExists, cur.Owner, cur.Epoch)
		}
	case Move:
		if !ok {
			return d, fmt.Errorf("moving %s: %w; read it and place again", k, ErrNotFound)
		}
		if cur.Epoch != dec.Expected {
			return d, fmt.Errorf("moving %s from epoch %d: %w (now %d); read it and place again", k, dec.Expected, ErrStaleEpoch, cur.Epoch)
		}
	default:
		return d, fmt.Errorf("applying decision for %s: unknown action %d", k, dec.Action)
	}
	next := make(map[Key]Entry, len(d.entries)+1)
	for kk, e := range d.entries {
		next[kk] = e
	}
	next[k] = dec.Entry
	return Directory{entries: next}, nil
}
