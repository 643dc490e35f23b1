package actors

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/edge-platform/edge/protos"
)

// These tests drive the body server through its messages on one local actor
// system: a remote reader on another node sends the same BodyPull and
// BodyCancel messages, only through remoting. (One process must not start
// two remoting members; see cluster.Node.)

// failAfter bounds how long a test waits for something that must happen;
// it is a hang guard, not a timing assertion.
const failAfter = 10 * time.Second

type testBodyServer struct {
	sys    *actor.ActorSystem
	bodies *BodyStreams
	pid    *actor.PID
}

// startBodyServer runs a body server whose registry expires unclaimed
// bodies after registryExpiry and which closes claimed bodies nobody pulls
// for pullExpiry.
func startBodyServer(t *testing.T, registryExpiry, pullExpiry time.Duration) *testBodyServer {
	t.Helper()
	sys := newTestSystem(t)
	bodies := NewBodyStreams(registryExpiry)
	srv := newBodyServer(bodies, pullExpiry, testLogger(t))
	pid, err := sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return srv }), BodyServerName)
	if err != nil {
		t.Fatal(err)
	}
	return &testBodyServer{sys: sys, bodies: bodies, pid: pid}
}

// pull sends one BodyPull and returns the answer.
func (s *testBodyServer) pull(t *testing.T, id uint64, max uint32, wait time.Duration) *protos.BodyChunk {
	t.Helper()
	v, err := s.sys.Root.RequestFuture(s.pid, &protos.BodyPull{Id: id, Max: max, WaitMs: wait.Milliseconds()}, failAfter).Result()
	if err != nil {
		t.Fatalf("pulling body %d: %v", id, err)
	}
	c, ok := v.(*protos.BodyChunk)
	if !ok {
		t.Fatalf("the answer to a pull is a %T", v)
	}
	return c
}

func (s *testBodyServer) open(t *testing.T, id uint64) io.ReadCloser {
	t.Helper()
	r, err := openRemoteBody(s.sys.Root, s.pid, id, failAfter, failAfter/2)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// producer writes into a pipe whose reader is a streamed body, and
// reports how far it got and why it stopped.
type producer struct {
	written atomic.Int64 // bytes whose Write returned
	done    chan error   // the error that stopped it (nil: all written)
}

func produce(pw *io.PipeWriter, data []byte, chunk int) *producer {
	p := &producer{done: make(chan error, 1)}
	go func() {
		for len(data) > 0 {
			n := min(chunk, len(data))
			if _, err := pw.Write(data[:n]); err != nil {
				p.done <- err
				return
			}
			p.written.Add(int64(n))
			data = data[n:]
		}
		p.done <- pw.Close()
	}()
	return p
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(failAfter):
		t.Fatalf("gave up waiting: %s", what)
		panic("unreachable")
	}
}

func TestBodyServerStreamsALargeBodyIntact(t *testing.T) {
	s := startBodyServer(t, time.Minute, time.Minute)
	data := make([]byte, 5<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	pr, pw := io.Pipe()
	prod := produce(pw, data, 100_000) // not a multiple of the chunk size
	r := s.open(t, s.bodies.Put(pr))
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes that differ from the %d written", len(got), len(data))
	}
	if err := waitFor(t, prod.done, "the producer to finish"); err != nil {
		t.Fatalf("producer: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestBodyServerReadsOnlyWhenPulled: the producer is never further ahead
// than what was pulled, so a slow reader on another node slows it down
// instead of filling memory.
func TestBodyServerReadsOnlyWhenPulled(t *testing.T) {
	s := startBodyServer(t, time.Minute, time.Minute)
	pr, pw := io.Pipe()
	prod := produce(pw, []byte("abcdefghij"), 1)
	id := s.bodies.Put(pr)
	if c := s.pull(t, id, 0, 0); c.GetError() != "" || len(c.GetData()) != 0 {
		t.Fatalf("claim = %v, want an empty chunk", c)
	}
	for i, want := range "abcde" {
		c := s.pull(t, id, 1, 0)
		if string(c.GetData()) != string(want) || c.GetEof() || c.GetError() != "" {
			t.Fatalf("pull %d = %v, want %q", i, c, want)
		}
		// A pipe write returns once its bytes are read; the next one is
		// still blocked because nobody has pulled it.
		if w := prod.written.Load(); w > int64(i+1) {
			t.Fatalf("after %d pulls of 1 byte the producer wrote %d bytes", i+1, w)
		}
	}
	var rest []byte
	for {
		c := s.pull(t, id, 64<<10, 0)
		if c.GetError() != "" {
			t.Fatalf("pull = %v", c)
		}
		rest = append(rest, c.GetData()...)
		if c.GetEof() {
			break
		}
	}
	if string(rest) != "fghij" {
		t.Fatalf("the rest of the body is %q, want %q", rest, "fghij")
	}
	if err := waitFor(t, prod.done, "the producer to finish"); err != nil {
		t.Fatalf("producer: %v", err)
	}
	if c := s.pull(t, id, 1, 0); !strings.Contains(c.GetError(), "not on node") {
		t.Fatalf("a pull after the end = %v, want an error that the body is gone", c)
	}
}

func TestBodyServerCloseBeforeTheEndCancelsTheProducer(t *testing.T) {
	s := startBodyServer(t, time.Minute, time.Minute)
	pr, pw := io.Pipe()
	prod := produce(pw, make([]byte, 10<<20), 32<<10)
	r := s.open(t, s.bodies.Put(pr))
	if _, err := io.ReadFull(r, make([]byte, 100<<10)); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(t, prod.done, "the producer to be cancelled"); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("the producer stopped with %v, want io.ErrClosedPipe (its reader closed)", err)
	}
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Read after Close = %v, want io.ErrClosedPipe", err)
	}
}

// TestRemoteBodyCloseEndsAWaitingRead: the frontend closes a body when its
// client leaves, while a Read waits for a quiet producer.
func TestRemoteBodyCloseEndsAWaitingRead(t *testing.T) {
	s := startBodyServer(t, time.Minute, time.Minute)
	pr, pw := io.Pipe()
	r := s.open(t, s.bodies.Put(pr))
	read := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 10))
		read <- err
	}()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(t, read, "Read to return after Close"); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Read = %v, want io.ErrClosedPipe", err)
	}
	// The cancel reaches the server, which closes the producer's pipe.
	// (The read the pull started may still take a first write.)
	prod := produce(pw, make([]byte, 1<<20), 1)
	if err := waitFor(t, prod.done, "the producer to be cancelled"); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("the producer stopped with %v, want io.ErrClosedPipe", err)
	}
}

// notifyCloser reports when it is closed.
type notifyCloser struct {
	io.Reader
	closed chan struct{}
}

func (n *notifyCloser) Close() error { close(n.closed); return nil }

func TestBodyServerUnclaimedBodyExpires(t *testing.T) {
	s := startBodyServer(t, time.Millisecond, time.Minute)
	body := &notifyCloser{Reader: strings.NewReader("x"), closed: make(chan struct{})}
	id := s.bodies.Put(body)
	waitFor(t, body.closed, "the unclaimed body to be closed")
	c := s.pull(t, id, 0, 0)
	if !strings.Contains(c.GetError(), "not on node") {
		t.Fatalf("claiming an expired body = %v, want an error that it is gone", c)
	}
}

func TestBodyServerClosesABodyNobodyPulls(t *testing.T) {
	s := startBodyServer(t, time.Minute, time.Millisecond)
	pr, pw := io.Pipe()
	prod := produce(pw, []byte("abc"), 1)
	id := s.bodies.Put(pr)
	if c := s.pull(t, id, 1, 0); string(c.GetData()) != "a" {
		t.Fatalf("pull = %v, want %q", c, "a")
	}
	// The reader stops pulling (its node went away): the body is closed.
	if err := waitFor(t, prod.done, "the producer to be cancelled"); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("the producer stopped with %v, want io.ErrClosedPipe", err)
	}
	if c := s.pull(t, id, 1, 0); !strings.Contains(c.GetError(), "not on node") {
		t.Fatalf("a pull after the expiry = %v, want an error that the body is gone", c)
	}
}

func TestBodyServerMissingBody(t *testing.T) {
	s := startBodyServer(t, time.Minute, time.Minute)
	c := s.pull(t, 42, 1024, 0)
	if !strings.Contains(c.GetError(), "body stream 42 is not on node") || c.GetEof() || len(c.GetData()) != 0 {
		t.Fatalf("pull of a missing body = %v", c)
	}
	_, err := openRemoteBody(s.sys.Root, s.pid, 42, failAfter, failAfter/2)
	if !errors.Is(err, ErrBodyGone) || !strings.Contains(err.Error(), "body stream 42") {
		t.Fatalf("opening a missing body: %v, want ErrBodyGone naming the body", err)
	}
}

func TestBodyServerClaimsOnce(t *testing.T) {
	s := startBodyServer(t, time.Minute, time.Minute)
	id := s.bodies.Put(io.NopCloser(strings.NewReader("x")))
	if c := s.pull(t, id, 0, 0); c.GetError() != "" {
		t.Fatalf("claim = %v", c)
	}
	if c := s.pull(t, id, 0, 0); !strings.Contains(c.GetError(), "claimed by another reader") {
		t.Fatalf("second claim = %v, want an error", c)
	}
}

// TestBodyServerAnswersAQuietStream: a pull that finds no data within its
// wait is answered empty, and the data that comes later goes to the next
// pull; a quiet stream (server-sent events) outlives the per-pull timeout.
func TestBodyServerAnswersAQuietStream(t *testing.T) {
	s := startBodyServer(t, time.Minute, time.Minute)
	pr, pw := io.Pipe()
	id := s.bodies.Put(pr)
	c := s.pull(t, id, 1024, time.Millisecond)
	if c.GetError() != "" || c.GetEof() || len(c.GetData()) != 0 {
		t.Fatalf("pull of a quiet stream = %v, want an empty chunk", c)
	}
	prod := produce(pw, []byte("late"), 4)
	var got []byte
	for len(got) < 4 {
		c := s.pull(t, id, 1024, time.Millisecond)
		if c.GetError() != "" || c.GetEof() {
			t.Fatalf("pull = %v", c)
		}
		got = append(got, c.GetData()...)
	}
	if string(got) != "late" {
		t.Fatalf("got %q, want %q", got, "late")
	}
	if c := s.pull(t, id, 1024, 0); !c.GetEof() {
		t.Fatalf("last pull = %v, want eof", c)
	}
	if err := waitFor(t, prod.done, "the producer"); err != nil {
		t.Fatal(err)
	}
}

// pullCounter forwards pulls and keeps to the body server and reports
// each one.
type pullCounter struct {
	server *actor.PID
	pulls  chan struct{}
	keeps  chan struct{}
}

func (p *pullCounter) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *protos.BodyPull:
		p.pulls <- struct{}{}
	case *protos.BodyKeep:
		select {
		case p.keeps <- struct{}{}:
		default:
		}
	default:
		return
	}
	ctx.Forward(p.server)
}

func TestRemoteBodyReadsThroughQuietPeriods(t *testing.T) {
	s := startBodyServer(t, time.Minute, time.Minute)
	counter := &pullCounter{server: s.pid, pulls: make(chan struct{}, 100), keeps: make(chan struct{}, 100)}
	proxy := s.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return counter }))
	pr, pw := io.Pipe()
	r, err := openRemoteBody(s.sys.Root, proxy, s.bodies.Put(pr), failAfter, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	read := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r)
		read <- b
	}()
	// The claim, a pull answered empty, and the pull after it.
	for range 3 {
		waitFor(t, counter.pulls, "a pull")
	}
	prod := produce(pw, []byte("late"), 4)
	if got := waitFor(t, read, "the body"); string(got) != "late" {
		t.Fatalf("read %q, want %q", got, "late")
	}
	if err := waitFor(t, prod.done, "the producer"); err != nil {
		t.Fatal(err)
	}
}

// TestRemoteBodyKeepsASlowlyReadBody: a reader that is open but not
// pulling (its consumer reads slowly) keeps its body alive past the
// server's expiry.
func TestRemoteBodyKeepsASlowlyReadBody(t *testing.T) {
	const expiry = 200 * time.Millisecond
	s := startBodyServer(t, time.Minute, expiry)
	counter := &pullCounter{server: s.pid, pulls: make(chan struct{}, 100), keeps: make(chan struct{}, 1000)}
	proxy := s.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return counter }))
	pr, pw := io.Pipe()
	prod := produce(pw, []byte("slow"), 1)
	r, err := openRemoteBody(s.sys.Root, proxy, s.bodies.Put(pr), failAfter, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	first := make([]byte, 1)
	if _, err := io.ReadFull(r, first); err != nil || string(first) != "s" {
		t.Fatalf("first byte %q, %v", first, err)
	}
	// Keeps go out at most once a millisecond (timers never fire early),
	// so 2*expiry/ms of them span at least twice the expiry.
	for range int(2 * expiry / time.Millisecond) {
		waitFor(t, counter.keeps, "a keep")
	}
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "low" {
		t.Fatalf("the rest after a long pause: %q, %v; want %q", rest, err, "low")
	}
	if err := waitFor(t, prod.done, "the producer"); err != nil {
		t.Fatal(err)
	}
}

// silent swallows every message.
type silent struct{}

func (silent) Receive(actor.Context) {}

func TestRemoteBodyTimeoutNamesTheNode(t *testing.T) {
	sys := newTestSystem(t)
	pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return silent{} }))
	_, err := openRemoteBody(sys.Root, pid, 7, 20*time.Millisecond, 10*time.Millisecond)
	if !errors.Is(err, actor.ErrTimeout) || !strings.Contains(err.Error(), "node "+pid.GetAddress()+" did not answer") {
		t.Fatalf("pull from a silent node: %v, want a timeout naming the node", err)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// newTestSystem is a local actor system (no remoting) that logs nothing.
func newTestSystem(t *testing.T) *actor.ActorSystem {
	quiet := slog.New(slog.DiscardHandler)
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet }))
	t.Cleanup(sys.Shutdown)
	return sys
}
