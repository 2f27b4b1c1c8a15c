#!/usr/bin/env bash
# Native engine throughput, side by side with /healthz in the same run (wrk, 64 keep-alive connections):
# group info reads, sends to a 50-member group (each reaching 49 recipient sessions) and to a 2-member group.
# Every send is committed with synchronous=FULL before its response.
# Usage: bench/native.sh   (DURATION=seconds per run, default 10)
source "$(dirname "$0")/lib.sh"
need wrk wrk
binary=$(build_release)
machine

port=$(free_port); key="bench-admin-key-$(date +%s)"
SWITCHBOARD_ADMIN_KEY=$key "$binary" serve --port "$port" --data "$work/data" >/dev/null 2>"$work/gateway.log" &
pids+=($!); gateway=$!
wait_http "http://127.0.0.1:$port/healthz"
eval "$(python3 "$root/bench/native_setup.py" "http://127.0.0.1:$port" "$key" 50)"

cat >"$work/send.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["Content-Type"] = "application/json"
local group = os.getenv("GROUP")
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"group":"' .. group .. '","text":"benchmark message ' .. n .. '"}')
end
LUA
# Paced: each connection waits DELAY_MS between requests, so 64 connections offer a fixed rate and the latency
# measured is the latency at that rate (a closed loop at full speed measures queueing instead: 64 / rate).
cat >"$work/paced.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["Content-Type"] = "application/json"
local group = os.getenv("GROUP")
local pause = tonumber(os.getenv("DELAY_MS"))
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"group":"' .. group .. '","text":"paced message ' .. n .. '"}')
end
delay = function() return pause end
LUA
cat >"$work/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $key"
LUA

DURATION=2 wrk_run warmup "http://127.0.0.1:$port/healthz" >/dev/null
health=$(wrk_run healthz "http://127.0.0.1:$port/healthz")
info=$(wrk_run group_info "http://127.0.0.1:$port/v1/sessions/$SENDER/groups/$BIG_GROUP" -s "$work/get.lua")
big=$(GROUP=$BIG_GROUP wrk_run send_50_members "http://127.0.0.1:$port/v1/sessions/$SENDER/messages" -s "$work/send.lua")
small=$(GROUP=$SMALL_GROUP wrk_run send_2_members "http://127.0.0.1:$port/v1/sessions/$SENDER/messages" -s "$work/send.lua")
paced_big=$(GROUP=$BIG_GROUP DELAY_MS=24 wrk_run paced_50_members "http://127.0.0.1:$port/v1/sessions/$SENDER/messages" -s "$work/paced.lua")
paced_small=$(GROUP=$SMALL_GROUP DELAY_MS=11 wrk_run paced_2_members "http://127.0.0.1:$port/v1/sessions/$SENDER/messages" -s "$work/paced.lua")
printf '%s\n' "$health" "$info" "$big" "$small" "$paced_big" "$paced_small"
rps() { echo "$1" | sed 's/.*rps=\([0-9.]*\).*/\1/'; }
echo "group info / healthz = $(echo "scale=2; $(rps "$info") / $(rps "$health")" | bc)"

# Every acknowledged send is in the database: count what the runs stored.
kill "$gateway"; wait "$gateway" 2>/dev/null || true
python3 - "$work/data/switchboard.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
messages = db.execute("select count(*) from messages").fetchone()[0]
recipients = db.execute("select coalesce(sum(length(recipients)) / 8, 0) from native_messages").fetchone()[0]
received = db.execute("select count(*) from events e join event_payloads p on p.id = e.payload where p.type = 'message.received'").fetchone()[0]
print(f"stored: messages={messages} recipient entries={recipients} message.received events={received} "
      f"db={db.execute('pragma page_count').fetchone()[0] * 4096 / 1048576:.0f} MiB")
PY
