package wpt

import (
	"fmt"
	"os"
	"strings"
)

// Markers around the generated table in docs/CONFORMANCE.md.
const (
	TableStart = "<!-- wpt-table:start -->"
	TableEnd   = "<!-- wpt-table:end -->"
)

// docsSection is added to the document when it has no markers yet.
const docsSection = `
## Web Platform Tests

` + "`go test ./conformance/wpt`" + ` (TestWPT) runs every ` + "`*.any.js`" + ` file under
` + "`../shared/conformance/wpt/`" + ` (override with ` + "`EDGE_WPT_DIR`" + `) inside edge's runtime, one
fresh instance per file and variant, with edge's own testharness.js implementation
(` + "`conformance/wpt/testharness.js`" + `). ` + "`conformance/wpt/expectations.json`" + ` lists, per file
run (path plus variant), the subtests known not to pass, an expected harness status other than
OK, or a whole-file ` + "`skip`" + ` with its reason. The test fails on a new failure, on an expected
failure that now passes, and on an unexpected harness error or timeout; without the WPT
directory it skips, except under ` + "`CI`" + `, where it fails.

- ` + "`go run ./conformance/wpt/cmd/wpt`" + ` prints the table below; ` + "`-run <regexp>`" + ` picks files,
  ` + "`-v`" + ` prints each failing subtest with its message.
- ` + "`go run ./conformance/wpt/cmd/wpt -update-expectations`" + ` rewrites expectations.json from the
  current failures (comments and skips are kept); review the diff before committing it.
- ` + "`go run ./conformance/wpt/cmd/wpt -update-docs`" + ` rewrites this table.

` + TableStart + "\n" + TableEnd + "\n"

// UpdateDocs replaces the table between the markers in the Markdown file
// doc, adding the section (with the markers) at the end if they are missing.
// The rest of the document is kept as it is.
func UpdateDocs(doc, table string) error {
	data, err := os.ReadFile(doc)
	if err != nil {
		return fmt.Errorf("reading %s: %w", doc, err)
	}
	text := string(data)
	if !strings.Contains(text, TableStart) || !strings.Contains(text, TableEnd) {
		text = strings.TrimRight(text, "\n") + "\n" + docsSection
	}
	i := strings.Index(text, TableStart) + len(TableStart)
	j := strings.Index(text, TableEnd)
	if j < i {
		return fmt.Errorf("%s: %s comes before %s; fix the markers by hand", doc, TableEnd, TableStart)
	}
	text = text[:i] + "\n" + table + text[j:]
	return os.WriteFile(doc, []byte(text), 0o644)
}
