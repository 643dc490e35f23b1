package actors

import (
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/edge-platform/edge/protos"
)

// workerPool is a worker project's pool on this node: a fixed number of
// instance actors, each with its own VM, fed round-robin. A VM serves many
// requests concurrently (they interleave at await points), so the pool size
// is about using cores, not about concurrency.
type workerPool struct {
	plat    *Platform
	project string
	size    int
	kids    []*actor.PID
	next    int
}

func (p *workerPool) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.onStarted(ctx)
	case *protos.HttpRequest:
		p.onRequest(ctx)
	case *protos.Activate:
		p.onActivate(ctx, m)
	}
}

func (p *workerPool) onStarted(ctx actor.Context) {
	for i := 0; i < p.size; i++ {
		instance := fmt.Sprintf("worker-%d", i)
		p.kids = append(p.kids, ctx.Spawn(actor.PropsFromProducer(func() actor.Actor {
			return &instanceActor{
				plat:     p.plat,
				project:  p.project,
				instance: instance,
				log:      p.plat.Logger.With(slog.String("project", p.project), slog.String("instance", instance)),
			}
		})))
	}
}

// onRequest forwards to the next VM; Forward keeps the original sender, so
// the VM's reply goes straight back to the caller.
func (p *workerPool) onRequest(ctx actor.Context) {
	kid := p.kids[p.next%len(p.kids)]
	p.next++
	ctx.Forward(kid)
}

// onActivate forwards the warm-up to one VM, which reports whether the
// module starts.
func (p *workerPool) onActivate(ctx actor.Context, _ *protos.Activate) {
	ctx.Forward(p.kids[0])
}
