#!/usr/bin/env python3
"""Outbound webhook fault test with a third-party Standard Webhooks verifier (`standardwebhooks` from PyPI).
The subscriber answers 500, then hangs past the attempt timeout, then is down — and while it is down the gateway
is SIGKILLed and restarted on the same data folder — then recovers. Events keep coming in every phase. After
recovery every event of the log must have been accepted exactly once, in log order, and every request must carry
a valid signature. Then the secret is rotated: the next delivery verifies with the old and with the new secret.
Usage: webhook_faults.py SWITCHBOARD_BINARY"""
import functools, http.server, json, os, signal, sys, tempfile, threading, time
import gateway_process
from gateway_process import free_port
from standardwebhooks import Webhook

binary = sys.argv[1]
key = "webhook-test-admin-key-0123456789"
data = tempfile.mkdtemp(prefix="switchboard-webhooks-")

# --- the subscriber -------------------------------------------------------------------------------------------
receiver_port = free_port()
state = {"mode": "ok", "secrets": [], "accepted": [], "bad": 0, "seen": {"500": 0, "hang": 0, "ok": 0}}
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        with lock:
            mode = state["mode"]; secrets = list(state["secrets"])
            state["seen"][mode] += 1
        try:
            for secret in secrets:          # every known secret must verify (two during a rotation)
                Webhook(secret).verify(body, headers)
        except Exception as error:
            with lock: state["bad"] += 1
            print("BAD SIGNATURE", error, headers.get("webhook-id"), flush=True)
            return self.answer(400)
        if mode == "500": return self.answer(500)
        if mode == "hang":
            time.sleep(1.5)                 # past the gateway's 0.5 s attempt timeout
            return self.answer(503)
        with lock: state["accepted"].append(headers["webhook-id"])
        self.answer(204)
    def answer(self, status):
        try:
            self.send_response(status); self.send_header("Content-Length", "0"); self.end_headers()
        except OSError:
            pass
    def log_message(self, *args): pass

class Receiver:
    def start(self):
        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", receiver_port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True); self.thread.start()
    def stop(self):
        self.server.shutdown(); self.server.server_close()

# --- the gateway ------------------------------------------------------------------------------------------------
config = os.path.join(data, "config.json")
with open(config, "w") as f:
    json.dump({"webhooks": {"allowPrivateTargets": True, "attemptTimeoutSeconds": 0.5,
                            "retry": {"firstDelaySeconds": 0.1, "factor": 2, "maxDelaySeconds": 0.8, "windowSeconds": 3600}}}, f)

def start_gateway(): return gateway_process.start(binary, os.path.join(data, "db"), key, config=config)
call = functools.partial(gateway_process.call, key=key)

def check(condition, message):
    if not condition:
        print("FAIL:", message, flush=True); sys.exit(1)

receiver = Receiver(); receiver.start()
proc, port = start_gateway()
for name, phone in (("ann", "+15550001001"), ("ben", "+15550001002"), ("cat", "+15550001003")):
    status, _ = call(port, "POST", "/v1/sessions", {"id": name, "provider": "native", "phone": phone})
    check(status == 201, f"session {name}: {status}")
status, page = call(port, "GET", "/v1/events?limit=1000")
start_cursor = page["next"] or "0"
status, sub = call(port, "POST", "/v1/webhooks", {"url": f"http://127.0.0.1:{receiver_port}/hooks", "description": "fault test"})
check(status == 201 and sub["secret"].startswith("whsec_"), f"subscribe: {status} {sub}")
state["secrets"] = [sub["secret"]]
status, group = call(port, "POST", "/v1/sessions/ann/groups", {"name": "Faults", "participants": ["+15550001002", "+15550001003"]})
check(status == 201, f"group: {status}")

sent = [0]
def send_some(count):
    for _ in range(count):
        sent[0] += 1
        status, _ = call(port, "POST", "/v1/sessions/ann/messages", {"group": group["id"], "type": "text", "text": f"message {sent[0]}"})
        check(status in (201, 202), f"send: {status}")

def phase(mode, seconds, messages):
    with lock: state["mode"] = mode
    send_some(messages)
    time.sleep(seconds)
    print(f"phase {mode}: {state['seen'][mode]} requests seen", flush=True)

phase("ok", 0.5, 3)
phase("500", 2.0, 5)
phase("hang", 2.5, 5)
receiver.stop()
print("phase down: subscriber stopped", flush=True)
send_some(5)
time.sleep(1.0)
proc.send_signal(signal.SIGKILL); proc.wait()
print("gateway SIGKILLed while the subscriber is down", flush=True)
proc, port = start_gateway()
send_some(5)
time.sleep(1.0)
with lock: state["mode"] = "ok"
receiver.start()
print("subscriber recovered", flush=True)

def expected_ids():
    ids, cursor = [], start_cursor
    while True:
        status, page = call(port, "GET", f"/v1/events?limit=1000&after={cursor}")
        ids += [e["id"] for e in page["data"]]
        if not page["data"]: return ids
        cursor = page["next"]

deadline = time.time() + 60
while time.time() < deadline:
    expected = expected_ids()
    with lock: accepted = list(state["accepted"])
    if len(accepted) >= len(expected) and expected: break
    time.sleep(0.2)
time.sleep(0.5)  # anything extra (a duplicate) would arrive now
with lock: accepted = list(state["accepted"])
expected = expected_ids()
check(state["seen"]["500"] > 0 and state["seen"]["hang"] > 0, f"faults were not exercised: {state['seen']}")
check(state["bad"] == 0, f"{state['bad']} requests with a bad signature")
check(len(set(accepted)) == len(accepted), f"duplicates accepted: {len(accepted) - len(set(accepted))}")
check(accepted == expected, f"accepted {len(accepted)} events, log has {len(expected)}; order or content differs")
status, deliveries = call(port, "GET", f"/v1/webhooks/{sub['id']}/deliveries?limit=500")
statuses = {d["status"] for d in deliveries["data"]}
check(statuses == {"succeeded"}, f"delivery states after recovery: {statuses}")
retried = [d for d in deliveries["data"] if d["attempts"] > 1]
check(retried, "no delivery needed a retry")
for delivery in deliveries["data"]:  # every attempt is logged, the last being the success
    status, detail = call(port, "GET", f"/v1/webhooks/{sub['id']}/deliveries/{delivery['id']}")
    log = detail["attemptLog"]
    check(len(log) == delivery["attempts"] and 200 <= (log[-1]["statusCode"] or 0) < 300 and not log[-1]["error"],
          f"delivery {delivery['id']}: the attempt log does not end with the success: {log}")
status, detail = call(port, "GET", f"/v1/webhooks/{sub['id']}/deliveries/{retried[-1]['id']}")
print(f"{len(expected)} events delivered exactly once, in order; {len(retried)} needed retries; "
      f"attempt log of the first: {[a['statusCode'] or a['error'].split(':')[0] for a in detail['attemptLog']]}", flush=True)

# --- rotation: both secrets sign during the overlap ----------------------------------------------------------
old = sub["secret"]
status, rotated = call(port, "POST", f"/v1/webhooks/{sub['id']}/rotate")
check(status == 200 and rotated["secret"] != old and rotated["previousSecretExpiresAt"], f"rotate: {status} {rotated}")
with lock: state["secrets"] = [old, rotated["secret"]]; before = len(state["accepted"])
send_some(1)
deadline = time.time() + 10
while time.time() < deadline and len(state["accepted"]) == before: time.sleep(0.05)
check(len(state["accepted"]) > before and state["bad"] == 0, "a delivery after rotation did not verify with both secrets")
print("after rotation: deliveries verify with the old and the new secret", flush=True)
proc.send_signal(signal.SIGTERM); proc.wait(timeout=15)
receiver.stop()
print("webhook faults: ok", flush=True)
