package admin

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/persistence"
)

// MaxDeployBytes bounds a deployment upload (the bundle is most of it).
const MaxDeployBytes = 64 << 20

// Directory is the coordinator directory and the stores (package
// persistence).
type Directory interface {
	kv.Store
	Coordinators(ctx context.Context, project string) ([]persistence.CoordinatorRecord, error)
	Coordinator(ctx context.Context, project, instance string) (persistence.CoordinatorRecord, error)
	DeleteCoordinator(ctx context.Context, project, instance string) error
}

// Runtime is what runs on this node (actors.Platform).
type Runtime interface {
	ActiveCoordinators(project string) []ActiveCoordinator
	StopCoordinator(project, instance string)
}

// ActiveCoordinator is a coordinator activation running on this node.
type ActiveCoordinator struct {
	Instance     string
	Node         string // "" means this node
	Epoch        int64
	LastActivity time.Time
}

// Logs is recent console output per project (package logbook).
type Logs interface {
	Tail(project string, n int) []LogLine
	Follow(ctx context.Context, project string, tail int) <-chan LogLine
}

// Server is the admin API.
type Server struct {
	Deploy    *deploy.Service
	Registry  *deploy.Registry
	Directory Directory
	Runtime   Runtime
	Logs      Logs
	// Metrics serves /metrics (nil: 404).
	Metrics http.Handler
	// Tokens maps bearer tokens to account names.
	Tokens map[string]string
	Domain string
	// NodeID names this node in coordinator listings.
	NodeID string
	Log    *slog.Logger
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathHealth, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	if s.Metrics != nil {
		mux.Handle("GET "+PathMetrics, s.Metrics)
	}
	mux.HandleFunc("POST "+PathDeployments, s.auth(s.deploy))
	mux.HandleFunc("GET "+PathProjects, s.auth(s.projects))
	mux.HandleFunc("GET "+PathProject, s.auth(s.project))
	mux.HandleFunc("DELETE "+PathProject, s.auth(s.deleteProject))
	mux.HandleFunc("GET "+PathVersions, s.auth(s.versions))
	mux.HandleFunc("POST "+PathRollback, s.auth(s.rollback))
	mux.HandleFunc("GET "+PathCoordinators, s.auth(s.coordinators))
	mux.HandleFunc("DELETE "+PathCoordinator, s.auth(s.deleteCoordinator))
	mux.HandleFunc("GET "+PathKV, s.auth(s.kvList))
	mux.HandleFunc("GET "+PathKVGet, s.auth(s.kvGet))
	mux.HandleFunc("GET "+PathLogs, s.auth(s.logs))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no admin API endpoint %s %s (see docs/ADMIN-API.md)", r.Method, r.URL.Path))
	})
	return mux
}

type handler func(w http.ResponseWriter, r *http.Request, account string)

// auth finds the account of the request's bearer token.
func (s *Server) auth(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeError(w, http.StatusUnauthorized, "missing bearer token: send Authorization: Bearer <token> with one of your account's tokens (accounts[].tokens in the server config)")
			return
		}
		account := ""
		for t, a := range s.Tokens {
			if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
				account = a
			}
		}
		if account == "" {
			writeError(w, http.StatusUnauthorized, "unknown token: use one of your account's tokens (accounts[].tokens in the server config)")
			return
		}
		h(w, r, account)
	}
}

func (s *Server) deploy(w http.ResponseWriter, r *http.Request, account string) {
	var req DeployRequest
	body := http.MaxBytesReader(w, r.Body, MaxDeployBytes)
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the deployment is over %d MiB; make the bundle smaller", MaxDeployBytes>>20))
			return
		}
		writeError(w, http.StatusBadRequest, "the body is not a deployment (JSON DeployRequest): "+err.Error())
		return
	}
	p, err := s.Deploy.Deploy(r.Context(), account, deploy.Request{Project: req.Project, Kind: req.Kind, Entry: req.Entry,
		Source: req.Source, Env: req.Env, Domains: req.Domains, Message: req.Message, RequireStart: true})
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, DeployResponse{Project: p.Name, Version: p.Version, Kind: string(p.Kind), URL: s.url(p.Name),
		Public: p.Kind.Public(), Domains: p.Domains, Unacknowledged: p.Unacknowledged})
}

func (s *Server) url(project string) string { return "https://" + project + "." + s.Domain + "/" }

func (s *Server) info(p *deploy.Project) Project {
	return Project{Name: p.Name, Account: p.Account, Kind: string(p.Kind), Version: p.Version, URL: s.url(p.Name),
		Public: p.Kind.Public(), Domains: p.Domains, UpdatedAt: p.UpdatedAt}
}

func (s *Server) projects(w http.ResponseWriter, _ *http.Request, account string) {
	out := []Project{}
	for _, p := range s.Registry.All() {
		if p.Account == account {
			out = append(out, s.info(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// owned is the caller's project named in the path, or a 404.
func (s *Server) owned(w http.ResponseWriter, r *http.Request, account string) (*deploy.Project, bool) {
	name := r.PathValue("project")
	p, ok := s.Registry.Get(name)
	if !ok || p.Account != account {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no project %q in your account (see edge projects ls)", name))
		return nil, false
	}
	return p, true
}

func (s *Server) project(w http.ResponseWriter, r *http.Request, account string) {
	if p, ok := s.owned(w, r, account); ok {
		writeJSON(w, http.StatusOK, s.info(p))
	}
}

func (s *Server) deleteProject(w http.ResponseWriter, r *http.Request, account string) {
	name := r.PathValue("project")
	res, err := s.Deploy.Delete(r.Context(), account, name)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, Deleted{Deleted: "project " + name, Unacknowledged: res.Unacknowledged})
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request, account string) {
	ds, cur, err := s.Deploy.Versions(r.Context(), account, r.PathValue("project"))
	if err != nil {
		s.fail(w, err)
		return
	}
	out := make([]Version, 0, len(ds))
	for _, d := range ds {
		out = append(out, Version{Version: d.Version, Kind: d.Kind, Entry: d.Entry, Message: d.Message, CreatedAt: d.CreatedAt,
			Current: d.Version == cur.Version, Bytes: d.Size})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) rollback(w http.ResponseWriter, r *http.Request, account string) {
	var req RollbackRequest
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, `the body must be {"version": N} (0 or none: the previous version): `+err.Error())
			return
		}
	}
	if req.Version < 0 {
		writeError(w, http.StatusBadRequest, "version must be a positive number (or 0 for the previous version)")
		return
	}
	res, err := s.Deploy.Rollback(r.Context(), account, r.PathValue("project"), req.Version)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, RollbackResponse{Project: s.info(res.Project), Unacknowledged: res.Unacknowledged})
}

func (s *Server) coordinators(w http.ResponseWriter, r *http.Request, account string) {
	p, ok := s.owned(w, r, account)
	if !ok {
		return
	}
	if !p.Kind.Single() {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("project %s is a %s: only coordinators and greeters have coordinator instances", p.Name, p.Kind))
		return
	}
	recs, err := s.Directory.Coordinators(r.Context(), p.Name)
	if err != nil {
		s.fail(w, err)
		return
	}
	active := map[string]ActiveCoordinator{}
	for _, a := range s.Runtime.ActiveCoordinators(p.Name) {
		if cur, ok := active[a.Instance]; !ok || a.Epoch > cur.Epoch {
			active[a.Instance] = a
		}
	}
	out := make([]Coordinator, 0, len(recs))
	for _, rec := range recs {
		c := Coordinator{Name: rec.Instance, State: "idle", Node: rec.Owner, Region: rec.Region, Epoch: rec.Epoch, CreatedAt: rec.CreatedAt,
			LastActivity: rec.LastActive, StoredBytes: rec.StoredBytes}
		if len(rec.Settings) > 0 {
			c.Settings = json.RawMessage(rec.Settings)
		}
		// A node reports an activation it still holds; only the one on
		// the node the directory names is current (another is superseded:
		// its node was paused or cut off, and it will be discarded).
		if a, ok := active[rec.Instance]; ok && (a.Node == "" || a.Node == rec.Owner) {
			c.State, c.Node, c.Epoch = "active", cmp.Or(a.Node, s.NodeID), a.Epoch
			if a.LastActivity.After(c.LastActivity) {
				c.LastActivity = a.LastActivity
			}
		}
		out = append(out, c)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteCoordinator(w http.ResponseWriter, r *http.Request, account string) {
	p, ok := s.owned(w, r, account)
	if !ok {
		return
	}
	name := r.PathValue("name")
	if !p.Kind.Single() {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("project %s is a %s: it has no coordinator instances", p.Name, p.Kind))
		return
	}
	s.Runtime.StopCoordinator(p.Name, name)
	if err := s.Directory.DeleteCoordinator(r.Context(), p.Name, name); err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, Deleted{Deleted: fmt.Sprintf("coordinator %s of %s", name, p.Name)})
}

// scope is the store a kv request names: ?instance= (default: the default
// coordinator, or a worker's shared store).
func (s *Server) scope(w http.ResponseWriter, r *http.Request, account string) (kv.Scope, bool) {
	p, ok := s.owned(w, r, account)
	if !ok {
		return kv.Scope{}, false
	}
	instance := r.URL.Query().Get("instance")
	if !p.Kind.Single() {
		if instance != "" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("project %s is a %s: it has one shared store and no instances; leave the instance out", p.Name, p.Kind))
			return kv.Scope{}, false
		}
		return kv.Scope{Project: p.Name}, true
	}
	if instance == "" {
		instance = "_default"
	}
	if _, err := s.Directory.Coordinator(r.Context(), p.Name, instance); err != nil {
		s.fail(w, err)
		return kv.Scope{}, false
	}
	return kv.Scope{Project: p.Name, Instance: instance}, true
}

func (s *Server) kvList(w http.ResponseWriter, r *http.Request, account string) {
	sc, ok := s.scope(w, r, account)
	if !ok {
		return
	}
	q := r.URL.Query()
	prefix, err := KeyFromJSON([]byte(q.Get("prefix")))
	if err != nil {
		writeError(w, http.StatusBadRequest, "prefix: "+err.Error())
		return
	}
	pb, err := kv.EncodeKey(prefix)
	if err != nil {
		writeError(w, http.StatusBadRequest, "prefix: "+err.Error())
		return
	}
	limit := 100
	if l := q.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be a number from 1 to 1000")
			return
		}
	}
	start, end := kv.PrefixBounds(pb)
	if c := q.Get("cursor"); c != "" {
		after, err := decodeCursor(c)
		if err != nil || !strings.HasPrefix(string(after), string(pb)) {
			writeError(w, http.StatusBadRequest, "cursor is not one this listing returned; start again without it")
			return
		}
		start = append(after, 0)
	}
	entries, err := s.Directory.List(r.Context(), sc, kv.Range{Start: start, End: end, Limit: limit + 1})
	if err != nil {
		s.fail(w, err)
		return
	}
	out := KVList{Entries: []KVEntry{}}
	for i, e := range entries {
		if i == limit {
			out.Cursor = encodeCursor(entries[i-1].Key)
			break
		}
		ke, err := entryJSON(e)
		if err != nil {
			s.fail(w, err)
			return
		}
		out.Entries = append(out.Entries, ke)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) kvGet(w http.ResponseWriter, r *http.Request, account string) {
	sc, ok := s.scope(w, r, account)
	if !ok {
		return
	}
	raw := r.URL.Query().Get("key")
	key, err := KeyFromJSON([]byte(raw))
	if err != nil || len(key) == 0 {
		writeError(w, http.StatusBadRequest, `key: give a key, a JSON array of parts such as ["users", 1]`)
		return
	}
	kb, err := kv.EncodeKey(key)
	if err != nil {
		writeError(w, http.StatusBadRequest, "key: "+err.Error())
		return
	}
	got, err := s.Directory.Get(r.Context(), sc, [][]byte{kb})
	if err != nil {
		s.fail(w, err)
		return
	}
	if got[0] == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no entry at key %s", raw))
		return
	}
	e, err := entryJSON(*got[0])
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func entryJSON(e kv.Entry) (KVEntry, error) {
	k, err := kv.DecodeKey(e.Key)
	if err != nil {
		return KVEntry{}, fmt.Errorf("decoding a stored key: %w", err)
	}
	kj, err := KeyToJSON(k)
	if err != nil {
		return KVEntry{}, err
	}
	out := KVEntry{Key: kj, Value: ValueToJSON(e.Value), Versionstamp: e.Versionstamp.String()}
	if !e.ExpireAt.IsZero() {
		t := e.ExpireAt.UTC()
		out.ExpiresAt = &t
	}
	return out, nil
}

func (s *Server) logs(w http.ResponseWriter, r *http.Request, account string) {
	p, ok := s.owned(w, r, account)
	if !ok {
		return
	}
	q := r.URL.Query()
	tail := 100
	if t := q.Get("tail"); t != "" {
		var err error
		if tail, err = strconv.Atoi(t); err != nil || tail < 0 {
			writeError(w, http.StatusBadRequest, "tail must be a number of lines (0 or more)")
			return
		}
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	if q.Get("follow") == "" || q.Get("follow") == "0" || q.Get("follow") == "false" {
		for _, l := range s.Logs.Tail(p.Name, tail) {
			_ = enc.Encode(l)
		}
		return
	}
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()
	for l := range s.Logs.Follow(r.Context(), p.Name, tail) {
		if err := enc.Encode(l); err != nil {
			return
		}
		_ = rc.Flush()
	}
}

// fail maps a service error to a status.
func (s *Server) fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, deploy.ErrNotFound), errors.Is(err, persistence.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, deploy.ErrInvalid), errors.Is(err, deploy.ErrStartFailed):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, deploy.ErrConflict):
		writeError(w, http.StatusConflict, err.Error())
	default:
		s.Log.Error("admin request failed", slog.Any("err", err))
		writeError(w, http.StatusInternalServerError, "internal error: "+err.Error())
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, Error{Error: msg})
}
