package netsafe

import (
	"net/netip"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	for ip, want := range map[string]string{
		"127.0.0.1":              "a loopback address",
		"::1":                    "a loopback address",
		"10.0.0.1":               "a private address",
		"172.31.255.255":         "a private address",
		"192.168.0.1":            "a private address",
		"fd12::1":                "a private (unique local) address",
		"fe80::1":                "a link-local address",
		"169.254.169.254":        "the cloud metadata service address (link-local)",
		"0.0.0.0":                "the unspecified address",
		"::":                     "the unspecified address",
		"100.100.100.200":        "a shared (carrier-grade NAT) address",
		"224.0.0.1":              "a multicast address",
		"ff02::1":                "a multicast address",
		"255.255.255.255":        "the broadcast address",
		"::ffff:127.0.0.1":       "an IPv4-mapped form of 127.0.0.1, a loopback address",
		"::ffff:169.254.169.254": "an IPv4-mapped form of 169.254.169.254, the cloud metadata service address (link-local)",
		"::10.0.0.1":             "an IPv4-compatible form of 10.0.0.1, a private address",
		"64:ff9b::7f00:1":        "a NAT64 form of 127.0.0.1, a loopback address",
		"64:ff9b::a9fe:a9fe":     "a NAT64 form of 169.254.169.254, the cloud metadata service address (link-local)",
		"2002:c0a8:0101::1":      "a 6to4 form of 192.168.1.1, a private address",
		"fe80::1%eth0":           "a link-local address",
	} {
		what, bad := Classify(netip.MustParseAddr(ip))
		if !bad || what != want {
			t.Errorf("%s: %q %v, want %q", ip, what, bad, want)
		}
	}
	for _, ip := range []string{"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"} {
		if what, bad := Classify(netip.MustParseAddr(ip)); bad {
			t.Errorf("%s refused as %q; it is a public address", ip, what)
		}
	}
}

func TestParseEntry(t *testing.T) {
	for _, ok := range []string{"localhost", "db.internal", "*.corp.example", "api.internal:8443", "10.0.0.5", "10.0.0.0/8", "fd00::/8", "::1", "[::1]:8080", "127.0.0.1:80", "Metadata.Google.Internal."} {
		if err := ParseEntry(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"":                   "empty entry",
		"10.0.0.0/33":        "not a valid CIDR",
		"10.0.0/8":           "not a valid CIDR",
		"http://db.internal": "is a URL",
		"db.internal:0":      "not a number from 1 to 65535",
		"db.internal:http":   "not a number from 1 to 65535",
		"bad host":           "not a valid hostname",
		"-x.example":         "not a valid hostname",
		"fe80::1%eth0":       "zones are not supported",
		"a:b:c":              "neither an IP address nor host:port",
	} {
		err := ParseEntry(bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error containing %q", bad, err, want)
		}
	}
}

func TestAllowlistMatching(t *testing.T) {
	a, err := NewAllowlist([]string{"db.internal", "*.corp.example", "api.internal:8443", "10.1.0.0/16", "[::1]:8080"}, false)
	if err != nil {
		t.Fatal(err)
	}
	lo := netip.MustParseAddr("127.0.0.1")
	cases := []struct {
		host string
		ip   string
		port int
		want bool
	}{
		{"db.internal", "10.9.9.9", 5432, true},
		{"DB.internal.", "10.9.9.9", 80, true},
		{"x.db.internal", "10.9.9.9", 80, false},
		{"a.b.corp.example", "192.168.1.1", 80, true},
		{"corp.example", "192.168.1.1", 80, false},
		{"api.internal", "10.2.0.1", 8443, true},
		{"api.internal", "10.2.0.1", 443, false},
		{"anything", "10.1.200.3", 80, true},
		{"anything", "::ffff:10.1.200.3", 80, true},
		{"anything", "10.2.0.1", 80, false},
		{"localhost", "::1", 8080, true},
		{"localhost", "::1", 8081, false},
	}
	for _, c := range cases {
		if got := a.allows(c.host, netip.MustParseAddr(c.ip), c.port); got != c.want {
			t.Errorf("%s %s:%d: %v, want %v", c.host, c.ip, c.port, got, c.want)
		}
	}
	var none *Allowlist
	if none.allows("localhost", lo, 80) {
		t.Error("a nil allowlist allows")
	}
	if _, err := NewAllowlist([]string{"ok", "10.0.0.0/99"}, false); err == nil || !strings.Contains(err.Error(), "outbound.allow_hosts[1]") {
		t.Errorf("bad entry: %v", err)
	}
}

func TestRefusedErrorMessage(t *testing.T) {
	e := &RefusedError{URL: "http://127.0.0.1:8080/", Host: "127.0.0.1", Port: 8080, Addr: netip.MustParseAddr("127.0.0.1"), What: "a loopback address"}
	want := `fetch to http://127.0.0.1:8080/ refused: 127.0.0.1 is a loopback address; edge blocks private networks for outbound fetch — allow the host with outbound.allow_hosts in the config (e.g. "127.0.0.1:8080")`
	if e.Error() != want {
		t.Fatalf("got  %s\nwant %s", e.Error(), want)
	}
	e = &RefusedError{Host: "::1", Port: 80, Addr: netip.MustParseAddr("::1"), What: "a loopback address"}
	if !strings.Contains(e.Error(), `fetch to [::1]:80 refused: ::1 is a loopback address`) || !strings.Contains(e.Error(), `"[::1]:80"`) {
		t.Fatalf("got %s", e.Error())
	}
}
