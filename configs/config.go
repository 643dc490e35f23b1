// Package configs reads and validates edge's YAML configuration (through
// viper, with EDGE_* environment overrides) and holds working example
// configurations beside the code. It does no I/O beyond reading the config
// file and checking that entry files exist; it starts nothing.
package configs

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/edge-platform/edge/netsafe"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// Kind is how a project is deployed. The code of every kind is the same kind
// of program; only the number of instances and who may reach them differ.
type Kind string

const (
	// KindWorker: many public instances.
	KindWorker Kind = "worker"
	// KindCoordinator: exactly one private instance cluster-wide (plus named
	// duplicates created on first request).
	KindCoordinator Kind = "coordinator"
	// KindAssistant: many private instances (a worker only its own
	// account's code can reach).
	KindAssistant Kind = "assistant"
	// KindGreeter: exactly one public instance (a coordinator the internet
	// can reach), plus named duplicates.
	KindGreeter Kind = "greeter"
)

// Kinds lists the valid kinds, in the order error messages show them.
var Kinds = []Kind{KindWorker, KindCoordinator, KindAssistant, KindGreeter}

// Public reports whether the kind is reachable from the internet (and from
// every account's code); the others answer only their own account's fetch().
func (k Kind) Public() bool { return k == KindWorker || k == KindGreeter }

// Single reports whether the kind runs exactly one instance per name
// cluster-wide (a coordinator grain, with durable storage of its own and
// named duplicates) rather than a pool of stateless instances per node.
func (k Kind) Single() bool { return k == KindCoordinator || k == KindGreeter }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return validKind(k) }

// DefaultAccount owns the projects of a config that names no account.
const DefaultAccount = "default"

// Project is one deployed program.
type Project struct {
	Name string `mapstructure:"name"`
	// Entry is the module path; after Load it is absolute.
	Entry string            `mapstructure:"entry"`
	Kind  Kind              `mapstructure:"kind"`
	Env   map[string]string `mapstructure:"env"`
	// Account owns the project (default: the first of accounts, else
	// "default"). Private kinds answer only their own account's code.
	Account string `mapstructure:"account"`
	// Domains are extra hostnames the project serves (custom domains);
	// fetch() to them stays inside the platform too.
	Domains []string `mapstructure:"domains"`
}

// Account is a tenant: its tokens open the admin API to its projects.
type Account struct {
	Name string `mapstructure:"name"`
	// Tokens are bearer tokens for the admin API; ${VAR} is expanded from
	// the environment so secrets need not be in the file.
	Tokens []string `mapstructure:"tokens"`
}

// AdminConfig is the operator API (see docs/ADMIN-API.md).
type AdminConfig struct {
	// Listen is the admin API's address; empty turns it off. It is never
	// the public listener's address.
	Listen string `mapstructure:"listen"`
}

// Config is the whole configuration.
type Config struct {
	// Domain: every project is reachable at <name>.<domain>.
	Domain   string    `mapstructure:"domain"`
	Projects []Project `mapstructure:"projects"`
	// Listen is the public HTTP address (flag --listen overrides).
	Listen string `mapstructure:"listen"`
	// Data is the data directory (flag --data overrides).
	Data string `mapstructure:"data"`
	// Workers tunes worker pools.
	Workers WorkersConfig `mapstructure:"workers"`
	// Coordinators tunes coordinator activations.
	Coordinators CoordinatorsConfig `mapstructure:"coordinators"`
	// Limits bound requests.
	Limits LimitsConfig `mapstructure:"limits"`
	// Outbound is the policy of fetch() to the network.
	Outbound OutboundConfig `mapstructure:"outbound"`
	// Persistence chooses where state is stored.
	Persistence PersistenceConfig `mapstructure:"persistence"`
	// Accounts and their admin API tokens.
	Accounts []Account `mapstructure:"accounts"`
	// Admin is the admin API's listener.
	Admin AdminConfig `mapstructure:"admin"`
	// Cluster makes this node a cluster member (see cluster.go).
	Cluster ClusterConfig `mapstructure:"cluster"`
	// File is the absolute path the config was read from.
	File string `mapstructure:"-"`
}

// WorkersConfig tunes worker pools.
type WorkersConfig struct {
	// Instances is the most VMs per worker project on this node (0: one
	// per CPU). A pool starts with one and grows with concurrent requests.
	Instances int `mapstructure:"instances"`
	// IdleTimeout: a pool shrinks by one VM after this long without needing
	// it (never below one).
	IdleTimeout string `mapstructure:"idle_timeout"`
}

// CoordinatorsConfig tunes coordinator activations.
type CoordinatorsConfig struct {
	// IdleTimeout: an activation that has received nothing for this long is
	// stopped and its VM freed; the next request activates it again from
	// storage. "0s" keeps activations forever.
	IdleTimeout string `mapstructure:"idle_timeout"`
	// HibernateAfter: an activation with nothing pending (no request, timer,
	// host call, open stream or KV watch) for this long is passivated the
	// same way, as a Durable Object hibernates. "0s" (and, in a Config
	// built in Go, "") turns it off; the YAML default is 10s.
	HibernateAfter string `mapstructure:"hibernate_after"`
	// MaxActive bounds the coordinator VMs this node keeps running; past
	// it the least recently used is passivated. 0: no bound.
	MaxActive int `mapstructure:"max_active"`
	// QueueLimit bounds the requests in flight at one coordinator; past
	// it requests get 503 with Retry-After.
	QueueLimit int `mapstructure:"queue_limit"`
}

// LimitsConfig bounds what a request may use.
type LimitsConfig struct {
	// MaxBodyBytes bounds request and response bodies.
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// RequestTimeout bounds one request end to end, e.g. "60s".
	RequestTimeout string `mapstructure:"request_timeout"`
	// CPUTime bounds the JavaScript execution time of one request, e.g. "30s".
	CPUTime string `mapstructure:"cpu_time"`
	// MaxHops bounds chains of internal fetches (A fetches B fetches ...);
	// the request that would exceed it gets 508 Loop Detected.
	MaxHops int `mapstructure:"max_hops"`
}

// OutboundConfig opens private destinations to outbound fetch(), which by
// default refuses loopback, private, link-local, metadata and other
// non-public addresses (see package netsafe and docs/SEMANTICS.md).
type OutboundConfig struct {
	// AllowHosts may be reached although private: hostnames
	// ("db.internal", "*.corp.example"), host:port ("localhost:8080",
	// "[::1]:8080"), IPs ("10.0.0.5") or CIDRs ("10.1.0.0/16").
	AllowHosts []string `mapstructure:"allow_hosts"`
	// AllowPrivate turns the check off entirely: for development only.
	AllowPrivate bool `mapstructure:"allow_private"`
}

// PersistenceConfig chooses the store. Without postgres.url, state lives in
// SQLite under the data directory (the embedded default).
type PersistenceConfig struct {
	Postgres PostgresConfig `mapstructure:"postgres"`
}

// PostgresConfig is a Postgres store, for clusters.
type PostgresConfig struct {
	// URL is a libpq/pgx connection URL or keyword string, e.g.
	// "postgres://edge:secret@db:5432/edge". ${VAR} is expanded from the
	// environment, so the password need not be in the file.
	URL string `mapstructure:"url"`
}

// expandEnv expands ${VAR}s from the environment; a variable that is not
// set is an error, not an empty string.
func expandEnv(s string) (string, error) {
	var missing []string
	v := os.Expand(s, func(name string) string {
		v, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("names environment variables that are not set: %s (set them, or write the value out)", strings.Join(missing, ", "))
	}
	return v, nil
}

// Tokens maps each admin API token (expanded) to its account.
func (c *Config) Tokens() map[string]string {
	out := map[string]string{}
	for _, a := range c.Accounts {
		for _, t := range a.Tokens {
			if v, err := expandEnv(t); err == nil && v != "" {
				out[v] = a.Name
			}
		}
	}
	return out
}

// PostgresURL is persistence.postgres.url with ${VAR}s expanded ("" when
// not configured).
func (c *Config) PostgresURL() (string, error) {
	u, err := expandEnv(c.Persistence.Postgres.URL)
	if err != nil {
		return "", err
	}
	u = strings.TrimSpace(u)
	if u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") && !strings.Contains(u, "=") {
		return "", fmt.Errorf("%q is not a Postgres URL: want postgres://user:password@host:5432/database", redactURL(u))
	}
	return u, nil
}

// redactURL hides a URL's password.
func redactURL(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.User != nil {
		if _, has := pu.User.Password(); has {
			pu.User = url.UserPassword(pu.User.Username(), "xxxxx")
			return pu.String()
		}
	}
	return u
}

// OutboundAllowlist is the parsed outbound policy.
func (c *Config) OutboundAllowlist() (*netsafe.Allowlist, error) {
	return netsafe.NewAllowlist(c.Outbound.AllowHosts, c.Outbound.AllowPrivate)
}

// Defaults applied where the file is silent.
const (
	DefaultListen         = "127.0.0.1:8080"
	DefaultData           = ".edge"
	DefaultMaxBodyBytes   = 32 << 20
	DefaultRequestTimeout = "60s"
	DefaultCPUTime        = "30s"
	DefaultIdleTimeout    = "2m"
	DefaultHibernateAfter = "10s"
	DefaultWorkerIdle     = "30s"
	DefaultMaxActive      = 10000
	DefaultQueueLimit     = 1000
	DefaultMaxHops        = 16
)

// Problem is one thing wrong with a config: where, and what to do.
type Problem struct {
	File string
	Line int // 0 when unknown
	Key  string
	Msg  string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Key != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Key, p.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, p.Msg)
}

// Error lists every problem found in a config, so a user can fix them all in
// one pass.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "invalid config:\n  " + strings.Join(lines, "\n  ")
}

// ErrNotFound is returned when the config file does not exist.
var ErrNotFound = errors.New("config file not found")

var (
	labelRE  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// IsLabel reports whether s is a lowercase DNS label, the form of project
// and duplicate-coordinator names.
func IsLabel(s string) bool { return labelRE.MatchString(s) }

// IsHostname reports whether s is a lowercase host name with at least two
// labels (a custom domain such as api.example.com).
func IsHostname(s string) bool { return domainRE.MatchString(s) && strings.Contains(s, ".") }

// Load reads the config at path, applies EDGE_* environment overrides
// (EDGE_DOMAIN, EDGE_LISTEN, EDGE_DATA, ...), resolves entries relative to
// the file, and validates everything, reporting every problem at once.
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving config path %s: %w", path, err)
	}
	raw, err := os.ReadFile(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (pass --config with the path of your edge.yaml)", ErrNotFound, abs)
	}
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", abs, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, &Error{Problems: []Problem{{File: abs, Line: yamlErrorLine(err), Msg: "not valid YAML: " + err.Error()}}}
	}

	v := viper.New()
	v.SetConfigFile(abs)
	v.SetConfigType("yaml")
	v.SetEnvPrefix("EDGE")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	v.SetDefault("listen", DefaultListen)
	v.SetDefault("data", DefaultData)
	v.SetDefault("workers.instances", 0)
	v.SetDefault("limits.max_body_bytes", DefaultMaxBodyBytes)
	v.SetDefault("limits.request_timeout", DefaultRequestTimeout)
	v.SetDefault("limits.cpu_time", DefaultCPUTime)
	v.SetDefault("coordinators.idle_timeout", DefaultIdleTimeout)
	v.SetDefault("coordinators.hibernate_after", DefaultHibernateAfter)
	v.SetDefault("coordinators.max_active", DefaultMaxActive)
	v.SetDefault("coordinators.queue_limit", DefaultQueueLimit)
	v.SetDefault("workers.idle_timeout", DefaultWorkerIdle)
	v.SetDefault("limits.max_hops", DefaultMaxHops)
	v.SetDefault("admin.listen", "")
	v.SetDefault("outbound.allow_hosts", []string{})
	v.SetDefault("outbound.allow_private", false)
	// Known to viper so that EDGE_PERSISTENCE_POSTGRES_URL overrides it.
	v.SetDefault("persistence.postgres.url", "")
	setClusterDefaults(v)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("reading config %s: %w", abs, err)
	}
	var cfg Config
	if err := v.UnmarshalExact(&cfg); err != nil {
		return nil, &Error{Problems: []Problem{{File: abs, Msg: unmarshalMessage(err)}}}
	}
	cfg.File = abs
	// viper lowercases map keys; environment variable names are
	// case-sensitive, so read env maps straight from the YAML.
	var envs struct {
		Projects []struct {
			Env map[string]string `yaml:"env"`
		} `yaml:"projects"`
	}
	if err := root.Decode(&envs); err == nil {
		for i := range cfg.Projects {
			if i < len(envs.Projects) {
				cfg.Projects[i].Env = envs.Projects[i].Env
			}
		}
	}
	loc := locator{file: abs, root: &root}
	if problems := cfg.validate(loc); len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return &cfg, nil
}

func (c *Config) validate(loc locator) []Problem {
	var ps []Problem
	add := func(key, msg string) { ps = append(ps, loc.problem(key, msg)) }

	if c.Domain == "" {
		add("domain", "is required: the domain every project lives under, e.g. `domain: deno.dev`")
	} else if c.Domain = strings.ToLower(strings.TrimSuffix(c.Domain, ".")); !domainRE.MatchString(c.Domain) {
		add("domain", fmt.Sprintf("%q is not a valid domain name (lowercase letters, digits, hyphens and dots)", c.Domain))
	}
	accounts := map[string]bool{}
	for i := range c.Accounts {
		a := &c.Accounts[i]
		key := fmt.Sprintf("accounts[%d]", i)
		switch {
		case !IsLabel(a.Name):
			add(key+".name", fmt.Sprintf("%q is not a valid account name: use 1-63 lowercase letters, digits and hyphens", a.Name))
		case accounts[a.Name]:
			add(key+".name", fmt.Sprintf("%q is already used by another account", a.Name))
		}
		accounts[a.Name] = true
		for j, t := range a.Tokens {
			tk := fmt.Sprintf("%s.tokens[%d]", key, j)
			v, err := expandEnv(t)
			switch {
			case err != nil:
				add(tk, err.Error())
			case len(v) < 16:
				add(tk, "is shorter than 16 characters: use a long random secret, e.g. from `openssl rand -hex 32`, preferably through ${VAR}")
			}
		}
	}
	defaultAccount := DefaultAccount
	if len(c.Accounts) > 0 {
		defaultAccount = c.Accounts[0].Name
	}
	domains := map[string]string{}
	seen := map[string]int{}
	dir := filepath.Dir(loc.file)
	for i := range c.Projects {
		p := &c.Projects[i]
		key := fmt.Sprintf("projects[%d]", i)
		switch {
		case p.Name == "":
			add(key+".name", "is required")
		case !IsLabel(p.Name):
			add(key+".name", fmt.Sprintf("%q is not a valid project name: use 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen", p.Name))
		default:
			if j, dup := seen[p.Name]; dup {
				add(key+".name", fmt.Sprintf("%q is already used by projects[%d]; project names are unique", p.Name, j))
			}
			seen[p.Name] = i
		}
		if !validKind(p.Kind) {
			if p.Kind == "" {
				add(key+".kind", fmt.Sprintf("is required; valid kinds: %s", kindList()))
			} else {
				add(key+".kind", fmt.Sprintf("unknown kind %q; valid kinds: %s", p.Kind, kindList()))
			}
		}
		if p.Account == "" {
			p.Account = defaultAccount
		} else if len(c.Accounts) > 0 && !accounts[p.Account] {
			add(key+".account", fmt.Sprintf("unknown account %q; accounts are listed under accounts:", p.Account))
		}
		for j, d := range p.Domains {
			d = strings.ToLower(strings.TrimSuffix(d, "."))
			p.Domains[j] = d
			dk := fmt.Sprintf("%s.domains[%d]", key, j)
			switch {
			case !IsHostname(d):
				add(dk, fmt.Sprintf("%q is not a valid host name (e.g. api.example.com)", d))
			case c.Domain != "" && (d == c.Domain || strings.HasSuffix(d, "."+c.Domain)):
				add(dk, fmt.Sprintf("%q is under the platform's domain %s, which already routes by project name", d, c.Domain))
			case domains[d] != "":
				add(dk, fmt.Sprintf("%q is already served by project %s", d, domains[d]))
			default:
				domains[d] = p.Name
			}
		}
		if p.Entry == "" {
			add(key+".entry", "is required: the path of the project's main module, relative to the config file")
		} else {
			if !filepath.IsAbs(p.Entry) {
				p.Entry = filepath.Join(dir, p.Entry)
			}
			if st, err := os.Stat(p.Entry); err != nil {
				add(key+".entry", fmt.Sprintf("file %s does not exist (entries are relative to the config file)", p.Entry))
			} else if st.IsDir() {
				add(key+".entry", fmt.Sprintf("%s is a directory; name the module file, e.g. %s", p.Entry, filepath.Join(p.Entry, "mod.ts")))
			}
		}
	}
	if c.Workers.Instances < 0 {
		add("workers.instances", "must be 0 (one per CPU) or more")
	}
	if _, err := c.WorkerIdleTimeout(); err != nil {
		add("workers.idle_timeout", err.Error())
	}
	if c.Coordinators.MaxActive < 0 {
		add("coordinators.max_active", "must be 0 (no bound) or more")
	}
	if c.Coordinators.QueueLimit < 1 {
		add("coordinators.queue_limit", "must be at least 1")
	}
	if c.Limits.MaxHops < 1 {
		add("limits.max_hops", "must be at least 1")
	}
	if c.Admin.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Admin.Listen); err != nil {
			add("admin.listen", fmt.Sprintf("%q is not host:port, e.g. 127.0.0.1:8081", c.Admin.Listen))
		} else if c.Admin.Listen == c.Listen {
			add("admin.listen", "is the public listener's address: the admin API needs its own (e.g. 127.0.0.1:8081)")
		}
	}
	if c.Limits.MaxBodyBytes <= 0 {
		add("limits.max_body_bytes", "must be a positive number of bytes")
	}
	if _, err := c.RequestTimeout(); err != nil {
		add("limits.request_timeout", err.Error())
	}
	if _, err := c.CPUTime(); err != nil {
		add("limits.cpu_time", err.Error())
	}
	if _, err := c.IdleTimeout(); err != nil {
		add("coordinators.idle_timeout", err.Error())
	}
	if _, err := c.HibernateAfter(); err != nil {
		add("coordinators.hibernate_after", err.Error())
	}
	if _, err := c.PostgresURL(); err != nil {
		add("persistence.postgres.url", err.Error())
	}
	for i, h := range c.Outbound.AllowHosts {
		if err := netsafe.ParseEntry(h); err != nil {
			add(fmt.Sprintf("outbound.allow_hosts[%d]", i), err.Error())
		}
	}
	c.validateCluster(add)
	return ps
}

func validKind(k Kind) bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Project returns the named project.
func (c *Config) Project(name string) (Project, bool) {
	for _, p := range c.Projects {
		if p.Name == name {
			return p, true
		}
	}
	return Project{}, false
}

// unmarshalMessage turns mapstructure's errors (unknown keys, wrong types)
// into one readable line.
func unmarshalMessage(err error) string {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, "decoding failed due to the following error(s):\n\n", "")
	parts := strings.Split(msg, "\n")
	sort.Strings(parts)
	out := []string{}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ") + " (see the config reference in README.md)"
}

// locator finds the line of a key such as "projects[1].kind" in the YAML.
type locator struct {
	file string
	root *yaml.Node
}

func (l locator) problem(key, msg string) Problem {
	return Problem{File: l.file, Line: l.line(key), Key: key, Msg: msg}
}

var indexRE = regexp.MustCompile(`^([^\[]+)\[(\d+)\]$`)

func (l locator) line(key string) int {
	n := l.root
	if n == nil || len(n.Content) == 0 {
		return 0
	}
	n = n.Content[0]
	line := n.Line
	for _, part := range strings.Split(key, ".") {
		name, idx := part, -1
		if m := indexRE.FindStringSubmatch(part); m != nil {
			name = m[1]
			fmt.Sscan(m[2], &idx) //nolint:errcheck // the regexp guarantees digits
		}
		next, keyLine := mapValue(n, name)
		if next == nil {
			return line
		}
		line, n = keyLine, next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}

func mapValue(n *yaml.Node, key string) (*yaml.Node, int) {
	if n.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1], n.Content[i].Line
		}
	}
	return nil, 0
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		var n int
		fmt.Sscan(m[1], &n) //nolint:errcheck // digits by construction
		return n
	}
	return 0
}

// RequestTimeout parses limits.request_timeout.
func (c *Config) RequestTimeout() (time.Duration, error) {
	d, err := time.ParseDuration(c.Limits.RequestTimeout)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 30s or 2m", c.Limits.RequestTimeout)
	}
	return d, nil
}

// CPUTime parses limits.cpu_time.
func (c *Config) CPUTime() (time.Duration, error) {
	d, err := time.ParseDuration(c.Limits.CPUTime)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 50ms or 30s", c.Limits.CPUTime)
	}
	return d, nil
}

// WorkerIdleTimeout parses workers.idle_timeout.
func (c *Config) WorkerIdleTimeout() (time.Duration, error) {
	d, err := time.ParseDuration(c.Workers.IdleTimeout)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 30s", c.Workers.IdleTimeout)
	}
	return d, nil
}

// HibernateAfter parses coordinators.hibernate_after; 0 means off.
func (c *Config) HibernateAfter() (time.Duration, error) {
	if c.Coordinators.HibernateAfter == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(c.Coordinators.HibernateAfter)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 10s or 1m (0s turns hibernation off)", c.Coordinators.HibernateAfter)
	}
	return d, nil
}

// IdleTimeout parses coordinators.idle_timeout; 0 means never passivate.
func (c *Config) IdleTimeout() (time.Duration, error) {
	d, err := time.ParseDuration(c.Coordinators.IdleTimeout)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 2m or 30s (0s keeps activations forever)", c.Coordinators.IdleTimeout)
	}
	return d, nil
}
