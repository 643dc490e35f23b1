// Package providertest has in-process test servers for the HTTP APIs that
// Proto.Actor's consul and k8s membership providers call: a Consul agent
// (Consul) and a Kubernetes API server holding pods (Kube). No Consul or
// Kubernetes can be installed where edge's tests run, so these implement
// the documented endpoints the providers use, with the semantics the
// providers rely on, written from the APIs' documentation: not a copy of
// either project. Each type's comment lists what it does not do.
package providertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Consul is a Consul agent's HTTP API, for one agent whose node is always
// healthy, as its documentation describes it:
//
//   - PUT /v1/agent/service/register registers (or replaces) a service with
//     a TTL check, named "service:<id>" for a single Check and
//     "service:<id>:<n>" for Checks, critical until first updated unless the
//     registration gives a Status; DeregisterCriticalServiceAfter removes a
//     service whose check stayed critical that long.
//   - PUT /v1/agent/check/update/<id> ({"Status", "Output"}) and the older
//     /v1/agent/check/pass|warn|fail/<id> set a TTL check's status and
//     restart its TTL; a check not updated within its TTL turns critical
//     with output "TTL expired".
//   - PUT /v1/agent/service/deregister/<id> removes a service.
//   - GET /v1/health/service/<name> (tag=, passing) lists the service's
//     instances with their checks and the node's "serfHealth"; with index=
//     it is a blocking query that answers once X-Consul-Index passes index,
//     or after wait= (default 5m, at most 10m).
//   - GET /v1/status/leader names a leader.
//
// Every change (a registration, a check's status or output, a removal)
// raises one index, which every response carries as X-Consul-Index; Consul
// keeps finer indexes per table, which clients may not rely on anyway.
// With a token, ACLs are on with a default deny: requests without a token
// are the anonymous token, whose writes are refused (403 "Permission
// denied") and whose health queries are answered with an empty list
// (X-Consul-Results-Filtered-By-ACLs), and an unknown token is refused (403
// "ACL not found"); the token comes from X-Consul-Token, "Authorization:
// Bearer" or ?token=.
//
// Not implemented: other check types (HTTP, TCP, script...), catalog and KV
// endpoints, datacenters, filter=, and the agent's one-minute minimum for
// DeregisterCriticalServiceAfter and 30 s reaping interval (it reaps on
// time). Unknown endpoints answer 404.
type Consul struct {
	// token, when set, turns ACLs on (see above).
	token string

	srv *httptest.Server

	mu       sync.Mutex
	index    uint64
	services map[string]*consulService
	// changed is closed and replaced each time index grows.
	changed chan struct{}
	closed  chan struct{}
}

type consulService struct {
	ID, Name    string
	Tags        []string
	Address     string
	Port        int
	Meta        map[string]string
	checks      []*consulCheck
	create, mod uint64
}

type consulCheck struct {
	ID, Name, Status, Output string
	ttl, deregisterAfter     time.Duration
	ttlTimer, reapTimer      *time.Timer
	create, mod              uint64
}

// StartConsul starts a Consul agent on 127.0.0.1, with ACLs on if token
// is set (the one token that may do everything); it stops when the test
// ends.
func StartConsul(t testing.TB, token string) *Consul {
	t.Helper()
	c := &Consul{token: token, index: 1, services: map[string]*consulService{}, changed: make(chan struct{}), closed: make(chan struct{})}
	c.srv = httptest.NewServer(c.handler())
	t.Cleanup(c.Close)
	return c
}

// Addr is the agent's host:port.
func (c *Consul) Addr() string { return strings.TrimPrefix(c.srv.URL, "http://") }

// Close ends blocking queries and stops the server.
func (c *Consul) Close() {
	c.mu.Lock()
	select {
	case <-c.closed:
		c.mu.Unlock()
		return
	default:
	}
	close(c.closed)
	for _, s := range c.services {
		stopTimers(s)
	}
	c.mu.Unlock()
	c.srv.Close()
}

// ConsulInstance is one registered instance as tests see it.
type ConsulInstance struct {
	ID, Service, Address string
	Port                 int
	Tags                 []string
	Meta                 map[string]string
	// Status is the worst status of its checks.
	Status string
}

// Instances lists the instances of service, by ID.
func (c *Consul) Instances(service string) []ConsulInstance {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []ConsulInstance
	for _, s := range c.sortedServices() {
		if s.Name != service {
			continue
		}
		status := "passing"
		for _, ch := range s.checks {
			status = worse(status, ch.Status)
		}
		out = append(out, ConsulInstance{ID: s.ID, Service: s.Name, Address: s.Address, Port: s.Port,
			Tags: slices.Clone(s.Tags), Meta: copyStrings(s.Meta), Status: status})
	}
	return out
}

// Index is the current X-Consul-Index.
func (c *Consul) Index() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.index
}

// worse returns the worse of two check statuses.
func worse(a, b string) string {
	rank := map[string]int{"passing": 0, "warning": 1, "critical": 2, "maintenance": 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func (c *Consul) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status/leader", func(w http.ResponseWriter, r *http.Request) {
		writeConsulJSON(w, c.Index(), "127.0.0.1:8300")
	})
	mux.HandleFunc("PUT /v1/agent/service/register", c.register)
	mux.HandleFunc("PUT /v1/agent/service/deregister/{id}", c.deregister)
	mux.HandleFunc("PUT /v1/agent/check/update/{id}", c.updateCheck)
	for verb, status := range map[string]string{"pass": "passing", "warn": "warning", "fail": "critical"} {
		mux.HandleFunc("PUT /v1/agent/check/"+verb+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			if !c.allowWrite(w, r, "check "+r.PathValue("id")) {
				return
			}
			c.setCheck(w, r.PathValue("id"), status, r.URL.Query().Get("note"))
		})
	}
	mux.HandleFunc("GET /v1/health/service/{service}", c.health)
	return mux
}

// requestToken is the ACL token a request carries.
func requestToken(r *http.Request) string {
	if t := r.Header.Get("X-Consul-Token"); t != "" {
		return t
	}
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return r.URL.Query().Get("token")
}

// allowWrite answers 403 and returns false unless the request may write.
func (c *Consul) allowWrite(w http.ResponseWriter, r *http.Request, what string) bool {
	switch tok := requestToken(r); {
	case c.token == "" || tok == c.token:
		return true
	case tok == "":
		http.Error(w, fmt.Sprintf("Permission denied: anonymous token lacks permission to write %s", what), http.StatusForbidden)
	default:
		http.Error(w, "ACL not found", http.StatusForbidden)
	}
	return false
}

// allowRead answers 403 and returns ok false for an unknown token; filtered
// is true for the anonymous token, whose reads see nothing.
func (c *Consul) allowRead(w http.ResponseWriter, r *http.Request) (ok, filtered bool) {
	switch tok := requestToken(r); {
	case c.token == "" || tok == c.token:
		return true, false
	case tok == "":
		return true, true
	}
	http.Error(w, "ACL not found", http.StatusForbidden)
	return false, false
}

// serviceRegistration is the body of /v1/agent/service/register.
type serviceRegistration struct {
	ID      string
	Name    string
	Tags    []string
	Port    int
	Address string
	Meta    map[string]string
	Check   *checkDefinition
	Checks  []*checkDefinition
}

type checkDefinition struct {
	CheckID, Name                  string
	TTL                            string
	DeregisterCriticalServiceAfter string
	Status                         string
	HTTP, TCP, GRPC, Interval      string
	Args                           []string
}

func (c *Consul) register(w http.ResponseWriter, r *http.Request) {
	var reg serviceRegistration
	if err := json.NewDecoder(r.Body).Decode(&reg); err != nil {
		http.Error(w, "Request decode failed: "+err.Error(), http.StatusBadRequest)
		return
	}
	if reg.Name == "" {
		http.Error(w, "Invalid Service: Missing service name", http.StatusBadRequest)
		return
	}
	if !c.allowWrite(w, r, fmt.Sprintf("service %q", reg.Name)) {
		return
	}
	if reg.ID == "" {
		reg.ID = reg.Name
	}
	if reg.Port < 0 || reg.Port > 65535 {
		http.Error(w, fmt.Sprintf("Invalid Service: port %d", reg.Port), http.StatusBadRequest)
		return
	}
	defs := reg.Checks
	if reg.Check != nil {
		defs = append([]*checkDefinition{reg.Check}, defs...)
	}
	var checks []*consulCheck
	for i, d := range defs {
		ch, err := newCheck(d, reg, i, len(defs))
		if err != nil {
			http.Error(w, "Invalid check: "+err.Error(), http.StatusBadRequest)
			return
		}
		checks = append(checks, ch)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.index++
	s := &consulService{ID: reg.ID, Name: reg.Name, Tags: reg.Tags, Address: reg.Address, Port: reg.Port,
		Meta: reg.Meta, checks: checks, create: c.index, mod: c.index}
	if old := c.services[reg.ID]; old != nil {
		stopTimers(old)
		s.create = old.create
	}
	c.services[reg.ID] = s
	for _, ch := range checks {
		ch.create, ch.mod = c.index, c.index
		c.armTTL(s, ch)
		c.armReap(s, ch)
	}
	c.notify()
}

// newCheck makes the i-th of n checks of a registration.
func newCheck(d *checkDefinition, reg serviceRegistration, i, n int) (*consulCheck, error) {
	if d.HTTP != "" || d.TCP != "" || d.GRPC != "" || len(d.Args) > 0 || d.Interval != "" {
		return nil, fmt.Errorf("only TTL checks are implemented by this test server")
	}
	ttl, err := time.ParseDuration(d.TTL)
	if err != nil || ttl <= 0 {
		return nil, fmt.Errorf("TTL %q must be a positive duration", d.TTL)
	}
	ch := &consulCheck{ID: d.CheckID, Name: d.Name, Status: "critical", ttl: ttl}
	if ch.ID == "" {
		ch.ID = "service:" + reg.ID
		if n > 1 {
			ch.ID += ":" + strconv.Itoa(i+1)
		}
	}
	if ch.Name == "" {
		ch.Name = fmt.Sprintf("Service '%s' check", reg.Name)
	}
	if d.Status != "" {
		if !validStatus(d.Status) {
			return nil, fmt.Errorf("Status %q is not passing, warning or critical", d.Status)
		}
		ch.Status = d.Status
	}
	if d.DeregisterCriticalServiceAfter != "" {
		if ch.deregisterAfter, err = time.ParseDuration(d.DeregisterCriticalServiceAfter); err != nil {
			return nil, fmt.Errorf("DeregisterCriticalServiceAfter %q: %v", d.DeregisterCriticalServiceAfter, err)
		}
	}
	return ch, nil
}

func validStatus(s string) bool { return s == "passing" || s == "warning" || s == "critical" }

// armTTL (re)starts ch's TTL: when it runs out without an update, ch turns
// critical. Called with c.mu held.
func (c *Consul) armTTL(s *consulService, ch *consulCheck) {
	if ch.ttlTimer != nil {
		ch.ttlTimer.Stop()
	}
	var timer *time.Timer
	timer = time.AfterFunc(ch.ttl, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if ch.ttlTimer != timer || c.services[s.ID] != s {
			return // updated, or the service is gone
		}
		c.setStatus(s, ch, "critical", "TTL expired")
	})
	ch.ttlTimer = timer
}

// armReap starts or stops ch's deregistration while it is critical.
// Called with c.mu held.
func (c *Consul) armReap(s *consulService, ch *consulCheck) {
	if ch.reapTimer != nil {
		ch.reapTimer.Stop()
		ch.reapTimer = nil
	}
	if ch.Status != "critical" || ch.deregisterAfter <= 0 {
		return
	}
	var timer *time.Timer
	timer = time.AfterFunc(ch.deregisterAfter, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if ch.reapTimer != timer || c.services[s.ID] != s {
			return
		}
		stopTimers(s)
		delete(c.services, s.ID)
		c.index++
		c.notify()
	})
	ch.reapTimer = timer
}

// setStatus changes ch, raising the index if anything changed. Called with
// c.mu held.
func (c *Consul) setStatus(s *consulService, ch *consulCheck, status, output string) {
	if ch.Status == status && ch.Output == output {
		return
	}
	ch.Status, ch.Output = status, output
	c.index++
	ch.mod, s.mod = c.index, c.index
	c.armReap(s, ch)
	c.notify()
}

func stopTimers(s *consulService) {
	for _, ch := range s.checks {
		for _, t := range []*time.Timer{ch.ttlTimer, ch.reapTimer} {
			if t != nil {
				t.Stop()
			}
		}
	}
}

// notify wakes blocking queries. Called with c.mu held.
func (c *Consul) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Consul) updateCheck(w http.ResponseWriter, r *http.Request) {
	var body struct{ Status, Output string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "Request decode failed: "+err.Error(), http.StatusBadRequest)
		return
	}
	if !validStatus(body.Status) {
		http.Error(w, fmt.Sprintf("Invalid check status: %q", body.Status), http.StatusBadRequest)
		return
	}
	if !c.allowWrite(w, r, "check "+r.PathValue("id")) {
		return
	}
	c.setCheck(w, r.PathValue("id"), body.Status, body.Output)
}

// setCheck is a TTL update of check id.
func (c *Consul) setCheck(w http.ResponseWriter, id, status, output string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.services {
		for _, ch := range s.checks {
			if ch.ID == id {
				c.armTTL(s, ch)
				c.setStatus(s, ch, status, output)
				return
			}
		}
	}
	http.Error(w, fmt.Sprintf("Unknown check ID %q. Ensure that the check ID is passed, not the check name.", id), http.StatusNotFound)
}

func (c *Consul) deregister(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !c.allowWrite(w, r, "service "+id) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.services[id]
	if s == nil {
		http.Error(w, fmt.Sprintf("Unknown service ID %q. Ensure that the service ID is passed, not the service name.", id), http.StatusNotFound)
		return
	}
	stopTimers(s)
	delete(c.services, id)
	c.index++
	c.notify()
}

// maxWait is the longest blocking query Consul allows.
const maxWait = 10 * time.Minute

func (c *Consul) health(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("filter") != "" {
		http.Error(w, "filter is not implemented by this test server", http.StatusBadRequest)
		return
	}
	ok, filtered := c.allowRead(w, r)
	if !ok {
		return
	}
	var index uint64
	if s := q.Get("index"); s != "" {
		var err error
		if index, err = strconv.ParseUint(s, 10, 64); err != nil {
			http.Error(w, "Invalid index: "+s, http.StatusBadRequest)
			return
		}
	}
	wait := 5 * time.Minute
	if s := q.Get("wait"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			http.Error(w, "Invalid wait time: "+s, http.StatusBadRequest)
			return
		}
		wait = min(d, maxWait)
	}
	_, passing := q["passing"]
	if v := q.Get("passing"); v != "" {
		if b, err := strconv.ParseBool(v); err == nil {
			passing = b
		}
	}
	tags := q["tag"]
	service := r.PathValue("service")

	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		c.mu.Lock()
		current, changed := c.index, c.changed
		var entries []any
		if current > index || index == 0 {
			entries = c.entries(service, tags, passing, filtered)
		}
		c.mu.Unlock()
		if entries != nil {
			writeHealth(w, current, filtered, entries)
			return
		}
		select {
		case <-changed:
		case <-timeout.C:
			c.mu.Lock()
			current, entries = c.index, c.entries(service, tags, passing, filtered)
			c.mu.Unlock()
			writeHealth(w, current, filtered, entries)
			return
		case <-r.Context().Done():
			return
		case <-c.closed:
			return
		}
	}
}

func writeHealth(w http.ResponseWriter, index uint64, filtered bool, entries []any) {
	if filtered {
		w.Header().Set("X-Consul-Results-Filtered-By-ACLs", "true")
	}
	writeConsulJSON(w, index, entries)
}

func writeConsulJSON(w http.ResponseWriter, index uint64, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Consul-Index", strconv.FormatUint(index, 10))
	w.Header().Set("X-Consul-Knownleader", "true")
	w.Header().Set("X-Consul-Lastcontact", "0")
	_ = json.NewEncoder(w).Encode(v)
}

// consulNode is the agent's node.
const consulNode = "test-agent"

// entries is the health endpoint's answer, never nil. Called with c.mu
// held.
func (c *Consul) entries(service string, tags []string, passing, filtered bool) []any {
	out := []any{}
	if filtered {
		return out
	}
	for _, s := range c.sortedServices() {
		if s.Name != service {
			continue
		}
		if !hasAll(s.Tags, tags) {
			continue
		}
		checks := []map[string]any{{
			"Node": consulNode, "CheckID": "serfHealth", "Name": "Serf Health Status", "Status": "passing",
			"Notes": "", "Output": "Agent alive and reachable", "ServiceID": "", "ServiceName": "", "ServiceTags": []string{},
			"Type": "", "CreateIndex": 1, "ModifyIndex": 1,
		}}
		allPassing := true
		for _, ch := range s.checks {
			allPassing = allPassing && ch.Status == "passing"
			checks = append(checks, map[string]any{
				"Node": consulNode, "CheckID": ch.ID, "Name": ch.Name, "Status": ch.Status, "Notes": "", "Output": ch.Output,
				"ServiceID": s.ID, "ServiceName": s.Name, "ServiceTags": nonNil(s.Tags), "Type": "ttl",
				"CreateIndex": ch.create, "ModifyIndex": ch.mod,
			})
		}
		if passing && !allPassing {
			continue
		}
		out = append(out, map[string]any{
			"Node": map[string]any{"ID": "00000000-0000-0000-0000-000000000001", "Node": consulNode, "Address": "127.0.0.1",
				"Datacenter": "dc1", "TaggedAddresses": map[string]string{"lan": "127.0.0.1", "wan": "127.0.0.1"},
				"Meta": map[string]string{}, "CreateIndex": 1, "ModifyIndex": 1},
			"Service": map[string]any{"ID": s.ID, "Service": s.Name, "Tags": nonNil(s.Tags), "Address": s.Address,
				"Meta": copyStrings(s.Meta), "Port": s.Port, "Weights": map[string]int{"Passing": 1, "Warning": 1},
				"EnableTagOverride": false, "CreateIndex": s.create, "ModifyIndex": s.mod},
			"Checks": checks,
		})
	}
	return out
}

// sortedServices lists the services by ID. Called with c.mu held.
func (c *Consul) sortedServices() []*consulService {
	out := make([]*consulService, 0, len(c.services))
	for _, s := range c.services {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *consulService) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func hasAll(have, want []string) bool {
	for _, t := range want {
		if !slices.Contains(have, t) {
			return false
		}
	}
	return true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func copyStrings(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
