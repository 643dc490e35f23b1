package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/edge-platform/edge/actors"
	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/cluster"
	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/deploy"
	"github.com/edge-platform/edge/jsvm"
	"github.com/edge-platform/edge/persistence"
)

// runDev is edge serve plus a watcher: the config's projects are bundled
// and deployed at start, and again whenever a file under a project's entry
// directory changes.
func runDev(ctx context.Context, args []string, stderr io.Writer) int {
	f, log, code := parseServerFlags("dev", args, stderr)
	if f == nil {
		return code
	}
	cfg, err := loadServerConfig(f)
	if err != nil {
		fmt.Fprintf(stderr, "edge dev: %v\n", err)
		return exitUsage
	}
	if len(cfg.Projects) == 0 {
		fmt.Fprintf(stderr, "edge dev: %s: projects: at least one project is required (name, entry, kind)\n", cfg.File)
		return exitUsage
	}
	s, err := startServer(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "edge dev: %v\n", err)
		return exitFailure
	}
	for _, p := range s.registry.All() {
		if _, inConfig := cfg.Project(p.Name); !inConfig {
			log.Warn("a project deployed earlier is not in the config and is still served; delete it with edge projects rm, or remove the data directory",
				slog.String("project", p.Name), slog.Int64("version", p.Version))
		}
	}
	go s.watch(ctx, 500*time.Millisecond)
	return s.wait(ctx)
}

// watch polls the files of every config project (everything under its
// entry's directory but node_modules and hidden directories) and redeploys
// a project whose files changed. A build error is logged and the running
// version stays.
func (s *server) watch(ctx context.Context, every time.Duration) {
	last := map[string]string{}
	for _, p := range s.cfg.Projects {
		last[p.Name] = fingerprint(filepath.Dir(p.Entry))
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, p := range s.cfg.Projects {
			fp := fingerprint(filepath.Dir(p.Entry))
			if fp == last[p.Name] {
				continue
			}
			last[p.Name] = fp
			prog, err := jsvm.Bundle(ctx, p.Entry)
			if err != nil {
				s.log.Error("build failed; the running version stays", slog.String("project", p.Name), slog.String("err", err.Error()))
				continue
			}
			d, err := s.deploy.Deploy(ctx, p.Account, deploy.Request{Project: p.Name, Kind: string(p.Kind), Entry: prog.Entry,
				Source: prog.Source, Env: p.Env, Domains: p.Domains, Message: "edge dev: files changed", RequireStart: true})
			if err != nil {
				s.log.Error("redeploy failed; the running version stays", slog.String("project", p.Name), slog.Any("err", err))
				continue
			}
			s.log.Info("redeployed", slog.String("project", p.Name), slog.Int64("version", d.Version))
		}
	}
}

// fingerprint summarizes the names, sizes and modification times of the
// files under dir.
func fingerprint(dir string) string {
	var b strings.Builder
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && path != dir && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			fmt.Fprintf(&b, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
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

// store is what the platform keeps its state in.
type store interface {
	actors.Store
	deploy.Store
	admin.Directory
	cluster.MemberStore
	cluster.DirectoryStore
	SetCommitObserver(persistence.CommitObserver)
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
