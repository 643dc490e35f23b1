// Package netsafe decides which network destinations outbound fetch() may
// reach. By default it refuses every address that is not on the public
// internet (loopback, private, link-local and the cloud metadata service,
// CGNAT, multicast, reserved, and the IPv6 forms that embed one of those),
// plus the cloud metadata hostnames. An Allowlist lets an operator open
// named hosts, host:port pairs, IPs or CIDRs anyway.
//
// The check runs in the dialer, on the IP address actually being connected
// to after DNS resolution (net.Dialer.ControlContext), so it holds for every
// redirect hop and cannot be bypassed by a name that resolves differently
// the second time (DNS rebinding).
package netsafe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
)

// ConfigKey is the config key an operator uses to open a host; error
// messages name it.
const ConfigKey = "outbound.allow_hosts"

type special struct {
	prefix netip.Prefix
	what   string // completes "<ip> is ..."
}

// blocked4 lists the IPv4 ranges outbound fetch refuses (IANA special-purpose
// registry, minus ranges that are ordinary internet addresses).
var blocked4 = []special{
	{netip.MustParsePrefix("169.254.169.254/32"), "the cloud metadata service address (link-local)"},
	{netip.MustParsePrefix("255.255.255.255/32"), "the broadcast address"},
	{netip.MustParsePrefix("0.0.0.0/32"), "the unspecified address"},
	{netip.MustParsePrefix("0.0.0.0/8"), `a "this network" address (unspecified)`},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (carrier-grade NAT) address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved (IETF protocol assignment) address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a reserved (benchmarking) address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
}

// blocked6 lists the IPv6 ranges refused outright. Forms that embed an IPv4
// address are handled by embedded4.
var blocked6 = []special{
	{netip.MustParsePrefix("::/128"), "the unspecified address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a private (local-use NAT64) address"},
	{netip.MustParsePrefix("fc00::/7"), "a private (unique local) address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "a private (site-local) address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
}

var (
	compat4 = netip.MustParsePrefix("::/96")
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4  = netip.MustParsePrefix("2002::/16")
)

// Classify reports whether outbound fetch refuses ip by default and, if so,
// what it is, as a phrase that completes "<ip> is ...", e.g. "a loopback
// address".
func Classify(ip netip.Addr) (what string, refused bool) {
	ip = ip.WithZone("")
	if !ip.IsValid() {
		return "not a valid address", true
	}
	if ip.Is4In6() {
		v4 := ip.Unmap()
		if w, bad := Classify(v4); bad {
			return fmt.Sprintf("an IPv4-mapped form of %s, %s", v4, w), true
		}
		return "", false
	}
	if ip.Is4() {
		for _, s := range blocked4 {
			if s.prefix.Contains(ip) {
				return s.what, true
			}
		}
		return "", false
	}
	for _, s := range blocked6 {
		if s.prefix.Contains(ip) {
			return s.what, true
		}
	}
	b := ip.As16()
	for _, e := range []struct {
		prefix netip.Prefix
		form   string
		v4     [4]byte
	}{
		{compat4, "an IPv4-compatible form", [4]byte(b[12:16])},
		{nat64, "a NAT64 form", [4]byte(b[12:16])},
		{sixTo4, "a 6to4 form", [4]byte(b[2:6])},
	} {
		if !e.prefix.Contains(ip) {
			continue
		}
		v4 := netip.AddrFrom4(e.v4)
		if w, bad := Classify(v4); bad {
			return fmt.Sprintf("%s of %s, %s", e.form, v4, w), true
		}
	}
	return "", false
}

// metadataNames are hostnames of cloud metadata services, refused by name
// (most also resolve to 169.254.169.254, which is refused by address).
var metadataNames = map[string]bool{
	"metadata":                   true,
	"metadata.google.internal":   true,
	"metadata.goog":              true,
	"instance-data":              true,
	"instance-data.ec2.internal": true,
}

// ClassifyName reports whether the hostname is refused by name.
func ClassifyName(host string) (what string, refused bool) {
	if metadataNames[normalizeHost(host)] {
		return "a cloud metadata service hostname", true
	}
	return "", false
}

func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// entry is one allow_hosts item.
type entry struct {
	host     string       // lowercase hostname (without "*." when wildcard)
	wildcard bool         // "*.example.com": subdomains of host
	prefix   netip.Prefix // valid for an IP or CIDR entry
	port     int          // 0 = any port
}

// ParseEntry checks one outbound.allow_hosts item: a hostname
// ("db.internal", "*.corp.example"), host:port ("localhost:8080",
// "[::1]:8080"), an IP ("10.0.0.5", "fd00::1") or a CIDR ("10.0.0.0/8").
func ParseEntry(s string) error {
	_, err := parseEntry(s)
	return err
}

func parseEntry(raw string) (entry, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return entry{}, errors.New("empty entry; write a hostname, host:port, IP or CIDR")
	case strings.Contains(s, "://") || strings.ContainsAny(s, "?#@"):
		return entry{}, fmt.Errorf("%q is a URL; write only the host, host:port, IP or CIDR, e.g. \"api.internal:8443\"", raw)
	case strings.Contains(s, "/"):
		p, err := netip.ParsePrefix(s)
		if err != nil || p.Addr().Zone() != "" {
			return entry{}, fmt.Errorf("%q is not a valid CIDR; write e.g. 10.0.0.0/8 or fd00::/8", raw)
		}
		return entry{prefix: unmapPrefix(p)}, nil
	}
	if ip, err := netip.ParseAddr(s); err == nil {
		if ip.Zone() != "" {
			return entry{}, fmt.Errorf("%q: IPv6 zones are not supported; write the address without %%zone", raw)
		}
		return entry{prefix: unmapPrefix(netip.PrefixFrom(ip, ip.BitLen()))}, nil
	}
	e := entry{}
	host := s
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, perr := strconv.Atoi(p)
		if perr != nil || n < 1 || n > 65535 {
			return entry{}, fmt.Errorf("%q: port %q is not a number from 1 to 65535", raw, p)
		}
		host, e.port = h, n
		if ip, err := netip.ParseAddr(h); err == nil && ip.Zone() == "" {
			e.prefix = unmapPrefix(netip.PrefixFrom(ip, ip.BitLen()))
			return e, nil
		}
	} else if strings.Contains(s, ":") && !strings.HasPrefix(s, "[") {
		return entry{}, fmt.Errorf("%q is neither an IP address nor host:port; write e.g. \"localhost:8080\" or \"[::1]:8080\"", raw)
	}
	host = normalizeHost(host)
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		e.wildcard, host = true, rest
	}
	if !validHostname(host) {
		return entry{}, fmt.Errorf("%q is not a valid hostname, host:port, IP or CIDR", raw)
	}
	e.host = host
	return e, nil
}

// unmapPrefix turns an IPv4-mapped prefix (::ffff:10.0.0.0/104) into the
// IPv4 one (10.0.0.0/8), so entries compare with unmapped addresses.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	p = p.Masked()
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p
}

func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Allowlist is the outbound policy: which refused destinations are opened
// anyway. The zero value (and nil) refuses every private destination.
type Allowlist struct {
	// AllowPrivate opens every destination (development only).
	AllowPrivate bool
	entries      []entry
}

// NewAllowlist parses the outbound.allow_hosts entries.
func NewAllowlist(hosts []string, allowPrivate bool) (*Allowlist, error) {
	a := &Allowlist{AllowPrivate: allowPrivate}
	for i, h := range hosts {
		e, err := parseEntry(h)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", ConfigKey, i, err)
		}
		a.entries = append(a.entries, e)
	}
	return a, nil
}

// allowsName reports whether an entry names host (by hostname) on port.
func (a *Allowlist) allowsName(host string, port int) bool {
	if a == nil {
		return false
	}
	if a.AllowPrivate {
		return true
	}
	host = normalizeHost(host)
	for _, e := range a.entries {
		if e.port != 0 && e.port != port || e.host == "" {
			continue
		}
		if !e.wildcard && host == e.host || e.wildcard && strings.HasSuffix(host, "."+e.host) {
			return true
		}
	}
	return false
}

// allows reports whether dialling ip:port for the URL host may proceed
// although ip is refused by default.
func (a *Allowlist) allows(host string, ip netip.Addr, port int) bool {
	if a == nil {
		return false
	}
	if a.allowsName(host, port) {
		return true
	}
	for _, e := range a.entries {
		if e.port != 0 && e.port != port || !e.prefix.IsValid() {
			continue
		}
		if e.prefix.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// RefusedError is a destination outbound fetch refused. Its message names
// the URL, the address and what it is, and says how to allow it.
type RefusedError struct {
	// URL is the URL being fetched when refused (the redirect hop), if known.
	URL string
	// RedirectedFrom is the URL fetch() was called with, when a redirect
	// led to URL.
	RedirectedFrom string
	// Host and Port are the destination as named in the URL.
	Host string
	Port int
	// Addr is the resolved address refused; invalid when refused by name.
	Addr netip.Addr
	// What completes "<Addr or Host> is ...".
	What string
}

func (e *RefusedError) Error() string {
	target := e.URL
	if target == "" {
		target = net.JoinHostPort(e.Host, strconv.Itoa(e.Port))
	}
	if e.RedirectedFrom != "" {
		target += " (redirected from " + e.RedirectedFrom + ")"
	}
	var what string
	switch {
	case !e.Addr.IsValid():
		what = fmt.Sprintf("%s is %s", e.Host, e.What)
	case literalHost(e.Host) == e.Addr:
		what = fmt.Sprintf("%s is %s", e.Addr, e.What)
	default:
		what = fmt.Sprintf("%s resolves to %s, %s", e.Host, e.Addr, e.What)
	}
	return fmt.Sprintf("fetch to %s refused: %s; edge blocks private networks for outbound fetch — allow the host with %s in the config (e.g. %q)",
		target, what, ConfigKey, net.JoinHostPort(strings.Trim(e.Host, "[]"), strconv.Itoa(e.Port)))
}

// FetchMessage makes fetch() reject with exactly Error() (see
// jsvm.FetchMessager).
func (e *RefusedError) FetchMessage() string { return e.Error() }

func literalHost(h string) netip.Addr {
	ip, err := netip.ParseAddr(strings.Trim(h, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return ip.WithZone("")
}

// Dialer connects only to destinations the Allowlist permits. Use its
// DialContext as http.Transport.DialContext.
type Dialer struct {
	// Base is copied for every dial (timeouts, keep-alive, resolver); its
	// Control and ControlContext are replaced.
	Base  net.Dialer
	Allow *Allowlist
}

// DialContext dials addr ("host:port" as the HTTP transport passes it,
// before resolution), refusing by hostname first and then, for every
// address the name resolves to, just before connecting.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port %q", addr, portStr)
	}
	if what, bad := ClassifyName(host); bad && !d.Allow.allowsName(host, port) {
		return nil, &RefusedError{Host: host, Port: port, What: what}
	}
	nd := d.Base
	nd.Control = nil
	nd.ControlContext = func(_ context.Context, _ string, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("refusing to dial %q: not an IP address and port", address)
		}
		ip := ap.Addr().WithZone("")
		if what, bad := Classify(ip); bad && !d.Allow.allows(host, ip, port) {
			return &RefusedError{Host: host, Port: port, Addr: ip, What: what}
		}
		return nil
	}
	return nd.DialContext(ctx, network, addr)
}
