package jsvm

import (
	"sync"
	"testing"
)

func TestLoopRunsJobsInOrderOnOneGoroutine(t *testing.T) {
	var mu sync.Mutex
	var got []int
	l := newLoop()
	var wg sync.WaitGroup
	wg.Add(100)
	for i := 0; i < 100; i++ {
		i := i
		if !l.post(func() { mu.Lock(); got = append(got, i); mu.Unlock(); wg.Done() }) {
			t.Fatal("post refused on a running loop")
		}
	}
	wg.Wait()
	l.stop()
	for i, v := range got {
		if v != i {
			t.Fatalf("job %d ran at position %d", v, i)
		}
	}
}

func TestLoopPostAfterStop(t *testing.T) {
	l := newLoop()
	l.stop()
	l.stop() // idempotent
	if l.post(func() { t.Error("ran after stop") }) {
		t.Fatal("post accepted after stop")
	}
}

func TestLoopJobMayPostJobs(t *testing.T) {
	l := newLoop()
	defer l.stop()
	done := make(chan struct{})
	var post func(n int)
	post = func(n int) {
		if n == 0 {
			close(done)
			return
		}
		l.post(func() { post(n - 1) })
	}
	l.post(func() { post(1000) })
	<-done
}
