package persistence

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// Part of runAdminSuite (deployments_test.go): each backend, two handles.

func heartbeat(t *testing.T, s adminStore, m MemberRecord) time.Time {
	t.Helper()
	at, err := s.Heartbeat(actx(t), m)
	if err != nil {
		t.Fatalf("Heartbeat(%s): %v", m.ID, err)
	}
	return at
}

func members(t *testing.T, s adminStore) ([]MemberRecord, time.Time) {
	t.Helper()
	ms, clock, err := s.Members(actx(t))
	if err != nil {
		t.Fatal(err)
	}
	if clock.IsZero() {
		t.Fatal("Members returned no clock")
	}
	return ms, clock
}

func testMembersRoundTrip(t *testing.T, open func(t *testing.T) adminStore) {
	s, other := open(t), open(t)
	ctx := actx(t)
	if ms, _ := members(t, other); len(ms) != 0 {
		t.Fatalf("members of an empty database: %+v", ms)
	}

	b1 := heartbeat(t, s, MemberRecord{ID: "node-b", Region: "us", Address: "10.0.0.2:8090"})
	a1 := heartbeat(t, other, MemberRecord{ID: "node-a", Region: "eu", Address: "10.0.0.1:8090"})
	ms, clock := members(t, s)
	want := []MemberRecord{
		{ID: "node-a", Region: "eu", Address: "10.0.0.1:8090", Started: a1, Heartbeat: a1},
		{ID: "node-b", Region: "us", Address: "10.0.0.2:8090", Started: b1, Heartbeat: b1},
	}
	if !reflect.DeepEqual(ms, want) {
		t.Fatalf("Members:\n got %+v\nwant %+v", ms, want)
	}
	// The clock is read after the heartbeats it sees were written.
	if clock.Before(a1) || clock.Before(b1) {
		t.Fatalf("Members' clock %v is before a heartbeat it returned (%v, %v)", clock, a1, b1)
	}

	// Later heartbeats advance (the clock has millisecond steps: beat until
	// it moved), keep Started and replace the region and address.
	a2 := a1
	for !a2.After(a1) {
		a2 = heartbeat(t, s, MemberRecord{ID: "node-a", Region: "eu-west", Address: "10.0.0.9:8090"})
		if a2.Before(a1) {
			t.Fatalf("heartbeat went back from %v to %v", a1, a2)
		}
	}
	ms, clock = members(t, other)
	if got := ms[0]; got.Region != "eu-west" || got.Address != "10.0.0.9:8090" || !got.Started.Equal(a1) || !got.Heartbeat.Equal(a2) {
		t.Fatalf("after a second heartbeat: %+v, want started %v, heartbeat %v", got, a1, a2)
	}
	if clock.Before(a2) {
		t.Fatalf("Members' clock %v is before the heartbeat %v", clock, a2)
	}

	if err := other.LeaveMember(ctx, "node-a"); err != nil {
		t.Fatal(err)
	}
	if err := s.LeaveMember(ctx, "node-a"); err != nil {
		t.Fatalf("leaving twice: %v", err)
	}
	if ms, _ := members(t, s); len(ms) != 1 || ms[0].ID != "node-b" {
		t.Fatalf("after node-a left: %+v", ms)
	}
	// A member that left and comes back starts anew.
	a3 := heartbeat(t, s, MemberRecord{ID: "node-a", Region: "eu", Address: "10.0.0.1:8090"})
	if ms, _ := members(t, s); !ms[0].Started.Equal(a3) {
		t.Fatalf("rejoined member: %+v, want started %v", ms[0], a3)
	}

	for _, m := range []MemberRecord{{Region: "eu"}, {ID: "node-c"}} {
		if _, err := s.Heartbeat(ctx, m); !errors.Is(err, ErrInvalid) {
			t.Errorf("Heartbeat(%+v): %v, want ErrInvalid", m, err)
		}
	}
	if ms, _ := members(t, s); len(ms) != 2 {
		t.Fatalf("invalid heartbeats were stored: %+v", ms)
	}
}
