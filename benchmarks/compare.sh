#!/usr/bin/env bash
# compare.sh: sessctl bench against wrk and hey, in one run, on loopback,
# against the same servers with the same connections and duration, and the
# ratios sessctl/wrk and sessctl/hey.
#
#   bash benchmarks/compare.sh                 # 50 connections, 10 s per run, one round
#   ROUNDS=3 bash benchmarks/compare.sh        # three rounds and the median ratios
#   CONNS=100 DURATION=5 bash benchmarks/compare.sh
#
# Servers: benchmarks/bare (a bare net/http handler sending serve-demo's 102
# bytes) and `sessctl serve-demo` (fresh for each row). Rows:
#   bare        wrk, hey, sessctl bench (per-session mode, counter checked:
#               the bare body never changes, so its verdict is INCONSISTENT,
#               which is beside the point here)
#   demo-new    wrk and hey send no cookie: serve-demo creates a session per
#               request; sessctl bench per-session mode: one session per
#               connection, each request continues it (other server work:
#               a lookup instead of a creation; shown for reference)
#   demo-shared every tool sends one session's cookie (sessctl --shared):
#               the same server work for all three
# Client and server share the machine's cores, so each tool's CPU per
# request comes straight out of the server's throughput: run it on a quiet
# machine. The last columns, each client's CPU time (user + system) per
# request, hold even on a busy one. It needs wrk (Debian package) and hey (installed with go install
# when missing), curl, and Go.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS=${CONNS:-50}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-1}
BARE_ADDR=${BARE_ADDR:-127.0.0.1:18081}
DEMO_ADDR=${DEMO_ADDR:-127.0.0.1:18082}
HEY_VERSION=v0.1.5

# shellcheck source=benchmarks/lib.sh
. benchmarks/lib.sh
need_wrk
export PATH="$PATH:$(go env GOPATH)/bin"
if ! command -v hey >/dev/null; then
  echo "== installing hey $HEY_VERSION" >&2
  go install "github.com/rakyll/hey@$HEY_VERSION"
fi

start_workdir
build_binaries

wait_up() { # url
  for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done
  echo "compare.sh: $1 did not come up" >&2; exit 2
}
start_bare() {
  "$tmp/bare" -addr "$BARE_ADDR" 2>/dev/null & pids+=($!)
  wait_up "http://$BARE_ADDR/"
}
start_demo() {
  "$tmp/sessctl" serve-demo --addr "$DEMO_ADDR" --secret compare >/dev/null 2>&1 & demo_pid=$!
  pids+=("$demo_pid")
  wait_up "http://$DEMO_ADDR/"
}
stop_demo() { kill "$demo_pid"; wait "$demo_pid" 2>/dev/null || true; }

# Each prints requests/s, then the client's CPU seconds (user + system),
# which do not depend on what else the machine runs.
TIMEFORMAT='%U %S'
cpu_of() { awk '{print $1 + $2}' "$tmp/time"; }
run_wrk() { # url [cookie]
  local h=(); [ -n "${2:-}" ] && h=(-H "Cookie: $2")
  { time wrk -t2 -c"$CONNS" -d"${DURATION}s" "${h[@]}" "$1" >"$tmp/out" ; } 2>"$tmp/time"
  echo "$(awk '/^Requests\/sec/ {print $2}' "$tmp/out") $(cpu_of)"
}
run_hey() { # url [cookie]
  local h=(); [ -n "${2:-}" ] && h=(-H "Cookie: $2")
  { time hey -c "$CONNS" -z "${DURATION}s" "${h[@]}" "$1" >"$tmp/out" ; } 2>"$tmp/time"
  echo "$(awk '/Requests\/sec/ {print $2}' "$tmp/out") $(cpu_of)"
}
run_sessctl() { # url [--shared]
  { time "$tmp/sessctl" bench "$1" -c "$CONNS" -d "${DURATION}s" -o json ${2:-} >"$tmp/out" 2>/dev/null || true ; } 2>"$tmp/time"
  echo "$(sed -n 's/.*"throughput_rps": \([0-9.]*\).*/\1/p' "$tmp/out") $(cpu_of)"
}
new_cookie() { # url: the Set-Cookie of a fresh session, as name=value
  curl -s -D - -o /dev/null "$1" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | tr -d '\r'
}

declare -A R
row() { # key label
  awk -v l="$2" -v w="${R[$1,wrk]:-0 0}" -v h="${R[$1,hey]:-0 0}" -v s="${R[$1,sessctl]:-0 0}" -v d="$DURATION" 'BEGIN {
    split(w, W, " "); split(h, H, " "); split(s, S, " ")
    printf "%-36s %9.0f %9.0f %9.0f %12.2f %12.2f   %.1f %.1f %.1f\n", l, W[1], H[1], S[1],
      (W[1] > 0 ? S[1] / W[1] : 0), (H[1] > 0 ? S[1] / H[1] : 0),
      (W[1] > 0 ? W[2] * 1e6 / (W[1] * d) : 0), (H[1] > 0 ? H[2] * 1e6 / (H[1] * d) : 0), (S[1] > 0 ? S[2] * 1e6 / (S[1] * d) : 0) }'
}
header() {
  printf '%-36s %9s %9s %9s %12s %12s   %s\n' "server ($CONNS conns, ${DURATION}s)" "wrk rps" "hey rps" "sessctl" "sessctl/wrk" "sessctl/hey" "client CPU µs/request: wrk hey sessctl"
}

echo "== $CONNS connections, ${DURATION}s per run, $ROUNDS round(s), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
start_bare
rows=()
for round in $(seq "$ROUNDS"); do
  echo "-- round $round: bare: wrk, hey, sessctl" >&2
  R[bare,wrk]=$(run_wrk "http://$BARE_ADDR/")
  R[bare,hey]=$(run_hey "http://$BARE_ADDR/")
  R[bare,sessctl]=$(run_sessctl "http://$BARE_ADDR/")

  echo "-- round $round: serve-demo, new sessions / per-session: wrk, hey, sessctl" >&2
  start_demo; R[new,wrk]=$(run_wrk "http://$DEMO_ADDR/"); stop_demo
  start_demo; R[new,hey]=$(run_hey "http://$DEMO_ADDR/"); stop_demo
  start_demo; R[new,sessctl]=$(run_sessctl "http://$DEMO_ADDR/"); stop_demo

  echo "-- round $round: serve-demo, one shared session: wrk, hey, sessctl --shared" >&2
  start_demo; R[shared,wrk]=$(run_wrk "http://$DEMO_ADDR/" "$(new_cookie "http://$DEMO_ADDR/")"); stop_demo
  start_demo; R[shared,hey]=$(run_hey "http://$DEMO_ADDR/" "$(new_cookie "http://$DEMO_ADDR/")"); stop_demo
  start_demo; R[shared,sessctl]=$(run_sessctl "http://$DEMO_ADDR/" --shared); stop_demo

  rows+=("$(row bare "bare net/http handler")")
  rows+=("$(row new "serve-demo (wrk/hey: new sessions)")")
  rows+=("$(row shared "serve-demo, one shared session")")
  { echo; header; printf '%s\n' "${rows[@]: -3}"; } >&2
done

echo
header
printf '%s\n' "${rows[@]}"
if [ "$ROUNDS" -gt 1 ]; then
  echo
  echo "median of the $ROUNDS rounds' ratios (sessctl/wrk, sessctl/hey):"
  median() { sort -n | awk '{v[NR] = $1} END {printf "%.2f", v[int((NR + 1) / 2)]}'; }
  for label in "bare net/http handler" "serve-demo (wrk/hey: new sessions)" "serve-demo, one shared session"; do
    mine=$(printf '%s\n' "${rows[@]}" | grep -F "$label")
    printf '%-36s %12s %12s\n' "$label" \
      "$(awk '{print $(NF-4)}' <<<"$mine" | median)" "$(awk '{print $(NF-3)}' <<<"$mine" | median)"
  done
fi
