package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/edge-platform/edge/cluster/providertest"
	"github.com/edge-platform/edge/persistence/pgtest"
)

// Clusters whose nodes find each other through Consul (cluster.provider
// consul) or Kubernetes (k8s): real `edge serve` processes, with
// Proto.Actor's providers talking HTTP to the protocol test servers of
// cluster/providertest in this process (no Consul or Kubernetes can be
// installed here; see that package).

// consulMembership: provider consul, at the agent addr, with token.
func consulMembership(addr, token string) *membership {
	return &membership{block: func(s nodeSpec, bindPort int) string {
		return fmt.Sprintf("  bind: %s\n  provider: consul\n  consul: {address: %q, token: %q}\n",
			net.JoinHostPort(s.IP, strconv.Itoa(bindPort)), addr, token)
	}}
}

// k8sNamespace is the namespace of the test clusters' pods.
const k8sNamespace = "edge-e2e"

// podSandbox runs processes as if in a pod of a test API server's
// cluster: $KUBERNETES_SERVICE_HOST and $KUBERNETES_SERVICE_PORT name the
// server and, in a mount namespace of the process's own, the service
// account's token, ca.crt and namespace are in
// /var/run/secrets/kubernetes.io/serviceaccount, where Kubernetes mounts
// them (and where Proto.Actor's k8s provider and client-go's in-cluster
// config read them: the provider runs only in a pod). The processes keep
// this machine's host name, which is no pod's name, so edge must learn it
// from $HOSTNAME or cluster.k8s.pod_name, as in a pod that sets
// spec.hostname.
type podSandbox struct {
	dir, host, port string
	unshare         []string
}

// sandboxScript mounts the service account and runs the command; sh -c
// gets the account's directory as $0.
const sandboxScript = `set -e
mount -t tmpfs tmpfs "$(readlink -f /var/run)"
mkdir -p /var/run/secrets/kubernetes.io/serviceaccount
cp "$0/token" "$0/ca.crt" "$0/namespace" /var/run/secrets/kubernetes.io/serviceaccount/
exec "$@"`

// newPodSandbox prepares pods of api in namespace. It needs unshare
// (util-linux) and the right to make a mount namespace (root, or
// unprivileged user namespaces); without them the test fails in CI and
// skips elsewhere.
func newPodSandbox(t *testing.T, api *providertest.Kube, namespace string) *podSandbox {
	t.Helper()
	sb := &podSandbox{dir: t.TempDir(), unshare: []string{"--mount", "--propagation", "private"}}
	api.ServiceAccount(t, sb.dir, namespace)
	sb.host, sb.port = api.HostPort()
	if os.Geteuid() != 0 {
		sb.unshare = append([]string{"--user", "--map-root-user"}, sb.unshare...)
	}
	cmd := sb.command(nil, "cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace")
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != namespace {
		msg := fmt.Sprintf("cannot run a process as in a pod (unshare %s: a mount namespace needs root or unprivileged user namespaces): %v\n%s", strings.Join(sb.unshare, " "), err, out)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return sb
}

// command runs prog with args in the sandbox, with env added to this
// process's environment.
func (sb *podSandbox) command(env []string, prog string, args ...string) *exec.Cmd {
	cmd := exec.Command("unshare", append(append(slices.Clone(sb.unshare), "sh", "-c", sandboxScript, sb.dir, prog), args...)...)
	cmd.Env = append(os.Environ(), "KUBERNETES_SERVICE_HOST="+sb.host, "KUBERNETES_SERVICE_PORT="+sb.port)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// k8sMembership: provider k8s, each node in a pod of sb named as the node
// (node-a learns it from $HOSTNAME, as the container runtime sets it; the
// others from cluster.k8s.pod_name), remoting bound on every interface and
// advertised at the pod's IP (cluster.advertise left empty).
func k8sMembership(sb *podSandbox) *membership {
	return &membership{
		block: func(s nodeSpec, bindPort int) string {
			block := fmt.Sprintf("  bind: 0.0.0.0:%d\n  provider: k8s\n", bindPort)
			if s.ID != "node-a" {
				block += fmt.Sprintf("  k8s: {pod_name: %s}\n", s.ID)
			}
			return block
		},
		command: func(s nodeSpec, args []string) *exec.Cmd {
			hostname := ""
			if s.ID == "node-a" {
				hostname = s.ID
			}
			return sb.command([]string{"HOSTNAME=" + hostname}, edgeBin, args...)
		},
	}
}

// membershipRE matches the log line of a change of Proto.Actor's member
// list.
var membershipRE = regexp.MustCompile(`msg="cluster membership" members=("[^"]*"|\S*) joined=("[^"]*"|\S*) left=("[^"]*"|\S*)`)

// memberships returns every member list node n logged, oldest first, and
// the members that left at each change.
func memberships(n *clusterNode) (lists, left [][]string) {
	split := func(s string) []string {
		s = strings.Trim(s, `"`)
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	for _, m := range membershipRE.FindAllStringSubmatch(n.logs(), -1) {
		lists = append(lists, split(m[1]))
		left = append(left, split(m[3]))
	}
	return lists, left
}

// waitMembers waits until node n's member list (what its provider says)
// is exactly the remoting addresses of nodes.
func (c *testCluster) waitMembers(n *clusterNode, nodes ...*clusterNode) {
	c.t.Helper()
	var want []string
	for _, o := range nodes {
		want = append(want, o.remoting)
	}
	slices.Sort(want)
	eventually(c.t, fmt.Sprintf("%s's member list is %v", n.ID, want), func() (bool, string) {
		lists, _ := memberships(n)
		if len(lists) == 0 {
			return false, "no member list logged yet"
		}
		last := lists[len(lists)-1]
		return slices.Equal(last, want), fmt.Sprint(last)
	})
}

// checkLeft checks that node n logged dead as a member that left.
func (c *testCluster) checkLeft(n, dead *clusterNode) {
	c.t.Helper()
	_, left := memberships(n)
	for _, l := range left {
		if slices.Contains(l, dead.remoting) {
			return
		}
	}
	c.t.Errorf("%s never logged %s (%s) as a member that left: %v", n.ID, dead.ID, dead.remoting, left)
}

// crossNode creates a coordinator through a that lands on b and increments
// it through both: one activation, one count.
func (c *testCluster) crossNode(prefix string, a, b *clusterNode) {
	c.t.Helper()
	name := c.ownedBy(a, prefix, b.ID)
	first := c.first(a, name, "inc", "")
	for i, via := range []*clusterNode{a, b, a, b} {
		status, reply, body, err := c.counter(via, name, "inc", "")
		if err != nil || status != 200 || reply.Activation != first.Activation || reply.N != first.N+int64(i)+1 {
			c.t.Fatalf("increment %d through %s: %d %+v %q %v; want 200, n=%d from activation %s", i, via.ID, status, reply, body, err, first.N+int64(i)+1, first.Activation)
		}
	}
}

// Three nodes register with a Consul agent (with ACLs, so the token must
// reach every call, the provider's watch included), see each other in
// their member lists, and route a coordinator across nodes; a killed node
// stops updating its TTL check, which turns critical, and it leaves the
// others' member lists.
func TestClusterOnConsulMembership(t *testing.T) {
	const token = "consul-acl-token-e2e"
	agent := providertest.StartConsul(t, token)
	c := startClusterWith(t, threeNodes, consulMembership(agent.Addr(), token))
	a, b, cc := c.byID["node-a"], c.byID["node-b"], c.byID["node-c"]

	eventually(t, "the agent lists every node, passing, at its remoting address", func() (bool, string) {
		insts := agent.Instances("edge-e2e")
		var got []string
		for _, in := range insts {
			if in.Status == "passing" && slices.Contains(in.Tags, "coordinator") && in.Meta["id"] == in.ID {
				got = append(got, net.JoinHostPort(in.Address, strconv.Itoa(in.Port)))
			}
		}
		slices.Sort(got)
		return slices.Equal(got, []string{a.remoting, b.remoting, cc.remoting}), fmt.Sprintf("%+v", insts)
	})
	for _, n := range c.nodes {
		c.waitMembers(n, a, b, cc)
	}
	c.crossNode("consul", a, b)

	cc.kill()
	eventually(t, "node-c's TTL check lapses", func() (bool, string) {
		for _, in := range agent.Instances("edge-e2e") {
			if in.Address+":"+strconv.Itoa(in.Port) == cc.remoting {
				return in.Status == "critical", in.Status
			}
		}
		return false, "node-c is not registered"
	})
	for _, n := range []*clusterNode{a, b} {
		c.waitMembers(n, a, b)
		c.checkLeft(n, cc)
	}
}

// Three nodes label their pods through the Kubernetes API and watch the
// labelled pods, each advertising its pod's IP; they see each other and
// route a coordinator across nodes; when a killed node's pod is deleted
// (as the kubelet and the controller would), it leaves the others' member
// lists.
func TestClusterOnK8sMembership(t *testing.T) {
	api := providertest.StartKube(t, "kube-bearer-token-e2e")
	for _, s := range threeNodes {
		api.AddPod(providertest.PodSpec{Namespace: k8sNamespace, Name: s.ID, IP: s.IP, Labels: map[string]string{"app": "edge"}})
	}
	c := startClusterWith(t, threeNodes, k8sMembership(newPodSandbox(t, api, k8sNamespace)))
	a, b, cc := c.byID["node-a"], c.byID["node-b"], c.byID["node-c"]

	for _, n := range c.nodes {
		labels, _ := api.Labels(k8sNamespace, n.ID)
		_, port, _ := net.SplitHostPort(n.remoting)
		if labels["app"] != "edge" || labels["cluster.proto.actor/cluster"] != "edge-e2e" || labels["cluster.proto.actor/port"] != port ||
			labels["cluster.proto.actor/kind-coordinator"] != "true" || labels["cluster.proto.actor/member-id"] == "" {
			t.Errorf("pod %s's labels %v: want its own kept and the provider's (cluster edge-e2e, port %s, kind coordinator, a member id)", n.ID, labels, port)
		}
		if !strings.Contains(n.logs(), `msg="cluster member started" address=`+n.remoting) {
			t.Errorf("%s does not advertise its pod's IP and bind port %s", n.ID, n.remoting)
		}
	}
	for _, n := range c.nodes {
		c.waitMembers(n, a, b, cc)
	}
	c.crossNode("k8s", a, c.byID["node-b"])

	b.kill()
	if err := api.DeletePod(k8sNamespace, b.ID); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*clusterNode{a, cc} {
		c.waitMembers(n, a, cc)
		c.checkLeft(n, b)
	}
}

// Provider consul or k8s that cannot start stops `edge serve` with an
// error naming the provider, the server and the key to fix: at once when
// the server cannot be reached or refuses this node's pod, within
// cluster.provider_timeout when the provider keeps failing to register.
func TestClusterProviderStartErrors(t *testing.T) {
	pg := pgtest.FreshSchema(t, pgtest.URL(t))
	agent := providertest.StartConsul(t, "the-right-token")
	api := providertest.StartKube(t, "kube-token")
	api.AddPod(providertest.PodSpec{Namespace: k8sNamespace, Name: "edge-0", IP: "127.0.0.1", Labels: map[string]string{"app": "edge"}})
	sb := newPodSandbox(t, api, k8sNamespace)
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}()
	serve := func(t *testing.T, inPod bool, block string) string {
		t.Helper()
		dir := t.TempDir()
		cfg := fmt.Sprintf("domain: %s\nlisten: 127.0.0.1:0\npersistence: {postgres: {url: %q}}\ncluster:\n  name: edge-e2e\n  bind: 127.0.0.1:%d\n  provider_timeout: 1s\n%s",
			clusterDomain, pg, freePort(t, "127.0.0.1"), block)
		path := filepath.Join(dir, "edge.yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(edgeBin, "serve", "--config", path, "--data", dir)
		if inPod {
			cmd = sb.command(nil, edgeBin, "serve", "--config", path, "--data", dir)
		}
		code, out := runCmd(t, cmd)
		if code == 0 {
			t.Fatalf("edge serve exited 0:\n%s", out)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		inPod bool
		block string
		want  []string
	}{
		{"consul unreachable", false, fmt.Sprintf("  provider: consul\n  consul: {address: %q}\n", closed),
			[]string{"edge serve: provider consul: cannot reach the Consul agent at " + closed, "connection refused", "check cluster.consul.address"}},
		{"consul refuses the token", false, fmt.Sprintf("  provider: consul\n  consul: {address: %q, token: wrong}\n", agent.Addr()),
			[]string{"edge serve: provider consul: the Consul agent at " + agent.Addr(), "within cluster.provider_timeout (1s)", "registering this node",
				"PUT /v1/agent/service/register: 403 Forbidden: ACL not found", "check cluster.consul.token"}},
		{"k8s outside a pod", false, "  provider: k8s\n",
			[]string{"edge serve: provider k8s: no in-cluster Kubernetes config", "every member runs in a pod"}},
		{"k8s pod not found", true, "  provider: k8s\n  k8s: {pod_name: edge-9}\n",
			[]string{"edge serve: provider k8s: pod " + k8sNamespace + "/edge-9 not found", "set cluster.k8s.pod_name"}},
		{"k8s advertise is not the pod's IP", true, "  advertise: 127.0.0.2:8090\n  provider: k8s\n  k8s: {pod_name: edge-0}\n",
			[]string{`edge serve: cluster.advertise "127.0.0.2:8090": provider k8s announces this pod's IP 127.0.0.1`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := serve(t, tc.inPod, tc.block)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not contain %q:\n%s", w, out)
				}
			}
		})
	}
	// Last: the API refuses the patch that registers the pod.
	t.Run("k8s may not patch pods", func(t *testing.T) {
		api.Deny("patch")
		out := serve(t, true, "  provider: k8s\n  k8s: {pod_name: edge-0}\n")
		for _, w := range []string{"edge serve: provider k8s: labelling this pod and watching the pods", "within cluster.provider_timeout (1s)",
			"PATCH /api/v1/namespaces/" + k8sNamespace + "/pods/edge-0: 403 Forbidden", `cannot patch resource \"pods\"`, "needs get, list, watch and patch on pods"} {
			if !strings.Contains(out, w) {
				t.Errorf("output does not contain %q:\n%s", w, out)
			}
		}
	})
}
