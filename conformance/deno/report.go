package deno

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// compare returns a readable description of how edge's response differs from
// Deno's, or "" if they agree.
func compare(cs Case, deno, edge Response) string {
	var d []string
	if deno.Err != "" || edge.Err != "" {
		if deno.Err != "" {
			d = append(d, "deno: "+deno.Err)
		}
		if edge.Err != "" {
			d = append(d, "edge: "+edge.Err)
		}
		return strings.Join(d, "\n")
	}
	if deno.Status != edge.Status {
		d = append(d, fmt.Sprintf("status: deno %d, edge %d", deno.Status, edge.Status))
	}
	if cs.StatusOnly {
		return strings.Join(d, "\n")
	}
	names := map[string]bool{}
	for k := range deno.Header {
		names[k] = true
	}
	for k := range edge.Header {
		names[k] = true
	}
	var sorted []string
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		dv, dok := deno.Header[k]
		ev, eok := edge.Header[k]
		if dv != ev || dok != eok {
			d = append(d, fmt.Sprintf("header %s: deno %s, edge %s", k, quoteOrMissing(dv, dok), quoteOrMissing(ev, eok)))
		}
	}
	if !bytes.Equal(deno.Body, edge.Body) {
		d = append(d, bodyDiff(deno.Body, edge.Body)...)
	}
	return strings.Join(d, "\n")
}

func quoteOrMissing(v string, ok bool) string {
	if !ok {
		return "(absent)"
	}
	return fmt.Sprintf("%q", v)
}

// bodyDiff describes two different bodies: key by key when both are JSON
// objects (the corpus's summaries), else the first difference and both
// bodies.
func bodyDiff(a, b []byte) []string {
	var ja, jb map[string]json.RawMessage
	if json.Unmarshal(a, &ja) == nil && json.Unmarshal(b, &jb) == nil && ja != nil && jb != nil {
		keys := map[string]bool{}
		for k := range ja {
			keys[k] = true
		}
		for k := range jb {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var d []string
		for _, k := range sorted {
			va, oka := ja[k]
			vb, okb := jb[k]
			ca, cb := compact(va, oka), compact(vb, okb)
			if ca != cb {
				d = append(d, fmt.Sprintf("body.%s: deno %s, edge %s", k, ca, cb))
			}
		}
		if len(d) > 0 {
			return d
		}
		// Same members, different bytes (order or spacing).
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return []string{
		fmt.Sprintf("body differs at byte %d (deno %d bytes, edge %d bytes)", i, len(a), len(b)),
		"  deno: " + clip(a),
		"  edge: " + clip(b),
	}
}

func compact(v json.RawMessage, ok bool) string {
	if !ok {
		return "(absent)"
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return clipString(buf.String(), 300)
}

func clip(b []byte) string { return clipString(fmt.Sprintf("%q", b), 600) }

func clipString(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Report is the outcome of a run.
type Report struct {
	Corpus      *Corpus
	DenoVersion string
	Results     []Result
}

// Counts of a report's cases.
type Counts struct {
	Programs, Cases, Equal, Deviations, Unexpected, Stale int
}

// Stale lists the deviations.json keys (of the programs that ran) under which
// no case differs any more.
func (r *Report) Stale() []string {
	ran := map[string]bool{}
	differs := map[string]bool{}
	for _, res := range r.Results {
		ran[res.Program] = true
		ran[res.Program+": "+res.Case.Name] = true
		if res.Diff != "" {
			differs[res.Program] = true
			differs[res.Program+": "+res.Case.Name] = true
		}
	}
	var stale []string
	for key := range r.Corpus.Deviations {
		if ran[key] && !differs[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	return stale
}

// Counts tallies the report.
func (r *Report) Counts() Counts {
	c := Counts{Stale: len(r.Stale())}
	progs := map[string]bool{}
	for _, res := range r.Results {
		progs[res.Program] = true
		c.Cases++
		switch {
		case res.Diff == "":
			c.Equal++
		case res.Reason != "":
			c.Deviations++
		default:
			c.Unexpected++
		}
	}
	c.Programs = len(progs)
	return c
}

// Summary is the one-line outcome.
func (r *Report) Summary() string {
	c := r.Counts()
	return fmt.Sprintf("%d programs, %d cases against %s: %d equal, %d listed deviations, %d unexpected differences, %d stale deviations",
		c.Programs, c.Cases, r.DenoVersion, c.Equal, c.Deviations, c.Unexpected, c.Stale)
}

// Problems describes every failure: each unexpected difference, and each
// listed deviation that no longer differs.
func (r *Report) Problems() []string {
	var out []string
	for _, res := range r.Results {
		if res.Diff == "" || res.Reason != "" {
			continue
		}
		out = append(out, describe(res, true))
	}
	for _, key := range r.Stale() {
		out = append(out, fmt.Sprintf("%s: listed in conformance/deno/deviations.json (%q) but edge now answers like Deno: remove the entry", key, r.Corpus.Deviations[key]))
	}
	return out
}

func describe(res Result, logs bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s differs from Deno:\n%s", res.Program, res.Case.Method, res.Case.Path, indent(res.Diff))
	if res.Case.Name != res.Case.Method+" "+res.Case.Path {
		fmt.Fprintf(&b, "\n  (case %q)", res.Case.Name)
	}
	if logs && res.EdgeLog != "" {
		fmt.Fprintf(&b, "\n  edge log:\n%s", indent(indent(res.EdgeLog)))
	}
	return b.String()
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// Table is a line per case (ok, deviation or DIFF), with the differences
// under each differing case; verbose adds both runtimes' logs and, for equal
// cases, the body.
func (r *Report) Table(verbose bool) string {
	var b strings.Builder
	for _, res := range r.Results {
		mark := "ok  "
		switch {
		case res.Diff != "" && res.Reason != "":
			mark = "dev "
		case res.Diff != "":
			mark = "DIFF"
		}
		fmt.Fprintf(&b, "%s %-28s %s\n", mark, res.Program, res.Case.Name)
		if res.Diff != "" {
			b.WriteString(indent(indent(res.Diff)) + "\n")
			if res.Reason != "" {
				fmt.Fprintf(&b, "      accepted: %s\n", res.Reason)
			}
		}
		if verbose {
			if res.Diff == "" {
				fmt.Fprintf(&b, "      %d %s\n", res.Deno.Status, clip(res.Deno.Body))
			}
			if res.DenoLog != "" {
				b.WriteString("      deno output:\n" + indent(indent(indent(res.DenoLog))) + "\n")
			}
			if res.EdgeLog != "" {
				b.WriteString("      edge log:\n" + indent(indent(indent(res.EdgeLog))) + "\n")
			}
		}
	}
	for _, key := range r.Stale() {
		fmt.Fprintf(&b, "STALE %s: listed in deviations.json but no longer differs\n", key)
	}
	b.WriteString(r.Summary() + "\n")
	return b.String()
}

// DenoTable shows Deno's answers alone (a DenoOnly run): the way to check the
// corpus says what it means to.
func (r *Report) DenoTable() string {
	var b strings.Builder
	for _, res := range r.Results {
		fmt.Fprintf(&b, "%-28s %s -> %d", res.Program, res.Case.Name, res.Deno.Status)
		var hs []string
		for k, v := range res.Deno.Header {
			hs = append(hs, k+": "+v)
		}
		sort.Strings(hs)
		if len(hs) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(hs, "; "))
		}
		fmt.Fprintf(&b, "\n    %s\n", clipString(fmt.Sprintf("%q", res.Deno.Body), 4000))
		if res.Deno.Err != "" {
			b.WriteString(indent(indent(res.Deno.Err)) + "\n")
		}
		if res.DenoLog != "" {
			b.WriteString(indent(indent(res.DenoLog)) + "\n")
		}
	}
	return b.String()
}

const (
	docsStart = "<!-- deno-diff:start -->"
	docsEnd   = "<!-- deno-diff:end -->"
)

// DocSection is the generated part of docs/CONFORMANCE.md.
func (r *Report) DocSection() string {
	c := r.Counts()
	var b strings.Builder
	fmt.Fprintf(&b, "Last run: `go run ./conformance/deno/cmd/diff -update-docs` against %s.\n\n", r.DenoVersion)
	fmt.Fprintf(&b, "| programs | cases | equal | listed deviations | unexpected differences |\n|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d |\n", c.Programs, c.Cases, c.Equal, c.Deviations, c.Unexpected)
	keys := make([]string, 0, len(r.Corpus.Deviations))
	for k := range r.Corpus.Deviations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("\nAccepted deviations (`conformance/deno/deviations.json`):\n\n")
	if len(keys) == 0 {
		b.WriteString("- none\n")
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "- `%s`: %s\n", k, r.Corpus.Deviations[k])
	}
	var unexpected []string
	seen := map[string]bool{}
	for _, res := range r.Results {
		if res.Diff != "" && res.Reason == "" && !seen[res.Program] {
			seen[res.Program] = true
			unexpected = append(unexpected, "`"+res.Program+"`")
		}
	}
	if len(unexpected) > 0 {
		fmt.Fprintf(&b, "\nPrograms that differ without an accepted reason (the test fails on these): %s.\n", strings.Join(unexpected, ", "))
	}
	return b.String()
}

// UpdateDocs replaces the text between the deno-diff markers of the file at
// path with section.
func UpdateDocs(path, section string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i := strings.Index(s, docsStart)
	j := strings.Index(s, docsEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %s ... %s section", path, docsStart, docsEnd)
	}
	s = s[:i+len(docsStart)] + "\n" + section + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
