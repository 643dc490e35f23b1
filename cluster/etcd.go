package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Proto.Actor's etcd provider retries a member's registration for as long
// as etcd does not answer, inside the cluster's start: with etcd down,
// `edge serve` would hang without a word. checkEtcd asks first, bounded
// by the caller's context (cluster.provider_timeout).

// checkEtcd returns nil once one of endpoints reports itself healthy on
// etcd's HTTP health endpoint (GET /health: 200 when the member has a
// leader), retrying until ctx ends; then it says what the last answer
// was.
func checkEtcd(ctx context.Context, endpoints []string) error {
	client := &http.Client{Transport: providerTransport()}
	defer client.CloseIdleConnections()
	var last error
	for {
		for _, ep := range endpoints {
			err := etcdHealthy(ctx, client, ep)
			if err == nil {
				return nil
			}
			last = err
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				last = fmt.Errorf("no healthy answer within cluster.provider_timeout: %w", last)
			}
			return fmt.Errorf("provider etcd: cannot reach etcd at %s: %w (check cluster.etcd.endpoints and that etcd runs; raise cluster.provider_timeout if it is slow)",
				strings.Join(endpoints, ", "), last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// etcdHealthy asks one endpoint ("host:port" or a URL) for its health.
func etcdHealthy(ctx context.Context, client *http.Client, endpoint string) error {
	base := endpoint
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/health", nil)
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: %s", endpoint, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
