package providertest

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Kube is the part of a Kubernetes API server that serves pods (core/v1),
// as the API's documentation describes it:
//
//   - GET /api/v1/namespaces/<ns>/pods/<name> reads a pod.
//   - PATCH of the same path applies a JSON Patch (RFC 6902,
//     application/json-patch+json) or a JSON Merge Patch (RFC 7386,
//     application/merge-patch+json) to it. The pod's name, namespace and
//     uid cannot change; a resourceVersion in the patched object must be
//     the current one (else 409 Conflict); labels must be valid label keys
//     and values (else 422 Invalid); status is not changed through the pod
//     (it is a subresource) and spec cannot be; a patch that changes
//     nothing changes no resourceVersion and sends no event.
//   - GET /api/v1/namespaces/<ns>/pods and /api/v1/pods list pods
//     (labelSelector=, equality- and set-based), or with watch=true stream
//     watch events, one JSON object per line: {"type": "ADDED" |
//     "MODIFIED" | "DELETED" | "ERROR", "object": ...}. Without
//     resourceVersion (or with "0") a watch starts with an ADDED event for
//     each matching pod; with one, it replays the changes after it (410
//     Expired if those are no longer kept). A pod whose labels start or stop
//     matching the selector is ADDED or DELETED for that watch.
//     timeoutSeconds= ends the watch.
//
// Every change raises the server's resourceVersion. The test plays the
// kubelet and the controllers with AddPod, SetReady and DeletePod. With
// Token set, requests need "Authorization: Bearer <token>" (else 401); Deny
// refuses a verb (get, list, watch, patch) as RBAC would (403).
//
// Not implemented: other resources and API groups, creating, updating
// (PUT) or deleting pods through the API, strategic merge patch (415),
// server-side apply, fieldSelector, bookmarks, protobuf, and pod status
// changes other than readiness. Unknown paths answer 404.
type Kube struct {
	srv *httptest.Server

	mu sync.Mutex
	// token, when set, is the bearer token every request must carry.
	token   string
	rv      uint64
	uids    int
	pods    map[string]map[string]any // namespace/name -> the pod object
	history []kubeEvent
	denied  map[string]bool
	// keep is how many events are kept for watches with a resourceVersion.
	keep int
	// changed is closed and replaced at each event.
	changed chan struct{}
	closed  chan struct{}
}

type kubeEvent struct {
	typ       string
	rv        uint64
	namespace string
	// obj is the pod after the change (for DELETED, as it was deleted);
	// prev before it (nil for ADDED).
	obj, prev map[string]any
}

// defaultKeep is how many events a watch with a resourceVersion can
// replay.
const defaultKeep = 1000

// StartKube starts a Kubernetes API server on 127.0.0.1 that requires the
// bearer token ("": none); it stops when the test ends.
func StartKube(t testing.TB, token string) *Kube {
	t.Helper()
	k := &Kube{token: token, rv: 1, pods: map[string]map[string]any{}, denied: map[string]bool{}, keep: defaultKeep,
		changed: make(chan struct{}), closed: make(chan struct{})}
	// HTTPS, as every API server: client-go sends credentials only over TLS.
	k.srv = httptest.NewTLSServer(k.handler())
	t.Cleanup(k.Close)
	return k
}

// URL is the API server's URL.
func (k *Kube) URL() string { return k.srv.URL }

// Client is an HTTP client that trusts the server's certificate.
func (k *Kube) Client() *http.Client { return k.srv.Client() }

// Close ends watches and stops the server.
func (k *Kube) Close() {
	k.mu.Lock()
	select {
	case <-k.closed:
		k.mu.Unlock()
		return
	default:
	}
	close(k.closed)
	k.mu.Unlock()
	k.srv.Close()
}

// SetToken changes the bearer token requests need ("": none).
func (k *Kube) SetToken(token string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.token = token
}

// Kubeconfig writes a kubeconfig for this server (its CA certificate, its
// token, and namespace as its context's namespace) into dir and returns its
// path.
func (k *Kube) Kubeconfig(t testing.TB, dir, namespace string) string {
	t.Helper()
	user := "{}"
	k.mu.Lock()
	if k.token != "" {
		user = fmt.Sprintf("{token: %q}", k.token)
	}
	k.mu.Unlock()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.srv.Certificate().Raw})
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster: {server: %q, certificate-authority-data: %q}
users:
  - name: test
    user: %s
contexts:
  - name: test
    context: {cluster: test, user: test, namespace: %q}
current-context: test
`, k.srv.URL, base64.StdEncoding.EncodeToString(ca), user, namespace)
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ServiceAccount writes what Kubernetes mounts into a pod for its service
// account, for this server and namespace: files token, ca.crt and
// namespace in dir. With $KUBERNETES_SERVICE_HOST and
// $KUBERNETES_SERVICE_PORT set to HostPort's, a process that finds them
// at /var/run/secrets/kubernetes.io/serviceaccount gets this server as
// its in-cluster config.
func (k *Kube) ServiceAccount(t testing.TB, dir, namespace string) {
	t.Helper()
	k.mu.Lock()
	token := k.token
	k.mu.Unlock()
	for name, content := range map[string][]byte{
		"token":     []byte(token),
		"ca.crt":    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.srv.Certificate().Raw}),
		"namespace": []byte(namespace),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// HostPort is the server's host and port.
func (k *Kube) HostPort() (host, port string) {
	host, port, _ = net.SplitHostPort(strings.TrimPrefix(k.srv.URL, "https://"))
	return host, port
}

// Deny makes the server refuse verb (get, list, watch or patch) on pods.
func (k *Kube) Deny(verb string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.denied[verb] = true
}

// PodSpec is a pod the test schedules.
type PodSpec struct {
	Namespace, Name, IP string
	Labels              map[string]string
}

// AddPod creates a running pod whose one container ("edge") is ready, as
// the scheduler and the kubelet would.
func (k *Kube) AddPod(p PodSpec) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rv++
	k.uids++
	labels := map[string]any{}
	for key, v := range p.Labels {
		labels[key] = v
	}
	now := time.Now().UTC().Format(time.RFC3339)
	pod := map[string]any{
		"apiVersion": "v1",
		"kind":       "Pod",
		"metadata": map[string]any{
			"name": p.Name, "namespace": p.Namespace, "uid": fmt.Sprintf("00000000-0000-4000-8000-%012d", k.uids),
			"resourceVersion": strconv.FormatUint(k.rv, 10), "creationTimestamp": now, "labels": labels,
		},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "edge", "image": "edge:test"}}},
		"status": map[string]any{
			"phase": "Running", "podIP": p.IP, "podIPs": []any{map[string]any{"ip": p.IP}}, "startTime": now,
			"conditions": []any{map[string]any{"type": "Ready", "status": "True"}},
			"containerStatuses": []any{map[string]any{
				"name": "edge", "ready": true, "started": true, "restartCount": 0, "image": "edge:test", "imageID": "",
				"state": map[string]any{"running": map[string]any{"startedAt": now}},
			}},
		},
	}
	k.pods[p.Namespace+"/"+p.Name] = pod
	k.record(kubeEvent{typ: "ADDED", rv: k.rv, namespace: p.Namespace, obj: pod})
}

// SetReady marks the pod's containers ready or not, as the kubelet does
// when a container's readiness changes or it exits.
func (k *Kube) SetReady(namespace, name string, ready bool) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	cur := k.pods[namespace+"/"+name]
	if cur == nil {
		return fmt.Errorf("no pod %s/%s", namespace, name)
	}
	next := deepCopy(cur).(map[string]any)
	status := next["status"].(map[string]any)
	for _, cs := range status["containerStatuses"].([]any) {
		cs.(map[string]any)["ready"] = ready
	}
	status["conditions"] = []any{map[string]any{"type": "Ready", "status": map[bool]string{true: "True", false: "False"}[ready]}}
	k.rv++
	next["metadata"].(map[string]any)["resourceVersion"] = strconv.FormatUint(k.rv, 10)
	k.pods[namespace+"/"+name] = next
	k.record(kubeEvent{typ: "MODIFIED", rv: k.rv, namespace: namespace, obj: next, prev: cur})
	return nil
}

// DeletePod deletes the pod, as the API does once its containers have
// stopped and its grace period ended.
func (k *Kube) DeletePod(namespace, name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	cur := k.pods[namespace+"/"+name]
	if cur == nil {
		return fmt.Errorf("no pod %s/%s", namespace, name)
	}
	delete(k.pods, namespace+"/"+name)
	k.rv++
	last := deepCopy(cur).(map[string]any)
	last["metadata"].(map[string]any)["resourceVersion"] = strconv.FormatUint(k.rv, 10)
	k.record(kubeEvent{typ: "DELETED", rv: k.rv, namespace: namespace, obj: last, prev: cur})
	return nil
}

// Labels returns the pod's labels.
func (k *Kube) Labels(namespace, name string) (map[string]string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	pod := k.pods[namespace+"/"+name]
	if pod == nil {
		return nil, false
	}
	return labelsOf(pod), true
}

// record appends an event and wakes the watches. Called with k.mu held.
func (k *Kube) record(e kubeEvent) {
	k.history = append(k.history, e)
	if len(k.history) > k.keep {
		k.history = slices.Clone(k.history[len(k.history)-k.keep:])
	}
	close(k.changed)
	k.changed = make(chan struct{})
}

func labelsOf(pod map[string]any) map[string]string {
	out := map[string]string{}
	meta, _ := pod["metadata"].(map[string]any)
	labels, _ := meta["labels"].(map[string]any)
	for key, v := range labels {
		if s, ok := v.(string); ok {
			out[key] = s
		}
	}
	return out
}

func (k *Kube) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/namespaces/{ns}/pods/{name}", k.get)
	mux.HandleFunc("PATCH /api/v1/namespaces/{ns}/pods/{name}", k.patch)
	mux.HandleFunc("GET /api/v1/namespaces/{ns}/pods", func(w http.ResponseWriter, r *http.Request) { k.collection(w, r, r.PathValue("ns")) })
	mux.HandleFunc("GET /api/v1/pods", func(w http.ResponseWriter, r *http.Request) { k.collection(w, r, "") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource", nil)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		token := k.token
		k.mu.Unlock()
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			writeStatus(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", nil)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// allowed answers 403 and returns false if verb is denied.
func (k *Kube) allowed(w http.ResponseWriter, verb, ns, name string) bool {
	k.mu.Lock()
	denied := k.denied[verb]
	k.mu.Unlock()
	if !denied {
		return true
	}
	what := "pods"
	if name != "" {
		what = fmt.Sprintf("pods %q", name)
	}
	where := ""
	if ns != "" {
		where = fmt.Sprintf(" in the namespace %q", ns)
	}
	writeStatus(w, http.StatusForbidden, "Forbidden", fmt.Sprintf(`%s is forbidden: User "system:serviceaccount:%s:edge" cannot %s resource "pods" in API group ""%s`, what, ns, verb, where),
		map[string]any{"name": name, "kind": "pods"})
	return false
}

func (k *Kube) get(w http.ResponseWriter, r *http.Request) {
	ns, name := r.PathValue("ns"), r.PathValue("name")
	if !k.allowed(w, "get", ns, name) {
		return
	}
	k.mu.Lock()
	pod := k.pods[ns+"/"+name]
	var out []byte
	if pod != nil {
		out, _ = json.Marshal(pod)
	}
	k.mu.Unlock()
	if pod == nil {
		writeNotFound(w, name)
		return
	}
	writeJSON(w, http.StatusOK, json.RawMessage(out))
}

func writeNotFound(w http.ResponseWriter, name string) {
	writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("pods %q not found", name), map[string]any{"name": name, "kind": "pods"})
}

func (k *Kube) patch(w http.ResponseWriter, r *http.Request) {
	ns, name := r.PathValue("ns"), r.PathValue("name")
	if !k.allowed(w, "patch", ns, name) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error(), nil)
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	k.mu.Lock()
	defer k.mu.Unlock()
	cur := k.pods[ns+"/"+name]
	if cur == nil {
		writeNotFound(w, name)
		return
	}
	var next any
	switch ct {
	case "application/json-patch+json":
		var ops []any
		if err := json.Unmarshal(body, &ops); err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", "the patch is not a JSON array of operations: "+err.Error(), nil)
			return
		}
		if next, err = jsonPatch(cur, body); err != nil {
			writeStatus(w, http.StatusUnprocessableEntity, "Invalid", err.Error(), nil)
			return
		}
	case "application/merge-patch+json":
		var p any
		if err := json.Unmarshal(body, &p); err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", "the patch is not JSON: "+err.Error(), nil)
			return
		}
		next = mergePatch(deepCopy(cur), p)
	default:
		writeStatus(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType",
			fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json (this test server); got %q", ct), nil)
		return
	}
	obj, msg := validPatched(cur, next)
	if msg != "" {
		code, reason := http.StatusUnprocessableEntity, "Invalid"
		if strings.HasPrefix(msg, "Operation cannot be fulfilled") {
			code, reason = http.StatusConflict, "Conflict"
		}
		writeStatus(w, code, reason, msg, map[string]any{"name": name, "kind": "pods"})
		return
	}
	if reflect.DeepEqual(obj, cur) {
		writeJSON(w, http.StatusOK, cur)
		return
	}
	k.rv++
	obj["metadata"].(map[string]any)["resourceVersion"] = strconv.FormatUint(k.rv, 10)
	k.pods[ns+"/"+name] = obj
	k.record(kubeEvent{typ: "MODIFIED", rv: k.rv, namespace: ns, obj: obj, prev: cur})
	writeJSON(w, http.StatusOK, obj)
}

// validPatched checks a patched pod against the current one and returns it
// with the fields a patch cannot change restored, or a message.
func validPatched(cur map[string]any, next any) (map[string]any, string) {
	obj, ok := next.(map[string]any)
	if !ok {
		return nil, "the patched object is not a JSON object"
	}
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		return nil, "metadata: Required value"
	}
	curMeta := cur["metadata"].(map[string]any)
	name, _ := curMeta["name"].(string)
	for _, f := range []string{"name", "namespace", "uid"} {
		if !reflect.DeepEqual(meta[f], curMeta[f]) {
			return nil, fmt.Sprintf("Pod %q is invalid: metadata.%s: Invalid value: %v: field is immutable", name, f, meta[f])
		}
	}
	if rv, has := meta["resourceVersion"]; has && !reflect.DeepEqual(rv, curMeta["resourceVersion"]) {
		return nil, fmt.Sprintf("Operation cannot be fulfilled on pods %q: the object has been modified; please apply your changes to the latest version and try again", name)
	}
	meta["resourceVersion"] = curMeta["resourceVersion"]
	if labels, has := meta["labels"]; has && labels != nil {
		m, ok := labels.(map[string]any)
		if !ok {
			return nil, fmt.Sprintf("Pod %q is invalid: metadata.labels: Invalid value: not a map of strings", name)
		}
		for key, v := range m {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Sprintf("Pod %q is invalid: metadata.labels: Invalid value: %q: the value is not a string", name, key)
			}
			if err := validLabelKey(key); err != nil {
				return nil, fmt.Sprintf("Pod %q is invalid: metadata.labels: Invalid value: %v", name, err)
			}
			if err := validLabelValue(s); err != nil {
				return nil, fmt.Sprintf("Pod %q is invalid: metadata.labels: Invalid value: %v", name, err)
			}
		}
	}
	if !reflect.DeepEqual(obj["spec"], cur["spec"]) {
		return nil, fmt.Sprintf("Pod %q is invalid: spec: Forbidden: pod updates may not change fields other than the few that can be updated (not by this test server)", name)
	}
	obj["status"] = deepCopy(cur["status"])
	obj["kind"], obj["apiVersion"] = "Pod", "v1"
	return obj, ""
}

// collection lists or watches the pods of namespace ns ("": all).
func (k *Kube) collection(w http.ResponseWriter, r *http.Request, ns string) {
	q := r.URL.Query()
	watch := false
	if v := q.Get("watch"); v != "" {
		var err error
		if watch, err = strconv.ParseBool(v); err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("watch=%q is not a boolean", v), nil)
			return
		}
	}
	verb := map[bool]string{false: "list", true: "watch"}[watch]
	if !k.allowed(w, verb, ns, "") {
		return
	}
	if q.Get("fieldSelector") != "" {
		writeStatus(w, http.StatusBadRequest, "BadRequest", "fieldSelector is not implemented by this test server", nil)
		return
	}
	sel, err := parseSelector(q.Get("labelSelector"))
	if err != nil {
		writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error(), nil)
		return
	}
	if watch {
		k.watch(w, r, ns, sel)
		return
	}
	k.mu.Lock()
	items := []any{}
	for _, pod := range k.sortedPods(ns) {
		if sel.matches(labelsOf(pod)) {
			item := deepCopy(pod).(map[string]any)
			delete(item, "kind")
			delete(item, "apiVersion")
			items = append(items, item)
		}
	}
	rv := k.rv
	k.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"kind": "PodList", "apiVersion": "v1",
		"metadata": map[string]any{"resourceVersion": strconv.FormatUint(rv, 10)}, "items": items})
}

// sortedPods lists the pods of ns ("": all) by namespace and name. Called
// with k.mu held.
func (k *Kube) sortedPods(ns string) []map[string]any {
	var keys []string
	for key := range k.pods {
		if ns == "" || strings.HasPrefix(key, ns+"/") {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	out := make([]map[string]any, len(keys))
	for i, key := range keys {
		out[i] = k.pods[key]
	}
	return out
}

// watchEvent is one line of a watch stream.
type watchEvent struct {
	Type   string `json:"type"`
	Object any    `json:"object"`
}

func (k *Kube) watch(w http.ResponseWriter, r *http.Request, ns string, sel selector) {
	q := r.URL.Query()
	var timeout <-chan time.Time
	if s := q.Get("timeoutSeconds"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			writeStatus(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("timeoutSeconds=%q is not a number of seconds", s), nil)
			return
		}
		t := time.NewTimer(time.Duration(n) * time.Second)
		defer t.Stop()
		timeout = t.C
	}
	k.mu.Lock()
	var initial []watchEvent
	var last uint64
	expired := ""
	switch rv := q.Get("resourceVersion"); rv {
	case "", "0":
		for _, pod := range k.sortedPods(ns) {
			if sel.matches(labelsOf(pod)) {
				initial = append(initial, watchEvent{"ADDED", deepCopy(pod)})
			}
		}
		last = k.rv
	default:
		n, err := strconv.ParseUint(rv, 10, 64)
		if err != nil {
			k.mu.Unlock()
			writeStatus(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("resourceVersion=%q is not a resource version", rv), nil)
			return
		}
		if len(k.history) > 0 && n+1 < k.history[0].rv {
			expired = fmt.Sprintf("too old resource version: %d (%d)", n, k.history[0].rv-1)
		}
		last = n
	}
	k.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	enc := json.NewEncoder(w)
	if expired != "" {
		_ = enc.Encode(watchEvent{"ERROR", statusObject(http.StatusGone, "Expired", expired, nil)})
		return
	}
	for _, e := range initial {
		if enc.Encode(e) != nil {
			return
		}
	}
	flush()
	for {
		k.mu.Lock()
		var pending []kubeEvent
		for _, e := range k.history {
			if e.rv > last {
				pending = append(pending, e)
			}
		}
		changed := k.changed
		k.mu.Unlock()
		for _, e := range pending {
			last = e.rv
			if ns != "" && e.namespace != ns {
				continue
			}
			if out, ok := seenAs(e, sel); ok {
				if enc.Encode(out) != nil {
					return
				}
			}
		}
		flush()
		select {
		case <-changed:
		case <-timeout:
			return
		case <-r.Context().Done():
			return
		case <-k.closed:
			return
		}
	}
}

// seenAs is how a watch with selector sel sees event e: a pod that starts
// matching is ADDED to it, one that stops matching is DELETED from it.
func seenAs(e kubeEvent, sel selector) (watchEvent, bool) {
	now := e.typ != "DELETED" && sel.matches(labelsOf(e.obj))
	before := e.prev != nil && sel.matches(labelsOf(e.prev))
	switch {
	case now && before:
		return watchEvent{"MODIFIED", e.obj}, true
	case now:
		return watchEvent{"ADDED", e.obj}, true
	case before:
		return watchEvent{"DELETED", e.obj}, true
	}
	return watchEvent{}, false
}

func statusObject(code int, reason, message string, details map[string]any) map[string]any {
	s := map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{}, "status": "Failure",
		"message": message, "reason": reason, "code": code}
	if details != nil {
		s["details"] = details
	}
	return s
}

func writeStatus(w http.ResponseWriter, code int, reason, message string, details map[string]any) {
	writeJSON(w, code, statusObject(code, reason, message, details))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
