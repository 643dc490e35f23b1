package placement

import (
	"errors"
	"fmt"
)

// ErrSuperseded means an activation's epoch is no longer the stored one (or
// its member no longer the owner): another activation has, or may have,
// taken over. The activation must stop without writing; the next request
// activates anew under a new epoch.
var ErrSuperseded = errors.New("activation superseded")

// CanCommit reports whether the activation of member at epoch may commit,
// given the entry as stored at the moment of the commit: only the stored
// owner at the stored epoch may. The store performs this check inside the
// commit's transaction, so it holds whatever members believe.
//
// Liveness does not enter: a member whose lease expired but whose instance
// nobody moved yet still commits, which is safe because moving requires a
// new epoch first. A member that was paused (SIGSTOP) past its lease and
// whose instances moved finds a larger epoch on resuming and fails here; it
// regains an instance only by a new claim, which bumps the epoch again.
func CanCommit(stored Entry, member string, epoch int64) bool {
	return stored.Owner != "" && stored.Owner == member && stored.Epoch == epoch
}

// CheckCommit is CanCommit with an error that names who holds the instance.
func CheckCommit(stored Entry, member string, epoch int64) error {
	if CanCommit(stored, member, epoch) {
		return nil
	}
	return fmt.Errorf("commit to %s by %s at epoch %d: %w by %q at epoch %d; stop this activation",
		stored.Key(), member, epoch, ErrSuperseded, stored.Owner, stored.Epoch)
}
