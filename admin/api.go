// Package admin is edge's operator surface: the admin API (HTTP/JSON on
// its own listener, bearer tokens per account) and its Go client, which the
// edge CLI uses. This file is the wire contract both sides share; the paths
// and types here are the API, documented for users in docs/ADMIN-API.md.
//
// Every request carries "Authorization: Bearer <token>"; the token names an
// account, and a request sees only that account's projects: another
// account's project answers exactly as a project that does not exist (404).
// Errors are JSON {"error": "..."} with a status: 400 bad input, 401 no or
// unknown token, 404 no such project/version/coordinator/key, 409 conflict
// (a project name or domain owned by another account), 413 body too large.
package admin

import (
	"encoding/json"
	"time"
)

// Paths of the API (Go 1.22 ServeMux patterns without the method).
const (
	PathDeployments  = "/v1/deployments"                            // POST DeployRequest -> DeployResponse
	PathProjects     = "/v1/projects"                               // GET -> []Project
	PathProject      = "/v1/projects/{project}"                     // GET -> Project; DELETE -> Deleted
	PathVersions     = "/v1/projects/{project}/versions"            // GET -> []Version
	PathRollback     = "/v1/projects/{project}/rollback"            // POST RollbackRequest -> RollbackResponse
	PathCoordinators = "/v1/projects/{project}/coordinators"        // GET -> []Coordinator
	PathCoordinator  = "/v1/projects/{project}/coordinators/{name}" // DELETE -> Deleted
	PathKV           = "/v1/projects/{project}/kv"                  // GET ?instance=&prefix=&limit=&cursor= -> KVList
	PathKVGet        = "/v1/projects/{project}/kv/get"              // GET ?instance=&key= -> KVEntry (404 if absent)
	PathLogs         = "/v1/projects/{project}/logs"                // GET ?follow=1&tail=N -> NDJSON of LogLine
	PathMetrics      = "/metrics"                                   // GET Prometheus text (no token needed)
	PathHealth       = "/healthz"                                   // GET "ok" (no token needed)
)

// Kinds a project can be deployed as (configs.Kind values).
const (
	KindWorker      = "worker"      // many instances, public
	KindCoordinator = "coordinator" // one instance, private
	KindAssistant   = "assistant"   // many instances, private
	KindGreeter     = "greeter"     // one instance, public
)

// DeployRequest uploads one project's bundled program as a new version and
// makes it current. The CLI bundles on the user's machine (jsvm.Bundle) and
// sends Program.Source; the server compiles it (jsvm.Compile) and refuses
// code that does not compile, without storing anything.
type DeployRequest struct {
	Project string            `json:"project"` // a DNS label
	Kind    string            `json:"kind"`    // worker | coordinator | assistant | greeter
	Entry   string            `json:"entry"`   // absolute entry path on the deployer's machine (names the code in stacks)
	Source  string            `json:"source"`  // the bundle: jsvm.Program.Source
	Env     map[string]string `json:"env,omitempty"`
	Domains []string          `json:"domains,omitempty"` // extra hostnames served by this project
	Message string            `json:"message,omitempty"` // free text shown by edge versions
}

// DeployResponse says what was deployed and where it is reached.
type DeployResponse struct {
	Project string `json:"project"`
	Version int64  `json:"version"`
	Kind    string `json:"kind"`
	// URL is https://<project>.<domain>/; private kinds are reached only by
	// fetch() from the same account's code.
	URL     string   `json:"url"`
	Public  bool     `json:"public"`
	Domains []string `json:"domains,omitempty"`
	// Unacknowledged names the cluster nodes that did not confirm in time
	// that they serve this version; every other node does when the answer
	// comes (see docs/SEMANTICS.md, Cluster).
	Unacknowledged []string `json:"unacknowledged,omitempty"`
}

// Project is a deployed project and its current version.
type Project struct {
	Name      string    `json:"name"`
	Account   string    `json:"account"`
	Kind      string    `json:"kind"`
	Version   int64     `json:"version"` // the current version
	URL       string    `json:"url"`
	Public    bool      `json:"public"`
	Domains   []string  `json:"domains,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Version is one stored deployment of a project.
type Version struct {
	Version   int64     `json:"version"`
	Kind      string    `json:"kind"`
	Entry     string    `json:"entry"`
	Message   string    `json:"message,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Current   bool      `json:"current"`
	Bytes     int       `json:"bytes"` // size of the bundle
}

// RollbackResponse is the project after a rollback.
type RollbackResponse struct {
	Project
	// Unacknowledged names the cluster nodes that did not confirm in time
	// that they serve the version rolled back to.
	Unacknowledged []string `json:"unacknowledged,omitempty"`
}

// RollbackRequest makes an earlier version current. Version 0 means the
// version before the current one.
type RollbackRequest struct {
	Version int64 `json:"version"`
}

// Coordinator is one instance of a coordinator (or greeter) project: the
// default instance is named "_default", duplicates by their DNS label.
type Coordinator struct {
	Name string `json:"name"`
	// State is "active" (its VM is running on a node) or "idle" (no VM:
	// passivated, or never activated since the node started).
	State        string          `json:"state"`
	Node         string          `json:"node,omitempty"`   // the node the directory gives it to (where it runs when active)
	Region       string          `json:"region,omitempty"` // its home region: from its settings, else the region of the node that first asked
	Epoch        int64           `json:"epoch"`
	CreatedAt    time.Time       `json:"created_at"`
	LastActivity time.Time       `json:"last_activity,omitempty"`
	StoredBytes  int64           `json:"stored_bytes"` // keys + values in its store
	Settings     json.RawMessage `json:"settings,omitempty"`
}

// Deleted confirms a deletion.
type Deleted struct {
	Deleted string `json:"deleted"` // what was deleted, e.g. "project counter" or "coordinator room-1 of chat"
	// Unacknowledged (a project's deletion) names the cluster nodes that
	// did not confirm in time that they stopped serving it.
	Unacknowledged []string `json:"unacknowledged,omitempty"`
}

// KVList is one page of a store's entries, in key order. Keys are JSON
// arrays of parts (see KeyPart); values are rendered as JSON (see KVEntry).
type KVList struct {
	Entries []KVEntry `json:"entries"`
	// Cursor continues the listing (pass it back as ?cursor=); "" at the end.
	Cursor string `json:"cursor,omitempty"`
}

// KVEntry is one stored entry.
//
// Key parts are JSON: a string is a string, a number is a number, a boolean
// is a boolean, a bigint is {"bigint": "123"}, a Uint8Array is
// {"bytes": "<base64>"}.
//
// Value is the stored value as JSON: JSON values as themselves, a
// Uint8Array as {"bytes": "<base64>"}, a Deno.KvU64 as {"u64": "123"}, and
// any other structured value as {"structured": <edge's tagged tree>}
// (see jsvm/js/kv_value.js).
type KVEntry struct {
	Key          json.RawMessage `json:"key"`
	Value        json.RawMessage `json:"value"`
	Versionstamp string          `json:"versionstamp"`
	ExpiresAt    *time.Time      `json:"expires_at,omitempty"`
}

// LogLine is one line of a project's console output or an uncaught error.
type LogLine struct {
	Time     time.Time `json:"time"`
	Project  string    `json:"project"`
	Instance string    `json:"instance"` // "_default", a duplicate's name, or "worker-N"
	Level    string    `json:"level"`    // debug | info | warn | error
	Message  string    `json:"message"`
	// Node is the cluster member the line was logged on (set by servers
	// that share a database with other nodes).
	Node string `json:"node,omitempty"`
}

// Error is the body of every non-2xx answer.
type Error struct {
	Error string `json:"error"`
}
