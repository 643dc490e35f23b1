// Package logbook keeps the recent console output and uncaught errors of
// each project, in memory, for `edge logs <project> [--follow]`: a bounded
// ring of lines per project, and followers that get the last lines and
// then every new one.
//
// It owns only what a node has seen since it started: lines are not
// persisted, and a project's lines live on the node that ran its code.
// Appending must never block or grow without bound, whoever reads: a
// follower that does not keep up loses lines (and is told how many), the
// code that logs never waits for it.
//
// # Lock order
//
// Book.mu, then follower.mu. A follower's goroutine takes only its own
// mu, and sends to its reader holding no lock.
package logbook

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"

	"github.com/edge-platform/edge/admin"
)

// DefaultPerProject is how many lines a Book keeps per project when New
// is given 0 or less: about a screenful of history for each of a few
// hundred projects, without holding much memory (a line is its text plus
// ~100 bytes).
const DefaultPerProject = 1000

// Book holds the recent lines of every project. Its methods are safe for
// concurrent use.
type Book struct {
	perProject int
	// boot names this Book among all the Books a node ever had: a cursor
	// from another Book (a restarted node) is not one of this Book's.
	boot string

	mu       sync.Mutex
	projects map[string]*projectLog
}

// projectLog is one project's lines and followers. It exists while it has
// either.
type projectLog struct {
	lines     []admin.LogLine // a ring once full: the oldest is at start
	start     int
	followers map[*follower]struct{}
	// seq counts the lines ever appended: the newest line is number seq,
	// the oldest one kept is seq-len(lines)+1. Forget keeps counting, so
	// that a cursor taken before stays meaningful.
	seq uint64
}

// New returns a Book that keeps the last perProject lines of each project
// (DefaultPerProject if perProject <= 0).
func New(perProject int) *Book {
	if perProject <= 0 {
		perProject = DefaultPerProject
	}
	return &Book{perProject: perProject, boot: rand.Text(), projects: map[string]*projectLog{}}
}

// Boot names this Book: cursors (see Since) are valid only with the Book
// that gave them.
func (b *Book) Boot() string { return b.boot }

// Append records line under line.Project and hands it to the project's
// followers. It never blocks on a follower.
func (b *Book) Append(line admin.LogLine) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.projects[line.Project]
	if p == nil {
		p = &projectLog{}
		b.projects[line.Project] = p
	}
	p.seq++
	if len(p.lines) < b.perProject {
		p.lines = appendBounded(p.lines, line, b.perProject)
	} else {
		p.lines[p.start] = line
		p.start = (p.start + 1) % len(p.lines)
	}
	for f := range p.followers {
		f.offer(line)
	}
}

// Tail returns the last n lines of project (all of them if it has fewer),
// oldest first; none if n <= 0. The slice is the caller's.
func (b *Book) Tail(project string, n int) []admin.LogLine {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tailLocked(project, n)
}

func (b *Book) tailLocked(project string, n int) []admin.LogLine {
	p := b.projects[project]
	if p == nil || n <= 0 {
		return nil
	}
	n = min(n, len(p.lines))
	out := make([]admin.LogLine, 0, n)
	for i := len(p.lines) - n; i < len(p.lines); i++ {
		out = append(out, p.lines[(p.start+i)%len(p.lines)])
	}
	return out
}

// Since returns the lines of project appended after line number after
// (see Next), oldest first, and the number of the newest line, to pass as
// after next time. Lines that were appended after after but are no longer
// kept (the ring overwrote them, or Forget dropped them) are counted in
// dropped. A cursor this Book did not give (after beyond its newest line:
// the project was forgotten while nobody followed it, and numbering began
// again) is taken as 0.
func (b *Book) Since(project string, after uint64) (lines []admin.LogLine, next uint64, dropped int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.projects[project]
	if p == nil {
		return nil, 0, 0
	}
	if after > p.seq {
		after = 0
	}
	oldest := p.seq - uint64(len(p.lines)) + 1
	if after+1 < oldest {
		dropped = int(oldest - after - 1)
		after = oldest - 1
	}
	return b.tailLocked(project, int(p.seq-after)), p.seq, dropped
}

// TailSince is Tail with the number of the newest line, to pass to Since.
func (b *Book) TailSince(project string, n int) ([]admin.LogLine, uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var seq uint64
	if p := b.projects[project]; p != nil {
		seq = p.seq
	}
	return b.tailLocked(project, n), seq
}

// Follow returns a channel that gets the last tail lines of project, then
// every line appended to it, until ctx ends; then the channel is closed.
// No line is missed or repeated between the tail and the live lines.
//
// While the reader keeps up, it gets every line in order. Lines appended
// while it is more than the Book's per-project count behind are dropped,
// and it then gets, after the lines it was behind by, one line saying how
// many were dropped (level warn, no instance, the time of the last dropped
// line).
// Following costs one goroutine until ctx ends, and holds at most twice
// the per-project count of lines (plus one).
func (b *Book) Follow(ctx context.Context, project string, tail int) <-chan admin.LogLine {
	_, out := b.follow(ctx, project, tail, true)
	return out
}

// TailFollow is Follow with the tail returned apart: the channel gets only
// the lines appended after those, with none missed or repeated between
// them. A caller that merges the tail with other lines (other nodes') uses
// it.
func (b *Book) TailFollow(ctx context.Context, project string, tail int) ([]admin.LogLine, <-chan admin.LogLine) {
	return b.follow(ctx, project, tail, false)
}

// follow registers a follower after reading the tail, under one lock; the
// follower's goroutine sends the tail first if send.
func (b *Book) follow(ctx context.Context, project string, tail int, send bool) ([]admin.LogLine, <-chan admin.LogLine) {
	f := &follower{project: project, limit: b.perProject, wake: make(chan struct{}, 1)}
	out := make(chan admin.LogLine)
	b.mu.Lock()
	first := b.tailLocked(project, tail)
	p := b.projects[project]
	if p == nil {
		p = &projectLog{}
		b.projects[project] = p
	}
	if p.followers == nil {
		p.followers = map[*follower]struct{}{}
	}
	p.followers[f] = struct{}{}
	b.mu.Unlock()
	batch := first
	if !send {
		batch = nil
	}
	go func() {
		defer close(out)
		defer b.unfollow(f)
		f.deliver(ctx, out, batch)
	}()
	return first, out
}

func (b *Book) unfollow(f *follower) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.projects[f.project]
	if p == nil {
		return
	}
	delete(p.followers, f)
	if len(p.followers) == 0 && len(p.lines) == 0 {
		delete(b.projects, f.project)
	}
}

// Forget drops project's lines, for a deleted project. Its followers stay
// (they get the lines of a project deployed again under the name).
func (b *Book) Forget(project string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.projects[project]
	if p == nil {
		return
	}
	if len(p.followers) == 0 {
		delete(b.projects, project)
		return
	}
	p.lines, p.start = nil, 0
}

// follower is one Follow call: a bounded queue that Append fills without
// waiting, and a goroutine (deliver) that empties it into the reader's
// channel.
type follower struct {
	project string
	limit   int           // queued lines beyond which new ones are dropped
	wake    chan struct{} // capacity 1: something was queued or dropped

	mu      sync.Mutex
	queue   []admin.LogLine
	dropped int
	last    admin.LogLine // the last dropped line
}

// offer queues line, or drops it if the queue is full. It never blocks.
func (f *follower) offer(line admin.LogLine) {
	f.mu.Lock()
	if len(f.queue) < f.limit {
		// Room for the notice too: deliver appends it to the batch.
		f.queue = appendBounded(f.queue, line, f.limit+1)
	} else {
		f.dropped++
		f.last = line
	}
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default: // already woken
	}
}

// deliver sends batch, then whatever is queued, to out until ctx ends.
//
// Lines are dropped only while the queue is full, so the dropped ones are
// newer than every queued line and older than every line queued after
// deliver takes the queue: the notice goes right after the batch it was
// taken with.
func (f *follower) deliver(ctx context.Context, out chan<- admin.LogLine, batch []admin.LogLine) {
	for {
		for _, l := range batch {
			select {
			case out <- l:
			case <-ctx.Done():
				return
			}
		}
		var dropped int
		var last admin.LogLine
		for {
			f.mu.Lock()
			// Swap buffers: the delivered batch becomes the next queue.
			batch, f.queue = f.queue, batch[:0]
			dropped, last, f.dropped = f.dropped, f.last, 0
			f.mu.Unlock()
			if len(batch) > 0 || dropped > 0 {
				break
			}
			select {
			case <-f.wake:
			case <-ctx.Done():
				return
			}
		}
		if dropped > 0 {
			batch = appendBounded(batch, admin.LogLine{
				Time:    last.Time,
				Project: f.project,
				Level:   "warn",
				Message: fmt.Sprintf("… %d lines dropped (the reader was too slow)", dropped),
			}, f.limit+1)
		}
	}
}

// appendBounded appends line to s, growing it as append would but never
// past capacity bound (len(s) must be below it): most projects print
// little, and none may hold more.
func appendBounded(s []admin.LogLine, line admin.LogLine, bound int) []admin.LogLine {
	if len(s) == cap(s) {
		grown := make([]admin.LogLine, len(s), min(bound, max(16, 2*cap(s))))
		copy(grown, s)
		s = grown
	}
	return append(s, line)
}
