package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/edge-platform/edge/cluster/placement"
)

// ErrBadSettings means creation settings are not what ParseSettings accepts.
var ErrBadSettings = errors.New("bad coordinator settings")

// regionRE is a DNS label, the form region names take in configs.
var regionRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ParseSettings reads creation settings from their JSON form (the
// Edge-Coordinator-Settings header): an object whose "region" is a region
// name (a DNS label) and whose "pinned" is a boolean; both are optional and
// other fields are ignored. nil or empty input gives zero settings.
func ParseSettings(raw []byte) (placement.Settings, error) {
	if len(raw) == 0 {
		return placement.Settings{}, nil
	}
	var s struct {
		Region *json.RawMessage `json:"region"`
		Pinned *json.RawMessage `json:"pinned"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return placement.Settings{}, fmt.Errorf(`%w: %v; send a JSON object such as {"region": "eu", "pinned": true}`, ErrBadSettings, err)
	}
	var out placement.Settings
	if s.Region != nil {
		if err := json.Unmarshal(*s.Region, &out.Region); err != nil || !regionRE.MatchString(out.Region) {
			return placement.Settings{}, fmt.Errorf(`%w: "region" is %s; it must be a region name (a DNS label such as "eu" or "us-east-1")`, ErrBadSettings, string(*s.Region))
		}
	}
	if s.Pinned != nil {
		if err := json.Unmarshal(*s.Pinned, &out.Pinned); err != nil {
			return placement.Settings{}, fmt.Errorf(`%w: "pinned" is %s; it must be true or false`, ErrBadSettings, string(*s.Pinned))
		}
	}
	if out.Pinned && out.Region == "" {
		return placement.Settings{}, fmt.Errorf(`%w: "pinned" needs a "region" to pin to`, ErrBadSettings)
	}
	return out, nil
}
