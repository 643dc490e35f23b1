package actors

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// address is this node's remoting address ("" before Start).
func (p *Platform) address() string {
	if p.node == nil {
		return ""
	}
	return p.node.System.Address()
}

// startBodyServer spawns the actor that serves this node's streamed bodies
// to readers on other nodes.
func (p *Platform) startBodyServer() {
	srv := newBodyServer(p.bodies, p.requestTimeout, p.Logger.With(slog.String("component", "bodies")))
	if _, err := p.node.System.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return srv }), BodyServerName); err != nil {
		// Only a second Start on the same actor system gets here.
		p.Logger.Error("the body server did not start: other nodes cannot read the bodies this node streams",
			slog.String("name", BodyServerName), slog.Any("err", err))
	}
}

// PutBody holds a streamed body for a message and returns its id and the
// node that holds it (this one), for the message's body_stream and
// body_node.
func (p *Platform) PutBody(r io.ReadCloser) (id uint64, node string) {
	return p.bodies.Put(r), p.address()
}

// TakeBody claims the streamed body a message names by id and node: from
// this node's registry, or, when another node holds it, as a reader that
// pulls it from that node chunk by chunk. The error wraps ErrBodyGone if
// the body can no longer be read.
func (p *Platform) TakeBody(id uint64, node string) (io.ReadCloser, error) {
	if node == "" || node == p.address() {
		if r := p.bodies.Take(id); r != nil {
			return r, nil
		}
		return nil, fmt.Errorf("%w: body stream %d is not on this node: it was read already, or nobody claimed it within %s", ErrBodyGone, id, p.requestTimeout)
	}
	if p.node == nil {
		return nil, fmt.Errorf("body stream %d is on node %s, but this platform is not started (call Start first)", id, node)
	}
	// A pull waits for the producer at most half the request timeout, then
	// comes back empty and is sent again: a stream may be quiet for longer
	// than a request may take (server-sent events), its node may not.
	return openRemoteBody(p.node.System.Root, actor.NewPID(node, BodyServerName), id, p.requestTimeout, p.requestTimeout/2)
}
