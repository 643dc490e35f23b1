package persistence

import (
	"context"
	"log/slog"
	"time"
)

// sweepInterval is how often expired entries are deleted. Reads already
// hide expired entries, so the sweep only reclaims space: a minute keeps
// its cost negligible.
const sweepInterval = time.Minute

// sweepBatch bounds the rows one sweep statement deletes, so that a sweep
// holds the write lock briefly between commit groups.
const sweepBatch = 1000

// sweeper calls sweep every interval until stopped. sweep deletes up to
// sweepBatch entries expired at nowMs and says how many it deleted; a full
// batch is followed at once by another.
type sweeper struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func startSweeper(every time.Duration, sweep func(ctx context.Context, nowMs int64) (int64, error), log *slog.Logger) *sweeper {
	ctx, cancel := context.WithCancel(context.Background())
	sw := &sweeper{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(sw.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			for ctx.Err() == nil {
				n, err := sweep(ctx, time.Now().UnixMilli())
				if err != nil {
					if ctx.Err() == nil {
						log.Warn("sweeping expired entries", "err", err)
					}
					break
				}
				if n < sweepBatch {
					break
				}
			}
		}
	}()
	return sw
}

// stop stops the sweeper and waits for a running sweep to end.
func (sw *sweeper) stop() {
	sw.cancel()
	<-sw.done
}
