package loadgen

import (
	"math"
	"math/rand"
	"sort"
	"testing"
	"time"
)

func TestBucketsAreContiguous(t *testing.T) {
	prevHi := uint64(0)
	for i := 0; i < numBuckets; i++ {
		lo, hi := bucketBounds(i)
		if i > 0 && lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, lo, prevHi)
		}
		if bucketOf(lo) != i || bucketOf(hi) != i {
			t.Fatalf("bucket %d = [%d, %d] but bucketOf gives %d and %d", i, lo, hi, bucketOf(lo), bucketOf(hi))
		}
		if lo >= 2*subCount && float64(hi-lo+1)/float64(lo) > 1.0/subCount+1e-12 {
			t.Fatalf("bucket %d = [%d, %d] is wider than 1/%d of its values", i, lo, hi, subCount)
		}
		prevHi = hi
		if hi == ^uint64(0) {
			if i != numBuckets-1 {
				t.Fatalf("the last value is in bucket %d, want %d", i, numBuckets-1)
			}
			return
		}
	}
	t.Fatalf("buckets end at %d, not at the largest uint64", prevHi)
}

func exactPercentile(sorted []time.Duration, q float64) time.Duration {
	rank := int(float64(len(sorted))*q + 0.999999999)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func TestPercentilesMatchExactWithinPrecision(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var h Histogram
	var vals []time.Duration
	for i := 0; i < 50000; i++ {
		// Log-uniform from 10µs to 1s, like real latencies.
		d := time.Duration(float64(10*time.Microsecond) * math.Pow(1e5, rng.Float64()))
		vals = append(vals, d)
		h.Record(d)
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	for _, q := range []float64{0.01, 0.25, 0.5, 0.9, 0.99, 0.999} {
		got, want := h.Percentile(q), exactPercentile(vals, q)
		if diff := float64(got-want) / float64(want); diff > 1.0/subCount || diff < -1.0/subCount {
			t.Errorf("p%v = %v, exact %v (off by %.2f%%)", q*100, got, want, diff*100)
		}
	}
	if h.Count() != uint64(len(vals)) || h.Min() != vals[0] || h.Max() != vals[len(vals)-1] {
		t.Errorf("count/min/max = %d/%v/%v, want %d/%v/%v", h.Count(), h.Min(), h.Max(), len(vals), vals[0], vals[len(vals)-1])
	}
}

func TestSmallValuesAreExact(t *testing.T) {
	var h Histogram
	for _, v := range []time.Duration{5, 1, 3, 2, 4} {
		h.Record(v)
	}
	for q, want := range map[float64]time.Duration{0.2: 1, 0.4: 2, 0.5: 3, 0.6: 3, 0.8: 4, 1: 5, 0: 1} {
		if got := h.Percentile(q); got != want {
			t.Errorf("Percentile(%v) = %v, want %v", q, got, want)
		}
	}
	if h.Mean() != 3 {
		t.Errorf("Mean = %v, want 3", h.Mean())
	}
}

func TestEmptyAndMerge(t *testing.T) {
	var a, b Histogram
	if a.Percentile(0.5) != 0 || a.Mean() != 0 || a.Max() != 0 {
		t.Fatal("an empty histogram reports non-zero values")
	}
	a.Merge(&b)
	if a.Count() != 0 {
		t.Fatal("merging two empty histograms counted something")
	}
	a.Record(10 * time.Millisecond)
	b.Record(time.Millisecond)
	b.Record(-time.Second) // counted as 0
	a.Merge(&b)
	if a.Count() != 3 || a.Min() != 0 || a.Max() != 10*time.Millisecond {
		t.Fatalf("after merge count/min/max = %d/%v/%v", a.Count(), a.Min(), a.Max())
	}
}
