#!/usr/bin/env bash
# Native engine throughput, side by side with /healthz in the same run (wrk, 64 keep-alive connections):
# group info reads, sends to a 50-member group (each reaching 49 recipient sessions) and to a 2-member group.
# Every send is committed with synchronous=FULL before its response.
# Usage: bench/native.sh   (DURATION=seconds per run, default 10; ROUNDS=alternating rounds, default 3;
#        DELAY_50 / DELAY_2 = mean pause in ms per connection of the paced runs, defaults 28 and 10: about 2,000 and
#        5,000 sends/s)
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
# Paced: each connection waits a random 0..2×DELAY_MS between requests (DELAY_MS on average), so 64 connections
# offer a fixed rate with arrivals spread in time, and the latency measured is the latency at that rate. (A closed
# loop at full speed measures queueing instead: 64 / rate; a fixed delay keeps the 64 connections in step, so
# every request of a burst waits for the ones before it.)
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
delay = function() return math.random(0, 2 * pause) end
LUA
cat >"$work/paced_get.lua" <<LUA
local pause = tonumber(os.getenv("DELAY_MS"))
delay = function() return math.random(0, 2 * pause) end
LUA
cat >"$work/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $key"
LUA

DURATION=2 wrk_run warmup "http://127.0.0.1:$port/healthz" >/dev/null
# Reads: ROUNDS alternating /healthz and group-info runs (shared VMs drift between runs), ratio of the medians.
for round in $(seq 1 "${ROUNDS:-3}"); do
  wrk_run "healthz[$round]" "http://127.0.0.1:$port/healthz" | tee -a "$work/health.txt"
  wrk_run "group_info[$round]" "http://127.0.0.1:$port/v1/sessions/$SENDER/groups/$BIG_GROUP" -s "$work/get.lua" | tee -a "$work/info.txt"
done
echo "group info / healthz (medians) = $(echo "scale=2; $(wrk_median rps <"$work/info.txt") / $(wrk_median rps <"$work/health.txt")" | bc)"
# Sends: full speed (a closed loop: latency there is queueing, 64 / rate), then ROUNDS paced runs per group.
GROUP=$BIG_GROUP wrk_run send_50_members "http://127.0.0.1:$port/v1/sessions/$SENDER/messages" -s "$work/send.lua"
GROUP=$SMALL_GROUP wrk_run send_2_members "http://127.0.0.1:$port/v1/sessions/$SENDER/messages" -s "$work/send.lua"
# Each paced round starts with /healthz at the same pacing: the latency floor of this machine at that moment (a
# shared VM's tail moves with the CPU time other guests take, printed as steal).
for round in $(seq 1 "${ROUNDS:-3}"); do
  DELAY_MS=${DELAY_50:-28} wrk_run "paced_healthz[$round]" "http://127.0.0.1:$port/healthz" -s "$work/paced_get.lua"
  GROUP=$BIG_GROUP DELAY_MS=${DELAY_50:-28} wrk_run "paced_50_members[$round]" "http://127.0.0.1:$port/v1/sessions/$SENDER/messages" -s "$work/paced.lua"
  GROUP=$SMALL_GROUP DELAY_MS=${DELAY_2:-10} wrk_run "paced_2_members[$round]" "http://127.0.0.1:$port/v1/sessions/$SENDER/messages" -s "$work/paced.lua"
done

# The write-ahead log: how often it started over, and what the writer's share of checkpointing cost.
curl -fsS "http://127.0.0.1:$port/metrics" | awk '
  /^switchboard_db_wal_restarts_total/ {r=$NF} /^switchboard_db_writer_checkpoints_total/ {c=$NF}
  /^switchboard_db_writer_checkpoint_seconds_total/ {s=$NF} /^switchboard_db_writer_checkpoint_max_seconds/ {m=$NF}
  END {printf "wal: restarts=%d writer_checkpoints=%d mean=%.2fms max=%.2fms\n", r, c, (c ? s / c * 1000 : 0), m * 1000}'
echo "wal file at the end: $(( $(stat -c %s "$work/data/switchboard.db-wal") / 1048576 )) MiB"

# Every acknowledged send is in the database: count what the runs stored.
kill "$gateway"; wait "$gateway" 2>/dev/null || true
python3 - "$work/data/switchboard.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
messages = db.execute("select count(*) from messages").fetchone()[0]
recipients = db.execute("select coalesce(sum(length(recipients)) / 8, 0) from native_messages").fetchone()[0]
# A fan-out row lists its recipients (',3,8,13,'): one event each.
received = db.execute("""
    select coalesce(sum(case when e.recipients is null then 1
                             else length(e.recipients) - length(replace(e.recipients, ',', '')) - 1 end), 0)
    from events e left join event_payloads p on p.id = e.payload where coalesce(e.type, p.type) = 'message.received'""").fetchone()[0]
print(f"stored: messages={messages} recipient entries={recipients} message.received events={received} "
      f"db={db.execute('pragma page_count').fetchone()[0] * 4096 / 1048576:.0f} MiB")
if received != recipients:
    sys.exit(f"bench: {recipients} recipient entries but {received} message.received events")
PY
