#!/usr/bin/env bash
# The whole test suite: unit, integration (real sockets, third-party clients) and contract tests, plus a release
# build that must have no warnings. README's second command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash .ci/setup --tests

echo "== release build (no warnings allowed)"
swift build -c release 2>&1 | tee .build-release.log | grep -E "warning:|error:" && { echo "release build has warnings or errors"; exit 1; } || true
grep -q "Compiling\|Build complete" .build-release.log || { cat .build-release.log; exit 1; }
rm -f .build-release.log

echo "== debug build with tests"
swift build --build-tests 2>&1 | grep -E "error:|warning:" && { echo "test build has warnings or errors"; exit 1; } || true

echo "== tests"
# The whole XCTest log (every test case with its result), then the failures again at the end where they are seen.
set +e
swift test --skip-build 2>&1 | tee .build-test.log
status=${PIPESTATUS[0]}
set -e
grep -E "error:|failed" .build-test.log | tail -40 || true
grep -q "with 0 failures" .build-test.log || status=1

echo "== schemathesis against /openapi.json of a running gateway"
bash Tests/Scripts/schemathesis_run.sh || status=1
bash Tests/Fuzz/run.sh 20 || status=1
summary=$(grep -E "^\s*Executed [0-9]+ tests" .build-test.log | tail -1)
rm -f .build-test.log
echo "== done in $(( $(date +%s) - started ))s: ${summary}"
exit $status
