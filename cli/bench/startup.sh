#!/usr/bin/env bash
# Start-up of the two programs in one jar, measured from outside with farm-bench, as docs/benchmarks.md reports:
#   cli/bench/startup.sh [JAR] [JAVA_HOME]    (JAR defaults to cli/target/registry-auth.jar; RUNS=N, default 20)
# `get`: docker-credential-registry-auth get with a cached provider token (no network) and the JVM options
# and class archive of the installed script; `--version`: registry-auth --version with the same options.
set -euo pipefail
cd "$(dirname "$0")/../.."
jar="$(readlink -f "${1:-cli/target/registry-auth.jar}")"
java_home="${2:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
java="$java_home/bin/java"
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
helper="-Dregistryauth.argv0=docker-credential-registry-auth -jar $jar get"
REGISTRY_AUTH_CONFIG_DIR="$work/cfg" "$java" $fast -XX:ArchiveClassesAtExit="$work/helper.jsa" $helper \
  < "$work/stdin" > /dev/null
cat > "$work/get.sh" <<SH
#!/bin/sh
REGISTRY_AUTH_CONFIG_DIR="$work/cfg" exec "$java" $fast -XX:SharedArchiveFile=$work/helper.jsa $helper < "$work/stdin"
SH
chmod +x "$work/get.sh"
ls -l "$jar" | awk '{print "jar bytes:", $5}'
echo "== docker-credential-registry-auth get (cached, as installed)"
farm-bench -n "${RUNS:-20}" --warmup 2 -- "$work/get.sh"
echo "== registry-auth --version (start-up options)"
farm-bench -n "${RUNS:-20}" --warmup 2 -- "$java" $fast -jar "$jar" --version
