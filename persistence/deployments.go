package persistence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/edge-platform/edge/cluster/placement"
)

// Deployments: every stored version of every project, which version is
// current, and which extra domains the current versions serve. The admin
// API writes them (rare operations); the platform reads the current
// versions.
//
// The logic lives here once, written against querier (SQL with ?
// placeholders); admin_sqlite.go and admin_postgres.go only say how to run
// a statement and a transaction, so both backends behave the same.
//
// Tables (schema in sqlite.go and postgres.go):
//
//   - projects(project, account, current): one row per deployed project;
//     the row is the project's lock (FOR UPDATE on Postgres), so versions
//     of one project are assigned one at a time, from any process.
//   - deployments(project, version, ...): the versions, Source as bytes.
//   - domains(domain PRIMARY KEY, project): the extra domains of the
//     current versions. The primary key is what makes a domain served by
//     at most one project, under any concurrency.

var (
	// ErrNotFound: the project, version or coordinator does not exist. It
	// is wrapped with what was not found.
	ErrNotFound = errors.New("not found")
	// ErrProjectOwned: a deployment names a project that another account
	// deployed. Project names are global; choose another name.
	ErrProjectOwned = errors.New("project belongs to another account")
	// ErrDomainTaken: a deployment names a domain that another project's
	// current version serves. It is wrapped with the domain and the project.
	ErrDomainTaken = errors.New("domain is served by another project")
	// ErrInvalid: the input cannot be stored (an empty project name, an
	// unknown kind, settings that are not JSON...). It is wrapped with
	// what is wrong.
	ErrInvalid = errors.New("invalid input")
)

// Deployment is one stored version of a project.
type Deployment struct {
	Project string
	Version int64  // assigned by CreateDeployment: 1, 2, 3... per project
	Account string // the account that owns the project
	Kind    string // "worker" | "coordinator" | "assistant" | "greeter"
	Entry   string // entry path the bundle was made from
	Source  string // the bundled JavaScript (can be MBs); "" where a listing omits it
	Size    int    // len(Source), set on reads even when Source is omitted
	Env     map[string]string
	Domains []string // extra hostnames: lower-cased and without duplicates when stored; nil when none
	Message string
	// CreatedAt is when the version was stored (CreateDeployment sets it
	// when zero), to the millisecond.
	CreatedAt time.Time
}

// deploymentKinds are the kinds a project can be deployed as (as
// admin.Kind* and configs name them).
var deploymentKinds = []string{"worker", "coordinator", "assistant", "greeter"}

// ourErrors are the errors the admin operations return as they are; any
// other error came from the database and is wrapped to name it.
func ourError(err error) bool {
	for _, e := range []error{ErrNotFound, ErrProjectOwned, ErrDomainTaken, ErrInvalid,
		placement.ErrStaleEpoch, placement.ErrNotOwner, placement.ErrNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// errNoRows is what querier's queryRow returns when no row matched.
var errNoRows = errors.New("no rows")

// querier runs SQL written with ? placeholders on one backend, either as
// single statements or inside a transaction. Rows are always read to the
// end before the next statement: a SQLite transaction has one connection.
type querier interface {
	// exec runs a statement and returns the rows it affected.
	exec(ctx context.Context, q string, args ...any) (int64, error)
	// queryRow runs a query and scans its first row into dest; errNoRows
	// if there is none.
	queryRow(ctx context.Context, q string, args []any, dest ...any) error
	// query runs a query and calls each with a scanner for every row.
	query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error
}

// adminSQL is one backend's way of running the admin operations.
type adminSQL struct {
	read  querier // single-statement reads
	write querier // single-statement writes, each its own transaction
	// inTx runs fn in one transaction and commits it if fn returns nil.
	// The transaction holds the database's write lock from its start on
	// SQLite; with lockKV it also locks kv_meta first on Postgres, as every
	// writer of kv rows must (kvcommit.go). fn may be run again after a
	// serialization failure; errors come back unwrapped.
	inTx func(ctx context.Context, lockKV bool, fn func(q querier) error) error
	// forUpdate ends a SELECT that locks the rows it reads: " FOR UPDATE"
	// on Postgres; "" on SQLite, whose transaction locks the database.
	forUpdate string
	// clock is an SQL expression for the store's clock in Unix
	// milliseconds, the one clock all members judge liveness by
	// (members.go): the server's on Postgres; on SQLite, embedded, the
	// process's own. On Postgres every occurrence reads the clock anew: a
	// statement that needs one instant reads it once, in a WITH.
	clock string
	// wrap names the database in an error from it.
	wrap func(doing string, err error) error
}

// tx runs fn in a transaction (see inTx); a database error is wrapped
// with doing, the package's own errors are returned as they are.
func (a adminSQL) tx(ctx context.Context, doing string, lockKV bool, fn func(q querier) error) error {
	err := a.inTx(ctx, lockKV, fn)
	if err == nil || ourError(err) {
		return err
	}
	return a.wrap(doing, err)
}

// validDeployment checks d and returns it as stored: Domains lower-cased
// and deduplicated, Size set.
func validDeployment(d Deployment) (Deployment, error) {
	var problems []string
	if d.Project == "" {
		problems = append(problems, "the project name is empty")
	}
	if d.Account == "" {
		problems = append(problems, "the account is empty")
	}
	if !slices.Contains(deploymentKinds, d.Kind) {
		problems = append(problems, fmt.Sprintf("kind %q is not one of %s", d.Kind, strings.Join(deploymentKinds, ", ")))
	}
	var domains []string
	for _, dom := range d.Domains {
		dom = strings.ToLower(dom)
		if dom == "" || strings.ContainsAny(dom, " \t\r\n/") {
			problems = append(problems, fmt.Sprintf("domain %q is not a hostname", dom))
			continue
		}
		if !slices.Contains(domains, dom) {
			domains = append(domains, dom)
		}
	}
	if len(problems) > 0 {
		return d, fmt.Errorf("storing a deployment of %q: %s: %w", d.Project, strings.Join(problems, "; "), ErrInvalid)
	}
	d.Domains = domains
	d.Size = len(d.Source)
	return d, nil
}

// deploymentCols are a deployment's columns as scanDeployment reads them;
// deploymentMetaCols the same without the source.
const (
	deploymentCols     = `d.project, d.version, d.account, d.kind, d.entry, d.size, d.env, d.domains, d.message, d.created_ms, d.source`
	deploymentMetaCols = `d.project, d.version, d.account, d.kind, d.entry, d.size, d.env, d.domains, d.message, d.created_ms`
)

// scanDeployment reads a row of deploymentCols (withSource) or
// deploymentMetaCols.
func scanDeployment(scan func(dest ...any) error, withSource bool) (Deployment, error) {
	var d Deployment
	var size, createdMs int64
	var env, domains string
	var source []byte
	dest := []any{&d.Project, &d.Version, &d.Account, &d.Kind, &d.Entry, &size, &env, &domains, &d.Message, &createdMs}
	if withSource {
		dest = append(dest, &source)
	}
	if err := scan(dest...); err != nil {
		return d, err
	}
	d.Size = int(size)
	d.Source = string(source)
	d.CreatedAt = time.UnixMilli(createdMs)
	if err := json.Unmarshal([]byte(env), &d.Env); err != nil {
		return d, fmt.Errorf("stored env of %s version %d: %w", d.Project, d.Version, err)
	}
	if err := json.Unmarshal([]byte(domains), &d.Domains); err != nil {
		return d, fmt.Errorf("stored domains of %s version %d: %w", d.Project, d.Version, err)
	}
	return d, nil
}

// CreateDeployment stores d as the next version of its project (1 for a
// new project) and makes it current, in one transaction, and returns it
// as stored, with created true. If the project's current version already
// has d's kind, source, env and domains (entry and message aside), nothing
// is stored and that version is returned, with created false: the check
// and the insert are one transaction under the project's lock, so
// identical deployments racing from any number of processes store one
// version. It fails with ErrProjectOwned if another account deployed the
// project, ErrDomainTaken if another project's current version serves one
// of d.Domains, and ErrInvalid for a d that cannot be stored.
func (a adminSQL) CreateDeployment(ctx context.Context, d Deployment) (_ Deployment, created bool, _ error) {
	d, err := validDeployment(d)
	if err != nil {
		return Deployment{}, false, err
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now()
	}
	d.CreatedAt = time.UnixMilli(d.CreatedAt.UnixMilli())
	env, err := json.Marshal(d.Env)
	if err != nil {
		return Deployment{}, false, fmt.Errorf("storing the env of %s: %w", d.Project, err)
	}
	domains, err := json.Marshal(d.Domains)
	if err != nil {
		return Deployment{}, false, fmt.Errorf("storing the domains of %s: %w", d.Project, err)
	}
	var current Deployment
	err = a.tx(ctx, "deploying "+d.Project, false, func(q querier) error {
		// The project's row is its lock: concurrent deployments of one
		// project take versions one at a time, and each compares itself
		// with the current version only once the previous one committed.
		if _, err := q.exec(ctx, `INSERT INTO projects (project, account, current_version) VALUES (?, ?, 0) ON CONFLICT (project) DO NOTHING`,
			d.Project, d.Account); err != nil {
			return err
		}
		var owner string
		var cur int64
		if err := q.queryRow(ctx, `SELECT account, current_version FROM projects WHERE project = ?`+a.forUpdate, []any{d.Project}, &owner, &cur); err != nil {
			return err
		}
		if owner != d.Account {
			return fmt.Errorf("deploying %s: %w (choose another project name)", d.Project, ErrProjectOwned)
		}
		created = true
		if cur > 0 {
			same, stored, err := sameAsStored(ctx, q, d, cur)
			if err != nil {
				return err
			}
			if same {
				created, current = false, stored
				return nil
			}
		}
		var last int64
		if err := q.queryRow(ctx, `SELECT coalesce(max(version), 0) FROM deployments WHERE project = ?`, []any{d.Project}, &last); err != nil {
			return err
		}
		d.Version = last + 1
		if err := claimDomains(ctx, q, d.Project, d.Domains); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `INSERT INTO deployments (project, version, account, kind, entry, source, size, env, domains, message, created_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Project, d.Version, d.Account, d.Kind, d.Entry, []byte(d.Source), int64(d.Size), string(env), string(domains), d.Message,
			d.CreatedAt.UnixMilli()); err != nil {
			return err
		}
		_, err := q.exec(ctx, `UPDATE projects SET current_version = ? WHERE project = ?`, d.Version, d.Project)
		return err
	})
	switch {
	case err != nil:
		return Deployment{}, false, err
	case !created:
		return current, false, nil
	}
	return d, true, nil
}

// sameAsStored reports whether version of d's project has d's kind,
// source, env and domains, and returns that version (with d's Source,
// which is then the same). The source is compared by the database, so a
// large bundle is not read back.
func sameAsStored(ctx context.Context, q querier, d Deployment, version int64) (bool, Deployment, error) {
	var stored Deployment
	var sameSource int64
	err := q.query(ctx, `SELECT `+deploymentMetaCols+`, CASE WHEN d.size = ? AND d.source = ? THEN 1 ELSE 0 END
FROM deployments d WHERE d.project = ? AND d.version = ?`, []any{int64(d.Size), []byte(d.Source), d.Project, version},
		func(scan func(dest ...any) error) error {
			var err error
			stored, err = scanDeployment(func(dest ...any) error { return scan(append(dest, &sameSource)...) }, false)
			return err
		})
	if err != nil || stored.Project == "" {
		return false, Deployment{}, err
	}
	if sameSource != 1 || stored.Kind != d.Kind || !slices.Equal(stored.Domains, d.Domains) || len(stored.Env) != len(d.Env) {
		return false, Deployment{}, nil
	}
	for k, v := range d.Env {
		if sv, ok := stored.Env[k]; !ok || sv != v {
			return false, Deployment{}, nil
		}
	}
	stored.Source = d.Source
	return true, stored, nil
}

// claimDomains makes domains the extra domains project serves, replacing
// the ones it served. A domain another project serves fails with
// ErrDomainTaken. Domains are claimed in sorted order, so that two
// transactions claiming overlapping sets lock them in the same order and
// cannot deadlock.
func claimDomains(ctx context.Context, q querier, project string, domains []string) error {
	if _, err := q.exec(ctx, `DELETE FROM domains WHERE project = ?`, project); err != nil {
		return err
	}
	sorted := slices.Clone(domains)
	slices.Sort(sorted)
	for _, dom := range sorted {
		// DO NOTHING waits for a concurrent claim of the same domain to end,
		// then the SELECT sees whichever claim won.
		if _, err := q.exec(ctx, `INSERT INTO domains (domain, project) VALUES (?, ?) ON CONFLICT (domain) DO NOTHING`, dom, project); err != nil {
			return err
		}
		var holder string
		if err := q.queryRow(ctx, `SELECT project FROM domains WHERE domain = ?`, []any{dom}, &holder); err != nil {
			return err
		}
		if holder != project {
			return fmt.Errorf("domain %s of %s: %w: %s (remove it from %s first, or deploy without it)", dom, project, ErrDomainTaken, holder, holder)
		}
	}
	return nil
}

// Projects returns the current version of every project, with its Source,
// ordered by project name.
func (a adminSQL) Projects(ctx context.Context) ([]Deployment, error) {
	out := []Deployment{}
	err := a.read.query(ctx, `SELECT `+deploymentCols+` FROM projects p JOIN deployments d ON d.project = p.project AND d.version = p.current_version
ORDER BY p.project`, nil, func(scan func(dest ...any) error) error {
		d, err := scanDeployment(scan, true)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, a.wrap("listing projects", err)
	}
	return out, nil
}

// CurrentVersions maps every project to its current version: a cheap
// check, for nodes that share the database, of what changed.
func (a adminSQL) CurrentVersions(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := a.read.query(ctx, `SELECT project, current_version FROM projects`, nil, func(scan func(dest ...any) error) error {
		var name string
		var v int64
		if err := scan(&name, &v); err != nil {
			return err
		}
		out[name] = v
		return nil
	})
	if err != nil {
		return nil, a.wrap("listing current versions", err)
	}
	return out, nil
}

// Project returns the current version of project, with its Source, or
// ErrNotFound.
func (a adminSQL) Project(ctx context.Context, project string) (Deployment, error) {
	var d Deployment
	err := a.read.query(ctx, `SELECT `+deploymentCols+` FROM projects p JOIN deployments d ON d.project = p.project AND d.version = p.current_version
WHERE p.project = ?`, []any{project}, func(scan func(dest ...any) error) error {
		var err error
		d, err = scanDeployment(scan, true)
		return err
	})
	if err != nil {
		return Deployment{}, a.wrap("reading project "+project, err)
	}
	if d.Project == "" {
		return Deployment{}, fmt.Errorf("project %s: %w", project, ErrNotFound)
	}
	return d, nil
}

// Deployments returns every version of project, newest first, without
// Source (Size is set), or ErrNotFound.
func (a adminSQL) Deployments(ctx context.Context, project string) ([]Deployment, error) {
	var out []Deployment
	err := a.read.query(ctx, `SELECT `+deploymentMetaCols+` FROM deployments d WHERE d.project = ? ORDER BY d.version DESC`,
		[]any{project}, func(scan func(dest ...any) error) error {
			d, err := scanDeployment(scan, false)
			out = append(out, d)
			return err
		})
	if err != nil {
		return nil, a.wrap("listing the versions of "+project, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("project %s: %w", project, ErrNotFound)
	}
	return out, nil
}

// Deployment returns one version of project, with its Source, or
// ErrNotFound.
func (a adminSQL) Deployment(ctx context.Context, project string, version int64) (Deployment, error) {
	var d Deployment
	err := a.read.query(ctx, `SELECT `+deploymentCols+` FROM deployments d WHERE d.project = ? AND d.version = ?`,
		[]any{project, version}, func(scan func(dest ...any) error) error {
			var err error
			d, err = scanDeployment(scan, true)
			return err
		})
	if err != nil {
		return Deployment{}, a.wrap(fmt.Sprintf("reading version %d of %s", version, project), err)
	}
	if d.Project == "" {
		return Deployment{}, fmt.Errorf("version %d of project %s: %w", version, project, ErrNotFound)
	}
	return d, nil
}

// SetCurrent makes version the current version of project (a rollback)
// and returns it. It fails with ErrNotFound, or ErrDomainTaken if another
// project now serves one of that version's domains.
func (a adminSQL) SetCurrent(ctx context.Context, project string, version int64) (Deployment, error) {
	var d Deployment
	err := a.tx(ctx, fmt.Sprintf("making version %d of %s current", version, project), false, func(q querier) error {
		var account string
		err := q.queryRow(ctx, `SELECT account FROM projects WHERE project = ?`+a.forUpdate, []any{project}, &account)
		if errors.Is(err, errNoRows) {
			return fmt.Errorf("project %s: %w", project, ErrNotFound)
		} else if err != nil {
			return err
		}
		d = Deployment{}
		if err := q.query(ctx, `SELECT `+deploymentCols+` FROM deployments d WHERE d.project = ? AND d.version = ?`,
			[]any{project, version}, func(scan func(dest ...any) error) error {
				var err error
				d, err = scanDeployment(scan, true)
				return err
			}); err != nil {
			return err
		}
		if d.Project == "" {
			return fmt.Errorf("version %d of project %s: %w", version, project, ErrNotFound)
		}
		if err := claimDomains(ctx, q, project, d.Domains); err != nil {
			return err
		}
		_, err = q.exec(ctx, `UPDATE projects SET current_version = ? WHERE project = ?`, version, project)
		return err
	})
	if err != nil {
		return Deployment{}, err
	}
	return d, nil
}

// deleteProject deletes everything of project and fences its activations
// (see fenceActivations); it returns the kv scopes it emptied, for the
// backend to signal their watchers. ErrNotFound only when there was
// nothing at all: no deployment, no coordinator, no activation, no kv row.
func (a adminSQL) deleteProject(ctx context.Context, project string) ([]scopeID, error) {
	var emptied []scopeID
	err := a.tx(ctx, "deleting project "+project, true, func(q querier) error {
		emptied = nil
		found := int64(0)
		for _, del := range []string{
			`DELETE FROM projects WHERE project = ?`,
			`DELETE FROM deployments WHERE project = ?`,
			`DELETE FROM domains WHERE project = ?`,
			`DELETE FROM coordinators WHERE project = ?`,
		} {
			n, err := q.exec(ctx, del, project)
			if err != nil {
				return err
			}
			found += n
		}
		if err := q.query(ctx, `SELECT DISTINCT instance FROM kv WHERE project = ?`, []any{project}, func(scan func(dest ...any) error) error {
			id := scopeID{project: project}
			emptied = append(emptied, id)
			return scan(&emptied[len(emptied)-1].instance)
		}); err != nil {
			return err
		}
		n, err := q.exec(ctx, `DELETE FROM kv WHERE project = ?`, project)
		if err != nil {
			return err
		}
		found += n
		live, err := fenceActivations(ctx, q, `project = ?`, project)
		if err != nil {
			return err
		}
		if found+live == 0 {
			return fmt.Errorf("project %s: %w", project, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return emptied, nil
}

// fenceActivations ends the activations matching where (a condition on
// activations' columns): their epoch goes up by one and their owner
// becomes "", meaning no live activation. A commit with any epoch handed
// out before fails with kv.ErrFenced (its epoch is no longer the row's),
// and the next Activate continues from the row, so its epoch is larger
// than any before: deleting the row instead would restart epochs at 1 and
// let an old activation's epoch become valid again. It returns how many
// of them were live (had an owner).
func fenceActivations(ctx context.Context, q querier, where string, args ...any) (int64, error) {
	var live int64
	if err := q.queryRow(ctx, `SELECT count(*) FROM activations WHERE owner <> '' AND `+where, args, &live); err != nil {
		return 0, err
	}
	_, err := q.exec(ctx, `UPDATE activations SET epoch = epoch + 1, owner = '', since_ms = ? WHERE `+where,
		append([]any{time.Now().UnixMilli()}, args...)...)
	return live, err
}
