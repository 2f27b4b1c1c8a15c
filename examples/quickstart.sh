#!/usr/bin/env bash
# The README's "Quick start with curl" as one script, against a running gateway:
#   SWITCHBOARD_KEY=<admin key> examples/quickstart.sh [http://127.0.0.1:8080]
# Sessions alice and bob, a group Team, alice sends "Hello", bob receives and reads it, alice's message is read.
# Prints each step; exits non-zero on the first unexpected answer. It can be run again on the same server: sessions
# that already exist with the README's phone numbers are reused, and so is alice's group Team.
set -euo pipefail
base=${1:-http://127.0.0.1:8080}
base=${base%/}
key=${SWITCHBOARD_KEY:?set SWITCHBOARD_KEY to an admin API key}
alice_phone=+15550000001; bob_phone=+15550000002   # the README's fictional numbers

# call, expect, check, field, holds, pass and fail: examples/lib.sh
source "$(dirname "$0")/lib.sh"

# session ID PHONE: create it, or accept 409 only when the existing session has that phone
session() {
  call POST /v1/sessions "{\"id\":\"$1\",\"provider\":\"native\",\"phone\":\"$2\"}"
  if [ "$status" = 201 ]; then pass "create session $1 ($2)"; return; fi
  [ "$status" = 409 ] || fail "create session $1: expected HTTP 201 (or 409 when it exists), got $status"
  local conflict; conflict=$(field '["error"]["message"]' 2>/dev/null) || conflict="HTTP 409"
  call GET "/v1/sessions/$1"
  if [ "$status" = 200 ] && holds "b['provider'] == 'native' and b['account']['phone'] == '$2'"; then
    pass "session $1 ($2) already exists"
  else
    fail "create session $1 ($2): $conflict (GET /v1/sessions/$1: HTTP $status)"
  fi
}

echo "Quick start against $base"
session alice "$alice_phone"
session bob "$bob_phone"

call GET "/v1/sessions/alice/groups?name=Team"; expect 200 "list alice's groups named Team"
if holds 'len(b["data"]) == 0'; then
  call POST /v1/sessions/alice/groups "{\"name\":\"Team\",\"participants\":[\"$bob_phone\"]}"
  expect 201 "alice creates the group Team with bob"; group=$(field '["id"]')
else
  group=$(field '["data"][0]["id"]'); pass "alice already has the group Team"
fi
call GET "/v1/sessions/alice/groups/$group"
check "'$bob_phone' in [p['phone'] for p in b['participants']]" "bob is a member of Team ($group)"

call POST /v1/sessions/alice/messages "{\"group\":\"$group\",\"text\":\"Hello\"}"
expect 201 "alice sends \"Hello\""; message=$(field '["id"]')
check 'b["status"] == "sent"' "…and it is sent ($message)"

# The log is oldest first: on a server with a long history, page on until the message shows up.
events="/v1/events?session=bob&type=message.received"
call GET "$events"
while [ "$status" = 200 ] && ! holds "'$message' in [e['data']['id'] for e in b['data']]" && holds 'b["next"]'; do
  call GET "$events&after=$(field '["next"]')"
done
check "'$message' in [e['data']['id'] for e in b['data']]" "bob received it (message.received)"

call POST "/v1/sessions/bob/messages/$message/read"; expect 204 "bob reads it"

call GET "/v1/messages/$message"
check 'b["status"] == "read" and b["receipts"] == {"recipients": 1, "delivered": 1, "read": 1}' \
  "alice's message is read (receipts: 1 recipient, 1 delivered, 1 read)"

echo "Quick start complete: $step checks passed."
echo "Next: the dashboard at $base/ and, for locked groups, invite links and more, examples/native-tour.sh."
