#!/usr/bin/env python3
"""Creates the benchmark world on a running gateway: N native sessions, one group of all N (created by the
first) and one group of two. Prints shell assignments: BIG_GROUP, SMALL_GROUP, SENDER, READER.
Usage: native_setup.py BASE_URL ADMIN_KEY [N]"""
import http.client, json, sys, urllib.parse

base, key = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 50
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

def call(method, path, body=None, expect=(200, 201)):
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = conn.getresponse(); data = r.read()
    if r.status not in expect:
        sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None

phones = [f"+1555{9000000 + i:07d}" for i in range(count)]
for i, phone in enumerate(phones):
    call("POST", "/v1/sessions", {"id": f"m{i}", "provider": "native", "phone": phone})
big = call("POST", "/v1/sessions/m0/groups", {"name": "Fifty", "participants": phones[1:]})
small = call("POST", "/v1/sessions/m0/groups", {"name": "Two", "participants": [phones[1]]})
assert big["participantCount"] == count and small["participantCount"] == 2
print(f"BIG_GROUP={big['id']}\nSMALL_GROUP={small['id']}\nSENDER=m0\nREADER=m1")
