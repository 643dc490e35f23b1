// Package deno runs the differential conformance suite: the same handler
// programs (programs/*.js, *.ts) under real Deno and under edge, with the same
// requests (cases.json), comparing status, the headers that matter and the
// body. Known, accepted differences are listed in deviations.json.
//
// The test (differential_test.go) and the command (cmd/diff) share this
// package. See docs/CONFORMANCE.md, "Differential runs against Deno".
package deno

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Case is one request sent to both runtimes.
type Case struct {
	// Name identifies the case within its program (deviations.json uses
	// "program: name"); default "METHOD path".
	Name    string            `json:"name,omitempty"`
	Method  string            `json:"method,omitempty"` // default GET
	Path    string            `json:"path,omitempty"`   // default /
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	// StatusOnly compares the status alone (error pages differ by design:
	// a handler that throws is a 500 in both, with different bodies).
	StatusOnly bool `json:"statusOnly,omitempty"`
}

// Program is one handler module of the corpus.
type Program struct {
	Name string // file name without extension; also the edge project name
	Path string // absolute
	// DefaultExport is true for `export default { fetch }` modules, which
	// Deno runs with `deno serve`; the others call Deno.serve and run with
	// `deno run`.
	DefaultExport bool
	Env           map[string]string // Deno.env for both runtimes
	// KV runs the program under Deno with --unstable-kv, read and write
	// access, and KV_PATH naming a fresh database file (Deno.openKv(
	// Deno.env.get("KV_PATH"))). Edge gets no KV_PATH: Deno.openKv()
	// opens the project's store.
	KV    bool
	Cases []Case
}

// programSpec is a program's entry in cases.json.
type programSpec struct {
	Env   map[string]string `json:"env,omitempty"`
	KV    bool              `json:"kv,omitempty"`
	Cases []Case            `json:"cases,omitempty"`
}

// Corpus is the suite's programs and the accepted deviations.
type Corpus struct {
	Dir        string // conformance/deno
	Programs   []*Program
	Deviations map[string]string // "program" or "program: case" -> reason
}

var (
	labelRE         = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	defaultExportRE = regexp.MustCompile(`(?m)^export\s+default\b`)
)

// FindRoot walks up from the working directory to the directory holding
// go.mod (the repository root).
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// readJSONObject reads a JSON object file; keys starting with "_" are
// comments and are dropped.
func readJSONObject(path string, into map[string]json.RawMessage) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for k := range into {
		if strings.HasPrefix(k, "_") {
			delete(into, k)
		}
	}
	return nil
}

// LoadCorpus reads programs/, cases.json and deviations.json under dir and
// checks that they agree with each other.
func LoadCorpus(dir string) (*Corpus, error) {
	c := &Corpus{Dir: dir, Deviations: map[string]string{}}
	var problems []string
	entries, err := os.ReadDir(filepath.Join(dir, "programs"))
	if err != nil {
		return nil, err
	}
	byName := map[string]*Program{}
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".js" && ext != ".ts") {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ext)
		if !labelRE.MatchString(name) {
			problems = append(problems, fmt.Sprintf("programs/%s: the name must be a DNS label (lowercase letters, digits, hyphens): it is the edge project name", e.Name()))
			continue
		}
		if byName[name] != nil {
			problems = append(problems, fmt.Sprintf("programs/%s: two programs named %s", e.Name(), name))
			continue
		}
		path := filepath.Join(dir, "programs", e.Name())
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		p := &Program{Name: name, Path: path, DefaultExport: defaultExportRE.Match(src)}
		byName[name] = p
		c.Programs = append(c.Programs, p)
	}
	sort.Slice(c.Programs, func(i, j int) bool { return c.Programs[i].Name < c.Programs[j].Name })

	raw := map[string]json.RawMessage{}
	if err := readJSONObject(filepath.Join(dir, "cases.json"), raw); err != nil {
		return nil, err
	}
	for name, msg := range raw {
		p := byName[name]
		if p == nil {
			problems = append(problems, fmt.Sprintf("cases.json: %q names no program in programs/", name))
			continue
		}
		var spec programSpec
		dec := json.NewDecoder(strings.NewReader(string(msg)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&spec); err != nil {
			problems = append(problems, fmt.Sprintf("cases.json: %s: %v", name, err))
			continue
		}
		p.Env = spec.Env
		p.KV = spec.KV
		p.Cases = spec.Cases
	}
	for _, p := range c.Programs {
		if len(p.Cases) == 0 {
			p.Cases = []Case{{}}
		}
		seen := map[string]bool{}
		for i := range p.Cases {
			cs := &p.Cases[i]
			if cs.Method == "" {
				cs.Method = "GET"
			}
			if cs.Path == "" {
				cs.Path = "/"
			}
			if cs.Name == "" {
				cs.Name = cs.Method + " " + cs.Path
			}
			if seen[cs.Name] {
				problems = append(problems, fmt.Sprintf("cases.json: %s: two cases named %q (give them names)", p.Name, cs.Name))
			}
			seen[cs.Name] = true
		}
	}

	raw = map[string]json.RawMessage{}
	if err := readJSONObject(filepath.Join(dir, "deviations.json"), raw); err != nil {
		return nil, err
	}
	for key, msg := range raw {
		var reason string
		if err := json.Unmarshal(msg, &reason); err != nil || strings.TrimSpace(reason) == "" {
			problems = append(problems, fmt.Sprintf("deviations.json: %q: the value must be the reason, a non-empty string", key))
			continue
		}
		prog, cs, _ := strings.Cut(key, ": ")
		p := byName[prog]
		if p == nil {
			problems = append(problems, fmt.Sprintf("deviations.json: %q names no program in programs/", key))
			continue
		}
		if cs != "" && !p.hasCase(cs) {
			problems = append(problems, fmt.Sprintf("deviations.json: %q: program %s has no case %q", key, prog, cs))
			continue
		}
		c.Deviations[key] = reason
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return c, nil
}

func (p *Program) hasCase(name string) bool {
	for _, cs := range p.Cases {
		if cs.Name == name {
			return true
		}
	}
	return false
}

// Filter keeps the programs whose names match re.
func (c *Corpus) Filter(re *regexp.Regexp) {
	if re == nil {
		return
	}
	var kept []*Program
	for _, p := range c.Programs {
		if re.MatchString(p.Name) {
			kept = append(kept, p)
		}
	}
	c.Programs = kept
}

// deviation returns the accepted-deviation key and reason that cover a case.
func (c *Corpus) deviation(prog, cs string) (string, string) {
	if r, ok := c.Deviations[prog+": "+cs]; ok {
		return prog + ": " + cs, r
	}
	if r, ok := c.Deviations[prog]; ok {
		return prog, r
	}
	return "", ""
}
