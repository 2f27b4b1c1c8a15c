#!/usr/bin/env python3
"""JWTs minted by a third-party library (PyJWT) against a running gateway: an HS256 token with a sessions claim
works and is scoped; `alg: none`, HS512 and RS-style confusion, expired, not-yet-valid, wrongly signed and
claim-less tokens are refused with 401 unauthenticated. Usage: jwt_check.py PORT JWT_SECRET"""
import http.client, json, sys, time, warnings
import jwt

warnings.filterwarnings("ignore")  # PyJWT notes that the HS384/HS512 keys are short: those tokens are meant to fail

port, secret = int(sys.argv[1]), sys.argv[2]
now = int(time.time())
failures = []


def get(token, path="/v1/sessions"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    body = r.read()
    return r.status, json.loads(body) if body else None


def check(name, token, status, code=None, path="/v1/sessions"):
    got, body = get(token, path)
    ok = got == status and (code is None or (body or {}).get("error", {}).get("code") == code)
    print(("ok   " if ok else "FAIL ") + "%s: %d %s" % (name, got, json.dumps(body)[:160]), flush=True)
    if not ok: failures.append(name)
    return body


scoped = {"sub": "pyjwt-app", "sessions": ["default"], "exp": now + 300, "iat": now}
body = check("HS256 scoped token", jwt.encode(scoped, secret, algorithm="HS256"), 200)
if [s.get("id") for s in (body or {}).get("data", [])] != ["default"]: failures.append("scope")
check("scoped token is no admin", jwt.encode(scoped, secret, algorithm="HS256"), 403, "forbidden", "/v1/keys")
check("admin claim", jwt.encode({"sub": "ops", "admin": True, "exp": now + 300}, secret, algorithm="HS256"), 200, path="/v1/keys")
check("alg none", jwt.encode(scoped, None, algorithm="none"), 401, "unauthenticated")
check("HS512 with the same secret", jwt.encode(scoped, secret, algorithm="HS512"), 401, "unauthenticated")
check("HS384 with the same secret", jwt.encode(scoped, secret, algorithm="HS384"), 401, "unauthenticated")
check("expired", jwt.encode(dict(scoped, exp=now - 120), secret, algorithm="HS256"), 401, "unauthenticated")
check("not yet valid", jwt.encode(dict(scoped, nbf=now + 120), secret, algorithm="HS256"), 401, "unauthenticated")
check("wrong secret", jwt.encode(scoped, secret + "x", algorithm="HS256"), 401, "unauthenticated")
check("no exp", jwt.encode({"sub": "a", "sessions": ["default"]}, secret, algorithm="HS256"), 401, "unauthenticated")
check("no sub", jwt.encode({"sessions": ["default"], "exp": now + 300}, secret, algorithm="HS256"), 401, "unauthenticated")
check("no sessions", jwt.encode({"sub": "a", "exp": now + 300}, secret, algorithm="HS256"), 401, "unauthenticated")
print("jwt: %s" % ("ok" if not failures else "FAILED " + ", ".join(failures)))
sys.exit(1 if failures else 0)
