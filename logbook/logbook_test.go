package logbook

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edge-platform/edge/admin"
)

// wait bounds how long a test waits for something that should happen at
// once; reaching it means a hang, not slowness.
const wait = 10 * time.Second

func line(project string, i int) admin.LogLine {
	return admin.LogLine{Time: time.Unix(int64(i), 0), Project: project, Instance: "_default", Level: "info", Message: strconv.Itoa(i)}
}

func messages(lines []admin.LogLine) []string {
	out := []string{}
	for _, l := range lines {
		out = append(out, l.Message)
	}
	return out
}

// recv returns the next line of ch, failing t if ch is closed or silent.
func recv(t *testing.T, ch <-chan admin.LogLine) admin.LogLine {
	t.Helper()
	select {
	case l, ok := <-ch:
		if !ok {
			t.Fatal("the follow channel closed")
		}
		return l
	case <-time.After(wait):
		t.Fatal("no line arrived")
	}
	return admin.LogLine{}
}

func TestTailKeepsTheLastLinesInOrder(t *testing.T) {
	b := New(3)
	for i := 1; i <= 5; i++ {
		b.Append(line("p", i))
	}
	b.Append(line("q", 9))
	cases := []struct {
		project string
		n       int
		want    string
	}{
		{"p", 10, "3 4 5"},
		{"p", 3, "3 4 5"},
		{"p", 2, "4 5"},
		{"p", 1, "5"},
		{"p", 0, ""},
		{"p", -1, ""},
		{"q", 5, "9"},
		{"none", 5, ""},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s last %d", c.project, c.n), func(t *testing.T) {
			if got := strings.Join(messages(b.Tail(c.project, c.n)), " "); got != c.want {
				t.Errorf("Tail = %q, want %q", got, c.want)
			}
		})
	}
}

func TestRingIsBounded(t *testing.T) {
	b := New(0)
	for i := range 3 * DefaultPerProject {
		b.Append(line("p", i))
	}
	got := b.Tail("p", 2*DefaultPerProject)
	if len(got) != DefaultPerProject {
		t.Fatalf("kept %d lines, want %d", len(got), DefaultPerProject)
	}
	if first := got[0].Message; first != strconv.Itoa(2*DefaultPerProject) {
		t.Errorf("oldest kept line %s, want %d", first, 2*DefaultPerProject)
	}
	if n := cap(b.projects["p"].lines); n > DefaultPerProject {
		t.Errorf("ring holds room for %d lines, want at most %d", n, DefaultPerProject)
	}
}

func TestForgetDropsLinesKeepsFollowers(t *testing.T) {
	b := New(10)
	b.Append(line("p", 1))
	b.Forget("p")
	if got := b.Tail("p", 10); len(got) != 0 {
		t.Errorf("Tail after Forget = %v, want none", messages(got))
	}
	if _, ok := b.projects["p"]; ok {
		t.Error("a forgotten project without followers is still held")
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := b.Follow(ctx, "p", 10)
	b.Append(line("p", 2))
	b.Forget("p")
	b.Append(line("p", 3)) // deployed again
	for _, want := range []string{"2", "3"} {
		if got := recv(t, ch).Message; got != want {
			t.Errorf("followed %q, want %q", got, want)
		}
	}
	if got := messages(b.Tail("p", 10)); len(got) != 1 || got[0] != "3" {
		t.Errorf("Tail = %v, want [3]", got)
	}
}

func TestFollowSendsTailThenLiveLines(t *testing.T) {
	b := New(10)
	for i := 1; i <= 3; i++ {
		b.Append(line("p", i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := b.Follow(ctx, "p", 2)
	b.Append(line("other", 99))
	b.Append(line("p", 4))
	b.Append(line("p", 5))
	var got []string
	for range 4 {
		got = append(got, recv(t, ch).Message)
	}
	if strings.Join(got, " ") != "2 3 4 5" {
		t.Errorf("followed %v, want [2 3 4 5]", got)
	}
}

// Lines appended while Follow starts are in its tail or among its live
// lines, exactly once.
func TestFollowMissesAndRepeatsNothing(t *testing.T) {
	const n = 2000
	b := New(n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for i := range n {
			b.Append(line("p", i))
		}
	}()
	ch := b.Follow(ctx, "p", n)
	first := recv(t, ch)
	next, err := strconv.Atoi(first.Message)
	if err != nil {
		t.Fatal(err)
	}
	for next < n-1 {
		next++
		if got := recv(t, ch).Message; got != strconv.Itoa(next) {
			t.Fatalf("after %d followed %s", next-1, got)
		}
	}
}

// A follower that reads nothing never blocks Append; when it reads again
// it gets the lines it was behind by, then one line counting the dropped
// ones, then the new lines.
func TestSlowFollowerDoesNotBlockAppend(t *testing.T) {
	const perProject, total = 4, 100
	b := New(perProject)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := b.Follow(ctx, "p", 0)
	appended := make(chan struct{})
	go func() {
		defer close(appended)
		for i := range total {
			b.Append(line("p", i))
		}
	}()
	select {
	case <-appended:
	case <-time.After(wait):
		t.Fatal("Append blocked on a follower that does not read")
	}

	// Each notice counts the lines missing right before it.
	next, received, notices := 0, 0, 0
	for next < total {
		l := recv(t, ch)
		if !strings.HasPrefix(l.Message, "…") {
			if l.Message != strconv.Itoa(next) {
				t.Fatalf("followed %q, want %d", l.Message, next)
			}
			next++
			received++
			continue
		}
		notices++
		var dropped int
		if _, err := fmt.Sscanf(l.Message, "… %d lines dropped (the reader was too slow)", &dropped); err != nil || dropped <= 0 {
			t.Fatalf("notice %q: %v", l.Message, err)
		}
		next += dropped
		if l.Level != "warn" || l.Project != "p" || !l.Time.Equal(time.Unix(int64(next-1), 0)) {
			t.Errorf("notice %+v, want level warn, project p, the time of the last dropped line (%d)", l, next-1)
		}
	}
	if next != total {
		t.Errorf("accounted for %d lines, want %d", next, total)
	}
	if notices == 0 {
		t.Error("no notice of dropped lines")
	}
	// The follower holds at most its queue and the batch it delivers.
	if received > 2*(perProject+1) {
		t.Errorf("received %d of %d lines, want at most %d (the follower's bound)", received, total, 2*(perProject+1))
	}
	b.Append(line("p", total)) // the reader keeps up again
	if got := recv(t, ch).Message; got != strconv.Itoa(total) {
		t.Errorf("after the notice followed %q, want %d", got, total)
	}
}

func TestFollowClosesWhenContextEnds(t *testing.T) {
	b := New(10)
	b.Append(line("p", 1))
	ctx, cancel := context.WithCancel(context.Background())
	ch := b.Follow(ctx, "p", 1) // not read: the goroutine is blocked sending
	cancel()
	deadline := time.After(wait)
	for open := true; open; {
		select {
		case _, open = <-ch:
		case <-deadline:
			t.Fatal("the follow channel stayed open after its context ended")
		}
	}
	b.mu.Lock()
	followers := len(b.projects["p"].followers)
	b.mu.Unlock()
	if followers != 0 {
		t.Errorf("%d followers left after the context ended, want 0", followers)
	}
	b.Append(line("p", 2)) // no follower to offer it to: must not panic
}
