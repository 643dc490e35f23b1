// Package placement is the pure core of the coordinator directory: where a
// coordinator instance lives, when it moves, and which activation may write.
//
// It owns four decisions:
//
//   - liveness: a member is alive while its last heartbeat is within the
//     lease (Membership), judged by a time the caller passes in;
//   - placement: Place picks the owner of a new instance, keeps a live owner,
//     and moves an instance whose owner is dead (same region first, another
//     region only when the instance is not pinned);
//   - the directory's write rule: Directory changes only by insert-if-absent
//     (creation) or compare-and-set on the epoch that was read (a move), the
//     two row operations the Postgres directory will perform;
//   - fencing: CanCommit is true only for the stored owner at the stored epoch.
//
// It must never do I/O, read the wall clock, sleep, draw random numbers or
// start goroutines: every input, the time included, arrives as an argument,
// so the same inputs always give the same decision and a seeded simulation
// (placement_sim_test.go) can replay any history. TestCoreIsPure enforces
// this. Adapters in cluster and persistence perform the reads and writes;
// correctness never depends on members agreeing on membership, only on the
// store's compare-and-set and the epoch check at commit.
package placement
