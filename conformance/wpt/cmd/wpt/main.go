// Command wpt runs the Web Platform Tests inside edge's runtime and prints
// pass counts per directory. See docs/CONFORMANCE.md.
//
//	go run ./conformance/wpt/cmd/wpt [-run regexp] [-v] [-update-expectations] [-update-docs]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"sort"

	"github.com/edge-platform/edge/conformance/wpt"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "wpt:", err)
		os.Exit(1)
	}
}

func run() error {
	runFlag := flag.String("run", "", "run only the file runs (path plus variant) matching this regexp")
	verbose := flag.Bool("v", false, "print every failing subtest with its message")
	updateExp := flag.Bool("update-expectations", false, "rewrite conformance/wpt/expectations.json from the current failures")
	updateDocs := flag.Bool("update-docs", false, "rewrite the WPT table in docs/CONFORMANCE.md")
	parallel := flag.Int("parallel", runtime.GOMAXPROCS(0), "files to run at once")
	flag.Parse()

	paths, err := wpt.Locate(".")
	if err != nil {
		return err
	}
	if err := paths.DirExists(); err != nil {
		return err
	}
	var filter *regexp.Regexp
	if *runFlag != "" {
		if filter, err = regexp.Compile(*runFlag); err != nil {
			return fmt.Errorf("-run: %w", err)
		}
	}
	exp, err := wpt.LoadExpectations(paths.Expectations)
	if err != nil {
		return err
	}
	suite, err := wpt.Plan(paths.Dir, exp, filter)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "running %d file runs from %s (%d skipped by expectations)\n", len(suite.Jobs), paths.Dir, len(suite.Skipped))
	results := suite.Run(context.Background(), &wpt.Runner{Dir: paths.Dir}, *parallel, func(r wpt.Result) {
		fmt.Fprintf(os.Stderr, "%-70s %3d/%-3d %s %s\n", r.ID(), r.Passed(), len(r.Subtests), r.Harness, r.Duration.Round(1e6))
	})
	sort.Slice(results, func(i, j int) bool { return results[i].ID() < results[j].ID() })

	problems := 0
	for _, r := range results {
		if *verbose {
			if r.Harness != wpt.HarnessOK {
				fmt.Printf("%s: harness %s: %s\n", r.ID(), r.Harness, r.HarnessMessage)
			}
			for _, s := range r.Subtests {
				if s.Status != wpt.Pass {
					fmt.Printf("%s: %s: %s: %s\n", r.ID(), s.Name, s.Status, s.Message)
				}
			}
		}
		if !*updateExp {
			for _, p := range exp.Check(r) {
				if !*verbose {
					fmt.Fprintln(os.Stderr, p)
				}
				problems++
			}
		}
	}
	rows, total := wpt.Summarize(results)
	table := wpt.Table(rows, total)
	fmt.Print("\n" + table)
	fmt.Printf("\n%d/%d subtests pass (%.1f%%)\n", total.Passed, total.Subtests, total.Percent())

	if *updateExp {
		next := exp.Updated(results, filter != nil)
		if err := next.Save(paths.Expectations); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s (%d entries)\n", paths.Expectations, len(next.Files))
	}
	if *updateDocs {
		if filter != nil {
			return fmt.Errorf("-update-docs needs the whole suite: drop -run")
		}
		if err := wpt.UpdateDocs(paths.Docs, table); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "updated %s\n", paths.Docs)
	}
	if problems > 0 {
		return fmt.Errorf("%d differences from the expectations; if they are intended, run with -update-expectations and review the diff", problems)
	}
	return nil
}
