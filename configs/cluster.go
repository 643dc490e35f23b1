package configs

import (
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// ClusterConfig makes this node a member of a Proto.Actor cluster. The
// defaults keep a single member on loopback, which is what edge does today.
type ClusterConfig struct {
	// Name is the cluster's name; members with different names never join.
	Name string `mapstructure:"name"`
	// NodeID names this node in logs, in the activations table and to other
	// members (default: hostname-pid). Two live nodes must never share one.
	NodeID string `mapstructure:"node_id"`
	// Region is this node's region label (a DNS label), for placement.
	Region string `mapstructure:"region"`
	// Bind is the host:port Proto.Actor's gRPC remoting listens on; port 0
	// picks a free one (single node only: peers could not know it).
	Bind string `mapstructure:"bind"`
	// Advertise is the host:port other members dial (default: Bind). It is
	// needed when Bind is 0.0.0.0 or [::], which no one can dial.
	Advertise string `mapstructure:"advertise"`
	// Provider finds the other members; see ClusterProviders.
	Provider string `mapstructure:"provider"`
	// Peers are the host:port of the other members' automanaged ports
	// (provider automanaged only). Empty: a single node.
	Peers []string `mapstructure:"peers"`
	// AutomanagedPort is the HTTP port automanaged serves membership on
	// (0: pick one; a fixed port is needed once there are peers).
	AutomanagedPort int `mapstructure:"automanaged_port"`
	// Lease is how long a member's heartbeat (written to the shared store
	// every quarter lease) keeps it alive. When it ends, the member's
	// coordinators move to live members; a member that could not heartbeat
	// for a lease stops serving them. Default 3s.
	Lease string `mapstructure:"lease"`
	// Etcd configures provider etcd.
	Etcd EtcdConfig `mapstructure:"etcd"`
	// Consul configures provider consul.
	Consul ConsulConfig `mapstructure:"consul"`
	// K8s configures provider k8s.
	K8s K8sConfig `mapstructure:"k8s"`
	// ProviderTimeout bounds how long start waits for provider etcd's
	// server to answer, or for consul or k8s to register this node (then
	// it stops with the reason). Default 15s.
	ProviderTimeout string `mapstructure:"provider_timeout"`
}

// EtcdConfig is where provider etcd finds etcd.
type EtcdConfig struct {
	// Endpoints are etcd's client addresses (host:port or http(s)://host:port).
	Endpoints []string `mapstructure:"endpoints"`
}

// ConsulConfig is where provider consul finds the Consul agent.
type ConsulConfig struct {
	// Address is the local agent's HTTP API (host:port or
	// http(s)://host:port; default DefaultConsulAddress).
	Address string `mapstructure:"address"`
	// Token is the ACL token (${VAR} is read from the environment); it
	// needs service:write on the cluster's name and read on its health.
	Token string `mapstructure:"token"`
}

// K8sConfig is how provider k8s finds this node's pod. Every member runs
// in a pod and reaches the API with the pod's service account (the
// in-cluster config), in the service account's namespace.
type K8sConfig struct {
	// PodName is this node's pod (default $HOSTNAME, then the host name,
	// which Kubernetes sets to the pod's name unless the pod sets
	// spec.hostname or uses the host's network).
	PodName string `mapstructure:"pod_name"`
}

// DefaultConsulAddress is cluster.consul.address's default: the agent on
// this host.
const DefaultConsulAddress = "127.0.0.1:8500"

// DefaultProviderTimeout is cluster.provider_timeout's default.
const DefaultProviderTimeout = "15s"

// ClusterProviderTimeout returns cluster.provider_timeout as a duration.
func (c *Config) ClusterProviderTimeout() (time.Duration, error) {
	return durationAtLeast(c.Cluster.ProviderTimeout, 100*time.Millisecond, "15s")
}

// durationAtLeast parses s as a duration of at least min; the error shows
// example.
func durationAtLeast(s string, min time.Duration, example string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < min {
		return 0, fmt.Errorf("%q is not a duration of at least %v such as %s", s, min, example)
	}
	return d, nil
}

// ConsulToken is cluster.consul.token with ${VAR}s expanded.
func (c *Config) ConsulToken() (string, error) {
	return expandEnv(c.Cluster.Consul.Token)
}

// DefaultClusterLease is cluster.lease's default.
const DefaultClusterLease = "3s"

// ClusterLease returns cluster.lease as a duration.
func (c *Config) ClusterLease() (time.Duration, error) {
	return durationAtLeast(c.Cluster.Lease, 200*time.Millisecond, "3s")
}

// Cluster defaults: one member named edge, on loopback, in region local.
const (
	DefaultClusterName     = "edge"
	DefaultClusterRegion   = "local"
	DefaultClusterBind     = "127.0.0.1:0"
	DefaultClusterProvider = ProviderAutomanaged
)

// Membership providers accepted by cluster.provider.
const (
	// ProviderAutomanaged: members find each other through a fixed list of
	// peers (cluster.peers), each serving membership on automanaged_port.
	ProviderAutomanaged = "automanaged"
	// ProviderEtcd: members register in etcd (cluster.etcd.endpoints).
	ProviderEtcd = "etcd"
	// ProviderConsul: members register as instances of a Consul service
	// named after the cluster, with a TTL check (cluster.consul).
	ProviderConsul = "consul"
	// ProviderK8s: members label their own pods and watch the pods so
	// labelled, through the Kubernetes API (cluster.k8s).
	ProviderK8s = "k8s"
)

// ClusterProviders lists the valid providers, in the order error messages
// show them.
var ClusterProviders = []string{ProviderAutomanaged, ProviderEtcd, ProviderConsul, ProviderK8s}

// ErrUnknownProvider is returned by ClusterProviderSupported for a provider
// this build cannot run.
var ErrUnknownProvider = errors.New("unknown cluster provider")

// ClusterProviderSupported reports whether this build can run
// cluster.provider. Load already refuses an unknown provider; startup
// checks again so that a Config built some other way cannot silently run a
// single node.
func (c *Config) ClusterProviderSupported() error {
	if validProvider(c.Cluster.Provider) {
		return nil
	}
	return fmt.Errorf("cluster.provider %q: %w; valid providers: %s", c.Cluster.Provider, ErrUnknownProvider, strings.Join(ClusterProviders, ", "))
}

// ClusterAdvertise is the address other members dial: cluster.advertise, or
// cluster.bind when that is empty.
func (c *Config) ClusterAdvertise() string {
	if c.Cluster.Advertise != "" {
		return c.Cluster.Advertise
	}
	return c.Cluster.Bind
}

// DefaultNodeID is hostname-pid: unique among the processes of one host,
// and readable in logs.
func DefaultNodeID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// setClusterDefaults registers every cluster key with viper: a key viper
// does not know is not read from the environment (EDGE_CLUSTER_REGION...).
func setClusterDefaults(v *viper.Viper) {
	v.SetDefault("cluster.name", DefaultClusterName)
	v.SetDefault("cluster.node_id", "")
	v.SetDefault("cluster.region", DefaultClusterRegion)
	v.SetDefault("cluster.bind", DefaultClusterBind)
	v.SetDefault("cluster.advertise", "")
	v.SetDefault("cluster.provider", DefaultClusterProvider)
	v.SetDefault("cluster.peers", []string{})
	v.SetDefault("cluster.automanaged_port", 0)
	v.SetDefault("cluster.lease", DefaultClusterLease)
	v.SetDefault("cluster.etcd.endpoints", []string{})
	v.SetDefault("cluster.consul.address", "")
	v.SetDefault("cluster.consul.token", "")
	v.SetDefault("cluster.k8s.pod_name", "")
	v.SetDefault("cluster.provider_timeout", DefaultProviderTimeout)
}

// nodeIDRE allows what a hostname-pid default produces plus underscores:
// node ids appear in SQL rows, log fields and URLs, so no spaces or slashes.
var nodeIDRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$`)

// validateCluster checks the cluster block, filling in the node id.
func (c *Config) validateCluster(add func(key, msg string)) {
	cl := &c.Cluster
	if !IsLabel(cl.Name) {
		add("cluster.name", fmt.Sprintf("%q is not a valid cluster name: use 1-63 lowercase letters, digits and hyphens (default %s)", cl.Name, DefaultClusterName))
	}
	if cl.NodeID == "" {
		cl.NodeID = DefaultNodeID()
	} else if !nodeIDRE.MatchString(cl.NodeID) {
		add("cluster.node_id", fmt.Sprintf("%q is not a valid node id: use up to 128 letters, digits, dots, hyphens and underscores, e.g. node-a (empty: hostname-pid)", cl.NodeID))
	}
	if !IsLabel(cl.Region) {
		add("cluster.region", fmt.Sprintf("%q is not a valid region: use a DNS label of 1-63 lowercase letters, digits and hyphens, e.g. eu or us-east-1", cl.Region))
	}
	multi := len(cl.Peers) > 0
	bindHost, bindPort, bindErr := splitHostPort(cl.Bind, true)
	if bindErr != nil {
		add("cluster.bind", fmt.Sprintf("%q %v, e.g. 0.0.0.0:8090 (port 0 picks a free one)", cl.Bind, bindErr))
	}
	if cl.Advertise != "" {
		host, _, err := splitHostPort(cl.Advertise, false)
		switch {
		case err != nil:
			add("cluster.advertise", fmt.Sprintf("%q %v, e.g. node-a:8090 (the address other members dial)", cl.Advertise, err))
		case unspecifiedHost(host):
			add("cluster.advertise", fmt.Sprintf("%q cannot be dialled by other members: name this node's reachable host, e.g. node-a:8090", cl.Advertise))
		}
	} else if bindErr == nil && multi {
		// With peers, the bind address doubles as the advertised one.
		switch {
		case unspecifiedHost(bindHost):
			add("cluster.advertise", fmt.Sprintf("is required with peers when cluster.bind (%s) listens on every interface: other members cannot dial %s; set this node's reachable host:port, e.g. node-a:%d", cl.Bind, bindHost, bindPort))
		case bindPort == 0:
			add("cluster.bind", "port 0 picks a random port, which peers cannot know: set a fixed port (e.g. 8090), or set cluster.advertise")
		}
	}
	if _, err := c.ClusterLease(); err != nil {
		add("cluster.lease", err.Error()+" (how long a member stays alive after its last heartbeat)")
	}
	if _, err := c.ClusterProviderTimeout(); err != nil {
		add("cluster.provider_timeout", err.Error()+" (how long start waits for provider etcd, consul or k8s)")
	}
	if cl.Provider == ProviderEtcd || cl.Provider == ProviderConsul || cl.Provider == ProviderK8s {
		// These providers find members themselves: several nodes, which
		// need a shared store and an address the others can dial.
		if url, _ := c.PostgresURL(); url == "" {
			add("cluster.provider", cl.Provider+" forms a cluster of several nodes, which needs a shared store: set persistence.postgres.url")
		}
		if bindErr == nil && cl.Advertise == "" {
			switch {
			case bindPort == 0:
				add("cluster.bind", "port 0 picks a random port, which other members cannot know: set a fixed port (e.g. 8090), or set cluster.advertise")
			case unspecifiedHost(bindHost) && cl.Provider != ProviderK8s:
				// (k8s advertises the pod's IP when advertise is empty.)
				add("cluster.advertise", fmt.Sprintf("is required with provider %s when cluster.bind (%s) listens on every interface: other members cannot dial %s; set this node's reachable host:port, e.g. node-a:%d",
					cl.Provider, cl.Bind, bindHost, bindPort))
			}
		}
	}
	c.validateEtcd(add)
	c.validateConsul(add)
	c.validateK8s(add)
	if url, _ := c.PostgresURL(); multi && url == "" {
		add("cluster.peers", "a cluster of several nodes needs a shared store: set persistence.postgres.url (the embedded SQLite store serves one node)")
	}
	if !validProvider(cl.Provider) {
		add("cluster.provider", fmt.Sprintf("unknown provider %q; valid providers: %s", cl.Provider, strings.Join(ClusterProviders, ", ")))
	}
	if multi && cl.Provider != ProviderAutomanaged && validProvider(cl.Provider) {
		add("cluster.peers", fmt.Sprintf("is used only by provider %s; provider %s finds members itself: remove peers", ProviderAutomanaged, cl.Provider))
	}
	seen := map[string]int{}
	for i, p := range cl.Peers {
		key := fmt.Sprintf("cluster.peers[%d]", i)
		host, _, err := splitHostPort(p, false)
		switch {
		case err != nil:
			add(key, fmt.Sprintf("%q %v: name another member's automanaged port, e.g. node-b:6330", p, err))
		case unspecifiedHost(host):
			add(key, fmt.Sprintf("%q cannot be dialled: name another member's host, e.g. node-b:6330", p))
		default:
			if j, dup := seen[p]; dup {
				add(key, fmt.Sprintf("%q is already cluster.peers[%d]", p, j))
			}
			seen[p] = i
		}
	}
	switch {
	case cl.AutomanagedPort < 0 || cl.AutomanagedPort > 65535:
		add("cluster.automanaged_port", fmt.Sprintf("%d is not a port: use 1-65535, or 0 to pick one", cl.AutomanagedPort))
	case cl.AutomanagedPort == 0 && multi && cl.Provider == ProviderAutomanaged:
		add("cluster.automanaged_port", "is 0 (pick a free port), which peers cannot know: set the fixed port the other members list in their peers, e.g. 6330")
	}
}

// splitHostPort parses host:port with a numeric port; zeroOK allows port 0
// (a listener's "pick one").
func splitHostPort(s string, zeroOK bool) (string, int, error) {
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, errors.New("is not host:port")
	}
	port, err := strconv.Atoi(portStr)
	lowest := 1
	if zeroOK {
		lowest = 0
	}
	if err != nil || port < lowest || port > 65535 {
		return "", 0, fmt.Errorf("has port %q: use a number from %d to 65535", portStr, lowest)
	}
	if host == "" && !zeroOK {
		return "", 0, errors.New("has no host")
	}
	return host, port, nil
}

// unspecifiedHost reports whether host means "every interface", which a
// listener may use but a peer cannot dial.
func unspecifiedHost(host string) bool {
	if host == "" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsUnspecified()
}

func validProvider(p string) bool {
	for _, v := range ClusterProviders {
		if p == v {
			return true
		}
	}
	return false
}

func (c *Config) validateEtcd(add func(key, msg string)) {
	cl := &c.Cluster
	if cl.Provider != ProviderEtcd {
		onlyFor(add, ProviderEtcd, [][2]string{{"cluster.etcd.endpoints", strings.Join(cl.Etcd.Endpoints, ",")}})
		return
	}
	if len(cl.Etcd.Endpoints) == 0 {
		add("cluster.etcd.endpoints", "provider etcd needs etcd's client addresses, e.g. [etcd-1:2379, etcd-2:2379]")
	}
	for i, e := range cl.Etcd.Endpoints {
		hostPort := strings.TrimPrefix(strings.TrimPrefix(e, "http://"), "https://")
		if _, _, err := splitHostPort(hostPort, false); err != nil {
			add(fmt.Sprintf("cluster.etcd.endpoints[%d]", i), fmt.Sprintf("%q %v: want host:port or http(s)://host:port, e.g. etcd-1:2379", e, err))
		}
	}
}

// validateConsul checks cluster.consul, filling in the default address.
func (c *Config) validateConsul(add func(key, msg string)) {
	cs := &c.Cluster.Consul
	if c.Cluster.Provider != ProviderConsul {
		onlyFor(add, ProviderConsul, [][2]string{{"cluster.consul.address", cs.Address}, {"cluster.consul.token", cs.Token}})
		return
	}
	if cs.Address == "" {
		cs.Address = DefaultConsulAddress
	}
	hostPort := cs.Address
	if scheme, rest, ok := strings.Cut(cs.Address, "://"); ok {
		if scheme != "http" && scheme != "https" {
			add("cluster.consul.address", fmt.Sprintf("%q: scheme %q is not http or https; want host:port or http(s)://host:port of the Consul agent, e.g. 127.0.0.1:8500", cs.Address, scheme))
			return
		}
		hostPort = rest
	}
	if _, _, err := splitHostPort(hostPort, false); err != nil {
		add("cluster.consul.address", fmt.Sprintf("%q %v: want host:port or http(s)://host:port of the Consul agent, e.g. 127.0.0.1:8500 (the default)", cs.Address, err))
	}
	if _, err := c.ConsulToken(); err != nil {
		add("cluster.consul.token", err.Error())
	}
}

// podNameRE is a DNS subdomain, the form of Kubernetes object names.
var podNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$`)

// validateK8s checks cluster.k8s.
func (c *Config) validateK8s(add func(key, msg string)) {
	k := &c.Cluster.K8s
	if c.Cluster.Provider != ProviderK8s {
		onlyFor(add, ProviderK8s, [][2]string{{"cluster.k8s.pod_name", k.PodName}})
		return
	}
	if host, _, err := net.SplitHostPort(c.Cluster.Advertise); err == nil && net.ParseIP(host) == nil {
		add("cluster.advertise", fmt.Sprintf("%q: provider k8s announces this pod's IP to the other members, so the advertised host must be that IP: leave cluster.advertise empty (then it is the pod's IP with the bind port)", c.Cluster.Advertise))
	}
	if k.PodName != "" && !podNameRE.MatchString(k.PodName) {
		add("cluster.k8s.pod_name", fmt.Sprintf("%q is not a pod name: use lowercase letters, digits, hyphens and dots, e.g. edge-0 (empty: $HOSTNAME)", k.PodName))
	}
}

// onlyFor reports each (key, value) set although cluster.provider is not
// provider, the only one that reads it.
func onlyFor(add func(key, msg string), provider string, keys [][2]string) {
	for _, kv := range keys {
		if kv[1] != "" {
			add(kv[0], fmt.Sprintf("is used only by provider %s: set provider: %s or remove it", provider, provider))
		}
	}
}
