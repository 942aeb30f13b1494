#!/usr/bin/env bash
# serve-demo's performance, measured in one run on loopback with wrk:
#   - benchmarks/bare, a bare net/http handler returning the same bytes (baseline);
#   - serve-demo with the memory store, a new session per request (no cookie
#     sent) and one existing session (wrk -H "Cookie: ...");
#   - the Node express-session example, interop/express-app.js, both ways;
# then the ratios (targets: >= 0.8x bare, >= 8x Node) and the memory store's
# bytes per idle session at one million sessions (target <= 200 B).
#
#   benchmarks/serve_demo.sh                  # 10 s per run, 50 connections
#   DURATION=5s CONNECTIONS=50 THREADS=2 benchmarks/serve_demo.sh
#
# Installs wrk (Debian's package) and the npm packages (npm ci in interop/)
# when missing. Servers bind 127.0.0.1 on the ports BASE_PORT..BASE_PORT+2
# (default 18081).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
BASE_PORT=${BASE_PORT:-18081}
SECRET=sessionTesting

# shellcheck source=benchmarks/lib.sh
. benchmarks/lib.sh
need_wrk
if [ ! -d interop/node_modules/express-session ]; then
  echo "== installing the npm packages (npm ci --prefix interop)" >&2
  npm ci --prefix interop --no-audit --no-fund >/dev/null
fi

start_workdir
build_binaries

wait_port() {
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  exit 2
}

bare_port=$BASE_PORT
demo_port=$((BASE_PORT + 1))
node_port=$((BASE_PORT + 2))
"$tmp/bare" -addr "127.0.0.1:$bare_port" 2>/dev/null & pids+=($!)
"$tmp/sessctl" serve-demo --addr "127.0.0.1:$demo_port" --secret "$SECRET" >/dev/null 2>&1 & pids+=($!)
PORT=$node_port SECRET=$SECRET node interop/express-app.js >/dev/null 2>&1 & pids+=($!)
wait_port "$bare_port"; wait_port "$demo_port"; wait_port "$node_port"

# rps URL [wrk args...]: requests per second wrk measured.
rps() {
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@" "$url" | awk '/^Requests\/sec:/ {print $2}'
}

# cookie_of URL: the session cookie (name=value) a first visit sets.
cookie_of() {
  curl -s -o /dev/null -D - "$1" | awk -F'[:;] *' 'tolower($1) == "set-cookie" {print $2; exit}'
}

echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION on loopback ($(nproc) cores)" >&2
bare=$(rps "http://127.0.0.1:$bare_port/")
demo_new=$(rps "http://127.0.0.1:$demo_port/")
demo_one=$(rps "http://127.0.0.1:$demo_port/" -H "Cookie: $(cookie_of "http://127.0.0.1:$demo_port/")")
node_new=$(rps "http://127.0.0.1:$node_port/")
node_one=$(rps "http://127.0.0.1:$node_port/" -H "Cookie: $(cookie_of "http://127.0.0.1:$node_port/")")

echo "== memory per idle session (go test -bench MemoryPerSession)" >&2
per_session=$(go test -run '^$' -bench MemoryPerSession -benchtime 1x ./demo | awk '/B\/session/ {for (i = 1; i < NF; i++) if ($(i+1) == "B/session") print $i}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-44s %10s %s\n' "server" "req/s" "ratio"
printf '%-44s %10.0f\n' "bare net/http (benchmarks/bare)" "$bare"
printf '%-44s %10.0f %sx bare, %sx node (target 0.8x, 8x)\n' "serve-demo memory, new session per request" "$demo_new" "$(ratio "$demo_new" "$bare")" "$(ratio "$demo_new" "$node_new")"
printf '%-44s %10.0f %sx bare, %sx node (target 0.8x, 8x)\n' "serve-demo memory, one session" "$demo_one" "$(ratio "$demo_one" "$bare")" "$(ratio "$demo_one" "$node_one")"
printf '%-44s %10.0f\n' "node express-session, new session" "$node_new"
printf '%-44s %10.0f\n' "node express-session, one session" "$node_one"
printf '%-44s %10s B (target <= 200)\n' "memory store, per idle session at 1M" "$per_session"
