#!/usr/bin/env bash
# Wall time of `docker-credential-registry-auth get`, as docs/benchmarks.md reports it.
#   cli/bench/helper-get.sh [JAVA_HOME]      (needs hyperfine, python3 and cli/target/registry-auth.jar;
#   RUNS=N runs per case, default 30)
# Cached: a stored token with an hour left (no network). Refreshed: a stored token that has expired, renewed
# at a stand-in token endpoint on 127.0.0.1 (python3, answers at once), so the JVM's HTTP client is paid for.
set -euo pipefail
cd "$(dirname "$0")/../.."
java_home="${1:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
java="$java_home/bin/java"
jar="$PWD/cli/target/registry-auth.jar"
work="$(mktemp -d)"
trap 'kill "$provider" 2>/dev/null || true; rm -rf "$work"' EXIT
feature="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$port" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"access_token":"renewed","expires_in":0,"refresh_token":"r"}'  # 0: renewed on every call
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
provider=$!

session() { # $1 = config dir, $2 = access expiry (epoch s)
  mkdir -p "$1/sessions"; chmod 700 "$1" "$1/sessions"
  now=$(date +%s)
  cat > "$1/sessions/registry.example.com.json" <<JSON
{"registry":"registry.example.com","realm":"https://auth.example.com/token","service":"registry.example.com",
 "provider":"corp","issuer":"https://idp.example.com","clientId":"registry-cli",
 "tokenEndpoint":"http://127.0.0.1:$port/token","username":"alice","groups":[],"accessToken":"cached",
 "accessObtainedAt":$now,"accessExpiresAt":$2,"refreshToken":"r","sessionExpiresAt":0,"configuredFiles":[]}
JSON
}
session "$work/cached" $(( $(date +%s) + 3600 ))
session "$work/stale" 1

fast="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=error:stderr"
helper="-Dregistryauth.argv0=docker-credential-registry-auth -jar $jar get"
archive="$work/helper.archive"
if [ "$feature" -ge 25 ]; then
  echo registry.example.com | REGISTRY_AUTH_CONFIG_DIR="$work/cached" "$java" $fast -XX:AOTCacheOutput="$archive" $helper >/dev/null
  cds="-XX:AOTCache=$archive"
else
  echo registry.example.com | REGISTRY_AUTH_CONFIG_DIR="$work/cached" "$java" $fast -XX:ArchiveClassesAtExit="$archive" $helper >/dev/null
  cds="-XX:SharedArchiveFile=$archive"
fi
"$java" -version 2>&1 | sed -n 1p
# For comparison, a helper written in Go (Debian golang-docker-credential-helpers), if installed.
go_helper="$(command -v docker-credential-pass || true)"
cmd() { echo "echo registry.example.com | REGISTRY_AUTH_CONFIG_DIR=$work/$1 $java $2 $helper"; }
hyperfine -N --warmup 3 --runs "${RUNS:-30}" --export-json "$work/out.json" \
  -n "cached, java -jar" "sh -c '$(cmd cached "")'" \
  -n "cached, start-up flags" "sh -c '$(cmd cached "$fast")'" \
  -n "cached, start-up flags + class archive (as installed)" "sh -c '$(cmd cached "$fast $cds")'" \
  -n "refreshed, start-up flags + class archive" "sh -c '$(cmd stale "$fast $cds")'" \
  -n "sh -c true (the shell's own share)" "sh -c true" \
  ${go_helper:+-n "Go helper (docker-credential-pass version)" "sh -c '$go_helper version'"} >/dev/null
python3 - "$work/out.json" <<'PY'
import json, sys
print("| run | median wall ms | min wall ms | mean wall ms |")
print("|---|---:|---:|---:|")
for r in json.load(open(sys.argv[1]))["results"]:
    print("| %s | %.0f | %.0f | %.0f |" % (r["command"], r["median"] * 1000, r["min"] * 1000, r["mean"] * 1000))
PY

# CPU time (user + system) of the installed form, which a busy machine inflates far less than wall time.
for case in cached stale; do
  for i in $(seq "${RUNS:-30}"); do
    echo registry.example.com | REGISTRY_AUTH_CONFIG_DIR="$work/$case" /usr/bin/time -f "%U %S" -a -o "$work/cpu-$case" \
      "$java" $fast $cds $helper >/dev/null
  done
  python3 -c "import sys,statistics; v=[float(a)+float(b) for a,b in (l.split() for l in open(sys.argv[1]))]; \
print('$case get, start-up flags + class archive: CPU (user+sys) median %.0f ms' % (statistics.median(v)*1000))" "$work/cpu-$case"
done
