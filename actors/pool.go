package actors

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/edge-platform/edge/protos"
)

// workerPool is a worker project's pool on this node: instance actors, each
// with its own VM. A VM serves many requests concurrently (they interleave
// at await points), so the pool size is about using cores, not about
// concurrency: it starts with one VM, adds one (up to max, by default one
// per CPU) when every VM is busy, and retires VMs that were not needed for
// workers.idle_timeout, down to one.
type workerPool struct {
	plat    *Platform
	project string
	max     int
	kids    []*poolKid
	next    int
	serial  int
	ticking bool
}

type poolKid struct {
	pid      *actor.PID
	a        *instanceActor
	lastBusy time.Time
}

// shrinkTick asks the pool to retire idle VMs.
type shrinkTick struct{}

func (p *workerPool) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.spawn(ctx)
	case *protos.HttpRequest:
		p.onRequest(ctx)
	case *protos.Activate:
		p.onActivate(ctx, m)
	case *shrinkTick:
		p.onShrink(ctx)
	}
}

func (p *workerPool) spawn(ctx actor.Context) *poolKid {
	instance := fmt.Sprintf("worker-%d", p.serial)
	p.serial++
	a := &instanceActor{
		plat:     p.plat,
		project:  p.project,
		instance: instance,
		log:      p.plat.Logger.With(slog.String("project", p.project), slog.String("instance", instance)),
	}
	k := &poolKid{a: a, lastBusy: time.Now()}
	k.pid = ctx.Spawn(actor.PropsFromProducer(func() actor.Actor { return a }))
	p.kids = append(p.kids, k)
	if len(p.kids) > 1 && !p.ticking {
		p.ticking = true
		self, root := ctx.Self(), ctx.ActorSystem().Root
		time.AfterFunc(p.plat.workerIdle/2, func() { root.Send(self, &shrinkTick{}) })
	}
	return k
}

// onRequest forwards to the least busy VM (round-robin among equals), and
// grows the pool when every VM is busy. Forward keeps the original sender,
// so the VM's reply goes straight back to the caller.
func (p *workerPool) onRequest(ctx actor.Context) {
	var best *poolKid
	n := len(p.kids)
	for i := 0; i < n; i++ {
		k := p.kids[(p.next+i)%n]
		if best == nil || k.a.inflight.Load() < best.a.inflight.Load() {
			best = k
		}
	}
	p.next++
	if best.a.inflight.Load() > 0 {
		if n < p.max {
			best = p.spawn(ctx)
		}
		now := time.Now()
		for _, k := range p.kids {
			k.lastBusy = now
		}
	}
	ctx.Forward(best.pid)
}

// onShrink retires, one per tick, a VM beyond the first that has been idle
// for workers.idle_timeout. PoisonPill queues behind the requests already
// in its mailbox, and a stopping VM finishes its in-flight requests first.
func (p *workerPool) onShrink(ctx actor.Context) {
	p.ticking = false
	idle := p.plat.workerIdle
	for i := len(p.kids) - 1; i >= 1; i-- {
		k := p.kids[i]
		if time.Since(k.lastBusy) >= idle && k.a.inflight.Load() == 0 {
			p.kids = append(p.kids[:i], p.kids[i+1:]...)
			ctx.Poison(k.pid)
			break
		}
	}
	if len(p.kids) > 1 {
		p.ticking = true
		self, root := ctx.Self(), ctx.ActorSystem().Root
		time.AfterFunc(idle/2, func() { root.Send(self, &shrinkTick{}) })
	}
}

// onActivate forwards the warm-up to one VM, which reports whether the
// module starts.
func (p *workerPool) onActivate(ctx actor.Context, _ *protos.Activate) {
	ctx.Forward(p.kids[0].pid)
}

// size is the number of VMs (for tests).
func (p *workerPool) size() int { return len(p.kids) }
