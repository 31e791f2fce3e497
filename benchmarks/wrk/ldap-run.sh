#!/usr/bin/env bash
# Logins of an LDAP user (alice, group developers, against a real slapd the target starts) answered by the
# realm: with its caches (cached), with both caches off (uncached: search + bind + group search over pooled
# connections), and a docker_auth-style baseline that connects and binds anew on every request
# (docs/benchmarks.md, "LDAP logins").
#
#   benchmarks/wrk/ldap-run.sh [java-binary] [duration] [connections]
#
# Builds nothing: run `mvn -B -pl benchmarks -am package -DskipTests` first (JAR= picks another jar).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
jar="${JAR:-$here/../target/benchmarks.jar}"
java="${1:-java}"
duration="${2:-20}"
connections="${3:-8}"
service="registry.bench:5000"
scope="repository:team-a/app:pull,push"
[[ -f "$jar" ]] || { echo "missing $jar: build the benchmarks module first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
export SERVICE="$service" SCOPE="$scope" BASIC="$(printf 'alice:alice-password' | base64 -w0)"

echo "== $("$java" -version 2>&1 | sed -n 1p); wrk -t1 -c$connections -d${duration}s"
for mode in cached uncached bind-per-request; do
  log="$(mktemp)"
  "$java" -cp "$jar" io.registryauth.bench.LdapLoad 0 "$mode" >"$log" 2>"$log.err" &
  server=$!
  port=""
  for _ in $(seq 1 300); do
    port="$(head -n1 "$log" 2>/dev/null || true)"
    [[ -n "$port" ]] && break
    kill -0 "$server" 2>/dev/null || { cat "$log.err" >&2; exit 1; }
    sleep 0.1
  done
  url="http://127.0.0.1:$port"
  status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $BASIC" "$url/token?service=$service&scope=$scope")"
  [[ "$status" == 200 ]] || { echo "$mode: token request answered $status" >&2; kill "$server"; exit 1; }
  wrk -t1 -c"$connections" -d5s -s "$here/token.lua" "$url" >/dev/null
  echo "-- $mode"
  wrk -t1 -c"$connections" -d"${duration}s" --timeout 10s --latency -s "$here/token.lua" "$url" \
    | grep -E 'Requests/sec|Non-2xx|Socket errors|  50%|  99%|requests in'
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -f "$log" "$log.err"
done
