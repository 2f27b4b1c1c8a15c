#!/usr/bin/env bash
# A tour of the native engine with curl, against a running gateway:
#   SWITCHBOARD_KEY=<admin key> examples/native-tour.sh [http://127.0.0.1:8080]
# Creates alice, bob and carol, a group, messages with receipts, a locked group, an approval-required join by
# invite link, and the last admin leaving. Prints each step; exits non-zero on the first unexpected answer.
set -euo pipefail
base=${1:-http://127.0.0.1:8080}
key=${SWITCHBOARD_KEY:?set SWITCHBOARD_KEY to an admin API key}
run=$(date +%s%N | tail -c 7)           # unique per run: the tour can be repeated on the same server
alice="alice-$run"; bob="bob-$run"; carol="carol-$run"
phone() { printf '+1555%07d' $(( (10#$run * 3 + $1) % 10000000 )); }   # fictional +1555… numbers

# call, expect, check and field: examples/lib.sh
source "$(dirname "$0")/lib.sh"

echo "Native engine tour against $base"
call POST /v1/sessions "{\"id\":\"$alice\",\"provider\":\"native\",\"phone\":\"$(phone 1)\"}"; expect 201 "create session $alice"
call POST /v1/sessions "{\"id\":\"$bob\",\"provider\":\"native\",\"phone\":\"$(phone 2)\"}";   expect 201 "create session $bob"
call POST /v1/sessions "{\"id\":\"$carol\",\"provider\":\"native\",\"phone\":\"$(phone 3)\"}"; expect 201 "create session $carol"
call GET "/v1/sessions/$bob"; check 'b["status"] == "ready"' "$bob is ready"

call POST "/v1/sessions/$alice/groups" "{\"name\":\"Tour $run\",\"participants\":[\"$(phone 2)\"]}"
expect 201 "$alice creates a group with $bob"
group=$(field '["id"]')
check 'b["participantCount"] == 2 and [p["role"] for p in b["participants"]] == ["superadmin", "member"]' "$alice is superadmin, $bob a member"

call POST "/v1/sessions/$alice/messages" "{\"group\":\"$group\",\"text\":\"Hello from the tour\"}"
expect 201 "$alice sends text"; text_id=$(field '["id"]')
check 'b["status"] == "sent" and b["receipts"]["recipients"] == 1' "the text is sent to 1 recipient"
call POST "/v1/sessions/$alice/messages" "{\"group\":\"$group\",\"type\":\"image\",\"media\":{\"url\":\"https://example.com/cat.jpg\",\"mimeType\":\"image/jpeg\"},\"caption\":\"A cat\"}"
expect 201 "$alice sends an image"; image_id=$(field '["id"]')

call GET "/v1/events?session=$bob&type=message.received"
check "sorted(e['data']['id'] for e in b['data']) == sorted(['$text_id', '$image_id'])" "$bob received both (message.received)"

call POST "/v1/sessions/$bob/messages/$text_id/read";  expect 204 "$bob reads the text"
call POST "/v1/sessions/$bob/messages/$image_id/read"; expect 204 "$bob reads the image"
call GET "/v1/messages/$text_id"
check 'b["status"] == "read" and b["receipts"] == {"recipients": 1, "delivered": 1, "read": 1}' "$alice sees her text read"
call GET "/v1/events?session=$alice&type=message.read"
check "len([e for e in b['data'] if e['data']['id'] in ('$text_id', '$image_id')]) == 2" "$alice got message.read events"

call PATCH "/v1/sessions/$alice/groups/$group" '{"settings":{"locked":true}}'; expect 200 "$alice locks the group"
call PATCH "/v1/sessions/$bob/groups/$group" '{"name":"Renamed by bob"}'
expect 403 "$bob's rename of the locked group is refused"
check 'b["error"]["code"] == "not_group_admin"' "…with not_group_admin"

call PATCH "/v1/sessions/$alice/groups/$group" '{"settings":{"approvalRequired":true}}'; expect 200 "$alice requires approval to join"
call GET "/v1/sessions/$alice/groups/$group/invite"; expect 200 "$alice gets the invite link"; link=$(field '["link"]')
call POST "/v1/sessions/$carol/groups/join" "{\"code\":\"$link\"}"; expect 200 "$carol joins by link"
check 'b["status"] == "pending_approval"' "…which makes a join request"
call GET "/v1/sessions/$alice/groups/$group/join-requests"
check "[r['phone'] for r in b['data']] == ['$(phone 3)']" "$alice sees $carol's request"
call POST "/v1/sessions/$alice/groups/$group/join-requests/approve" "{\"participants\":[\"$(phone 3)\"]}"
check 'b["results"][0]["status"] == "added"' "$alice approves; $carol is added"
call GET "/v1/sessions/$carol/groups/$group"; check 'b["participantCount"] == 3' "$carol sees the group (3 members)"

call POST "/v1/sessions/$alice/groups/$group/leave"; expect 204 "$alice, the only admin, leaves"
call GET "/v1/sessions/$bob/groups/$group"
check "[p['role'] for p in b['participants'] if p['phone'] == '$(phone 2)'] == ['admin'] and b['participantCount'] == 2" "$bob, the longest-standing member, is now admin"
call GET "/v1/events?session=$bob&type=group.participants.promoted"
check "any(e['group'] == '$group' for e in b['data'])" "$bob got group.participants.promoted"

echo "Tour complete: $step checks passed."
