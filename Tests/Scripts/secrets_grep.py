#!/usr/bin/env python3
"""Secrets stay secret: a gateway configured with every provider's credentials, webhook secrets, a JWT secret and a
subscriber secret (all through ${ENV}) is driven through a full run — every GET route, /metrics, sends and group
calls that fail at providers (one echoes the request headers, credentials included, back in its error body), signed
and unsigned inbound webhooks with good and bad signatures, keys and subscriptions created and rotated, wrong
credentials presented. Then the log of the whole run, every response body and every response header are grepped
for every secret. Only the answers that show a new secret once (key and subscription creation, rotation) may
contain it — and that secret must then appear nowhere else. Usage: secrets_grep.py SWITCHBOARD_BINARY"""
import base64, hashlib, hmac, http.client, json, os, secrets as random, signal, sys, tempfile, time, urllib.request
import fault_provider, gateway_process

binary = sys.argv[1]
data = tempfile.mkdtemp(prefix="switchboard-secrets-")
log_path = os.path.join(data, "gateway.log")
provider = fault_provider.start()
base = "http://127.0.0.1:%d" % provider.server_address[1]

secret = {name: "sekrit-%s-%s" % (name.lower().replace("_", "-"), random.token_hex(12)) for name in [
    "ADMIN_KEY", "WAHA_API_KEY", "WAHA_WEBHOOK_SECRET", "WAXUM_TOKEN", "WAXUM_WEBHOOK_SECRET", "WALYTIC_API_KEY",
    "WALYTIC_WEBHOOK_TOKEN", "TALKNTALK_API_KEY", "TALKNTALK_WEBHOOK_SECRET", "A1BASE_API_KEY", "A1BASE_API_SECRET",
    "JWT_SECRET"]}
secret["SUBSCRIBER_SECRET"] = "whsec_" + base64.b64encode(os.urandom(32)).decode()
key = secret["ADMIN_KEY"]
timeouts = {"connectSeconds": 1, "requestSeconds": 2}
config = {
    "log": {"level": "trace"},
    "providers": {
        "waha": {"kind": "waha", "baseUrl": base, "credentials": {"apiKey": "${WAHA_API_KEY}"}, "webhookSecret": "${WAHA_WEBHOOK_SECRET}", "timeouts": timeouts},
        "waxum": {"kind": "waxum", "baseUrl": base, "credentials": {"token": "${WAXUM_TOKEN}"}, "webhookSecret": "${WAXUM_WEBHOOK_SECRET}", "timeouts": timeouts},
        "walytic": {"kind": "walytic", "baseUrl": base, "credentials": {"apiKey": "${WALYTIC_API_KEY}", "webhookToken": "${WALYTIC_WEBHOOK_TOKEN}"}, "timeouts": timeouts},
        "talkntalk": {"kind": "talkntalk", "baseUrl": base, "credentials": {"apiKey": "${TALKNTALK_API_KEY}", "webhookSecret": "${TALKNTALK_WEBHOOK_SECRET}"}, "timeouts": timeouts},
        "a1base": {"kind": "a1base", "baseUrl": base, "credentials": {"apiKey": "${A1BASE_API_KEY}", "apiSecret": "${A1BASE_API_SECRET}"}, "timeouts": timeouts},
    },
    "sessions": {
        "wa": {"provider": "waha", "account": {"session": "default"}},
        "wx": {"provider": "waxum", "account": {"sessionId": "s1"}},
        "wl": {"provider": "walytic", "account": {"sessionId": "s2"}},
        "tt": {"provider": "talkntalk", "account": {"sessionId": "7f1c9a52-0000-4000-8000-000000000001"}},
        "ab": {"provider": "a1base", "account": {"accountId": "acc-1", "from": "+15550000100"}},
        "nat": {"provider": "native", "account": {"phone": "+15550000101"}},
    },
    "webhooks": {"allowPrivateTargets": True, "subscribers": {
        "ops": {"url": "http://127.0.0.1:9/hook", "secret": "${SUBSCRIBER_SECRET}"}}},
    "sends": {"retry": {"firstDelaySeconds": 0.2, "jitter": 0}, "unknownOutcome": {"graceSeconds": 0.2}},
    "auth": {"jwt": {"secret": "${JWT_SECRET}"}},
}
config_path = os.path.join(data, "config.json")
json.dump(config, open(config_path, "w"))
environment = {name: value for name, value in secret.items() if name != "ADMIN_KEY"}
gateway, port = gateway_process.start(binary, data, key, config_path, log=log_path, env=environment)

answers = []          # (label, text) of every answer that must hold no secret
shown_once = []       # (label, text) of the answers that show a new secret once


def call(method, path, body=None, headers=None, once=False, raw=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    sent = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
    sent.update(headers or {})
    c.request(method, path, body=raw if raw is not None else (json.dumps(body) if body is not None else None), headers=sent)
    r = c.getresponse()
    content = r.read().decode("utf-8", "replace")
    text = "%d\n%s\n%s" % (r.status, "\n".join("%s: %s" % h for h in r.getheaders()), content)
    (shown_once if once else answers).append(("%s %s" % (method, path), text))
    try:
        return r.status, json.loads(content) if content else None
    except ValueError:
        return r.status, None


def signed(secret_value, body, algorithm=hashlib.sha512):
    return hmac.new(secret_value.encode(), body, algorithm).hexdigest()


# Every GET route, as admin.
status, document = call("GET", "/openapi.json")
for path in ["/healthz", "/readyz", "/metrics", "/v1/providers", "/v1/sessions", "/v1/keys", "/v1/webhooks", "/v1/webhooks/ops",
             "/v1/webhooks/ops/deliveries", "/v1/events"]:
    call("GET", path)
for session in config["sessions"]:
    call("GET", "/v1/sessions/" + session)
    call("GET", "/v1/sessions/%s/groups" % session)
    call("GET", "/v1/sessions/%s/messages" % session)
for name in config["providers"]:
    call("GET", "/v1/providers/%s/drift" % name)

# Sends and group calls that fail at the providers: one echoes the credentials it got back in its error body.
urllib.request.urlopen(urllib.request.Request(base + "/_plan", data=json.dumps({"faults": ["echo:401", "echo:500", "echo:400"]}).encode(),
                                              headers={"Content-Type": "application/json"}, method="POST"), timeout=5).read()
message_ids = []
for session in ["wa", "wx", "wa", "wl", "tt", "ab"]:
    status, body = call("POST", "/v1/sessions/%s/messages" % session, {"group": "120363000000000001@g.us", "text": "hello"})
    if body and body.get("id"): message_ids.append(body["id"])
    call("POST", "/v1/sessions/%s/groups" % session, {"name": "team", "participants": ["+15550000102"]})
    call("GET", "/v1/sessions/%s/groups/120363000000000001%%40g.us" % session)
for ident in message_ids:
    call("GET", "/v1/messages/" + ident)

# Inbound webhooks: good and bad signatures, the unsigned provider's URL token right and wrong.
payload = json.dumps({"event": "message", "session": "default", "payload": {"id": "x", "from": "120363000000000001@g.us", "body": "hi"}}).encode()
call("POST", "/v1/inbound/waha/wa", raw=payload, headers={"X-Webhook-Hmac": signed(secret["WAHA_WEBHOOK_SECRET"], payload), "X-Webhook-Hmac-Algorithm": "sha512"})
call("POST", "/v1/inbound/waha/wa", raw=payload, headers={"X-Webhook-Hmac": "00" * 64, "X-Webhook-Hmac-Algorithm": "sha512"})
call("POST", "/v1/inbound/walytic/wl?token=" + secret["WALYTIC_WEBHOOK_TOKEN"], raw=b'{"event": "group_message_sent", "data": {}}')
call("POST", "/v1/inbound/walytic/wl?token=wrong-token", raw=b'{"event": "group_message_sent", "data": {}}')
call("POST", "/v1/inbound/talkntalk/tt", raw=b'{"event": "message"}', headers={"X-TalkNTalk-Signature": "t=1,v1=00"})
call("POST", "/v1/normalize/waha", raw=payload)

# Keys and subscriptions: their secrets are shown once, then never again.
status, created = call("POST", "/v1/keys", {"name": "tenant", "sessions": ["nat"]}, once=True)
secret["CREATED_KEY"] = created["key"]
call("GET", "/v1/keys")
call("GET", "/v1/sessions", headers={"Authorization": "Bearer " + secret["CREATED_KEY"]})
status, subscription = call("POST", "/v1/webhooks", {"url": "http://127.0.0.1:9/other"}, once=True)
secret["CREATED_SUBSCRIPTION_SECRET"] = subscription["secret"]
status, rotated = call("POST", "/v1/webhooks/%s/rotate" % subscription["id"], {}, once=True)
secret["ROTATED_SUBSCRIPTION_SECRET"] = rotated["secret"]
call("GET", "/v1/webhooks/" + subscription["id"])
call("GET", "/v1/webhooks")

# Wrong credentials that happen to be secrets, in every place a credential can go.
for wrong in [secret["JWT_SECRET"], secret["WAHA_API_KEY"], secret["ADMIN_KEY"] + "x"]:
    call("GET", "/v1/sessions", headers={"Authorization": "Bearer " + wrong})
    call("GET", "/v1/sessions", headers={"Authorization": "", "X-Api-Key": wrong})
call("GET", "/v1/sessions?api_key=" + secret["A1BASE_API_SECRET"])

time.sleep(2)  # outbox retries and webhook deliveries log in the background
call("GET", "/metrics")
call("GET", "/v1/events")
gateway.send_signal(signal.SIGTERM)
gateway.wait(timeout=20)
log = open(log_path, encoding="utf-8", errors="replace").read()

leaks = []
for name, value in secret.items():
    if value in log:
        line = next(line for line in log.splitlines() if value in line)
        leaks.append("%s in the log: %s" % (name, line[:300]))
    for label, text in answers:
        if value in text:
            leaks.append("%s in the answer to %s" % (name, label))
    for label, text in shown_once:
        if value in text and not (name.startswith("CREATED") or name.startswith("ROTATED")):
            leaks.append("%s in the answer to %s" % (name, label))
echoed = sum(1 for _, text in answers if "injected" in text or "Unauthorized" in text)
print("log: %d lines; answers checked: %d (+%d showing a new secret once); secrets: %d; provider error answers seen: %d"
      % (len(log.splitlines()), len(answers), len(shown_once), len(secret), echoed))
if len(log.splitlines()) < 50 or len(answers) < 60:
    leaks.append("the run was too small to mean anything")
for leak in leaks:
    print("LEAK " + leak)
print("secrets: %s" % ("clean" if not leaks else "%d leaks" % len(leaks)))
sys.exit(1 if leaks else 0)
