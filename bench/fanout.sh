#!/usr/bin/env bash
# Native device fan-out over WebSocket: DEVICES native sessions, each with one connected device
# (/v1/native/sessions/{s}/socket), in groups of GROUP_SIZE; text messages sent over HTTP, round-robin over the
# groups, paced to RATE fan-out deliveries/s (each message reaches GROUP_SIZE - 1 devices) for DURATION seconds.
# Reports delivery latency from send to device receipt (p50/p90/p99/max), deliveries/s, missing or duplicate
# deliveries, the gateway's RSS (idle, with the devices connected, at the end) and both processes' CPU.
# bench/fanout.py is the client (one asyncio process: the devices, plus sender threads).
# Usage: bench/fanout.sh   (DEVICES=1000 GROUP_SIZE=50 DURATION=20 RATE=1000 by default;
#                           BINARY=path skips the release build; ACK=1 makes every device ack what it receives)
source "$(dirname "$0")/lib.sh"
binary=${BINARY:-$(build_release)}
machine
echo "load: $(uptime | sed 's/.*load average/load average/')"
export DEVICES=${DEVICES:-1000} GROUP_SIZE=${GROUP_SIZE:-50} DURATION=${DURATION:-20} RATE=${RATE:-1000}
# Each device is a socket in the gateway and one in the client.
need_files=$((DEVICES * 2 + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need_files" ]; then
  ulimit -n "$need_files" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi

port=$(free_port); key="bench-admin-key-$(date +%s)"
SWITCHBOARD_ADMIN_KEY=$key "$binary" serve --port "$port" --data "$work/data" >/dev/null 2>"$work/gateway.log" &
pids+=($!); gateway=$!
wait_http "http://127.0.0.1:$port/healthz"
echo "devices=$DEVICES group_size=$GROUP_SIZE duration=${DURATION}s rate=${RATE} deliveries/s"
if ! python3 "$root/bench/fanout.py" "http://127.0.0.1:$port" "$key" "$gateway"; then
  echo "bench: fan-out run failed; gateway log tail ($work/gateway.log):" >&2
  tail -n 40 "$work/gateway.log" >&2
  exit 1
fi
echo "gateway_log: warn=$(grep -c '"level":"warn' "$work/gateway.log" || true) error=$(grep -c '"level":"error' "$work/gateway.log" || true)"
grep -E '"level":"(warn|error)' "$work/gateway.log" | tail -n 5 || true
