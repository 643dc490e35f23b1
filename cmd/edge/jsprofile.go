package main

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/dop251/goja"
)

// serveJSProfile answers /debug/jsprofile?seconds=N on the EDGE_PPROF
// listener with goja's sampling profile of the JavaScript every VM ran in
// that time, in pprof's format: `go tool pprof` names JavaScript functions
// and their source lines, where the Go profile shows only goja's
// interpreter. Like the rest of EDGE_PPROF it is for measuring edge, never
// on a public listener.
func serveJSProfile(w http.ResponseWriter, r *http.Request) {
	seconds, err := strconv.Atoi(r.URL.Query().Get("seconds"))
	if err != nil || seconds <= 0 {
		seconds = 10
	}
	var buf bytes.Buffer
	if err := goja.StartProfile(&buf); err != nil {
		http.Error(w, "edge: a JavaScript profile is already running: "+err.Error(), http.StatusConflict)
		return
	}
	select {
	case <-time.After(time.Duration(seconds) * time.Second):
	case <-r.Context().Done():
	}
	goja.StopProfile()
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(buf.Bytes())
}
