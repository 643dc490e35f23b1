package providertest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

// The Consul test server is driven with HashiCorp's own client (the one
// Proto.Actor's provider uses), so these tests also check the wire format.

func consulClient(t *testing.T, c *Consul, token string) *api.Client {
	t.Helper()
	cl, err := api.NewClient(&api.Config{Address: c.Addr(), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// waitHealth runs a blocking health query from index until ok holds for
// its answer, and returns the answer and its index.
func waitHealth(t *testing.T, cl *api.Client, service string, index uint64, ok func([]*api.ServiceEntry) bool) ([]*api.ServiceEntry, uint64) {
	t.Helper()
	for i := 0; i < 100; i++ {
		entries, meta, err := cl.Health().Service(service, "", false, &api.QueryOptions{WaitIndex: index, WaitTime: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if meta.LastIndex < index {
			t.Fatalf("X-Consul-Index went back from %d to %d", index, meta.LastIndex)
		}
		if ok(entries) {
			return entries, meta.LastIndex
		}
		index = meta.LastIndex
	}
	t.Fatal("the health query never gave the expected answer")
	return nil, 0
}

func statusOf(entries []*api.ServiceEntry, id string) string {
	for _, e := range entries {
		if e.Service.ID == id {
			return e.Checks.AggregatedStatus()
		}
	}
	return "absent"
}

func TestProviderConsulTTLCheckLifecycle(t *testing.T) {
	c := StartConsul(t, "")
	cl := consulClient(t, c, "")
	if leader, err := cl.Status().Leader(); err != nil || leader == "" {
		t.Fatalf("leader %q %v", leader, err)
	}
	reg := &api.AgentServiceRegistration{ID: "m1", Name: "edge", Tags: []string{"coordinator"}, Address: "127.0.0.2", Port: 8090,
		Meta:  map[string]string{"id": "m1"},
		Check: &api.AgentServiceCheck{TTL: "300ms", DeregisterCriticalServiceAfter: "1m"}}
	if err := cl.Agent().ServiceRegister(reg); err != nil {
		t.Fatal(err)
	}
	// A TTL check starts critical.
	entries, index := waitHealth(t, cl, "edge", 0, func([]*api.ServiceEntry) bool { return true })
	if len(entries) != 1 || statusOf(entries, "m1") != api.HealthCritical {
		t.Fatalf("after registering: %d entries, m1 %s; want one, critical", len(entries), statusOf(entries, "m1"))
	}
	e := entries[0]
	if e.Service.Address != "127.0.0.2" || e.Service.Port != 8090 || e.Service.Meta["id"] != "m1" || strings.Join(e.Service.Tags, ",") != "coordinator" ||
		e.Node.Node == "" || len(e.Checks) != 2 || e.Checks[0].CheckID != "serfHealth" || e.Checks[1].CheckID != "service:m1" {
		t.Fatalf("entry %+v service %+v checks %+v", e, e.Service, e.Checks)
	}
	// An update makes it passing and wakes the blocking query.
	if err := cl.Agent().UpdateTTL("service:m1", "", api.HealthPassing); err != nil {
		t.Fatal(err)
	}
	entries, index = waitHealth(t, cl, "edge", index, func(es []*api.ServiceEntry) bool { return statusOf(es, "m1") == api.HealthPassing })
	// Without updates the TTL lapses: critical, "TTL expired".
	entries, _ = waitHealth(t, cl, "edge", index, func(es []*api.ServiceEntry) bool { return statusOf(es, "m1") == api.HealthCritical })
	if out := entries[0].Checks[1].Output; out != "TTL expired" {
		t.Errorf("output %q, want TTL expired", out)
	}
	if err := cl.Agent().ServiceDeregister("m1"); err != nil {
		t.Fatal(err)
	}
	if got := c.Instances("edge"); len(got) != 0 {
		t.Fatalf("after deregistering: %+v", got)
	}
	if err := cl.Agent().ServiceDeregister("m1"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("deregistering an unknown service: %v, want a 404", err)
	}
}

func TestProviderConsulBlockingQueryWaitsForAChange(t *testing.T) {
	c := StartConsul(t, "")
	cl := consulClient(t, c, "")
	if err := cl.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: "m1", Name: "edge", Port: 1,
		Check: &api.AgentServiceCheck{TTL: "1h", Status: api.HealthPassing}}); err != nil {
		t.Fatal(err)
	}
	_, meta, err := cl.Health().Service("edge", "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing changes: the query waits out wait= and answers the same index.
	_, meta2, err := cl.Health().Service("edge", "", false, &api.QueryOptions{WaitIndex: meta.LastIndex, WaitTime: 50 * time.Millisecond})
	if err != nil || meta2.LastIndex != meta.LastIndex {
		t.Fatalf("index %d -> %d (%v), want unchanged", meta.LastIndex, meta2.LastIndex, err)
	}
	// A TTL update that changes nothing raises no index.
	if err := cl.Agent().UpdateTTL("service:m1", "", api.HealthPassing); err != nil {
		t.Fatal(err)
	}
	if c.Index() != meta.LastIndex {
		t.Fatalf("an update to the same status raised the index %d -> %d", meta.LastIndex, c.Index())
	}
	// A blocked query returns as soon as a change happens.
	type answer struct {
		entries []*api.ServiceEntry
		index   uint64
		err     error
	}
	done := make(chan answer, 1)
	go func() {
		es, m, err := cl.Health().Service("edge", "", false, &api.QueryOptions{WaitIndex: meta.LastIndex, WaitTime: time.Minute})
		done <- answer{es, m.LastIndex, err}
	}()
	if err := cl.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: "m2", Name: "edge", Port: 2,
		Check: &api.AgentServiceCheck{TTL: "1h"}}); err != nil {
		t.Fatal(err)
	}
	a := <-done
	if a.err != nil || a.index <= meta.LastIndex || len(a.entries) != 2 {
		t.Fatalf("blocked query: %d entries, index %d (was %d), %v", len(a.entries), a.index, meta.LastIndex, a.err)
	}
	// passing leaves out m2 (critical); tag filters.
	if es, _, err := cl.Health().Service("edge", "", true, nil); err != nil || len(es) != 1 || es[0].Service.ID != "m1" {
		t.Fatalf("passing only: %v %v", es, err)
	}
	if es, _, err := cl.Health().Service("edge", "nope", false, nil); err != nil || len(es) != 0 {
		t.Fatalf("tag nope: %v %v", es, err)
	}
}

func TestProviderConsulReapsServicesCriticalTooLong(t *testing.T) {
	c := StartConsul(t, "")
	cl := consulClient(t, c, "")
	if err := cl.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: "gone", Name: "edge", Port: 1,
		Check: &api.AgentServiceCheck{TTL: "1h", DeregisterCriticalServiceAfter: "100ms"}}); err != nil {
		t.Fatal(err)
	}
	if err := cl.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: "kept", Name: "edge", Port: 2,
		Check: &api.AgentServiceCheck{TTL: "1h", Status: api.HealthPassing, DeregisterCriticalServiceAfter: "100ms"}}); err != nil {
		t.Fatal(err)
	}
	entries, _ := waitHealth(t, cl, "edge", 0, func(es []*api.ServiceEntry) bool { return statusOf(es, "gone") == "absent" })
	if statusOf(entries, "kept") != api.HealthPassing {
		t.Fatalf("the passing service went too: %v", entries)
	}
}

func TestProviderConsulACLs(t *testing.T) {
	c := StartConsul(t, "secret-token")
	reg := &api.AgentServiceRegistration{ID: "m1", Name: "edge", Port: 1, Check: &api.AgentServiceCheck{TTL: "1h", Status: api.HealthPassing}}
	for _, tc := range []struct{ token, want string }{{"", "Permission denied"}, {"wrong", "ACL not found"}} {
		err := consulClient(t, c, tc.token).Agent().ServiceRegister(reg)
		if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("register with token %q: %v, want 403 %s", tc.token, err, tc.want)
		}
	}
	good := consulClient(t, c, "secret-token")
	if err := good.Agent().ServiceRegister(reg); err != nil {
		t.Fatal(err)
	}
	if err := consulClient(t, c, "").Agent().UpdateTTL("service:m1", "", api.HealthCritical); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("anonymous TTL update: %v, want 403", err)
	}
	// The anonymous token reads nothing, and is told so.
	resp, err := http.Get("http://" + c.Addr() + "/v1/health/service/edge")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "[]" || resp.Header.Get("X-Consul-Results-Filtered-By-ACLs") != "true" {
		t.Errorf("anonymous health query: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if es, _, err := good.Health().Service("edge", "", false, nil); err != nil || len(es) != 1 {
		t.Errorf("health with the token: %v %v", es, err)
	}
	if _, _, err := consulClient(t, c, "wrong").Health().Service("edge", "", false, nil); err == nil || !strings.Contains(err.Error(), "ACL not found") {
		t.Errorf("health with an unknown token: %v", err)
	}
}

func TestProviderConsulRefusesWhatItDoesNotImplement(t *testing.T) {
	c := StartConsul(t, "")
	cl := consulClient(t, c, "")
	for _, reg := range []*api.AgentServiceRegistration{
		{Name: "edge", Check: &api.AgentServiceCheck{HTTP: "http://x/", Interval: "1s"}},
		{Name: "edge", Check: &api.AgentServiceCheck{TTL: "soon"}},
		{ID: "x", Port: 1},
	} {
		if err := cl.Agent().ServiceRegister(reg); err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("register %+v: %v, want 400", reg, err)
		}
	}
	if err := cl.Agent().UpdateTTL("service:none", "", api.HealthPassing); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("update of an unknown check: %v, want 404", err)
	}
	if _, _, err := cl.Health().Service("edge", "", false, &api.QueryOptions{Filter: "Service.Port == 1"}); err == nil {
		t.Error("filter= was accepted")
	}
}
