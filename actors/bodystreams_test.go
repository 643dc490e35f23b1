package actors

import (
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type closeCounter struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }

func TestBodyStreamsTakeOnce(t *testing.T) {
	s := NewBodyStreams(time.Minute)
	body := &closeCounter{Reader: strings.NewReader("x")}
	id := s.Put(body)
	if id == 0 {
		t.Fatal("Put returned id 0, which means no stream")
	}
	if got := s.Take(id); got != body {
		t.Fatalf("Take = %v, want the body", got)
	}
	if got := s.Take(id); got != nil {
		t.Fatal("a body was taken twice")
	}
}

func TestBodyStreamsCloseWhatNobodyTakes(t *testing.T) {
	s := NewBodyStreams(10 * time.Millisecond)
	body := &closeCounter{Reader: strings.NewReader("x")}
	id := s.Put(body)
	deadline := time.Now().Add(5 * time.Second)
	for body.closed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if body.closed.Load() != 1 {
		t.Fatal("an expired body was not closed")
	}
	if s.Take(id) != nil {
		t.Fatal("an expired body can still be taken")
	}
}
