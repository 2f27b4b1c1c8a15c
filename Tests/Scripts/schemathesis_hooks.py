"""Schemathesis hooks for schemathesis_run.sh.

`before_call` adjusts two inputs whose acceptance is state, not schema, before each request:
- `Idempotency-Key`: schemathesis reuses generated values ("0", …) for different requests, which the gateway
  rightly answers 422 idempotency_conflict, so most sends and group changes would never run. A valid key gets a
  suffix derived from the request (method, path, query, body): the same request keeps the same key (replays are
  still exercised), a different one gets a different key. Invalid keys are sent as generated.
- webhook `url`: any http(s) URL is replaced by a loopback URL where nothing listens, so subscriptions get created
  and their routes reached, and the gateway (started with allowPrivateTargets) never resolves or connects to a
  generated host. Other values (not a URL, not a string) are sent as generated, to test their refusal.

`documented_status_code`: every operation of /openapi.json also has a `default` error response (the canonical
error shape), which makes schemathesis's own `status_code_conformance` accept any status. This check is the strict
one: the status of every answer must be listed explicitly, so the document says which errors each operation
really gives (400, 401, 404, 409, 413, 422, …)."""
import hashlib
import json
import re

import schemathesis
from schemathesis.specs.openapi.checks import is_unexpected_http_status_case

WEBHOOK_TARGET = "http://127.0.0.1:9/switchboard-schemathesis"


@schemathesis.hook
def before_call(ctx, case, kwargs):
    headers = case.headers
    key = headers.get("Idempotency-Key") if headers is not None else None
    if isinstance(key, str) and re.fullmatch(r"[!-~]{1,200}", key):
        request = [case.method, case.formatted_path, sorted((case.query or {}).items()), _body(case)]
        digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()[:16]
        headers["Idempotency-Key"] = f"{key}.{digest}"
    if case.operation.label in ("POST /v1/webhooks", "PATCH /v1/webhooks/{id}") and isinstance(_body(case), dict):
        url = case.body.get("url")
        if isinstance(url, str) and re.match(r"(?i)\s*https?:", url):
            case.body["url"] = WEBHOOK_TARGET


def _body(case):
    body = case.body
    return body if isinstance(body, (dict, list, str, int, float, bool)) or body is None else None


def _documented(status, codes):
    for code in codes:
        code = str(code)
        if code == str(status) or (len(code) == 3 and code[1:].upper() == "XX" and code[0] == str(status)[0]):
            return True
    return False


@schemathesis.check
def documented_status_code(ctx, response, case):
    # Request-shape probes (a method the operation does not have, an unexpected content type) answer for the path,
    # not for this operation: 405 and 415-like answers are judged by the unsupported-method checks instead.
    if is_unexpected_http_status_case(case) or case.method.upper() != case.operation.method.upper():
        return None
    codes = [code for code in case.operation.responses.status_codes if code != "default"]
    if not _documented(response.status_code, codes):
        raise AssertionError(
            f"Undocumented status: {case.operation.label} answered {response.status_code}; "
            f"it lists {', '.join(sorted(map(str, codes)))} (besides 'default')")
    return None
