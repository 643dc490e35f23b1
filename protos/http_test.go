package protos

import (
	"net/http"
	"reflect"
	"testing"
)

func TestHeadersRoundTrip(t *testing.T) {
	h := http.Header{
		"Accept":     {"*/*"},
		"Set-Cookie": {"a=1", "b=2", "c=3"},
		"X-Empty":    {""},
	}
	fields := HeadersFromHTTP(h)
	if len(fields) != 5 {
		t.Fatalf("%d fields, want 5", len(fields))
	}
	back := HeadersToHTTP(fields)
	if !reflect.DeepEqual(back, h) {
		t.Fatalf("round trip: %v, want %v", back, h)
	}
	// Appending to one name's values must not change another's.
	back["Accept"] = append(back["Accept"], "text/plain")
	if got := back.Get("X-Empty"); got != "" || len(back["Set-Cookie"]) != 3 || back["Set-Cookie"][2] != "c=3" {
		t.Fatalf("an append to Accept changed other headers: %v", back)
	}
	// Names are canonicalized, and a name repeated in the fields collects
	// its values in order.
	got := HeadersToHTTP([]*Header{{Name: "x-a", Value: "1"}, {Name: "Content-Type", Value: "t"}, {Name: "X-A", Value: "2"}})
	want := http.Header{"X-A": {"1", "2"}, "Content-Type": {"t"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	got["Content-Type"] = append(got["Content-Type"], "u")
	if !reflect.DeepEqual(got["X-A"], []string{"1", "2"}) {
		t.Fatalf("an append to Content-Type changed X-A: %v", got)
	}
	if len(HeadersFromHTTP(nil)) != 0 || len(HeadersToHTTP(nil)) != 0 {
		t.Fatal("empty headers are not empty")
	}
}

// BenchmarkHeaders converts a typical request's headers to fields and back.
func BenchmarkHeaders(b *testing.B) {
	h := http.Header{"Accept": {"*/*"}, "User-Agent": {"loadgen"}, "Accept-Encoding": {"gzip"}, "Edge-Hops": {"1"}}
	b.ReportAllocs()
	for range b.N {
		HeadersToHTTP(HeadersFromHTTP(h))
	}
}
