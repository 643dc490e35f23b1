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
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/edge-platform/edge/actors"
	"github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/frontend"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/persistence"
	"github.com/edge-platform/edge/router"
)

// runDev serves a config's projects on one node with the embedded store.
func runDev(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("edge dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "edge.yaml", "path of the config file")
	listen := fs.String("listen", "", "public HTTP address (default from the config, else "+configs.DefaultListen+")")
	data := fs.String("data", "", "data directory (default from the config, else ./"+configs.DefaultData+")")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "edge dev: unexpected argument %q (flags only; see edge help)\n", fs.Arg(0))
		return exitUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "edge dev: --log-level %q: use debug, info, warn or error\n", *logLevel)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	cfg, err := configs.Load(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "edge dev: %v\n", err)
		return exitUsage
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	if *data != "" {
		cfg.Data = *data
	}

	programs, err := bundleAll(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "edge dev: %v\n", err)
		return exitFailure
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		fmt.Fprintf(stderr, "edge dev: listening on %s: %v (is another edge running? pick another address with --listen)\n", cfg.Listen, err)
		return exitFailure
	}
	defer ln.Close()

	store, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "edge dev: %v\n", err)
		return exitFailure
	}
	defer store.Close()

	timeout, _ := cfg.RequestTimeout() // validated by Load
	cpuTime, _ := cfg.CPUTime()
	allow, err := cfg.OutboundAllowlist()
	if err != nil { // validated by Load
		fmt.Fprintf(stderr, "edge dev: %v\n", err)
		return exitUsage
	}
	if allow.AllowPrivate {
		log.Warn("outbound.allow_private is on: fetch() may reach loopback, private networks and the cloud metadata service; use it for development only")
	}
	outbound := router.NewOutbound(cfg.Limits.MaxBodyBytes, allow)
	var rt *router.Router
	plat, err := actors.NewPlatform(actors.Options{
		Config:     cfg,
		Programs:   programs,
		Store:      store,
		NodeID:     nodeID(),
		Logger:     log,
		FetcherFor: func(project string) jsvm.Fetcher { return rt.FetcherFor(project, outbound) },
		Limits:     jsvm.Limits{MaxBodyBytes: cfg.Limits.MaxBodyBytes, CPUTime: cpuTime},
	})
	if err != nil {
		fmt.Fprintf(stderr, "edge dev: %v\n", err)
		return exitFailure
	}
	rt = router.New(cfg, plat, log)
	node, err := cluster.Start(ctx, cluster.Config{Name: "edge", Bind: "127.0.0.1:0", Kinds: plat.Kinds(), Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "edge dev: %v\n", err)
		return exitFailure
	}
	defer node.Stop()
	plat.Start(ctx, node)

	srv := &http.Server{
		Handler:           &frontend.Handler{Router: rt, MaxBodyBytes: cfg.Limits.MaxBodyBytes, Timeout: timeout, Log: log},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("domain", cfg.Domain),
		slog.String("data", cfg.Data), slog.Int("projects", len(cfg.Projects)))
	for _, p := range cfg.Projects {
		log.Info("project", slog.String("name", p.Name), slog.String("kind", string(p.Kind)),
			slog.String("host", p.Name+"."+cfg.Domain), slog.Bool("public", p.Kind == configs.KindWorker))
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", slog.Any("err", err))
			return exitFailure
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	return exitOK
}

// bundleAll bundles every project, reporting every failure at once.
func bundleAll(ctx context.Context, cfg *configs.Config) (map[string]*jsvm.Program, error) {
	programs := map[string]*jsvm.Program{}
	var problems []string
	for _, p := range cfg.Projects {
		prog, err := jsvm.Bundle(ctx, p.Entry)
		if err != nil {
			problems = append(problems, fmt.Sprintf("project %s: %s", p.Name, strings.ReplaceAll(err.Error(), "\n", "\n  ")))
			continue
		}
		programs[p.Name] = prog
	}
	if len(problems) > 0 {
		return nil, errors.New("cannot build:\n  " + strings.Join(problems, "\n  "))
	}
	return programs, nil
}

// nodeID names this process as the owner of the activations it runs.
func nodeID() string {
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// store is what the platform keeps its state in.
type store interface {
	actors.Store
	Close() error
}

// openStore opens Postgres when persistence.postgres.url is set, else the
// embedded SQLite database under the data directory.
func openStore(ctx context.Context, cfg *configs.Config, log *slog.Logger) (store, error) {
	url, err := cfg.PostgresURL() // validated by Load
	if err != nil {
		return nil, fmt.Errorf("persistence.postgres.url: %w", err)
	}
	if url != "" {
		octx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		s, err := persistence.OpenPostgres(octx, url, log)
		if err != nil {
			return nil, err
		}
		log.Info("storage: postgres")
		return s, nil
	}
	path := filepath.Join(cfg.Data, "edge.db")
	s, err := persistence.OpenSQLite(ctx, path, log)
	if err != nil {
		return nil, err
	}
	log.Info("storage: sqlite", slog.String("path", path))
	return s, nil
}
