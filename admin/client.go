package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Client calls the admin API. Its zero value is not usable: BaseURL is
// required. A Client is safe for concurrent use if its HTTP client is.
type Client struct {
	// BaseURL is the admin listener, e.g. "http://127.0.0.1:8081".
	BaseURL string
	// Token is sent as "Authorization: Bearer <Token>".
	Token string
	// HTTP performs the requests; nil means http.DefaultClient. It should
	// have no overall timeout: Logs with follow streams until its context
	// ends. Bound calls with the context instead.
	HTTP *http.Client
}

// APIError is a non-2xx answer of the admin API.
type APIError struct {
	// Status is the HTTP status code (see the package doc for their meaning).
	Status int
	// Message is the server's {"error": ...}, or the status text and the
	// start of the body when the answer was not the API's JSON error.
	Message string
}

func (e *APIError) Error() string {
	if e.Status == http.StatusUnauthorized {
		return fmt.Sprintf("the admin API refused the token (set EDGE_TOKEN or --token to one of your account's tokens): %s", e.Message)
	}
	return e.Message
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// Deploy uploads a project's bundle as a new version and makes it current.
func (c *Client) Deploy(ctx context.Context, req DeployRequest) (DeployResponse, error) {
	var out DeployResponse
	err := c.do(ctx, http.MethodPost, PathDeployments, nil, nil, req, &out)
	return out, err
}

// Projects lists the account's projects.
func (c *Client) Projects(ctx context.Context) ([]Project, error) {
	var out []Project
	err := c.do(ctx, http.MethodGet, PathProjects, nil, nil, nil, &out)
	return out, err
}

// Project returns one project.
func (c *Client) Project(ctx context.Context, name string) (Project, error) {
	var out Project
	err := c.do(ctx, http.MethodGet, PathProject, at(name, ""), nil, nil, &out)
	return out, err
}

// DeleteProject deletes a project with its versions and stored data.
func (c *Client) DeleteProject(ctx context.Context, name string) (Deleted, error) {
	var out Deleted
	err := c.do(ctx, http.MethodDelete, PathProject, at(name, ""), nil, nil, &out)
	return out, err
}

// Versions lists a project's stored versions.
func (c *Client) Versions(ctx context.Context, project string) ([]Version, error) {
	var out []Version
	err := c.do(ctx, http.MethodGet, PathVersions, at(project, ""), nil, nil, &out)
	return out, err
}

// Rollback makes an earlier version current; version 0 means the one
// before the current one.
func (c *Client) Rollback(ctx context.Context, project string, version int64) (RollbackResponse, error) {
	var out RollbackResponse
	err := c.do(ctx, http.MethodPost, PathRollback, at(project, ""), nil, RollbackRequest{Version: version}, &out)
	return out, err
}

// Coordinators lists the instances of a coordinator (or greeter) project.
func (c *Client) Coordinators(ctx context.Context, project string) ([]Coordinator, error) {
	var out []Coordinator
	err := c.do(ctx, http.MethodGet, PathCoordinators, at(project, ""), nil, nil, &out)
	return out, err
}

// DeleteCoordinator deletes one coordinator instance and its store.
func (c *Client) DeleteCoordinator(ctx context.Context, project, name string) (Deleted, error) {
	if name == "" {
		return Deleted{}, errors.New("coordinator name is empty: name the instance to delete")
	}
	var out Deleted
	err := c.do(ctx, http.MethodDelete, PathCoordinator, at(project, name), nil, nil, &out)
	return out, err
}

// KVList returns one page of a store's entries. instance "" lets the server
// pick the default (a coordinator's default instance, or a worker's shared
// store); prefix nil lists everything; limit 0 lets the server choose the
// page size; cursor continues an earlier page.
func (c *Client) KVList(ctx context.Context, project, instance string, prefix json.RawMessage, limit int, cursor string) (KVList, error) {
	q := url.Values{}
	if instance != "" {
		q.Set("instance", instance)
	}
	if len(prefix) > 0 {
		compact, err := compactJSON(prefix)
		if err != nil {
			return KVList{}, fmt.Errorf("prefix: %w", err)
		}
		q.Set("prefix", compact)
	}
	if limit < 0 {
		return KVList{}, fmt.Errorf("limit %d is negative: use 0 for the server's page size, or a positive number", limit)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var out KVList
	err := c.do(ctx, http.MethodGet, PathKV, at(project, ""), q, nil, &out)
	return out, err
}

// KVGet returns one entry; an absent key is an *APIError with status 404.
func (c *Client) KVGet(ctx context.Context, project, instance string, key json.RawMessage) (KVEntry, error) {
	if len(key) == 0 {
		return KVEntry{}, errors.New("key is empty: give a JSON array of key parts, e.g. [\"users\", 1]")
	}
	compact, err := compactJSON(key)
	if err != nil {
		return KVEntry{}, fmt.Errorf("key: %w", err)
	}
	q := url.Values{"key": {compact}}
	if instance != "" {
		q.Set("instance", instance)
	}
	var out KVEntry
	err = c.do(ctx, http.MethodGet, PathKVGet, at(project, ""), q, nil, &out)
	return out, err
}

// Logs streams a project's log lines to fn: the last tail lines (0: the
// server's default), then, with follow, new lines as they come, until the
// server ends the stream (nil) or ctx ends (ctx.Err()). An error from fn
// stops the stream and is returned as is.
func (c *Client) Logs(ctx context.Context, project string, follow bool, tail int, fn func(LogLine) error) error {
	q := url.Values{}
	if follow {
		q.Set("follow", "1")
	}
	if tail < 0 {
		return fmt.Errorf("tail %d is negative: use 0 for the server's default, or a positive number of lines", tail)
	}
	if tail > 0 {
		q.Set("tail", strconv.Itoa(tail))
	}
	resp, err := c.send(ctx, http.MethodGet, PathLogs, at(project, ""), q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var line LogLine
		err := dec.Decode(&line)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("reading the log stream of %s from %s: %w", project, c.BaseURL, err)
		}
		if err := fn(line); err != nil {
			return err
		}
	}
}

// segments are the values of a path's {project} and {name}.
type segments struct{ project, name string }

func at(project, name string) *segments { return &segments{project: project, name: name} }

// do sends a request with an optional JSON body and decodes a 2xx JSON
// answer into out.
func (c *Client) do(ctx context.Context, method, pattern string, seg *segments, q url.Values, in, out any) error {
	resp, err := c.send(ctx, method, pattern, seg, q, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("the answer of %s %s is not the admin API's JSON (does --server point at the admin listener, not the public one?): %w",
			method, resp.Request.URL.Redacted(), err)
	}
	return nil
}

// send performs a request and returns a 2xx response, whose body the caller
// closes; any other status becomes an *APIError.
func (c *Client) send(ctx context.Context, method, pattern string, seg *segments, q url.Values, in any) (*http.Response, error) {
	u, err := c.url(pattern, seg, q)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encoding the request to %s: %w", u, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("building the request to %s: %w", u, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("cannot reach the admin API at %s (is `edge serve` running with admin.listen set? point --server or EDGE_SERVER at it): %w", c.BaseURL, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, readAPIError(resp)
}

// url builds the address of pattern with its {project} and {name} segments
// escaped.
func (c *Client) url(pattern string, seg *segments, q url.Values) (string, error) {
	base := strings.TrimRight(c.BaseURL, "/")
	if bu, err := url.Parse(base); err != nil || (bu.Scheme != "http" && bu.Scheme != "https") || bu.Host == "" {
		return "", fmt.Errorf("admin API address %q is not a URL: want http://host:port (set --server or EDGE_SERVER)", c.BaseURL)
	}
	p := pattern
	if seg != nil {
		if strings.Contains(p, "{project}") {
			if seg.project == "" {
				return "", errors.New("project name is empty: name the project")
			}
			p = strings.ReplaceAll(p, "{project}", url.PathEscape(seg.project))
		}
		if strings.Contains(p, "{name}") {
			p = strings.ReplaceAll(p, "{name}", url.PathEscape(seg.name))
		}
	}
	u := base + p
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u, nil
}

// readAPIError turns a non-2xx answer into an *APIError.
func readAPIError(resp *http.Response) *APIError {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var e Error
	if json.Unmarshal(raw, &e) == nil && e.Error != "" {
		return &APIError{Status: resp.StatusCode, Message: e.Error}
	}
	msg := http.StatusText(resp.StatusCode)
	if msg == "" {
		msg = "status " + strconv.Itoa(resp.StatusCode)
	}
	text := raw
	if len(text) > 200 {
		text = text[:200]
	}
	if t := strings.TrimSpace(string(bytes.ToValidUTF8(text, nil))); t != "" {
		msg += ": " + t
	}
	return &APIError{Status: resp.StatusCode, Message: msg}
}

// compactJSON checks raw is JSON and returns it without insignificant space.
func compactJSON(raw json.RawMessage) (string, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", fmt.Errorf("%s is not valid JSON: %w", raw, err)
	}
	return b.String(), nil
}
