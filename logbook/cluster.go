package logbook

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/protos"
)

// A project's code runs on whichever node of a cluster holds its instances
// (every node for a worker, one for each coordinator), and each node's Book
// keeps what ran there. Cluster answers `edge logs` with the lines of every
// node, whichever node is asked: Tail merges the members' tails, Follow
// adds this node's new lines as they come and asks each other member for
// its new ones every Poll.

// Asker reaches the other members of the cluster (cluster.Node).
type Asker interface {
	// Others lists the live members other than this node.
	Others() []string
	// Ask sends msg to member's control handler and returns its answer.
	Ask(ctx context.Context, member string, msg any) (any, error)
}

// Defaults of Cluster.
const (
	// DefaultPoll is how often a follower asks each other member for new
	// lines: `edge logs --follow` shows another node's line within about
	// this long.
	DefaultPoll = 250 * time.Millisecond
	// DefaultAskTimeout bounds one ask: a member that does not answer in
	// time (paused, partitioned) is asked again later; the others go on.
	DefaultAskTimeout = 2 * time.Second
)

// Cluster is the logs of every member; it implements the admin API's Logs.
// Lines carry the node they come from.
type Cluster struct {
	Local *Book
	// Node is this node's id.
	Node    string
	Members Asker
	// Poll and Timeout: DefaultPoll and DefaultAskTimeout if zero.
	Poll    time.Duration
	Timeout time.Duration
}

// Answer is a member's side of an ask: what its Book holds for m.
func (b *Book) Answer(m *protos.LogsSince) *protos.LogBatch {
	var lines []admin.LogLine
	var next uint64
	var dropped int
	if m.GetBoot() == b.boot {
		lines, next, dropped = b.Since(m.GetProject(), m.GetAfter())
	} else {
		lines, next = b.TailSince(m.GetProject(), int(m.GetTail()))
	}
	out := &protos.LogBatch{Boot: b.boot, Next: next, Dropped: int64(dropped), Lines: make([]*protos.LogBatch_Line, len(lines))}
	for i, l := range lines {
		out.Lines[i] = &protos.LogBatch_Line{TimeUnixNano: l.Time.UnixNano(), Instance: l.Instance, Level: l.Level, Message: l.Message}
	}
	return out
}

// cursor is where a follower is in one member's Book.
type cursor struct {
	boot  string
	after uint64
}

// ask asks member for project's lines after c (its last tail lines if c is
// not one of its Book's), as lines tagged with member.
func (c *Cluster) ask(ctx context.Context, member, project string, at cursor, tail int) ([]admin.LogLine, cursor, error) {
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(c.Timeout, DefaultAskTimeout))
	defer cancel()
	v, err := c.Members.Ask(ctx, member, &protos.LogsSince{Project: project, Boot: at.boot, After: at.after, Tail: int32(min(tail, math.MaxInt32))})
	if err != nil {
		return nil, at, err
	}
	b, ok := v.(*protos.LogBatch)
	if !ok {
		return nil, at, fmt.Errorf("member %s answered %T to a logs request", member, v)
	}
	lines := make([]admin.LogLine, 0, len(b.GetLines())+1)
	for _, l := range b.GetLines() {
		lines = append(lines, admin.LogLine{Time: time.Unix(0, l.GetTimeUnixNano()), Project: project, Instance: l.GetInstance(),
			Level: l.GetLevel(), Message: l.GetMessage(), Node: member})
	}
	if n := b.GetDropped(); n > 0 {
		notice := admin.LogLine{Project: project, Level: "warn", Node: member,
			Message: fmt.Sprintf("… %d lines dropped on node %s (it keeps the last ones only; they were overwritten before they could be fetched)", n, member)}
		notice.Time = time.Now()
		if len(lines) > 0 {
			notice.Time = lines[0].Time
		}
		lines = append([]admin.LogLine{notice}, lines...)
	}
	return lines, cursor{boot: b.GetBoot(), after: b.GetNext()}, nil
}

// unanswered is the line that says member's lines are missing.
func unanswered(project, member string, err error) admin.LogLine {
	return admin.LogLine{Time: time.Now(), Project: project, Level: "warn", Node: member,
		Message: fmt.Sprintf("… node %s did not answer, its lines are missing: %v", member, err)}
}

// gather asks every other member at once for its tail; a member that does
// not answer has no cursor, and a notice says its lines are missing.
func (c *Cluster) gather(ctx context.Context, project string, tail int) (all, notices []admin.LogLine, cursors map[string]cursor) {
	others := c.Members.Others()
	var mu sync.Mutex
	cursors = make(map[string]cursor, len(others))
	var wg sync.WaitGroup
	for _, m := range others {
		wg.Go(func() {
			lines, at, err := c.ask(ctx, m, project, cursor{}, tail)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				notices = append(notices, unanswered(project, m, err))
				return
			}
			all = append(all, lines...)
			cursors[m] = at
		})
	}
	wg.Wait()
	return all, notices, cursors
}

// merge orders the lines of several nodes by time (each node's own stay in
// their order) and keeps the last n.
func merge(lines []admin.LogLine, n int) []admin.LogLine {
	slices.SortStableFunc(lines, func(a, b admin.LogLine) int { return a.Time.Compare(b.Time) })
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

func (c *Cluster) tagged(lines []admin.LogLine) []admin.LogLine {
	for i := range lines {
		lines[i].Node = c.Node
	}
	return lines
}

// Tail returns the last n lines of project over all live members, oldest
// first, then a notice for each member that did not answer.
func (c *Cluster) Tail(project string, n int) []admin.LogLine {
	if n <= 0 {
		return nil
	}
	local := c.tagged(c.Local.Tail(project, n))
	remote, notices, _ := c.gather(context.Background(), project, n)
	return append(merge(append(local, remote...), n), notices...)
}

// answer is one member's reply to a follower's ask.
type answer struct {
	member string
	lines  []admin.LogLine
	at     cursor
	err    error
}

// Follow returns the last tail lines of project over all live members,
// then every new line of any member, until ctx ends. A member that does not
// answer is named in a notice (once, until it answers again). This node's lines
// come as they are logged, with none missed or repeated (Book.Follow);
// another member's come within about Poll, and none are missed or
// repeated while it keeps them (a follower that falls further behind than
// a member's Book holds is told how many were dropped). A member that
// joins while following is followed from its first line; one that
// restarts, from its new Book's first line.
func (c *Cluster) Follow(ctx context.Context, project string, tail int) <-chan admin.LogLine {
	out := make(chan admin.LogLine)
	localTail, local := c.Local.TailFollow(ctx, project, tail)
	first := c.tagged(slices.Clone(localTail))
	remote, notices, cursors := c.gather(ctx, project, tail)
	first = append(merge(append(first, remote...), max(tail, 0)), notices...)
	known := map[string]bool{}
	for _, m := range c.Members.Others() {
		known[m] = true
	}
	go func() {
		defer close(out)
		send := func(lines []admin.LogLine) bool {
			for _, l := range lines {
				select {
				case out <- l:
				case <-ctx.Done():
					return false
				}
			}
			return true
		}
		if !send(first) {
			return
		}
		answers := make(chan answer)
		asking := map[string]bool{}
		failing := map[string]bool{} // told the reader that it does not answer
		var wg sync.WaitGroup
		defer wg.Wait()
		tick := time.NewTicker(cmp.Or(c.Poll, DefaultPoll))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case l, ok := <-local:
				if !ok {
					return
				}
				l.Node = c.Node
				if !send([]admin.LogLine{l}) {
					return
				}
			case a := <-answers:
				delete(asking, a.member)
				if a.err != nil {
					// Asked again at the next tick; the reader is told once.
					if !failing[a.member] {
						failing[a.member] = true
						_, answered := cursors[a.member]
						if answered && !send([]admin.LogLine{unanswered(project, a.member, a.err)}) {
							return
						}
					}
					continue
				}
				delete(failing, a.member)
				cursors[a.member] = a.at
				if !send(a.lines) {
					return
				}
			case <-tick.C:
				for _, m := range c.Members.Others() {
					if asking[m] {
						continue // a slow member's ask still runs
					}
					asking[m] = true
					at, asked := cursors[m]
					n := tail
					if asked || !known[m] {
						// Joined since the follow began, or (if its answer
						// has another boot than the cursor) restarted: all
						// its lines are new.
						known[m], n = true, math.MaxInt32
					}
					wg.Go(func() {
						lines, next, err := c.ask(ctx, m, project, at, n)
						select {
						case answers <- answer{member: m, lines: lines, at: next, err: err}:
						case <-ctx.Done():
						}
					})
				}
			}
		}
	}()
	return out
}
