package persistence

import (
	"context"
	"fmt"
	"sync"
)

// groupCommitter turns many concurrent Commit calls into few transactions.
// One goroutine takes whatever batches are waiting (up to maxGroup) and
// commits them together, so under load the cost of a transaction and its
// fsync is shared; with one caller it adds no waiting at all (there is no
// timer: a lone batch is committed as soon as it arrives).
type groupCommitter struct {
	queue chan commitReq
	run   func([]Batch) []error
	done  chan struct{}
	once  sync.Once
	mu    sync.RWMutex // held for reading while submitting, for writing by close
	shut  bool
}

type commitReq struct {
	batch Batch
	res   chan error
}

// maxGroup bounds one transaction so that a burst cannot hold the write
// lock for long; the rest go in the next transaction.
const maxGroup = 512

func newGroupCommitter(run func([]Batch) []error) *groupCommitter {
	g := &groupCommitter{queue: make(chan commitReq, maxGroup), run: run, done: make(chan struct{})}
	go g.loop()
	return g
}

func (g *groupCommitter) submit(ctx context.Context, b Batch) error {
	req := commitReq{batch: b, res: make(chan error, 1)}
	g.mu.RLock()
	if g.shut {
		g.mu.RUnlock()
		return ErrClosed
	}
	select {
	case g.queue <- req:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err() // not handed over: definitely not committed
	}
	select {
	case err := <-req.res:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrAmbiguous, ctx.Err())
	}
}

func (g *groupCommitter) loop() {
	defer close(g.done)
	for first := range g.queue {
		reqs := []commitReq{first}
	drain:
		for len(reqs) < maxGroup {
			select {
			case r, ok := <-g.queue:
				if !ok {
					break drain
				}
				reqs = append(reqs, r)
			default:
				break drain
			}
		}
		batches := make([]Batch, len(reqs))
		for i, r := range reqs {
			batches[i] = r.batch
		}
		errs := g.run(batches)
		for i, r := range reqs {
			r.res <- errs[i]
		}
	}
}

// close stops accepting commits and waits for queued ones to finish.
func (g *groupCommitter) close() {
	g.once.Do(func() {
		g.mu.Lock()
		g.shut = true
		close(g.queue)
		g.mu.Unlock()
		<-g.done
	})
}
