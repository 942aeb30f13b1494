#!/usr/bin/env bash
# agents.sh: run one sessctl bench test from several agents and merge their
# results, as one run of the whole test would report it.
#
#   examples/agents.sh [-a AGENTS] [--shared] [-o table|json] [-w DIR] [URL] [-- BENCH_ARGS...]
#
#   -a AGENTS   how many agents (default 3; $AGENTS)
#   --shared    one session for the whole test: made first with
#               bench --create-session-only --jar DIR/shared.txt, then every
#               agent continues it with --shared --jar DIR/shared.txt
#   -o FORMAT   the merged report's format: table, json or html (default table)
#   -w DIR      where the agents' files go, replacing its agent* files
#               (default: a new temporary folder, kept, named on stderr)
#   URL         the target; without it a serve-demo is started on a free
#               loopback port for the test ($SERVE_DEMO_ARGS are its flags,
#               e.g. "--racy --delay 2ms") and stopped at the end
#   BENCH_ARGS  the test, as one run would take it (default: -n 9000 -c 24);
#               each agent runs its share of -c, --sessions, -n and --rate
#
# $SESSCTL is the sessctl binary (default: sessctl on $PATH); $START_IN is how
# many seconds ahead the agents' common --start-at is (default 3: time for
# every agent to start and check its settings).
#
# The agents here are N background processes on this machine. On N machines
# the loop below is the same with each command run through ssh (or any
# launcher: a Kubernetes Indexed Job, see k8s-bench-job.yaml): there is no
# coordinator, each agent knows only its segment (--segment I/N) and the start
# time (--start-at), and the result files are brought back to one place for
# bench merge. The machines' clocks should agree to well under a second (NTP).
#
# Exit status, as bench's: that of bench merge (0 CONSISTENT with every
# threshold held, 1 INCONSISTENT or a threshold failed, 2 trouble); 2 as well
# when an agent had trouble (its exit status 2 or more: its stderr is shown),
# or for bad arguments; 130 when interrupted (Ctrl-C, or 143 for a SIGTERM),
# after the agents and the serve-demo it started are stopped. An agent's exit
# status 1 is a verdict, not trouble: the merged report decides the test's.
set -euo pipefail

SESSCTL=${SESSCTL:-sessctl}
agents=${AGENTS:-3}
start_in=${START_IN:-3}
shared=false
format=table
dir=
url=
bench_args=()

# usage prints the synopsis above: on stdout with exit 0 for --help, on
# stderr with exit 2 for a bad argument.
usage() {
	local rc=${1:-2}
	if [ "$rc" -eq 0 ]; then
		sed -n '5,/^# The agents here/{/^# The agents here/!p}' "$0" | sed 's/^# \{0,1\}//'
	else
		sed -n '5,/^# The agents here/{/^# The agents here/!p}' "$0" | sed 's/^# \{0,1\}//' >&2
	fi
	exit "$rc"
}

while [ $# -gt 0 ]; do
	case $1 in
	-a) [ $# -ge 2 ] || usage; agents=$2; shift 2 ;;
	--shared) shared=true; shift ;;
	-o) [ $# -ge 2 ] || usage; format=$2; shift 2 ;;
	-w) [ $# -ge 2 ] || usage; dir=$2; shift 2 ;;
	-h | --help) usage 0 ;;
	--) shift; bench_args=("$@"); break ;;
	-*) echo "agents.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) [ -z "$url" ] || usage; url=$1; shift ;;
	esac
done
case $agents in
'' | *[!0-9]* | 0*) echo "agents.sh: -a wants a number of agents from 1, not '$agents'" >&2; exit 2 ;;
esac
if [ ${#bench_args[@]} -eq 0 ]; then
	bench_args=(-n 9000 -c 24)
fi
if [ -z "$dir" ]; then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/sessctl-agents.XXXXXX")
fi
mkdir -p "$dir"
rm -f "$dir"/agent*.json "$dir"/agent*.out "$dir"/agent*.err

# What is still running at exit (an error, Ctrl-C, a SIGTERM) is stopped and
# waited for: the agents not yet waited for, then the serve-demo. sessctl
# takes SIGTERM as an interrupt.
demo_pid=
pids=()
cleanup() {
	local p
	for p in ${pids[@]+"${pids[@]}"} $demo_pid; do
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "$url" ]; then
	# serve-demo prints its URL alone on stdout once it listens (on the port
	# the kernel picked): read that first line through a FIFO, kept open.
	fifo=$dir/serve-demo.url
	rm -f "$fifo"
	mkfifo "$fifo"
	# shellcheck disable=SC2086 # SERVE_DEMO_ARGS is a list of flags
	"$SESSCTL" serve-demo --addr 127.0.0.1:0 ${SERVE_DEMO_ARGS:-} >"$fifo" 2>"$dir/serve-demo.err" &
	demo_pid=$!
	exec 3<"$fifo"
	if ! read -r url <&3 || [ -z "$url" ]; then
		echo "agents.sh: serve-demo did not start:" >&2
		cat "$dir/serve-demo.err" >&2
		exit 2
	fi
	echo "agents.sh: target $url (serve-demo, pid $demo_pid)" >&2
fi

mode_args=()
if $shared; then
	# One request makes the session; its cookies go to the jar every agent
	# reads (copy the jar to each machine, or put it on a shared volume).
	"$SESSCTL" bench "$url" --shared --create-session-only --jar "$dir/shared.txt" >&2
	mode_args=(--shared --jar "$dir/shared.txt")
fi

# A common start a few seconds ahead, whole seconds in UTC (GNU date, then
# BSD date).
t=$(($(date -u +%s) + start_in))
at=$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$t" +%Y-%m-%dT%H:%M:%SZ)
echo "agents.sh: $agents agents, ${bench_args[*]}, starting at $at; files in $dir" >&2

for ((i = 0; i < agents; i++)); do
	# On machine i this line would be: ssh agent$i sessctl bench ...
	"$SESSCTL" bench "$url" "${bench_args[@]}" ${mode_args[@]+"${mode_args[@]}"} \
		--segment "$i/$agents" --start-at "$at" --result "$dir/agent$i.json" \
		>"$dir/agent$i.out" 2>"$dir/agent$i.err" &
	pids+=($!)
done

trouble=false
for ((i = 0; i < agents; i++)); do
	rc=0
	wait "${pids[$i]}" || rc=$?
	pids[i]= # waited for: not to be stopped at exit
	case $rc in
	0) ;;
	1) echo "agents.sh: agent $i/$agents: exit 1 (its verdict or a threshold; the merge decides the test's)" >&2 ;;
	*)
		echo "agents.sh: agent $i/$agents: exit $rc, trouble:" >&2
		cat "$dir/agent$i.err" >&2
		trouble=true
		;;
	esac
done
if $trouble; then
	exit 2
fi

files=()
for ((i = 0; i < agents; i++)); do
	files+=("$dir/agent$i.json")
done
rc=0
"$SESSCTL" bench merge -o "$format" "${files[@]}" || rc=$?
exit "$rc"
