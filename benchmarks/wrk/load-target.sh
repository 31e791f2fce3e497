# Sourced by run.sh and flood-run.sh (needs $java, $jar, $service, $scope): starts TokenServerLoad with
# the given arguments on a free port, stops it when the calling script exits, checks that one request
# gets a token, and sets $url and $log (the target's output file; $log.* are removed on exit too).
start_load_target() {
  [[ -f "$jar" ]] || { echo "missing $jar: build the benchmarks module first" >&2; exit 1; }
  command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
  log="$(mktemp)"
  "$java" -cp "$jar" io.registryauth.bench.TokenServerLoad 0 "$@" >"$log" 2>"$log.err" &
  server=$!
  trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log" "$log".*' EXIT
  local port=""
  for _ in $(seq 1 300); do
    port="$(head -n1 "$log" 2>/dev/null || true)"
    [[ -n "$port" ]] && break
    kill -0 "$server" 2>/dev/null || { cat "$log.err" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "TokenServerLoad did not report its port" >&2; exit 1; }
  url="http://127.0.0.1:$port"
  local status
  status="$(curl -s -o /dev/null -w '%{http_code}' -u bench:bench-password "$url/token?service=$service&scope=$scope")"
  [[ "$status" == 200 ]] || { echo "token request answered $status" >&2; exit 1; }
  export SERVICE="$service" SCOPE="$scope" BASIC="$(printf 'bench:bench-password' | base64 -w0)"
}
