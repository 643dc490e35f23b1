package deno

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// listensOn tells this process's listener from another process's: the
// differential runner relies on it not to send Deno's cases to whoever took
// Deno's port first.
func TestListensOn(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp: listensOn answers with an error here, and the runner trusts the port")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if mine, err := listensOn(os.Getpid(), l.Addr().String()); err != nil || !mine {
		t.Fatalf("listensOn(self, %s) = %v, %v; want true", l.Addr(), mine, err)
	}
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()
	if mine, err := listensOn(other.Process.Pid, l.Addr().String()); err != nil || mine {
		t.Fatalf("listensOn(other, %s) = %v, %v; want false", l.Addr(), mine, err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	if mine, err := listensOn(os.Getpid(), net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err != nil || mine {
		t.Fatalf("listensOn(self, a port nobody holds) = %v, %v; want false", mine, err)
	}
}

// freePort never hands out a port twice in one run: three programs start
// at once, and the kernel may offer a just-probed port again.
func TestFreePortIsNeverRepeated(t *testing.T) {
	seen := map[int]bool{}
	for range 300 {
		p, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
	}
}
