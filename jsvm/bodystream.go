package jsvm

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/dop251/goja"
)

// Streaming bodies between JavaScript and Go.
//
// A body that JavaScript produces as a ReadableStream (a streamed Response,
// a fetch() with a stream body) reaches Go through a bodyPipe: the JS side
// reads its stream and writes each chunk into the pipe; Go reads the pipe as
// an io.ReadCloser. The pipe holds at most pipeHighWater bytes; past that
// the JS writer waits until Go has read, so a slow client slows the
// producer instead of filling memory. When Go stops reading (the client
// went away) the JS stream is cancelled.
//
// A body that Go produces (an incoming request body, a fetch() response)
// reaches JavaScript as a ReadableStream whose pulls read up to
// hostReadChunk bytes from the io.ReadCloser on another goroutine.

const (
	pipeHighWater = 64 << 10
	hostReadChunk = 32 << 10
)

// Pipe write results, as the JS side sees them.
const (
	pipeMore      = 0 // write the next chunk now
	pipeWait      = 1 // wait for the callback, then write the next chunk
	pipeCancelled = 2 // the reader is gone (or the limit was hit): cancel the stream
)

// ErrBodyStreamCancelled is what a JS stream sees when Go stopped reading.
var ErrBodyStreamCancelled = errors.New("the body's reader went away")

// bodyPipe carries a body from JavaScript to Go.
type bodyPipe struct {
	mu     sync.Mutex
	chunks [][]byte
	queued int
	total  int64
	limit  int64
	done   bool  // the writer closed the pipe
	err    error // why the writer stopped early, or the limit error
	gone   bool  // the reader closed
	wake   chan struct{}
	// resume is the writer's callback while it waits for room; it is
	// posted to the loop once queued drains below the high-water mark.
	resume func()
	// cancel tells the JS side the reader went away.
	cancel func()
}

func newBodyPipe(limit int64) *bodyPipe {
	return &bodyPipe{limit: limit, wake: make(chan struct{}, 1)}
}

func (p *bodyPipe) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// write queues a chunk from JavaScript. Runs on the loop.
func (p *bodyPipe) write(b []byte, resume func()) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone || p.done {
		return pipeCancelled
	}
	p.total += int64(len(b))
	if p.limit > 0 && p.total > p.limit {
		p.done = true
		p.err = fmt.Errorf("streamed body passed %d bytes: %w", p.limit, ErrBodyTooLarge)
		p.signal()
		return pipeCancelled
	}
	if len(b) > 0 {
		p.chunks = append(p.chunks, b)
		p.queued += len(b)
		p.signal()
	}
	if p.queued < pipeHighWater {
		return pipeMore
	}
	p.resume = resume
	return pipeWait
}

// finish ends the body: err nil is a clean end. Runs on the loop.
func (p *bodyPipe) finish(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done, p.err = true, err
	p.signal()
}

// Read implements io.Reader for Go.
func (p *bodyPipe) Read(b []byte) (int, error) {
	for {
		p.mu.Lock()
		if len(p.chunks) > 0 {
			n := copy(b, p.chunks[0])
			if n == len(p.chunks[0]) {
				p.chunks[0] = nil
				p.chunks = p.chunks[1:]
			} else {
				p.chunks[0] = p.chunks[0][n:]
			}
			p.queued -= n
			var resume func()
			if p.resume != nil && p.queued < pipeHighWater {
				resume, p.resume = p.resume, nil
			}
			p.mu.Unlock()
			if resume != nil {
				resume()
			}
			return n, nil
		}
		if p.done {
			err := p.err
			p.mu.Unlock()
			if err == nil {
				err = io.EOF
			}
			return 0, err
		}
		if p.gone {
			p.mu.Unlock()
			return 0, io.ErrClosedPipe
		}
		p.mu.Unlock()
		<-p.wake
	}
}

// Close is called by the Go reader when it stops reading.
func (p *bodyPipe) Close() error {
	p.mu.Lock()
	if p.gone {
		p.mu.Unlock()
		return nil
	}
	p.gone = true
	finished := p.done
	p.chunks, p.queued = nil, 0
	resume, cancel := p.resume, p.cancel
	p.resume = nil
	p.mu.Unlock()
	p.signal()
	if !finished && cancel != nil {
		cancel()
	}
	if resume != nil {
		resume()
	}
	return nil
}

// streamOps are the host operations behind streamed bodies.
func (in *Instance) streamOps() map[string]any {
	vm := in.vm
	return map[string]any{
		// pipeOpen starts a JS→Go body and returns its id; cancel is called
		// if Go stops reading before the end.
		"pipeOpen": func(cancel goja.Callable) int64 {
			id, _ := in.newPipe(cancel)
			return id
		},
		// pipeWrite writes one chunk of JS body id; see the pipe* results.
		"pipeWrite": func(id int64, chunk goja.Value, resume goja.Callable) int {
			p := in.pipes[id]
			if p == nil {
				return pipeCancelled
			}
			b, ok := bodyFromJS(chunk)
			if !ok {
				panic(vm.NewTypeError("a streamed body chunk must be a Uint8Array"))
			}
			post := in.poster()
			return p.write(b, func() { post(func() { _, _ = resume(goja.Undefined()) }) })
		},
		// pipeClose ends JS body id, with an error message or null.
		"pipeClose": func(id int64, errMsg goja.Value) {
			p := in.pipes[id]
			if p == nil {
				return
			}
			delete(in.pipes, id)
			if errMsg == nil || goja.IsNull(errMsg) || goja.IsUndefined(errMsg) {
				p.finish(nil)
				return
			}
			p.finish(fmt.Errorf("the body stream failed: %s", errMsg.String()))
		},
		// readerRead reads the next chunk of Go body id and calls
		// cb(err|null, ArrayBuffer|null at the end).
		"readerRead": func(id int64, cb goja.Callable) {
			r := in.readers[id]
			if r == nil {
				_, _ = cb(goja.Undefined(), goja.Null(), goja.Null())
				return
			}
			post := in.poster()
			go func() {
				buf := make([]byte, hostReadChunk)
				n, err := io.ReadAtLeast(r, buf, 1)
				post(func() {
					if n > 0 {
						_, _ = cb(goja.Undefined(), goja.Null(), vm.ToValue(vm.NewArrayBuffer(buf[:n])))
						return
					}
					delete(in.readers, id)
					_ = r.Close()
					if err == io.EOF || err == io.ErrUnexpectedEOF {
						_, _ = cb(goja.Undefined(), goja.Null(), goja.Null())
						return
					}
					_, _ = cb(goja.Undefined(), vm.ToValue(err.Error()), goja.Null())
				})
			}()
		},
		// readerCancel stops reading Go body id.
		"readerCancel": func(id int64) {
			if r := in.readers[id]; r != nil {
				delete(in.readers, id)
				_ = r.Close()
			}
		},
	}
}

// newPipe registers a JS→Go body and returns its id. cancel is called on
// the loop when Go stops reading early. Runs on the loop.
func (in *Instance) newPipe(cancel goja.Callable) (int64, *bodyPipe) {
	in.nextStream++
	id := in.nextStream
	p := newBodyPipe(in.cfg.Limits.MaxBodyBytes)
	post := in.poster()
	p.cancel = func() { post(func() { _, _ = cancel(goja.Undefined()) }) }
	in.pipes[id] = p
	return id, p
}

// newReader registers a Go→JS body and returns its id. Runs on the loop.
func (in *Instance) newReader(r io.ReadCloser) int64 {
	in.nextStream++
	in.readers[in.nextStream] = r
	return in.nextStream
}

// closeStreams ends every body still open when the instance stops.
func (in *Instance) closeStreams() {
	for id, p := range in.pipes {
		p.finish(ErrClosed)
		delete(in.pipes, id)
	}
	for id, r := range in.readers {
		_ = r.Close()
		delete(in.readers, id)
	}
}

// limitReader fails a streamed body once it passes limit bytes, instead of
// truncating it silently.
func limitReader(r io.ReadCloser, limit int64) io.ReadCloser {
	return &limitedBody{r: r, left: limit}
}

type limitedBody struct {
	r    io.ReadCloser
	left int64
}

func (l *limitedBody) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, fmt.Errorf("streamed body: %w", ErrBodyTooLarge)
	}
	return n, err
}

func (l *limitedBody) Close() error { return l.r.Close() }
