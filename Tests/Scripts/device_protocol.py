"""The native device protocol driven by a real third-party WebSocket client (Python `websockets`), against a running
gateway: connect, receive in real time, ack/read becoming the sender's delivered/read status and signed webhooks to
the sender's subscriber, sends with idempotency, typing, several devices, resume after a disconnect with no gap and
no duplicate, and the close codes of protocol violations (some written as raw bytes, since a correct client cannot
send them). Prints one line per check and `device-protocol: N failed`.

Usage: device_protocol.py PORT ADMIN_KEY  (the gateway must allow private webhook targets)"""
import asyncio, base64, http.server, json, os, socket, sys, threading, time, uuid
import http.client
from standardwebhooks.webhooks import Webhook
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

PORT, KEY = int(sys.argv[1]), sys.argv[2]
BASE = f"ws://127.0.0.1:{PORT}"
failures = []


def check(ok, label, detail=""):
    print(("PASS " if ok else "FAIL ") + label + ("" if ok else f": {detail}"), flush=True)
    if not ok: failures.append(label)


def call(method, path, body=None, key=KEY):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = c.getresponse(); raw = r.read()
    return r.status, (json.loads(raw) if raw else None)


def auth(key=KEY): return {"Authorization": "Bearer " + key}


# --- a webhook receiver for alice's subscription (Standard Webhooks signatures verified) ---
hooks, bad_signatures, secret = [], [0], [None]
class Hooks(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            Webhook(secret[0]).verify(body, dict(self.headers)); hooks.append(json.loads(body))
        except Exception:
            bad_signatures[0] += 1
        self.send_response(204); self.end_headers()
    def log_message(self, *args): pass
receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
threading.Thread(target=receiver.serve_forever, daemon=True).start()


class Device:
    """One connected device: frames kept in order; commands answered by ref."""
    def __init__(self, ws):
        self.ws, self.frames, self.events, self.answers = ws, [], [], {}
        self.ready = None
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, session, after=None, key=KEY):
        query = f"?after={after}" if after is not None else ""
        device = cls(await connect(f"{BASE}/v1/native/sessions/{session}/socket{query}", additional_headers=auth(key), max_size=4 << 20))
        await device.wait(lambda: device.ready is not None)
        return device

    async def _read(self):
        try:
            async for raw in self.ws:
                frame = json.loads(raw); self.frames.append(frame)
                if frame["type"] == "ready": self.ready = frame
                elif frame["type"] == "event": self.events.append(frame)
                elif frame.get("ref"): self.answers[frame["ref"]] = frame
        except ConnectionClosed:
            pass

    async def wait(self, condition, timeout=5.0):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline: return False
            await asyncio.sleep(0.005)
        return True

    async def command(self, frame):
        ref = frame.setdefault("ref", uuid.uuid4().hex[:12])
        await self.ws.send(json.dumps(frame))
        await self.wait(lambda: ref in self.answers)
        return self.answers.get(ref)

    def received(self, message_id=None):
        return [f for f in self.events if f["event"]["type"] == "message.received" and (message_id is None or f["event"]["data"]["id"] == message_id)]

    async def close(self):
        await self.ws.close(); await self.task


async def closed_with(session, send, expected_code, label):
    """Connects, lets `send(ws)` break the protocol, and checks the server's close frame."""
    async with connect(f"{BASE}/v1/native/sessions/{session}/socket?after=0", additional_headers=auth(), max_size=4 << 20) as ws:
        await ws.recv()
        await send(ws)
        try:
            while True: await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed:
            pass
        except asyncio.TimeoutError:
            check(False, label, "the server did not close the connection"); return
        code = ws.close_code
        check(code == expected_code, label, f"close code {code} ({ws.close_reason!r}), expected {expected_code}")


def raw_violation(session, frame_bytes):
    """A handshake and then bytes no conforming client sends; returns the server's close code."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /v1/native/sessions/{session}/socket?after=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data: data += s.recv(4096)
    head, _, rest = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"): return f"no upgrade: {head[:40]!r}"
    s.sendall(frame_bytes)
    data = rest
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        chunk = s.recv(4096)
        if not chunk: break
        data += chunk
    s.close()
    # Server frames: skip text frames (ready) and find the close frame (opcode 8).
    i = 0
    while i + 2 <= len(data):
        opcode, length = data[i] & 0x0F, data[i + 1] & 0x7F
        i += 2
        if length == 126: length = int.from_bytes(data[i:i + 2], "big"); i += 2
        elif length == 127: length = int.from_bytes(data[i:i + 8], "big"); i += 8
        if opcode == 8: return int.from_bytes(data[i:i + 2], "big")
        i += length
    return "no close frame"


def masked(opcode, payload, fin=True):
    mask = os.urandom(4)
    header = bytes([(0x80 if fin else 0) | opcode, 0x80 | len(payload)]) if len(payload) < 126 else \
        bytes([(0x80 if fin else 0) | opcode, 0x80 | 126]) + len(payload).to_bytes(2, "big")
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def main():
    for name, phone in (("alice", "+15550000001"), ("bob", "+15550000002"), ("carol", "+15550000003")):
        status, _ = call("POST", "/v1/sessions", {"id": name, "provider": "native", "phone": phone})
        check(status == 201, f"session {name} created", status)
    status, group = call("POST", "/v1/sessions/alice/groups", {"name": "Devices", "participants": ["+15550000002"]})
    check(status == 201, "group created", status)
    gid = group["id"]
    status, sub = call("POST", "/v1/webhooks", {"url": f"http://127.0.0.1:{receiver.server_port}/hooks", "sessions": ["alice"],
                                                 "events": ["message.delivered", "message.read"]})
    check(status == 201, "alice's webhook subscription", (status, sub)); secret[0] = sub["secret"]

    # --- refusals before the upgrade ---
    try:
        await connect(f"{BASE}/v1/native/sessions/bob/socket")
        check(False, "no key: 401")
    except InvalidStatus as error:
        check(error.response.status_code == 401, "no key: 401", error.response.status_code)
    status, scoped = call("POST", "/v1/keys", {"name": "alice only", "sessions": ["alice"]})
    try:
        await connect(f"{BASE}/v1/native/sessions/bob/socket", additional_headers=auth(scoped["key"]))
        check(False, "another tenant's session: 404")
    except InvalidStatus as error:
        check(error.response.status_code == 404, "another tenant's session: 404 like a missing one", error.response.status_code)

    # --- two devices of bob, one of alice ---
    bob1, bob2, alice = await Device.open("bob"), await Device.open("bob"), await Device.open("alice")
    check(bob1.ready["session"] == "bob" and bob1.ready["after"] == 0, "ready frame: session and resume position", bob1.ready)
    await bob1.wait(lambda: any(f["event"]["type"] == "group.joined" for f in bob1.events))
    check(any(f["event"]["type"] == "group.joined" for f in bob1.events), "history from position 0 (bob joined the group)")

    sent_at = time.monotonic()
    status, message = call("POST", "/v1/sessions/alice/messages", {"group": gid, "text": "hello bob"})
    check(status == 201 and message["status"] == "sent", "alice sends over HTTP", (status, message))
    mid = message["id"]
    got = await bob1.wait(lambda: bob1.received(mid)) and await bob2.wait(lambda: bob2.received(mid))
    latency = time.monotonic() - sent_at
    check(got and latency < 1.0, "both of bob's devices receive it in real time", f"got={got} after {latency:.3f}s")
    frame = bob1.received(mid)[0]
    check(frame["event"]["data"]["text"] == "hello bob" and frame["event"]["session"] == "bob" and frame == bob2.received(mid)[0],
          "the same frame (seq, canonical event) on each device", frame)
    seqs = [f["seq"] for f in bob1.events]
    check(seqs == sorted(set(seqs)), "seq strictly increases", seqs)

    answer = await bob1.command({"type": "ack", "seq": frame["seq"]})
    check(answer and answer["type"] == "ok" and answer["acked"] == frame["seq"], "ack answered ok", answer)
    status, stored = call("GET", f"/v1/messages/{mid}")
    check(stored["status"] == "delivered" and stored["receipts"]["delivered"] == 1, "bob's ack makes alice's message delivered", stored)
    answer = await bob2.command({"type": "read", "message": mid})
    check(answer and answer["type"] == "ok", "read answered ok (from the other device)", answer)
    status, stored = call("GET", f"/v1/messages/{mid}")
    check(stored["status"] == "read" and stored["receipts"]["read"] == 1, "bob's read makes alice's message read", stored)
    types = lambda: {(h["type"], h["data"]["id"]) for h in hooks}
    delivered = await alice.wait(lambda: {("message.delivered", mid), ("message.read", mid)} <= types(), timeout=15)
    check(delivered and bad_signatures[0] == 0, "alice's webhook subscriber gets message.delivered and message.read, signed",
          (types(), bad_signatures[0]))
    await alice.wait(lambda: {"message.delivered", "message.read"} <= {f["event"]["type"] for f in alice.events})
    check({"message.delivered", "message.read"} <= {f["event"]["type"] for f in alice.events}, "alice's device sees the receipts live")

    answer = await bob1.command({"type": "ack", "seq": frame["seq"] + 10_000})
    check(answer and answer["type"] == "error" and answer["error"]["code"] == "invalid_request", "ack beyond what was sent: error frame", answer)
    answer = await bob1.command({"type": "read", "message": "msg_nosuch"})
    check(answer and answer["type"] == "error" and answer["status"] == 404 and answer["error"]["code"] == "message_not_found",
          "read of an unknown message: 404 error frame, connection stays", answer)

    # --- sends from a device: the HTTP route's validation and idempotency ---
    first = await bob1.command({"type": "send", "idempotencyKey": "device-k1", "message": {"group": gid, "text": "hi alice"}})
    again = await bob1.command({"type": "send", "idempotencyKey": "device-k1", "message": {"group": gid, "text": "hi alice"}})
    check(first and first["type"] == "ok" and first["status"] == 201 and not first["replayed"], "device send: 201 with the message", first)
    check(again and again["type"] == "ok" and again["message"]["id"] == first["message"]["id"] and again["replayed"],
          "same idempotencyKey: the first answer replayed", again)
    conflict = await bob1.command({"type": "send", "idempotencyKey": "device-k1", "message": {"group": gid, "text": "different"}})
    check(conflict and conflict["type"] == "error" and conflict["error"]["code"] == "idempotency_conflict", "same key, other body: conflict", conflict)
    invalid = await bob1.command({"type": "send", "message": {"text": "no group"}})
    check(invalid and invalid["type"] == "error" and invalid["status"] == 400 and invalid["error"]["code"] == "invalid_request",
          "an invalid send: 400 error frame as over HTTP", invalid)
    sid = first["message"]["id"]
    await alice.wait(lambda: alice.received(sid), timeout=3); await asyncio.sleep(0.3)
    check(len(alice.received(sid)) == 1, "alice's device receives bob's message exactly once", len(alice.received(sid)))

    answer = await bob1.command({"type": "typing", "group": gid})
    check(answer and answer["type"] == "ok", "typing answered ok", answer)
    await alice.wait(lambda: any(f["event"]["type"] == "presence.typing" for f in alice.events))
    typing = [f["event"] for f in alice.events if f["event"]["type"] == "presence.typing"]
    check(typing and typing[0]["data"]["state"] == "typing" and typing[0]["data"]["participant"].startswith("15550000002"),
          "alice sees bob typing", typing)
    answer = await bob1.command({"type": "typing", "group": "120363000000000000@g.us"})
    check(answer and answer["type"] == "error" and answer["error"]["code"] == "group_not_found", "typing in a group not joined: error", answer)

    # --- resume after a disconnect: no gap, no duplicate ---
    last = bob1.events[-1]["seq"]
    seen = {f["seq"] for f in bob1.events}
    await bob1.close()
    offline = []
    for n in range(5):
        status, m = call("POST", "/v1/sessions/alice/messages", {"group": gid, "text": f"while offline {n}"}); offline.append(m["id"])
    resumed = await Device.open("bob", after=last)
    await resumed.wait(lambda: all(resumed.received(i) for i in offline))
    status, live = call("POST", "/v1/sessions/alice/messages", {"group": gid, "text": "live again"})
    await resumed.wait(lambda: resumed.received(live["id"]))
    ids = [f["event"]["data"]["id"] for f in resumed.received()]
    check(ids == offline + [live["id"]], "resume with ?after=: the offline messages in order, then live", ids)
    seqs = [f["seq"] for f in resumed.events]
    check(len(seqs) == len(set(seqs)) and not (set(seqs) & seen) and min(seqs) > last, "resume: no duplicate of what the device had", seqs)
    status, page = call("GET", f"/v1/events?session=bob&after={last}&limit=1000")
    logged, streamed = [e["id"] for e in page["data"]], [f["event"]["id"] for f in resumed.events]
    check(logged == streamed, "resume: no gap against the event log", (logged, streamed))
    await resumed.command({"type": "ack", "seq": resumed.events[-1]["seq"]})
    for i in offline + [live["id"]]:
        status, stored = call("GET", f"/v1/messages/{i}")
        if stored["status"] != "delivered": check(False, "one ack covers every message up to its seq", stored); break
    else:
        check(True, "one ack covers every message up to its seq")
    await resumed.close()
    status, after_ack = call("POST", "/v1/sessions/alice/messages", {"group": gid, "text": "after the ack"})
    fresh = await Device.open("bob")
    check(fresh.ready["after"] == resumed.events[-1]["seq"], "without ?after=: resumes after the session's acknowledged position", fresh.ready)
    await fresh.wait(lambda: fresh.received(after_ack["id"]))
    check([f["event"]["data"]["id"] for f in fresh.received()] == [after_ack["id"]], "…and gets only what came after it",
          [f["event"]["data"]["id"] for f in fresh.received()])
    await fresh.close()

    # --- a device that stops reading: the server stops pushing, then catches it up from the log ---
    tight = socket.socket(); tight.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); tight.connect(("127.0.0.1", PORT))
    slow = await connect(f"{BASE}/v1/native/sessions/bob/socket?after={fresh.events[-1]['seq']}", additional_headers=auth(),
                         max_queue=2, max_size=4 << 20, sock=tight)
    await slow.recv()  # ready
    filler = "x" * 60000
    burst = []
    for n in range(120):  # ~7 MB of events: more than the server buffers (256 KiB) plus the kernel's (4 MiB send buffer)
        status, m = call("POST", "/v1/sessions/alice/messages", {"group": gid, "text": f"{n} {filler}"}); burst.append(m["id"])
    got, seqs = [], []
    try:
        while len(got) < len(burst):
            frame = json.loads(await asyncio.wait_for(slow.recv(), 10))
            if frame["type"] == "event" and frame["event"]["type"] == "message.received":
                got.append(frame["event"]["data"]["id"]); seqs.append(frame["seq"])
    except asyncio.TimeoutError:
        pass
    check(got == burst and seqs == sorted(set(seqs)), "a device that stopped reading gets every event, in order, once it reads again",
          f"{len(got)} of {len(burst)}")
    await slow.close()

    # --- pings and the close handshake ---
    pong = await alice.ws.ping(b"are you there")
    check(await asyncio.wait_for(pong, 5) is not None, "a ping is answered with a pong")
    await alice.ws.close(code=1000, reason="bye")
    check(alice.ws.close_code == 1000, "a client close is echoed with its code", alice.ws.close_code)
    await alice.task
    await bob2.close()

    # --- protocol violations close with the right code ---
    await closed_with("bob", lambda ws: ws.send("not json"), 1008, "a frame that is not JSON: 1008")
    await closed_with("bob", lambda ws: ws.send(json.dumps({"type": "dance"})), 1008, "an unknown frame type: 1008")
    await closed_with("bob", lambda ws: ws.send(json.dumps({"type": "ack", "seq": 1, "extra": 1})), 1008, "an unknown field: 1008")
    await closed_with("bob", lambda ws: ws.send(b"\x01\x02"), 1003, "a binary frame: 1003")
    await closed_with("bob", lambda ws: ws.send("x" * ((1 << 20) + 1)), 1009, "a message over 1 MiB: 1009")
    check(raw_violation("bob", masked(0x1, b"\xc3\x28")) == 1007, "invalid UTF-8 in a text frame: 1007")
    check(raw_violation("bob", bytes([0x81, 0x02]) + b"hi") == 1002, "an unmasked client frame: 1002")
    check(raw_violation("bob", masked(0x9, b"p", fin=False)) == 1002, "a fragmented ping: 1002")
    check(raw_violation("bob", masked(0x3, b"")) == 1002, "a reserved opcode: 1002")
    check(raw_violation("bob", masked(0x0, b"orphan")) == 1002, "a continuation with nothing to continue: 1002")

    # --- a revoked key closes a connected device at its next command ---
    status, bobkey = call("POST", "/v1/keys", {"name": "bob device", "sessions": ["bob"]})
    device = await Device.open("bob", key=bobkey["key"], after=0)
    status, _ = call("DELETE", f"/v1/keys/{bobkey['id']}")
    await device.ws.send(json.dumps({"type": "typing", "group": gid}))
    await device.task
    check(device.ws.close_code == 1008 and "revoked" in (device.ws.close_reason or ""), "a revoked key: closed with 1008",
          (device.ws.close_code, device.ws.close_reason))

    print(f"device-protocol: {len(failures)} failed", flush=True)


asyncio.run(main())
sys.exit(1 if failures else 0)
