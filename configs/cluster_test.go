package configs

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

const clusterBase = "domain: deno.dev\nprojects: [{name: a, entry: a.js, kind: worker}]\n"

func TestClusterDefaultsKeepASingleNode(t *testing.T) {
	cfg, err := Load(writeConfig(t, clusterBase, "a.js"))
	if err != nil {
		t.Fatal(err)
	}
	cl := cfg.Cluster
	if cl.Name != "edge" || cl.Region != "local" || cl.Bind != "127.0.0.1:0" || cl.Advertise != "" ||
		cl.Provider != ProviderAutomanaged || len(cl.Peers) != 0 || cl.AutomanagedPort != 0 {
		t.Fatalf("defaults %+v, want a single member on 127.0.0.1:0 (today's behaviour)", cl)
	}
	host, _ := os.Hostname()
	if want := fmt.Sprintf("-%d", os.Getpid()); !strings.HasSuffix(cl.NodeID, want) || !strings.HasPrefix(cl.NodeID, host) {
		t.Fatalf("node_id %q, want hostname-pid", cl.NodeID)
	}
	if cfg.ClusterAdvertise() != "127.0.0.1:0" {
		t.Fatalf("advertise %q, want the bind address", cfg.ClusterAdvertise())
	}
	if err := cfg.ClusterProviderSupported(); err != nil {
		t.Fatalf("automanaged: %v", err)
	}
}

func TestClusterThreeNodeBlock(t *testing.T) {
	cfg, err := Load(writeConfig(t, clusterBase+`cluster:
  name: prod
  node_id: node-a
  region: eu
  bind: 0.0.0.0:8090
  advertise: node-a:8090
  provider: automanaged
  peers: [node-b:6330, "node-c:6330"]
  automanaged_port: 6330
  lease: 2s
persistence:
  postgres:
    url: postgres://edge:edge@db:5432/edge
`, "a.js"))
	if err != nil {
		t.Fatal(err)
	}
	cl := cfg.Cluster
	if cl.Name != "prod" || cl.NodeID != "node-a" || cl.Region != "eu" || cfg.ClusterAdvertise() != "node-a:8090" ||
		strings.Join(cl.Peers, " ") != "node-b:6330 node-c:6330" || cl.AutomanagedPort != 6330 {
		t.Fatalf("cluster %+v", cl)
	}
	if d, err := cfg.ClusterLease(); err != nil || d != 2*time.Second {
		t.Fatalf("cluster %+v", cl)
	}
}

func TestClusterEnvOverride(t *testing.T) {
	path := writeConfig(t, clusterBase+"cluster: {region: eu}\n", "a.js")
	for k, v := range map[string]string{
		"EDGE_CLUSTER_NAME":             "prod",
		"EDGE_CLUSTER_NODE_ID":          "node-c",
		"EDGE_CLUSTER_REGION":           "us",
		"EDGE_CLUSTER_BIND":             "0.0.0.0:8090",
		"EDGE_CLUSTER_ADVERTISE":        "10.0.0.3:8090",
		"EDGE_CLUSTER_PROVIDER":         "k8s",
		"EDGE_CLUSTER_PEERS":            "",
		"EDGE_CLUSTER_AUTOMANAGED_PORT": "7000",
		"EDGE_CLUSTER_LEASE":            "5s",
		"EDGE_CLUSTER_K8S_POD_NAME":     "edge-2",
		"EDGE_CLUSTER_PROVIDER_TIMEOUT": "30s",
		"EDGE_PERSISTENCE_POSTGRES_URL": "postgres://edge:edge@db:5432/edge",
	} {
		t.Setenv(k, v)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := ClusterConfig{Name: "prod", NodeID: "node-c", Region: "us", Bind: "0.0.0.0:8090", Advertise: "10.0.0.3:8090",
		Provider: "k8s", AutomanagedPort: 7000, Lease: "5s", ProviderTimeout: "30s", K8s: K8sConfig{PodName: "edge-2"}}
	got := cfg.Cluster
	got.Peers = nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("cluster %+v, want the EDGE_CLUSTER_ overrides %+v", cfg.Cluster, want)
	}

	t.Setenv("EDGE_CLUSTER_PROVIDER", "consul")
	t.Setenv("EDGE_CLUSTER_K8S_POD_NAME", "")
	t.Setenv("EDGE_CLUSTER_CONSUL_ADDRESS", "https://consul.internal:8501")
	t.Setenv("CONSUL_SECRET", "s3cret")
	t.Setenv("EDGE_CLUSTER_CONSUL_TOKEN", "${CONSUL_SECRET}")
	if cfg, err = Load(path); err != nil {
		t.Fatal(err)
	}
	if tok, err := cfg.ConsulToken(); cfg.Cluster.Consul.Address != "https://consul.internal:8501" || tok != "s3cret" || err != nil {
		t.Fatalf("consul %+v token %q %v, want the EDGE_CLUSTER_CONSUL_ overrides with ${CONSUL_SECRET} expanded", cfg.Cluster.Consul, tok, err)
	}

	t.Setenv("EDGE_CLUSTER_CONSUL_ADDRESS", "")
	t.Setenv("EDGE_CLUSTER_CONSUL_TOKEN", "")
	t.Setenv("EDGE_CLUSTER_PROVIDER", "automanaged")
	t.Setenv("EDGE_CLUSTER_PEERS", "node-a:6330,node-b:6330")
	if cfg, err = Load(path); err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Cluster.Peers, " ") != "node-a:6330 node-b:6330" {
		t.Fatalf("peers %q, want the comma-separated EDGE_CLUSTER_PEERS", cfg.Cluster.Peers)
	}
}

// Every provider validation accepts runs: none is refused at start.
func TestClusterProviderSupported(t *testing.T) {
	const store = "persistence: {postgres: {url: postgres://edge:edge@db:5432/edge}}\n"
	blocks := map[string]string{
		ProviderAutomanaged: "cluster: {provider: automanaged}\n",
		ProviderEtcd:        "cluster: {provider: etcd, bind: 127.0.0.1:8090, etcd: {endpoints: [127.0.0.1:2379, \"http://etcd-2:2379\"]}}\n" + store,
		ProviderConsul:      "cluster: {provider: consul, bind: 127.0.0.1:8090}\n" + store,
		ProviderK8s:         "cluster: {provider: k8s, bind: 0.0.0.0:8090}\n" + store,
	}
	for _, p := range ClusterProviders {
		t.Run(p, func(t *testing.T) {
			cfg, err := Load(writeConfig(t, clusterBase+blocks[p], "a.js"))
			if err != nil {
				t.Fatalf("validation must accept %s: %v", p, err)
			}
			if err := cfg.ClusterProviderSupported(); err != nil {
				t.Fatal(err)
			}
		})
	}
	if len(blocks) != len(ClusterProviders) {
		t.Fatalf("the test covers %d providers, ClusterProviders has %d", len(blocks), len(ClusterProviders))
	}
	// A Config not made by Load (validation refuses an unknown provider;
	// see TestClusterProblems) is still refused at start.
	cfg := &Config{Cluster: ClusterConfig{Provider: "zookeeper"}}
	err := cfg.ClusterProviderSupported()
	if !errors.Is(err, ErrUnknownProvider) || !strings.Contains(err.Error(), `cluster.provider "zookeeper"`) ||
		!strings.Contains(err.Error(), "valid providers: automanaged, etcd, consul, k8s") {
		t.Fatalf("got %v, want ErrUnknownProvider naming the key and the valid providers", err)
	}
}

func TestClusterConsulBlock(t *testing.T) {
	t.Setenv("CONSUL_TOKEN_FOR_TEST", "abc")
	cfg, err := Load(writeConfig(t, clusterBase+`cluster:
  provider: consul
  bind: 0.0.0.0:8090
  advertise: node-a:8090
  consul:
    token: ${CONSUL_TOKEN_FOR_TEST}
persistence: {postgres: {url: postgres://edge:edge@db:5432/edge}}
`, "a.js"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Cluster.Consul.Address != DefaultConsulAddress {
		t.Errorf("consul.address %q, want the default %s", cfg.Cluster.Consul.Address, DefaultConsulAddress)
	}
	if tok, err := cfg.ConsulToken(); tok != "abc" || err != nil {
		t.Errorf("token %q %v, want ${CONSUL_TOKEN_FOR_TEST} expanded", tok, err)
	}
	if d, err := cfg.ClusterProviderTimeout(); d != 15*time.Second || err != nil {
		t.Errorf("provider_timeout %v %v, want the default 15s", d, err)
	}
}

func TestClusterK8sBlock(t *testing.T) {
	cfg, err := Load(writeConfig(t, clusterBase+`cluster:
  provider: k8s
  bind: 0.0.0.0:8090
  provider_timeout: 2s
  k8s:
    pod_name: edge-0.x
persistence: {postgres: {url: postgres://edge:edge@db:5432/edge}}
`, "a.js"))
	if err != nil {
		t.Fatal(err)
	}
	if k := cfg.Cluster.K8s; k.PodName != "edge-0.x" {
		t.Errorf("k8s %+v", k)
	}
	if d, err := cfg.ClusterProviderTimeout(); d != 2*time.Second || err != nil {
		t.Errorf("provider_timeout %v %v", d, err)
	}
	// Without advertise, a wildcard bind is fine: k8s advertises the pod's IP.
	if cfg.Cluster.Advertise != "" {
		t.Errorf("advertise %q", cfg.Cluster.Advertise)
	}
}

func TestClusterProblems(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"etcd without endpoints or a store", "cluster: {provider: etcd, bind: 127.0.0.1:0}\n",
			[]string{"cluster.etcd.endpoints: provider etcd needs etcd's client addresses",
				"cluster.provider: etcd forms a cluster of several nodes, which needs a shared store",
				"cluster.bind: port 0 picks a random port"}},
		{"bad etcd endpoint", "cluster: {provider: etcd, etcd: {endpoints: [\"etcd\"]}}\n",
			[]string{`cluster.etcd.endpoints[0]: "etcd" is not host:port`}},
		{"etcd endpoints without provider etcd", "cluster: {etcd: {endpoints: [127.0.0.1:2379]}}\n",
			[]string{"cluster.etcd.endpoints: is used only by provider etcd"}},
		{"region not a DNS label", "cluster:\n  region: EU_West\n",
			[]string{`edge.yaml:4: cluster.region: "EU_West" is not a valid region`}},
		{"cluster name not a label", "cluster: {name: my cluster}\n",
			[]string{`cluster.name: "my cluster" is not a valid cluster name`}},
		{"node id with a slash", "cluster: {node_id: a/b}\n",
			[]string{`cluster.node_id: "a/b" is not a valid node id`}},
		{"bind not host:port", "cluster:\n  bind: localhost\n",
			[]string{`edge.yaml:4: cluster.bind: "localhost" is not host:port`}},
		{"bind port out of range", "cluster: {bind: \"127.0.0.1:70000\"}\n",
			[]string{`cluster.bind: "127.0.0.1:70000" has port "70000": use a number from 0 to 65535`}},
		{"advertise not host:port", "cluster: {advertise: node-a}\n",
			[]string{`cluster.advertise: "node-a" is not host:port`}},
		{"advertise port 0", "cluster: {advertise: \"node-a:0\"}\n",
			[]string{`cluster.advertise: "node-a:0" has port "0": use a number from 1 to 65535`}},
		{"advertise unspecified", "cluster: {advertise: \"0.0.0.0:8090\"}\n",
			[]string{`cluster.advertise: "0.0.0.0:8090" cannot be dialled`}},
		{"unknown provider lists the valid ones", "cluster:\n  provider: zookeeper\n",
			[]string{`edge.yaml:4: cluster.provider: unknown provider "zookeeper"; valid providers: automanaged, etcd, consul, k8s`}},
		{"bad peers name the index and line", "cluster:\n  automanaged_port: 6330\n  bind: 10.0.0.1:8090\n  peers:\n    - node-b\n    - node-c:http\n    - \":6330\"\n",
			[]string{
				`edge.yaml:7: cluster.peers[0]: "node-b" is not host:port`,
				`edge.yaml:8: cluster.peers[1]: "node-c:http" has port "http"`,
				`edge.yaml:9: cluster.peers[2]: ":6330" has no host`,
			}},
		{"duplicate peer", "cluster: {bind: \"10.0.0.1:8090\", automanaged_port: 6330, peers: [b:6330, b:6330]}\n",
			[]string{`cluster.peers[1]: "b:6330" is already cluster.peers[0]`}},
		{"peers with a wildcard bind and no advertise", "cluster: {bind: \"0.0.0.0:8090\", automanaged_port: 6330, peers: [b:6330]}\n",
			[]string{"cluster.advertise: is required with peers when cluster.bind (0.0.0.0:8090) listens on every interface"}},
		{"peers with a random bind port", "cluster: {bind: \"10.0.0.1:0\", automanaged_port: 6330, peers: [b:6330]}\n",
			[]string{"cluster.bind: port 0 picks a random port, which peers cannot know"}},
		{"peers with a random automanaged port", "cluster: {bind: \"10.0.0.1:8090\", peers: [b:6330]}\n",
			[]string{"cluster.automanaged_port: is 0 (pick a free port), which peers cannot know"}},
		{"automanaged port out of range", "cluster: {automanaged_port: 99999}\n",
			[]string{"cluster.automanaged_port: 99999 is not a port"}},
		{"peers with another provider", "cluster: {provider: etcd, peers: [b:6330]}\n",
			[]string{"cluster.peers: is used only by provider automanaged"}},
		{"consul without a store or a dialable address", "cluster: {provider: consul, bind: \"0.0.0.0:8090\"}\n",
			[]string{"cluster.provider: consul forms a cluster of several nodes, which needs a shared store",
				"cluster.advertise: is required with provider consul when cluster.bind (0.0.0.0:8090) listens on every interface"}},
		{"etcd with a wildcard bind and no advertise", "cluster: {provider: etcd, bind: \"0.0.0.0:8090\", etcd: {endpoints: [e:2379]}}\n",
			[]string{"cluster.advertise: is required with provider etcd when cluster.bind (0.0.0.0:8090) listens on every interface"}},
		{"consul with a random port", "cluster: {provider: consul, bind: 127.0.0.1:0}\n",
			[]string{"cluster.bind: port 0 picks a random port"}},
		{"consul address not host:port", "cluster:\n  provider: consul\n  consul:\n    address: consul\n",
			[]string{`edge.yaml:6: cluster.consul.address: "consul" is not host:port: want host:port or http(s)://host:port of the Consul agent`}},
		{"consul address with another scheme", "cluster: {provider: consul, consul: {address: \"unix:///run/consul.sock\"}}\n",
			[]string{`cluster.consul.address: "unix:///run/consul.sock": scheme "unix" is not http or https`}},
		{"consul token names an unset variable", "cluster: {provider: consul, consul: {token: \"${EDGE_TEST_NO_SUCH_VAR}\"}}\n",
			[]string{"cluster.consul.token: names environment variables that are not set: EDGE_TEST_NO_SUCH_VAR"}},
		{"consul keys without provider consul", "cluster: {provider: etcd, etcd: {endpoints: [e:2379]}, consul: {address: c:8500, token: t}}\n",
			[]string{"cluster.consul.address: is used only by provider consul", "cluster.consul.token: is used only by provider consul"}},
		{"k8s without a store or a port", "cluster: {provider: k8s, bind: \"0.0.0.0:0\"}\n",
			[]string{"cluster.provider: k8s forms a cluster of several nodes", "cluster.bind: port 0 picks a random port"}},
		{"k8s bad pod name", "cluster:\n  provider: k8s\n  k8s:\n    pod_name: Pod/1\n",
			[]string{`edge.yaml:6: cluster.k8s.pod_name: "Pod/1" is not a pod name`}},
		{"k8s advertise by name", "cluster: {provider: k8s, bind: \"0.0.0.0:8090\", advertise: \"edge-0.edge:8090\"}\n",
			[]string{`cluster.advertise: "edge-0.edge:8090": provider k8s announces this pod's IP`}},
		{"k8s keys without provider k8s", "cluster: {k8s: {pod_name: edge-0}}\n",
			[]string{"cluster.k8s.pod_name: is used only by provider k8s"}},
		{"k8s key that does not exist", "cluster: {provider: k8s, k8s: {namespace: edge}}\n",
			[]string{"namespace"}},
		{"provider timeout too short", "cluster: {provider_timeout: 1ms}\n",
			[]string{`cluster.provider_timeout: "1ms" is not a duration of at least 100ms`}},
		{"unknown cluster key", "cluster: {regoin: eu}\n",
			[]string{"regoin"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, clusterBase+c.yaml, "a.js"))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *configs.Error", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestClusterSingleNodeNeedsNoPeers(t *testing.T) {
	// A wildcard bind, a random port and no advertise are fine alone:
	// nobody needs to dial this member.
	cfg, err := Load(writeConfig(t, clusterBase+"cluster: {bind: \"0.0.0.0:0\", provider: automanaged, peers: []}\n", "a.js"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Cluster.Peers) != 0 {
		t.Fatalf("peers %v", cfg.Cluster.Peers)
	}
}

func TestClusterPeersNeedPostgresAndALease(t *testing.T) {
	_, err := Load(writeConfig(t, clusterBase+`cluster:
  bind: 127.0.0.1:8090
  peers: [127.0.0.2:6330]
  automanaged_port: 6330
  lease: 10ms
`, "a.js"))
	for _, want := range []string{"cluster.peers: a cluster of several nodes needs a shared store: set persistence.postgres.url",
		`cluster.lease: "10ms" is not a duration of at least 200ms`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to contain %q", err, want)
		}
	}
}
