#!/usr/bin/env python3
"""A small webhook app: receives Switchboard's signed deliveries, verifies them, and sends a message.

    SWITCHBOARD_KEY=<key> python3 examples/webhook_app.py --session alice --group Team [--url http://127.0.0.1:8080]
        [--port 9000] [--public-url URL] [--text "Hello"] [--once] [--timeout 30]
    python3 examples/webhook_app.py --secret whsec_… [--port 9000]      # only receive, for an existing subscription

It listens on --port (0: a free one, shown in "listening on …"), subscribes itself (or --public-url, e.g. a tunnel)
to the session's message.* events, sends --text to the group (an id, …@g.us, or a name), and prints each verified
delivery. --once exits 0 when its message is `sent` (1 after --timeout). On exit it deletes the subscription it
created. Delivering to 127.0.0.1 needs "webhooks": {"allowPrivateTargets": true} in the gateway's config.
"""
import argparse, base64, hashlib, hmac, json, os, signal, sys, threading, time, urllib.error, urllib.parse, urllib.request, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20  # 1 MiB
TOLERANCE = 5 * 60  # seconds either way


def say(line):  # one write per line: lines from the receiver's threads never interleave
    sys.stdout.write(line + "\n")


class Refused(Exception):  # args: the HTTP status to answer, and why
    pass


def secret_key(secret):
    """The HMAC key of a whsec_<base64> secret."""
    return base64.b64decode(secret.removeprefix("whsec_"), validate=True)


def verify(key, headers, body):
    """The event in a delivery signed per Standard Webhooks (https://www.standardwebhooks.com/), else Refused.

    The key is the base64 after "whsec_"; webhook-signature lists "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>"
    (two while a secret is rotated); a timestamp more than 5 minutes off is a replay."""
    webhook_id, timestamp, signatures = (headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (webhook_id and timestamp and signatures):
        raise Refused(401, "missing webhook-id, webhook-timestamp or webhook-signature")
    if not timestamp.isdecimal():
        raise Refused(400, f"webhook-timestamp {timestamp[:20]!r} is not unix seconds")
    if abs(time.time() - int(timestamp)) > TOLERANCE:
        raise Refused(400, f"webhook-timestamp {timestamp} is more than {TOLERANCE} s off")
    expected = base64.b64encode(hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    candidates = (part.partition(",") for part in signatures.split())
    if not any(version == "v1" and hmac.compare_digest(value.encode(), expected) for version, _, value in candidates):
        raise Refused(401, "no valid v1 signature")
    try:
        return json.loads(body)
    except ValueError:
        raise Refused(400, "the body is not JSON") from None


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port):
        super().__init__(("127.0.0.1", port), Handler)  # listening already: deliveries wait until serve_forever
        self.key = None       # set from the secret before serving
        self.seen = set()     # webhook-ids handled: the event id, the same on every retry (a real app stores these)
        self.outcomes = {}    # message id → "message.sent" or "message.failed"
        self.changed = threading.Condition()

    def record(self, webhook_id, event):
        """False for a webhook-id already handled (a retry); else notes the event and prints it."""
        data = event.get("data") or {}
        with self.changed:
            if webhook_id in self.seen:
                return False
            self.seen.add(webhook_id)
            text = f" {json.dumps(data['text'], ensure_ascii=False)}" if data.get("text") else ""
            say(f"verified {event.get('type')} {data.get('id', '-')} status={data.get('status', '-')}{text}")
            if event.get("type") in ("message.sent", "message.failed"):
                self.outcomes.setdefault(data.get("id"), event["type"])
                self.changed.notify_all()
        return True


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = self.headers.get("Content-Length", "")
        if not length.isdecimal():
            return self.answer(411, "a Content-Length is required")
        if int(length) > MAX_BODY:
            return self.answer(413, f"the body is over {MAX_BODY} bytes")  # refused unread
        body = self.rfile.read(int(length))
        try:
            event = verify(self.server.key, self.headers, body)
        except Refused as refused:
            return self.answer(*refused.args)
        if not self.server.record(self.headers["webhook-id"], event):
            say(f"duplicate {self.headers['webhook-id']} ignored")
        self.answer(204)

    def answer(self, status, reason=None):
        if reason:
            say(f"refused {status}: {reason}")
            self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # one line per delivery is printed above instead
        pass


def api(args, method, path, body=None, headers=None):
    """The JSON answer of a gateway call; exits with the canonical error when it fails."""
    headers = {"Authorization": f"Bearer {args.key}", "Content-Type": "application/json", **(headers or {})}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(args.url.rstrip("/") + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.loads(response.read() or "null")
    except urllib.error.HTTPError as error:
        sys.exit(f"webhook_app.py: {method} {path} answered {error.code} {canonical(error.read())}")
    except urllib.error.URLError as error:
        sys.exit(f"webhook_app.py: cannot reach {args.url}: {error.reason}")


def canonical(body):
    """'code: message' of a canonical error ({"error": {"code", "message", "status", "retryable"}}), else the text."""
    try:
        error = json.loads(body)["error"]
        return f"{error['code']}: {error['message']}" + (" (retryable)" if error.get("retryable") else "")
    except (ValueError, KeyError, TypeError):
        return body.decode(errors="replace").strip()[:200]


def main():
    parser = argparse.ArgumentParser(description="Receive and verify Switchboard webhooks, and send a message.")
    parser.add_argument("--session", help="the session that sends, and whose message events are delivered")
    parser.add_argument("--group", help="the group to send to: an id (…@g.us) or a name")
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the gateway (default %(default)s)")
    parser.add_argument("--port", type=int, default=9000, help="the port to listen on; 0 picks a free one")
    parser.add_argument("--public-url", help="the URL Switchboard delivers to (default http://127.0.0.1:PORT/webhook)")
    parser.add_argument("--text", default="Hello from webhook_app.py")
    parser.add_argument("--secret", type=secret_key, help="only receive, verifying with this whsec_… secret")
    parser.add_argument("--once", action="store_true", help="exit once the message sent is `sent`")
    parser.add_argument("--timeout", type=float, default=30, help="seconds --once waits (default %(default)s)")
    args = parser.parse_args()
    args.key = os.environ.get("SWITCHBOARD_KEY")
    if not args.secret and not (args.session and args.group and args.key) or args.secret and args.once:
        parser.error("give --session, --group and SWITCHBOARD_KEY, or --secret (without --once) to only receive")
    sys.stdout.reconfigure(line_buffering=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so `finally` deletes the subscription

    server, subscription = Receiver(args.port), None
    local = f"http://127.0.0.1:{server.server_address[1]}/webhook"
    say(f"listening on {local}")
    try:
        if not args.secret:
            target = args.public_url or local
            created = api(args, "POST", "/v1/webhooks", {"url": target, "events": ["message.*"], "sessions": [args.session]})
            subscription = created["id"]
            say(f"subscribed {subscription}: message.* of {args.session} → {target}")
        server.key = args.secret or secret_key(created["secret"])
        threading.Thread(target=server.serve_forever, daemon=True).start()
        if not args.secret:
            group = {"group": args.group} if args.group.endswith("@g.us") else {"groupName": args.group}
            message = api(args, "POST", f"/v1/sessions/{urllib.parse.quote(args.session)}/messages",
                          {**group, "text": args.text}, {"Idempotency-Key": str(uuid.uuid4())})
            say(f"sent {message['id']} status={message['status']} to {args.group}")
        if args.once:
            with server.changed:
                server.changed.wait_for(lambda: message["id"] in server.outcomes, args.timeout)
                outcome = server.outcomes.get(message["id"])
            if outcome != "message.sent":
                sys.exit(f"webhook_app.py: {message['id']}: {outcome or f'no message.sent within {args.timeout:g} s'}")
            say(f"done: {message['id']} is sent")
            return 0
        while True:  # until Ctrl-C or SIGTERM
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        if subscription:
            api(args, "DELETE", f"/v1/webhooks/{subscription}")
            say(f"deleted subscription {subscription}")


if __name__ == "__main__":
    sys.exit(main())
