package actors

import (
	"container/list"
	"sync"
)

// lru is the set of coordinator activations on a node, least recently
// used first, so that past coordinators.max_active the oldest can be
// passivated.
type lru struct {
	mu    sync.Mutex
	order *list.List // of *instanceActor, front = least recently used
	at    map[*instanceActor]*list.Element
}

func newLRU() *lru { return &lru{order: list.New(), at: map[*instanceActor]*list.Element{}} }

// add records a (most recently used) and returns the count.
func (l *lru) add(a *instanceActor) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.at[a]; ok {
		l.order.MoveToBack(e)
	} else {
		l.at[a] = l.order.PushBack(a)
	}
	return l.order.Len()
}

func (l *lru) touch(a *instanceActor) {
	l.mu.Lock()
	if e, ok := l.at[a]; ok {
		l.order.MoveToBack(e)
	}
	l.mu.Unlock()
}

func (l *lru) remove(a *instanceActor) {
	l.mu.Lock()
	if e, ok := l.at[a]; ok {
		l.order.Remove(e)
		delete(l.at, a)
	}
	l.mu.Unlock()
}

func (l *lru) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

// oldest returns up to n least recently used activations.
func (l *lru) oldest(n int) []*instanceActor {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*instanceActor
	for e := l.order.Front(); e != nil && len(out) < n; e = e.Next() {
		out = append(out, e.Value.(*instanceActor))
	}
	return out
}

// ofProject returns the activations of one project.
func (l *lru) ofProject(project string) []*instanceActor {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*instanceActor
	for a := range l.at {
		if a.project == project {
			out = append(out, a)
		}
	}
	return out
}
