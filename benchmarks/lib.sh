# Sourced by the benchmark scripts (compare.sh, serve_demo.sh): what they
# both need. Run from the repository's top folder.

# need_wrk installs Debian's wrk when it is missing.
need_wrk() {
  command -v wrk >/dev/null && return 0
  echo "== installing wrk" >&2
  local sudo=
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 wrk >/dev/null
}

# start_workdir makes $tmp, a folder removed on exit, and $pids, the
# servers to stop on exit (append a server's pid once started).
start_workdir() {
  tmp=$(mktemp -d)
  pids=()
  trap cleanup EXIT
}

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}

# build_binaries builds $tmp/sessctl and $tmp/bare (benchmarks/bare).
build_binaries() {
  echo "== building sessctl and benchmarks/bare" >&2
  go build -o "$tmp/sessctl" .
  go build -o "$tmp/bare" ./benchmarks/bare
}
