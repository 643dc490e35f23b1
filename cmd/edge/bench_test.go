package main

import (
	"io"
	"net/http"
	"path/filepath"
	"testing"
)

// benchEdge starts the real binary on the counter example and returns a
// function that sends one request to path on the worker's host.
func benchEdge(b *testing.B) func(path string) {
	config, _ := filepath.Abs("../../examples/counter/edge.yaml")
	p := startEdge(b, config, b.TempDir())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return func(path string) {
		req, _ := http.NewRequest("GET", "http://"+p.addr+path, nil)
		req.Host = workerHost
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// benchPath sends GETs of path from 16 goroutines (8 per CPU).
func benchPath(b *testing.B, path string) {
	get := benchEdge(b)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			get(path)
		}
	})
}

// BenchmarkCounterRead: worker -> coordinator read, over real HTTP.
func BenchmarkCounterRead(b *testing.B) { benchPath(b, "/") }

// BenchmarkCounterIncrement: worker -> one hot coordinator, durable write.
func BenchmarkCounterIncrement(b *testing.B) { benchPath(b, "/increment") }
