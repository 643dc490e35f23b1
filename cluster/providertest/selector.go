package providertest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// selector is a parsed Kubernetes label selector: requirements that all
// must hold. The empty selector matches everything.
type selector []requirement

type requirement struct {
	key string
	// op is one of =, !=, in, notin, exists, !exists ("==" parses as "=").
	op     string
	values []string
}

var setRE = regexp.MustCompile(`^(\S+)\s+(in|notin)\s*\(([^()]*)\)$`)

// parseSelector parses the labelSelector syntax: comma-separated
// requirements, each key=value, key==value, key!=value, key in (a,b),
// key notin (a,b), key or !key.
func parseSelector(s string) (selector, error) {
	var out selector
	for _, term := range splitTerms(s) {
		term = strings.TrimSpace(term)
		if term == "" {
			if strings.TrimSpace(s) == "" {
				continue
			}
			return nil, fmt.Errorf("unable to parse requirement: empty requirement in %q", s)
		}
		var r requirement
		switch m := setRE.FindStringSubmatch(term); {
		case m != nil:
			r = requirement{key: m[1], op: m[2]}
			for _, v := range strings.Split(m[3], ",") {
				r.values = append(r.values, strings.TrimSpace(v))
			}
		case strings.HasPrefix(term, "!"):
			r = requirement{key: strings.TrimSpace(term[1:]), op: "!exists"}
		case strings.Contains(term, "!="):
			k, v, _ := strings.Cut(term, "!=")
			r = requirement{key: strings.TrimSpace(k), op: "!=", values: []string{strings.TrimSpace(v)}}
		case strings.Contains(term, "=="):
			k, v, _ := strings.Cut(term, "==")
			r = requirement{key: strings.TrimSpace(k), op: "=", values: []string{strings.TrimSpace(v)}}
		case strings.Contains(term, "="):
			k, v, _ := strings.Cut(term, "=")
			r = requirement{key: strings.TrimSpace(k), op: "=", values: []string{strings.TrimSpace(v)}}
		default:
			r = requirement{key: term, op: "exists"}
		}
		if err := validLabelKey(r.key); err != nil {
			return nil, fmt.Errorf("unable to parse requirement: %w", err)
		}
		for _, v := range r.values {
			if err := validLabelValue(v); err != nil {
				return nil, fmt.Errorf("unable to parse requirement: %w", err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// splitTerms splits at the commas outside parentheses.
func splitTerms(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func (sel selector) matches(labels map[string]string) bool {
	for _, r := range sel {
		v, has := labels[r.key]
		var ok bool
		switch r.op {
		case "=":
			ok = has && v == r.values[0]
		case "!=":
			ok = !has || v != r.values[0]
		case "in":
			ok = has && slices.Contains(r.values, v)
		case "notin":
			ok = !has || !slices.Contains(r.values, v)
		case "exists":
			ok = has
		case "!exists":
			ok = !has
		}
		if !ok {
			return false
		}
	}
	return true
}

var (
	labelNameRE    = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$`)
	dnsSubdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// validLabelKey checks a label key: an optional DNS subdomain prefix (at
// most 253 characters) and "/", then a name of at most 63 characters.
func validLabelKey(k string) error {
	name := k
	if prefix, rest, ok := strings.Cut(k, "/"); ok {
		if len(prefix) > 253 || !dnsSubdomainRE.MatchString(prefix) {
			return fmt.Errorf("%q: the prefix must be a DNS subdomain", k)
		}
		name = rest
	}
	if len(name) > 63 || !labelNameRE.MatchString(name) {
		return fmt.Errorf("%q: the name must be 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric character", k)
	}
	return nil
}

// validLabelValue checks a label value: empty, or like a key's name.
func validLabelValue(v string) error {
	if v != "" && (len(v) > 63 || !labelNameRE.MatchString(v)) {
		return fmt.Errorf("%q: a label value must be empty or 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric character", v)
	}
	return nil
}
