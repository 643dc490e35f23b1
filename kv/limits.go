package kv

import "fmt"

// Deno KV's limits (denokv's defaults, deno's ext/kv config), each probed
// against deno 2.9.6: the largest value passes, one more fails with the
// message of the matching RequestError below. Key sizes are of the
// encoded key (EncodeKey), value sizes of the stored bytes (Value.Data).
const (
	// MaxWriteKeyBytes bounds the keys of sets, deletes, sums/mins/maxes
	// and checks.
	MaxWriteKeyBytes = 2048
	// MaxReadKeyBytes bounds the keys of get, getMany, list selectors and
	// watch; one more than for writes so that a list may start just past
	// the largest writable key.
	MaxReadKeyBytes = 2049
	// MaxValueBytes bounds a value's encoded size.
	MaxValueBytes = 65536
	// MaxReadRanges bounds the keys of one getMany.
	MaxReadRanges = 10
	// MaxReadEntries bounds a list's batchSize. (Its limit is not bounded:
	// a list reads in batches.)
	MaxReadEntries = 1000
	// MaxChecks bounds the checks of one atomic operation.
	MaxChecks = 100
	// MaxMutations bounds the mutations of one atomic operation.
	MaxMutations = 1000
	// MaxWatchedKeys bounds the keys of one watch.
	MaxWatchedKeys = 10
	// MaxTotalMutationBytes bounds an atomic operation's payload: the key
	// of every check and mutation, plus, for each mutation with a value
	// (set, sum, min, max), its key again and its value.
	MaxTotalMutationBytes = 800 * 1024
	// MaxTotalKeyBytes bounds the sum of the keys of an atomic operation's
	// mutations with a value (set, sum, min, max; not delete, not checks).
	MaxTotalKeyBytes = 80 * 1024
)

// RequestError is a request that breaks one of Deno KV's rules: a limit
// above, an empty key to write, a malformed mutation. Msg is the message
// of the TypeError Deno throws for it, so the runtime can throw the same.
type RequestError struct {
	Msg string
}

func (e *RequestError) Error() string { return e.Msg }

func requestErr(format string, args ...any) error {
	return &RequestError{Msg: fmt.Sprintf(format, args...)}
}

// ValidateWriteKey checks an encoded key that is written or checked.
func ValidateWriteKey(key []byte) error {
	if len(key) == 0 {
		return requestErr("key cannot be empty")
	}
	if len(key) > MaxWriteKeyBytes {
		return requestErr("Key too large for write (max %d bytes)", MaxWriteKeyBytes)
	}
	return nil
}

// ValidateReadKey checks an encoded key that is read (get, list bounds,
// watch). The empty key may be read.
func ValidateReadKey(key []byte) error {
	if len(key) > MaxReadKeyBytes {
		return requestErr("Key too large for read (max %d bytes)", MaxReadKeyBytes)
	}
	return nil
}

// ValidateValue checks a value's size.
func ValidateValue(v Value) error {
	if len(v.Data) > MaxValueBytes {
		return requestErr("Value too large (max %d bytes)", MaxValueBytes)
	}
	return nil
}

// ValidateGetMany checks the number of keys of one getMany.
func ValidateGetMany(n int) error {
	if n > MaxReadRanges {
		return requestErr("Too many ranges (max %d)", MaxReadRanges)
	}
	return nil
}

// ValidateListBatch checks a list's batchSize.
func ValidateListBatch(n int) error {
	if n > MaxReadEntries {
		return requestErr("Too many entries (max %d)", MaxReadEntries)
	}
	return nil
}

// ValidateWatch checks the number of keys of one watch.
func ValidateWatch(n int) error {
	if n > MaxWatchedKeys {
		return requestErr("Too many keys (max %d)", MaxWatchedKeys)
	}
	return nil
}

// ValidateAtomic checks an atomic operation against the limits, in Deno's
// order: the counts, then each key, then each value, then the totals. It
// also rejects what Deno's JS layer cannot produce (an unknown op, a
// sum/min/max operand that is not a KvU64); those messages are ours.
func ValidateAtomic(checks []Check, muts []Mutation) error {
	if len(checks) > MaxChecks {
		return requestErr("Too many checks (max %d)", MaxChecks)
	}
	if len(muts) > MaxMutations {
		return requestErr("Too many mutations (max %d)", MaxMutations)
	}
	payload, keys := 0, 0
	for _, c := range checks {
		if err := ValidateWriteKey(c.Key); err != nil {
			return err
		}
		payload += len(c.Key)
	}
	for i, m := range muts {
		if err := ValidateWriteKey(m.Key); err != nil {
			return err
		}
		payload += len(m.Key)
		switch m.Op {
		case OpDelete:
			continue
		case OpSet:
		case OpSum, OpMin, OpMax:
			if m.Value.Kind != KindU64 || len(m.Value.Data) != 8 {
				return requestErr("Invalid mutation %d: the operand of %s must be a KvU64", i, m.Op)
			}
		default:
			return requestErr("Invalid mutation type")
		}
		if err := ValidateValue(m.Value); err != nil {
			return err
		}
		payload += len(m.Key) + len(m.Value.Data)
		keys += len(m.Key)
	}
	if payload > MaxTotalMutationBytes {
		return requestErr("Total mutation size too large (max %d bytes)", MaxTotalMutationBytes)
	}
	if keys > MaxTotalKeyBytes {
		return requestErr("Total key size too large (max %d bytes)", MaxTotalKeyBytes)
	}
	return nil
}
