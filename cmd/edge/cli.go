package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/edge-platform/edge/admin"
)

// defaultServer is the admin API's address when neither --server nor
// EDGE_SERVER names one: admin.listen's usual value.
const defaultServer = "http://127.0.0.1:8081"

// globalFlags is the usage text of the flags every admin command takes.
const globalFlags = "[--server URL] [--token T] [--json]"

// cli is one admin command being run: its flags, where it writes, and how
// it reports problems.
type cli struct {
	name   string // "edge kv ls"
	usage  string // the command line it accepts, without the global flags
	stdout io.Writer
	stderr io.Writer
	fs     *flag.FlagSet
	server *string
	token  *string
	json   *bool
}

// newCLI starts a command with the global flags registered; the command
// adds its own to c.fs before calling parse.
func newCLI(name, usage string, stdout, stderr io.Writer) *cli {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself, with the usage line
	c := &cli{name: name, usage: usage, stdout: stdout, stderr: stderr, fs: fs}
	// The environment is read in client, not here: a default shown by
	// --help would print the token.
	c.server = fs.String("server", "", "address of the admin API (default $EDGE_SERVER, else "+defaultServer+")")
	c.token = fs.String("token", "", "one of your account's tokens (default $EDGE_TOKEN)")
	c.json = fs.Bool("json", false, "print the API's JSON instead of a table")
	return c
}

// parse parses flags and positional arguments in any order ("--" ends the
// flags) and checks the number of positional arguments. When it returns
// ok=false the command is over and code is its exit code.
func (c *cli) parse(args []string, minArgs, maxArgs int) (pos []string, code int, ok bool) {
	for {
		err := c.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(c.stdout, "usage: %s %s\n\nFlags:\n", c.usage, globalFlags)
			c.fs.SetOutput(c.stdout)
			c.fs.PrintDefaults()
			return nil, exitOK, false
		}
		if err != nil {
			return nil, c.usageError("%v", err), false
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < minArgs:
		return nil, c.usageError("missing arguments"), false
	case maxArgs >= 0 && len(pos) > maxArgs:
		return nil, c.usageError("unexpected argument %q", pos[maxArgs]), false
	}
	return pos, exitOK, true
}

// usageError reports a bad command line: one line saying why, then the
// command's usage.
func (c *cli) usageError(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "%s: %s\nusage: %s %s\n", c.name, fmt.Sprintf(format, args...), c.usage, globalFlags)
	return exitUsage
}

// fail reports an error of the command's work. An interrupt is not a
// failure: the user asked the command to stop.
func (c *cli) fail(ctx context.Context, err error) int {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return exitOK
	}
	fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
	return exitFailure
}

// client is the admin API client of the global flags; ok=false (with the
// usage error already reported) when they cannot work.
func (c *cli) client() (cl *admin.Client, code int, ok bool) {
	server := strings.TrimSpace(*c.server)
	if server == "" {
		server = strings.TrimSpace(os.Getenv("EDGE_SERVER"))
	}
	if server == "" {
		server = defaultServer
	}
	if !strings.Contains(server, "://") {
		server = "http://" + server
	}
	token := *c.token
	if token == "" {
		token = os.Getenv("EDGE_TOKEN")
	}
	if token == "" {
		return nil, c.usageError("no token: set EDGE_TOKEN or pass --token with one of your account's tokens"), false
	}
	return &admin.Client{BaseURL: server, Token: token}, exitOK, true
}

// printJSON writes v as indented JSON, the output of --json.
func (c *cli) printJSON(v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(c.stderr, "%s: writing JSON: %v\n", c.name, err)
		return exitFailure
	}
	return exitOK
}

// table writes aligned columns to stdout; call flush when done.
func (c *cli) table(header ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	return tw
}

// row writes one table row.
func row(tw *tabwriter.Writer, cells ...string) {
	fmt.Fprintln(tw, strings.Join(cells, "\t"))
}

// subcommand dispatches "edge <group> <sub> ...".
func subcommand(ctx context.Context, group string, args []string, stdout, stderr io.Writer,
	subs map[string]func(context.Context, []string, io.Writer, io.Writer) int, names string) int {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help") {
		fmt.Fprintf(stderr, "edge %s: missing subcommand: %s (see edge help)\n", group, names)
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stdout, "edge %s: subcommands %s; edge %s <subcommand> --help shows its flags\n", group, names, group)
		return exitOK
	}
	run, ok := subs[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "edge %s: unknown subcommand %q: use %s (see edge help)\n", group, args[0], names)
		return exitUsage
	}
	return run(ctx, args[1:], stdout, stderr)
}

// formatTime is how tables show times: UTC to the second, "-" for none.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// humanBytes renders a size for people: 512 B, 12.3 KB, 4.0 MB.
func humanBytes(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n) / 1024
	for _, unit := range []string{"KB", "MB", "GB", "TB"} {
		if f < 1024 || unit == "TB" {
			return fmt.Sprintf("%.1f %s", f, unit)
		}
		f /= 1024
	}
	panic("unreachable")
}

// yesNo renders a boolean cell.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
