#!/usr/bin/env python3
"""Drives a running gateway with Python's standard http.client (a third-party HTTP implementation as far as our
server is concerned). Usage: http_client_check.py PORT ADMIN_KEY. Prints one line per check; exit 1 on failure."""
import http.client
import json
import sys

port, key = int(sys.argv[1]), sys.argv[2]
failures = []


def check(name, condition, detail=""):
    print(("PASS " if condition else "FAIL ") + name + ("" if condition else f" — {detail}"))
    if not condition:
        failures.append(name)


conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)

# Keep-alive: several requests over the one socket http.client keeps open.
conn.request("GET", "/healthz")
r = conn.getresponse()
body = r.read()
first_socket = conn.sock
check("healthz 200", r.status == 200 and json.loads(body) == {"status": "ok"}, f"{r.status} {body!r}")
check("content-type json", r.getheader("Content-Type") == "application/json", r.getheader("Content-Type"))
for _ in range(3):
    conn.request("GET", "/healthz")
    r = conn.getresponse()
    r.read()
check("keep-alive reuses the socket", conn.sock is first_socket and conn.sock is not None)

# Authentication and the canonical error shape.
conn.request("GET", "/v1/sessions")
r = conn.getresponse()
err = json.loads(r.read())
check("401 without a key", r.status == 401 and err["error"]["code"] == "unauthenticated", f"{r.status} {err}")
check("401 has WWW-Authenticate", r.getheader("WWW-Authenticate") == "Bearer")
conn.request("GET", "/v1/sessions", headers={"X-Api-Key": key})
r = conn.getresponse()
data = json.loads(r.read())
check("X-Api-Key works", r.status == 200 and "data" in data and data["next"] is None, f"{r.status} {data}")

# Chunked upload (http.client encodes the iterable body as chunks).
def chunks():
    yield b'{"name": "py-chunked", '
    yield b'"sessions": ["s1"]}'


conn.request("POST", "/v1/keys", body=chunks(), encode_chunked=True,
             headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
r = conn.getresponse()
created = json.loads(r.read())
check("chunked POST decoded", r.status == 201 and created.get("name") == "py-chunked" and created.get("key", "").startswith("sb_"),
      f"{r.status} {created}")

# The created key authenticates; deleting it revokes it at once.
conn.request("GET", "/v1/sessions", headers={"Authorization": "Bearer " + created["key"]})
r = conn.getresponse()
r.read()
check("new key authenticates", r.status == 200, r.status)
conn.request("DELETE", "/v1/keys/" + created["id"], headers={"Authorization": "Bearer " + key})
r = conn.getresponse()
r.read()
check("revoke 204", r.status == 204, r.status)
conn.request("GET", "/v1/sessions", headers={"Authorization": "Bearer " + created["key"]})
r = conn.getresponse()
r.read()
check("revoked key refused", r.status == 401, r.status)

# HEAD, 404, 405, bad JSON.
conn.request("HEAD", "/healthz")
r = conn.getresponse()
check("HEAD has length, no body", r.status == 200 and r.getheader("Content-Length") == "15" and r.read() == b"")
conn.request("GET", "/no/such/route")
r = conn.getresponse()
check("404 canonical", r.status == 404 and json.loads(r.read())["error"]["code"] == "not_found")
conn.request("PUT", "/healthz")
r = conn.getresponse()
r.read()
check("405 with Allow", r.status == 405 and r.getheader("Allow") == "GET, HEAD", r.getheader("Allow"))
conn.request("POST", "/v1/keys", body=b"{not json", headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
r = conn.getresponse()
bad = json.loads(r.read())
check("bad JSON is invalid_request", r.status == 400 and bad["error"]["code"] == "invalid_request" and "JSON" in bad["error"]["message"], bad)

# Request ids.
conn.request("GET", "/healthz", headers={"X-Request-Id": "python-check-1"})
r = conn.getresponse()
r.read()
check("request id echoed", r.getheader("X-Request-Id") == "python-check-1")

# OpenAPI and metrics.
conn.request("GET", "/openapi.json")
r = conn.getresponse()
doc = json.loads(r.read())
check("openapi 3.1", doc.get("openapi") == "3.1.0" and "/v1/sessions" in doc.get("paths", {}))
conn.request("GET", "/metrics")
r = conn.getresponse()
metrics = r.read().decode()
check("metrics text", "switchboard_http_requests_total" in metrics and r.getheader("Content-Type").startswith("text/plain"))

# Idempotency-Key: a retried group creation gets the first answer, not a second group.
auth = {"Authorization": "Bearer " + key, "Content-Type": "application/json", "Idempotency-Key": "python-create-1"}
answers = []
for _ in range(2):
    conn.request("POST", "/v1/sessions/default/groups", body=json.dumps({"name": "Python idempotent"}), headers=auth)
    r = conn.getresponse()
    answers.append((r.status, r.getheader("Idempotent-Replayed"), json.loads(r.read())))
check("idempotent create replayed", answers[0][0] == 201 and answers[1][0] == 201 and answers[0][1] is None
      and answers[1][1] == "true" and answers[0][2]["id"] == answers[1][2]["id"], answers)
conn.request("GET", "/v1/sessions/default/groups?name=Python%20idempotent", headers=auth)
r = conn.getresponse()
check("one group created", len(json.loads(r.read())["data"]) == 1)
conn.close()

print(f"python-http-client: {len(failures)} failed")
sys.exit(1 if failures else 0)
