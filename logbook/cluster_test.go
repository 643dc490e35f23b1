package logbook

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/protos"
)

func TestSinceReturnsTheLinesAfterACursor(t *testing.T) {
	b := New(3)
	if lines, next, dropped := b.Since("p", 0); len(lines) != 0 || next != 0 || dropped != 0 {
		t.Fatalf("Since on an unknown project = %v %d %d", lines, next, dropped)
	}
	b.Append(line("p", 1))
	b.Append(line("p", 2))
	b.Append(line("other", 50))
	lines, next, dropped := b.Since("p", 0)
	if got := messages(lines); !slices.Equal(got, []string{"1", "2"}) || next != 2 || dropped != 0 {
		t.Fatalf("Since(0) = %v next %d dropped %d, want [1 2] next 2 dropped 0", got, next, dropped)
	}
	if lines, n, _ := b.Since("p", next); len(lines) != 0 || n != 2 {
		t.Fatalf("Since(newest) = %v next %d, want nothing, next 2", messages(lines), n)
	}
	for i := 3; i <= 7; i++ { // the ring (3 lines) overwrites 1..4
		b.Append(line("p", i))
	}
	lines, next, dropped = b.Since("p", 2)
	if got := messages(lines); !slices.Equal(got, []string{"5", "6", "7"}) || next != 7 || dropped != 2 {
		t.Fatalf("Since(2) after the ring turned = %v next %d dropped %d, want [5 6 7] next 7 dropped 2 (lines 3 and 4)", got, next, dropped)
	}
	// A cursor beyond the newest line is not this numbering's: from the start.
	lines, next, dropped = b.Since("p", 100)
	if got := messages(lines); !slices.Equal(got, []string{"5", "6", "7"}) || next != 7 || dropped != 4 {
		t.Fatalf("Since(100) = %v next %d dropped %d, want [5 6 7] next 7 dropped 4", got, next, dropped)
	}
	// Forget keeps the numbering for a follower's cursor.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Follow(ctx, "p", 0)
	b.Forget("p")
	b.Append(line("p", 8))
	lines, next, dropped = b.Since("p", 7)
	if got := messages(lines); !slices.Equal(got, []string{"8"}) || next != 8 || dropped != 0 {
		t.Fatalf("Since(7) after Forget = %v next %d dropped %d, want [8] next 8 dropped 0", got, next, dropped)
	}
}

// TailFollow's tail and channel together hold every line exactly once,
// also while lines are being appended.
func TestTailFollowSplitsWithoutGapOrRepeat(t *testing.T) {
	const n = 2000
	b := New(n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for i := range n {
			b.Append(line("p", i))
		}
	}()
	tail, ch := b.TailFollow(ctx, "p", n)
	next := 0
	for _, l := range tail {
		if l.Message != strconv.Itoa(next) {
			t.Fatalf("tail has %s where %d was due", l.Message, next)
		}
		next++
	}
	for next < n {
		if got := recv(t, ch).Message; got != strconv.Itoa(next) {
			t.Fatalf("after %d followed %s", next-1, got)
		}
		next++
	}
}

// fakeMembers is a cluster of Books reached in-process, through the same
// Answer a member's control handler calls.
type fakeMembers struct {
	mu    sync.Mutex
	books map[string]*Book
	order []string
	down  map[string]bool // asks fail at once
	stuck map[string]bool // asks hang until their context ends
	asks  map[string]int
}

func newFakeMembers(names ...string) *fakeMembers {
	f := &fakeMembers{books: map[string]*Book{}, down: map[string]bool{}, stuck: map[string]bool{}, asks: map[string]int{}}
	for _, n := range names {
		f.add(n, New(100))
	}
	return f
}

func (f *fakeMembers) add(name string, b *Book) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.books[name]; !ok {
		f.order = append(f.order, name)
	}
	f.books[name] = b
}

func (f *fakeMembers) book(name string) *Book {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.books[name]
}

func (f *fakeMembers) set(m map[string]bool, name string, v bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m[name] = v
}

func (f *fakeMembers) Others() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.order)
}

func (f *fakeMembers) Ask(ctx context.Context, member string, msg any) (any, error) {
	f.mu.Lock()
	b, down, stuck := f.books[member], f.down[member], f.stuck[member]
	f.asks[member]++
	f.mu.Unlock()
	switch {
	case b == nil || down:
		return nil, errors.New("member " + member + " is down")
	case stuck:
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return b.Answer(msg.(*protos.LogsSince)), nil
}

func at(project string, sec int, msg string) admin.LogLine {
	return admin.LogLine{Time: time.Unix(int64(sec), 0), Project: project, Instance: "i", Level: "info", Message: msg}
}

func where(lines []admin.LogLine) []string {
	out := []string{}
	for _, l := range lines {
		out = append(out, l.Message+"@"+l.Node)
	}
	return out
}

// recvUntil reads ch until it got a line whose message is msg, returning
// every line read.
func recvUntil(t *testing.T, ch <-chan admin.LogLine, msg string) []admin.LogLine {
	t.Helper()
	var got []admin.LogLine
	for {
		l := recv(t, ch)
		got = append(got, l)
		if l.Message == msg {
			return got
		}
	}
}

func TestClusterTailMergesEveryMemberByTime(t *testing.T) {
	members := newFakeMembers("b", "c", "d")
	local := New(100)
	c := &Cluster{Local: local, Node: "a", Members: members}
	local.Append(at("p", 1, "a1"))
	local.Append(at("p", 5, "a5"))
	members.book("b").Append(at("p", 2, "b2"))
	members.book("b").Append(at("p", 6, "b6"))
	members.book("c").Append(at("p", 3, "c3"))
	members.book("c").Append(at("other", 4, "not p"))
	members.book("d").Append(at("p", 7, "d7"))
	members.set(members.down, "d", true)
	down := "… node d did not answer, its lines are missing: member d is down@d"
	if got := where(c.Tail("p", 10)); !slices.Equal(got, []string{"a1@a", "b2@b", "c3@c", "a5@a", "b6@b", down}) {
		t.Errorf("Tail(10) = %v, want a1 b2 c3 a5 b6, then that d is down", got)
	}
	if got := where(c.Tail("p", 2)); !slices.Equal(got, []string{"a5@a", "b6@b", down}) {
		t.Errorf("Tail(2) = %v, want the 2 newest over all members, then that d is down", got)
	}
	members.set(members.down, "d", false)
	if got := where(c.Tail("p", 2)); !slices.Equal(got, []string{"b6@b", "d7@d"}) {
		t.Errorf("Tail(2) = %v, want the 2 newest over all members", got)
	}
	if got := c.Tail("p", 0); len(got) != 0 {
		t.Errorf("Tail(0) = %v", got)
	}
}

// Follow: the merged tail, then this node's lines as they come and the
// other members' by polling, with none missed or repeated; a member that
// hangs delays nobody else; one that joins or restarts is followed from
// its first line; lines a member overwrote before they were fetched are
// counted.
func TestClusterFollow(t *testing.T) {
	members := newFakeMembers("b", "c")
	local := New(100)
	c := &Cluster{Local: local, Node: "a", Members: members, Poll: 5 * time.Millisecond, Timeout: time.Hour}
	local.Append(at("p", 1, "a1"))
	members.book("b").Append(at("p", 2, "b2"))
	members.book("c").Append(at("p", 3, "c3"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	follow := c.Follow(ctx, "p", 2)
	// ch checks that no line comes twice.
	ch := make(chan admin.LogLine)
	go func() {
		defer close(ch)
		seen := map[string]bool{}
		for l := range follow {
			if k := l.Message + "@" + l.Node; seen[k] {
				t.Errorf("%s followed twice", k)
			} else {
				seen[k] = true
			}
			ch <- l
		}
	}()
	var got []admin.LogLine
	got = append(got, recv(t, ch), recv(t, ch))
	if w := where(got); !slices.Equal(w, []string{"b2@b", "c3@c"}) {
		t.Fatalf("followed tail %v, want the 2 newest lines over all members", w)
	}

	// c hangs from now on (its asks never return: Timeout is an hour);
	// b and this node go on.
	members.set(members.stuck, "c", true)
	members.book("c").Append(at("p", 10, "c10"))
	local.Append(at("p", 11, "a11"))
	members.book("b").Append(at("p", 12, "b12"))
	members.book("b").Append(at("p", 13, "b13"))
	got = recvUntil(t, ch, "b13")
	if w := where(got); !slices.Contains(w, "a11@a") || !slices.Contains(w, "b12@b") || slices.Contains(w, "c10@c") {
		t.Fatalf("followed %v while c hangs, want a11 and b12, b13 and not c10", w)
	}

	// A member joins; another restarts with a new Book.
	e := New(100)
	e.Append(at("p", 19, "e19"))
	e.Append(at("p", 20, "e20"))
	e.Append(at("p", 21, "e21"))
	members.add("e", e)
	fresh := New(100)
	fresh.Append(at("p", 30, "b-restarted"))
	members.add("b", fresh)
	got = nil
	for !slices.Contains(where(got), "e21@e") || !slices.Contains(where(got), "b-restarted@b") {
		got = append(got, recv(t, ch))
	}
	if w := where(got); !slices.Contains(w, "e19@e") || !slices.Contains(w, "e20@e") {
		t.Errorf("followed %v, want all lines of the member that joined (more than the tail)", w)
	}

	// b logs more than its Book keeps between two asks: the follower is
	// told how many it lost.
	small := New(2)
	members.add("f", small)
	waitAsked(t, members, "f", 2) // the follower has a cursor for f
	members.set(members.down, "f", true)
	// An ask that began before f went down has ended once a later one began.
	waitAsked(t, members, "f", members.asked("f")+1)
	for i := range 5 {
		small.Append(at("p", 40+i, fmt.Sprintf("f%d", i)))
	}
	members.set(members.down, "f", false)
	got = recvUntil(t, ch, "f4")
	notice, downNotice := false, false
	for _, l := range got {
		if l.Node == "f" && strings.Contains(l.Message, "3 lines dropped on node f") && l.Level == "warn" {
			notice = true
		}
		if l.Node == "f" && strings.Contains(l.Message, "node f did not answer") && l.Level == "warn" {
			downNotice = true
		}
	}
	if !notice || !downNotice || !slices.Contains(where(got), "f3@f") {
		t.Errorf("followed %v, want a notice that f did not answer, one of 3 dropped lines from f, then f3 and f4", where(got))
	}

	cancel()
	for range ch {
	}
}

func (f *fakeMembers) asked(member string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asks[member]
}

// waitAsked waits until member was asked n times. A follower asks a member
// again only after it took in its last answer.
func waitAsked(t *testing.T, f *fakeMembers, member string, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for f.asked(member) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s was asked %d times, never %d", member, f.asked(member), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestClusterFollowEndsWithItsContext(t *testing.T) {
	members := newFakeMembers("b")
	c := &Cluster{Local: New(10), Node: "a", Members: members, Poll: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	ch := c.Follow(ctx, "p", 0)
	members.set(members.stuck, "b", true) // an ask in flight when ctx ends
	time.Sleep(5 * time.Millisecond)
	cancel()
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(wait):
		t.Fatal("the follow channel did not close after its context ended")
	}
}
