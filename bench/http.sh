#!/usr/bin/env bash
# /healthz of a release build vs nginx serving the same 15-byte JSON body, same machine, same run, wrk with 64
# keep-alive connections; then idle RSS and RSS with 10,000 idle keep-alive connections.
# Usage: bench/http.sh   (DURATION=seconds per wrk run, default 10)
source "$(dirname "$0")/lib.sh"
need wrk wrk; need nginx nginx-light
binary=$(build_release)
machine

port=$(free_port)
"$binary" serve --port "$port" --data "$work/data" >"$work/out.txt" 2>"$work/gateway.log" &
pids+=($!); gateway=$!
wait_http "http://127.0.0.1:$port/healthz"

nport=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 20000; }
http {
  access_log $work/nginx/access.log;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$nport;
    location = /healthz { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf"
trap 'nginx -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true; cleanup' EXIT
wait_http "http://127.0.0.1:$nport/healthz"
[ "$(curl -s "http://127.0.0.1:$nport/healthz")" = "$(curl -s "http://127.0.0.1:$port/healthz")" ] || { echo "bodies differ"; exit 1; }

# Warm-up, then ROUNDS alternating rounds (both with access logging on); medians are reported.
DURATION=2 wrk_run warmup "http://127.0.0.1:$port/healthz" >/dev/null
DURATION=2 wrk_run warmup "http://127.0.0.1:$nport/healthz" >/dev/null
for round in $(seq 1 "${ROUNDS:-3}"); do
  wrk_run "switchboard round=$round" "http://127.0.0.1:$port/healthz" | tee -a "$work/ours.txt"
  wrk_run "nginx round=$round" "http://127.0.0.1:$nport/healthz" | tee -a "$work/theirs.txt"
done
ours_rps=$(wrk_median rps <"$work/ours.txt"); theirs_rps=$(wrk_median rps <"$work/theirs.txt")
ours_p99=$(wrk_median p99 <"$work/ours.txt"); theirs_p99=$(wrk_median p99 <"$work/theirs.txt")
errors=$(cat "$work/ours.txt" | sed 's/.*non2xx=\([0-9]*\) socket_errors=\([0-9]*\)/\1 \2/' | awk '{s+=$1+$2} END {print s}')
echo "median switchboard rps=$ours_rps p99=${ours_p99}ms | nginx rps=$theirs_rps p99=${theirs_p99}ms | switchboard errors=$errors"
echo "ratio switchboard/nginx = $(echo "scale=2; $ours_rps / $theirs_rps" | bc)"

# Memory: a fresh server, idle, then with 10,000 idle keep-alive connections.
kill "$gateway"; wait "$gateway" 2>/dev/null || true
"$binary" serve --port "$port" --data "$work/data2" >/dev/null 2>&1 &
pids+=($!); gateway=$!
wait_http "http://127.0.0.1:$port/healthz"
sleep 1
python3 "$root/bench/idle_connections.py" "$port" "$gateway" 10000
