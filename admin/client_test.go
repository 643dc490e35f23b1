package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// recorded is what the fake server saw of one request.
type recorded struct {
	method, path, auth string
	query              url.Values
	body               string
}

// recorder answers every request with status and body, recording it.
func recorder(t *testing.T, status int, body string) (*Client, *recorded) {
	t.Helper()
	rec := &recorded{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*rec = recorded{method: r.Method, path: r.URL.EscapedPath(), auth: r.Header.Get("Authorization"), query: r.URL.Query(), body: string(b)}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL + "/", Token: "tok-1"}, rec
}

func TestClientRequests(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		answer string
		call   func(c *Client) (any, error)
		method string
		path   string
		query  url.Values
		body   string
		want   any
	}{
		{
			name:   "deploy posts the request",
			answer: `{"project":"chat","version":3,"kind":"worker","url":"https://chat.deno.dev/","public":true}`,
			call: func(c *Client) (any, error) {
				return c.Deploy(ctx, DeployRequest{Project: "chat", Kind: "worker", Entry: "/a/mod.js", Source: "x"})
			},
			method: "POST", path: "/v1/deployments",
			body: `{"project":"chat","kind":"worker","entry":"/a/mod.js","source":"x"}`,
			want: DeployResponse{Project: "chat", Version: 3, Kind: "worker", URL: "https://chat.deno.dev/", Public: true},
		},
		{
			name:   "projects",
			answer: `[{"name":"chat","version":2}]`,
			call:   func(c *Client) (any, error) { return c.Projects(ctx) },
			method: "GET", path: "/v1/projects",
			want: []Project{{Name: "chat", Version: 2}},
		},
		{
			name:   "project escapes its name",
			answer: `{"name":"a/b"}`,
			call:   func(c *Client) (any, error) { return c.Project(ctx, "a/b") },
			method: "GET", path: "/v1/projects/a%2Fb",
			want: Project{Name: "a/b"},
		},
		{
			name:   "delete project",
			answer: `{"deleted":"project chat"}`,
			call:   func(c *Client) (any, error) { return c.DeleteProject(ctx, "chat") },
			method: "DELETE", path: "/v1/projects/chat",
			want: Deleted{Deleted: "project chat"},
		},
		{
			name:   "versions",
			answer: `[{"version":1,"current":true,"bytes":10}]`,
			call:   func(c *Client) (any, error) { return c.Versions(ctx, "chat") },
			method: "GET", path: "/v1/projects/chat/versions",
			want: []Version{{Version: 1, Current: true, Bytes: 10}},
		},
		{
			name:   "rollback sends the version",
			answer: `{"name":"chat","version":1,"unacknowledged":["node-c"]}`,
			call:   func(c *Client) (any, error) { return c.Rollback(ctx, "chat", 1) },
			method: "POST", path: "/v1/projects/chat/rollback", body: `{"version":1}`,
			want: RollbackResponse{Project: Project{Name: "chat", Version: 1}, Unacknowledged: []string{"node-c"}},
		},
		{
			name:   "coordinators",
			answer: `[{"name":"_default","state":"idle","stored_bytes":7}]`,
			call:   func(c *Client) (any, error) { return c.Coordinators(ctx, "room") },
			method: "GET", path: "/v1/projects/room/coordinators",
			want: []Coordinator{{Name: "_default", State: "idle", StoredBytes: 7}},
		},
		{
			name:   "delete coordinator escapes both segments",
			answer: `{"deleted":"coordinator r 1 of room"}`,
			call:   func(c *Client) (any, error) { return c.DeleteCoordinator(ctx, "room", "r 1") },
			method: "DELETE", path: "/v1/projects/room/coordinators/r%201",
			want: Deleted{Deleted: "coordinator r 1 of room"},
		},
		{
			name:   "kv list sends compact prefix, limit, cursor and instance",
			answer: `{"entries":[{"key":["a"],"value":1,"versionstamp":"01"}],"cursor":"c2"}`,
			call: func(c *Client) (any, error) {
				return c.KVList(ctx, "room", "r1", json.RawMessage(`[ "users", 1 ]`), 10, "c1")
			},
			method: "GET", path: "/v1/projects/room/kv",
			query: url.Values{"instance": {"r1"}, "prefix": {`["users",1]`}, "limit": {"10"}, "cursor": {"c1"}},
			want:  KVList{Entries: []KVEntry{{Key: json.RawMessage(`["a"]`), Value: json.RawMessage(`1`), Versionstamp: "01"}}, Cursor: "c2"},
		},
		{
			name:   "kv list without options sends no query",
			answer: `{"entries":[]}`,
			call:   func(c *Client) (any, error) { return c.KVList(ctx, "room", "", nil, 0, "") },
			method: "GET", path: "/v1/projects/room/kv", query: url.Values{},
			want: KVList{Entries: []KVEntry{}},
		},
		{
			name:   "kv get",
			answer: `{"key":["k"],"value":"v","versionstamp":"02"}`,
			call:   func(c *Client) (any, error) { return c.KVGet(ctx, "chat", "", json.RawMessage(`["k"]`)) },
			method: "GET", path: "/v1/projects/chat/kv/get", query: url.Values{"key": {`["k"]`}},
			want: KVEntry{Key: json.RawMessage(`["k"]`), Value: json.RawMessage(`"v"`), Versionstamp: "02"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := recorder(t, http.StatusOK, tt.answer)
			got, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("result = %#v, want %#v", got, tt.want)
			}
			if rec.method != tt.method || rec.path != tt.path {
				t.Errorf("request = %s %s, want %s %s", rec.method, rec.path, tt.method, tt.path)
			}
			if rec.auth != "Bearer tok-1" {
				t.Errorf("Authorization = %q, want the bearer token", rec.auth)
			}
			if tt.query != nil && !reflect.DeepEqual(rec.query, tt.query) {
				t.Errorf("query = %v, want %v", rec.query, tt.query)
			}
			if rec.body != tt.body {
				t.Errorf("body = %s, want %s", rec.body, tt.body)
			}
		})
	}
}

func TestClientStatusMapping(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name    string
		status  int
		body    string
		message string // the APIError's Message
		errText string // a substring of err.Error()
	}{
		{"json error body", 404, `{"error":"no project chat"}`, "no project chat", "no project chat"},
		{"conflict", 409, `{"error":"chat belongs to another account"}`, "chat belongs to another account", "another account"},
		{"plain text body falls back to status text", 500, "boom\n", "Internal Server Error: boom", "Internal Server Error: boom"},
		{"empty body", 502, "", "Bad Gateway", "Bad Gateway"},
		{"json without error field", 400, `{"x":1}`, `Bad Request: {"x":1}`, "Bad Request"},
		{"long body is cut to 200 bytes", 500, long, "Internal Server Error: " + long[:200], "xxx"},
		{"unknown status", 599, "", "status 599", "status 599"},
		{"401 says to set the token", 401, `{"error":"unknown token"}`, "unknown token",
			"the admin API refused the token (set EDGE_TOKEN or --token to one of your account's tokens): unknown token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := recorder(t, tt.status, tt.body)
			_, err := c.Projects(context.Background())
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if ae.Status != tt.status || ae.Message != tt.message {
				t.Errorf("APIError = {%d %q}, want {%d %q}", ae.Status, ae.Message, tt.status, tt.message)
			}
			if !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("err = %q, want it to contain %q", err, tt.errText)
			}
		})
	}
}

func TestClientUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now
	c := &Client{BaseURL: base, Token: "t"}
	_, err := c.Projects(context.Background())
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	want := "cannot reach the admin API at " + base + " (is `edge serve` running with admin.listen set? point --server or EDGE_SERVER at it)"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q, want it to contain %q", err, want)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("err = %v, want it to wrap the *url.Error", err)
	}
}

func TestClientBadInputsSendNothing(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	ctx := context.Background()
	tests := []struct {
		name string
		c    *Client
		call func(c *Client) error
		want string
	}{
		{"base url without scheme", &Client{BaseURL: "127.0.0.1:8081"},
			func(c *Client) error { _, err := c.Projects(ctx); return err }, "is not a URL"},
		{"empty base url", &Client{},
			func(c *Client) error { _, err := c.Projects(ctx); return err }, "is not a URL"},
		{"empty project", &Client{BaseURL: srv.URL},
			func(c *Client) error { _, err := c.Versions(ctx, ""); return err }, "project name is empty"},
		{"empty coordinator", &Client{BaseURL: srv.URL},
			func(c *Client) error { _, err := c.DeleteCoordinator(ctx, "p", ""); return err }, "coordinator name is empty"},
		{"invalid prefix json", &Client{BaseURL: srv.URL},
			func(c *Client) error { _, err := c.KVList(ctx, "p", "", json.RawMessage(`[1,`), 0, ""); return err }, "not valid JSON"},
		{"negative limit", &Client{BaseURL: srv.URL},
			func(c *Client) error { _, err := c.KVList(ctx, "p", "", nil, -1, ""); return err }, "negative"},
		{"empty key", &Client{BaseURL: srv.URL},
			func(c *Client) error { _, err := c.KVGet(ctx, "p", "", nil); return err }, "key is empty"},
		{"negative tail", &Client{BaseURL: srv.URL},
			func(c *Client) error { return c.Logs(ctx, "p", false, -1, nil) }, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(tt.c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server got %d requests, want none", n)
	}
}

func TestClientNotTheAdminAPI(t *testing.T) {
	c, _ := recorder(t, http.StatusOK, "<html>hello</html>")
	_, err := c.Projects(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not the admin API's JSON") {
		t.Errorf("err = %v, want it to say the answer is not the admin API's JSON", err)
	}
}

func TestClientLogs(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	lines := []LogLine{
		{Time: t0, Project: "chat", Instance: "worker-1", Level: "info", Message: "hello"},
		{Time: t0.Add(time.Second), Project: "chat", Instance: "_default", Level: "error", Message: "oops\nat mod.js:1"},
	}
	var gotQuery url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.Query()
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		for _, l := range lines {
			enc.Encode(l)
		}
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, Token: "t"}

	var got []LogLine
	err := c.Logs(context.Background(), "chat", false, 5, func(l LogLine) error { got = append(got, l); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, lines) {
		t.Errorf("lines = %+v, want %+v", got, lines)
	}
	if want := (url.Values{"tail": {"5"}}); !reflect.DeepEqual(gotQuery, want) {
		t.Errorf("query = %v, want %v", gotQuery, want)
	}

	t.Run("an error from fn stops the stream", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := c.Logs(context.Background(), "chat", false, 0, func(LogLine) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("err = %v after %d lines, want stop after 1", err, n)
		}
	})
}

func TestClientLogsBadStream(t *testing.T) {
	c, _ := recorder(t, http.StatusOK, `{"message":"ok"}`+"\nnot json\n")
	n := 0
	err := c.Logs(context.Background(), "chat", false, 0, func(LogLine) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "reading the log stream of chat") || n != 1 {
		t.Errorf("err = %v after %d lines, want a stream error after 1", err, n)
	}
}

func TestClientLogsFollowEndsWithContext(t *testing.T) {
	handlerDone := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(handlerDone)
		if r.URL.Query().Get("follow") != "1" {
			http.Error(w, `{"error":"want follow=1"}`, http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, `{"message":"first"}`)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a follower's stream never ends by itself
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, Token: "t"}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	err := c.Logs(ctx, "chat", true, 0, func(l LogLine) error {
		got = append(got, l.Message)
		cancel() // as an interrupt would
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if !reflect.DeepEqual(got, []string{"first"}) {
		t.Errorf("lines = %q, want [first]", got)
	}
	select {
	case <-handlerDone:
	case <-time.After(10 * time.Second):
		t.Error("the server's handler still runs: the client did not close the stream")
	}
}
