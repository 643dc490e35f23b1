package persistence

import (
	"sync"

	"github.com/edge-platform/edge/kv"
)

// scopeID names a store regardless of the epoch a caller writes it with.
type scopeID struct{ project, instance string }

func idOf(s kv.Scope) scopeID { return scopeID{s.Project, s.Instance} }

// watchers delivers in-process change notifications: after a group commits,
// every watcher of a scope it changed gets a signal on its channel. The
// channel holds one signal, and a signal already waiting absorbs the next
// ones, so a slow watcher never blocks a committer and wakes once for many
// commits.
type watchers struct {
	mu  sync.Mutex
	by  map[scopeID]map[*watcher]struct{}
	all map[*watcher]struct{}
}

type watcher struct{ ch chan struct{} }

func newWatchers() *watchers {
	return &watchers{by: map[scopeID]map[*watcher]struct{}{}, all: map[*watcher]struct{}{}}
}

func (ws *watchers) watch(s kv.Scope) (<-chan struct{}, func()) {
	w := &watcher{ch: make(chan struct{}, 1)}
	id := idOf(s)
	ws.mu.Lock()
	if ws.by[id] == nil {
		ws.by[id] = map[*watcher]struct{}{}
	}
	ws.by[id][w] = struct{}{}
	ws.all[w] = struct{}{}
	ws.mu.Unlock()
	var once sync.Once
	return w.ch, func() {
		once.Do(func() {
			ws.mu.Lock()
			delete(ws.by[id], w)
			if len(ws.by[id]) == 0 {
				delete(ws.by, id)
			}
			delete(ws.all, w)
			ws.mu.Unlock()
		})
	}
}

// notify signals the watchers of each id.
func (ws *watchers) notify(ids ...scopeID) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, id := range ids {
		for w := range ws.by[id] {
			signal(w.ch)
		}
	}
}

// notifyScopes signals the watchers of each scope.
func (ws *watchers) notifyScopes(scopes []kv.Scope) {
	ids := make([]scopeID, len(scopes))
	for i, s := range scopes {
		ids[i] = idOf(s)
	}
	ws.notify(ids...)
}

// notifyAll signals every watcher: used when notifications may have been
// missed (a lost connection to the database's notification channel).
func (ws *watchers) notifyAll() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for w := range ws.all {
		signal(w.ch)
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
