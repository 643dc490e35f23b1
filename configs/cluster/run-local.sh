#!/usr/bin/env bash
# The docker-compose topology without Docker: node-a and node-b (region eu)
# and node-c (region us) as three local processes on 127.0.0.1, 127.0.0.2 and
# 127.0.0.3 (Linux routes all of 127/8 to loopback), from the same node
# configs the containers use, with the addresses overridden through EDGE_*
# variables. They share the local Postgres that `make postgres` starts
# (database edge_test; EDGE_CLUSTER_DB overrides the URL). Ctrl-C stops all
# three. Run it from the repository root: make cluster-local.
#
#   node    public            admin API
#   node-a  127.0.0.1:8080    127.0.0.1:8081
#   node-b  127.0.0.2:8080    127.0.0.2:8081
#   node-c  127.0.0.3:8080    127.0.0.3:8081
set -euo pipefail
db=${EDGE_CLUSTER_DB:-postgres://edge:edge@127.0.0.1:5432/edge_test?sslmode=disable}
export EDGE_ADMIN_TOKEN=${EDGE_ADMIN_TOKEN:-local-cluster-admin-token}
mkdir -p .edge
go build -o .edge/edge ./cmd/edge
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
i=0
for node in a b c; do
  i=$((i + 1))
  peers=()
  for j in 1 2 3; do [ "$j" = "$i" ] || peers+=("127.0.0.$j:633$j"); done
  # automanaged listens on every interface, so each node needs its own port.
  EDGE_LISTEN=127.0.0.$i:8080 EDGE_ADMIN_LISTEN=127.0.0.$i:8081 \
  EDGE_CLUSTER_BIND=127.0.0.$i:8090 EDGE_CLUSTER_ADVERTISE=127.0.0.$i:8090 \
  EDGE_CLUSTER_AUTOMANAGED_PORT=633$i EDGE_CLUSTER_PEERS="$(IFS=,; echo "${peers[*]}")" \
  EDGE_PERSISTENCE_POSTGRES_URL="$db" \
    .edge/edge serve --config "configs/cluster/node-$node.yaml" --data ".edge/node-$node" 2>&1 | sed "s/^/node-$node | /" &
  pids+=($!)
done
echo "three nodes starting; admin token: $EDGE_ADMIN_TOKEN (Ctrl-C stops them)" >&2
wait
