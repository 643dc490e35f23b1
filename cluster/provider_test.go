package cluster

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/cluster/providertest"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// fakeRT answers requests from a function and records them.
type fakeRT struct {
	mu   sync.Mutex
	seen []*http.Request
	fn   func(*http.Request) (*http.Response, error)
}

func (f *fakeRT) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.seen = append(f.seen, req)
	f.mu.Unlock()
	return f.fn(req)
}

func answer(status int, body string) (*http.Response, error) {
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}}, nil
}

func request(t *testing.T, method, rawURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestProviderClassifyCalls(t *testing.T) {
	consul := classifyConsul("edge")
	k8s := classifyK8s("edge-0")
	for _, tc := range []struct {
		classify     func(*http.Request) callKind
		method, path string
		want         callKind
	}{
		{consul, "PUT", "http://a/v1/agent/service/register", callRegister},
		{consul, "PUT", "http://a/prefix/v1/agent/service/register", callRegister},
		{consul, "GET", "http://a/v1/agent/service/register", callOther},
		{consul, "GET", "http://a/v1/health/service/edge?index=3&wait=20000ms", callWatch},
		{consul, "GET", "http://a/v1/health/service/other", callOther},
		{consul, "PUT", "http://a/v1/agent/check/update/service:x", callOther},
		{k8s, "GET", "https://k/api/v1/namespaces/ns/pods/edge-0", callRegisterStep},
		{k8s, "PATCH", "https://k/api/v1/namespaces/ns/pods/edge-0", callRegister},
		{k8s, "PATCH", "https://k/api/v1/namespaces/ns/pods/edge-1", callOther},
		{k8s, "GET", "https://k/api/v1/namespaces/ns/pods?labelSelector=x%3Dy&watch=true", callWatch},
		{k8s, "GET", "https://k/api/v1/namespaces/ns/pods?labelSelector=x%3Dy", callOther},
		{k8s, "GET", "https://k/apis/apps/v1/namespaces/ns/deployments?watch=true", callOther},
	} {
		if got := tc.classify(request(t, tc.method, tc.path)); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestProviderRegistrationWaitsForRegisterAndWatch(t *testing.T) {
	reg := newRegistration(classifyConsul("edge"))
	var waits []int
	reg.backoff = func(n int) time.Duration { waits = append(waits, n); return 0 }
	fails := 2
	rt := reg.through(&fakeRT{fn: func(req *http.Request) (*http.Response, error) {
		if strings.HasSuffix(req.URL.Path, "/register") && fails > 0 {
			fails--
			return answer(403, "Permission denied: anonymous token lacks permission")
		}
		if strings.Contains(req.URL.Path, "/check/") {
			return nil, errors.New("connection refused")
		}
		return answer(200, "[]")
	}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	do := func(method, path string) *http.Response {
		resp, _ := rt.RoundTrip(request(t, method, "http://agent"+path))
		return resp
	}

	resp := do("PUT", "/v1/agent/service/register")
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 403 || string(b) != "Permission denied: anonymous token lacks permission" {
		t.Fatalf("the caller must get the whole error response: %d %q", resp.StatusCode, b)
	}
	err := reg.wait(ctx)
	if err == nil || !strings.Contains(err.Error(), "registering this node and watching the other members did not succeed") ||
		!strings.Contains(err.Error(), "PUT /v1/agent/service/register: 403 Forbidden: Permission denied") {
		t.Fatalf("wait: %v", err)
	}
	do("PUT", "/v1/agent/service/register")
	do("PUT", "/v1/agent/service/register")
	if len(waits) != 2 || waits[0] != 1 || waits[1] != 2 {
		t.Fatalf("backoffs before the retries %v, want after 1 then 2 failures", waits)
	}
	do("PUT", "/v1/agent/check/update/service:x")
	err = reg.wait(ctx)
	if err == nil || !strings.Contains(err.Error(), "watching the other members did not succeed") || strings.Contains(err.Error(), "registering") ||
		!strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("wait after registering: %v", err)
	}
	do("PUT", "/v1/agent/service/register")
	if len(waits) != 2 {
		t.Fatalf("a registration after a success waited: %v", waits)
	}
	do("GET", "/v1/health/service/edge")
	if err := reg.wait(ctx); err != nil {
		t.Fatalf("registered and watching: %v", err)
	}
}

func TestProviderErrorMessage(t *testing.T) {
	for body, want := range map[string]string{
		"Permission denied\n": "Permission denied",
		`{"kind":"Status","message":"pods \"a\" is forbidden","code":403}`: `pods "a" is forbidden`,
		`{"kind":"Status","code":500}`:                                     `{"kind":"Status","code":500}`,
	} {
		if got := errorMessage([]byte(body)); got != want {
			t.Errorf("%q: %q, want %q", body, got, want)
		}
	}
}

func TestProviderRegisterBackoffGrowsAndIsBounded(t *testing.T) {
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 2 * time.Second, 2 * time.Second}
	for i, w := range want {
		if got := registerBackoff(i + 1); got != w {
			t.Errorf("after %d failures: %v, want %v", i+1, got, w)
		}
	}
	if registerBackoff(1000) != 2*time.Second {
		t.Error("no bound")
	}
}

func TestProviderConsulTokenOnEveryRequest(t *testing.T) {
	f := &fakeRT{fn: func(*http.Request) (*http.Response, error) { return answer(200, "") }}
	rt := consulToken{base: f, token: "tok"}
	withOther := request(t, "GET", "http://agent/v1/health/service/edge")
	withOther.Header.Set(consulTokenHeader, "from-the-environment")
	for _, req := range []*http.Request{request(t, "GET", "http://agent/v1/health/service/edge"), withOther} {
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	for _, req := range f.seen {
		if got := req.Header.Get(consulTokenHeader); got != "tok" {
			t.Errorf("token %q, want tok", got)
		}
	}
	if withOther.Header.Get(consulTokenHeader) != "from-the-environment" {
		t.Error("the caller's request was changed")
	}
}

func TestProviderPodPathsPointAtTheConfiguredPod(t *testing.T) {
	f := &fakeRT{fn: func(*http.Request) (*http.Response, error) { return answer(200, "{}") }}
	rt := podPaths{base: f, podName: "edge-1", hostname: "vm"}
	for in, want := range map[string]string{
		"https://k/api/v1/namespaces/edge/pods/vm":                      "/api/v1/namespaces/edge/pods/edge-1",
		"https://k/prefix/api/v1/namespaces/edge/pods/vm":               "/prefix/api/v1/namespaces/edge/pods/edge-1",
		"https://k/api/v1/namespaces/edge/pods/edge-1":                  "/api/v1/namespaces/edge/pods/edge-1",
		"https://k/api/v1/namespaces/edge/pods/other":                   "/api/v1/namespaces/edge/pods/other",
		"https://k/api/v1/namespaces/edge/pods?labelSelector=a&watch=1": "/api/v1/namespaces/edge/pods",
		"https://k/apis/apps/v1/namespaces/vm/deployments/vm":           "/apis/apps/v1/namespaces/vm/deployments/vm",
	} {
		f.seen = nil
		if _, err := rt.RoundTrip(request(t, "GET", in)); err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(in)
		if got := f.seen[0].URL; got.Path != want || got.RawQuery != u.RawQuery {
			t.Errorf("%s -> %s?%s, want %s?%s", in, got.Path, got.RawQuery, want, u.RawQuery)
		}
	}
}

func TestProviderK8sAdvertise(t *testing.T) {
	for _, tc := range []struct{ advertise, bind, podIP, want, err string }{
		{"", "0.0.0.0:8090", "10.1.2.3", "10.1.2.3:8090", ""},
		{"", "0.0.0.0:8090", "fd00::3", "[fd00::3]:8090", ""},
		{"10.1.2.3:9000", "0.0.0.0:8090", "10.1.2.3", "10.1.2.3:9000", ""},
		{"edge-0.edge:8090", "0.0.0.0:8090", "10.1.2.3", "", "provider k8s announces this pod's IP 10.1.2.3"},
		{"10.9.9.9:8090", "0.0.0.0:8090", "10.1.2.3", "", "leave cluster.advertise empty (this node then advertises 10.1.2.3:8090)"},
	} {
		got, err := k8sAdvertise(tc.advertise, tc.bind, tc.podIP)
		if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("k8sAdvertise(%q, %q, %q) = %q, %v; want %q, %q", tc.advertise, tc.bind, tc.podIP, got, err, tc.want, tc.err)
		}
	}
}

// inPod makes resolveK8s see a pod whose service account reaches api in
// namespace: what rest.InClusterConfig reads from the environment and the
// mounted token, and the namespace file.
func inPod(t *testing.T, api *providertest.Kube, namespace string) {
	t.Helper()
	rc, err := clientcmd.BuildConfigFromFlags("", api.Kubeconfig(t, t.TempDir(), namespace))
	if err != nil {
		t.Fatal(err)
	}
	ns := filepath.Join(t.TempDir(), "namespace")
	if err := os.WriteFile(ns, []byte(namespace), 0o644); err != nil {
		t.Fatal(err)
	}
	oldConfig, oldNS := inClusterConfig, serviceAccountNamespace
	inClusterConfig = func() (*rest.Config, error) { return rest.CopyConfig(rc), nil }
	serviceAccountNamespace = ns
	t.Cleanup(func() { inClusterConfig, serviceAccountNamespace = oldConfig, oldNS })
}

func TestProviderResolveK8s(t *testing.T) {
	api := providertest.StartKube(t, "tok")
	inPod(t, api, "edge")
	t.Setenv("HOSTNAME", "pod-from-env")
	got, err := resolveK8s(&K8sConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got.namespace != "edge" || got.podName != "pod-from-env" || got.rest.Host != api.URL() || got.rest.BearerToken != "tok" {
		t.Fatalf("%+v, want the service account's namespace and server, and $HOSTNAME", got)
	}
	if got, err = resolveK8s(&K8sConfig{PodName: "p"}); err != nil || got.podName != "p" {
		t.Fatalf("%+v %v, want the configured pod name", got, err)
	}
	t.Setenv("HOSTNAME", "")
	host, _ := os.Hostname()
	if got, err = resolveK8s(&K8sConfig{}); err != nil || got.podName != host {
		t.Fatalf("%+v %v, want the host name %q", got, err, host)
	}
	serviceAccountNamespace = filepath.Join(t.TempDir(), "none")
	if _, err := resolveK8s(&K8sConfig{}); err == nil || !strings.Contains(err.Error(), "automountServiceAccountToken") {
		t.Fatalf("without a namespace file: %v", err)
	}
	inClusterConfig = rest.InClusterConfig
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	if _, err := resolveK8s(&K8sConfig{}); err == nil || !strings.Contains(err.Error(), "provider k8s: no in-cluster Kubernetes config") ||
		!strings.Contains(err.Error(), "every member runs in a pod") {
		t.Fatalf("outside a pod: %v", err)
	}
}

// newK8sProvider finds this node's pod before anything starts, and says
// what to fix when it cannot.
func TestProviderNewK8sChecksThePod(t *testing.T) {
	api := providertest.StartKube(t, "right-token")
	api.AddPod(providertest.PodSpec{Namespace: "edge", Name: "edge-0", IP: "10.0.0.1", Labels: map[string]string{"app": "edge"}})
	api.AddPod(providertest.PodSpec{Namespace: "edge", Name: "pending", IP: "", Labels: map[string]string{"app": "edge"}})
	inPod(t, api, "edge")
	ctx := context.Background()
	try := func(name string) error {
		_, _, ip, err := newK8sProvider(ctx, &K8sConfig{PodName: name})
		if err == nil && ip != "10.0.0.1" {
			t.Fatalf("pod IP %q", ip)
		}
		return err
	}
	if err := try("edge-0"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"edge-9":  {"provider k8s: pod edge/edge-9 not found at " + api.URL(), "set cluster.k8s.pod_name"},
		"pending": {"pod edge/pending has no IP yet"},
	} {
		if err := try(name); err == nil || !containsAll(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
	api.SetToken("another-token")
	if err := try("edge-0"); err == nil || !containsAll(err.Error(), []string{"the API refused the pod's service account token"}) {
		t.Errorf("refused token: %v", err)
	}
	api.SetToken("right-token")
	api.Deny("get")
	if err := try("edge-0"); err == nil || !containsAll(err.Error(), []string{"forbidden", "needs get, list, watch and patch on pods"}) {
		t.Errorf("denied get: %v", err)
	}
	api.Close()
	if err := try("edge-0"); err == nil || !containsAll(err.Error(), []string{"provider k8s: cannot reach the Kubernetes API at " + api.URL(), "KUBERNETES_SERVICE_HOST"}) {
		t.Errorf("API gone: %v", err)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
