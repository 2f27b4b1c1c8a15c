#!/usr/bin/env python3
"""Writes COUNT signed WAHA `message` webhooks, one per line: "<x-webhook-timestamp>\t<x-webhook-hmac>\t<body>".
Each has its own message id, so every request is a new event (none is deduplicated away).
Usage: webhook_requests.py SECRET COUNT OUT [PREFIX]"""
import hashlib, hmac, json, sys, time

secret, count, out = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3]
prefix = sys.argv[4] if len(sys.argv) > 4 else "A"
group = "120363022345678901@g.us"
now_ms = int(time.time() * 1000)
with open(out, "w") as f:
    for i in range(count):
        body = json.dumps({
            "id": f"evt_bench_{prefix}{i:09d}", "timestamp": now_ms, "event": "message", "session": "default",
            "payload": {"id": f"false_{group}_3EB0{prefix}{i:016X}_15550000002@c.us", "timestamp": now_ms // 1000, "from": group,
                        "fromMe": False, "participant": "15550000002@c.us", "body": f"bench message {i}", "hasMedia": False, "ack": 1},
        }, separators=(",", ":"))
        signature = hmac.new(secret, body.encode(), hashlib.sha512).hexdigest()
        f.write(f"{now_ms}\t{signature}\t{body}\n")
