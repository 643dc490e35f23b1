package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/deploy"
)

// runProjects is `edge projects ls|rm`.
func runProjects(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return subcommand(ctx, "projects", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) int{
		"ls": runProjectsLs,
		"rm": runProjectsRm,
	}, "ls or rm")
}

// runProjectsLs lists the account's projects.
func runProjectsLs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge projects ls", "edge projects ls", stdout, stderr)
	if _, code, ok := c.parse(args, 0, 0); !ok {
		return code
	}
	return call(ctx, c, func(cl *admin.Client) ([]admin.Project, error) { return cl.Projects(ctx) }, func(ps []admin.Project) {
		if len(ps) == 0 {
			fmt.Fprintln(stdout, "no projects yet (edge deploy uploads the projects of your edge.yaml)")
			return
		}
		tw := c.table("NAME", "KIND", "VERSION", "PUBLIC", "URL", "UPDATED")
		for _, p := range ps {
			url := p.URL
			if len(p.Domains) > 0 {
				url += " " + strings.Join(p.Domains, " ")
			}
			row(tw, p.Name, p.Kind, "v"+strconv.FormatInt(p.Version, 10), yesNo(p.Public), url, formatTime(p.UpdatedAt))
		}
		tw.Flush()
	})
}

// runProjectsRm deletes a project.
func runProjectsRm(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge projects rm", "edge projects rm <project>", stdout, stderr)
	pos, code, ok := c.parse(args, 1, 1)
	if !ok {
		return code
	}
	return c.deleted(ctx, func(cl *admin.Client) (admin.Deleted, error) { return cl.DeleteProject(ctx, pos[0]) })
}

// deleted runs a deletion and prints what was deleted.
func (c *cli) deleted(ctx context.Context, del func(*admin.Client) (admin.Deleted, error)) int {
	return call(ctx, c, del, func(d admin.Deleted) {
		fmt.Fprintf(c.stdout, "deleted %s\n", d.Deleted)
		c.lagging(d.Unacknowledged)
	})
}

// lagging warns about the cluster nodes that did not confirm a change.
func (c *cli) lagging(nodes []string) {
	if len(nodes) > 0 {
		fmt.Fprintf(c.stderr, "%s: warning: node(s) %s did not confirm in time that they serve the change; they pick it up at their next refresh (every %s once running)\n",
			c.name, strings.Join(nodes, ", "), deploy.RefreshInterval)
	}
}

// runVersions lists a project's versions.
func runVersions(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge versions", "edge versions <project>", stdout, stderr)
	pos, code, ok := c.parse(args, 1, 1)
	if !ok {
		return code
	}
	return call(ctx, c, func(cl *admin.Client) ([]admin.Version, error) { return cl.Versions(ctx, pos[0]) }, func(vs []admin.Version) {
		tw := c.table("VERSION", "CURRENT", "KIND", "CREATED", "SIZE", "MESSAGE")
		for _, v := range vs {
			current := ""
			if v.Current {
				current = "*"
			}
			row(tw, "v"+strconv.FormatInt(v.Version, 10), current, v.Kind, formatTime(v.CreatedAt), humanBytes(int64(v.Bytes)), oneLine(v.Message))
		}
		tw.Flush()
	})
}

// runRollback makes an earlier version of a project current.
func runRollback(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge rollback", "edge rollback <project> [<version>]", stdout, stderr)
	pos, code, ok := c.parse(args, 1, 2)
	if !ok {
		return code
	}
	var version int64 // 0: the one before the current one
	if len(pos) == 2 {
		v, err := strconv.ParseInt(strings.TrimPrefix(pos[1], "v"), 10, 64)
		if err != nil || v < 1 {
			return c.usageError("version %q is not a version number: give one that edge versions %s lists, e.g. 3 or v3", pos[1], pos[0])
		}
		version = v
	}
	return call(ctx, c, func(cl *admin.Client) (admin.RollbackResponse, error) { return cl.Rollback(ctx, pos[0], version) }, func(p admin.RollbackResponse) {
		fmt.Fprintf(stdout, "%s is now at v%d (%s)\n", p.Name, p.Version, p.Kind)
		c.lagging(p.Unacknowledged)
	})
}

// runCoordinators is `edge coordinators ls|rm`.
func runCoordinators(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return subcommand(ctx, "coordinators", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) int{
		"ls": runCoordinatorsLs,
		"rm": runCoordinatorsRm,
	}, "ls or rm")
}

// runCoordinatorsLs lists a coordinator project's instances.
func runCoordinatorsLs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge coordinators ls", "edge coordinators ls <project>", stdout, stderr)
	pos, code, ok := c.parse(args, 1, 1)
	if !ok {
		return code
	}
	return call(ctx, c, func(cl *admin.Client) ([]admin.Coordinator, error) { return cl.Coordinators(ctx, pos[0]) }, func(cs []admin.Coordinator) {
		tw := c.table("NAME", "STATE", "NODE", "REGION", "LAST-ACTIVITY", "STORED", "CREATED")
		for _, co := range cs {
			row(tw, co.Name, co.State, cmp.Or(co.Node, "-"), cmp.Or(co.Region, "-"), formatTime(co.LastActivity), humanBytes(co.StoredBytes), formatTime(co.CreatedAt))
		}
		tw.Flush()
	})
}

// runCoordinatorsRm deletes one coordinator instance and its store.
func runCoordinatorsRm(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("edge coordinators rm", "edge coordinators rm <project> <name>", stdout, stderr)
	pos, code, ok := c.parse(args, 2, 2)
	if !ok {
		return code
	}
	return c.deleted(ctx, func(cl *admin.Client) (admin.Deleted, error) { return cl.DeleteCoordinator(ctx, pos[0], pos[1]) })
}

// oneLine keeps a table cell on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// call is the shape of most admin commands: call the API with a client,
// then print the result as JSON (--json) or with show.
func call[T any](ctx context.Context, c *cli, do func(*admin.Client) (T, error), show func(T)) int {
	cl, code, ok := c.client()
	if !ok {
		return code
	}
	res, err := do(cl)
	if err != nil {
		return c.fail(ctx, err)
	}
	if *c.json {
		return c.printJSON(res)
	}
	show(res)
	return exitOK
}
