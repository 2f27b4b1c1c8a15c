#!/usr/bin/env python3
"""Crash test: 2,000 sends with Idempotency-Keys to the fault-injection provider (fault_provider.py, counting every
message it accepts) while the gateway is SIGKILLed and restarted three times on the same data folder. Clients
retry each send with the same key until it is acknowledged (2xx). Afterwards every acknowledged message must be at
the provider exactly once: none lost, none duplicated. Prints the counts.
Usage: send_crash.py SWITCHBOARD_BINARY [SENDS]"""
import http.client, json, os, signal, sys, tempfile, threading, time, urllib.request
import fault_provider, gateway_process

binary = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
clients, groups, kills = 8, 20, 3
key = "send-crash-admin-key-0123456789ab"
data = tempfile.mkdtemp(prefix="switchboard-crash-")
provider = fault_provider.start()
base = "http://127.0.0.1:%d" % provider.server_address[1]
config = {
    "providers": {"waha": {"kind": "waha", "baseUrl": base, "timeouts": {"connectSeconds": 1, "requestSeconds": 2}}},
    "sessions": {"w": {"provider": "waha", "account": {"session": "default"}}},
    "sends": {"answerWithinSeconds": 3, "retry": {"firstDelaySeconds": 0.2, "jitter": 0}, "unknownOutcome": {"graceSeconds": 1},
              "pacing": {"waha": {"intervalSeconds": 0}}},
}
config_path = os.path.join(data, "config.json")
json.dump(config, open(config_path, "w"))
port = gateway_process.free_port()
state = {"gateway": gateway_process.start(binary, data, key, config_path, port)[0], "acked": {}, "retries": 0, "kills": 0}
lock = threading.Lock()
next_index = iter(range(total))


def send_until_acknowledged(index):
    text = "crash message %05d" % index
    body = json.dumps({"group": "1203630000000%05d@g.us" % (index % groups), "type": "text", "text": text})
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("POST", "/v1/sessions/w/messages", body=body,
                      headers={"Authorization": "Bearer " + key, "Content-Type": "application/json", "Idempotency-Key": "crash-%05d" % index})
            r = c.getresponse(); answer = json.loads(r.read() or b"{}")
            if 200 <= r.status < 300:
                with lock: state["acked"][text] = answer["id"]
                return
        except (OSError, http.client.HTTPException, ValueError):
            pass
        with lock: state["retries"] += 1
        time.sleep(0.05)


def client():
    while True:
        with lock: index = next(next_index, None)
        if index is None: return
        send_until_acknowledged(index)


threads = [threading.Thread(target=client) for _ in range(clients)]
for t in threads: t.start()
for kill in range(kills):
    while True:  # kill after each quarter of the sends is acknowledged
        with lock: done = len(state["acked"])
        if done >= total * (kill + 1) // (kills + 1): break
        time.sleep(0.01)
    state["gateway"].send_signal(signal.SIGKILL); state["gateway"].wait()
    state["kills"] += 1
    print("SIGKILL %d after %d acknowledged sends; restarting" % (kill + 1, done), flush=True)
    state["gateway"] = gateway_process.start(binary, data, key, config_path, port)[0]
for t in threads: t.join()

# Wait for the outbox to drain: every acknowledged message leaves `queued`.
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    statuses = {}
    after = ""
    while True:
        status, page = gateway_process.call(port, "GET", "/v1/sessions/w/messages?limit=500" + ("&after=" + after if after else ""), key=key)
        for m in page["data"]: statuses[m["status"]] = statuses.get(m["status"], 0) + 1
        if not page["next"]: break
        after = page["next"]
    if statuses.get("queued", 0) == 0: break
    time.sleep(0.5)

stats = json.loads(urllib.request.urlopen(base + "/_stats").read())
accepted = stats["accepted"]
acked = state["acked"]
once = sum(1 for text in acked if accepted.get(text) == 1)
lost = [text for text in acked if accepted.get(text, 0) == 0]
duplicated = [text for text, n in accepted.items() if n > 1]
print("sends %d, acknowledged %d, client retries %d, SIGKILLs %d" % (total, len(acked), state["retries"], state["kills"]))
print("provider: %d send calls, %d lookups, %d messages held" % (stats["sendCalls"], stats["lookups"], stats["acceptedTotal"]))
print("exactly once %d, lost %d, duplicated %d; gateway statuses %s" % (once, len(lost), len(duplicated), statuses))
state["gateway"].terminate(); state["gateway"].wait(timeout=15)
ok = len(acked) == total and once == total and not lost and not duplicated and statuses.get("sent", 0) == total
print("send crash: " + ("ok" if ok else "FAILED (lost %s, duplicated %s)" % (lost[:5], duplicated[:5])), flush=True)
sys.exit(0 if ok else 1)
