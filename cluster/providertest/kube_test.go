package providertest

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// The Kubernetes test server is driven with client-go (what Proto.Actor's
// provider uses) through a kubeconfig, so these tests also check the wire
// format and the kubeconfig Kubeconfig writes.

func kubeClient(t *testing.T, k *Kube) *kubernetes.Clientset {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", k.Kubeconfig(t, t.TempDir(), "edge"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// next returns the watch's next event.
func next(t *testing.T, w watch.Interface) (watch.EventType, *v1.Pod) {
	t.Helper()
	select {
	case e, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("the watch ended")
		}
		pod, ok := e.Object.(*v1.Pod)
		if !ok {
			t.Fatalf("event %s with a %T: %+v", e.Type, e.Object, e.Object)
		}
		return e.Type, pod
	case <-time.After(30 * time.Second):
		t.Fatal("no watch event")
	}
	return "", nil
}

func labelsPatch(labels map[string]string) []byte {
	b, _ := json.Marshal([]any{map[string]any{"op": "replace", "path": "/metadata/labels", "value": labels}})
	return b
}

func TestProviderKubePodsLabelsAndWatch(t *testing.T) {
	k := StartKube(t, "bearer-secret")
	k.AddPod(PodSpec{Namespace: "edge", Name: "edge-0", IP: "10.0.0.1", Labels: map[string]string{"app": "edge", "member": "yes"}})
	k.AddPod(PodSpec{Namespace: "edge", Name: "edge-1", IP: "10.0.0.2", Labels: map[string]string{"app": "edge"}})
	k.AddPod(PodSpec{Namespace: "other", Name: "edge-0", IP: "10.0.0.3", Labels: map[string]string{"app": "edge", "member": "yes"}})
	cs := kubeClient(t, k)
	ctx := testCtx(t)
	pods := cs.CoreV1().Pods("edge")

	pod, err := pods.Get(ctx, "edge-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pod.Status.PodIP != "10.0.0.1" || pod.Status.Phase != v1.PodRunning || len(pod.Status.ContainerStatuses) != 1 ||
		!pod.Status.ContainerStatuses[0].Ready || pod.Namespace != "edge" || pod.UID == "" || pod.ResourceVersion == "" {
		t.Fatalf("pod %+v", pod)
	}

	w, err := pods.Watch(ctx, metav1.ListOptions{LabelSelector: "member=yes"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// The watch starts with the matching pods of its namespace.
	if typ, p := next(t, w); typ != watch.Added || p.Name != "edge-0" {
		t.Fatalf("first event %s %s, want ADDED edge-0", typ, p.Name)
	}
	// edge-1 starts matching: ADDED to this watch.
	patched, err := pods.Patch(ctx, "edge-1", types.JSONPatchType, labelsPatch(map[string]string{"app": "edge", "member": "yes", "port": "8090"}), metav1.PatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if patched.Labels["port"] != "8090" || patched.ResourceVersion == "" {
		t.Fatalf("patched %+v", patched.ObjectMeta)
	}
	if typ, p := next(t, w); typ != watch.Added || p.Name != "edge-1" || p.Labels["port"] != "8090" || p.ResourceVersion != patched.ResourceVersion {
		t.Fatalf("after labelling edge-1: %s %s %v rv %s", typ, p.Name, p.Labels, p.ResourceVersion)
	}
	// The kubelet marks edge-1 not ready: MODIFIED.
	if err := k.SetReady("edge", "edge-1", false); err != nil {
		t.Fatal(err)
	}
	if typ, p := next(t, w); typ != watch.Modified || p.Name != "edge-1" || p.Status.ContainerStatuses[0].Ready {
		t.Fatalf("after edge-1 turned unready: %s %s %+v", typ, p.Name, p.Status.ContainerStatuses)
	}
	// edge-1 stops matching: DELETED from this watch, with its new labels.
	if _, err := pods.Patch(ctx, "edge-1", types.MergePatchType, []byte(`{"metadata":{"labels":{"member":null}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	if typ, p := next(t, w); typ != watch.Deleted || p.Name != "edge-1" || p.Labels["member"] != "" {
		t.Fatalf("after unlabelling edge-1: %s %s %v", typ, p.Name, p.Labels)
	}
	// A pod of another namespace never shows; the deletion of edge-0 does.
	if err := k.DeletePod("other", "edge-0"); err != nil {
		t.Fatal(err)
	}
	if err := k.DeletePod("edge", "edge-0"); err != nil {
		t.Fatal(err)
	}
	if typ, p := next(t, w); typ != watch.Deleted || p.Name != "edge-0" || p.Namespace != "edge" {
		t.Fatalf("after deleting edge-0: %s %s/%s", typ, p.Namespace, p.Name)
	}
	if _, err := pods.Get(ctx, "edge-0", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get of a deleted pod: %v, want NotFound", err)
	}

	list, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: "app=edge,member notin (yes)"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Name != "edge-1" || list.ResourceVersion == "" {
		t.Fatalf("list: %+v", list)
	}
}

func TestProviderKubeWatchFromAResourceVersion(t *testing.T) {
	k := StartKube(t, "")
	k.keep = 3
	k.AddPod(PodSpec{Namespace: "edge", Name: "a", IP: "10.0.0.1", Labels: map[string]string{"m": "1"}})
	cs := kubeClient(t, k)
	ctx := testCtx(t)
	pods := cs.CoreV1().Pods("edge")
	list, err := pods.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k.AddPod(PodSpec{Namespace: "edge", Name: "b", IP: "10.0.0.2", Labels: map[string]string{"m": "1"}})
	// From the list's version: only what came after it.
	w, err := pods.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	if typ, p := next(t, w); typ != watch.Added || p.Name != "b" {
		t.Fatalf("%s %s, want ADDED b", typ, p.Name)
	}
	w.Stop()
	// Older than what is kept: 410 Expired, as an ERROR event.
	for i := 0; i < 3; i++ {
		if err := k.SetReady("edge", "a", i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	w, err = pods.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	e := <-w.ResultChan()
	if e.Type != watch.Error || !apierrors.IsResourceExpired(apierrors.FromObject(e.Object)) {
		t.Fatalf("%s %+v, want ERROR 410 Expired", e.Type, e.Object)
	}
}

func TestProviderKubePatchRules(t *testing.T) {
	k := StartKube(t, "")
	k.AddPod(PodSpec{Namespace: "edge", Name: "a", IP: "10.0.0.1", Labels: map[string]string{"app": "edge"}})
	cs := kubeClient(t, k)
	ctx := testCtx(t)
	pods := cs.CoreV1().Pods("edge")
	before, err := pods.Get(ctx, "a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		typ   types.PatchType
		patch string
		check func(error) bool
	}{
		{"stale resourceVersion", types.MergePatchType, `{"metadata":{"resourceVersion":"1"}}`, apierrors.IsConflict},
		{"rename", types.JSONPatchType, `[{"op":"replace","path":"/metadata/name","value":"b"}]`, apierrors.IsInvalid},
		{"bad label key", types.JSONPatchType, `[{"op":"add","path":"/metadata/labels/bad key","value":"x"}]`, apierrors.IsInvalid},
		{"bad label value", types.MergePatchType, `{"metadata":{"labels":{"x":"not ok!"}}}`, apierrors.IsInvalid},
		{"spec", types.MergePatchType, `{"spec":{"nodeName":"n"}}`, apierrors.IsInvalid},
		{"failed test op", types.JSONPatchType, `[{"op":"test","path":"/metadata/labels/app","value":"other"}]`, apierrors.IsInvalid},
		{"replace of a missing path", types.JSONPatchType, `[{"op":"replace","path":"/metadata/annotations","value":{}}]`, apierrors.IsInvalid},
		{"not a patch", types.JSONPatchType, `{"op":"add"}`, apierrors.IsBadRequest},
		{"strategic merge", types.StrategicMergePatchType, `{"metadata":{"labels":{"x":"y"}}}`, apierrors.IsUnsupportedMediaType},
	} {
		_, err := pods.Patch(ctx, "a", tc.typ, []byte(tc.patch), metav1.PatchOptions{})
		if !tc.check(err) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// A status change through the pod is ignored, and a no-op changes no
	// resourceVersion.
	after, err := pods.Patch(ctx, "a", types.MergePatchType, []byte(`{"status":{"podIP":"10.9.9.9"}}`), metav1.PatchOptions{})
	if err != nil || after.Status.PodIP != "10.0.0.1" || after.ResourceVersion != before.ResourceVersion {
		t.Fatalf("status patch: %v %s rv %s (was %s)", err, after.Status.PodIP, after.ResourceVersion, before.ResourceVersion)
	}
	if _, err := pods.Patch(ctx, "nope", types.MergePatchType, []byte(`{}`), metav1.PatchOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("patch of a missing pod: %v", err)
	}
}

func TestProviderKubeAuthAndRBAC(t *testing.T) {
	k := StartKube(t, "bearer-secret")
	k.AddPod(PodSpec{Namespace: "edge", Name: "a", IP: "10.0.0.1", Labels: map[string]string{"app": "edge"}})
	resp, err := k.Client().Get(k.URL() + "/api/v1/namespaces/edge/pods/a")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), `"reason":"Unauthorized"`) {
		t.Fatalf("without a token: %d %s", resp.StatusCode, body)
	}
	cs := kubeClient(t, k)
	ctx := testCtx(t)
	k.Deny("patch")
	k.Deny("watch")
	if _, err := cs.CoreV1().Pods("edge").Get(ctx, "a", metav1.GetOptions{}); err != nil {
		t.Fatalf("get is allowed: %v", err)
	}
	_, err = cs.CoreV1().Pods("edge").Patch(ctx, "a", types.MergePatchType, []byte(`{}`), metav1.PatchOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `cannot patch resource "pods"`) {
		t.Fatalf("denied patch: %v", err)
	}
	if _, err := cs.CoreV1().Pods("edge").Watch(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("denied watch: %v", err)
	}
	resp, err = k.Client().Get(k.URL() + "/apis/apps/v1/deployments")
	if err == nil {
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("another resource without a token: %v %v", resp, err)
	}
}

// The stream is one JSON object per line, which is what client-go and
// other clients (kubectl --raw, curl) read.
func TestProviderKubeWatchStreamFormat(t *testing.T) {
	k := StartKube(t, "")
	k.AddPod(PodSpec{Namespace: "edge", Name: "a", IP: "10.0.0.1", Labels: map[string]string{"app": "edge"}})
	ctx := testCtx(t)
	req, _ := http.NewRequestWithContext(ctx, "GET", k.URL()+"/api/v1/namespaces/edge/pods?watch=1&labelSelector=app%3Dedge", nil)
	resp, err := k.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() {
		t.Fatal(sc.Err())
	}
	var e struct {
		Type   string `json:"type"`
		Object struct {
			Kind       string `json:"kind"`
			APIVersion string `json:"apiVersion"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		} `json:"object"`
	}
	if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Type != "ADDED" || e.Object.Kind != "Pod" || e.Object.APIVersion != "v1" || e.Object.Metadata.Name != "a" {
		t.Fatalf("line %s: %+v %v", sc.Bytes(), e, err)
	}
	for _, q := range []string{"labelSelector=a%20in%20(b", "watch=maybe", "fieldSelector=status.phase%3DRunning"} {
		resp, err := k.Client().Get(k.URL() + "/api/v1/pods?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", q, resp.StatusCode)
		}
	}
}

// ServiceAccount's files are what client-go's in-cluster config reads:
// the token to send, the CA to trust, and the namespace.
func TestProviderKubeServiceAccount(t *testing.T) {
	k := StartKube(t, "sa-token")
	k.AddPod(PodSpec{Namespace: "edge", Name: "a", IP: "10.0.0.1"})
	dir := t.TempDir()
	k.ServiceAccount(t, dir, "edge")
	host, port := k.HostPort()
	token, _ := os.ReadFile(filepath.Join(dir, "token"))
	ns, _ := os.ReadFile(filepath.Join(dir, "namespace"))
	// As rest.InClusterConfig builds it from the same files.
	cfg := &rest.Config{Host: "https://" + net.JoinHostPort(host, port), BearerToken: string(token),
		TLSClientConfig: rest.TLSClientConfig{CAFile: filepath.Join(dir, "ca.crt")}}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if pod, err := cs.CoreV1().Pods(string(ns)).Get(testCtx(t), "a", metav1.GetOptions{}); err != nil || pod.Status.PodIP != "10.0.0.1" {
		t.Fatalf("%v %v", pod, err)
	}
}
