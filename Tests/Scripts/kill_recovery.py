#!/usr/bin/env python3
"""SIGKILL durability: runs the native tour's kinds of writes against the real server from several client
threads, SIGKILLs the server mid-load, restarts it on the same data folder, and checks that everything the
server acknowledged (a 2xx answer) is there. Repeats ROUNDS times.
Usage: kill_recovery.py SWITCHBOARD_BINARY [ROUNDS]"""
import functools, http.client, random, signal, sys, tempfile, threading, time
import gateway_process

binary = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
key = "kill-test-admin-key-0123456789"
data = tempfile.mkdtemp(prefix="switchboard-kill-")

def start(): return gateway_process.start(binary, data, key)
call = functools.partial(gateway_process.call, key=key)

acked_messages = {}      # id -> text
acked_members = set()    # phones added (acknowledged)
lock = threading.Lock()

proc, port = start()
phones = [f"+1555770{i:04d}" for i in range(12)]
for i, phone in enumerate(phones):
    status, _ = call(port, "POST", "/v1/sessions", {"id": f"k{i}", "provider": "native", "phone": phone})
    assert status == 201, status
status, group = call(port, "POST", "/v1/sessions/k0/groups", {"name": "Crash", "participants": phones[1:3]})
assert status == 201
gid = group["id"]
next_member = [3]

def worker(port, stop, wid):
    n = 0
    while not stop.is_set():
        n += 1
        try:
            if wid == 0 and n % 10 == 0 and next_member[0] < len(phones):
                phone = phones[next_member[0]]
                status, body = call(port, "POST", f"/v1/sessions/k0/groups/{gid}/participants/add", {"participants": [phone]})
                if status == 200 and body["results"][0]["status"] in ("added", "already_member"):
                    with lock: acked_members.add(phone)
                    next_member[0] += 1
                continue
            text = f"w{wid}-{n}-{random.random()}"
            status, body = call(port, "POST", "/v1/sessions/k0/messages", {"group": gid, "text": text})
            if status == 201:
                with lock: acked_messages[body["id"]] = text
        except (OSError, http.client.HTTPException):
            time.sleep(0.01)  # the server is being killed: retry against the next one

for round_number in range(1, rounds + 1):
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(port, stop, w)) for w in range(4)]
    for t in threads: t.start()
    time.sleep(random.uniform(0.8, 1.5))
    before = len(acked_messages)
    proc.send_signal(signal.SIGKILL); proc.wait()
    stop.set()
    for t in threads: t.join()
    proc, port = start()
    # Everything acknowledged before the kill must be there.
    missing = []
    for mid, text in list(acked_messages.items()):
        status, body = call(port, "GET", f"/v1/messages/{mid}")
        if status != 200 or body["text"] != text or body["status"] not in ("sent", "delivered", "read"):
            missing.append(mid)
    status, info = call(port, "GET", f"/v1/sessions/k0/groups/{gid}")
    present = {p["phone"] for p in info["participants"]}
    lost_members = acked_members - present
    print(f"round {round_number}: killed with {before} acknowledged sends so far; after restart "
          f"{len(acked_messages) - len(missing)}/{len(acked_messages)} messages, "
          f"{len(acked_members - lost_members)}/{len(acked_members)} added members present")
    if missing or lost_members:
        print(f"LOST: messages={missing[:5]} members={sorted(lost_members)}"); sys.exit(1)

proc.send_signal(signal.SIGTERM); proc.wait(timeout=20)
print(f"kill-recovery: {rounds} SIGKILLs, {len(acked_messages)} acknowledged sends, nothing lost")
