#!/usr/bin/env bash
# ab.sh compares two edge builds (or two environments of one build) on one
# loadtest scenario, alternating A and B so that a noisy shared machine
# treats both alike. Each run starts a fresh `edge dev` on loadtest/edge/,
# primes the 1,000 coordinators for "spread", loads it for 2 s (not
# measured) and then 8 s with loadtest/loadgen (32 connections), and
# prints requests per server CPU-second (from /proc/PID/stat), req/s and
# p50. The medians at the end are what to compare.
#
#   go build -o /tmp/edge-a ./cmd/edge     # e.g. at the base commit
#   go build -o /tmp/edge-b ./cmd/edge     # with the change
#   loadtest/ab.sh read 4 "" /tmp/edge-a "" /tmp/edge-b
#   loadtest/ab.sh read 4 GOGC=200 /tmp/edge-b "" /tmp/edge-b
#
# usage: ab.sh SCENARIO RUNS ENV_A BIN_A ENV_B BIN_B
#   SCENARIO: read, increment or spread (a path of loadtest/edge/worker.js);
#     "spread?n=N" spreads over N coordinators instead of 1,000
#     (loadtest/ab.sh 'spread?n=10' 3 "" /tmp/edge "" /tmp/edge measures
#     one build six times); "spread-read" reads instead of incrementing
#     and "spread-floor" visits coordinators that do nothing (both take
#     ?n=N too)
#   ENV_*: space-separated VAR=value pairs for that side, or ""
# C=1 ab.sh ... uses 1 connection instead of 32 (latency of a lone caller).
set -euo pipefail
if [ $# -ne 6 ]; then
	sed -n '2,23p' "$0" >&2
	exit 2
fi
scenario=$1 runs=$2 env_a=$3 bin_a=$4 env_b=$5 bin_b=$6
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/loadgen" "$root/loadtest/cmd/loadgen"
port=${PORT:-28090}

run1() { # env binary -> "req/cpu-s req/s p50"
	rm -rf "$work/data"
	(cd "$root/loadtest/edge" && exec env $1 "$2" dev --config edge.yaml --listen 127.0.0.1:$port --data "$work/data" >"$work/edge.log" 2>&1) &
	local pid=$!
	for _ in $(seq 50); do
		curl -s -o /dev/null -H 'Host: hello.deno.dev' "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	case "$scenario" in
	spread*)
		# Prime every coordinator the scenario visits: k in [0, n).
		local path=${scenario%%\?*} query="" n=1000 param
		case "$scenario" in *\?*) query=${scenario#*\?} ;; esac
		for param in ${query//&/ }; do
			case "$param" in n=*) n=${param#n=} ;; esac
		done
		for k in $(seq 0 $((n - 1))); do echo "http://127.0.0.1:$port/$path?k=$k"; done |
			xargs -P 8 -n 50 curl -s -H 'Host: bench.deno.dev' >/dev/null
		;;
	esac
	"$work/loadgen" -c 32 -d 2s -warmup 0s -H bench.deno.dev "http://127.0.0.1:$port/$scenario" >/dev/null
	local t0 t1 out req
	t0=$(awk '{print $14+$15}' /proc/$pid/stat)
	out=$("$work/loadgen" -c "${C:-32}" -d 8s -warmup 0s -H bench.deno.dev "http://127.0.0.1:$port/$scenario" | grep -E 'requests|p50' | tr '\n' ' ')
	t1=$(awk '{print $14+$15}' /proc/$pid/stat)
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	req=$(echo "$out" | awk '{print $2}')
	echo "$((req * $(getconf CLK_TCK) / (t1 - t0))) $((req / 8)) $(echo "$out" | awk '{print $7}')"
}

: >"$work/a"
: >"$work/b"
for i in $(seq "$runs"); do
	run1 "$env_a" "$bin_a" | tee -a "$work/a" | sed 's/^/A /'
	run1 "$env_b" "$bin_b" | tee -a "$work/b" | sed 's/^/B /'
done
median() { sort -n -k"$2" "$1" | awk -v c="$2" '{a[NR] = $c} END {print a[int((NR + 1) / 2)]}'; }
for side in a b; do
	echo "${side^^}: median req per server CPU-second $(median "$work/$side" 1), req/s $(median "$work/$side" 2)"
done
