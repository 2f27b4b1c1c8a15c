#!/usr/bin/env bash
# Sends through the outbox. wrk posts text sends, each with its own Idempotency-Key, to a session whose provider is
# the instant fake WAHA (`switchboard contract fake`), then to one whose fake fails 20 % of its calls with 503 (those
# sends are answered 202 queued and retried by the outbox worker). Every send commits its message, outbox row and
# key durably (synchronous=FULL) before the provider call. Pacing is off (it is a per-session safety brake, not a
# throughput limit). Reports sends/s, answer latency, and the time the backlog takes to drain after each run.
# Usage: bench/delivery.sh   (DURATION=seconds per run, default 10)
source "$(dirname "$0")/lib.sh"
need wrk wrk
binary=$(build_release)
machine
duration=${DURATION:-10}

healthy_port=$(free_port); flaky_port=$(free_port)
"$binary" contract fake --provider waha --fixtures "$root/Contract/Fixtures" --port "$healthy_port" >/dev/null 2>"$work/healthy.log" &
pids+=($!)
"$binary" contract fake --provider waha --fixtures "$root/Contract/Fixtures" --port "$flaky_port" --fail-rate 0.2 >/dev/null 2>"$work/flaky.log" &
pids+=($!)
port=$(free_port); key="bench-admin-key-$(date +%s)"
cat >"$work/config.json" <<JSON
{"providers": {"healthy": {"kind": "waha", "baseUrl": "http://127.0.0.1:$healthy_port"},
               "flaky": {"kind": "waha", "baseUrl": "http://127.0.0.1:$flaky_port"}},
 "sessions": {"fast": {"provider": "healthy", "account": {"session": "default"}},
              "flaky": {"provider": "flaky", "account": {"session": "default"}}},
 "sends": {"pacing": {"healthy": {"intervalSeconds": 0}, "flaky": {"intervalSeconds": 0}},
           "retry": {"firstDelaySeconds": 0.5}, "circuitBreaker": {"failureThreshold": 50}, "concurrency": 32},
 "log": {"access": false}}
JSON
SWITCHBOARD_ADMIN_KEY=$key "$binary" serve --config "$work/config.json" --port "$port" --data "$work/data" >/dev/null 2>"$work/gateway.log" &
pids+=($!)
wait_http "http://127.0.0.1:$port/healthz"

cat >"$work/send.lua" <<LUA
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args) n = 0; run = os.getenv("RUN") end
function request()
  n = n + 1
  local id = run .. "-" .. tid .. "-" .. n
  return wrk.format("POST", nil, {["Authorization"] = "Bearer $key", ["Content-Type"] = "application/json", ["Idempotency-Key"] = id},
    '{"group": "120363022345678901@g.us", "type": "text", "text": "bench ' .. id .. '"}')
end
LUA

depth() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^switchboard_outbox_depth/ {sum += $2} END {print sum + 0}'; }
drain() {  # seconds until the outbox is empty
  local started; started=$(date +%s.%N)
  for _ in $(seq 1 1200); do [ "$(depth)" = 0 ] && break; sleep 0.1; done
  echo "$(date +%s.%N) - $started" | bc
}
statuses() {  # sent/queued/failed counts of a session's messages
  python3 -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); print(' '.join('%s=%d' % r for r in db.execute('SELECT status, COUNT(*) FROM messages WHERE session = ? GROUP BY status', (sys.argv[2],))))" \
    "$work/data/switchboard.db" "$1"
}

RUN=warm DURATION=2 wrk_run warmup "http://127.0.0.1:$port/v1/sessions/fast/messages" -s "$work/send.lua" >/dev/null
backlog=$(depth)
echo "$(RUN=healthy wrk_run healthy_provider "http://127.0.0.1:$port/v1/sessions/fast/messages" -s "$work/send.lua") backlog_at_end=$(depth) drain=$(drain)s"
echo "  messages: $(statuses fast)"
echo "$(RUN=flaky wrk_run failing_20pct_provider "http://127.0.0.1:$port/v1/sessions/flaky/messages" -s "$work/send.lua") backlog_at_end=$(depth) drain=$(drain)s"
echo "  messages: $(statuses flaky)"
attempts=$(python3 -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); print(' '.join('%s=%d' % r for r in db.execute(\"SELECT outcome, COUNT(*) FROM message_attempts a JOIN messages m ON m.id = a.message_id WHERE m.session = 'flaky' GROUP BY outcome\")))" "$work/data/switchboard.db")
echo "  flaky attempts: $attempts"
kill "${pids[0]}" "${pids[1]}"; sleep 0.5
echo "  fake providers: healthy $(tail -1 "$work/healthy.log"); failing $(tail -1 "$work/flaky.log")"
