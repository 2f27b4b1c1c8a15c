#!/usr/bin/env bash
# Schemathesis (property-based API testing, from PyPI) against /openapi.json of a running gateway: every operation,
# a bounded number of generated requests each (coverage, fuzzing and stateful phases, fixed seed), every check
# (no 5xx, statuses, content types, headers and bodies as documented, invalid data refused, valid data accepted,
# unsupported methods, auth) plus documented_status_code (schemathesis_hooks.py). Exits non-zero on any failure.
#
# Runs the release binary (the test command builds it first). The pinned schemathesis is installed once into a
# git-ignored venv. Overrides: SWITCHBOARD_BINARY, SCHEMATHESIS_VENV, SCHEMATHESIS_MAX_EXAMPLES, SCHEMATHESIS_SEED;
# arguments are passed on to `schemathesis run` (e.g. `--include-operation-id sendMessage`; it runs in a temporary
# folder, so give paths absolute: `--report ndjson --report-dir "$PWD/report"`).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

version=4.32.5
binary=${SWITCHBOARD_BINARY:-.build/release/switchboard}
venv=${SCHEMATHESIS_VENV:-$root/.build-venv/schemathesis}
examples=${SCHEMATHESIS_MAX_EXAMPLES:-50}
seed=${SCHEMATHESIS_SEED:-8006}
key=sb_schemathesis_admin_key_0123456789abcdef
case $venv in /*) ;; *) venv=$root/$venv ;; esac

[ -x "$binary" ] || { echo "schemathesis_run: $binary is missing: run 'swift build -c release' first"; exit 1; }
if [ "$("$venv/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $version" ]; then
  echo "schemathesis_run: installing schemathesis $version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$version"
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The embedded default's native session, plus loopback webhook targets: the hooks point every generated webhook
# URL at 127.0.0.1, so nothing is resolved or contacted beyond this machine.
cat >"$work/config.json" <<'JSON'
{"sessions": {"default": {"provider": "native", "account": {"phone": "+15550000000"}}},
 "webhooks": {"allowPrivateTargets": true}}
JSON
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SWITCHBOARD_ADMIN_KEY=$key "$binary" serve --port "$port" --data "$work/data" --config "$work/config.json" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 200); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; echo "schemathesis_run: the gateway did not start"; exit 1; }
  sleep 0.05
done

started=$(date +%s)
status=0
# From the temporary folder, so that Hypothesis's caches (.hypothesis/) go with it. One worker: Python 3.11's
# parser is not thread-safe ("AST constructor recursion depth mismatch" with several).
(cd "$work" && SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$root/Tests/Scripts" \
  "$venv/bin/schemathesis" --config-file "$root/Tests/Scripts/schemathesis.toml" run "http://127.0.0.1:$port/openapi.json" \
  -H "Authorization: Bearer $key" --max-examples "$examples" --seed "$seed" --generation-database none \
  --no-color --workers 1 "$@") || status=$?
if ! kill -0 "$server" 2>/dev/null; then
  echo "schemathesis_run: the gateway died during the run"; tail -50 "$work/server.log"; status=1
fi
echo "== schemathesis: exit $status in $(( $(date +%s) - started ))s (seed $seed, max $examples examples per operation)"
exit $status
