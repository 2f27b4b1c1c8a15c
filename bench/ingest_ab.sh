#!/usr/bin/env bash
# Webhook ingest cost, two builds side by side: this checkout's release build and another switchboard binary (an
# earlier commit's, say), in alternating rounds on fresh databases. Each round posts signed WAHA `message` webhooks
# into /v1/inbound/waha/team from 64 connections, each waiting 0-20 ms (random) between requests, once without a
# subscriber and once with one on loopback (`switchboard webhooks listen`, verifying signatures). Per run it prints
# the rate, the latencies, the gateway's CPU time and context switches per webhook (its own threads; both hold
# still when the hypervisor's steal moves the latencies), and the steal; then the median of each over the rounds.
# Usage: bench/ingest_ab.sh OTHER_BINARY   (ROUNDS=3, an odd number for a true median; DURATION=8 seconds per run)
source "$(dirname "$0")/lib.sh"
need wrk wrk
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: bench/ingest_ab.sh OTHER_BINARY" >&2; exit 2; }
other=$1
this=$(build_release)
machine
rounds=${ROUNDS:-3}
duration=${DURATION:-8}


# Context switches of every thread of a process so far (threads that ended are not counted).
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}'; }

measure() {  # measure LABEL BINARY SUBSCRIBER(0|1): one run on a fresh gateway
  local label=$1 binary=$2 subscribed=$3 data="$work/data-$RANDOM" port key=bench-admin-key-0123456789
  port=$(free_port)
  cat >"$work/config.json" <<JSON
{"providers": {"waha": {"kind": "waha", "baseUrl": "http://127.0.0.1:9", "credentials": {"apiKey": "unused"}, "webhookSecret": "bench-secret"}},
 "sessions": {"team": {"provider": "waha", "account": {"session": "default"}}}, "webhooks": {"allowPrivateTargets": true}, "log": {"access": false}}
JSON
  SWITCHBOARD_ADMIN_KEY=$key "$binary" serve --config "$work/config.json" --port "$port" --data "$data" >/dev/null 2>"$work/gateway.log" &
  local gateway=$! listener=""
  pids+=("$gateway")
  wait_http "http://127.0.0.1:$port/healthz"
  if [ "$subscribed" = 1 ]; then
    local listen_port secret; listen_port=$(free_port)
    secret=$(curl -sf -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d "{\"url\": \"http://127.0.0.1:$listen_port/hooks\", \"events\": [\"message.received\"]}" "http://127.0.0.1:$port/v1/webhooks" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
    "$binary" webhooks listen --port "$listen_port" --secret "$secret" --quiet >/dev/null 2>&1 &
    listener=$!
    pids+=("$listener")
  fi
  # Fresh requests per run: their signed timestamps must be under five minutes old.
  python3 "$root/bench/webhook_requests.py" bench-secret "$(( duration * 9000 ))" "$work/requests.txt" A
  local cpu switched line
  cpu=$(cpu_ms "$gateway"); switched=$(switches "$gateway")
  line=$(REQUESTS="$work/requests.txt" DELAY_MS=10 DELAY_SPREAD=1 DURATION=$duration wrk_run "$label" "http://127.0.0.1:$port/v1/inbound/waha/team" -s "$root/bench/webhook_post.lua")
  cpu=$(( $(cpu_ms "$gateway") - cpu )); switched=$(( $(switches "$gateway") - switched ))
  if [ -n "$listener" ]; then kill "$listener" 2>/dev/null || echo "bench: the subscriber of $label had stopped" >&2; fi
  kill "$gateway" 2>/dev/null || echo "bench: the gateway of $label had stopped" >&2
  wait "$gateway" 2>/dev/null || true
  rm -rf "$data"
  awk -v line="$line" -v c="$cpu" -v s="$switched" -v r="$(wrk_value "$line" rps)" -v d="$duration" \
    'BEGIN {printf "%s cpu_per_webhook_us=%d switches_per_webhook=%.2f\n", line, c * 1000 / (r * d), s / (r * d)}'
}

for round in $(seq 1 "$rounds"); do
  # Alternate which build goes first, so a slow spell of the host does not always fall on the same one.
  if [ $(( round % 2 )) = 1 ]; then order="other this"; else order="this other"; fi
  for build in $order; do
    binary=$this; [ "$build" = other ] && binary=$other
    measure "${build}_alone" "$binary" 0 | tee -a "$work/results.txt"
    measure "${build}_subscribed" "$binary" 1 | tee -a "$work/results.txt"
  done
done
echo "medians over $rounds rounds:"
for label in other_alone this_alone other_subscribed this_subscribed; do
  lines=$(grep "^$label " "$work/results.txt")
  echo "$label rps=$(echo "$lines" | wrk_median rps) p50=$(echo "$lines" | wrk_median p50)ms p99=$(echo "$lines" | wrk_median p99)ms" \
    "cpu_per_webhook_us=$(echo "$lines" | wrk_median cpu_per_webhook_us) switches_per_webhook=$(echo "$lines" | wrk_median switches_per_webhook)"
done
