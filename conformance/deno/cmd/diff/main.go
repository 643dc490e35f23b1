// Command diff runs the differential suite (conformance/deno) and prints a
// line per case: the same programs under real Deno and under edge.
//
//	go run ./conformance/deno/cmd/diff [-run regexp] [-v] [-deno-only] [-update-docs]
//
// Deno comes from $EDGE_DENO or `make deno`. The exit status is 1 when a
// difference is not listed in deviations.json or a listed one no longer
// differs, as in TestDenoDifferential.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/edge-platform/edge/conformance/deno"
)

func main() {
	run := flag.String("run", "", "only programs whose names match this regexp")
	verbose := flag.Bool("v", false, "also print bodies of equal cases and both runtimes' logs")
	denoOnly := flag.Bool("deno-only", false, "run the programs under Deno only and print its responses (to review the corpus)")
	updateDocs := flag.Bool("update-docs", false, "rewrite the deno-diff section of docs/CONFORMANCE.md (whole corpus only)")
	race := flag.Bool("race", false, "build edge with -race")
	parallel := flag.Int("parallel", 3, "Deno processes at once")
	flag.Parse()
	if err := main1(*run, *verbose, *denoOnly, *updateDocs, *race, *parallel); err != nil {
		fmt.Fprintln(os.Stderr, "diff:", err)
		os.Exit(2)
	}
}

func main1(run string, verbose, denoOnly, updateDocs, race bool, parallel int) error {
	root, err := deno.FindRoot()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "conformance", "deno")
	bin := deno.FindDeno(dir)
	if bin == "" {
		return fmt.Errorf("no deno: run `make deno` or set EDGE_DENO")
	}
	corpus, err := deno.LoadCorpus(dir)
	if err != nil {
		return err
	}
	if run != "" {
		if updateDocs {
			return fmt.Errorf("-update-docs records the whole corpus: drop -run")
		}
		re, err := regexp.Compile(run)
		if err != nil {
			return err
		}
		corpus.Filter(re)
	}
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	rep, err := deno.Run(context.Background(), corpus, deno.Options{
		Root: root, Deno: bin, Race: race, Parallel: parallel, DenoOnly: denoOnly, Logf: logf,
	})
	if err != nil {
		return err
	}
	if denoOnly {
		fmt.Print(rep.DenoTable())
		return nil
	}
	fmt.Print(rep.Table(verbose))
	if updateDocs {
		if err := deno.UpdateDocs(filepath.Join(root, "docs", "CONFORMANCE.md"), rep.DocSection()); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "updated docs/CONFORMANCE.md")
	}
	if len(rep.Problems()) > 0 {
		os.Exit(1)
	}
	return nil
}
