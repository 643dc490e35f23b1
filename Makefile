# Convenience targets; each runs a plain go command shown in README.md.
.PHONY: run test bench proto loadtest loadtest-create loadtest-cluster deno deno-diff postgres etcd cluster-local

run:
	go run ./cmd/edge dev --config examples/counter/edge.yaml

test:
	go test -race ./...

bench:
	go test -run XXX -bench . -benchtime 3s ./jsvm ./persistence ./cmd/edge

# Regenerates protos/edge.pb.go (needs protoc from Debian's protobuf-compiler
# and protoc-gen-go from the Go module proxy).
proto:
	command -v protoc >/dev/null || (apt-get update && apt-get install -y protobuf-compiler)
	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
	PATH="$$PATH:$$(go env GOPATH)/bin" go generate ./protos

# edge against workerd and Deno in one run (installs both from npm into
# loadtest/.npm); writes loadtest/out/results.md. See docs/BENCHMARKS.md.
# loadtest: the four request scenarios (about 9 minutes); loadtest-create:
# first requests to 10,000 new coordinators and the memory of 10,000 idle
# ones (about 11 minutes).
loadtest:
	go run ./loadtest -scenarios hello,read,increment,spread -duration 10s -connections 32 -rounds 3

loadtest-create:
	go run ./loadtest -scenarios create,idle-memory

# edge as a three-node cluster on 127.0.0.1-3 sharing a local Postgres (started
# here with .ci/postgres; the run uses a fresh schema): same-node against
# cross-node requests, creation of duplicates through the directory, failover
# after SIGKILL of the owner. Writes loadtest/out/cluster-results.md (about
# 7 minutes). See docs/BENCHMARKS.md, "Cluster".
loadtest-cluster:
	bash .ci/postgres
	go run ./loadtest -cluster -cluster-postgres postgres://edge:edge@127.0.0.1:5432/edge_test -duration 10s -connections 32 -rounds 3

# Real Deno for the differential suite (conformance/deno), from npm into
# conformance/deno/.npm. Idempotent: npm skips an installed version.
deno:
	@command -v npm >/dev/null || { echo "make deno: npm is not on PATH (install Node.js/npm)" >&2; exit 1; }
	npm install --prefix conformance/deno/.npm --no-audit --no-fund deno@2.9.6

# The differential suite's table (needs `make deno`); -update-docs rewrites
# its section of docs/CONFORMANCE.md.
deno-diff:
	go run ./conformance/deno/cmd/diff

# The three-node cluster of docker-compose.yml as local processes on
# 127.0.0.1-3 sharing the local Postgres (configs/cluster/run-local.sh).
cluster-local: postgres
	bash configs/cluster/run-local.sh

# PostgreSQL from Debian's packages, started, with the role and database the
# persistence tests use; prints the EDGE_TEST_POSTGRES_URL to export.
# Idempotent (needs root, as on the dev and CI machines).
postgres:
	bash .ci/postgres

# etcd from Debian's packages, started on 127.0.0.1:2379 for the test of
# cluster.provider etcd; prints the EDGE_TEST_ETCD to export. Idempotent.
etcd:
	bash .ci/etcd
