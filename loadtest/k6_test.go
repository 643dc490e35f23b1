package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
)

// TestK6Scripts keeps loadtest/k6 from rotting: every scenario of the
// harness names a script there, every script is used by a scenario, and
// each one parses as an ES module whose only imports are k6's own modules
// (which esbuild leaves external: k6 is not installed here, see
// docs/BENCHMARKS.md). The scripts' thresholds are on the error rate only.
func TestK6Scripts(t *testing.T) {
	dir := filepath.Join("k6")
	used := map[string]bool{}
	for _, sc := range allScenarios {
		if sc.K6 == "" {
			t.Errorf("scenario %q has no k6 script", sc.Key)
			continue
		}
		used[sc.K6] = true
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string]bool{}
	for _, f := range files {
		onDisk[filepath.Base(f)] = true
		if !used[filepath.Base(f)] {
			t.Errorf("%s is no scenario's script (scenario.K6)", f)
		}
	}
	threshold := regexp.MustCompile(`(?s)thresholds:\s*\{\s*http_req_failed:\s*\["rate<[0-9.]+"\],?\s*\}`)
	for name := range used {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if !onDisk[name] {
				t.Fatalf("%s does not exist", path)
			}
			res := api.Build(api.BuildOptions{
				EntryPoints: []string{path},
				Bundle:      true,
				Format:      api.FormatESModule,
				Platform:    api.PlatformNeutral,
				External:    []string{"k6", "k6/*"},
				LogLevel:    api.LogLevelSilent,
				Write:       false,
			})
			for _, m := range res.Errors {
				loc := ""
				if m.Location != nil {
					loc = m.Location.LineText
				}
				t.Errorf("%s: %s %s", path, m.Text, loc)
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{`from "k6/http"`, "export default function", "export const options"} {
				if !strings.Contains(string(src), want) {
					t.Errorf("%s lacks %s", path, want)
				}
			}
			if !threshold.Match(src) {
				t.Errorf("%s: want exactly one threshold, on http_req_failed", path)
			}
			if !strings.Contains(string(src), "headers: { Host: HOST }") {
				t.Errorf("%s: requests must carry the Host header (edge routes projects by Host)", path)
			}
		})
	}
}
