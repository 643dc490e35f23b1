package configs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeConfig writes yaml as edge.yaml in a temp dir with the named entry
// files present, and returns the config path.
func writeConfig(t *testing.T, yaml string, entries ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, e := range entries {
		p := filepath.Join(dir, e)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("Deno.serve(() => new Response(''))"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "edge.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadValid(t *testing.T) {
	path := writeConfig(t, `domain: deno.dev
projects:
  - name: afraid-sheep-21
    entry: worker/mod.js
    kind: worker
  - name: difficult-butterfly-42
    entry: coordinator/mod.js
    kind: coordinator
    env: { GREETING: hi }
`, "worker/mod.js", "coordinator/mod.js")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Domain != "deno.dev" || len(cfg.Projects) != 2 || cfg.Listen != DefaultListen || cfg.Data != DefaultData {
		t.Fatalf("got %+v", cfg)
	}
	want := filepath.Join(filepath.Dir(path), "worker/mod.js")
	if cfg.Projects[0].Entry != want {
		t.Fatalf("entry %q, want %q (relative to the config file)", cfg.Projects[0].Entry, want)
	}
	if cfg.Projects[1].Kind != KindCoordinator || cfg.Projects[1].Env["GREETING"] != "hi" {
		t.Fatalf("project 1: %+v", cfg.Projects[1])
	}
	if d, err := cfg.HibernateAfter(); d != 10*time.Second || err != nil {
		t.Fatalf("coordinators.hibernate_after = %v, %v; want the default 10s", d, err)
	}
}

func TestEnvOverride(t *testing.T) {
	path := writeConfig(t, "domain: deno.dev\nprojects: [{name: a, entry: a.js, kind: worker}]\n", "a.js")
	t.Setenv("EDGE_LISTEN", "127.0.0.1:9999")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9999" {
		t.Fatalf("listen %q, want the EDGE_LISTEN override", cfg.Listen)
	}
}

func TestLoadProblems(t *testing.T) {
	cases := []struct {
		name  string
		yaml  string
		files []string
		want  []string
	}{
		{
			name:  "unknown kind names the valid choices and the line",
			yaml:  "domain: deno.dev\nprojects:\n  - name: a\n    entry: a.js\n    kind: server\n",
			files: []string{"a.js"},
			want:  []string{"edge.yaml:5: projects[0].kind: unknown kind \"server\"; valid kinds: worker, coordinator"},
		},
		{
			name: "missing entry names the file",
			yaml: "domain: deno.dev\nprojects:\n  - name: a\n    entry: nope/mod.js\n    kind: worker\n",
			want: []string{"edge.yaml:4: projects[0].entry: file ", "nope/mod.js does not exist"},
		},
		{
			name:  "every problem at once",
			yaml:  "projects:\n  - name: Bad_Name\n    entry: a.js\n    kind: worker\n  - name: b\n    kind: coordinator\n",
			files: []string{"a.js"},
			want:  []string{"domain: is required", "projects[0].name: \"Bad_Name\" is not a valid project name", "projects[1].entry: is required"},
		},
		{
			name:  "duplicate names",
			yaml:  "domain: deno.dev\nprojects:\n  - {name: a, entry: a.js, kind: worker}\n  - {name: a, entry: a.js, kind: coordinator}\n",
			files: []string{"a.js"},
			want:  []string{"projects[1].name: \"a\" is already used by projects[0]"},
		},
		{
			name:  "unknown key",
			yaml:  "domain: deno.dev\nprojets: []\nprojects: [{name: a, entry: a.js, kind: worker}]\n",
			files: []string{"a.js"},
			want:  []string{"projets"},
		},
		{
			name: "bad yaml",
			yaml: "domain: deno.dev\nprojects: [\n",
			want: []string{"not valid YAML"},
		},
		{
			name:  "bad outbound.allow_hosts entries name the line and the index",
			yaml:  "domain: deno.dev\nprojects: [{name: a, entry: a.js, kind: worker}]\noutbound:\n  allow_hosts:\n    - db.internal\n    - 10.0.0.0/33\n    - http://api.internal/\n",
			files: []string{"a.js"},
			want: []string{
				"edge.yaml:6: outbound.allow_hosts[1]: \"10.0.0.0/33\" is not a valid CIDR; write e.g. 10.0.0.0/8",
				"edge.yaml:7: outbound.allow_hosts[2]: \"http://api.internal/\" is a URL; write only the host",
			},
		},
		{
			name:  "bad outbound.allow_private",
			yaml:  "domain: deno.dev\nprojects: [{name: a, entry: a.js, kind: worker}]\noutbound: {allow_private: maybe}\n",
			files: []string{"a.js"},
			want:  []string{"allow_private"},
		},
		{
			name:  "bad timeout",
			yaml:  "domain: deno.dev\nprojects: [{name: a, entry: a.js, kind: worker}]\nlimits: {request_timeout: soon}\n",
			files: []string{"a.js"},
			want:  []string{"limits.request_timeout", "not a positive duration"},
		},
		{
			name:  "bad cpu time",
			yaml:  "domain: deno.dev\nprojects: [{name: a, entry: a.js, kind: worker}]\nlimits: {cpu_time: -5ms}\n",
			files: []string{"a.js"},
			want:  []string{"limits.cpu_time", "not a positive duration such as 50ms"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, c.yaml, c.files...))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *configs.Error", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "edge.yaml"))
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "--config") {
		t.Fatalf("got %v", err)
	}
}

func TestExampleConfigsLoad(t *testing.T) {
	t.Setenv("EDGE_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef")
	for _, p := range []string{"dev.yaml", "serve.yaml", "../examples/counter/edge.yaml"} {
		if _, err := Load(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	cfg, _ := Load("serve.yaml")
	if cfg.Admin.Listen == "" || cfg.Tokens()["0123456789abcdef0123456789abcdef"] != "team" {
		t.Fatalf("serve.yaml: admin %q tokens %v", cfg.Admin.Listen, cfg.Tokens())
	}
}

func TestAccountsKindsDomainsAndLifecycle(t *testing.T) {
	t.Setenv("ACME_TOKEN", "acme-secret-0123456789")
	path := writeConfig(t, `domain: deno.dev
admin: { listen: "127.0.0.1:9000" }
accounts:
  - { name: acme, tokens: ["${ACME_TOKEN}"] }
  - { name: globex }
projects:
  - { name: a, entry: a.js, kind: worker }
  - { name: b, entry: a.js, kind: assistant, account: globex, domains: [API.Example.com.] }
  - { name: c, entry: a.js, kind: greeter }
`, "a.js")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Projects[0].Account != "acme" || cfg.Projects[1].Account != "globex" || cfg.Projects[1].Domains[0] != "api.example.com" {
		t.Fatalf("projects %+v", cfg.Projects)
	}
	if cfg.Tokens()["acme-secret-0123456789"] != "acme" || len(cfg.Tokens()) != 1 {
		t.Fatalf("tokens %v", cfg.Tokens())
	}
	if cfg.Coordinators.MaxActive != DefaultMaxActive || cfg.Coordinators.QueueLimit != DefaultQueueLimit || cfg.Limits.MaxHops != DefaultMaxHops {
		t.Fatalf("lifecycle defaults %+v %+v", cfg.Coordinators, cfg.Limits)
	}
	if !KindGreeter.Public() || !KindGreeter.Single() || KindAssistant.Public() || KindAssistant.Single() || KindCoordinator.Public() || !KindWorker.Public() {
		t.Fatal("kind matrix")
	}
}

func TestBadAccountsDomainsAndLimits(t *testing.T) {
	path := writeConfig(t, `domain: deno.dev
listen: 127.0.0.1:8080
admin: { listen: "127.0.0.1:8080" }
accounts:
  - { name: Acme, tokens: [short, "${EDGE_NO_SUCH_VAR}"] }
projects:
  - { name: a, entry: a.js, kind: worker, account: nobody, domains: [x.deno.dev, "not a host"] }
  - { name: b, entry: a.js, kind: worker, domains: [api.example.com] }
  - { name: c, entry: a.js, kind: worker, domains: [api.example.com] }
coordinators: { queue_limit: 0, max_active: -1, hibernate_after: -5s }
limits: { max_hops: 0 }
workers: { idle_timeout: soon }
`, "a.js")
	_, err := Load(path)
	for _, want := range []string{
		`accounts[0].name: "Acme" is not a valid account name`,
		"accounts[0].tokens[0]: is shorter than 16 characters",
		"accounts[0].tokens[1]: names environment variables that are not set: EDGE_NO_SUCH_VAR",
		`projects[0].account: unknown account "nobody"`,
		`projects[0].domains[0]: "x.deno.dev" is under the platform's domain`,
		`projects[0].domains[1]: "not a host" is not a valid host name`,
		`projects[2].domains[0]: "api.example.com" is already served by project b`,
		"coordinators.queue_limit: must be at least 1",
		"coordinators.max_active: must be 0 (no bound) or more",
		`coordinators.hibernate_after: "-5s" is not a duration such as 10s or 1m (0s turns hibernation off)`,
		"limits.max_hops: must be at least 1",
		"workers.idle_timeout:",
		"admin.listen: is the public listener's address",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestNestedEnvOverride(t *testing.T) {
	path := writeConfig(t, "domain: deno.dev\nprojects: [{name: a, entry: a.js, kind: worker}]\n", "a.js")
	t.Setenv("EDGE_LIMITS_REQUEST_TIMEOUT", "5s")
	t.Setenv("EDGE_WORKERS_INSTANCES", "3")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := cfg.RequestTimeout(); d.String() != "5s" || cfg.Workers.Instances != 3 {
		t.Fatalf("timeout %v instances %d, want the EDGE_ overrides", d, cfg.Workers.Instances)
	}
}

func TestConfigOutbound(t *testing.T) {
	path := writeConfig(t, `domain: deno.dev
projects: [{name: a, entry: a.js, kind: worker}]
outbound:
  allow_hosts: [localhost:8080, "*.corp.example", 10.1.0.0/16, "fd00::1"]
`, "a.js")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Outbound.AllowHosts) != 4 || cfg.Outbound.AllowPrivate {
		t.Fatalf("outbound %+v", cfg.Outbound)
	}
	allow, err := cfg.OutboundAllowlist()
	if err != nil || allow.AllowPrivate {
		t.Fatalf("allowlist %+v %v", allow, err)
	}

	// The example configs open nothing: outbound is safe by default.
	t.Setenv("EDGE_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef")
	for _, p := range []string{"dev.yaml", "serve.yaml", "../examples/counter/edge.yaml"} {
		cfg, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Outbound.AllowHosts) != 0 || cfg.Outbound.AllowPrivate {
			t.Errorf("%s opens private destinations: %+v", p, cfg.Outbound)
		}
	}
}

func TestConfigOutboundEnvOverride(t *testing.T) {
	path := writeConfig(t, "domain: deno.dev\nprojects: [{name: a, entry: a.js, kind: worker}]\n", "a.js")
	t.Setenv("EDGE_OUTBOUND_ALLOW_PRIVATE", "true")
	t.Setenv("EDGE_OUTBOUND_ALLOW_HOSTS", "localhost:8080,10.0.0.0/8")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Outbound.AllowPrivate || strings.Join(cfg.Outbound.AllowHosts, " ") != "localhost:8080 10.0.0.0/8" {
		t.Fatalf("outbound %+v, want the EDGE_OUTBOUND_ overrides", cfg.Outbound)
	}
}

func TestConfigPostgres(t *testing.T) {
	base := "domain: deno.dev\nprojects: [{name: a, entry: a.js, kind: worker}]\n"
	cfg, err := Load(writeConfig(t, base, "a.js"))
	if err != nil {
		t.Fatal(err)
	}
	if u, err := cfg.PostgresURL(); u != "" || err != nil {
		t.Fatalf("default: %q %v, want SQLite (no URL)", u, err)
	}
	t.Setenv("EDGE_TEST_PG_PASSWORD", "s3cret")
	cfg, err = Load(writeConfig(t, base+"persistence:\n  postgres:\n    url: postgres://edge:${EDGE_TEST_PG_PASSWORD}@db:5432/edge\n", "a.js"))
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := cfg.PostgresURL(); u != "postgres://edge:s3cret@db:5432/edge" {
		t.Fatalf("expanded URL %q", u)
	}
	t.Setenv("EDGE_PERSISTENCE_POSTGRES_URL", "postgres://other@db2/edge")
	cfg, err = Load(writeConfig(t, base, "a.js"))
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := cfg.PostgresURL(); u != "postgres://other@db2/edge" {
		t.Fatalf("env override %q", u)
	}
	os.Unsetenv("EDGE_PERSISTENCE_POSTGRES_URL")

	for _, c := range []struct{ url, want string }{
		{"postgres://edge:${EDGE_NOT_SET_ANYWHERE}@db/edge", "EDGE_NOT_SET_ANYWHERE"},
		{"mysql://edge:pw@db/edge", "is not a Postgres URL"},
	} {
		_, err := Load(writeConfig(t, base+"persistence:\n  postgres:\n    url: "+c.url+"\n", "a.js"))
		if err == nil || !strings.Contains(err.Error(), "persistence.postgres.url") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("url %q: got %v, want an error naming persistence.postgres.url and %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}
