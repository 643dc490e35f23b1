package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/edge-platform/edge/actors"
	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/cluster/placement"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/frontend"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/logbook"
	"github.com/edge-platform/edge/metrics"
	"github.com/edge-platform/edge/router"
)

// serverFlags are the flags of edge serve and edge dev.
type serverFlags struct {
	config, listen, adminListen, data, logLevel string
}

func parseServerFlags(name string, args []string, stderr io.Writer) (*serverFlags, *slog.Logger, int) {
	fs := flag.NewFlagSet("edge "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &serverFlags{}
	fs.StringVar(&f.config, "config", "edge.yaml", "path of the config file")
	fs.StringVar(&f.listen, "listen", "", "public HTTP address (default from the config, else "+configs.DefaultListen+")")
	fs.StringVar(&f.adminListen, "admin-listen", "", "admin API address (default admin.listen from the config; empty: no admin API)")
	fs.StringVar(&f.data, "data", "", "data directory (default from the config, else ./"+configs.DefaultData+")")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return nil, nil, exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "edge %s: unexpected argument %q (flags only; see edge help)\n", name, fs.Arg(0))
		return nil, nil, exitUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		fmt.Fprintf(stderr, "edge %s: --log-level %q: use debug, info, warn or error\n", name, f.logLevel)
		return nil, nil, exitUsage
	}
	return f, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})), exitOK
}

// loadServerConfig reads the config and applies the flags.
func loadServerConfig(f *serverFlags) (*configs.Config, error) {
	cfg, err := configs.Load(f.config)
	if err != nil {
		return nil, err
	}
	if err := cfg.ClusterProviderSupported(); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	if f.listen != "" {
		cfg.Listen = f.listen
	}
	if f.adminListen != "" {
		cfg.Admin.Listen = f.adminListen
	}
	if f.data != "" {
		cfg.Data = f.data
	}
	return cfg, nil
}

// server is one running edge node: public ingress, platform, admin API.
type server struct {
	cfg      *configs.Config
	log      *slog.Logger
	store    store
	registry *deploy.Registry
	plat     *actors.Platform
	router   *router.Router
	node     *cluster.Node
	deploy   *deploy.Service

	public, admin         *http.Server
	publicLn, adminLn     net.Listener
	serveErr              chan error
	closeStore, closeNode func()
}

// startServer opens the store, starts the platform, loads every deployed
// project and then deploys the config's projects (bundling them here), and
// starts serving. Errors name what to fix.
func startServer(ctx context.Context, cfg *configs.Config, log *slog.Logger) (_ *server, err error) {
	book := logbook.New(0)
	log = slog.New(logbook.Handler(log.Handler(), book))
	m := metrics.New()
	s := &server{cfg: cfg, log: log, registry: deploy.NewRegistry(), serveErr: make(chan error, 2)}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	programs, err := bundleAll(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if s.publicLn, err = net.Listen("tcp", cfg.Listen); err != nil {
		return nil, fmt.Errorf("listening on %s: %w (is another edge running? pick another address with --listen)", cfg.Listen, err)
	}
	if cfg.Admin.Listen != "" {
		if s.adminLn, err = net.Listen("tcp", cfg.Admin.Listen); err != nil {
			return nil, fmt.Errorf("admin API: listening on %s: %w (pick another address with --admin-listen or admin.listen)", cfg.Admin.Listen, err)
		}
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	s.store = st
	s.closeStore = func() { _ = st.Close() }
	st.SetCommitObserver(m)

	cpuTime, _ := cfg.CPUTime() // validated by Load
	allow, err := cfg.OutboundAllowlist()
	if err != nil { // validated by Load
		return nil, err
	}
	if allow.AllowPrivate {
		log.Warn("outbound.allow_private is on: fetch() may reach loopback, private networks and the cloud metadata service; use it for development only")
	}
	outbound := router.NewOutbound(cfg.Limits.MaxBodyBytes, allow)
	var rt *router.Router
	s.plat, err = actors.NewPlatform(actors.Options{
		Config:     cfg,
		Registry:   s.registry,
		Store:      st,
		NodeID:     cfg.Cluster.NodeID,
		Logger:     log,
		FetcherFor: func(project string) jsvm.Fetcher { return rt.FetcherFor(project, outbound) },
		Limits:     jsvm.Limits{MaxBodyBytes: cfg.Limits.MaxBodyBytes, CPUTime: cpuTime},
		Observer:   m,
	})
	if err != nil {
		return nil, err
	}
	m.CoordinatorStates(s.plat.CoordinatorStates)
	rt = router.New(cfg, s.registry, s.plat, log)
	rt.SetObserver(m)
	s.router = rt
	pgURL, _ := cfg.PostgresURL()
	sharedStore := pgURL != ""
	lease, err := cfg.ClusterLease() // validated by Load
	if err != nil {
		return nil, fmt.Errorf("cluster.lease: %w", err)
	}
	members, err := cluster.NewMembers(st, cluster.MembersConfig{
		Self: placement.Member{ID: cfg.Cluster.NodeID, Region: cfg.Cluster.Region},
		// On Postgres other nodes may share the directory (with or without
		// peers), so this node must stop serving when its lease lapses; the
		// embedded SQLite store has one node.
		Lease: lease, Guard: sharedStore, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	providerTimeout, err := cfg.ClusterProviderTimeout() // validated by Load
	if err != nil {
		return nil, fmt.Errorf("cluster.provider_timeout: %w", err)
	}
	consul, err := consulConfig(cfg)
	if err != nil {
		return nil, err
	}
	node, err := cluster.Start(ctx, cluster.Config{Name: cfg.Cluster.Name, Bind: cfg.Cluster.Bind, Advertise: cfg.Cluster.Advertise,
		Peers: cfg.Cluster.Peers, AutomanagedPort: cfg.Cluster.AutomanagedPort, EtcdEndpoints: etcdEndpoints(cfg),
		Consul: consul, K8s: k8sConfig(cfg), ProviderTimeout: providerTimeout, Kinds: s.plat.Kinds(),
		Members: members, Directory: cluster.NewDirectory(st, members, log), Logger: log})
	if err != nil {
		return nil, err
	}
	s.node = node
	s.closeNode = node.Stop
	s.plat.Start(ctx, node)
	s.plat.SetLogs(book.Answer)
	var logs admin.Logs = book
	if sharedStore {
		// Other nodes may run this project's code: logs come from all.
		logs = &logbook.Cluster{Local: book, Node: cfg.Cluster.NodeID, Members: node}
	}
	// Peers: a deploy, rollback or delete through this node returns once
	// every live member serves it (RefreshEvery is the fallback).
	s.deploy = &deploy.Service{Store: st, Registry: s.registry, Runtime: s.plat, Peers: s.plat, Domain: cfg.Domain, Log: log,
		OnDeployed: []func(string){m.Deployed}, OnDeleted: []func(string){m.Forget, book.Forget}}
	s.plat.SetRefresher(s.deploy.Refresh)
	if err := s.deploy.Load(ctx); err != nil {
		return nil, err
	}
	if err := s.deployConfig(ctx, programs); err != nil {
		return nil, err
	}
	if url, _ := cfg.PostgresURL(); url != "" {
		// Nodes sharing the database see each other's deployments even if
		// they missed being told (deploy.Service.Peers).
		go s.deploy.RefreshEvery(ctx, deploy.RefreshInterval)
	}

	timeout, _ := cfg.RequestTimeout() // validated by Load
	s.public = &http.Server{
		Handler:           &frontend.Handler{Router: rt, MaxBodyBytes: cfg.Limits.MaxBodyBytes, Timeout: timeout, Log: log, Observer: m},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() { s.serveErr <- s.public.Serve(s.publicLn) }()
	log.Info("listening", slog.String("addr", s.publicLn.Addr().String()), slog.String("domain", cfg.Domain),
		slog.String("data", cfg.Data), slog.Int("projects", len(s.registry.All())))
	if s.adminLn != nil {
		if len(cfg.Accounts) == 0 {
			log.Warn("admin API is on but no accounts are configured: every request to it will be refused (add accounts with tokens)")
		}
		api := &admin.Server{Deploy: s.deploy, Registry: s.registry, Directory: st, Runtime: runtimeAdapter{s.plat},
			Logs: logs, Metrics: m.Handler(), Tokens: cfg.Tokens(), Domain: cfg.Domain, NodeID: s.plat.NodeID, Log: log}
		s.admin = &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go func() { s.serveErr <- s.admin.Serve(s.adminLn) }()
		log.Info("admin API listening", slog.String("addr", s.adminLn.Addr().String()))
	}
	for _, p := range s.registry.All() {
		log.Info("project", slog.String("name", p.Name), slog.String("account", p.Account), slog.String("kind", string(p.Kind)),
			slog.Int64("version", p.Version), slog.String("host", p.Name+"."+cfg.Domain), slog.Bool("public", p.Kind.Public()))
	}
	return s, nil
}

// deployConfig deploys the config's projects: each becomes a new version
// unless its code and settings are unchanged.
func (s *server) deployConfig(ctx context.Context, programs map[string]*jsvm.Program) error {
	var problems []string
	for _, p := range s.cfg.Projects {
		prog := programs[p.Name]
		if _, err := s.deploy.Deploy(ctx, p.Account, deploy.Request{Project: p.Name, Kind: string(p.Kind), Entry: prog.Entry,
			Source: prog.Source, Env: p.Env, Domains: p.Domains}); err != nil {
			problems = append(problems, fmt.Sprintf("project %s: %v", p.Name, err))
		}
	}
	if len(problems) > 0 {
		return errors.New("cannot deploy:\n  " + strings.Join(problems, "\n  "))
	}
	return nil
}

// wait serves until ctx ends or a listener fails, then shuts down.
func (s *server) wait(ctx context.Context) int {
	code := exitOK
	select {
	case <-ctx.Done():
		s.log.Info("shutting down")
	case err := <-s.serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", slog.Any("err", err))
			code = exitFailure
		}
	}
	s.close()
	return code
}

func (s *server) close() {
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if s.public != nil {
		_ = s.public.Shutdown(shutdownCtx)
	} else if s.publicLn != nil {
		_ = s.publicLn.Close()
	}
	if s.admin != nil {
		_ = s.admin.Shutdown(shutdownCtx)
	} else if s.adminLn != nil {
		_ = s.adminLn.Close()
	}
	if s.closeNode != nil {
		s.closeNode()
	}
	if s.closeStore != nil {
		s.closeStore()
	}
}

// etcdEndpoints are cluster.etcd.endpoints when provider etcd is chosen.
func etcdEndpoints(cfg *configs.Config) []string {
	if cfg.Cluster.Provider != configs.ProviderEtcd {
		return nil
	}
	return cfg.Cluster.Etcd.Endpoints
}

// consulConfig is cluster.consul when provider consul is chosen.
func consulConfig(cfg *configs.Config) (*cluster.ConsulConfig, error) {
	if cfg.Cluster.Provider != configs.ProviderConsul {
		return nil, nil
	}
	token, err := cfg.ConsulToken() // validated by Load
	if err != nil {
		return nil, fmt.Errorf("cluster.consul.token: %w", err)
	}
	return &cluster.ConsulConfig{Address: cfg.Cluster.Consul.Address, Token: token}, nil
}

// k8sConfig is cluster.k8s when provider k8s is chosen.
func k8sConfig(cfg *configs.Config) *cluster.K8sConfig {
	if cfg.Cluster.Provider != configs.ProviderK8s {
		return nil
	}
	return &cluster.K8sConfig{PodName: cfg.Cluster.K8s.PodName}
}

// runtimeAdapter shows the platform to the admin API.
type runtimeAdapter struct{ p *actors.Platform }

func (r runtimeAdapter) ActiveCoordinators(project string) []admin.ActiveCoordinator {
	var out []admin.ActiveCoordinator
	for _, a := range r.p.ActiveCoordinators(project) {
		out = append(out, admin.ActiveCoordinator{Instance: a.Instance, Node: a.Node, Epoch: a.Epoch, LastActivity: a.LastActivity})
	}
	return out
}

func (r runtimeAdapter) StopCoordinator(project, instance string) {
	r.p.StopCoordinator(project, instance)
}

// runServe runs a node: the config's projects plus everything deployed
// through the admin API.
func runServe(ctx context.Context, args []string, stderr io.Writer) int {
	f, log, code := parseServerFlags("serve", args, stderr)
	if f == nil {
		return code
	}
	cfg, err := loadServerConfig(f)
	if err != nil {
		fmt.Fprintf(stderr, "edge serve: %v\n", err)
		return exitUsage
	}
	s, err := startServer(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "edge serve: %v\n", err)
		return exitFailure
	}
	return s.wait(ctx)
}
