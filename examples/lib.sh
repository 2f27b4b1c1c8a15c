# Helpers of the step-by-step curl examples (quickstart.sh, native-tour.sh), sourced after they set $base and $key.
# Each step prints "✓ N. what" or "✗ N. what" with the answer's body, and the script stops at the first ✗.

body=$(mktemp); trap 'rm -f "$body"' EXIT
step=0
# call METHOD PATH [JSON] → sets $status and leaves the body in $body
call() {
  local data=(); [ $# -ge 3 ] && data=(-H 'Content-Type: application/json' --data "$3")
  status=$(curl -sS -o "$body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $key" "${data[@]}" "$base$2")
}
# pass / fail DESCRIPTION: print a step; fail shows the last body and exits
pass() { step=$((step + 1)); echo "✓ $step. $1"; }
fail() { step=$((step + 1)); echo "✗ $step. $1"; cat "$body"; echo; exit 1; }
# expect CODE DESCRIPTION: the last call must have answered CODE
expect() { if [ "$status" = "$1" ]; then pass "$2"; else fail "$2: expected HTTP $1, got $status"; fi; }
# field EXPRESSION: a value from the last body, e.g. field '["id"]'
field() { python3 -c "import json,sys; v=json.load(open('$body'))$1; print(v if not isinstance(v,(dict,list)) else json.dumps(v))"; }
# holds CONDITION: a Python expression over the last body (`b`)
holds() { python3 -c "import json,sys; b=json.load(open('$body')); sys.exit(0 if ($1) else 1)" 2>/dev/null; }
# check CONDITION DESCRIPTION: the condition must hold
check() { if holds "$1"; then pass "$2"; else fail "$2"; fi; }
