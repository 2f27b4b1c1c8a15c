#!/usr/bin/env bash
# The same API calls against one session, whichever provider carries it (native, WAHA, waxum, …): switching
# providers is a line of configuration, and this script does not change.
#   SWITCHBOARD_KEY=<key> examples/switch-provider.sh [http://127.0.0.1:8080] [team]
# Each step prints ✓ (done), – (the provider does not offer it: the canonical unsupported_operation answer), or
# ✗ (anything else unexpected; the script then exits non-zero).
set -uo pipefail
base=${1:-http://127.0.0.1:8080}
session=${2:-team}
key=${SWITCHBOARD_KEY:?set SWITCHBOARD_KEY to an API key for the session}
body=$(mktemp); trap 'rm -f "$body"' EXIT
failures=0

call() {  # call METHOD PATH [JSON]
  local data=(); [ $# -ge 3 ] && data=(-H 'Content-Type: application/json' --data "$3")
  status=$(curl -sS -o "$body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $key" "${data[@]}" "$base$2") || status=000
}
field() { python3 -c "import json,sys; v=json.load(open('$body'))$1; print(v if not isinstance(v,(dict,list)) else json.dumps(v))" 2>/dev/null; }
report() {  # report DESCRIPTION SUMMARY-EXPRESSION
  if [ "${status:0:1}" = 2 ]; then
    echo "✓ $1 — HTTP $status $(field "$2")"
  elif [ "$status" = 501 ] && [ "$(field '["error"]["code"]')" = unsupported_operation ]; then
    echo "– $1 — unsupported_operation: $(field '["error"]["message"]')"
  else
    echo "✗ $1 — HTTP $status $(cat "$body")"; failures=$((failures + 1))
  fi
}

call GET "/v1/sessions/$session";                        report "session '$session' on provider" '["kind"]'
echo "  status: $(field '["status"]')"
call GET "/v1/sessions/$session/groups";                 report "list groups" '["data"].__len__()'
call POST "/v1/sessions/$session/groups" '{"name": "Team", "participants": ["+15550000002"]}'
report "create group 'Team'" '["id"]'
group=$(field '["id"]'); group=${group:-120363022345678901@g.us}
path=${group//@/%40}
call GET "/v1/sessions/$session/groups/$path";           report "get the group" '["participantCount"]'
call PATCH "/v1/sessions/$session/groups/$path" '{"name": "Team"}'; report "rename it" '["name"]'
call PATCH "/v1/sessions/$session/groups/$path" '{"settings": {"approvalRequired": true}}'; report "require approval to join" '["settings"]'
call POST "/v1/sessions/$session/messages" "{\"group\": \"$group\", \"text\": \"Hello team\"}"
report "send text" '["status"]'
message=$(field '["id"]')
[ -n "$message" ] && { call GET "/v1/messages/$message"; report "message status" '["status"]'; }
call POST "/v1/sessions/$session/groups/$path/participants/add" '{"participants": ["+15550000003"]}'
report "add a participant" '["results"]'
call GET "/v1/sessions/$session/groups/$path/invite";    report "invite link" '["link"]'
call GET "/v1/sessions/$session/groups/$path/join-requests"; report "list join requests" '["data"].__len__()'
call DELETE "/v1/sessions/$session/groups/$path";        report "delete the group" '""'

echo "switch-provider: $failures unexpected answer(s)"
[ "$failures" = 0 ]
