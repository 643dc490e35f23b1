package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/consul"
	"github.com/hashicorp/consul/api"
)

// ConsulConfig makes members find each other through a Consul agent
// (Proto.Actor's consul provider): each registers as an instance of the
// service named after the cluster, at its advertised host and port, with a
// TTL check it keeps passing, and watches the service's health.
type ConsulConfig struct {
	// Address is the agent's HTTP API: host:port or http(s)://host:port.
	Address string
	// Token is the ACL token ("": none).
	Token string
}

// consulTokenHeader carries a Consul ACL token.
const consulTokenHeader = "X-Consul-Token"

// consulToken puts the ACL token on every request. Proto.Actor's provider
// watches the service through a consul/api/watch plan, which replaces the
// client config's token with its own (empty) one, falling back to
// $CONSUL_HTTP_TOKEN; without this the watch would run without the token,
// and an agent with ACLs would answer it with an empty, filtered list: no
// members.
type consulToken struct {
	base  http.RoundTripper
	token string
}

func (t consulToken) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.token == "" || req.Header.Get(consulTokenHeader) == t.token {
		return t.base.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.Header.Set(consulTokenHeader, t.token)
	return t.base.RoundTrip(req)
}

// classifyConsul names the provider's calls: the agent's service
// registration, and the health query of the cluster's service it watches.
func classifyConsul(service string) func(*http.Request) callKind {
	return func(req *http.Request) callKind {
		switch p := req.URL.Path; {
		case req.Method == http.MethodPut && strings.HasSuffix(p, "/v1/agent/service/register"):
			return callRegister
		case req.Method == http.MethodGet && strings.HasSuffix(p, "/v1/health/service/"+service):
			return callWatch
		}
		return callOther
	}
}

// newConsulProvider checks that the agent at cfg.Address answers, then
// makes the provider. Its TTL check lapses one lease after the last update
// (updates go out every third of a lease), so a member that dies leaves
// Proto.Actor's member list about when its heartbeat lease ends.
func newConsulProvider(ctx context.Context, cfg *ConsulConfig, cluster string, lease time.Duration) (pcluster.ClusterProvider, *registration, error) {
	reg := newRegistration(classifyConsul(cluster))
	client := &http.Client{Transport: consulToken{base: reg.through(providerTransport()), token: cfg.Token}}
	apiConfig := func() *api.Config {
		return &api.Config{Address: cfg.Address, Token: cfg.Token, HttpClient: client}
	}
	c, err := api.NewClient(apiConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("provider consul: cluster.consul.address %q: %w", cfg.Address, err)
	}
	leader, err := c.Status().LeaderWithQueryOptions((&api.QueryOptions{}).WithContext(ctx))
	switch {
	case err != nil:
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within cluster.provider_timeout: %w", err)
		}
		return nil, nil, fmt.Errorf("provider consul: cannot reach the Consul agent at %s: %w (check cluster.consul.address: the agent's HTTP API, default 127.0.0.1:8500)", cfg.Address, err)
	case leader == "":
		return nil, nil, fmt.Errorf("provider consul: the Consul agent at %s reports no cluster leader, so it cannot register services yet (check the Consul servers)", cfg.Address)
	}
	p, err := consul.NewWithConfig(apiConfig(), consul.WithTTL(lease), consul.WithRefreshTTL(lease/3))
	if err != nil {
		return nil, nil, fmt.Errorf("provider consul: cluster.consul.address %q: %w", cfg.Address, err)
	}
	return p, reg, nil
}
