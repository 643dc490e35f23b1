package persistence

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/kv/kvtest"
)

// store is a backend with Close, as the tests below open it.
type store interface {
	kvtest.Backend
	Close() error
}

// openStore opens a store of kind ("sqlite": dsn is a file path;
// "postgres": dsn is a URL).
func openStore(kind, dsn string) (store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch kind {
	case "sqlite":
		s, err := OpenSQLite(ctx, dsn, nil)
		if err != nil {
			return nil, err
		}
		return s, nil
	case "postgres":
		return OpenPostgres(ctx, dsn, nil)
	}
	return nil, fmt.Errorf("unknown store kind %q", kind)
}

// eachBackend runs fn on a fresh store location of each backend: a new
// SQLite file, and a new schema of the Postgres test database.
func eachBackend(t *testing.T, fn func(t *testing.T, kind, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite", filepath.Join(t.TempDir(), "edge.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, "postgres", freshSchema(t, postgresURL(t))) })
}

func mustOpen(t *testing.T, kind, dsn string) store {
	t.Helper()
	s, err := openStore(kind, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The crash-safety test re-executes this test binary as a child that
// commits as fast as it can and prints each commit after Commit returned;
// the parent kills it at a random moment with SIGKILL, several times, then
// checks that every acknowledged write is there.
const crashChildEnv = "EDGE_PERSISTENCE_CRASH_CHILD" // kind, dsn and round, tab-separated

var crashScope = kv.Scope{Project: "crash"}

// docs: an acknowledged commit survives a crash of the process
// (SQLite: synchronous=FULL; Postgres: its own WAL).
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary several times")
	}
	eachBackend(t, func(t *testing.T, kind, dsn string) {
		// Create the schema before the children race to.
		s := mustOpen(t, kind, dsn)
		s.Close()
		type ack struct {
			key string
			vs  kv.Versionstamp
		}
		var acked []ack
		const rounds = 5
		for round := range rounds {
			lines := runCrashChild(t, kind, dsn, round)
			for _, l := range lines {
				f := strings.Fields(l)
				vs, err := kv.ParseVersionstamp(f[2])
				if len(f) != 3 || err != nil {
					t.Fatalf("child printed %q", l)
				}
				acked = append(acked, ack{f[1], vs})
			}
		}
		if len(acked) == 0 {
			t.Fatal("no child acknowledged a write")
		}
		s = mustOpen(t, kind, dsn)
		ctx := context.Background()
		for _, a := range acked {
			k, _ := hex.DecodeString(a.key)
			es, err := s.Get(ctx, crashScope, [][]byte{k})
			if err != nil {
				t.Fatal(err)
			}
			if es[0] == nil || es[0].Versionstamp != a.vs {
				t.Fatalf("acknowledged write of key %s (versionstamp %s) lost after SIGKILL: %+v", a.key, a.vs, es[0])
			}
		}
		// Every acknowledged commit also added 1 to the counter; commits
		// that were in flight at the kill may have too.
		es, err := s.Get(ctx, crashScope, [][]byte{crashCounter})
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := kv.AsU64(es[0].Value); !ok || n < uint64(len(acked)) {
			t.Fatalf("counter %d after %d acknowledged increments", n, len(acked))
		}
		t.Logf("%d acknowledged writes over %d kills, all present", len(acked), rounds)
	})
}

var crashCounter, _ = kv.EncodeKey(kv.Key{"counter"})

// runCrashChild runs one child until it has acknowledged some writes, kills
// it at a random moment after that, and returns the lines it printed.
func runCrashChild(t *testing.T, kind, dsn string, round int) []string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+kind+"\t"+dsn+"\t"+fmt.Sprint(round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := make(chan struct{})
	var lines []string
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ACK ") {
				if len(lines) == 0 {
					close(first)
				}
				lines = append(lines, sc.Text())
			}
		}
	}()
	select {
	case <-first:
	case <-readDone:
		cmd.Wait()
		t.Fatalf("child exited before acknowledging a write: %s", stderr.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child acknowledged no write within a minute: %s", stderr.String())
	}
	// The kill lands at a random moment of a busy run: mid-transaction,
	// mid-fsync or between commits.
	time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-readDone
	cmd.Wait()
	return lines
}

// TestCrashChild is the child of TestCrashKeepsAcknowledgedWrites; run
// directly, it does nothing.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashChildEnv)
	if spec == "" {
		t.Skip("the child process of TestCrashKeepsAcknowledgedWrites")
	}
	f := strings.Split(spec, "\t")
	s, err := openStore(f[0], f[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var mu sync.Mutex // one line at a time on stdout
	w := io.Writer(os.Stdout)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				k, _ := kv.EncodeKey(kv.Key{"k", f[2], float64(g), float64(i)})
				vs, ok, err := s.Commit(context.Background(), crashScope, []kv.Check{{Key: k}}, []kv.Mutation{
					{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindBytes, Data: k}},
					{Key: crashCounter, Op: kv.OpSum, Value: *kv.U64(1)},
				})
				if err != nil || !ok {
					fmt.Fprintln(os.Stderr, "commit:", ok, err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(w, "ACK %x %s\n", k, vs)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// docs: a superseded activation can never write, even when it races the
// activation that supersedes it. Node A commits in a loop; node B (another
// store handle on the same database: another process, as far as the
// database is concerned) activates the same instance. After B's Activate
// returns, every commit of A fails with ErrFenced and writes nothing.
func TestFencingRacingActivation(t *testing.T) {
	eachBackend(t, func(t *testing.T, kind, dsn string) {
		a := mustOpen(t, kind, dsn)
		b := mustOpen(t, kind, dsn)
		ctx := context.Background()
		last, _ := kv.EncodeKey(kv.Key{"last"})
		for round := range 5 {
			instance := fmt.Sprint("i", round)
			ea, err := a.Activate(ctx, "p", instance, "node-a")
			if err != nil {
				t.Fatal(err)
			}
			sa := kv.Scope{Project: "p", Instance: instance, Epoch: ea}
			var n uint64
			commitA := func() error {
				n++
				_, _, err := a.Commit(ctx, sa, nil, []kv.Mutation{{Key: last, Op: kv.OpSet, Value: *kv.U64(n)}})
				return err
			}
			if err := commitA(); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			errs := make(chan error, 1)
			go func() {
				for {
					if err := commitA(); err != nil {
						errs <- err
						return
					}
					select {
					case <-stop:
						errs <- nil
						return
					default:
					}
				}
			}()
			time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
			eb, err := b.Activate(ctx, "p", instance, "node-b")
			if err != nil {
				t.Fatal(err)
			}
			sb := kv.Scope{Project: "p", Instance: instance, Epoch: eb}
			seen, err := b.Get(ctx, sb, [][]byte{last})
			if err != nil {
				t.Fatal(err)
			}
			close(stop)
			if err := <-errs; err != nil && !errors.Is(err, kv.ErrFenced) {
				t.Fatal(err)
			}
			// A's next commit is fenced...
			if err := commitA(); !errors.Is(err, kv.ErrFenced) {
				t.Fatalf("commit of the superseded activation: %v, want ErrFenced", err)
			}
			// ...and nothing A did after B's activation is there.
			now, err := b.Get(ctx, sb, [][]byte{last})
			if err != nil {
				t.Fatal(err)
			}
			if now[0] == nil || seen[0] == nil || now[0].Versionstamp != seen[0].Versionstamp {
				t.Fatalf("the superseded activation wrote after the new one activated: saw %+v, now %+v", seen[0], now[0])
			}
		}
	})
}
