package actors

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/protos"
)

// RefreshDeployments from another member: with wait the answer comes once
// the refresh is done (and says if it failed), so the deploying node knows
// this node serves the change; without it the answer comes at once and
// the refresh follows (the asker may hold its deploy lock). A node still
// starting answers at once: it loads everything from the store before it
// serves.
func TestRefreshDeploymentsAnswers(t *testing.T) {
	plat, err := NewPlatform(Options{Config: &configs.Config{Limits: configs.LimitsConfig{RequestTimeout: "30s"},
		Coordinators: configs.CoordinatorsConfig{IdleTimeout: "0s"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	errorOf := func(reply any) string {
		t.Helper()
		a, ok := reply.(*protos.Activated)
		if !ok {
			t.Fatalf("answered %T, want *protos.Activated", reply)
		}
		return a.GetError().GetMessage()
	}
	if msg := errorOf(plat.control(ctx, &protos.RefreshDeployments{Wait: true})); msg != "" {
		t.Errorf("starting node answered %q", msg)
	}

	var refreshed atomic.Int32
	var fail atomic.Bool
	release := make(chan struct{})
	plat.SetRefresher(func(context.Context) error {
		<-release
		refreshed.Add(1)
		if fail.Load() {
			return errors.New("store unreachable")
		}
		return nil
	})

	// Without wait: answered while the refresh is still blocked.
	if msg := errorOf(plat.control(ctx, &protos.RefreshDeployments{})); msg != "" {
		t.Errorf("refresh without wait answered %q", msg)
	}
	if n := refreshed.Load(); n != 0 {
		t.Fatalf("%d refreshes done before they were released", n)
	}
	close(release)
	for deadline := time.Now().Add(30 * time.Second); refreshed.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the refresh asked for without wait never ran")
		}
	}

	// With wait: the refresh has run when the answer comes.
	before := refreshed.Load()
	if msg := errorOf(plat.control(ctx, &protos.RefreshDeployments{Wait: true})); msg != "" {
		t.Errorf("refresh with wait answered %q", msg)
	}
	if refreshed.Load() <= before {
		t.Errorf("answered before refreshing")
	}
	fail.Store(true)
	if msg := errorOf(plat.control(ctx, &protos.RefreshDeployments{Wait: true})); !strings.Contains(msg, "store unreachable") {
		t.Errorf("failed refresh answered %q, want its error", msg)
	}
}
