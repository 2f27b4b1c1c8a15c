#!/usr/bin/env bash
# Drives a running gateway with curl. Usage: curl_check.sh PORT ADMIN_KEY. Exit 1 on the first failure.
set -u
port=$1; key=$2; base="http://127.0.0.1:$port"
fail() { echo "FAIL $1"; exit 1; }
pass() { echo "PASS $1"; }

[ "$(curl -sS "$base/healthz")" = '{"status":"ok"}' ] || fail "healthz body"; pass "healthz body"
# Two URLs in one curl call reuse the connection (curl says so on stderr).
out=$(curl -sS -v "$base/healthz" "$base/healthz" 2>&1 >/dev/null)
echo "$out" | grep -qi "Re-using existing connection\|reusing connection" || fail "keep-alive reuse"; pass "keep-alive reuse"
# Expect: 100-continue with a body.
body=$(printf '{"name":"curl","sessions":["s1"],"expiresInSeconds":3600}')
code=$(curl -sS -o /tmp/curl_check_$$ -w '%{http_code}' -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -H 'Expect: 100-continue' --data-binary "$body" "$base/v1/keys")
[ "$code" = 201 ] || fail "POST with Expect: 100-continue ($code)"; pass "POST with Expect: 100-continue"
grep -q '"expiresAt":"' /tmp/curl_check_$$ || fail "expiry recorded"; pass "expiry recorded"
rm -f /tmp/curl_check_$$
# Chunked upload.
code=$(printf '{"name":"curl-chunked","admin":true}' | curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @- "$base/v1/keys")
[ "$code" = 201 ] || fail "chunked upload ($code)"; pass "chunked upload"
# Percent-encoded path parameters reach the route decoded (unknown session → session_not_found naming it).
resp=$(curl -sS -H "Authorization: Bearer $key" "$base/v1/sessions/no%2Dsuch")
echo "$resp" | grep -q '"code":"session_not_found"' || fail "session_not_found: $resp"
echo "$resp" | grep -q "'no-such'" || fail "decoded parameter in message: $resp"; pass "percent-decoded parameter"
# Oversized body: 413 in the canonical shape.
code=$(head -c 1100000 /dev/zero | tr '\0' 'a' | curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @- "$base/v1/keys")
[ "$code" = 413 ] || fail "413 for an oversized body ($code)"; pass "413 for an oversized body"
echo "curl: all passed"
