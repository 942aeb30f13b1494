#!/usr/bin/env bash
# pairs.sh: sessctl bench against wrk, hey, vegeta and bombardier in
# alternating pairs (tool, sessctl, tool, sessctl, ...) on loopback, the same
# server, connections and duration for both runs of a pair, and per server
# and tool the median of the per-pair throughput ratios (sessctl/tool), their
# min-max, each side's median requests/s and client CPU per request
# (user + system, from /usr/bin/time). Before each pair it waits (up to
# QUIET_WAIT s) until the machine is under 10% busy for a second, and it
# records how busy it was.
#
#   bash benchmarks/pairs.sh                        # 8 pairs of 5 s per row
#   PAIRS=12 DURATION=5 bash benchmarks/pairs.sh
#   ROWS="bare demo-shared" TOOLS="wrk" bash benchmarks/pairs.sh
#   ENGINE=goroutine THREADS=1 bash benchmarks/pairs.sh   # the goroutine engine
#
# Rows (ROWS, default all):
#   bare            benchmarks/bare, a net/http handler sending serve-demo's
#                   102 bytes; sessctl bench --counter '' (nothing to check)
#   demo-session    serve-demo; sessctl bench per-session mode, the counter and
#                   id checked, one session per connection; the tools send one
#                   session's cookie (none of them keeps cookies per connection)
#   demo-shared     serve-demo; every client sends one session (sessctl
#                   --shared, counter checked): the same server work
# TOOLS (default "wrk hey vegeta bombardier") run on the bare row and
# DEMO_TOOLS (default "wrk") on the serve-demo rows. wrk -t2 as wrk's README;
# sessctl with its defaults (the epoll engine on Linux) unless ENGINE/THREADS
# are set. Raw results: one tab-separated line per run in $OUT (default a
# file in the work folder, printed at the end).
#
# Needs Go, curl, /usr/bin/python3, /usr/bin/time; installs wrk (Debian) when
# missing, and hey, vegeta and bombardier with go install into a temporary
# GOBIN. Servers bind 127.0.0.1:$PORT (default 18090). Client and server share
# the cores, so run it on a quiet machine; the client CPU per request holds
# better than requests/s on a busy one.
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-8}
DURATION=${DURATION:-5}
CONNS=${CONNS:-50}
PORT=${PORT:-18090}
QUIET_WAIT=${QUIET_WAIT:-20}
ROWS=${ROWS:-"bare demo-session demo-shared"}
TOOLS=${TOOLS:-"wrk hey vegeta bombardier"}
DEMO_TOOLS=${DEMO_TOOLS:-"wrk"}
HEY_VERSION=v0.1.5 # not in the module index's list: the version compare.sh pins
VEGETA_VERSION=v12.13.0
BOMBARDIER_VERSION=v1.2.6
URL=http://127.0.0.1:$PORT/

# shellcheck source=benchmarks/lib.sh
. benchmarks/lib.sh
need_wrk
start_workdir
build_binaries
OUT=${OUT:-${TMPDIR:-/tmp}/sessctl-pairs-$(date +%Y%m%d-%H%M%S).tsv}
: >"$OUT"

gobin=$tmp/gobin
echo "== installing hey, vegeta and bombardier into $gobin" >&2
GOBIN=$gobin go install "github.com/rakyll/hey@$HEY_VERSION"
GOBIN=$gobin go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
GOBIN=$gobin go install "github.com/codesenberg/bombardier@$BOMBARDIER_VERSION"

server_pid=
start_server() { # bare | demo
  case $1 in
    bare) "$tmp/bare" -addr "127.0.0.1:$PORT" 2>/dev/null & server_pid=$! ;;
    demo) "$tmp/sessctl" serve-demo --addr "127.0.0.1:$PORT" --secret pairs >/dev/null 2>&1 & server_pid=$! ;;
  esac
  pids+=("$server_pid")
  for _ in $(seq 100); do curl -s -o /dev/null "$URL" && return 0; sleep 0.05; done
  echo "pairs.sh: $URL did not come up" >&2; exit 2
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
new_cookie() { curl -s -D - -o /dev/null "$URL" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | tr -d '\r'; }

cpu() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8, $5+$6}' /proc/stat; } # total, idle+iowait
busy1s() {
  local t0 i0 t1 i1
  read -r t0 i0 < <(cpu); sleep 1; read -r t1 i1 < <(cpu)
  awk -v t=$((t1 - t0)) -v i=$((i1 - i0)) 'BEGIN{printf "%.3f", (t > 0 ? 1 - i / t : 1)}'
}
wait_quiet() { # prints how busy the machine was in the last second
  local b
  for _ in $(seq "$QUIET_WAIT"); do
    b=$(busy1s)
    awk -v b="$b" 'BEGIN{exit !(b < 0.10)}' && break
  done
  echo "$b"
}

# tool_cmd TOOL COOKIE: the tool's command line, into the array cmd.
tool_cmd() {
  local h=() vh=()
  [ -n "$2" ] && h=(-H "Cookie: $2") && vh=(-header "Cookie: $2")
  case $1 in
    wrk) cmd=(wrk -t2 -c"$CONNS" -d"${DURATION}s" "${h[@]}" "$URL") ;;
    hey) cmd=("$gobin/hey" -c "$CONNS" -z "${DURATION}s" "${h[@]}" "$URL") ;;
    vegeta) cmd=(bash -c 'echo "GET $0" | "$1" attack -rate=0 -max-workers="$2" -workers="$2" -duration="$3s" "${@:5}" >"$4"' \
      "$URL" "$gobin/vegeta" "$CONNS" "$DURATION" "$tmp/vegeta.bin" "${vh[@]}") ;;
    bombardier) cmd=("$gobin/bombardier" -c "$CONNS" -d "${DURATION}s" -p r -o json "${h[@]}" "$URL") ;;
  esac
}
# requests_rps TOOL: requests and requests/s of the run in $tmp/out.
requests_rps() {
  case $1 in
    wrk) awk '/requests in/{r=$1} /^Requests\/sec/{s=$2} END{print r+0, s+0}' "$tmp/out" ;;
    hey) awk '/responses$/{r+=$2} /Requests\/sec/{s=$2} END{print r+0, s+0}' "$tmp/out" ;;
    vegeta) "$gobin/vegeta" report -type=json "$tmp/vegeta.bin" |
      /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["requests"], d["throughput"])' ;;
    bombardier) /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["result"]
n=sum(r.get(k,0) for k in ("req1xx","req2xx","req3xx","req4xx","req5xx","others")); print(n, n/r["timeTakenSeconds"])' "$tmp/out" ;;
    sessctl) /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["requests"], d["throughput_rps"])' "$tmp/out" ;;
  esac
}
run() { # row pair busy tool command...
  local row=$1 pair=$2 busy=$3 tool=$4; shift 4
  /usr/bin/time -f '%U %S' -o "$tmp/time" timeout $((DURATION + 20)) "$@" >"$tmp/out" 2>"$tmp/err" || true
  local rr; rr=$(requests_rps "$tool" 2>/dev/null || echo "0 0")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$pair" "$tool" "$rr" "$(awk '{print $1 + $2}' "$tmp/time")" "$busy" |
    tr ' ' '\t' | tee -a "$OUT" >&2
}

sessctl_opts=(-c "$CONNS" -d "${DURATION}s" -o json)
[ -n "${ENGINE:-}" ] && sessctl_opts+=(--engine "$ENGINE")
[ -n "${THREADS:-}" ] && sessctl_opts+=(--threads "$THREADS")

echo "== $PAIRS pairs of ${DURATION}s, $CONNS connections, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for row in $ROWS; do
  case $row in
    bare) start_server bare; tools=$TOOLS; cookie=; mine=(--counter '') ;;
    demo-session) start_server demo; tools=$DEMO_TOOLS; cookie=$(new_cookie); mine=() ;;
    demo-shared) start_server demo; tools=$DEMO_TOOLS; cookie=$(new_cookie); mine=(--shared) ;;
    *) echo "pairs.sh: unknown row $row" >&2; exit 2 ;;
  esac
  for tool in $tools; do
    echo "-- $row: $tool and sessctl" >&2
    for pair in $(seq "$PAIRS"); do
      busy=$(wait_quiet)
      tool_cmd "$tool" "$cookie"
      run "$row" "$pair" "$busy" "$tool" "${cmd[@]}"
      run "$row" "$pair" "$busy" sessctl "$tmp/sessctl" bench "$URL" "${sessctl_opts[@]}" "${mine[@]}"
    done
  done
  stop_server
done

echo "== load after the runs: $(cut -d' ' -f1-3 /proc/loadavg); raw results: $OUT" >&2
/usr/bin/python3 - "$OUT" <<'PY'
import sys, statistics as st
from collections import OrderedDict, defaultdict
runs = OrderedDict()
for line in open(sys.argv[1]):
    row, pair, tool, req, rps, cpu, busy = line.rstrip("\n").split("\t")
    runs.setdefault(row, OrderedDict())
    d = runs[row].setdefault(tool if tool != "sessctl" else None, defaultdict(dict))
    # the sessctl run of a pair follows its tool's run
    if tool != "sessctl":
        runs[row]["_last"] = tool
        d[pair]["tool"] = (float(req), float(rps), float(cpu), float(busy))
    else:
        runs[row][runs[row]["_last"]][pair]["sessctl"] = (float(req), float(rps), float(cpu), float(busy))
print(f"{'row':13} {'tool':10} {'n':>2} {'ratio':>6} {'min-max':>11} {'tool rps':>9} {'sessctl':>9} {'tool µs/req':>11} {'sessctl µs/req':>14} {'busy before':>11}")
for row, tools in runs.items():
    for tool, pairs in tools.items():
        if tool in (None, "_last"):
            continue
        ps = [p for p in pairs.values() if "tool" in p and "sessctl" in p and p["tool"][1] > 0 and p["sessctl"][1] > 0]
        if not ps:
            print(f"{row:13} {tool:10} no complete pair"); continue
        r = [p["sessctl"][1] / p["tool"][1] for p in ps]
        med = lambda k, i: st.median(p[k][i] for p in ps)
        us = lambda k: st.median(p[k][2] / p[k][0] * 1e6 for p in ps)
        print(f"{row:13} {tool:10} {len(ps):2} {st.median(r):6.2f} {min(r):5.2f}-{max(r):5.2f} {med('tool',1):9.0f} {med('sessctl',1):9.0f} "
              f"{us('tool'):11.2f} {us('sessctl'):14.2f} {min(p['tool'][3] for p in ps):5.2f}-{max(p['tool'][3] for p in ps):4.2f}")
PY
