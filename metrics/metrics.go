// Package metrics owns edge's Prometheus metrics: the series a node
// exports, their names and labels, and the HTTP handler that serves them in
// the Prometheus text format.
//
// Recording is meant for the request hot path: every recording method looks
// up its label-bound series in a small cache (a read lock and a map lookup,
// no allocation once the series exists) and then updates it atomically. A
// nil *Metrics records nothing, so callers and tests that do not care about
// metrics pass nil.
//
// # Labels
//
// The labels are project names, deployment kinds, status classes and a few
// fixed reasons. Project names are bounded by what is deployed (Forget drops
// a deleted project's series). Instance names are never labels: callers
// choose them freely (a coordinator instance per user, per room...), so
// they are unbounded and would make every series set grow without limit.
//
// This package must never log or block: it is called while requests and
// commits are in flight.
package metrics

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// latencyBuckets covers a request or a commit group from 100 µs (a cached
// worker answer, an idle group on SQLite) to 30 s (the request time limit
// and persistence's group timeout), about 2.5x apart.
var latencyBuckets = []float64{
	0.0001, 0.00025, 0.0005,
	0.001, 0.0025, 0.005,
	0.01, 0.025, 0.05,
	0.1, 0.25, 0.5,
	1, 2.5, 5, 10, 30,
}

// groupSizeBuckets covers commits per group: 1 to 1024, powers of two
// (persistence caps a group at 512).
var groupSizeBuckets = prometheus.ExponentialBuckets(1, 2, 11)

// mutationBuckets covers mutations per group: 1 to 262,144, powers of
// four (a commit carries at most 1,000 mutations, a group 512 commits).
var mutationBuckets = prometheus.ExponentialBuckets(1, 4, 10)

// codeClasses are the values of the code_class label, by status/100.
var codeClasses = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

// Metrics is one node's set of metrics, with its own registry (so tests
// and several nodes in one process do not share series). The zero value is
// not usable; use New. A nil *Metrics is: it records nothing.
type Metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec   // project, kind, code_class
	duration    *prometheus.HistogramVec // project
	activations *prometheus.CounterVec   // project, result
	passivation *prometheus.CounterVec   // project, reason
	fetches     *prometheus.CounterVec   // caller, target
	overloaded  *prometheus.CounterVec   // project
	loops       *prometheus.CounterVec   // project
	deployments *prometheus.CounterVec   // project

	groups        *prometheus.CounterVec // result
	groupsOK      prometheus.Counter
	groupsFailed  prometheus.Counter
	commits       prometheus.Counter
	groupCommits  prometheus.Histogram
	groupMuts     prometheus.Histogram
	groupDuration prometheus.Histogram

	coordinators atomic.Pointer[func() (active, idle int)]

	// Label-bound series, cached so that the hot path neither hashes label
	// values nor allocates a label slice.
	byRequest    cache[requestKey, *requestSeries]
	byProject    cache[string, *projectSeries]
	byPassivated cache[pair, prometheus.Counter] // project, reason
	byFetch      cache[pair, prometheus.Counter] // caller, target
}

type requestKey struct{ project, kind string }

// requestSeries are the request counters of one project and kind, one per
// code class, created on first use so that unused classes export nothing.
type requestSeries struct {
	mu      sync.Mutex
	classes [len(codeClasses)]atomic.Pointer[prometheus.Counter]
}

// projectSeries are the series labelled only by project.
type projectSeries struct {
	duration     prometheus.Observer
	activatedOK  prometheus.Counter
	activatedErr prometheus.Counter
	overloaded   prometheus.Counter
	loops        prometheus.Counter
	deployments  prometheus.Counter
}

type pair struct{ a, b string }

// New returns a Metrics with every edge series registered, plus the Go
// runtime and process collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edge_requests_total",
		Help: "Requests answered, by project, deployment kind and HTTP status class.",
	}, []string{"project", "kind", "code_class"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "edge_request_duration_seconds",
		Help:    "Time from receiving a request to its response, by project.",
		Buckets: latencyBuckets,
	}, []string{"project"})
	m.activations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edge_activations_total",
		Help: "Instance activations (a VM started for an instance), by project and result (ok, error).",
	}, []string{"project", "result"})
	m.passivation = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edge_passivations_total",
		Help: "Instance passivations (a VM closed), by project and reason (idle, lru, redeploy, deleted).",
	}, []string{"project", "reason"})
	m.fetches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edge_internal_fetches_total",
		Help: "fetch() calls from one project to another on this platform, by caller and target project.",
	}, []string{"caller", "target"})
	m.overloaded = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edge_overloaded_total",
		Help: "Requests refused with 503 because an instance's queue was full, by project.",
	}, []string{"project"})
	m.loops = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edge_fetch_loops_total",
		Help: "Requests refused with 508 because a fetch() chain looped, by project.",
	}, []string{"project"})
	m.deployments = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edge_deployments_total",
		Help: "Deployments made current, by project.",
	}, []string{"project"})
	m.groups = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "edge_storage_groups_total",
		Help: "Commit groups (one database transaction each), by result (ok, error).",
	}, []string{"result"})
	m.groupsOK = m.groups.WithLabelValues("ok")
	m.groupsFailed = m.groups.WithLabelValues("error")
	m.commits = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "edge_storage_commits_total",
		Help: "KV commits handed to group commit, whatever their outcome.",
	})
	m.groupCommits = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "edge_storage_group_commits",
		Help:    "Commits per commit group.",
		Buckets: groupSizeBuckets,
	})
	m.groupMuts = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "edge_storage_group_mutations",
		Help:    "Mutations per commit group.",
		Buckets: mutationBuckets,
	})
	m.groupDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "edge_storage_group_duration_seconds",
		Help:    "Time one commit group's transaction took.",
		Buckets: latencyBuckets,
	})
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.activations, m.passivation, m.fetches,
		m.overloaded, m.loops, m.deployments,
		m.groups, m.commits, m.groupCommits, m.groupMuts, m.groupDuration,
		coordinatorCollector{m},
	)
	return m
}

// Handler serves the metrics in the Prometheus text format. A nil
// *Metrics serves 404.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Request records one answered request: project, its deployment kind
// (admin.Kind*), the response status and the time it took.
func (m *Metrics) Request(project, kind string, status int, d time.Duration) {
	if m == nil {
		return
	}
	rs := m.byRequest.get(requestKey{project, kind}, func() *requestSeries { return new(requestSeries) })
	rs.counter(m.requests, project, kind, status).Inc()
	m.project(project).duration.Observe(d.Seconds())
}

// counter returns the counter of status's class, creating it on first use.
// A status outside 100..599 counts as 5xx: it is the server's failure.
func (rs *requestSeries) counter(vec *prometheus.CounterVec, project, kind string, status int) prometheus.Counter {
	c := status/100 - 1
	if c < 0 || c >= len(codeClasses) {
		c = len(codeClasses) - 1
	}
	if p := rs.classes[c].Load(); p != nil {
		return *p
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if p := rs.classes[c].Load(); p != nil {
		return *p
	}
	counter := vec.WithLabelValues(project, kind, codeClasses[c])
	rs.classes[c].Store(&counter)
	return counter
}

// Activation records an instance activation of project and whether it
// succeeded.
func (m *Metrics) Activation(project string, ok bool) {
	if m == nil {
		return
	}
	if ok {
		m.project(project).activatedOK.Inc()
	} else {
		m.project(project).activatedErr.Inc()
	}
}

// Passivation records an instance of project closing its VM, for reason:
// "hibernated", "idle", "lru", "deleted" and the others actors uses. Reasons must come from such a
// fixed set: each one is a series per project.
func (m *Metrics) Passivation(project, reason string) {
	if m == nil {
		return
	}
	m.byPassivated.get(pair{project, reason}, func() prometheus.Counter {
		return m.passivation.WithLabelValues(project, reason)
	}).Inc()
}

// CoordinatorStates makes the gauges edge_coordinators{state="active"}
// and {state="idle"} report what fn returns, calling it once per scrape
// (so fn must be safe to call from the scraping goroutine, and quick).
// Until it is called, the gauges are not exported; a later call replaces
// fn.
func (m *Metrics) CoordinatorStates(fn func() (active, idle int)) {
	if m == nil {
		return
	}
	m.coordinators.Store(&fn)
}

// InternalFetch records one fetch() from project caller to project target
// through the platform (not the Internet).
func (m *Metrics) InternalFetch(caller, target string) {
	if m == nil {
		return
	}
	m.byFetch.get(pair{caller, target}, func() prometheus.Counter {
		return m.fetches.WithLabelValues(caller, target)
	}).Inc()
}

// Overloaded records a request to project refused with 503 because an
// instance's queue was full.
func (m *Metrics) Overloaded(project string) {
	if m == nil {
		return
	}
	m.project(project).overloaded.Inc()
}

// LoopDetected records a request to project refused with 508 because its
// fetch() chain looped.
func (m *Metrics) LoopDetected(project string) {
	if m == nil {
		return
	}
	m.project(project).loops.Inc()
}

// Deployed records a deployment of project made current.
func (m *Metrics) Deployed(project string) {
	if m == nil {
		return
	}
	m.project(project).deployments.Inc()
}

// GroupCommitted records one commit group: the number of commits and
// mutations in it, how long its transaction took, and its error (nil if it
// committed). It satisfies persistence.CommitObserver.
func (m *Metrics) GroupCommitted(commits, mutations int, d time.Duration, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.groupsFailed.Inc()
	} else {
		m.groupsOK.Inc()
	}
	m.commits.Add(float64(commits))
	m.groupCommits.Observe(float64(commits))
	m.groupMuts.Observe(float64(mutations))
	m.groupDuration.Observe(d.Seconds())
}

// Forget drops every series of project (as a label of any name: project,
// caller or target), for a deleted project. A project deployed again
// starts its counters from zero, which Prometheus treats as a reset.
func (m *Metrics) Forget(project string) {
	if m == nil {
		return
	}
	// Drop the cached children first: a recording that races with Forget
	// then either lands in a series Forget deletes, or creates a fresh one.
	m.byRequest.drop(func(k requestKey) bool { return k.project == project })
	m.byProject.drop(func(k string) bool { return k == project })
	m.byPassivated.drop(func(k pair) bool { return k.a == project })
	m.byFetch.drop(func(k pair) bool { return k.a == project || k.b == project })
	for _, v := range []*prometheus.CounterVec{m.requests, m.activations, m.passivation, m.overloaded, m.loops, m.deployments} {
		v.DeletePartialMatch(prometheus.Labels{"project": project})
	}
	m.duration.DeletePartialMatch(prometheus.Labels{"project": project})
	m.fetches.DeletePartialMatch(prometheus.Labels{"caller": project})
	m.fetches.DeletePartialMatch(prometheus.Labels{"target": project})
}

func (m *Metrics) project(project string) *projectSeries {
	return m.byProject.get(project, func() *projectSeries {
		return &projectSeries{
			duration:     m.duration.WithLabelValues(project),
			activatedOK:  m.activations.WithLabelValues(project, "ok"),
			activatedErr: m.activations.WithLabelValues(project, "error"),
			overloaded:   m.overloaded.WithLabelValues(project),
			loops:        m.loops.WithLabelValues(project),
			deployments:  m.deployments.WithLabelValues(project),
		}
	})
}

// coordinatorCollector exports edge_coordinators from the function given
// to CoordinatorStates. It is a collector rather than two GaugeFuncs so
// that one scrape calls the function once and both states come from the
// same moment.
type coordinatorCollector struct{ m *Metrics }

var coordinatorsDesc = prometheus.NewDesc("edge_coordinators",
	"Coordinator instances on this node, by state: active (a VM is running) or idle (passivated, actor kept).",
	[]string{"state"}, nil)

func (c coordinatorCollector) Describe(ch chan<- *prometheus.Desc) { ch <- coordinatorsDesc }

func (c coordinatorCollector) Collect(ch chan<- prometheus.Metric) {
	fn := c.m.coordinators.Load()
	if fn == nil {
		return
	}
	active, idle := (*fn)()
	ch <- prometheus.MustNewConstMetric(coordinatorsDesc, prometheus.GaugeValue, float64(active), "active")
	ch <- prometheus.MustNewConstMetric(coordinatorsDesc, prometheus.GaugeValue, float64(idle), "idle")
}

// cache maps label values to their series. Reads take a read lock only;
// a miss creates the series under the write lock, once.
type cache[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

func (c *cache[K, V]) get(k K, create func() V) V {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[k]; ok {
		return v
	}
	if c.m == nil {
		c.m = make(map[K]V)
	}
	v = create()
	c.m[k] = v
	return v
}

func (c *cache[K, V]) drop(match func(K) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if match(k) {
			delete(c.m, k)
		}
	}
}
