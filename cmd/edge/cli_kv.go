package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/edge-platform/edge/admin"
)

// kvPageMax bounds one page asked of the server while following cursors,
// so a large --limit is fetched in several answers of reasonable size.
const kvPageMax = 1000

// defaultKVLimit is how many entries edge kv ls shows unless told.
const defaultKVLimit = 100

// runKV is `edge kv ls|get`.
func runKV(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return subcommand(ctx, "kv", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) int{
		"ls":  runKVLs,
		"get": runKVGet,
	}, "ls or get")
}

// runKVLs lists a store's entries, following cursors up to --limit.
func runKVLs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge kv ls", "edge kv ls <project> [<name>] [--prefix P] [--limit N]", stdout, stderr)
	prefixFlag := c.fs.String("prefix", "", `list keys under this prefix: a JSON array of key parts, e.g. '["users", 1]', or one string part, e.g. users`)
	limit := c.fs.Int("limit", defaultKVLimit, "show at most this many entries; 0 shows all")
	pos, code, ok := c.parse(args, 1, 2)
	if !ok {
		return code
	}
	var prefix json.RawMessage
	if *prefixFlag != "" {
		p, err := parseKey(*prefixFlag)
		if err != nil {
			return c.usageError("--prefix %v", err)
		}
		prefix = p
	}
	if *limit < 0 {
		return c.usageError("--limit %d is negative: give a number of entries, or 0 for all", *limit)
	}
	project, instance := pos[0], ""
	if len(pos) == 2 {
		instance = pos[1]
	}
	cl, code, ok := c.client()
	if !ok {
		return code
	}

	all := admin.KVList{Entries: []admin.KVEntry{}}
	cursor := ""
	for {
		page := kvPageMax
		if *limit > 0 {
			page = min(page, *limit-len(all.Entries))
		}
		l, err := cl.KVList(ctx, project, instance, prefix, page, cursor)
		if err != nil {
			return c.fail(ctx, err)
		}
		if l.Cursor != "" && l.Cursor == cursor {
			return c.fail(ctx, fmt.Errorf("the server answered cursor %q with the same cursor; stopping so as not to loop", cursor))
		}
		all.Entries = append(all.Entries, l.Entries...)
		cursor = l.Cursor
		if *limit > 0 && len(all.Entries) >= *limit {
			all.Entries = all.Entries[:*limit]
			break
		}
		if cursor == "" {
			break
		}
	}
	all.Cursor = cursor
	if *c.json {
		return c.printJSON(all)
	}
	c.printEntries(all.Entries)
	if cursor != "" {
		fmt.Fprintf(stderr, "(the first %d entries; pass --limit with a larger number, or 0, to see more)\n", len(all.Entries))
	}
	return exitOK
}

// runKVGet prints one entry.
func runKVGet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge kv get", "edge kv get <project> [<name>] <key>", stdout, stderr)
	pos, code, ok := c.parse(args, 2, 3)
	if !ok {
		return code
	}
	project, instance, rawKey := pos[0], "", pos[1]
	if len(pos) == 3 {
		instance, rawKey = pos[1], pos[2]
	}
	key, err := parseKey(rawKey)
	if err != nil {
		return c.usageError("<key> %v", err)
	}
	if string(key) == "[]" {
		return c.usageError("<key> [] is empty: a key has at least one part")
	}
	cl, code, ok := c.client()
	if !ok {
		return code
	}
	e, err := cl.KVGet(ctx, project, instance, key)
	if err != nil {
		return c.fail(ctx, err)
	}
	if *c.json {
		return c.printJSON(e)
	}
	c.printEntries([]admin.KVEntry{e})
	return exitOK
}

// printEntries writes entries one per line, key and value as compact JSON;
// an EXPIRES column appears when an entry expires.
func (c *cli) printEntries(es []admin.KVEntry) {
	expires := false
	for _, e := range es {
		expires = expires || e.ExpiresAt != nil
	}
	header := []string{"KEY", "VALUE", "VERSIONSTAMP"}
	if expires {
		header = append(header, "EXPIRES")
	}
	tw := c.table(header...)
	for _, e := range es {
		cells := []string{compact(e.Key), compact(e.Value), e.Versionstamp}
		if e.ExpiresAt != nil {
			cells = append(cells, formatTime(*e.ExpiresAt))
		} else if expires {
			cells = append(cells, "-")
		}
		row(tw, cells...)
	}
	tw.Flush()
}

// compact renders JSON on one line; what is not JSON is shown as is.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// parseKey reads a key or prefix from the command line: a JSON array of key
// parts, or (when it does not start with '[') one string part. The error
// completes a sentence that starts with the argument's name.
func parseKey(s string) (json.RawMessage, error) {
	forms := `give a JSON array of key parts, e.g. '["users", 1]', or one string part, e.g. users`
	if !strings.HasPrefix(strings.TrimSpace(s), "[") {
		b, _ := json.Marshal([]string{s}) // a []string always marshals
		return b, nil
	}
	var parts []json.RawMessage
	if err := json.Unmarshal([]byte(s), &parts); err != nil {
		return nil, fmt.Errorf("%q is not a JSON array (%v); %s", s, err, forms)
	}
	b, err := json.Marshal(parts)
	if err != nil {
		return nil, fmt.Errorf("%q: %w; %s", s, err, forms)
	}
	return b, nil
}

// runLogs prints a project's log lines, and with --follow new ones until
// interrupted.
func runLogs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge logs", "edge logs <project> [--follow] [--tail N]", stdout, stderr)
	follow := c.fs.Bool("follow", false, "keep printing new lines until interrupted")
	tail := c.fs.Int("tail", 0, "start with the last N lines (0: the server's default)")
	pos, code, ok := c.parse(args, 1, 1)
	if !ok {
		return code
	}
	if *tail < 0 {
		return c.usageError("--tail %d is negative: give a number of lines, or 0 for the server's default", *tail)
	}
	cl, code, ok := c.client()
	if !ok {
		return code
	}
	enc := json.NewEncoder(stdout)
	err := cl.Logs(ctx, pos[0], *follow, *tail, func(l admin.LogLine) error {
		if *c.json {
			return enc.Encode(l)
		}
		where := l.Instance
		if l.Node != "" {
			where += "@" + l.Node // a cluster: which node ran it
		}
		_, err := fmt.Fprintf(stdout, "%s %-5s %s %s\n", l.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
			strings.ToUpper(l.Level), where, strings.TrimRight(l.Message, "\n"))
		return err
	})
	if err != nil {
		return c.fail(ctx, err)
	}
	return exitOK
}
