#!/usr/bin/env bash
# The realm against its physical limit and against the peer a user would otherwise pick, in ONE run on
# the same machine (docs/benchmarks.md, "The realm against bare signing and Keycloak"):
#   (a) bare: ES256 signatures/s that Nimbus alone makes on $THREADS threads (BareSigning);
#   (b) realm: GET /token through the dev mode (`java -jar operator.jar dev`, audit lines on as it has them
#       by default, written to a file) for an htpasswd user at bcrypt cost 10 with one grant, measured with
#       wrk; the same credentials on every request, so all but the first are credential-cache hits;
#   (c) keycloak: Keycloak's docker-v2 endpoint (feature `docker`, a docker-v2 client named like the
#       service, its allow-all mapper, the same user name, password and scope) with wrk.
# Per round: bare, realm, [floor,] keycloak; then bare once more. Each wrk phase reports req/s, latency
# percentiles, and the CPU seconds used by wrk, by the target process and by everything else on the
# machine (from /proc), so the reader sees how much of the cores the load generator took.
#
#   benchmarks/wrk/realm-vs-peers.sh [java-binary] [seconds]
#
# Build first: `mvn -B -q package -DskipTests` (operator and benchmarks jars). Keycloak comes from Maven
# Central: the script unpacks org.keycloak:keycloak-quarkus-dist (the version token-server/pom.xml
# tests against) into benchmarks/target/keycloak with `mvn dependency:unpack` when it is not there yet.
# Needs wrk, curl, jq. Environment (all optional):
#   ROUNDS=1         rounds of bare, realm, keycloak
#   THREADS=2        wrk threads and bare signing threads
#   CONNECTIONS=16   wrk connections
#   WARMUP=10        seconds of load before each measured wrk phase (and before bare signing)
#   KEYCLOAK=1       0 leaves Keycloak out (no ratio to it then)
#   FLOOR=0          1 adds (d) floor: bare signing behind a bare Vert.x HTTP server (HttpFloor) measured with
#                    wrk like the realm: what any token server could reach over HTTP with wrk beside it
#   KEYCLOAK_JAVA    java binary for Keycloak (default: the one given for the realm)
#   JFR=FILE         record the realm with Java Flight Recorder (profile settings) into FILE
#   REALM_JAVA_OPTS  extra JVM options for the dev mode
#   OPERATOR_JAR, BENCH_JAR   jars to run (defaults under operator/target and benchmarks/target; point
#                    them at a -Dbuild.dir.name=target-before build to measure older code)
# Every process it starts is stopped by its process id when it exits, however it exits.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
java="${1:-java}"
seconds="${2:-20}"
rounds="${ROUNDS:-1}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-16}"
warmup="${WARMUP:-10}"
with_keycloak="${KEYCLOAK:-1}"
with_floor="${FLOOR:-0}"
keycloak_java="${KEYCLOAK_JAVA:-$java}"
operator_jar="${OPERATOR_JAR:-$root/operator/target/registry-auth-operator.jar}"
bench_jar="${BENCH_JAR:-$root/benchmarks/target/benchmarks.jar}"
service="registry.bench:5000"
scope="repository:team-a/app:pull,push"
user="bench"
password="bench-password"
tick="$(getconf CLK_TCK)"
cores="$(nproc)"

for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install -y $tool)" >&2; exit 1; }
done
for jar in "$operator_jar" "$bench_jar"; do
  [[ -f "$jar" ]] || { echo "missing $jar: run mvn -B -q package -DskipTests first" >&2; exit 1; }
done
java_bin="$(command -v "$java")" || { echo "no java at $java" >&2; exit 1; }

work="$(mktemp -d /tmp/realm-vs-peers.XXXXXX)"
pids=()

# Stops a process and its descendants, by process id: children first, TERM, then KILL after 30 s.
stop_tree() {
  local pid="$1" child
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do stop_tree "$child"; done
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_tree "$pid"; done
  if [[ -n "${KEEP_WORK:-}" ]]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU ticks (user + system) of a process and its descendants.
tree_ticks() {
  local pid="$1" total=0 child
  if [[ -r "/proc/$pid/stat" ]]; then
    # Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    local rest; rest="$(sed 's/^.*) //' "/proc/$pid/stat")"
    total=$(awk '{print $12 + $13}' <<<"$rest")
  fi
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do total=$((total + $(tree_ticks "$child"))); done
  echo "$total"
}
# Busy CPU ticks of the whole machine (all but idle and iowait).
machine_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
# The claims of a JWT's payload (base64url) as JSON.
jwt_claims() {
  local part; part="$(cut -d. -f2 <<<"$1" | tr '_-' '/+')"
  while (( ${#part} % 4 )); do part="$part="; done
  base64 -d <<<"$part"
}
# Fails unless one GET with the benchmark's credentials answers 200 with a token granting pull and push
# on team-a/app: both targets must do the same work before they are compared.
check_token() {
  local name="$1" url="$2" body token
  body="$(curl -s -u "$user:$password" "$url?service=$service&scope=$scope")" \
    || { echo "$name: no answer from $url" >&2; exit 1; }
  token="$(jq -r '.token // empty' <<<"$body")"
  [[ -n "$token" ]] || { echo "$name answered without a token: $body" >&2; exit 1; }
  jwt_claims "$token" | jq -e '[.access[] | select(.name == "team-a/app") | .actions[]] | sort == ["pull","push"]' \
    >/dev/null || { echo "$name's token does not grant pull,push on team-a/app: $(jwt_claims "$token")" >&2; exit 1; }
}

declare -A result
# wrk against $2 for the target process $3, as phase $1: warm-up, then the measured run with CPU accounting.
measure() {
  local phase="$1" url="$2" pid="$3" out="$work/$1.wrk" times="$work/$1.times"
  export SERVICE="$service" SCOPE="$scope" BASIC; BASIC="$(printf '%s:%s' "$user" "$password" | base64 -w0)"
  export TOKEN_PATH="${url#http://*/}"; TOKEN_PATH="/$TOKEN_PATH"
  local base="${url%"$TOKEN_PATH"}"
  wrk -t"$threads" -c"$connections" -d"${warmup}s" --timeout 10s -s "$here/token.lua" "$base" >/dev/null
  local load_before; load_before="$(load)"
  local target0 machine0 target1 machine1
  target0="$(tree_ticks "$pid")"; machine0="$(machine_ticks)"; result[$phase.from]="$(date +%s%3N)"
  # bash's time keyword: user and system CPU of wrk itself, from the kernel's accounting of the child.
  { TIMEFORMAT='%U %S'; time wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency \
      -s "$here/token.lua" "$base" >"$out"; } 2>"$times"
  target1="$(tree_ticks "$pid")"; machine1="$(machine_ticks)"; result[$phase.to]="$(date +%s%3N)"
  local rps wrk_cpu target_cpu busy rest non2xx
  rps="$(awk '/^Requests\/sec:/{print $2}' "$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/{print $5}' "$out")"
  wrk_cpu="$(awk '{printf "%.2f", $1 + $2}' "$times")"
  target_cpu="$(awk -v a="$target0" -v b="$target1" -v t="$tick" 'BEGIN{printf "%.2f", (b - a) / t}')"
  busy="$(awk -v a="$machine0" -v b="$machine1" -v t="$tick" 'BEGIN{printf "%.2f", (b - a) / t}')"
  rest="$(awk -v b="$busy" -v w="$wrk_cpu" -v r="$target_cpu" 'BEGIN{v = b - w - r; printf "%.2f", v < 0 ? 0 : v}')"
  local pct; pct() { awk -v x="$1" -v s="$seconds" -v c="$cores" 'BEGIN{printf "%.0f%%", 100 * x / (s * c)}'; }
  echo "== $phase: $(awk '/requests in/{print $1, "requests in", $4}' "$out" | tr -d ,) ${non2xx:+($non2xx non-2xx) }load average before: $load_before"
  sed -n '/Latency Distribution/,/99%/p' "$out"
  printf '   req/s %s | CPU of %s cores x %ss: wrk %s s (%s), %s %s s (%s), everything else %s s (%s)\n' \
    "$rps" "$cores" "$seconds" "$wrk_cpu" "$(pct "$wrk_cpu")" "$phase" "$target_cpu" "$(pct "$target_cpu")" \
    "$rest" "$(pct "$rest")"
  result[$phase.rps]="$rps"; result[$phase.wrk]="$(pct "$wrk_cpu")"; result[$phase.target]="$(pct "$target_cpu")"
  result[$phase.rest]="$(pct "$rest")"
  result[$phase.p]="$(awk '/^ +(50|90|99)%/{printf "%s%s", sep, $2; sep=" / "}' "$out")"
  result[$phase.load]="$load_before"
  # CPU per answered request, of the target and of wrk: what contention from other processes skews least.
  local requests; requests="$(awk '/requests in/{print $1}' "$out")"
  result[$phase.us]="$(awk -v c="$target_cpu" -v n="$requests" 'BEGIN{printf "%.0f", 1e6 * c / n}')"
  result[$phase.wrkus]="$(awk -v c="$wrk_cpu" -v n="$requests" 'BEGIN{printf "%.0f", 1e6 * c / n}')"
  echo "   CPU per request: $phase ${result[$phase.us]} us, wrk ${result[$phase.wrkus]} us;" \
    "$phase resident: $(( $(awk '/^VmRSS:/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0) / 1024 )) MiB"
  [[ -z "$non2xx" ]] || { echo "$phase: $non2xx answers were not 2xx: the comparison is void" >&2; exit 1; }
}

bare() {
  local label="$1" line
  echo "== bare ES256 signing with Nimbus, $threads threads, ${seconds}s (load average before: $(load))"
  line="$("$java" -cp "$bench_jar" io.registryauth.bench.BareSigning "$threads" "$seconds" "$warmup")"
  echo "$line" | sed 's/^/   /'
  result[$label]="$(awk '/^signatures\/s:/{print $2}' <<<"$line")"
  result[$label.us]="$(awk -v s="$seconds" '/^signatures\/s:/{n = $2 * s} /process CPU/{c = $(NF - 1)} END{printf "%.0f", 1e6 * c / n}' <<<"$line")"
  echo "   CPU per signature: ${result[$label.us]} us"
}

echo "realm-vs-peers: $("$java" -version 2>&1 | head -n1), $cores cores, wrk -t$threads -c$connections" \
  "${seconds}s after ${warmup}s warm-up, $rounds round(s); load average $(load)"

# --- Keycloak (started first: it needs a minute or more, and must be idle before anything is measured)
kc_pid=""
if [[ "$with_keycloak" == 1 ]]; then
  kc_version="$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' "$root/token-server/pom.xml")"
  kc_home="$root/benchmarks/target/keycloak/keycloak-$kc_version"
  if [[ ! -x "$kc_home/bin/kc.sh" ]]; then
    echo "unpacking org.keycloak:keycloak-quarkus-dist:$kc_version from Maven Central into benchmarks/target/keycloak"
    mvn -B -q -N -f "$root/pom.xml" dependency:unpack \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$kc_version:zip" \
      -DoutputDirectory="$root/benchmarks/target/keycloak" >&2
  fi
  rm -rf "$kc_home/data"
  mkdir -p "$kc_home/data/import"
  # The docker-v2 client is named like the service the registry announces; its allow-all mapper grants
  # what is asked (our realm grants it through a RepositoryAccess), so both sign the same access.
  cat >"$kc_home/data/import/bench-realm.json" <<EOF
{
  "realm": "bench",
  "enabled": true,
  "users": [{"username": "$user", "enabled": true, "email": "bench@example.com", "emailVerified": true,
             "firstName": "Bench", "lastName": "User",
             "credentials": [{"type": "password", "value": "$password", "temporary": false}]}],
  "clients": [{"clientId": "$service", "protocol": "docker-v2", "enabled": true, "publicClient": true,
               "protocolMappers": [{"name": "allow all", "protocol": "docker-v2",
                                    "protocolMapper": "docker-v2-allow-all-mapper", "config": {}}]}]
}
EOF
  kc_port="$(free_port)"
  echo "== starting Keycloak $kc_version ($("$keycloak_java" -version 2>&1 | head -n1)) on 127.0.0.1:$kc_port"
  (
    cd "$kc_home"
    unset $(env | sed -n 's/^\(KC_[A-Za-z0-9_]*\|KEYCLOAK_[A-Za-z0-9_]*\)=.*/\1/p') 2>/dev/null || true
    export JAVA="$(command -v "$keycloak_java")"
    exec bin/kc.sh start-dev --db=dev-mem --features=docker --http-host=127.0.0.1 --http-port="$kc_port" \
      --import-realm >"$work/keycloak.log" 2>&1
  ) &
  kc_pid=$!
  pids+=("$kc_pid")
  kc_url="http://127.0.0.1:$kc_port/realms/bench/protocol/docker-v2/auth"
  started=$SECONDS
  until curl -sf -o /dev/null "http://127.0.0.1:$kc_port/realms/bench/.well-known/openid-configuration"; do
    kill -0 "$kc_pid" 2>/dev/null || { tail -n 40 "$work/keycloak.log" >&2; echo "Keycloak exited" >&2; exit 1; }
    (( SECONDS - started < 900 )) || { tail -n 40 "$work/keycloak.log" >&2; echo "Keycloak did not start" >&2; exit 1; }
    sleep 1
  done
  echo "   Keycloak ready after $((SECONDS - started)) s"
  check_token keycloak "$kc_url"
fi

# --- The realm through the dev mode
mkdir -p "$work/manifests"
htpasswd_line="$("$java" -cp "$bench_jar" io.registryauth.bench.HtpasswdLine "$user" "$password" 10)"
cat >"$work/manifests/01-bench.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: registry
---
apiVersion: v1
kind: Secret
metadata:
  name: registry-users
  namespace: registry
stringData:
  htpasswd: |
    $htpasswd_line
---
apiVersion: registryauth.io/v1alpha1
kind: RegistryAuth
metadata:
  name: main
  namespace: registry
spec:
  service: "$service"
  signing: {algorithm: ES256}
  authentication:
    htpasswd: {secretRef: {name: registry-users, key: htpasswd}}
---
apiVersion: registryauth.io/v1alpha1
kind: RepositoryAccess
metadata:
  name: bench-push
  namespace: registry
spec:
  registry: {name: main}
  subjects: [{kind: User, name: $user}]
  repositories: ["team-a/**"]
  actions: [pull, push]
EOF
jfr_opts=()
[[ -n "${JFR:-}" ]] && jfr_opts=("-XX:StartFlightRecording=filename=$JFR,settings=profile,dumponexit=true")
# shellcheck disable=SC2086
"$java" ${REALM_JAVA_OPTS:-} "${jfr_opts[@]}" -jar "$operator_jar" dev --manifests "$work/manifests" \
  --state-dir "$work/state" --port 0 >"$work/dev.out" 2>"$work/dev.log" &
dev_pid=$!
pids+=("$dev_pid")
realm_url=""
for _ in $(seq 1 1200); do
  realm_url="$(sed -n 's/^registry-auth dev: realm at //p' "$work/dev.out")"
  [[ -n "$realm_url" ]] && break
  kill -0 "$dev_pid" 2>/dev/null || { tail -n 40 "$work/dev.log" >&2; echo "dev mode exited" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$realm_url" ]] || { echo "dev mode did not report its realm URL" >&2; exit 1; }
for _ in $(seq 1 600); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -u "$user:$password" "$realm_url?service=$service&scope=$scope")" == 200 ]] && break
  sleep 0.1
done
check_token realm "$realm_url"
echo "== dev mode serving $realm_url (audit lines to a file)"

floor_pid=""
if [[ "$with_floor" == 1 ]]; then
  "$java" -cp "$bench_jar" io.registryauth.bench.HttpFloor "$cores" >"$work/floor.out" 2>"$work/floor.log" &
  floor_pid=$!
  pids+=("$floor_pid")
  floor_url=""
  for _ in $(seq 1 300); do
    floor_url="$(sed -n 's/^floor at \([^ ]*\).*/\1/p' "$work/floor.out")"
    [[ -n "$floor_url" ]] && break
    kill -0 "$floor_pid" 2>/dev/null || { cat "$work/floor.log" >&2; echo "HttpFloor exited" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$floor_url" ]] || { echo "HttpFloor did not report its URL" >&2; exit 1; }
  echo "== floor serving $floor_url"
fi

# --- The measurements
for round in $(seq 1 "$rounds"); do
  bare "bare.$round"
  measure "realm" "$realm_url" "$dev_pid"
  result[realm.$round]="${result[realm.rps]}"; result[realm.$round.cpu]="wrk ${result[realm.wrk]}, realm ${result[realm.target]}, rest ${result[realm.rest]}"
  result[realm.$round.p]="${result[realm.p]}"; result[realm.$round.us]="${result[realm.us]}"; result[realm.$round.wrkus]="${result[realm.wrkus]}"; result[realm.$round.window]="${result[realm.from]} ${result[realm.to]}"
  if [[ -n "$floor_pid" ]]; then
    measure "floor" "$floor_url" "$floor_pid"
    result[floor.$round]="${result[floor.rps]}"; result[floor.$round.us]="${result[floor.us]}"; result[floor.$round.wrkus]="${result[floor.wrkus]}"
  fi
  if [[ -n "$kc_pid" ]]; then
    measure "keycloak" "$kc_url" "$kc_pid"
    result[keycloak.$round]="${result[keycloak.rps]}"; result[keycloak.$round.cpu]="wrk ${result[keycloak.wrk]}, keycloak ${result[keycloak.target]}, rest ${result[keycloak.rest]}"
    result[keycloak.$round.p]="${result[keycloak.p]}"
  fi
done
bare "bare.$((rounds + 1))"

audited="$(grep -c '"event":"token"' "$work/dev.log" || true)"
echo
echo "== summary ($("$java" -version 2>&1 | head -n1); load average now $(load)); audit lines written: $audited"
printf '%-6s %10s %10s %7s %12s %9s  %s\n' round realm/s bare/s ratio keycloak/s realm/kc "CPU during the realm phase (of $cores cores)"
for round in $(seq 1 "$rounds"); do
  b="$(awk -v x="${result[bare.$round]}" -v y="${result[bare.$((round + 1))]}" 'BEGIN{printf "%.0f", (x + y) / 2}')"
  r="${result[realm.$round]}"
  k="${result[keycloak.$round]:-}"
  printf '%-6s %10.0f %10s %7s %12s %9s  %s\n' "$round" "$r" "$b" \
    "$(awk -v r="$r" -v b="$b" 'BEGIN{printf "%.2f", r / b}')" "${k:--}" \
    "$( [[ -n "$k" ]] && awk -v r="$r" -v k="$k" 'BEGIN{printf "%.0fx", r / k}' || echo -)" "${result[realm.$round.cpu]}"
  bus="$(awk -v x="${result[bare.$round.us]}" -v y="${result[bare.$((round + 1)).us]}" 'BEGIN{printf "%.0f", (x + y) / 2}')"
  echo "       CPU per token: realm ${result[realm.$round.us]} us + wrk ${result[realm.$round.wrkus]} us; per bare signature $bus us;" \
    "bare/(realm+wrk) = $(awk -v b="$bus" -v r="${result[realm.$round.us]}" -v w="${result[realm.$round.wrkus]}" 'BEGIN{printf "%.2f", b / (r + w)}')" \
    "(the ratio the cores allow with wrk beside the realm)"
  if [[ -n "$floor_pid" ]]; then
    echo "       floor: ${result[floor.$round]} req/s = $(awk -v f="${result[floor.$round]}" -v b="$b" 'BEGIN{printf "%.2f", f / b}') of bare;" \
      "CPU per token: floor ${result[floor.$round.us]} us + wrk ${result[floor.$round.wrkus]} us; realm/floor =" \
      "$(awk -v r="$r" -v f="${result[floor.$round]}" 'BEGIN{printf "%.2f", r / f}')"
  fi
  echo "       realm p50 / p90 / p99: ${result[realm.$round.p]}${k:+; keycloak: ${result[keycloak.$round.p]} (CPU ${result[keycloak.$round.cpu]})}"
done
if [[ -n "${JFR:-}" ]]; then
  stop_tree "$dev_pid" # the recording is written when the JVM exits
  for round in $(seq 1 "$rounds"); do
    echo
    echo "== JFR profile of the realm during round $round's measured wrk phase ($JFR)"
    # shellcheck disable=SC2086
    "$java" -cp "$bench_jar" io.registryauth.bench.JfrSplit "$JFR" ${result[realm.$round.window]}
  done
fi
echo "bare signatures/s, in order: $(for i in $(seq 1 $((rounds + 1))); do printf '%s ' "${result[bare.$i]}"; done)"
