package protos

import "net/http"

// HeadersFromHTTP converts Go headers into repeated Header fields.
func HeadersFromHTTP(h http.Header) []*Header {
	out := make([]*Header, 0, len(h))
	for name, values := range h {
		for _, v := range values {
			out = append(out, &Header{Name: name, Value: v})
		}
	}
	return out
}

// HeadersToHTTP converts repeated Header fields into Go headers.
func HeadersToHTTP(hs []*Header) http.Header {
	h := make(http.Header, len(hs))
	for _, x := range hs {
		k := http.CanonicalHeaderKey(x.GetName())
		h[k] = append(h[k], x.GetValue())
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
