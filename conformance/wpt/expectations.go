package wpt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
)

// UpdateCommand regenerates the expectations file from a run.
const UpdateCommand = "go run ./conformance/wpt/cmd/wpt -update-expectations"

// Expectations is expectations.json: what is known not to pass, per file
// run (path plus variant, e.g. "encoding/api-invalid-label.any.js?1-1000").
type Expectations struct {
	Comment string                     `json:"comment,omitempty"`
	Files   map[string]FileExpectation `json:"files"`
}

// FileExpectation is what one file run is expected to do.
type FileExpectation struct {
	// Comment is free text, kept across updates.
	Comment string `json:"comment,omitempty"`
	// Skip, when set, is why the file is not run at all; kept across updates.
	Skip string `json:"skip,omitempty"`
	// Harness is the expected harness status when it is not OK (ERROR or TIMEOUT).
	Harness string `json:"harness,omitempty"`
	// Fail lists the subtests expected not to pass (FAIL, TIMEOUT, NOTRUN or
	// PRECONDITION_FAILED).
	Fail []string `json:"fail,omitempty"`
}

// LoadExpectations reads an expectations file; a missing file is empty.
func LoadExpectations(file string) (*Expectations, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return &Expectations{Files: map[string]FileExpectation{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var e Expectations
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("reading %s: %w (fix the JSON by hand or regenerate it with %s)", file, err, UpdateCommand)
	}
	if e.Files == nil {
		e.Files = map[string]FileExpectation{}
	}
	return &e, nil
}

// Save writes the expectations as indented JSON with sorted keys.
func (e *Expectations) Save(file string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		return err
	}
	return os.WriteFile(file, buf.Bytes(), 0o644)
}

// Skipped reports whether the file run id is skipped, and why.
func (e *Expectations) Skipped(id string) (string, bool) {
	fe, ok := e.Files[id]
	if !ok || fe.Skip == "" {
		return "", false
	}
	return fe.Skip, true
}

// Updated returns expectations matching results: every subtest that did
// not pass and every harness status other than OK. Comments and skips are
// kept; entries of files that were not run are kept only if keepUnrun.
func (e *Expectations) Updated(results []Result, keepUnrun bool) *Expectations {
	out := &Expectations{Comment: e.Comment, Files: map[string]FileExpectation{}}
	ran := map[string]bool{}
	for _, r := range results {
		ran[r.ID()] = true
		old := e.Files[r.ID()]
		fe := FileExpectation{Comment: old.Comment}
		if r.Harness != HarnessOK {
			fe.Harness = r.Harness
		}
		for _, s := range r.Subtests {
			if s.Status != Pass {
				fe.Fail = append(fe.Fail, s.Name)
			}
		}
		sort.Strings(fe.Fail)
		if fe.Harness != "" || len(fe.Fail) > 0 || fe.Comment != "" {
			out.Files[r.ID()] = fe
		}
	}
	for id, fe := range e.Files {
		if !ran[id] && (fe.Skip != "" || keepUnrun) {
			out.Files[id] = fe
		}
	}
	return out
}

// Problem is a difference between a run and the expectations.
type Problem struct {
	ID      string
	Subtest string
	// Kind is "regression", "unexpected pass", "harness" or "stale".
	Kind    string
	Message string
}

func (p Problem) String() string {
	s := p.Kind + ": " + p.ID
	if p.Subtest != "" {
		s += ": " + p.Subtest
	}
	if p.Message != "" {
		s += ": " + p.Message
	}
	return s
}

// Check compares one file run's result with its expectation.
func (e *Expectations) Check(r Result) []Problem {
	id := r.ID()
	fe := e.Files[id]
	var out []Problem
	wantHarness := fe.Harness
	if wantHarness == "" {
		wantHarness = HarnessOK
	}
	if r.Harness != wantHarness {
		msg := fmt.Sprintf("harness status %s, expected %s", r.Harness, wantHarness)
		if r.HarnessMessage != "" {
			msg += " (" + r.HarnessMessage + ")"
		}
		if r.Harness == HarnessOK {
			msg += "; if that is an improvement, run " + UpdateCommand
		}
		out = append(out, Problem{ID: id, Kind: "harness", Message: msg})
	}
	byName := map[string]Subtest{}
	for _, s := range r.Subtests {
		byName[s.Name] = s
		if s.Status != Pass && !slices.Contains(fe.Fail, s.Name) {
			msg := s.Status
			if s.Message != "" {
				msg += ": " + s.Message
			}
			out = append(out, Problem{ID: id, Subtest: s.Name, Kind: "regression", Message: msg})
		}
	}
	for _, name := range fe.Fail {
		s, ok := byName[name]
		switch {
		case !ok:
			out = append(out, Problem{ID: id, Subtest: name, Kind: "stale",
				Message: "expected to fail but no longer reported; run " + UpdateCommand})
		case s.Status == Pass:
			out = append(out, Problem{ID: id, Subtest: name, Kind: "unexpected pass",
				Message: "expected to fail but passes; run " + UpdateCommand})
		}
	}
	return out
}

// Stale lists expectation entries (not skips) for file runs that no longer
// exist among ids.
func (e *Expectations) Stale(ids []string) []Problem {
	have := map[string]bool{}
	for _, id := range ids {
		have[id] = true
	}
	var out []Problem
	for id, fe := range e.Files {
		if !have[id] && fe.Skip == "" {
			out = append(out, Problem{ID: id, Kind: "stale",
				Message: "no such test file or variant; run " + UpdateCommand})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Summary is pass counts for one directory (or the total).
type Summary struct {
	Dir      string
	Files    int
	Subtests int
	Passed   int
}

// Percent is Passed/Subtests as a percentage.
func (s Summary) Percent() float64 {
	if s.Subtests == 0 {
		return 0
	}
	return 100 * float64(s.Passed) / float64(s.Subtests)
}

// Summarize groups results by directory (a file counts once whatever its
// variants) and returns the rows sorted by directory and the total.
func Summarize(results []Result) ([]Summary, Summary) {
	rows := map[string]*Summary{}
	files := map[string]map[string]bool{}
	for _, r := range results {
		dir := r.File
		if i := strings.LastIndex(dir, "/"); i >= 0 {
			dir = dir[:i]
		} else {
			dir = "."
		}
		s := rows[dir]
		if s == nil {
			s = &Summary{Dir: dir}
			rows[dir] = s
			files[dir] = map[string]bool{}
		}
		files[dir][r.File] = true
		s.Subtests += len(r.Subtests)
		s.Passed += r.Passed()
	}
	var out []Summary
	total := Summary{Dir: "total"}
	for dir, s := range rows {
		s.Files = len(files[dir])
		out = append(out, *s)
		total.Files += s.Files
		total.Subtests += s.Subtests
		total.Passed += s.Passed
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	return out, total
}

// Table renders summaries as a Markdown table with a total line.
func Table(rows []Summary, total Summary) string {
	var b strings.Builder
	b.WriteString("| directory | files | subtests | passed | % |\n|---|---:|---:|---:|---:|\n")
	for _, s := range append(rows, total) {
		name := "`" + s.Dir + "`"
		if s.Dir == "total" {
			name = "**total**"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.1f |\n", name, s.Files, s.Subtests, s.Passed, s.Percent())
	}
	return b.String()
}
