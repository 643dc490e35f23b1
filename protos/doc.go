// Package protos holds the protobuf messages that cross actor and node
// boundaries. The generated code is committed; regenerate it with
// `go generate ./protos` (needs protoc and protoc-gen-go, see the Makefile).
package protos

//go:generate protoc --go_out=. --go_opt=paths=source_relative edge.proto
