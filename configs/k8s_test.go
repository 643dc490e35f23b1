package configs

// There is no Kubernetes (or Consul) where these tests run, so they check
// what can be checked without one: that configs/k8s/edge.yaml parses, that
// its RBAC, names, ports, variables, config path and probe agree with each
// other, with the edge config its ConfigMap holds (configs/k8s/node.yaml,
// loaded as a pod would load it) and with the Dockerfile; and that the
// Consul example loads as a node would.

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// k8sObject is the part of a Kubernetes object these tests read.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string            `yaml:"name"`
		Namespace string            `yaml:"namespace"`
		Labels    map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	// Role
	Rules []struct {
		APIGroups []string `yaml:"apiGroups"`
		Resources []string `yaml:"resources"`
		Verbs     []string `yaml:"verbs"`
	} `yaml:"rules"`
	// RoleBinding
	RoleRef struct {
		Kind, Name string
	} `yaml:"roleRef"`
	Subjects []struct {
		Kind, Name, Namespace string
	} `yaml:"subjects"`
	// ConfigMap
	Data map[string]string `yaml:"data"`
	Spec k8sSpec           `yaml:"spec"`
}

type k8sSpec struct {
	// Service: labels; StatefulSet: matchLabels (see labelsOf)
	ClusterIP string         `yaml:"clusterIP"`
	Selector  map[string]any `yaml:"selector"`
	Ports     []struct {
		Name       string `yaml:"name"`
		Port       int    `yaml:"port"`
		TargetPort string `yaml:"targetPort"`
	} `yaml:"ports"`
	// StatefulSet
	ServiceName string `yaml:"serviceName"`
	Replicas    int    `yaml:"replicas"`
	Template    struct {
		Metadata struct {
			Labels map[string]string `yaml:"labels"`
		} `yaml:"metadata"`
		Spec k8sPodSpec `yaml:"spec"`
	} `yaml:"template"`
}

type k8sPodSpec struct {
	ServiceAccountName           string `yaml:"serviceAccountName"`
	AutomountServiceAccountToken *bool  `yaml:"automountServiceAccountToken"`
	HostNetwork                  bool   `yaml:"hostNetwork"`
	Containers                   []struct {
		Name    string   `yaml:"name"`
		Image   string   `yaml:"image"`
		Command []string `yaml:"command"`
		Args    []string `yaml:"args"`
		Env     []struct {
			Name      string `yaml:"name"`
			Value     string `yaml:"value"`
			ValueFrom *struct {
				FieldRef *struct {
					FieldPath string `yaml:"fieldPath"`
				} `yaml:"fieldRef"`
				SecretKeyRef *struct {
					Name, Key string
				} `yaml:"secretKeyRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		ReadinessProbe struct {
			HTTPGet struct {
				Path string `yaml:"path"`
				Port string `yaml:"port"`
			} `yaml:"httpGet"`
		} `yaml:"readinessProbe"`
		Mounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	} `yaml:"containers"`
	Volumes []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
	} `yaml:"volumes"`
}

// readManifest parses the documents of a multi-document YAML file.
func readManifest(t *testing.T, path string) []k8sObject {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var out []k8sObject
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: document %d: %v", path, len(out)+1, err)
		}
		var o k8sObject
		if err := node.Decode(&o); err != nil {
			t.Fatalf("%s: document %d: %v", path, len(out)+1, err)
		}
		if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
			t.Fatalf("%s: document %d has no apiVersion, kind or name", path, len(out)+1)
		}
		out = append(out, o)
	}
	return out
}

// selectorLabels reads a selector: a Service's is the labels themselves,
// a StatefulSet's their matchLabels.
func selectorLabels(t *testing.T, sel map[string]any) map[string]string {
	t.Helper()
	if m, ok := sel["matchLabels"].(map[string]any); ok {
		sel = m
	}
	out := map[string]string{}
	for k, v := range sel {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("selector %v: %s is not a label", sel, k)
		}
		out[k] = s
	}
	return out
}

// k8sSecrets are test values of the Secret edge-secrets.
var k8sSecrets = map[string]string{
	"postgres-password": "0123456789abcdef0123456789abcdef",
	"admin-token":       "fedcba9876543210fedcba9876543210",
}

func TestK8sDeploymentConfig(t *testing.T) {
	objs := readManifest(t, filepath.Join("k8s", "edge.yaml"))
	byKind := map[string][]k8sObject{}
	for _, o := range objs {
		byKind[o.Kind] = append(byKind[o.Kind], o)
	}
	one := func(kind string) k8sObject {
		t.Helper()
		if len(byKind[kind]) != 1 {
			t.Fatalf("%d objects of kind %s, want 1", len(byKind[kind]), kind)
		}
		return byKind[kind][0]
	}
	ns := one("Namespace").Metadata.Name
	for _, o := range objs {
		if o.Kind != "Namespace" && o.Metadata.Namespace != ns {
			t.Errorf("%s %s is in namespace %q, want %q with the others", o.Kind, o.Metadata.Name, o.Metadata.Namespace, ns)
		}
	}

	// RBAC: the pods' service account may do what the provider does.
	sa, role, binding := one("ServiceAccount"), one("Role"), one("RoleBinding")
	var verbs []string
	for _, r := range role.Rules {
		if slices.Contains(r.APIGroups, "") && slices.Contains(r.Resources, "pods") {
			verbs = append(verbs, r.Verbs...)
		}
	}
	for _, v := range []string{"get", "list", "watch", "patch"} {
		if !slices.Contains(verbs, v) {
			t.Errorf("Role %s lets pods be %v, want %s too (the k8s provider gets, patches, lists and watches pods)", role.Metadata.Name, verbs, v)
		}
	}
	if binding.RoleRef.Kind != "Role" || binding.RoleRef.Name != role.Metadata.Name || len(binding.Subjects) != 1 ||
		binding.Subjects[0].Kind != "ServiceAccount" || binding.Subjects[0].Name != sa.Metadata.Name || binding.Subjects[0].Namespace != ns {
		t.Errorf("RoleBinding %+v does not bind Role %s to ServiceAccount %s/%s", binding, role.Metadata.Name, ns, sa.Metadata.Name)
	}

	set := one("StatefulSet")
	pod := set.Spec.Template.Spec
	if pod.ServiceAccountName != sa.Metadata.Name || (pod.AutomountServiceAccountToken != nil && !*pod.AutomountServiceAccountToken) {
		t.Errorf("pods run as %q (automount %v), want ServiceAccount %s with its token mounted", pod.ServiceAccountName, pod.AutomountServiceAccountToken, sa.Metadata.Name)
	}
	if set.Spec.Replicas < 2 {
		t.Errorf("replicas %d: the example is a cluster", set.Spec.Replicas)
	}
	labels := set.Spec.Template.Metadata.Labels
	matchLabels := selectorLabels(t, set.Spec.Selector)
	if len(matchLabels) == 0 {
		t.Error("the StatefulSet has no selector")
	}
	for k, v := range matchLabels {
		if labels[k] != v {
			t.Errorf("selector %s=%s does not match the pod template's labels %v", k, v, labels)
		}
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want edge alone", len(pod.Containers))
	}
	c := pod.Containers[0]
	// The config: the ConfigMap is mounted where the image's CMD reads it
	// (the manifest leaves command and args to the image).
	configPath := readDockerfile(t).configPath(t)
	if len(c.Command) > 0 || len(c.Args) > 0 {
		t.Errorf("command %q args %q: leave them to the image's CMD (serve --config %s)", c.Command, c.Args, configPath)
	}
	cm := one("ConfigMap")
	var mounted bool
	for _, m := range c.Mounts {
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.ConfigMap != nil && v.ConfigMap.Name == cm.Metadata.Name && m.MountPath == filepath.Dir(configPath) {
				mounted = true
			}
		}
	}
	if !mounted {
		t.Errorf("ConfigMap %s is not mounted at %s, where the image reads %s", cm.Metadata.Name, filepath.Dir(configPath), configPath)
	}
	nodeYAML, err := os.ReadFile(filepath.Join("k8s", "node.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cm.Data[filepath.Base(configPath)]; got != string(nodeYAML) {
		t.Errorf("ConfigMap %s's %s differs from configs/k8s/node.yaml: keep them the same", cm.Metadata.Name, filepath.Base(configPath))
	}

	// The environment, as Kubernetes gives it to pod edge-0; the edge
	// config then loads as that pod loads it.
	const podName = "edge-0"
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
			env[e.Name] = podName
		case e.ValueFrom.SecretKeyRef != nil:
			v, ok := k8sSecrets[e.ValueFrom.SecretKeyRef.Key]
			if !ok {
				t.Errorf("env %s: the Secret's key %q is not one the manifest's instructions create (%v)", e.Name, e.ValueFrom.SecretKeyRef.Key, k8sSecrets)
			}
			env[e.Name] = v
		default:
			t.Errorf("env %s: a source this test does not know", e.Name)
		}
	}
	for k, v := range env {
		if !strings.HasPrefix(k, "EDGE_") {
			t.Errorf("env %s: edge reads EDGE_* (and the variables its config names)", k)
		}
		t.Setenv(k, v)
	}
	cfg, err := Load(filepath.Join("k8s", "node.yaml"))
	if err != nil {
		t.Fatalf("configs/k8s/node.yaml with the pod's environment: %v", err)
	}
	cl := cfg.Cluster
	if cl.Provider != ProviderK8s || cl.NodeID != podName || cl.K8s.PodName != podName || cl.Advertise != "" {
		t.Errorf("cluster %+v: want provider k8s, node id and pod name %s from the pod's name, advertise empty (the pod's IP)", cl, podName)
	}
	if err := cfg.ClusterProviderSupported(); err != nil {
		t.Error(err)
	}
	if u, err := cfg.PostgresURL(); err != nil || !strings.Contains(u, ":"+k8sSecrets["postgres-password"]+"@") {
		t.Errorf("postgres url %q (%v): want the Secret's password", redactURL(u), err)
	}
	if cfg.Tokens()[k8sSecrets["admin-token"]] == "" {
		t.Error("the Secret's admin token does not open the admin API")
	}

	// Ports: the container declares each listener's port, by the names the
	// Services and the probe use.
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for name, addr := range map[string]string{"http": cfg.Listen, "admin": cfg.Admin.Listen, "remoting": cl.Bind} {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("%s %q: %v", name, addr, err)
		}
		if n, _ := strconv.Atoi(port); ports[name] != n {
			t.Errorf("edge listens on %s for %s, the container port %q is %d", addr, name, name, ports[name])
		}
		if !unspecifiedHost(host) {
			t.Errorf("%s %q: listen on 0.0.0.0 in a pod, or nothing outside it reaches it", name, addr)
		}
	}
	// The admin API's health path (admin.PathHealth; package admin
	// imports configs, so it is written out here).
	if probe := c.ReadinessProbe.HTTPGet; probe.Path != "/healthz" || probe.Port != "admin" {
		t.Errorf("readiness probe %+v: want GET /healthz on the admin port (members are ready pods)", probe)
	}
	services := byKind["Service"]
	if len(services) == 0 {
		t.Fatal("no Service")
	}
	headless := false
	for _, s := range services {
		for k, v := range selectorLabels(t, s.Spec.Selector) {
			if labels[k] != v {
				t.Errorf("Service %s selects %s=%s, which the pods do not have (%v)", s.Metadata.Name, k, v, labels)
			}
		}
		for _, p := range s.Spec.Ports {
			if _, ok := ports[p.TargetPort]; !ok {
				t.Errorf("Service %s targets port %q, which the container does not name (%v)", s.Metadata.Name, p.TargetPort, ports)
			}
		}
		if s.Metadata.Name == set.Spec.ServiceName && s.Spec.ClusterIP == "None" {
			headless = true
		}
	}
	if !headless {
		t.Errorf("the StatefulSet's serviceName %q is not a headless Service of the manifest", set.Spec.ServiceName)
	}
}

func TestConsulExampleConfig(t *testing.T) {
	path := filepath.Join("consul", "node.yaml")
	for k, v := range map[string]string{
		"EDGE_ADMIN_TOKEN":       "fedcba9876543210fedcba9876543210",
		"EDGE_POSTGRES_PASSWORD": "0123456789abcdef0123456789abcdef",
		"EDGE_CONSUL_TOKEN":      "consul-token",
		"EDGE_CLUSTER_NODE_ID":   "node-a",
	} {
		t.Setenv(k, v)
	}
	// Without EDGE_CLUSTER_ADVERTISE, as the file's comment says, it is
	// refused: remoting binds every interface.
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "cluster.advertise: is required with provider consul") {
		t.Fatalf("without EDGE_CLUSTER_ADVERTISE: %v", err)
	}
	t.Setenv("EDGE_CLUSTER_ADVERTISE", "node-a.internal:8090")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cl := cfg.Cluster
	tok, err := cfg.ConsulToken()
	if cl.Provider != ProviderConsul || cl.Consul.Address != DefaultConsulAddress || tok != "consul-token" || err != nil ||
		cl.NodeID != "node-a" || cfg.ClusterAdvertise() != "node-a.internal:8090" {
		t.Errorf("cluster %+v token %q %v", cl, tok, err)
	}
	if err := cfg.ClusterProviderSupported(); err != nil {
		t.Error(err)
	}
	if _, port, _ := net.SplitHostPort(cl.Bind); port != "8090" {
		t.Errorf("bind %s: the comment says remoting is on 8090", cl.Bind)
	}
}
