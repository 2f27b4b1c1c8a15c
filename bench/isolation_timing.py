#!/usr/bin/env python3
"""Tenant isolation by timing: tenant A (a key scoped to `alpha`) asks for tenant B's session, group and message,
and for missing ones of the same shape, interleaved on one keep-alive connection. The answers are identical
(TenantIsolationTests); this measures whether their latency tells them apart. Rate limits are off for the run.
Usage: bench/isolation_timing.py SWITCHBOARD_BINARY [ROUNDS]   (default 1000 requests of each kind)"""
import http.client, json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Scripts"))
import gateway_process

binary, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
data = tempfile.mkdtemp(prefix="switchboard-isolation-")
config = os.path.join(data, "config.json")
json.dump({"auth": {"rateLimit": False}}, open(config, "w"))
admin = "isolation-admin-key-0123456789"
gateway, port = gateway_process.start(binary, os.path.join(data, "db"), admin, config)
connection = http.client.HTTPConnection("127.0.0.1", port)


def call(method, path, body=None, key=admin):
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = connection.getresponse()
    return r.status, json.loads(r.read() or b"null")


for session, phone in [("alpha", "+15550000201"), ("beta", "+15550000202"), ("gamma", "+15550000203")]:
    call("POST", "/v1/sessions", {"id": session, "provider": "native", "phone": phone})
tenant = call("POST", "/v1/keys", {"name": "a", "sessions": ["alpha"]})[1]["key"]
group = call("POST", "/v1/sessions/beta/groups", {"name": "B", "participants": ["+15550000203"]})[1]["id"]
call("GET", "/v1/sessions/beta/groups/" + group)  # cached, as an active group is
message = call("POST", "/v1/sessions/beta/messages", {"group": group, "text": "x"})[1]["id"]
cases = [("session", "/v1/sessions/beta", "/v1/sessions/nosuch"),
         ("group", "/v1/sessions/alpha/groups/" + group, "/v1/sessions/alpha/groups/1" + "7" * (len(group.split("@")[0]) - 1) + "@g.us"),
         ("message", "/v1/messages/" + message, "/v1/messages/" + message[:4] + "7" * (len(message) - 4))]
print("| resource | tenant B's: median µs | p90 | missing: median µs | p90 | answers |")
print("|---|---|---|---|---|---|")
for name, cross, missing in cases:
    times, answers = {cross: [], missing: []}, set()
    for i in range(rounds):
        for path in (cross, missing) if i % 2 else (missing, cross):
            started = time.perf_counter()
            status, body = call("GET", path, key=tenant)
            times[path].append((time.perf_counter() - started) * 1e6)
            answers.add("%d %s" % (status, body["error"]["code"]))
    print("| %s | %.0f | %.0f | %.0f | %.0f | %s |" % (name, statistics.median(times[cross]), statistics.quantiles(times[cross], n=10)[8],
                                               statistics.median(times[missing]), statistics.quantiles(times[missing], n=10)[8], ", ".join(sorted(answers))))
gateway.terminate()
