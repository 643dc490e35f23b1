// Package router decides where a request goes: which project and instance a
// host names, whether the caller may reach it, and whether a fetch() stays
// inside the platform or goes out to the network. It owns the host grammar
// (<project>.<domain>, <name>.<project>.<domain>) and the mapping from
// instance errors to HTTP statuses. It never runs user code and never
// touches storage.
package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/edge-platform/edge/actors"
	"github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/protos"
)

// Backend delivers a request to a worker pool or a coordinator instance.
// actors.Platform implements it.
type Backend interface {
	Worker(ctx context.Context, project string, req *protos.HttpRequest) (*protos.HttpResponse, error)
	Coordinator(ctx context.Context, project, instance string, req *protos.HttpRequest) (*protos.HttpResponse, error)
	// PutBody and TakeBody move streamed bodies that messages name by id
	// and holding node (body_stream, body_node; node "" is this process).
	// TakeBody fails if the body can no longer be read.
	PutBody(r io.ReadCloser) (id uint64, node string)
	TakeBody(id uint64, node string) (io.ReadCloser, error)
}

var _ Backend = (*actors.Platform)(nil)

// ErrNotFound means no project the caller may reach is at that host. A
// private project and a host that does not exist are indistinguishable.
var ErrNotFound = errors.New("no project at this host")

// ErrBadName means the host names a coordinator duplicate with a name that
// is not a DNS label (or a duplicate of a project that has none); the
// caller may reach the project, so it is told why (400).
var ErrBadName = errors.New("bad instance name")

// Target is what a host names.
type Target struct {
	Project *deploy.Project
	// Instance is the coordinator instance: actors.DefaultInstance for
	// <project>.<domain> (and custom domains), or the duplicate's name for
	// <name>.<project>.<domain>; "" for workers and assistants.
	Instance string
	// badName, when set, is why the name part of the host is refused; it
	// is reported only to callers that may reach the project.
	badName string
}

// Router routes by host.
type Router struct {
	domain   string
	registry *deploy.Registry
	backend  Backend
	log      *slog.Logger
	maxHops  int
	observer Observer
}

// Observer records internal fetches and loops (package metrics).
type Observer interface {
	InternalFetch(caller, target string)
	LoopDetected(project string)
}

type noObserver struct{}

func (noObserver) InternalFetch(string, string) {}
func (noObserver) LoopDetected(string)          {}

// TakeBody claims the streamed body a response names by id and node; it
// fails if the body can no longer be read.
func (r *Router) TakeBody(id uint64, node string) (io.ReadCloser, error) {
	return r.backend.TakeBody(id, node)
}

// New builds a Router over the deployed projects in reg.
func New(cfg *configs.Config, reg *deploy.Registry, backend Backend, log *slog.Logger) *Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hops := cfg.Limits.MaxHops
	if hops <= 0 {
		hops = configs.DefaultMaxHops
	}
	return &Router{domain: cfg.Domain, registry: reg, backend: backend, log: log, maxHops: hops, observer: noObserver{}}
}

// SetObserver records internal fetches with o.
func (r *Router) SetObserver(o Observer) {
	if o != nil {
		r.observer = o
	}
}

// Resolve maps a host (port and trailing dot ignored, any case) to a
// target: <project>.<domain>, <name>.<project>.<domain>, or a project's
// custom domain. It fails with ErrNotFound for hosts no project serves.
// A duplicate name that is not a DNS label resolves, with the reason kept
// for Check, so that only callers who may reach the project learn it.
func (r *Router) Resolve(host string) (Target, error) {
	host = normalizeHost(host)
	rest, ok := strings.CutSuffix(host, "."+r.domain)
	if !ok {
		if p, ok := r.registry.ByDomain(host); ok {
			return r.target(p, ""), nil
		}
		return Target{}, ErrNotFound
	}
	if rest == "" {
		return Target{}, ErrNotFound
	}
	name, project, two := strings.Cut(rest, ".")
	if !two {
		name, project = "", rest
	} else if strings.Contains(project, ".") {
		return Target{}, ErrNotFound
	}
	p, ok := r.registry.Get(project)
	if !ok {
		return Target{}, ErrNotFound
	}
	t := r.target(p, name)
	if name != "" {
		switch {
		case !p.Kind.Single():
			t.badName = fmt.Sprintf("project %s is a %s: only coordinators and greeters have named duplicates (reach it at %s.%s)", p.Name, p.Kind, p.Name, r.domain)
		case !configs.IsLabel(name):
			t.badName = fmt.Sprintf("%q is not a valid coordinator name: names are DNS labels, 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen", name)
		}
	}
	return t, nil
}

func (r *Router) target(p *deploy.Project, name string) Target {
	t := Target{Project: p}
	if p.Kind.Single() {
		t.Instance = actors.DefaultInstance
		if name != "" {
			t.Instance = name
		}
	}
	return t
}

// IsPlatformHost reports whether host is served inside the platform: the
// platform's domain and its subdomains, and every custom domain of a
// deployed project. Such hosts are never looked up in DNS.
func (r *Router) IsPlatformHost(host string) bool {
	host = normalizeHost(host)
	if host == r.domain || strings.HasSuffix(host, "."+r.domain) {
		return true
	}
	_, ok := r.registry.ByDomain(host)
	return ok
}

// check applies the access rules: public kinds answer everyone, private
// ones only code of their own account (account "" is the internet).
func (r *Router) check(t Target, account string) error {
	if !t.Project.Kind.Public() && (account == "" || account != t.Project.Account) {
		return ErrNotFound
	}
	if t.badName != "" {
		return fmt.Errorf("%w: %s", ErrBadName, t.badName)
	}
	return nil
}

// PublicTarget resolves a host for the public ingress: only public kinds
// (workers, greeters) are reachable, so a private project resolves like a
// missing one. The error is ErrNotFound or ErrBadName.
func (r *Router) PublicTarget(host string) (Target, error) {
	t, err := r.Resolve(host)
	if err != nil {
		return Target{}, err
	}
	if err := r.check(t, ""); err != nil {
		return Target{}, err
	}
	return t, nil
}

// Public delivers a request from the internet to t, a target PublicTarget
// returned.
func (r *Router) Public(ctx context.Context, t Target, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	if err := r.check(t, ""); err != nil {
		return nil, err
	}
	req.Caller = &protos.Caller{Public: true}
	return r.deliver(ctx, t, req)
}

// Internal delivers a fetch() from the caller project's code. A private
// project answers only its own account's code. req.Hops counts the
// internal fetches behind this one; past limits.max_hops the answer is
// 508 Loop Detected.
func (r *Router) Internal(ctx context.Context, caller, host string, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	t, err := r.Resolve(host)
	if err != nil {
		return nil, err
	}
	account := ""
	if c, ok := r.registry.Get(caller); ok {
		account = c.Account
	}
	if err := r.check(t, account); err != nil {
		return nil, err
	}
	if int(req.Hops) > r.maxHops {
		r.observer.LoopDetected(caller)
		return &protos.HttpResponse{Status: http.StatusLoopDetected, Headers: []*protos.Header{{Name: "Content-Type", Value: "text/plain; charset=utf-8"}},
			Body: []byte(fmt.Sprintf("Loop Detected: this request is the end of a chain of %d internal fetches (limits.max_hops = %d); a project is probably fetching itself, directly or through others\n", req.Hops, r.maxHops))}, nil
	}
	r.observer.InternalFetch(caller, t.Project.Name)
	req.Caller = &protos.Caller{Project: caller, Account: account}
	return r.deliver(ctx, t, req)
}

func (r *Router) deliver(ctx context.Context, t Target, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	if t.Project.Kind.Single() {
		settings, err := takeSettings(req)
		if err != nil {
			return nil, err
		}
		req.Settings = settings
		return r.backend.Coordinator(ctx, t.Project.Name, t.Instance, req)
	}
	return r.backend.Worker(ctx, t.Project.Name, req)
}

// SettingsHeader carries a coordinator duplicate's creation settings on its
// first request: a JSON object, e.g. {"region": "eu"}. It is stored with
// the duplicate and not passed to the handler.
const SettingsHeader = "Edge-Coordinator-Settings"

// MaxSettingsBytes bounds the settings header.
const MaxSettingsBytes = 4096

// ErrBadSettings means the settings header is not a JSON object.
var ErrBadSettings = errors.New("bad Edge-Coordinator-Settings header")

// takeSettings removes the settings header from req and returns its value,
// checked to be a JSON object.
func takeSettings(req *protos.HttpRequest) (string, error) {
	var value string
	found := false
	kept := req.Headers[:0]
	for _, h := range req.Headers {
		if strings.EqualFold(h.Name, SettingsHeader) {
			value, found = h.Value, true
			continue
		}
		kept = append(kept, h)
	}
	req.Headers = kept
	if !found {
		return "", nil
	}
	if len(value) > MaxSettingsBytes {
		return "", fmt.Errorf("%w: it is %d bytes, over the limit of %d", ErrBadSettings, len(value), MaxSettingsBytes)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(value), &obj); err != nil || obj == nil {
		return "", fmt.Errorf(`%w: it must be a JSON object such as {"region": "eu"}`, ErrBadSettings)
	}
	if _, err := cluster.ParseSettings([]byte(value)); err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadSettings, err)
	}
	return value, nil
}

func normalizeHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// ErrorStatus maps an instance error to the HTTP status and short body a
// client sees; the details are in the logs.
func ErrorStatus(e *protos.InstanceError) (int, string) {
	switch e.GetReason() {
	case protos.InstanceError_TIMEOUT:
		return 504, "Gateway Timeout: " + e.GetMessage()
	case protos.InstanceError_TOO_LARGE:
		return 413, "Payload Too Large: " + e.GetMessage()
	case protos.InstanceError_FENCED:
		return 503, "Service Unavailable: " + e.GetMessage()
	case protos.InstanceError_STORAGE_FAILED, protos.InstanceError_CPU_LIMIT, protos.InstanceError_INSTANCE_RESTARTED, protos.InstanceError_OVERLOADED,
		protos.InstanceError_UNAVAILABLE, protos.InstanceError_MOVED:
		return 503, "Service Unavailable: " + e.GetMessage()
	case protos.InstanceError_BAD_REQUEST:
		return 400, "Bad Request: " + e.GetMessage()
	case protos.InstanceError_GONE:
		return 404, "Not Found: " + e.GetMessage()
	case protos.InstanceError_ACTIVATION_FAILED:
		return 500, "Internal Server Error: " + e.GetMessage()
	default:
		return 500, "Internal Server Error: " + e.GetMessage()
	}
}

// RetryAfter is the Retry-After header for an instance error ("" for
// none): an overloaded coordinator, or one that is moving to another node
// or has none to run on, asks callers to wait a second.
func RetryAfter(e *protos.InstanceError) string {
	switch e.GetReason() {
	case protos.InstanceError_OVERLOADED, protos.InstanceError_UNAVAILABLE, protos.InstanceError_MOVED:
		return "1"
	}
	return ""
}

// NotFoundBody is the body of every 404 for a host no project serves, so a
// private project cannot be told apart from a missing one.
func NotFoundBody(host, domain string) string {
	return fmt.Sprintf("Not Found: no project is served at host %q. Projects are reached at https://<project>.%s/.\n", normalizeHost(host), domain)
}

// Domain is the platform's domain.
func (r *Router) Domain() string { return r.domain }
