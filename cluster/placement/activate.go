package placement

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotOwner means a member was asked to run an instance that the stored
// entry gives to another member: whoever routed the request used a stale
// lookup. Re-read the entry, place again and route to its owner.
var ErrNotOwner = errors.New("not the owner")

// Activate is the claim a member makes when it starts an activation of an
// instance the directory gives it: the same owner under the next epoch, to
// be written with Directory.Apply like a move. Every activation takes its
// own epoch, even on the same member, so writes still in flight from an
// activation that was discarded (after a commit with an unknown outcome, for
// example) are fenced from the new one.
func Activate(stored Entry, member string, now time.Time) (Decision, error) {
	if stored.Owner != member || member == "" {
		return Decision{}, fmt.Errorf("activating %s on %q: %w (the owner is %q at epoch %d); re-read the entry and route again",
			stored.Key(), member, ErrNotOwner, stored.Owner, stored.Epoch)
	}
	next := stored
	next.Epoch = stored.Epoch + 1
	next.UpdatedAt = now
	return Decision{Action: Move, Entry: next, Expected: stored.Epoch}, nil
}
