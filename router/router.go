// Package router decides where a request goes: which project and instance a
// host names, whether the caller may reach it, and whether a fetch() stays
// inside the platform or goes out to the network. It owns the host grammar
// (<project>.<domain>, <name>.<project>.<domain>) and the mapping from
// instance errors to HTTP statuses. It never runs user code and never
// touches storage.
package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/edge-platform/edge/actors"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/protos"
)

// Backend delivers a request to a worker pool or a coordinator instance.
// actors.Platform implements it.
type Backend interface {
	Worker(ctx context.Context, project string, req *protos.HttpRequest) (*protos.HttpResponse, error)
	Coordinator(ctx context.Context, project, instance string, req *protos.HttpRequest) (*protos.HttpResponse, error)
	// PutBody and TakeBody move streamed bodies that messages name by id.
	PutBody(r io.ReadCloser) uint64
	TakeBody(id uint64) io.ReadCloser
}

var _ Backend = (*actors.Platform)(nil)

// ErrNotFound means no project the caller may reach is at that host. A
// private project and a host that does not exist are indistinguishable.
var ErrNotFound = errors.New("no project at this host")

// Target is what a host names.
type Target struct {
	Project string
	Kind    configs.Kind
	// Instance is the coordinator instance: actors.DefaultInstance for
	// <project>.<domain>, or the duplicate's name for <name>.<project>.<domain>.
	Instance string
}

// Router routes by host.
type Router struct {
	domain   string
	projects map[string]configs.Project
	backend  Backend
	log      *slog.Logger
}

// New builds a Router for cfg's projects.
// TakeBody claims the streamed body a response names (nil if it is gone).
func (r *Router) TakeBody(id uint64) io.ReadCloser { return r.backend.TakeBody(id) }

func New(cfg *configs.Config, backend Backend, log *slog.Logger) *Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Router{domain: cfg.Domain, projects: map[string]configs.Project{}, backend: backend, log: log}
	for _, p := range cfg.Projects {
		r.projects[p.Name] = p
	}
	return r
}

// Resolve maps a host (port and trailing dot ignored, any case) to a
// target. It reports false for hosts outside the domain, unknown projects,
// and names that the project's kind does not have (workers have no
// duplicates).
func (r *Router) Resolve(host string) (Target, bool) {
	host = normalizeHost(host)
	rest, ok := strings.CutSuffix(host, "."+r.domain)
	if !ok || rest == "" {
		return Target{}, false
	}
	labels := strings.Split(rest, ".")
	var name, project string
	switch len(labels) {
	case 1:
		project = labels[0]
	case 2:
		name, project = labels[0], labels[1]
	default:
		return Target{}, false
	}
	p, ok := r.projects[project]
	if !ok {
		return Target{}, false
	}
	t := Target{Project: project, Kind: p.Kind}
	switch p.Kind {
	case configs.KindCoordinator:
		t.Instance = actors.DefaultInstance
		if name != "" {
			if !configs.IsLabel(name) {
				return Target{}, false
			}
			t.Instance = name
		}
	default:
		if name != "" {
			return Target{}, false
		}
	}
	return t, true
}

// IsPlatformHost reports whether host is under the platform's domain: such
// hosts are always served inside the platform, never looked up in DNS.
func (r *Router) IsPlatformHost(host string) bool {
	host = normalizeHost(host)
	return host == r.domain || strings.HasSuffix(host, "."+r.domain)
}

// PublicTarget resolves a host for the public ingress: only public kinds
// (workers) are reachable, so a private project resolves like a missing one.
func (r *Router) PublicTarget(host string) (Target, bool) {
	t, ok := r.Resolve(host)
	if !ok || t.Kind != configs.KindWorker {
		return Target{}, false
	}
	return t, true
}

// Public delivers a request from the internet to t, a target PublicTarget
// returned; any other target is ErrNotFound.
func (r *Router) Public(ctx context.Context, t Target, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	if t.Kind != configs.KindWorker {
		return nil, ErrNotFound
	}
	req.Caller = &protos.Caller{Public: true}
	return r.deliver(ctx, t, req)
}

// Internal delivers a fetch() from the caller project's code. Every project
// in the config belongs to one account, so every project is reachable.
func (r *Router) Internal(ctx context.Context, caller, host string, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	t, ok := r.Resolve(host)
	if !ok {
		return nil, ErrNotFound
	}
	req.Caller = &protos.Caller{Project: caller}
	return r.deliver(ctx, t, req)
}

func (r *Router) deliver(ctx context.Context, t Target, req *protos.HttpRequest) (*protos.HttpResponse, error) {
	switch t.Kind {
	case configs.KindCoordinator:
		return r.backend.Coordinator(ctx, t.Project, t.Instance, req)
	default:
		return r.backend.Worker(ctx, t.Project, req)
	}
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
	case protos.InstanceError_STORAGE_FAILED, protos.InstanceError_CPU_LIMIT, protos.InstanceError_INSTANCE_RESTARTED:
		return 503, "Service Unavailable: " + e.GetMessage()
	case protos.InstanceError_ACTIVATION_FAILED:
		return 500, "Internal Server Error: " + e.GetMessage()
	default:
		return 500, "Internal Server Error: " + e.GetMessage()
	}
}

// NotFoundBody is the body of every 404 for a host no project serves, so a
// private project cannot be told apart from a missing one.
func NotFoundBody(host, domain string) string {
	return fmt.Sprintf("Not Found: no project is served at host %q. Projects are reached at https://<project>.%s/.\n", normalizeHost(host), domain)
}

// Domain is the platform's domain.
func (r *Router) Domain() string { return r.domain }
