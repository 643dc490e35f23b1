package wpt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// DirEnv overrides the WPT directory.
const DirEnv = "EDGE_WPT_DIR"

// RepoRoot finds the repository root (the directory whose go.mod declares
// module github.com/edge-platform/edge) at or above from.
func RepoRoot(from string) (string, error) {
	dir, err := filepath.Abs(from)
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module github.com/edge-platform/edge\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module github.com/edge-platform/edge at or above %s: run from inside the repository", from)
		}
		dir = parent
	}
}

// Paths are where the suite's inputs live.
type Paths struct {
	Root         string // repository root
	Dir          string // WPT data (EDGE_WPT_DIR or <root>/../shared/conformance/wpt)
	Expectations string // <root>/conformance/wpt/expectations.json
	Docs         string // <root>/docs/CONFORMANCE.md
}

// Locate resolves the suite's paths from a directory inside the repository.
// It does not check that the WPT directory exists; see DirExists.
func Locate(from string) (Paths, error) {
	root, err := RepoRoot(from)
	if err != nil {
		return Paths{}, err
	}
	p := Paths{
		Root:         root,
		Dir:          filepath.Join(root, filepath.FromSlash(DefaultDir)),
		Expectations: filepath.Join(root, "conformance", "wpt", "expectations.json"),
		Docs:         filepath.Join(root, "docs", "CONFORMANCE.md"),
	}
	if d := os.Getenv(DirEnv); d != "" {
		p.Dir, err = filepath.Abs(d)
		if err != nil {
			return Paths{}, err
		}
	}
	return p, nil
}

// DirExists reports whether the WPT directory is there, with a message
// naming the missing path when it is not.
func (p Paths) DirExists() error {
	st, err := os.Stat(p.Dir)
	if err == nil && st.IsDir() {
		return nil
	}
	if err == nil {
		err = errors.New("not a directory")
	}
	return fmt.Errorf("WPT data directory %s is missing (%v): check out the shared conformance data beside the repository or set %s", p.Dir, err, DirEnv)
}

// Suite is a planned run: the jobs to run and the ones skipped by the
// expectations.
type Suite struct {
	Jobs    []Job
	Skipped map[string]string // id -> reason
	AllIDs  []string          // every file run id, filtered or not
}

// Plan discovers the files under dir and splits them into jobs to run
// (matching filter, nil: all) and skipped ones.
func Plan(dir string, exp *Expectations, filter *regexp.Regexp) (*Suite, error) {
	files, err := Discover(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.any.js files under %s", dir)
	}
	s := &Suite{Skipped: map[string]string{}}
	for _, j := range Jobs(files, nil) {
		s.AllIDs = append(s.AllIDs, ID(j.File.Path, j.Variant))
	}
	for _, j := range Jobs(files, filter) {
		id := ID(j.File.Path, j.Variant)
		if reason, ok := exp.Skipped(id); ok {
			s.Skipped[id] = reason
			continue
		}
		s.Jobs = append(s.Jobs, j)
	}
	return s, nil
}

// Run runs the planned jobs.
func (s *Suite) Run(ctx context.Context, r *Runner, parallel int, onResult func(Result)) []Result {
	return r.RunAll(ctx, s.Jobs, parallel, onResult)
}
