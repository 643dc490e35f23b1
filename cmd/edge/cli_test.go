package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edge-platform/edge/admin"
)

// runCLI runs the edge command in-process, as `edge args...` would.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb syncBuffer
	code = run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

// against adds the flags that point a command at srv with the good token.
func against(url string, args ...string) []string {
	return append(args, "--server", url, "--token", fakeToken)
}

// wantRun checks a run's exit code and that stdout is exactly want.
func wantRun(t *testing.T, gotOut, gotErr string, gotCode, wantCode int, wantOut string) {
	t.Helper()
	if gotCode != wantCode {
		t.Errorf("exit code = %d, want %d; stderr:\n%s", gotCode, wantCode, gotErr)
	}
	if gotOut != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", gotOut, wantOut)
	}
}

// writeConfig writes a config with the given projects (name -> kind and
// module source) into a temporary directory and returns its path.
func writeConfig(t *testing.T, projects [][3]string) string {
	t.Helper()
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("domain: deno.dev\nprojects:\n")
	for _, p := range projects {
		name, kind, src := p[0], p[1], p[2]
		if err := os.WriteFile(filepath.Join(dir, name+".js"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg.WriteString("  - name: " + name + "\n    entry: " + name + ".js\n    kind: " + kind + "\n    env:\n      GREETING: Hello\n")
	}
	path := filepath.Join(dir, "edge.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const okModule = `export default { fetch() { return new Response("hi " + Deno.env.get("GREETING")); } };`

func TestCLIDeploy(t *testing.T) {
	f, srv := newFakeAdmin(t)
	config := writeConfig(t, [][3]string{{"chat", "worker", okModule}, {"room", "coordinator", okModule}})

	out, errOut, code := runCLI(t, against(srv.URL, "deploy", "--config", config)...)
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "bundled chat (") || !strings.HasPrefix(lines[1], "bundled room (") ||
		!strings.HasSuffix(lines[0], " KB)") {
		t.Errorf("progress lines:\n%s\nwant bundled chat, bundled room, then two deployed lines", out)
	}
	if want := "deployed chat v1 -> https://chat.deno.dev/ (public)"; len(lines) < 3 || lines[2] != want {
		t.Errorf("stdout:\n%s\nwant the line %q", out, want)
	}
	if want := "deployed room v1 -> https://room.deno.dev/ (private: reached by fetch() from your account's code)"; len(lines) < 4 || lines[3] != want {
		t.Errorf("stdout:\n%s\nwant the line %q", out, want)
	}
	reqs := f.deployed()
	if len(reqs) != 2 {
		t.Fatalf("%d uploads, want 2", len(reqs))
	}
	for i, want := range []struct{ name, kind string }{{"chat", "worker"}, {"room", "coordinator"}} {
		r := reqs[i]
		if r.Project != want.name || r.Kind != want.kind || r.Entry != filepath.Join(filepath.Dir(config), want.name+".js") ||
			!strings.Contains(r.Source, "GREETING") || r.Env["GREETING"] != "Hello" || r.Message != "" {
			t.Errorf("upload %d = %+v, want project %s, kind %s, the absolute entry, the bundle and the env", i, r, want.name, want.kind)
		}
	}

	t.Run("named project with a message and --json", func(t *testing.T) {
		out, errOut, code := runCLI(t, against(srv.URL, "deploy", "room", "--config", config, "--message", "fix the count", "--json")...)
		if code != exitOK {
			t.Fatalf("exit code %d; stderr:\n%s", code, errOut)
		}
		var got []admin.DeployResponse
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("stdout is not a JSON array of deploy responses: %v\n%s", err, out)
		}
		if len(got) != 1 || got[0].Project != "room" || got[0].Version != 2 || got[0].Public {
			t.Errorf("responses = %+v, want room v2, private", got)
		}
		if !strings.Contains(errOut, "bundled room") || !strings.Contains(errOut, "deployed room v2") {
			t.Errorf("stderr = %q, want the progress lines there", errOut)
		}
		reqs := f.deployed()
		if len(reqs) != 3 || reqs[2].Project != "room" || reqs[2].Message != "fix the count" {
			t.Errorf("uploads = %d, last %+v; want a third, of room, with the message", len(reqs), reqs[len(reqs)-1])
		}
	})
}

// Nodes of a cluster that did not confirm a change are a warning on
// stderr; the change itself succeeded.
func TestCLIWarnsAboutNodesThatDidNotConfirm(t *testing.T) {
	f, srv := newFakeAdmin(t)
	f.lagging = []string{"node-b", "node-c"}
	config := writeConfig(t, [][3]string{{"chat", "worker", okModule}})
	const warning = "warning: node(s) node-b, node-c did not confirm in time that they serve the change"
	for _, args := range [][]string{
		{"deploy", "--config", config},
		{"rollback", "chat", "1"},
		{"projects", "rm", "chat"},
	} {
		out, errOut, code := runCLI(t, against(srv.URL, args...)...)
		if code != exitOK {
			t.Errorf("edge %v: exit %d, stderr %q", args, code, errOut)
		}
		if !strings.Contains(errOut, warning) || strings.Contains(out, "warning") {
			t.Errorf("edge %v: stdout %q, stderr %q; want the warning on stderr only", args, out, errOut)
		}
	}
}

func TestCLIDeployRefusals(t *testing.T) {
	f, srv := newFakeAdmin(t)
	good := writeConfig(t, [][3]string{{"chat", "worker", okModule}, {"room", "coordinator", okModule}})
	broken := writeConfig(t, [][3]string{
		{"chat", "worker", okModule},
		{"bad-one", "worker", "export default { fetch( { };"},
		{"bad-two", "coordinator", "const = 1;"},
	})
	tests := []struct {
		name string
		args []string
		code int
		want []string // substrings of stderr
	}{
		{"unknown project names", against(srv.URL, "deploy", "--config", good, "chat", "nope", "other"), exitUsage,
			[]string{`has no project "nope", "other"; its projects: chat, room`, "usage: edge deploy"}},
		{"bundle errors in two projects upload nothing", against(srv.URL, "deploy", "--config", broken), exitFailure,
			[]string{"cannot build", "project bad-one", "project bad-two", "bad-one.js:1", "nothing was deployed"}},
		{"missing config", against(srv.URL, "deploy", "--config", filepath.Join(t.TempDir(), "none.yaml")), exitUsage,
			[]string{"config file not found"}},
		{"wrong token", []string{"deploy", "--config", good, "--server", srv.URL, "--token", "bad"}, exitFailure,
			[]string{"deploying chat: the admin API refused the token (set EDGE_TOKEN or --token to one of your account's tokens): unknown token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr:\n%s\nwant it to contain %q", errOut, w)
				}
			}
			if strings.Contains(out, "deployed") {
				t.Errorf("stdout = %q, want no deployment", out)
			}
		})
	}
	if n := len(f.deployed()); n != 0 {
		t.Errorf("%d uploads, want none", n)
	}
}

func TestCLIProjects(t *testing.T) {
	f, srv := newFakeAdmin(t)
	f.addProject("chat", admin.KindWorker, 3)
	f.addProject("room", admin.KindCoordinator, 1)

	out, errOut, code := runCLI(t, against(srv.URL, "projects", "ls")...)
	wantRun(t, out, errOut, code, exitOK, ""+
		"NAME  KIND         VERSION  PUBLIC  URL                     UPDATED\n"+
		"chat  worker       v3       yes     https://chat.deno.dev/  2025-03-04T05:06:07Z\n"+
		"room  coordinator  v1       no      https://room.deno.dev/  2025-03-04T05:06:07Z\n")

	out, errOut, code = runCLI(t, against(srv.URL, "projects", "ls", "--json")...)
	var ps []admin.Project
	if err := json.Unmarshal([]byte(out), &ps); err != nil || code != exitOK || len(ps) != 2 || ps[0].Name != "chat" || ps[0].Version != 3 {
		t.Errorf("--json: code %d, err %v, projects %+v; stderr %s", code, err, ps, errOut)
	}

	out, errOut, code = runCLI(t, against(srv.URL, "projects", "rm", "room")...)
	wantRun(t, out, errOut, code, exitOK, "deleted project room\n")
	out, errOut, code = runCLI(t, against(srv.URL, "projects", "rm", "room")...)
	wantRun(t, out, errOut, code, exitFailure, "")
	if want := "edge projects rm: no project room\n"; errOut != want {
		t.Errorf("stderr = %q, want %q", errOut, want)
	}

	f.locked(func() { f.projects = map[string]*fakeProject{} })
	out, errOut, code = runCLI(t, against(srv.URL, "projects", "ls")...)
	wantRun(t, out, errOut, code, exitOK, "no projects yet (edge deploy uploads the projects of your edge.yaml)\n")
	out, errOut, code = runCLI(t, against(srv.URL, "projects", "ls", "--json")...)
	wantRun(t, out, errOut, code, exitOK, "[]\n")
}

func TestCLIVersionsAndRollback(t *testing.T) {
	f, srv := newFakeAdmin(t)
	f.addProject("chat", admin.KindWorker, 3)

	out, errOut, code := runCLI(t, against(srv.URL, "versions", "chat")...)
	wantRun(t, out, errOut, code, exitOK, ""+
		"VERSION  CURRENT  KIND    CREATED               SIZE    MESSAGE\n"+
		"v1                worker  2025-03-04T06:06:07Z  1000 B  v1\n"+
		"v2                worker  2025-03-04T07:06:07Z  2.0 KB  v2\n"+
		"v3       *        worker  2025-03-04T08:06:07Z  2.9 KB  v3\n")

	out, errOut, code = runCLI(t, against(srv.URL, "rollback", "chat")...)
	wantRun(t, out, errOut, code, exitOK, "chat is now at v2 (worker)\n")
	out, errOut, code = runCLI(t, against(srv.URL, "rollback", "chat", "v3")...)
	wantRun(t, out, errOut, code, exitOK, "chat is now at v3 (worker)\n")
	out, errOut, code = runCLI(t, against(srv.URL, "rollback", "chat", "1", "--json")...)
	var p admin.Project
	if err := json.Unmarshal([]byte(out), &p); err != nil || code != exitOK || p.Version != 1 {
		t.Errorf("--json: code %d, err %v, project %+v; stderr %s", code, err, p, errOut)
	}

	out, errOut, code = runCLI(t, against(srv.URL, "rollback", "chat", "9")...)
	wantRun(t, out, errOut, code, exitFailure, "")
	if want := "edge rollback: chat has no version 9\n"; errOut != want {
		t.Errorf("stderr = %q, want %q", errOut, want)
	}
	out, errOut, code = runCLI(t, against(srv.URL, "versions", "nope")...)
	wantRun(t, out, errOut, code, exitFailure, "")
	if !strings.Contains(errOut, "no project nope") {
		t.Errorf("stderr = %q, want the server's message", errOut)
	}
}

func TestCLICoordinators(t *testing.T) {
	f, srv := newFakeAdmin(t)
	p := f.addProject("room", admin.KindCoordinator, 1)
	f.locked(func() {
		p.coords = []admin.Coordinator{
			{Name: "_default", State: "active", Node: "node-a", Region: "eu", Epoch: 3, CreatedAt: t0, LastActivity: t0.Add(time.Minute), StoredBytes: 1536},
			{Name: "lobby", State: "idle", CreatedAt: t0, StoredBytes: 12},
		}
	})

	out, errOut, code := runCLI(t, against(srv.URL, "coordinators", "ls", "room")...)
	wantRun(t, out, errOut, code, exitOK, ""+
		"NAME      STATE   NODE    REGION  LAST-ACTIVITY         STORED  CREATED\n"+
		"_default  active  node-a  eu      2025-03-04T05:07:07Z  1.5 KB  2025-03-04T05:06:07Z\n"+
		"lobby     idle    -       -       -                     12 B    2025-03-04T05:06:07Z\n")

	out, errOut, code = runCLI(t, against(srv.URL, "coordinators", "rm", "room", "lobby")...)
	wantRun(t, out, errOut, code, exitOK, "deleted coordinator lobby of room\n")
	out, errOut, code = runCLI(t, against(srv.URL, "coordinators", "rm", "room", "lobby", "--json")...)
	wantRun(t, out, errOut, code, exitFailure, "")
	if !strings.Contains(errOut, "no coordinator lobby in room") {
		t.Errorf("stderr = %q, want the server's message", errOut)
	}
	out, errOut, code = runCLI(t, against(srv.URL, "coordinators", "ls", "room", "--json")...)
	var cs []admin.Coordinator
	if err := json.Unmarshal([]byte(out), &cs); err != nil || code != exitOK || len(cs) != 1 || cs[0].Epoch != 3 {
		t.Errorf("--json: code %d, err %v, coordinators %+v; stderr %s", code, err, cs, errOut)
	}
}

func TestCLIKV(t *testing.T) {
	f, srv := newFakeAdmin(t)
	f.addProject("room", admin.KindCoordinator, 1)
	exp := t0.Add(time.Hour)
	entry := func(key, value, vs string) admin.KVEntry {
		return admin.KVEntry{Key: json.RawMessage(key), Value: json.RawMessage(value), Versionstamp: vs}
	}
	f.mu.Lock()
	f.kv["room/"] = []admin.KVEntry{
		entry(`["count"]`, `7`, "0001"),
		entry(`["users", 1]`, `{ "name": "ada" }`, "0002"),
		entry(`["users", 2]`, `{"name":"bob"}`, "0003"),
		entry(`["users", 3]`, `{"bytes":"AQI="}`, "0004"),
		entry(`["zeta"]`, `"last"`, "0005"),
	}
	f.kv["room/lobby"] = []admin.KVEntry{{Key: json.RawMessage(`["topic"]`), Value: json.RawMessage(`"go"`), Versionstamp: "0009", ExpiresAt: &exp}}
	f.mu.Unlock()

	t.Run("ls follows cursors to the end with --limit 0", func(t *testing.T) {
		out, errOut, code := runCLI(t, against(srv.URL, "kv", "ls", "room", "--limit", "0")...)
		wantRun(t, out, errOut, code, exitOK, ""+
			"KEY          VALUE             VERSIONSTAMP\n"+
			`["count"]    7                 0001`+"\n"+
			`["users",1]  {"name":"ada"}    0002`+"\n"+
			`["users",2]  {"name":"bob"}    0003`+"\n"+
			`["users",3]  {"bytes":"AQI="}  0004`+"\n"+
			`["zeta"]     "last"            0005`+"\n")
		if errOut != "" {
			t.Errorf("stderr = %q, want nothing", errOut)
		}
	})
	t.Run("ls stops at --limit and says there is more", func(t *testing.T) {
		out, errOut, code := runCLI(t, against(srv.URL, "kv", "ls", "room", "--limit", "3", "--json")...)
		var l admin.KVList
		if err := json.Unmarshal([]byte(out), &l); err != nil || code != exitOK {
			t.Fatalf("code %d, err %v; stderr %s", code, err, errOut)
		}
		if len(l.Entries) != 3 || l.Cursor == "" || compact(l.Entries[2].Key) != `["users",2]` {
			t.Errorf("list = %+v, want the first 3 entries and a cursor", l)
		}
		out, errOut, code = runCLI(t, against(srv.URL, "kv", "ls", "room", "--limit", "3")...)
		if code != exitOK || strings.Count(out, "\n") != 4 || !strings.Contains(errOut, "the first 3 entries") {
			t.Errorf("code %d, stdout:\n%s\nstderr %q; want a header, 3 entries and a note that there is more", code, out, errOut)
		}
	})
	t.Run("ls with a string prefix", func(t *testing.T) {
		f.locked(func() { f.kvQuery = nil })
		out, errOut, code := runCLI(t, against(srv.URL, "kv", "ls", "--prefix", "users", "room")...)
		var queries []string
		f.locked(func() { queries = f.kvQuery })
		if code != exitOK || strings.Count(out, `["users",`) != 3 || strings.Contains(out, "count") {
			t.Errorf("code %d, stdout:\n%s\nwant the three users; stderr %s", code, out, errOut)
		}
		if len(queries) != 2 || !strings.Contains(queries[0], "prefix=%5B%22users%22%5D") || !strings.Contains(queries[0], "limit=100") ||
			!strings.Contains(queries[1], "cursor=2") || !strings.Contains(queries[1], "limit=98") {
			t.Errorf("queries = %q, want two pages with prefix [\"users\"], the remaining limit and the cursor", queries)
		}
	})
	t.Run("ls with an array prefix", func(t *testing.T) {
		out, errOut, code := runCLI(t, against(srv.URL, "kv", "ls", "room", "--prefix", `["users", 2]`)...)
		wantRun(t, out, errOut, code, exitOK, "KEY          VALUE           VERSIONSTAMP\n"+`["users",2]  {"name":"bob"}  0003`+"\n")
	})
	t.Run("ls of a named instance shows expiry", func(t *testing.T) {
		out, errOut, code := runCLI(t, against(srv.URL, "kv", "ls", "room", "lobby")...)
		wantRun(t, out, errOut, code, exitOK, "KEY        VALUE  VERSIONSTAMP  EXPIRES\n"+`["topic"]  "go"   0009          2025-03-04T06:06:07Z`+"\n")
	})
	t.Run("get", func(t *testing.T) {
		out, errOut, code := runCLI(t, against(srv.URL, "kv", "get", "room", `["users",1]`)...)
		wantRun(t, out, errOut, code, exitOK, "KEY          VALUE           VERSIONSTAMP\n"+`["users",1]  {"name":"ada"}  0002`+"\n")
		out, errOut, code = runCLI(t, against(srv.URL, "kv", "get", "room", "lobby", "topic", "--json")...)
		var e admin.KVEntry
		if err := json.Unmarshal([]byte(out), &e); err != nil || code != exitOK || string(e.Value) != `"go"` {
			t.Errorf("--json: code %d, err %v, entry %+v; stderr %s", code, err, e, errOut)
		}
	})
	t.Run("get of an absent key", func(t *testing.T) {
		out, errOut, code := runCLI(t, against(srv.URL, "kv", "get", "room", "nope")...)
		wantRun(t, out, errOut, code, exitFailure, "")
		if want := "edge kv get: no key [\"nope\"]\n"; errOut != want {
			t.Errorf("stderr = %q, want %q", errOut, want)
		}
	})
}

func TestCLILogs(t *testing.T) {
	f, srv := newFakeAdmin(t)
	f.addProject("chat", admin.KindWorker, 1)
	f.locked(func() {
		f.logs = []admin.LogLine{
			{Time: t0, Project: "chat", Instance: "worker-1", Level: "info", Message: "started"},
			{Time: t0.Add(1500 * time.Millisecond), Project: "chat", Instance: "worker-2", Level: "error", Message: "oops\n"},
			{Time: t0.Add(2 * time.Second), Project: "chat", Instance: "_default", Level: "warn", Message: "slow"},
		}
	})

	out, errOut, code := runCLI(t, against(srv.URL, "logs", "chat", "--tail", "2")...)
	wantRun(t, out, errOut, code, exitOK, ""+
		"2025-03-04T05:06:08.500Z ERROR worker-2 oops\n"+
		"2025-03-04T05:06:09.000Z WARN  _default slow\n")

	out, errOut, code = runCLI(t, against(srv.URL, "logs", "chat", "--json", "--tail", "1")...)
	var l admin.LogLine
	if err := json.Unmarshal([]byte(out), &l); err != nil || code != exitOK || l.Message != "slow" {
		t.Errorf("--json: code %d, err %v, line %+v; stderr %s", code, err, l, errOut)
	}

	t.Run("follow runs until interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out, errb syncBuffer
		out.onWrite = func(s string) {
			if strings.Contains(s, "slow") {
				cancel() // the user presses ^C once everything is shown
			}
		}
		done := make(chan int, 1)
		go func() { done <- run(ctx, against(srv.URL, "logs", "chat", "--follow"), &out, &errb) }()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("exit code = %d, want 0 after an interrupt; stderr:\n%s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			cancel()
			t.Fatal("edge logs --follow did not end after the interrupt")
		}
		if n := strings.Count(out.String(), "\n"); n != 3 {
			t.Errorf("stdout:\n%s\nwant the 3 lines", out.String())
		}
	})
}

func TestCLIEnvironmentDefaults(t *testing.T) {
	f, srv := newFakeAdmin(t)
	f.addProject("chat", admin.KindWorker, 1)
	t.Setenv("EDGE_SERVER", strings.TrimPrefix(srv.URL, "http://")) // a bare host:port works too
	t.Setenv("EDGE_TOKEN", fakeToken)
	out, errOut, code := runCLI(t, "projects", "ls")
	if code != exitOK || !strings.Contains(out, "chat") {
		t.Errorf("code %d, stdout %q, stderr %q; want the project listed", code, out, errOut)
	}
	// Flags win over the environment.
	_, errOut, code = runCLI(t, "projects", "ls", "--token", "bad")
	if code != exitFailure || !strings.Contains(errOut, "refused the token") {
		t.Errorf("code %d, stderr %q; want the token refused", code, errOut)
	}
}

func TestCLIConnectionProblems(t *testing.T) {
	_, srv := newFakeAdmin(t)
	_, closedSrv := newFakeAdmin(t)
	closedURL := closedSrv.URL
	closedSrv.Close()
	t.Setenv("EDGE_TOKEN", "")
	t.Setenv("EDGE_SERVER", "")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unreachable server", []string{"projects", "ls", "--server", closedURL, "--token", fakeToken}, exitFailure,
			"edge projects ls: cannot reach the admin API at " + closedURL + " (is `edge serve` running with admin.listen set? point --server or EDGE_SERVER at it)"},
		{"wrong token", []string{"versions", "chat", "--server", srv.URL, "--token", "bad"}, exitFailure,
			"edge versions: the admin API refused the token (set EDGE_TOKEN or --token to one of your account's tokens): unknown token\n"},
		{"no token", []string{"projects", "ls", "--server", srv.URL}, exitUsage,
			"edge projects ls: no token: set EDGE_TOKEN or pass --token"},
		{"the public listener instead of the admin one", []string{"logs", "chat", "--server", srv.URL + "/not-admin", "--token", fakeToken}, exitFailure,
			"edge logs: Not Found: 404 page not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.args...)
			if code != tt.code || out != "" {
				t.Errorf("exit code = %d, stdout %q; want %d and nothing", code, out, tt.code)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", errOut, tt.want)
			}
		})
	}
}

func TestCLIBadCommandLines(t *testing.T) {
	_, srv := newFakeAdmin(t)
	tests := []struct {
		name  string
		args  []string
		want  string // the reason line
		usage string // the usage line's start
	}{
		{"projects without subcommand", []string{"projects"}, "edge projects: missing subcommand: ls or rm", ""},
		{"projects unknown subcommand", []string{"projects", "list"}, `edge projects: unknown subcommand "list"`, ""},
		{"projects ls with an argument", []string{"projects", "ls", "chat"}, `edge projects ls: unexpected argument "chat"`, "usage: edge projects ls"},
		{"projects rm without project", []string{"projects", "rm"}, "edge projects rm: missing arguments", "usage: edge projects rm <project>"},
		{"versions without project", []string{"versions"}, "edge versions: missing arguments", "usage: edge versions <project>"},
		{"versions with two", []string{"versions", "a", "b"}, `edge versions: unexpected argument "b"`, "usage: edge versions"},
		{"rollback without project", []string{"rollback"}, "edge rollback: missing arguments", "usage: edge rollback <project> [<version>]"},
		{"rollback to a word", []string{"rollback", "chat", "latest"}, `edge rollback: version "latest" is not a version number`, "usage: edge rollback"},
		{"rollback to zero", []string{"rollback", "chat", "0"}, `edge rollback: version "0" is not a version number`, "usage: edge rollback"},
		{"coordinators rm without name", []string{"coordinators", "rm", "room"}, "edge coordinators rm: missing arguments", "usage: edge coordinators rm <project> <name>"},
		{"coordinators without subcommand", []string{"coordinators"}, "edge coordinators: missing subcommand", ""},
		{"kv ls without project", []string{"kv", "ls"}, "edge kv ls: missing arguments", "usage: edge kv ls <project>"},
		{"kv ls bad prefix", []string{"kv", "ls", "room", "--prefix", `["users",`}, `edge kv ls: --prefix "[\"users\"," is not a JSON array`, "usage: edge kv ls"},
		{"kv ls prefix that is not an array", []string{"kv", "ls", "room", "--prefix", `[1}`}, `edge kv ls: --prefix "[1}" is not a JSON array`, "usage: edge kv ls"},
		{"kv ls negative limit", []string{"kv", "ls", "room", "--limit", "-1"}, "edge kv ls: --limit -1 is negative", "usage: edge kv ls"},
		{"kv ls limit not a number", []string{"kv", "ls", "room", "--limit", "many"}, `edge kv ls: invalid value "many" for flag -limit`, "usage: edge kv ls"},
		{"kv get without key", []string{"kv", "get", "room"}, "edge kv get: missing arguments", "usage: edge kv get <project> [<name>] <key>"},
		{"kv get bad key", []string{"kv", "get", "room", "[nope"}, `edge kv get: <key> "[nope" is not a JSON array`, "usage: edge kv get"},
		{"kv get empty key", []string{"kv", "get", "room", "[]"}, "edge kv get: <key> [] is empty", "usage: edge kv get"},
		{"kv get too many", []string{"kv", "get", "a", "b", "c", "d"}, `edge kv get: unexpected argument "d"`, "usage: edge kv get"},
		{"logs without project", []string{"logs", "--follow"}, "edge logs: missing arguments", "usage: edge logs <project> [--follow] [--tail N]"},
		{"logs negative tail", []string{"logs", "chat", "--tail", "-3"}, "edge logs: --tail -3 is negative", "usage: edge logs"},
		{"unknown flag", []string{"versions", "chat", "--verbose"}, "edge versions: flag provided but not defined: -verbose", "usage: edge versions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, against(srv.URL, tt.args...)...)
			if code != exitUsage || out != "" {
				t.Errorf("exit code = %d, stdout %q; want %d and nothing", code, out, exitUsage)
			}
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if !strings.HasPrefix(lines[0], tt.want) {
				t.Errorf("stderr:\n%s\nwant the first line to start with %q", errOut, tt.want)
			}
			if tt.usage != "" && (len(lines) != 2 || !strings.HasPrefix(lines[1], tt.usage) || !strings.HasSuffix(lines[1], globalFlags)) {
				t.Errorf("stderr:\n%s\nwant a second and last line starting with %q and listing the global flags", errOut, tt.usage)
			}
		})
	}
}

func TestCLIKeyForms(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "users", want: `["users"]`},
		{in: "with space", want: `["with space"]`},
		{in: `"quoted"`, want: `["\"quoted\""]`},
		{in: `["users", 1]`, want: `["users",1]`},
		{in: ` [ true, {"bigint": "12"} ] `, want: `[true,{"bigint":"12"}]`},
		{in: `[]`, want: `[]`},
		{in: `[1,`, bad: true},
		{in: `[1] extra`, bad: true},
		{in: `["a"]]`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseKey(tt.in)
			if tt.bad {
				if err == nil || !strings.Contains(err.Error(), `give a JSON array of key parts, e.g. '["users", 1]', or one string part, e.g. users`) {
					t.Errorf("parseKey(%q) = %s, %v; want an error showing both forms", tt.in, got, err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("parseKey(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCLIHelp(t *testing.T) {
	out, _, code := runCLI(t, "help")
	if code != exitOK {
		t.Errorf("exit code = %d", code)
	}
	for _, cmd := range []string{"edge deploy", "edge projects ls", "edge versions", "edge rollback", "edge coordinators ls",
		"edge kv ls", "edge kv get", "edge logs", "EDGE_SERVER", "EDGE_TOKEN", "--json"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("help does not mention %q", cmd)
		}
	}
	t.Setenv("EDGE_TOKEN", "secret-token")
	out, _, code = runCLI(t, "kv", "ls", "--help")
	if code != exitOK || !strings.Contains(out, "usage: edge kv ls <project>") || !strings.Contains(out, "-prefix") {
		t.Errorf("kv ls --help: code %d, stdout:\n%s", code, out)
	}
	if strings.Contains(out, "secret-token") {
		t.Errorf("--help shows the token from the environment:\n%s", out)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KB", 12595: "12.3 KB", 5 << 20: "5.0 MB", 3 << 40: "3.0 TB", 5000 << 40: "5000.0 TB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
