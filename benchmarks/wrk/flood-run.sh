#!/usr/bin/env bash
# Cached-credential GET /token latency alone, then while a second wrk floods the realm with wrong
# passwords for random users (docs/benchmarks.md, "A flood of wrong passwords").
#
#   benchmarks/wrk/flood-run.sh [java-binary] [duration] [cached-connections] [flood-connections]
#
# Builds nothing: run `mvn -B -pl benchmarks -am package -DskipTests` first (JAR= picks another jar).
# Each wrk uses one thread, so the two load generators take as little of the shared cores as they can.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
jar="${JAR:-$here/../target/benchmarks.jar}"
java="${1:-java}"
duration="${2:-20}"
cached="${3:-8}"
flood="${4:-64}"
service="registry.bench:5000"
scope="repository:team-a/app:pull,push"

. "$here/load-target.sh"
start_load_target
echo "== $("$java" -version 2>&1 | sed -n 1p); cached: wrk -t1 -c$cached -d${duration}s; flood: wrk -t1 -c$flood"
wrk -t1 -c"$cached" -d5s -s "$here/token.lua" "$url" >/dev/null
echo "-- cached credentials alone"
wrk -t1 -c"$cached" -d"${duration}s" --timeout 10s --latency -s "$here/token.lua" "$url"

echo "-- cached credentials while wrong passwords flood in"
wrk -t1 -c"$flood" -d"$((duration + 6))s" --timeout 10s --latency -s "$here/wrong-password.lua" "$url" >"$log.flood" &
flooder=$!
sleep 3
wrk -t1 -c"$cached" -d"${duration}s" --timeout 10s --latency -s "$here/token.lua" "$url"
wait "$flooder"
echo "-- the flood (wrong passwords; every answer is non-2xx by design)"
grep -E 'Requests/sec|Non-2xx|Socket errors|Latency  |  50%|  99%|requests in' "$log.flood"
rm -f "$log.flood"
curl -s "$url/metrics" | grep -E '^registry_auth_(token_requests_total|credential_cache|work_)'
