package protos

import "net/http"

// HeadersFromHTTP converts Go headers into repeated Header fields. The
// fields share one allocation (every request and response crosses the
// actors this way).
func HeadersFromHTTP(h http.Header) []*Header {
	n := 0
	for _, values := range h {
		n += len(values)
	}
	fields := make([]Header, n)
	out := make([]*Header, 0, n)
	for name, values := range h {
		for _, v := range values {
			f := &fields[len(out)]
			f.Name, f.Value = name, v
			out = append(out, f)
		}
	}
	return out
}

// HeadersToHTTP converts repeated Header fields into Go headers. A name's
// first value is a one-element slice of one shared array (as net/http
// reads headers); a repeated name's values are appended, which copies
// them out of it.
func HeadersToHTTP(hs []*Header) http.Header {
	h := make(http.Header, len(hs))
	values := make([]string, len(hs))
	for i, x := range hs {
		k := http.CanonicalHeaderKey(x.GetName())
		if vs, ok := h[k]; ok {
			h[k] = append(vs, x.GetValue())
			continue
		}
		values[i] = x.GetValue()
		h[k] = values[i : i+1 : i+1]
	}
	return h
}

// NewError builds a response that carries an InstanceError.
func NewError(reason InstanceError_Reason, msg string) *HttpResponse {
	return &HttpResponse{Error: &InstanceError{Reason: reason, Message: msg}}
}

// GrainMoved reports whether the response says the instance is not held by
// the node that answered (the handler did not run; route it again).
func (r *HttpResponse) GrainMoved() bool {
	return r.GetError().GetReason() == InstanceError_MOVED
}

// GrainMoved reports whether the activation was refused because the node
// that answered does not hold the instance.
func (a *Activated) GrainMoved() bool {
	return a.GetError().GetReason() == InstanceError_MOVED
}
