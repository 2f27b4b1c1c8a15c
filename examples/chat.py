#!/usr/bin/env python3
"""A terminal chat over the native device protocol (docs/native-protocol.md).

    pip install websockets
    SWITCHBOARD_KEY=<key> python3 examples/chat.py --session bob [--group <id or name>] [--url http://127.0.0.1:8080]

Joins session BOB as a device, shows its group's messages live, sends each line you type, and acknowledges
what it showed (delivered receipts) and reads received messages (read receipts). `/quit` or Ctrl-D exits.
The last event position is kept in ~/.switchboard-chat/<host>-<port>-<session>.seq (or --state-dir), so a
restart or a reconnect resumes with `?after=<seq>`: nothing missed, nothing shown twice. A line typed while
disconnected is sent on reconnect with the same idempotency key, so it is never sent twice.

Two-terminal tour (server on :8080, its admin key in SWITCHBOARD_KEY):
    api() { curl -sS -H "Authorization: Bearer $SWITCHBOARD_KEY" -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:8080$1"; }
    api /v1/sessions '{"id":"alice","provider":"native","phone":"+15550000001"}'
    api /v1/sessions '{"id":"bob","provider":"native","phone":"+15550000002"}'
    api /v1/sessions/alice/groups '{"name":"Team","participants":["+15550000002"]}'
    terminal 1: python3 examples/chat.py --session alice      terminal 2: python3 examples/chat.py --session bob
Type in either: the other side shows the message; alice sees ✓✓ delivered and read as bob's client acks and
reads it. Quit bob, send from alice, start bob again: he gets what he missed, once.
"""
import argparse, asyncio, json, os, sys, threading, urllib.error, urllib.parse, urllib.request, uuid
from datetime import datetime

try:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus
except ImportError:
    print("chat.py needs the websockets library: pip install websockets", file=sys.stderr)
    sys.exit(2)


def die(message):
    print(f"chat.py: {message}", file=sys.stderr)
    sys.exit(2)


def canonical(body):
    """'code: message' of a canonical error body ({"error": {"code", "message"}}), else the raw text."""
    try:
        error = json.loads(body)["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return (body.decode(errors="replace") if isinstance(body, bytes) else str(body)).strip()[:200]


def api_get(base, path, key):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        die(f"GET {path} answered {error.code} {canonical(error.read())}")
    except urllib.error.URLError as error:
        die(f"cannot reach {base}: {error.reason}")


def clock(timestamp):
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone().strftime("%H:%M:%S")
    except (AttributeError, ValueError):
        return datetime.now().strftime("%H:%M:%S")


def content(data):
    """A message's text, caption, or <type> (image, video…)."""
    return data.get("text") or data.get("caption") or f"<{data.get('type')}>"


def summary(data):
    """A group event's data in one short line: the group's name, the participants' phones, other fields."""
    parts = []
    for key, value in data.items():
        if key == "group" and isinstance(value, dict):
            count = value.get("participantCount")
            parts.append(f"{value.get('name') or value.get('id')}" + (f" ({count} members)" if count else ""))
        elif key == "participants" and isinstance(value, list):
            parts.append(", ".join(p.get("phone") or p.get("id", "?") if isinstance(p, dict) else str(p) for p in value))
        else:
            parts.append(f"{key}={json.dumps(value, ensure_ascii=False)}")
    return " ".join(parts)[:100]


class Chat:
    def __init__(self, args, group, names):
        self.args, self.group, self.names = args, group, names
        url = urllib.parse.urlsplit(args.url)
        port = url.port or (443 if url.scheme == "https" else 80)
        scheme = "wss" if url.scheme == "https" else "ws"
        self.socket_url = f"{scheme}://{url.netloc}/v1/native/sessions/{args.session}/socket"
        state_dir = os.path.expanduser(args.state_dir)
        os.makedirs(state_dir, exist_ok=True)
        self.state_file = os.path.join(state_dir, f"{url.hostname}-{port}-{args.session}.seq")
        try:
            with open(self.state_file) as f:
                self.seq = int(f.read().strip())  # the last event this device has
        except (OSError, ValueError):
            self.seq = None  # first run: the server resumes after the session's acknowledged position
        self.acked = self.seq or 0  # the last position acknowledged on this connection
        self.pending = {}  # ref → send frame not yet answered (re-sent on reconnect, same idempotencyKey)
        self.mine = {}  # id → text of this session's messages, for the receipt lines
        self.ws, self.sends, self.unacked, self.quitting = None, 0, 0, False
        self.lines = asyncio.Queue()

    def save(self):
        with open(self.state_file + ".tmp", "w") as f:
            f.write(str(self.seq))
        os.replace(self.state_file + ".tmp", self.state_file)

    async def transmit(self, frame):
        if self.ws is not None:
            try:
                await self.ws.send(json.dumps(frame))
            except ConnectionClosed:
                pass  # the receive loop notices and reconnects; pending sends are re-sent

    async def flush_ack(self):
        if self.seq is not None and self.seq > self.acked and self.ws is not None:
            self.acked, self.unacked = self.seq, 0
            await self.transmit({"type": "ack", "seq": self.seq})

    def show(self, event):
        kind, data = event["type"], event.get("data") or {}
        group = event.get("group")
        name = (data.get("name") or (data.get("group") or {}).get("name")) if kind.startswith("group.") else None
        if name and group:
            self.names[group] = name
        where = "" if group in (None, self.group) else f"({self.names.get(group, group)}) "
        at = f"[{clock(event.get('occurredAt'))}] {where}"
        if kind == "message.received":
            print(f"{at}{data.get('senderPhone', '?')} : {content(data)}")
            return data.get("id")  # to be read
        if kind == "message.sent":
            self.mine[data.get("id")] = content(data)
            print(f"{at}me : {content(data)}  ✓ sent")
        elif kind in ("message.delivered", "message.read", "message.failed"):
            r = data.get("receipts") or {}
            mark = {"message.delivered": "✓✓ delivered", "message.read": "✓✓ read", "message.failed": "✗ failed"}[kind]
            count = f" ({r.get(kind.split('.')[1], '?')}/{r.get('recipients', '?')})" if r else ""
            text = self.mine.get(data.get("id"), data.get("id"))
            print(f"{at}  {mark}{count}: {text[:40]!r}")
        elif kind == "presence.typing":
            if data.get("state") == "typing":
                print(f"{at}… {data.get('participantPhone', '?')} is typing")
        elif kind.startswith("group."):
            print(f"{at}* {kind} {summary(data)}")
        else:
            print(f"{at}* {kind}")

    async def receive(self, ws):
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "ready":
                print(f"— connected as {frame['session']} (after {frame['after']}, head {frame['head']}); /quit or Ctrl-D to leave")
                if self.seq is None:
                    self.seq = self.acked = frame["after"]
                for send in list(self.pending.values()):  # unanswered sends: the same key, so never doubled
                    await self.transmit(send)
            elif kind == "event":
                if self.seq is not None and frame["seq"] <= self.seq:
                    continue  # already shown (cannot happen with ?after=, but cheap to be sure)
                to_read = self.show(frame["event"])
                self.seq = frame["seq"]
                self.save()
                if to_read:
                    await self.transmit({"type": "read", "message": to_read})
                self.unacked += 1
                if self.unacked >= 50:  # else the ticker acks within 0.5 s
                    await self.flush_ack()
            elif kind == "ok":
                if frame.get("for") == "send" and self.pending.pop(frame.get("ref"), None) and frame.get("replayed"):
                    print("  (re-sent after reconnect: the gateway already had it)")
            elif kind == "error":
                error = frame.get("error") or {}
                self.pending.pop(frame.get("ref"), None)
                print(f"! {frame.get('for')} failed ({frame.get('status')}): {error.get('code')}: {error.get('message')}")

    async def ticker(self):
        while True:
            await asyncio.sleep(0.5)
            await self.flush_ack()

    async def typed(self):
        while True:
            line = await self.lines.get()
            if line is None or line.strip() == "/quit":
                self.quitting = True
                for _ in range(50):  # unanswered sends get up to 5 s (`echo hi | chat.py …` works too)
                    if not self.pending:
                        break
                    await asyncio.sleep(0.1)
                await self.flush_ack()
                if self.ws is not None:
                    await self.ws.close(1000)
                return
            if line.strip():
                self.sends += 1
                ref = f"s{self.sends}"
                frame = {"type": "send", "ref": ref, "idempotencyKey": str(uuid.uuid4()),
                         "message": {"group": self.group, "text": line.rstrip("\n")}}
                self.pending[ref] = frame
                await self.transmit(frame)

    async def run(self):
        loop = asyncio.get_running_loop()

        def stdin_reader():  # a thread: readline blocks; EOF (Ctrl-D) is None
            for line in sys.stdin:
                loop.call_soon_threadsafe(self.lines.put_nowait, line)
            loop.call_soon_threadsafe(self.lines.put_nowait, None)

        threading.Thread(target=stdin_reader, daemon=True).start()
        typed = asyncio.create_task(self.typed())
        delay = 1
        while not typed.done():
            url = self.socket_url + (f"?after={self.seq}" if self.seq is not None else "")
            try:
                async with connect(url, additional_headers={"Authorization": f"Bearer {self.args.key}"}, open_timeout=10) as ws:
                    self.ws, delay, self.acked = ws, 1, self.seq or 0  # the server's cursor starts at `after`
                    if self.quitting and not self.pending:
                        break  # quit while connecting: leaving the block closes with 1000
                    ticker = asyncio.create_task(self.ticker())
                    try:
                        await self.receive(ws)
                    except asyncio.CancelledError:  # Ctrl-C: acknowledge and close cleanly too
                        await self.flush_ack()
                        await ws.close(1000)
                        raise
                    finally:
                        ticker.cancel()
                        self.ws = None
                    if not self.quitting:
                        print(f"— disconnected ({ws.close_code} {ws.close_reason or ''})".rstrip())
            except InvalidStatus as error:
                status, body = error.response.status_code, error.response.body
                if status == 400 and self.seq is not None and "after" in canonical(body):
                    print(f"— the gateway has no event {self.seq} (a new server?): resuming from the session's last ack")
                    self.seq = None
                    continue
                if status in (401, 403, 404, 501):
                    die(f"the socket answered {status} {canonical(body)}")
                print(f"— the socket answered {status} {canonical(body)}")
            except ConnectionClosed as error:
                print(f"— disconnected: {error}")
            except OSError as error:  # TimeoutError included
                print(f"— cannot connect: {error or type(error).__name__}")
            if self.quitting and not self.pending:
                break
            if not self.quitting:
                print(f"— reconnecting in {delay}s")
            await asyncio.wait([typed], timeout=delay)  # quitting ends the wait
            delay = min(delay * 2, 10)
        typed.cancel()


def main():
    parser = argparse.ArgumentParser(description="Chat in a group as a native session's device.")
    parser.add_argument("--session", required=True)
    parser.add_argument("--group", help="group id or name (case-insensitive); default: the session's only group")
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--key", default=os.environ.get("SWITCHBOARD_KEY"), help="API key (default: $SWITCHBOARD_KEY)")
    parser.add_argument("--state-dir", default="~/.switchboard-chat")
    args = parser.parse_args()
    if not args.key:
        die("no API key: set SWITCHBOARD_KEY or pass --key")
    args.url = args.url.rstrip("/")
    groups = api_get(args.url, f"/v1/sessions/{urllib.parse.quote(args.session)}/groups", args.key)["data"]
    names = {g["id"]: g.get("name") or g["id"] for g in groups}
    if args.group:
        chosen = [g for g in groups if g["id"] == args.group or (g.get("name") or "").lower() == args.group.lower()]
    else:
        chosen = groups if len(groups) == 1 else []
    if len(chosen) != 1:
        if args.group:
            print(f"No group of {args.session} is '{args.group}' (or several are: use the id).", file=sys.stderr)
        print(f"Groups of {args.session} (choose one with --group):" if groups else f"Session {args.session} is in no group yet.")
        for g in groups:
            print(f"  {g['id']}  {g.get('name') or ''}")
        sys.exit(2 if args.group else 0)
    print(f"— {args.session} in {chosen[0].get('name')} ({chosen[0]['id']})")
    try:
        asyncio.run(Chat(args, chosen[0]["id"], names).run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
