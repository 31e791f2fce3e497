#!/usr/bin/env bash
# GET /token throughput and latency when users log in with an identity provider's access token
# (docs/benchmarks.md).
#
#   benchmarks/wrk/oidc-run.sh <cached|cold|introspection> [java-binary] [seconds] [threads] [connections]
#
# Builds nothing: run `mvn -B -pl benchmarks -am package -DskipTests` first. Starts OidcLoad (a local
# provider with an RS256 key, and the realm) with the given JVM; it mints COUNT tokens (default 150000;
# one for cached). The first WARMUP/(WARMUP+seconds) of them warm up (WARMUP seconds, default 5), the
# rest are the measured run, so in cold and introspection modes each token is sent once unless a wrk
# thread runs out (the summary says so). Checks that one request gets a token, warms up, runs
# wrk --latency, then prints the realm's counters and the provider's call counts.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
jar="${JAR:-$here/../target/benchmarks.jar}"
mode="${1:?usage: oidc-run.sh <cached|cold|introspection> [java] [seconds] [threads] [connections]}"
java="${2:-java}"
seconds="${3:-20}"
threads="${4:-2}"
connections="${5:-16}"
count="${COUNT:-150000}"
warmup="${WARMUP:-5}"
service="registry.bench:5000"
scope="repository:team-a/app:pull"
user="bench"

[[ -f "$jar" ]] || { echo "missing $jar: build the benchmarks module first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[[ "$mode" == cached ]] && count=1

work="$(mktemp -d)"
tokens="$work/tokens"
"$java" -cp "$jar" io.registryauth.bench.OidcLoad "$mode" 0 "$count" "$tokens" >"$work/out" 2>"$work/err" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT

ports=""
for _ in $(seq 1 3000); do # minting can take a minute
  [[ "$(wc -l <"$work/out")" -ge 2 ]] && { ports=ok; break; }
  kill -0 "$server" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$ports" ]] || { echo "OidcLoad did not report its ports" >&2; exit 1; }
url="http://127.0.0.1:$(sed -n 1p "$work/out")"
provider="http://127.0.0.1:$(sed -n 2p "$work/out")"

# The check uses the last token; warm-up the first share, the run the rest (cached: the one token).
total="$(wc -l <"$tokens")"
status="$(curl -s -o /dev/null -w '%{http_code}' -u "$user:$(tail -n1 "$tokens")" "$url/token?service=$service&scope=$scope")"
[[ "$status" == 200 ]] || { echo "token request answered $status" >&2; exit 1; }
warm=$(( total * warmup / (warmup + seconds) ))
(( warm >= threads )) || warm="$total"

export TOKENS="$tokens" THREADS="$threads" USER_NAME="$user" SERVICE="$service" SCOPE="$scope"
echo "== $mode, $total token(s); $("$java" -version 2>&1 | sed -n 1p); wrk -t$threads -c$connections -d${seconds}s"
FIRST=1 LAST="$warm" wrk -t"$threads" -c"$connections" -d"${warmup}s" -s "$here/oidc.lua" "$url" >/dev/null
first=$(( warm < total ? warm + 1 : 1 ))
curl -s "$provider/stats" | sed 's/^/before run: /'
FIRST="$first" LAST="$total" wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$here/oidc.lua" "$url"
curl -s "$url/metrics" | grep -E '^registry_auth_(token_requests_total|authentication_failures_total)' || true
curl -s "$provider/stats" | sed 's/^/after run: /'
