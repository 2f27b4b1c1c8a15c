# Shared helpers for the benchmark scripts (sourced).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")
pids=()
cleanup() { for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

need() {  # need COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return
  echo "bench: installing $2" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  # A fresh machine may have no package lists yet: update them when the first attempt finds nothing.
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$2" >/dev/null 2>&1 ||
    { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$2" >/dev/null; }
}

# The release build of this checkout, or BINARY when set (another build, to compare two in alternating runs).
build_release() {
  if [ -n "${BINARY:-}" ]; then echo "$BINARY"; return; fi
  (cd "$root" && swift build -c release 2>&1 | grep -E "error|warning" >&2 || true); echo "$root/.build/release/switchboard"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_http() {  # wait_http URL
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: $1 did not come up" >&2; return 1
}

rss_mib() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
}

# CPU time the hypervisor gave to other guests (steal), in clock ticks since boot, all cores.
steal_ticks() { awk '/^cpu / {print $9}' /proc/stat; }

# wrk_run NAME URL [extra wrk args]: prints "NAME rps=… p50=… p99=… errors=… steal=…%", steal being the share of
# this machine's CPU time taken by other guests during the run (a shared VM's noise: latency tails follow it).
wrk_run() {
  local name=$1 url=$2; shift 2
  local before; before=$(steal_ticks)
  local out; out=$(wrk -t2 -c64 -d"${DURATION:-10}"s --latency "$@" "$url")
  local steal=$(( ($(steal_ticks) - before) * 100 / ($(getconf CLK_TCK) * ${DURATION:-10} * $(nproc)) ))
  local rps p50 p99 non2xx sockerr
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}'); non2xx=${non2xx:-0}
  sockerr=$(echo "$out" | awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}'); sockerr=${sockerr:-0}
  echo "$name rps=$rps p50=$p50 p99=$p99 non2xx=$non2xx socket_errors=$sockerr steal=$steal%"
}

# wrk_value LINE FIELD: one field of a wrk_run line as a number (latencies in ms, whatever unit wrk printed).
wrk_value() { echo "$1" | wrk_values "$2"; }
# wrk_values FIELD: that field of every wrk_run line on stdin, one number per line.
wrk_values() { sed "s/.*$1=\([0-9.]*\)\([a-z]*\).*/\1 \2/" | awk '{v=$1; if ($2=="us") v=v/1000; if ($2=="s") v=v*1000; print v}'; }
# wrk_median FIELD: the median of that field over the wrk_run lines on stdin (rounds of the same run).
wrk_median() { wrk_values "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# CPU time (user + system) a process has used, in milliseconds: per-request CPU holds still when steal moves latency.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"; }

# Reading /metrics: take the text once (curl -fsS URL/metrics), then read several series from that one moment.
# metric TEXT SERIES: one series' value (SERIES with its labels, if it has any), 0 when absent.
metric() { echo "$1" | awk -v n="$2" '$1 == n {v = $2} END {print v + 0}'; }
# mean_ms BEFORE AFTER NAME [LABELS]: a histogram's mean, in ms, over what it observed between two readings.
mean_ms() {
  awk -v s0="$(metric "$1" "$3_sum${4:-}")" -v c0="$(metric "$1" "$3_count${4:-}")" -v s1="$(metric "$2" "$3_sum${4:-}")" \
    -v c1="$(metric "$2" "$3_count${4:-}")" 'BEGIN {n = c1 - c0; printf "%.2f", (n > 0) ? (s1 - s0) * 1000 / n : 0}'
}
