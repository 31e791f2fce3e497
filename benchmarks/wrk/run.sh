#!/usr/bin/env bash
# GET /token throughput and latency over HTTP with cached credentials (docs/benchmarks.md).
#
#   benchmarks/wrk/run.sh [java-binary] [duration] [threads] [connections]
#
# Builds nothing: run `mvn -B -pl benchmarks -am package -DskipTests` first. Starts TokenServerLoad
# (bcrypt cost-10 user, ES256 key) with the given JVM, checks that one request gets a token, warms
# up for 5 s, then runs wrk --latency. Set AUDIT=1 to keep audit lines (written to a file).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
jar="${JAR:-$here/../target/benchmarks.jar}"
java="${1:-java}"
duration="${2:-30s}"
threads="${3:-2}"
connections="${4:-32}"
service="registry.bench:5000"
scope="repository:team-a/app:pull,push"

[[ -f "$jar" ]] || { echo "missing $jar: build the benchmarks module first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }

log="$(mktemp)"
audit_arg=()
[[ "${AUDIT:-0}" == 1 ]] && audit_arg=(audit)
"$java" -cp "$jar" io.registryauth.bench.TokenServerLoad 0 "${audit_arg[@]}" >"$log" 2>"$log.err" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log" "$log.err"' EXIT

port=""
for _ in $(seq 1 300); do
  port="$(head -n1 "$log" 2>/dev/null || true)"
  [[ -n "$port" ]] && break
  kill -0 "$server" 2>/dev/null || { cat "$log.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { echo "TokenServerLoad did not report its port" >&2; exit 1; }

url="http://127.0.0.1:$port"
status="$(curl -s -o /dev/null -w '%{http_code}' -u bench:bench-password "$url/token?service=$service&scope=$scope")"
[[ "$status" == 200 ]] || { echo "token request answered $status" >&2; exit 1; }

export SERVICE="$service" SCOPE="$scope" BASIC="$(printf 'bench:bench-password' | base64 -w0)"
echo "== $("$java" -version 2>&1 | head -n1); wrk -t$threads -c$connections -d$duration"
wrk -t"$threads" -c"$connections" -d5s -s "$here/token.lua" "$url" >/dev/null
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/token.lua" "$url"
curl -s "$url/metrics" | grep -E '^registry_auth_(token_requests_total|credential_cache)'
