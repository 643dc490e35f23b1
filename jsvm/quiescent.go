package jsvm

import "time"

// Quiescence: whether an instance can be closed without cutting anything
// short. The platform hibernates a coordinator that has been quiescent for
// a while (coordinators.hibernate_after): closing it then loses only its
// in-memory state, never a callback that was still going to run.

// Quiescent reports whether nothing is pending in the instance: no request
// being handled, no timer, no host operation in flight (fetch, Deno.openKv
// and Deno.storage calls), no streamed body open in either direction and no
// KV watch. Once that holds, only a new request can make JavaScript run
// again. It asks the event loop, and answers false if the loop does not
// answer within wait (a turn is running) or the instance is closed.
func (in *Instance) Quiescent(wait time.Duration) bool {
	answer := make(chan bool, 1)
	if !in.post(func() { answer <- in.quiescent() }) {
		return false
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case q := <-answer:
		return q
	case <-t.C:
		return false
	}
}

// quiescent is Quiescent's check. Runs on the loop.
func (in *Instance) quiescent() bool {
	return in.hostPending == 0 && in.watches == 0 && len(in.timers) == 0 && len(in.fetches) == 0 &&
		len(in.responders) == 0 && len(in.awaiting) == 0 && len(in.pipes) == 0 && len(in.readers) == 0
}
