package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/k8s"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// K8sConfig makes members find each other through the Kubernetes API
// (Proto.Actor's k8s provider): each labels its own pod with the cluster's
// name, its remoting port and its kinds, and watches the pods so labelled;
// a member is a running pod whose containers are all ready, at the pod's
// IP. Every member runs in a pod: the provider reaches the API with the
// in-cluster config (the pod's service account, which needs get, list,
// watch and patch on pods) and works in the service account's namespace.
type K8sConfig struct {
	// PodName is this node's pod ("": $HOSTNAME, then the host name, which
	// Kubernetes sets to the pod's name).
	PodName string
}

// Where a pod finds its service account; variables for tests.
var (
	serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
	inClusterConfig         = rest.InClusterConfig
)

// k8sTarget is what resolveK8s found: the API and this node's pod.
type k8sTarget struct {
	rest               *rest.Config
	namespace, podName string
}

// resolveK8s finds the API and this node's pod name and namespace, as
// Proto.Actor's provider will (except for the pod's name, see podPaths).
func resolveK8s(cfg *K8sConfig) (*k8sTarget, error) {
	rc, err := inClusterConfig()
	if err != nil {
		return nil, fmt.Errorf("provider k8s: no in-cluster Kubernetes config: %w (every member runs in a pod, whose service account token Kubernetes mounts: see configs/k8s/edge.yaml)", err)
	}
	b, err := os.ReadFile(serviceAccountNamespace)
	if err == nil && strings.TrimSpace(string(b)) == "" {
		err = errors.New("the file is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("provider k8s: this pod's namespace: %w (its service account token must be mounted: automountServiceAccountToken must not be false)", err)
	}
	t := &k8sTarget{rest: rc, namespace: strings.TrimSpace(string(b)), podName: cfg.PodName}
	if t.podName == "" {
		t.podName = os.Getenv("HOSTNAME")
	}
	if t.podName == "" {
		if t.podName, err = os.Hostname(); err != nil {
			return nil, fmt.Errorf("provider k8s: this pod's name: %w (set cluster.k8s.pod_name)", err)
		}
	}
	return t, nil
}

// podPathRE matches the path of one pod of the core API.
var podPathRE = regexp.MustCompile(`^(.*/api/v1/namespaces/[^/]+/pods/)([^/]+)$`)

// podPaths points the provider's requests for its own pod at the
// configured pod: Proto.Actor's k8s provider reads its pod by the host
// name, which it does not let a caller change, and which is not the pod's
// name when the pod sets spec.hostname or uses the host's network. This
// rewrites that path segment to cluster.k8s.pod_name (a no-op when they
// agree, as they do by default).
type podPaths struct {
	base              http.RoundTripper
	podName, hostname string
}

func (p podPaths) RoundTrip(req *http.Request) (*http.Response, error) {
	if m := podPathRE.FindStringSubmatch(req.URL.Path); m != nil && m[2] == p.hostname && p.hostname != p.podName {
		req = req.Clone(req.Context())
		req.URL.Path, req.URL.RawPath = m[1]+p.podName, ""
	}
	return p.base.RoundTrip(req)
}

// podsPathRE matches the pod paths of the core API: a namespace's or all
// namespaces' pods, or one pod.
var podsPathRE = regexp.MustCompile(`/api/v1/(?:namespaces/[^/]+/)?pods(?:/([^/]+))?$`)

// classifyK8s names the provider's calls (after podPaths): reading and
// patching this pod registers it; a watch of the pods watches the others.
func classifyK8s(podName string) func(*http.Request) callKind {
	return func(req *http.Request) callKind {
		m := podsPathRE.FindStringSubmatch(req.URL.Path)
		switch {
		case m == nil:
			return callOther
		case m[1] == podName && req.Method == http.MethodGet:
			return callRegisterStep
		case m[1] == podName && req.Method == http.MethodPatch:
			return callRegister
		case m[1] == "" && req.Method == http.MethodGet && isTrue(req.URL.Query().Get("watch")):
			return callWatch
		}
		return callOther
	}
}

func isTrue(s string) bool {
	b, err := strconv.ParseBool(s)
	return err == nil && b
}

// newK8sProvider finds this node's pod through the API (which must answer
// within ctx) and makes the provider; it returns the pod's IP, which the
// provider announces as this member's host.
func newK8sProvider(ctx context.Context, cfg *K8sConfig) (pcluster.ClusterProvider, *registration, string, error) {
	t, err := resolveK8s(cfg)
	if err != nil {
		return nil, nil, "", err
	}
	hostname, _ := os.Hostname()
	reg := newRegistration(classifyK8s(t.podName))
	prev := t.rest.WrapTransport
	t.rest.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		if prev != nil {
			rt = prev(rt)
		}
		return podPaths{base: reg.through(rt), podName: t.podName, hostname: hostname}
	}
	if t.rest.Dial == nil {
		t.rest.Dial = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	cs, err := kubernetes.NewForConfig(t.rest)
	if err != nil {
		return nil, nil, "", fmt.Errorf("provider k8s: the Kubernetes API at %s: %w", t.rest.Host, err)
	}
	pod, err := cs.CoreV1().Pods(t.namespace).Get(ctx, t.podName, metav1.GetOptions{})
	if err != nil {
		return nil, nil, "", k8sPodError(ctx, t, err)
	}
	if pod.Status.PodIP == "" {
		return nil, nil, "", fmt.Errorf("provider k8s: pod %s/%s has no IP yet (status.podIP is empty); it is this member's address", t.namespace, t.podName)
	}
	p, err := k8s.NewWithConfig(t.rest)
	if err != nil {
		return nil, nil, "", fmt.Errorf("provider k8s: the Kubernetes API at %s: %w", t.rest.Host, err)
	}
	return p, reg, pod.Status.PodIP, nil
}

// k8sPodError explains why this node's pod could not be read.
func k8sPodError(ctx context.Context, t *k8sTarget, err error) error {
	pod, api := t.namespace+"/"+t.podName, t.rest.Host
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("provider k8s: pod %s not found at %s: %w (set cluster.k8s.pod_name to this node's pod, e.g. from the downward API's metadata.name; by default $HOSTNAME)", pod, api, err)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("provider k8s: reading pod %s at %s: %w (the service account needs get, list, watch and patch on pods: see configs/k8s/edge.yaml)", pod, api, err)
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("provider k8s: reading pod %s at %s: %w (the API refused the pod's service account token)", pod, api, err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("provider k8s: the Kubernetes API at %s did not answer within cluster.provider_timeout: %w", api, err)
	}
	return fmt.Errorf("provider k8s: cannot reach the Kubernetes API at %s: %w (the in-cluster config: $KUBERNETES_SERVICE_HOST and $KUBERNETES_SERVICE_PORT)", api, err)
}

// k8sAdvertise is the address this member advertises with provider k8s,
// which announces the pod's IP with the advertised port: cluster.advertise
// must name that IP, and by default is the pod's IP with the bind port.
func k8sAdvertise(advertise, bind, podIP string) (string, error) {
	if advertise == "" {
		_, port, err := splitBind(bind)
		if err != nil {
			return "", err
		}
		return net.JoinHostPort(podIP, strconv.Itoa(port)), nil
	}
	host, port, err := net.SplitHostPort(advertise)
	if err != nil {
		return "", fmt.Errorf("cluster.advertise %q: %w (want host:port)", advertise, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.Equal(net.ParseIP(podIP)) {
		return "", fmt.Errorf("cluster.advertise %q: provider k8s announces this pod's IP %s to the other members, so the advertised host must be that IP: leave cluster.advertise empty (this node then advertises %s) or set it to the pod's IP",
			advertise, podIP, net.JoinHostPort(podIP, port))
	}
	return advertise, nil
}
