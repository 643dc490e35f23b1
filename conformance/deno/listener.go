package deno

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// listensOn reports whether process pid holds the listening TCP socket on
// addr (an IPv4 host:port), from Linux's /proc: the socket's inode in
// /proc/net/tcp, then a file descriptor of pid that is that socket. An
// error means /proc cannot tell (not Linux, or no permission).
func listensOn(pid int, addr string) (bool, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return false, err
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return false, err
	}
	ip := net.ParseIP(host).To4()
	if ip == nil {
		return false, fmt.Errorf("%s is not an IPv4 address", host)
	}
	// /proc/net/tcp writes the address as the little-endian hex of the
	// 32-bit value, and the port in big-endian hex.
	local := fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], port)
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return false, err
	}
	defer f.Close()
	const listen = "0A"
	var inode string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		if len(fields) >= 10 && fields[1] == local && fields[3] == listen {
			inode = fields[9]
			break
		}
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	if inode == "" {
		return false, nil
	}
	fds, err := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	if err != nil {
		return false, err
	}
	want := "socket:[" + inode + "]"
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && target == want {
			return true, nil
		}
	}
	return false, nil
}
