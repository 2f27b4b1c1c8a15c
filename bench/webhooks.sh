#!/usr/bin/env bash
# Inbound webhook ingest and outbound fan-out. wrk posts signed WAHA `message` webhooks (each a new event) into
# /v1/inbound/waha/team: every one is verified (HMAC-SHA512), normalized, deduplicated and committed durably
# (synchronous=FULL) before its 2xx. A subscriber on loopback (`switchboard webhooks listen`, verifying every
# Standard Webhooks signature) receives the canonical events; the fan-out lag is sampled from /metrics during
# the run and the drain time measured after it, and what the spread run's commits wrote (bench/wal_pages.py).
# Runs: full speed (64 connections); paced, each connection waiting 10 ms between requests (the 64 connections
# fall into step, so requests come in bursts); the same mean pacing with each wait drawn from 0-20 ms (arrivals
# spread out, as from many independent senders); and the fixed pacing again with the fan-out paused.
# Usage: bench/webhooks.sh   (DURATION=seconds per run, default 10)
source "$(dirname "$0")/lib.sh"
need wrk wrk
binary=$(build_release)
machine
duration=${DURATION:-10}

port=$(free_port); key="bench-admin-key-$(date +%s)"
cat >"$work/config.json" <<JSON
{"providers": {"waha": {"kind": "waha", "baseUrl": "http://127.0.0.1:9", "credentials": {"apiKey": "unused"}, "webhookSecret": "bench-secret"}},
 "sessions": {"team": {"provider": "waha", "account": {"session": "default"}}},
 "webhooks": {"allowPrivateTargets": true},
 "log": {"access": false}}
JSON
SWITCHBOARD_ADMIN_KEY=$key "$binary" serve --config "$work/config.json" --port "$port" --data "$work/data" >/dev/null 2>"$work/gateway.log" &
gateway=$!; pids+=($gateway)
wait_http "http://127.0.0.1:$port/healthz"

listen_port=$(free_port)
curl -sf -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"url\": \"http://127.0.0.1:$listen_port/hooks\", \"events\": [\"message.received\"]}" "http://127.0.0.1:$port/v1/webhooks" >"$work/subscription.json"
secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secret"])' "$work/subscription.json")
subscription=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/subscription.json")
set_status() { curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "{\"status\": \"$1\"}" \
  "http://127.0.0.1:$port/v1/webhooks/$subscription"; }
quiet=--quiet; [ -n "${LISTEN_VERBOSE:-}" ] && quiet=""
"$binary" webhooks listen --port "$listen_port" --secret "$secret" $quiet >"$work/listen.out" 2>"$work/listen.log" &
listener=$!; pids+=($listener)
# Ready when it accepts a connection (an HTTP request would count as an unsigned delivery, rejected).
for _ in $(seq 1 50); do
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' "$listen_port" 2>/dev/null && break
  sleep 0.1
done

# Enough distinct requests that no run wraps around (wrapping would post duplicates, which dedupe cheaply).
per_run=$(( duration * 20000 ))
python3 "$root/bench/webhook_requests.py" bench-secret 40000 "$work/warmup.txt" W
python3 "$root/bench/webhook_requests.py" bench-secret "$per_run" "$work/full.txt" F
python3 "$root/bench/webhook_requests.py" bench-secret "$(( duration * 8000 ))" "$work/paced.txt" P
python3 "$root/bench/webhook_requests.py" bench-secret "$(( duration * 8000 ))" "$work/alone.txt" Q
python3 "$root/bench/webhook_requests.py" bench-secret "$(( duration * 8000 ))" "$work/random.txt" R
url="http://127.0.0.1:$port/v1/inbound/waha/team"
first=$(head -1 "$work/warmup.txt")
status=$(curl -s -o "$work/first.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "X-Webhook-Hmac: $(echo "$first" | cut -f2)" \
  -H "X-Webhook-Timestamp: $(echo "$first" | cut -f1)" --data-binary "$(echo "$first" | cut -f3)" "$url")
[ "$status" = 200 ] || { echo "inbound answered $status: $(cat "$work/first.json")"; exit 1; }

sample_lag() {  # prints the highest lag and pending seen while $1 runs
  local max_lag=0 max_pending=0
  while kill -0 "$1" 2>/dev/null; do
    local metrics; metrics=$(curl -s "http://127.0.0.1:$port/metrics")
    local lag pending
    lag=$(metric "$metrics" switchboard_webhook_lag_seconds)
    pending=$(metric "$metrics" switchboard_webhook_pending)
    max_lag=$(echo "$lag $max_lag" | awk '{print ($1 > $2) ? $1 : $2}')
    max_pending=$(echo "$pending $max_pending" | awk '{print ($1 > $2) ? $1 : $2}')
    sleep 1
  done
  echo "max_lag=${max_lag}s max_pending=${max_pending}"
}

run() {  # run NAME FILE [DELAY_MS [spread]]
  local name=$1 file=$2 delay=${3:-} spread=0
  [ "${4:-}" = spread ] && spread=1
  local cpu_before before; cpu_before=$(cpu_ms "$gateway"); before=$(curl -fsS "http://127.0.0.1:$port/metrics")
  ( REQUESTS="$file" DELAY_MS="$delay" DELAY_SPREAD=$spread wrk_run "$name" "$url" -s "$root/bench/webhook_post.lua" >"$work/$name.out" ) &
  local runner=$!
  local lag; lag=$(sample_lag "$runner")
  wait "$runner"
  # The gateway's CPU per webhook over the run (with whatever fan-out it did meanwhile): steady when steal is not.
  local line cpu after; line=$(cat "$work/$name.out"); cpu=$(( $(cpu_ms "$gateway") - cpu_before ))
  after=$(curl -fsS "http://127.0.0.1:$port/metrics")
  echo "$line fanout_$lag gateway_cpu_per_webhook=$(awk -v c="$cpu" -v r="$(wrk_value "$line" rps)" -v d="$duration" 'BEGIN {printf "%d", (r > 0) ? c * 1000 / (r * d) : 0}')us" \
    "$(writer_time "$before" "$after")"
}
# What the single writer spent the run on: durable writes (mean, queued to committed; an ingest waits for one),
# and the checkpoints it finished so that the log could start over (every write waits meanwhile).
writer_time() {
  local checkpoints stalled
  checkpoints=$(( $(metric "$2" switchboard_db_writer_checkpoints_total) - $(metric "$1" switchboard_db_writer_checkpoints_total) ))
  stalled=$(awk -v a="$(metric "$1" switchboard_db_writer_checkpoint_seconds_total)" -v b="$(metric "$2" switchboard_db_writer_checkpoint_seconds_total)" 'BEGIN {printf "%.2f", b - a}')
  echo "durable_write_mean=$(mean_ms "$1" "$2" switchboard_db_write_seconds)ms writer_checkpoints=$checkpoints (${stalled}s)"
}

DURATION=2 run warmup "$work/warmup.txt" >/dev/null
# The backlog a run leaves (the full-speed run outruns delivery on purpose) is delivered before the next run starts,
# so that each paced run's lag is its own.
pending_now() { local text; text=$(curl -fs "http://127.0.0.1:$port/metrics") || return 0; metric "$text" switchboard_webhook_pending; }  # empty: no reading
settle() {
  local started; started=$(date +%s.%N)
  for _ in $(seq 1 600); do [ "$(pending_now | cut -d. -f1)" = 0 ] && break; sleep 0.1; done
  echo "(backlog delivered in $(echo "$(date +%s.%N) - $started" | bc | cut -c1-5)s before the next run)"
}
full=$(run ingest_full_speed "$work/full.txt")
echo "$full"; settle
paced=$(run ingest_paced_5k "$work/paced.txt" 10)
echo "$paced"; settle
spread=$(run ingest_paced_5k_spread "$work/random.txt" 10 spread)
echo "$spread"
# What the spread run's commits wrote (the log since it last started over): pages per commit by table and index.
sleep 1
# (The copy of the log keeps SQLite's name for it, so that the tables' pages are looked up through it.)
cp "$work/data/switchboard.db" "$work/snapshot.db"; cp "$work/data/switchboard.db-wal" "$work/snapshot.db-wal"
echo "spread run's log: $(python3 "$root/bench/wal_pages.py" "$work/snapshot.db" "$work/snapshot.db-wal" | paste -sd ';')"
rm -f "$work/snapshot".*
# The same offered load with the subscriber paused: what ingest costs without fan-out competing for the 2 cores.
set_status disabled
alone=$(run ingest_paced_5k_fanout_paused "$work/alone.txt" 10)
echo "$alone"
set_status active

# Drain: how long until every matching event has been delivered, at what rate, and the CPU each delivery cost the
# gateway and the subscriber meanwhile (nothing else runs then).
backlog=$(pending_now); backlog=${backlog%.*}
gateway_cpu=$(cpu_ms "$gateway"); listener_cpu=$(cpu_ms "$listener")
drain_started=$(date +%s.%N)
for _ in $(seq 1 600); do
  pending=$(pending_now)
  [ "${pending%.*}" = 0 ] && break
  sleep 0.1
done
drain=$(echo "$(date +%s.%N) - $drain_started" | bc)
gateway_cpu=$(( $(cpu_ms "$gateway") - gateway_cpu )); listener_cpu=$(( $(cpu_ms "$listener") - listener_cpu ))
kill -INT "$listener"; wait "$listener" 2>/dev/null || true
stored=$(python3 -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); print(db.execute('SELECT COUNT(*) FROM events').fetchone()[0], db.execute('SELECT COUNT(*) FROM inbound_webhooks').fetchone()[0])" "$work/data/switchboard.db")
echo "stored: events=$(echo "$stored" | cut -d' ' -f1) raw_webhooks=$(echo "$stored" | cut -d' ' -f2)"
echo "subscriber: $(tail -1 "$work/listen.log"); drained ${drain}s after the last run"
[ "$backlog" -gt 0 ] && echo "drain: $backlog deliveries at $(echo "$backlog / $drain" | bc)/s; cpu per delivery: gateway $(( gateway_cpu * 1000 / backlog )) us, subscriber $(( listener_cpu * 1000 / backlog )) us"
[ -n "${LISTEN_VERBOSE:-}" ] && grep rejected "$work/listen.out" | head -3 | cut -c1-600
