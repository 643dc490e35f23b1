package cluster_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/cluster/clustertest"
)

// Start fails with a message naming the provider, the server and the key
// to fix when provider consul or k8s cannot start, before remoting starts
// (so these run in the package's process; see sharedNode). What happens
// once a member is up is tested with real processes in cmd/edge; k8s's
// checks before that in provider_test.go.

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func startWith(t *testing.T, cfg Config) error {
	t.Helper()
	members, dir := SingleMember(clustertest.NewStore(), "p1")
	cfg.Name, cfg.Members, cfg.Directory = "edge", members, dir
	if cfg.Bind == "" {
		cfg.Bind = "127.0.0.1:0"
	}
	n, err := Start(context.Background(), cfg)
	if err == nil {
		n.Stop()
		t.Fatal("Start succeeded")
	}
	return err
}

func wantAll(t *testing.T, err error, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q\ndoes not contain %q", err, p)
		}
	}
}

func TestProviderStartConsulUnreachable(t *testing.T) {
	addr := closedAddr(t)
	err := startWith(t, Config{Consul: &ConsulConfig{Address: addr}})
	wantAll(t, err, "provider consul: cannot reach the Consul agent at "+addr, "connection refused", "check cluster.consul.address")
}

func TestProviderStartK8sOutsideAPod(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	err := startWith(t, Config{K8s: &K8sConfig{}})
	wantAll(t, err, "provider k8s: no in-cluster Kubernetes config", "every member runs in a pod")
}

func TestProviderStartEtcdUnreachable(t *testing.T) {
	addr := closedAddr(t)
	err := startWith(t, Config{EtcdEndpoints: []string{addr}, ProviderTimeout: time.Second})
	wantAll(t, err, "provider etcd: cannot reach etcd at "+addr, "no healthy answer within cluster.provider_timeout", "connection refused", "check cluster.etcd.endpoints")
}

// An etcd member without a leader answers /health with 503: no use.
func TestProviderStartEtcdUnhealthy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"health":"false","reason":"RAFT NO LEADER"}`)
	}))
	defer srv.Close()
	err := startWith(t, Config{EtcdEndpoints: []string{srv.URL}, ProviderTimeout: time.Second})
	wantAll(t, err, "provider etcd: cannot reach etcd at "+srv.URL, "503 Service Unavailable", "RAFT NO LEADER")
}
