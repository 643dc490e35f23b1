package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/configs"
)

// runDeploy bundles a config's projects on this machine and uploads each as
// a new version. Every project is bundled before anything is uploaded, so a
// build error in one deploys none.
func runDeploy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge deploy", "edge deploy [--config edge.yaml] [--message M] [project ...]", stdout, stderr)
	configPath := c.fs.String("config", "edge.yaml", "path of the config file")
	message := c.fs.String("message", "", "a note stored with the new versions, shown by edge versions")
	names, code, ok := c.parse(args, 0, -1)
	if !ok {
		return code
	}
	cfg, err := configs.Load(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "edge deploy: %v\n", err)
		return exitUsage
	}
	selected, err := selectProjects(cfg, names)
	if err != nil {
		return c.usageError("%v", err)
	}
	cl, code, ok := c.client()
	if !ok {
		return code
	}

	sub := *cfg
	sub.Projects = selected
	programs, err := bundleAll(ctx, &sub)
	if err != nil {
		fmt.Fprintf(stderr, "edge deploy: %v\nnothing was deployed\n", err)
		return exitFailure
	}
	progress := stdout
	if *c.json {
		progress = stderr // stdout carries only the JSON
	}
	for _, p := range selected {
		fmt.Fprintf(progress, "bundled %s (%s)\n", p.Name, humanBytes(int64(len(programs[p.Name].Source))))
	}
	results := []admin.DeployResponse{}
	for _, p := range selected {
		prog := programs[p.Name]
		resp, err := cl.Deploy(ctx, admin.DeployRequest{
			Project: p.Name,
			Kind:    string(p.Kind),
			Entry:   prog.Entry,
			Source:  prog.Source,
			Env:     p.Env,
			Domains: p.Domains,
			Message: *message,
		})
		if err != nil {
			return c.fail(ctx, fmt.Errorf("deploying %s: %w", p.Name, err))
		}
		results = append(results, resp)
		fmt.Fprintf(progress, "deployed %s v%d -> %s\n", resp.Project, resp.Version, reach(resp))
		c.lagging(resp.Unacknowledged)
	}
	if *c.json {
		return c.printJSON(results)
	}
	return exitOK
}

// reach says where a deployed project is reached.
func reach(r admin.DeployResponse) string {
	where := r.URL
	if len(r.Domains) > 0 {
		where += ", " + strings.Join(r.Domains, ", ")
	}
	if r.Public {
		return where + " (public)"
	}
	return where + " (private: reached by fetch() from your account's code)"
}

// selectProjects returns the config's projects named in names, in the
// config's order, or all of them when names is empty.
func selectProjects(cfg *configs.Config, names []string) ([]configs.Project, error) {
	if len(names) == 0 {
		return cfg.Projects, nil
	}
	want := map[string]bool{}
	var unknown []string
	for _, n := range names {
		if _, ok := cfg.Project(n); !ok {
			unknown = append(unknown, fmt.Sprintf("%q", n))
			continue
		}
		want[n] = true
	}
	if len(unknown) > 0 {
		have := make([]string, len(cfg.Projects))
		for i, p := range cfg.Projects {
			have[i] = p.Name
		}
		sort.Strings(have)
		return nil, fmt.Errorf("%s has no project %s; its projects: %s",
			cfg.File, strings.Join(unknown, ", "), strings.Join(have, ", "))
	}
	var out []configs.Project
	for _, p := range cfg.Projects {
		if want[p.Name] {
			out = append(out, p)
		}
	}
	return out, nil
}
