package configs

// There is no Docker engine where these tests run, so they check what can
// be checked without one: that docker-compose.yml, the Dockerfile and the
// node configs in configs/cluster/ agree with each other and with Load.

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// repoRoot is where docker-compose.yml and the Dockerfile live.
const repoRoot = ".."

// The cluster the compose file describes: service name -> region, in order.
var composeNodes = []struct{ service, region string }{
	{"node-a", "eu"}, {"node-b", "eu"}, {"node-c", "us"},
}

// Test values for the secrets the compose file passes to every node.
var composeSecrets = map[string]string{
	"EDGE_POSTGRES_PASSWORD": "0123456789abcdef0123456789abcdef",
	"EDGE_ADMIN_TOKEN":       "fedcba9876543210fedcba9876543210",
}

// composeFile is the part of the Compose specification these tests read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
	Networks map[string]any            `yaml:"networks"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Build       composeBuild      `yaml:"build"`
	Environment map[string]string `yaml:"environment"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Volumes     []string `yaml:"volumes"`
	Ports       []string `yaml:"ports"`
	Networks    []string `yaml:"networks"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

// composeBuild is build: either a context path or {context, dockerfile}.
type composeBuild struct {
	Context, Dockerfile string
}

func (b *composeBuild) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		b.Context = n.Value
		return nil
	}
	var m struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	b.Context, b.Dockerfile = m.Context, m.Dockerfile
	return nil
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return f
}

// composeInterpolate does Compose's ${VAR}, ${VAR:?err}, ${VAR?err},
// ${VAR:-default}, ${VAR-default} and $$ against lookup, failing where
// `docker compose` would refuse to start.
func composeInterpolate(t *testing.T, s string, lookup func(string) (string, bool)) string {
	t.Helper()
	re := regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
	return re.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		g := re.FindStringSubmatch(m)
		name, op, arg := g[1]+g[4], g[2], g[3]
		v, ok := lookup(name)
		unset := !ok || (strings.HasPrefix(op, ":") && v == "")
		switch {
		case !unset:
			return v
		case strings.HasSuffix(op, "?"):
			t.Fatalf("compose would refuse to start: %s: %s", name, arg)
		case strings.HasSuffix(op, "-"):
			return arg
		}
		return ""
	})
}

// publishedPort is one entry of ports: [ip:]host:container.
type publishedPort struct {
	ip              string
	host, container int
}

func parsePort(t *testing.T, s string) publishedPort {
	t.Helper()
	parts := strings.Split(strings.TrimSuffix(s, "/tcp"), ":")
	var p publishedPort
	if len(parts) == 3 {
		p.ip, parts = parts[0], parts[1:]
	}
	if len(parts) != 2 {
		t.Fatalf("port %q: want [ip:]host:container with both ports fixed", s)
	}
	var err1, err2 error
	p.host, err1 = strconv.Atoi(parts[0])
	p.container, err2 = strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		t.Fatalf("port %q: want numbers (no ranges)", s)
	}
	return p
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%q: %v", addr, err)
	}
	n, _ := strconv.Atoi(p)
	return n
}

// dockerfile is what the tests read from the Dockerfile.
type dockerfile struct {
	stages     []string // FROM images, in order
	buildRun   string   // the RUN with go build
	user       string   // the final stage's USER
	expose     []string
	entrypoint []string
	cmd        []string
}

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	var d dockerfile
	execForm := func(instr, args string) []string {
		var v []string
		if err := json.Unmarshal([]byte(args), &v); err != nil {
			t.Fatalf("Dockerfile: %s %s: want the exec form, a JSON array (so signals reach edge): %v", instr, args, err)
		}
		return v
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, args, _ := strings.Cut(line, " ")
		args = strings.TrimSpace(args)
		switch strings.ToUpper(instr) {
		case "FROM":
			d.stages = append(d.stages, strings.Fields(args)[0])
			d.user = ""
		case "RUN":
			if strings.Contains(args, "go build") {
				d.buildRun = args
			}
		case "USER":
			d.user = args
		case "EXPOSE":
			d.expose = strings.Fields(args)
		case "ENTRYPOINT":
			d.entrypoint = execForm(instr, args)
		case "CMD":
			d.cmd = execForm(instr, args)
		}
	}
	return d
}

// configPath is the --config argument of the image's CMD.
func (d dockerfile) configPath(t *testing.T) string {
	t.Helper()
	i := slices.Index(d.cmd, "--config")
	if i < 0 || i+1 >= len(d.cmd) {
		t.Fatalf("Dockerfile CMD %q has no --config <path>", d.cmd)
	}
	return d.cmd[i+1]
}

func TestDockerfile(t *testing.T) {
	d := readDockerfile(t)
	if len(d.stages) < 2 || !strings.HasPrefix(d.stages[0], "golang:1.26") {
		t.Fatalf("stages %q: want a golang:1.26 build stage and a runtime stage", d.stages)
	}
	if rt := d.stages[len(d.stages)-1]; strings.HasPrefix(rt, "golang") {
		t.Errorf("runtime stage %q is the Go toolchain image: copy the binary into a small one", rt)
	}
	if !strings.Contains(d.buildRun, "CGO_ENABLED=0") || !strings.Contains(d.buildRun, "-o /edge") {
		t.Errorf("build %q: want CGO_ENABLED=0 go build -o /edge", d.buildRun)
	}
	pkg := d.buildRun[strings.LastIndex(d.buildRun, " ")+1:]
	main, err := os.ReadFile(filepath.Join(repoRoot, pkg, "main.go"))
	if err != nil || !strings.Contains(string(main), "package main") {
		t.Errorf("build path %q: %s/main.go is not a main package (%v)", pkg, pkg, err)
	}
	if d.user == "" || d.user == "root" || strings.HasPrefix(d.user, "0") {
		t.Errorf("final USER %q: the runtime must not run as root", d.user)
	}
	for _, p := range []string{"8080", "8081"} {
		if !slices.Contains(d.expose, p) {
			t.Errorf("EXPOSE %q lacks %s", d.expose, p)
		}
	}
	if !slices.Equal(d.entrypoint, []string{"/edge"}) || len(d.cmd) == 0 || d.cmd[0] != "serve" {
		t.Errorf("ENTRYPOINT %q CMD %q: want /edge serve --config ...", d.entrypoint, d.cmd)
	}
	d.configPath(t)
}

func TestCompose(t *testing.T) {
	f := readCompose(t)
	d := readDockerfile(t)
	configPath := d.configPath(t)

	var names []string
	for name := range f.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"node-a", "node-b", "node-c", "postgres"}; !slices.Equal(names, want) {
		t.Fatalf("services %q, want %q", names, want)
	}

	pg := f.Services["postgres"]
	if !strings.HasPrefix(pg.Image, "postgres:") || len(pg.Healthcheck.Test) == 0 || len(pg.Volumes) == 0 ||
		!strings.Contains(pg.Environment["POSTGRES_PASSWORD"], "${EDGE_POSTGRES_PASSWORD") {
		t.Errorf("postgres: %+v: want the official image, a healthcheck, a volume and the password from $EDGE_POSTGRES_PASSWORD", pg)
	}
	for _, v := range pg.Volumes {
		if name, _, _ := strings.Cut(v, ":"); !slices.Contains(slices.Collect(maps.Keys(f.Volumes)), name) {
			t.Errorf("postgres volume %q is not a named volume declared under volumes: (its data would not survive docker compose down)", v)
		}
	}

	hostPorts := map[int]string{}
	for _, p := range pg.Ports {
		hostPorts[parsePort(t, p).host] = "postgres"
	}
	loaded := map[string]*Config{}
	for _, n := range composeNodes {
		s := f.Services[n.service]
		t.Run(n.service, func(t *testing.T) {
			if s.Build.Context != "." || (s.Build.Dockerfile != "" && s.Build.Dockerfile != "Dockerfile") {
				t.Errorf("build %+v: want the repository's Dockerfile", s.Build)
			}
			if dep, ok := s.DependsOn["postgres"]; !ok || dep.Condition != "service_healthy" {
				t.Errorf("depends_on %+v: want postgres with condition service_healthy", s.DependsOn)
			}
			if len(s.Networks) == 0 {
				t.Errorf("no networks: the nodes reach postgres and each other by service name on a shared network")
			}
			for _, nw := range s.Networks {
				if _, ok := f.Networks[nw]; !ok || !slices.Contains(pg.Networks, nw) {
					t.Errorf("network %q is not declared, or postgres is not on it", nw)
				}
			}

			// The mounted config, loaded as the container would load it.
			var source string
			for _, v := range s.Volumes {
				parts := strings.Split(v, ":")
				if len(parts) >= 2 && parts[1] == configPath {
					source = parts[0]
				}
			}
			if source == "" {
				t.Fatalf("volumes %q mount nothing at %s, where the Dockerfile's CMD reads the config", s.Volumes, configPath)
			}
			for k, v := range composeSecrets {
				t.Setenv(k, v)
			}
			for k, v := range s.Environment {
				t.Setenv(k, composeInterpolate(t, v, os.LookupEnv))
			}
			cfg, err := Load(filepath.Join(repoRoot, source))
			if err != nil {
				t.Fatalf("%s: %v", source, err)
			}
			loaded[n.service] = cfg

			cl := cfg.Cluster
			if cl.NodeID != n.service || cl.Region != n.region || cl.Name != DefaultClusterName {
				t.Errorf("%s: node_id %q region %q name %q, want %q %q %q", source, cl.NodeID, cl.Region, cl.Name, n.service, n.region, DefaultClusterName)
			}
			if err := cfg.ClusterProviderSupported(); err != nil {
				t.Error(err)
			}
			if host, _, _ := net.SplitHostPort(cfg.ClusterAdvertise()); host != n.service ||
				portOf(t, cfg.ClusterAdvertise()) != portOf(t, cl.Bind) {
				t.Errorf("%s: advertise %q, want %s:<the bind port %s>", source, cfg.ClusterAdvertise(), n.service, cl.Bind)
			}
			u, err := cfg.PostgresURL()
			if err != nil || !strings.Contains(u, ":"+composeSecrets["EDGE_POSTGRES_PASSWORD"]+"@postgres:5432/") {
				t.Errorf("%s: postgres url %q (%v): want the postgres service with $EDGE_POSTGRES_PASSWORD", source, redactURL(u), err)
			}
			if cfg.Admin.Listen == "" || cfg.Tokens()[composeSecrets["EDGE_ADMIN_TOKEN"]] == "" {
				t.Errorf("%s: admin %q tokens: want the admin API on, opened by $EDGE_ADMIN_TOKEN", source, cfg.Admin.Listen)
			}

			// Both listeners are published, each on a host port of its own.
			published := map[int]bool{}
			for _, ps := range s.Ports {
				p := parsePort(t, ps)
				published[p.container] = true
				if other, dup := hostPorts[p.host]; dup {
					t.Errorf("host port %d is published by %s and %s", p.host, other, n.service)
				}
				hostPorts[p.host] = n.service
			}
			for _, addr := range []string{cfg.Listen, cfg.Admin.Listen} {
				if host, _, _ := net.SplitHostPort(addr); !unspecifiedHost(host) {
					t.Errorf("%s: %q is not reachable through a published port: listen on 0.0.0.0 in the container", source, addr)
				}
				if !published[portOf(t, addr)] {
					t.Errorf("%s listens on %s but ports %q do not publish %d", source, addr, s.Ports, portOf(t, addr))
				}
			}
		})
	}

	// Each node's peers are exactly the other nodes' automanaged ports.
	for _, n := range composeNodes {
		cfg := loaded[n.service]
		if cfg == nil {
			continue
		}
		var want []string
		for _, o := range composeNodes {
			if o.service != n.service && loaded[o.service] != nil {
				want = append(want, fmt.Sprintf("%s:%d", o.service, loaded[o.service].Cluster.AutomanagedPort))
			}
		}
		got := slices.Clone(cfg.Cluster.Peers)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: peers %q, want the other services' automanaged ports %q", n.service, cfg.Cluster.Peers, want)
		}
	}
}

// TestComposeInterpolate checks the test's own reading of Compose's
// variable syntax, on which TestCompose relies.
func TestComposeInterpolate(t *testing.T) {
	env := map[string]string{"A": "x", "E": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for in, want := range map[string]string{
		"${A}": "x", "$A": "x", "${A:?no}": "x", "${B:-d}": "d", "${E:-d}": "d", "${E-d}": "", "$$A": "$A", "pre-${A}-post": "pre-x-post",
	} {
		if got := composeInterpolate(t, in, lookup); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

// TestBuildsWithoutCgo builds cmd/edge the way the Dockerfile does: the
// runtime image has no libc, so a cgo dependency would break it.
func TestBuildsWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cmd := exec.Command(gobin, "build", "-o", filepath.Join(t.TempDir(), "edge"), "./cmd/edge")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build ./cmd/edge: %v\n%s", err, out)
	}
}
