package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/edge-platform/edge/admin"
	"github.com/edge-platform/edge/jsvm"
)

// How deployments reach the nodes of a cluster: nodes that start at once
// with the same config store one version of each project, and a deploy,
// rollback or delete made through one node is what every other node
// serves as soon as it returns (the deploying node tells them and waits
// for their answer), bounded when a node does not answer.

// versionJS is a module that answers what, for a worker or a greeter.
func versionJS(what string) string {
	return fmt.Sprintf(`Deno.serve(() => new Response(%q));`, what)
}

// adminCall sends method path (with body as JSON, if any) to node n's
// admin API and decodes a 200 answer into out.
func (c *testCluster) adminCall(n *clusterNode, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, n.adminURL+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+clusterToken)
	resp, err := clusterClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s %s on %s: %d %s", method, path, n.ID, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s on %s: %v in %s", method, path, n.ID, err, b)
	}
	return nil
}

// Three nodes started at once with the same projects in their configs
// each deploy them at start: the store keeps one version of each, as
// every node's admin API lists, and every node serves it.
func TestClusterSameConfigAtOnceStoresOneVersion(t *testing.T) {
	dir := filepath.Dir(writeProject(t, map[string]string{
		"hello.js": versionJS("hello v1"),
		"greet.js": versionJS("greet v1"),
	}))
	c := startClusterConfig(t, threeNodes, nil, fmt.Sprintf(`projects:
  - { name: hello, entry: %q, kind: worker, env: { WHO: all } }
  - { name: greet, entry: %q, kind: greeter }
`, filepath.Join(dir, "hello.js"), filepath.Join(dir, "greet.js")))
	for _, project := range []string{"hello", "greet"} {
		for _, n := range c.nodes {
			var vs []admin.Version
			if err := c.adminCall(n, "GET", "/v1/projects/"+project+"/versions", nil, &vs); err != nil {
				t.Fatal(err)
			}
			if len(vs) != 1 || vs[0].Version != 1 || !vs[0].Current {
				t.Errorf("%s lists the versions of %s as %+v, want only v1 (current)", n.ID, project, vs)
			}
			if status, body := n.get(project+"."+clusterDomain, "/"); status != 200 || body != project+" v1" {
				t.Errorf("%s through %s = %d %q, want 200 %q", project, n.ID, status, body, project+" v1")
			}
		}
	}
}

// A deploy, rollback or delete through node-a is what node-b and node-c
// serve the moment it returns, for a worker (served by each node's pool)
// and a greeter (served by its default coordinator on whichever node
// holds it); no waiting for their periodic refresh. Then a node that is
// stopped (SIGSTOP) while still a live member: a deploy through node-a
// returns once the bound is over, naming the node that did not answer,
// and the node catches up once it runs again.
func TestClusterDeployIsServedEverywhereWhenItReturns(t *testing.T) {
	c := startCluster(t, threeNodes)
	a, b, cc := c.byID["node-a"], c.byID["node-b"], c.byID["node-c"]
	project := writeProject(t, map[string]string{
		"edge.yaml": "domain: " + clusterDomain + "\nprojects:\n" +
			"  - { name: hello, entry: hello.js, kind: worker }\n" +
			"  - { name: greet, entry: greet.js, kind: greeter }\n",
		"hello.js": versionJS("hello v1"),
		"greet.js": versionJS("greet v1"),
	})
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(filepath.Dir(project), name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edge := func(args ...string) string {
		t.Helper()
		args = append(args, "--server", a.adminURL, "--token", clusterToken)
		code, out := runEdge(t, args...)
		if code != 0 {
			t.Fatalf("edge %s through node-a = %d:\n%s", strings.Join(args, " "), code, out)
		}
		if strings.Contains(out, "did not confirm") {
			t.Errorf("edge %s: a node did not confirm:\n%s", strings.Join(args, " "), out)
		}
		return out
	}
	// One request through each node, right after the change returned: no
	// retries, no waiting.
	serve := func(after string, nodes []*clusterNode, project string, status int, body string) {
		t.Helper()
		for _, n := range nodes {
			gotStatus, gotBody := n.get(project+"."+clusterDomain, "/")
			if gotStatus != status || (body != "" && gotBody != body) {
				t.Errorf("right after %s, %s through %s = %d %q, want %d %q", after, project, n.ID, gotStatus, gotBody, status, body)
			}
		}
	}
	others := []*clusterNode{b, cc}

	edge("deploy", "--config", project)
	serve("deploying v1", others, "hello", 200, "hello v1")
	serve("deploying v1", others, "greet", 200, "greet v1")

	write("hello.js", versionJS("hello v2"))
	write("greet.js", versionJS("greet v2"))
	edge("deploy", "--config", project)
	serve("deploying v2", others, "hello", 200, "hello v2")
	serve("deploying v2", others, "greet", 200, "greet v2")

	edge("rollback", "hello")
	serve("rolling hello back", others, "hello", 200, "hello v1")
	edge("rollback", "greet", "1")
	serve("rolling greet back", others, "greet", 200, "greet v1")

	edge("projects", "rm", "hello")
	serve("deleting hello", others, "hello", 404, "")
	serve("deleting hello", others, "greet", 200, "greet v1")

	// node-c stops but stays a live member until its lease runs out
	// (heartbeats every lease/4): the deploy right after asks it too.
	write("hello.js", versionJS("hello v3"))
	prog, err := jsvm.Bundle(context.Background(), filepath.Join(filepath.Dir(project), "hello.js"))
	if err != nil {
		t.Fatal(err)
	}
	cc.signal(syscall.SIGSTOP)
	continued := false
	defer func() {
		if !continued {
			cc.signal(syscall.SIGCONT)
		}
	}()
	var resp admin.DeployResponse
	if err := c.adminCall(a, "POST", admin.PathDeployments, admin.DeployRequest{Project: "hello", Kind: "worker", Entry: prog.Entry, Source: prog.Source}, &resp); err != nil {
		t.Fatalf("deploying while node-c is stopped: %v", err)
	}
	if resp.Version != 1 || !slices.Equal(resp.Unacknowledged, []string{"node-c"}) {
		t.Errorf("deploy while node-c is stopped = v%d, unacknowledged %v; want v1 (a new project again), [node-c]", resp.Version, resp.Unacknowledged)
	}
	// Logged before the answer, but read from node-a's stderr a little later.
	a.waitFor(func(logs string) bool {
		for _, line := range strings.Split(logs, "\n") {
			if strings.Contains(line, "did not confirm they serve a change") && strings.Contains(line, "members=[node-c]") {
				return true
			}
		}
		return false
	}, "a warning that node-c did not confirm the deploy")
	serve("deploying while node-c is stopped", []*clusterNode{b}, "hello", 200, "hello v3")
	cc.signal(syscall.SIGCONT)
	continued = true
	eventually(t, "node-c serves hello v3 once it runs again", func() (bool, string) {
		status, body := cc.get("hello."+clusterDomain, "/")
		return status == 200 && body == "hello v3", fmt.Sprintf("%d %q", status, body)
	})
}
