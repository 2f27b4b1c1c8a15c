#!/usr/bin/env bash
# What Switchboard adds to a send: a fake WAHA provider on loopback answers instantly (from the contract
# fixtures); wrk sends the same message straight to it, then through Switchboard (a WAHA session), in the same
# run, 64 keep-alive connections. Every send through Switchboard is stored durably before and after the call.
# Pacing is off for the provider (the default, one send per second per session, would answer most sends 202
# queued without calling it), and the run fails if any send through Switchboard was answered other than 201.
# Runs: full speed both ways, and through an nginx proxy as a reference; paced both ways at the same offered load,
# with fixed waits (bursts) and with spread-out waits; then where a paced send's time went, from /metrics: its
# durable writes and the provider call.
# Usage: bench/overhead.sh   (DURATION=seconds per run, default 10)
source "$(dirname "$0")/lib.sh"
need wrk wrk; need nginx nginx-light
binary=$(build_release)
machine

fake_port=$(free_port)
"$binary" contract fake --provider waha --fixtures "$root/Contract/Fixtures" --port "$fake_port" >/dev/null 2>"$work/fake.log" &
fake_pid=$!; pids+=($fake_pid)
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$fake_port/" && break; sleep 0.1; done

# A reference: nginx proxying the same requests to the same fake (one worker, kept upstream connections). It stores
# nothing and does no work of its own, so it shows what any proxy in front of the fake costs on these cores.
proxy_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream fake { server 127.0.0.1:$fake_port; keepalive 64; }
  server {
    listen 127.0.0.1:$proxy_port;
    location / { proxy_pass http://fake; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf"
trap 'nginx -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true; cleanup' EXIT

port=$(free_port); key="bench-admin-key-$(date +%s)"
cat >"$work/config.json" <<JSON
{"providers": {"waha": {"kind": "waha", "baseUrl": "http://127.0.0.1:$fake_port", "credentials": {"apiKey": "test-key"}}},
 "sessions": {"team": {"provider": "waha", "account": {"session": "default"}}},
 "sends": {"pacing": {"waha": {"intervalSeconds": 0}}},
 "log": {"access": true}}
JSON
SWITCHBOARD_ADMIN_KEY=$key "$binary" serve --config "$work/config.json" --port "$port" --data "$work/data" >/dev/null 2>"$work/gateway.log" &
gateway_pid=$!; pids+=($gateway_pid)
wait_http "http://127.0.0.1:$port/healthz"

group="120363022345678901@g.us"
cat >"$work/direct.lua" <<LUA
wrk.method = "POST"
wrk.headers["X-Api-Key"] = "test-key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"session":"default","chatId":"$group","text":"Hello team"}'
LUA
cat >"$work/gateway.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"group":"$group","text":"Hello team"}'
LUA
# The recorded reply must come back both ways before measuring.
curl -sf -X POST -H 'X-Api-Key: test-key' -H 'Content-Type: application/json' \
  -d "{\"session\":\"default\",\"chatId\":\"$group\",\"text\":\"Hello team\"}" "http://127.0.0.1:$fake_port/api/sendText" >/dev/null
status=$(curl -s -o "$work/first.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"group\":\"$group\",\"text\":\"Hello team\"}" "http://127.0.0.1:$port/v1/sessions/team/messages")
[ "$status" = 201 ] || { echo "send through Switchboard answered $status: $(cat "$work/first.json")"; exit 1; }

# Paced copies: each connection waits DELAY_MS between requests, so both paths get the same offered load
# (about 64 / (DELAY_MS + latency) requests per second) and the latency difference is what Switchboard adds. With a
# fixed wait the 64 connections fall into step and arrive in bursts of up to 64; the spread copies draw each wait
# from 0 to 2 × DELAY_MS, as arrivals from many independent senders are (bench/native.sh and webhooks.sh do too).
for name in direct gateway; do
  { cat "$work/$name.lua"; echo "delay = function() return tonumber(os.getenv('DELAY_MS')) end"; } >"$work/$name-paced.lua"
  { cat "$work/$name.lua"; echo "delay = function() return math.random(0, 2 * tonumber(os.getenv('DELAY_MS'))) end"; } >"$work/$name-spread.lua"
done

DURATION=2 wrk_run warmup "http://127.0.0.1:$port/v1/sessions/team/messages" -s "$work/gateway.lua" >/dev/null
fake_before=$(cpu_ms "$fake_pid")
direct=$(wrk_run direct "http://127.0.0.1:$fake_port/api/sendText" -s "$work/direct.lua")
fake_cpu=$(( $(cpu_ms "$fake_pid") - fake_before ))
gateway_before=$(cpu_ms "$gateway_pid"); fake_before=$(cpu_ms "$fake_pid")
through=$(wrk_run switchboard "http://127.0.0.1:$port/v1/sessions/team/messages" -s "$work/gateway.lua")
gateway_cpu=$(( $(cpu_ms "$gateway_pid") - gateway_before )); fake_cpu_through=$(( $(cpu_ms "$fake_pid") - fake_before ))
proxied=$(wrk_run nginx_proxy "http://127.0.0.1:$proxy_port/api/sendText" -s "$work/direct.lua")
paced_direct=$(DELAY_MS=30 wrk_run direct_paced "http://127.0.0.1:$fake_port/api/sendText" -s "$work/direct-paced.lua")
paced_through=$(DELAY_MS=30 wrk_run switchboard_paced "http://127.0.0.1:$port/v1/sessions/team/messages" -s "$work/gateway-paced.lua")
spread_direct=$(DELAY_MS=30 wrk_run direct_spread "http://127.0.0.1:$fake_port/api/sendText" -s "$work/direct-spread.lua")
before=$(curl -fsS "http://127.0.0.1:$port/metrics")
spread_through=$(DELAY_MS=30 wrk_run switchboard_spread "http://127.0.0.1:$port/v1/sessions/team/messages" -s "$work/gateway-spread.lua")
after=$(curl -fsS "http://127.0.0.1:$port/metrics")
printf '%s\n' "$direct" "$through" "$proxied" "$paced_direct" "$paced_through" "$spread_direct" "$spread_through"
read -r sent not_sent < <(curl -fsS "http://127.0.0.1:$port/metrics" |
  awk '/^switchboard_http_requests_total/ && /messages/ { if (/status="201"/) s += $NF; else o += $NF } END {print s+0, o+0}')
[ "$sent" -gt 0 ] && [ "$not_sent" = 0 ] || { echo "bench: $sent sends through Switchboard answered 201 sent, $not_sent otherwise"; exit 1; }
echo "at full speed: added p50 = $(echo "$(wrk_value "$through" p50) - $(wrk_value "$direct" p50)" | bc) ms, added p99 = $(echo "$(wrk_value "$through" p99) - $(wrk_value "$direct" p99)" | bc) ms"
echo "paced (same offered rate): added p50 = $(echo "$(wrk_value "$paced_through" p50) - $(wrk_value "$paced_direct" p50)" | bc) ms, added p99 = $(echo "$(wrk_value "$paced_through" p99) - $(wrk_value "$paced_direct" p99)" | bc) ms"
echo "paced, arrivals spread out: added p50 = $(echo "$(wrk_value "$spread_through" p50) - $(wrk_value "$spread_direct" p50)" | bc) ms, added p99 = $(echo "$(wrk_value "$spread_through" p99) - $(wrk_value "$spread_direct" p99)" | bc) ms"
# Where a send's time went in the spread run (means): its two durable writes (the message with its outbox row before
# the provider call, the outcome after it), each the wait for the batch ahead plus its own commit, and the call.
echo "spread run, per send: durable write $(mean_ms "$before" "$after" switchboard_db_write_seconds) ms (two per send; COMMIT and sync" \
  "alone $(mean_ms "$before" "$after" switchboard_db_commit_seconds) ms), provider call" \
  "$(mean_ms "$before" "$after" switchboard_provider_send_seconds '{provider="waha"}') ms"
# CPU per request (µs): what each process spends on one send, whatever the hypervisor's steal did to latency.
per_request() { echo "scale=0; $1 * 1000 / ($(wrk_value "$2" rps) * ${DURATION:-10})" | bc; }
echo "cpu per send: gateway $(per_request "$gateway_cpu" "$through") us, fake provider $(per_request "$fake_cpu_through" "$through") us (direct run: fake provider $(per_request "$fake_cpu" "$direct") us)"
echo "throughput switchboard/direct = $(echo "scale=2; $(wrk_value "$through" rps) / $(wrk_value "$direct" rps)" | bc) (nginx proxy, storing nothing: $(echo "scale=2; $(wrk_value "$proxied" rps) / $(wrk_value "$direct" rps)" | bc))"
