package deploy_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/edge-platform/edge/configs"
	"github.com/edge-platform/edge/deploy"
)

func proj(name, account string, version int64, domains ...string) *deploy.Project {
	return &deploy.Project{Name: name, Account: account, Kind: configs.KindWorker, Version: version, Domains: domains}
}

func names(ps []*deploy.Project) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestRegistryPutGetRemove(t *testing.T) {
	r := deploy.NewRegistry()
	if _, ok := r.Get("a"); ok {
		t.Fatal("empty registry has a")
	}
	if got := r.All(); len(got) != 0 {
		t.Fatalf("All of an empty registry = %v", names(got))
	}

	a1 := proj("a", "acc", 1)
	if prev := r.Put(a1); prev != nil {
		t.Fatalf("first Put returned %v, want nil", prev)
	}
	a2 := proj("a", "acc", 2)
	if prev := r.Put(a2); prev != a1 {
		t.Fatalf("second Put returned %v, want the first version", prev)
	}
	if got, ok := r.Get("a"); !ok || got != a2 {
		t.Fatalf("Get(a) = %v, %v; want version 2", got, ok)
	}

	if prev := r.Remove("a"); prev != a2 {
		t.Fatalf("Remove returned %v, want version 2", prev)
	}
	if _, ok := r.Get("a"); ok {
		t.Fatal("a is still there after Remove")
	}
	if prev := r.Remove("a"); prev != nil {
		t.Fatalf("Remove of a missing project returned %v, want nil", prev)
	}
}

func TestRegistryAllIsOrderedByName(t *testing.T) {
	r := deploy.NewRegistry()
	for _, n := range []string{"mango", "apple", "zebra", "kiwi", "banana"} {
		r.Put(proj(n, "acc", 1))
	}
	r.Remove("kiwi")
	want := []string{"apple", "banana", "mango", "zebra"}
	if got := names(r.All()); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("All = %v, want %v", got, want)
	}
}

func TestRegistryByDomainFollowsTheCurrentVersion(t *testing.T) {
	type step struct {
		put    *deploy.Project
		remove string
		// want maps each domain to the project and version it resolves to
		// ("" : it does not resolve).
		want map[string]string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "a redeploy that drops a domain stops it resolving",
			steps: []step{
				{put: proj("a", "acc", 1, "a.example.com", "old.example.com"),
					want: map[string]string{"a.example.com": "a@1", "old.example.com": "a@1"}},
				{put: proj("a", "acc", 2, "a.example.com", "new.example.com"),
					want: map[string]string{"a.example.com": "a@2", "old.example.com": "", "new.example.com": "a@2"}},
			},
		},
		{
			name: "a removed project's domains stop resolving, others stay",
			steps: []step{
				{put: proj("a", "acc", 1, "a.example.com")},
				{put: proj("b", "acc", 1, "b.example.com")},
				{remove: "a", want: map[string]string{"a.example.com": "", "b.example.com": "b@1"}},
			},
		},
		{
			name: "a domain moved to another project is not dropped by the old one's redeploy",
			steps: []step{
				{put: proj("a", "acc", 1, "shared.example.com")},
				{put: proj("b", "acc", 1, "shared.example.com"), want: map[string]string{"shared.example.com": "b@1"}},
				{put: proj("a", "acc", 2), want: map[string]string{"shared.example.com": "b@1"}},
				{remove: "a", want: map[string]string{"shared.example.com": "b@1"}},
			},
		},
		{
			name: "a redeploy with no domains drops them all",
			steps: []step{
				{put: proj("a", "acc", 1, "x.example.com", "y.example.com")},
				{put: proj("a", "acc", 2), want: map[string]string{"x.example.com": "", "y.example.com": ""}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := deploy.NewRegistry()
			for i, s := range tt.steps {
				if s.put != nil {
					r.Put(s.put)
				}
				if s.remove != "" {
					r.Remove(s.remove)
				}
				for d, want := range s.want {
					got := ""
					if p, ok := r.ByDomain(d); ok {
						got = fmt.Sprintf("%s@%d", p.Name, p.Version)
					}
					if got != want {
						t.Errorf("step %d: ByDomain(%s) = %q, want %q", i, d, got, want)
					}
				}
			}
		})
	}
}

// TestRegistryConcurrentReadersAndWriters runs under -race: readers see
// whole snapshots (a project's domains resolve to a version that is, or
// was, current) while writers redeploy and remove.
func TestRegistryConcurrentReadersAndWriters(t *testing.T) {
	r := deploy.NewRegistry()
	const writers, versions = 4, 200
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("p%d", w)
			dom := name + ".example.com"
			for v := int64(1); v <= versions; v++ {
				r.Put(proj(name, "acc", v, dom))
				if v%10 == 0 {
					r.Remove(name)
				}
			}
		}()
	}
	var readers sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		readers.Add(1)
		go func() {
			defer readers.Done()
			name := fmt.Sprintf("p%d", w)
			dom := name + ".example.com"
			for {
				select {
				case <-stop:
					return
				default:
				}
				if p, ok := r.ByDomain(dom); ok && p.Name != name {
					errs <- fmt.Errorf("ByDomain(%s) = %s", dom, p.Name)
					return
				}
				if p, ok := r.Get(name); ok && (p.Version < 1 || p.Version > versions) {
					errs <- fmt.Errorf("Get(%s) = version %d", name, p.Version)
					return
				}
				all := r.All()
				for i := 1; i < len(all); i++ {
					if all[i-1].Name >= all[i].Name {
						errs <- fmt.Errorf("All out of order: %v", names(all))
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every writer ended on a Remove (versions is a multiple of 10).
	if got := r.All(); len(got) != 0 {
		t.Fatalf("after every writer removed its project, All = %v", names(got))
	}
}
