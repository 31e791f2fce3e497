#!/usr/bin/env bash
# Start-up of the two programs in one jar, timed from outside with farm-bench, as docs/benchmarks.md reports:
#   cli/bench/startup.sh JAR [BASELINE_JAR]     (RUNS=N pairs, default 20; JAVA_HOME picks the JVM)
# With a baseline, farm-bench runs the two alternately and reports their ratio pair by pair.
# `get`: docker-credential-registry-auth get with a cached provider token (no network), with the JVM options
# and the class archive of the installed script; `--version`: registry-auth --version with the same options.
set -euo pipefail
java="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}/bin/java"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cfg/sessions"; chmod 700 "$work/cfg" "$work/cfg/sessions"
now=$(date +%s)
cat > "$work/cfg/sessions/registry.example.com.json" <<JSON
{"registry":"registry.example.com","realm":"https://auth.example.com/token","service":"registry.example.com",
 "provider":"corp","issuer":"https://idp.example.com","clientId":"registry-cli",
 "tokenEndpoint":"http://127.0.0.1:9/token","username":"alice","groups":[],"accessToken":"cached",
 "accessObtainedAt":$now,"accessExpiresAt":$((now + 36000)),"refreshToken":"r","sessionExpiresAt":0,"configuredFiles":[]}
JSON
echo registry.example.com > "$work/stdin"
fast="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=error:stderr"
scripts() { # $1 = name, $2 = jar: writes $work/$1-get.sh and $work/$1-version.sh
  local jar; jar="$(readlink -f "$2")"
  local helper="-Dregistryauth.argv0=docker-credential-registry-auth -jar $jar get"
  REGISTRY_AUTH_CONFIG_DIR="$work/cfg" "$java" $fast -XX:ArchiveClassesAtExit="$work/$1.jsa" $helper \
    < "$work/stdin" > /dev/null
  printf '#!/bin/sh\nREGISTRY_AUTH_CONFIG_DIR="%s" exec "%s" %s -XX:SharedArchiveFile=%s %s < "%s"\n' \
    "$work/cfg" "$java" "$fast" "$work/$1.jsa" "$helper" "$work/stdin" > "$work/$1-get.sh"
  printf '#!/bin/sh\nexec "%s" %s -jar %s --version\n' "$java" "$fast" "$jar" > "$work/$1-version.sh"
  chmod +x "$work/$1-get.sh" "$work/$1-version.sh"
  echo "$1: $jar, $(stat -c %s "$jar") bytes"
}
scripts a "$1"
if [ -n "${2:-}" ]; then scripts b "$2"; fi
for what in get version; do
  echo "== $what"
  farm-bench -n "${RUNS:-20}" --warmup 2 ${2:+--vs "$work/b-$what.sh"} -- "$work/a-$what.sh"
done
