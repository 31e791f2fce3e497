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

audit_arg=()
[[ "${AUDIT:-0}" == 1 ]] && audit_arg=(audit)
. "$here/load-target.sh"
start_load_target "${audit_arg[@]}"
echo "== $("$java" -version 2>&1 | sed -n 1p); wrk -t$threads -c$connections -d$duration"
wrk -t"$threads" -c"$connections" -d5s -s "$here/token.lua" "$url" >/dev/null
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/token.lua" "$url"
curl -s "$url/metrics" | grep -E '^registry_auth_(token_requests_total|credential_cache)'
