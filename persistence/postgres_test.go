package persistence

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edge-platform/edge/kv"
	"github.com/edge-platform/edge/kv/kvtest"
	"github.com/edge-platform/edge/persistence/pgtest"
	"github.com/jackc/pgx/v5"
)

func TestPostgresKV(t *testing.T) {
	base := postgresURL(t)
	kvtest.Run(t, func(t *testing.T) kvtest.Backend {
		return openPostgres(t, freshSchema(t, base))
	})
}

// The test database comes from package pgtest (EDGE_TEST_POSTGRES_URL).
var (
	postgresURL = pgtest.URL
	freshSchema = pgtest.FreshSchema
)

const postgresEnv = pgtest.Env

func openPostgres(t testing.TB, url string) *Postgres {
	t.Helper()
	p, err := OpenPostgres(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// An unreachable server fails OpenPostgres at once with an error that names
// the server and what to check, and never shows the password.
func TestPostgresUnreachableAtOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = OpenPostgres(ctx, "postgres://edge:s3cretpw@"+addr+"/edge_test", nil)
	if err == nil {
		t.Fatal("opening an unreachable server succeeded")
	}
	msg := err.Error()
	t.Logf("open: %v", err)
	for _, want := range []string{addr, "cannot reach Postgres", "running and reachable"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "s3cretpw") {
		t.Errorf("error shows the password: %q", msg)
	}
	if _, err := OpenPostgres(ctx, "postgres://edge:s3cretpw@[::1:5432/x", nil); err == nil || strings.Contains(err.Error(), "s3cretpw") {
		t.Errorf("invalid URL: %v (want an error without the password)", err)
	}
}

// When the server goes away, commits and reads fail with a clear error,
// and the store works again when it is back, without reopening.
func TestPostgresDownThenBack(t *testing.T) {
	dsn := freshSchema(t, postgresURL(t))
	px := startProxy(t, dsn)
	s := openPostgres(t, px.url)
	ctx := context.Background()
	sc := kv.Scope{Project: "p"}
	k, _ := kv.EncodeKey(kv.Key{"k"})
	set := func(v string) error {
		_, _, err := s.Commit(ctx, sc, nil, []kv.Mutation{{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte(v)}}})
		return err
	}
	if err := set("1"); err != nil {
		t.Fatal(err)
	}
	px.down()
	err := set("2")
	if err == nil {
		t.Fatal("commit with the server down succeeded")
	}
	t.Logf("commit with the server down: %v", err)
	if !strings.Contains(err.Error(), px.addr) || !strings.Contains(err.Error(), "Postgres") {
		t.Errorf("commit error %q does not name the server", err)
	}
	if _, err := s.Get(ctx, sc, [][]byte{k}); err == nil || !strings.Contains(err.Error(), px.addr) {
		t.Errorf("read with the server down: %v, want an error naming %s", err, px.addr)
	}
	px.up()
	// The pool reconnects by itself; the first attempts may still meet
	// connections that broke while it was down.
	eventuallyOK(t, "commit after the server is back", func() error { return set("3") })
	es, err := s.Get(ctx, sc, [][]byte{k})
	if err != nil || es[0] == nil || string(es[0].Value.Data) != "3" {
		t.Fatalf("after recovery: %+v %v", es, err)
	}
}

// Killing the server's connections mid-run (as a restart does) loses no
// acknowledged commit, applies no commit in part, and the store recovers.
// Only this test's own connections are killed (by application_name), so
// other tests using the database are untouched.
func TestPostgresConnectionsKilledMidRun(t *testing.T) {
	base := postgresURL(t)
	dsn := freshSchema(t, base)
	app := "edge_kill_" + strings.TrimPrefix(mustQuery(t, dsn, "search_path"), "test_")
	dsn += "&application_name=" + app
	s := openPostgres(t, dsn)
	sc := kv.Scope{Project: "p"}
	counter, _ := kv.EncodeKey(kv.Key{"counter"})

	var mu sync.Mutex
	var acked, failed [][]byte
	ambiguous := 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k, _ := kv.EncodeKey(kv.Key{"k", float64(g), float64(i)})
				_, ok, err := s.Commit(context.Background(), sc, nil, []kv.Mutation{
					{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindBytes, Data: k}},
					{Key: counter, Op: kv.OpSum, Value: *kv.U64(1)},
				})
				mu.Lock()
				switch {
				case err == nil && ok:
					acked = append(acked, k)
				case errors.Is(err, kv.ErrAmbiguous):
					ambiguous++
				default:
					failed = append(failed, k)
				}
				mu.Unlock()
			}
		}()
	}
	admin, err := pgx.Connect(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	for range 3 {
		before := count()
		eventually(t, "commits between kills", func() bool { return count() > before+20 })
		if _, err := admin.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, app); err != nil {
			t.Fatal(err)
		}
	}
	before := count()
	eventually(t, "commits after the last kill", func() bool { return count() > before+20 })
	close(stop)
	wg.Wait()

	ctx := context.Background()
	present := func(k []byte) bool {
		t.Helper()
		var es []*kv.Entry
		eventuallyOK(t, "reading", func() (err error) { es, err = s.Get(ctx, sc, [][]byte{k}); return err })
		return es[0] != nil
	}
	for _, k := range acked {
		if !present(k) {
			t.Fatalf("acknowledged key %x missing", k)
		}
	}
	for _, k := range failed {
		if present(k) {
			t.Fatalf("key %x of a commit that failed definitely is present", k)
		}
	}
	// Atomicity: every commit that applied wrote its key and its increment.
	var all []kv.Entry
	eventuallyOK(t, "listing", func() (err error) {
		start, end := kv.PrefixBounds(mustKey(kv.Key{"k"}))
		all, err = s.List(ctx, sc, kv.Range{Start: start, End: end})
		return err
	})
	var es []*kv.Entry
	eventuallyOK(t, "reading the counter", func() (err error) { es, err = s.Get(ctx, sc, [][]byte{counter}); return err })
	n, _ := kv.AsU64(es[0].Value)
	if n != uint64(len(all)) {
		t.Fatalf("counter %d but %d keys: a commit applied in part", n, len(all))
	}
	if len(all) < len(acked) || len(all) > len(acked)+ambiguous {
		t.Fatalf("%d keys present; %d acknowledged, %d ambiguous", len(all), len(acked), ambiguous)
	}
	t.Logf("%d acknowledged, %d failed, %d ambiguous across 3 kills", len(acked), len(failed), ambiguous)
}

// Another process's commit wakes this one's watchers (LISTEN/NOTIFY).
func TestPostgresChangesAcrossProcesses(t *testing.T) {
	dsn := freshSchema(t, postgresURL(t))
	a, b := openPostgres(t, dsn), openPostgres(t, dsn)
	sc := kv.Scope{Project: "p", Instance: "i"}
	ch, stop := b.Changes(sc)
	defer stop()
	other, stopOther := b.Changes(kv.Scope{Project: "p", Instance: "j"})
	defer stopOther()
	// OpenPostgres returned once b's listener was connected, so its wake-up
	// of every watcher came before these existed: nothing is pending.
	select {
	case <-ch:
		t.Fatal("a watcher was woken before any commit")
	case <-other:
		t.Fatal("a watcher was woken before any commit")
	default:
	}
	k, _ := kv.EncodeKey(kv.Key{"k"})
	if _, _, err := a.Commit(context.Background(), sc, nil, []kv.Mutation{{Key: k, Op: kv.OpSet, Value: kv.Value{Kind: kv.KindJSON, Data: []byte("1")}}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("b's watcher was not woken by a's commit")
	}
	select {
	case <-other:
		t.Fatal("a watcher of another scope was woken")
	default:
	}
}

func mustKey(k kv.Key) []byte {
	b, err := kv.EncodeKey(k)
	if err != nil {
		panic(err)
	}
	return b
}

// mustQuery returns the value of query parameter name in url.
func mustQuery(t *testing.T, raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(name)
}

// eventually polls cond until it holds, failing after a generous deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within 30s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func eventuallyOK(t *testing.T, what string, f func() error) {
	t.Helper()
	var err error
	eventually(t, what, func() bool { err = f(); return err == nil })
}

// proxy forwards TCP connections to the test server; down closes them
// all and stops listening, up listens again on the same address. It stands
// in for a server that goes away and comes back, without touching the
// real one.
type proxy struct {
	t        *testing.T
	addr     string
	upstream string
	url      string
	mu       sync.Mutex
	ln       net.Listener
	conns    map[net.Conn]struct{}
}

func startProxy(t *testing.T, dsn string) *proxy {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, upstream: u.Host, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	u.Host = p.addr
	p.url = u.String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[up] = struct{}{}, struct{}{}
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *proxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}
