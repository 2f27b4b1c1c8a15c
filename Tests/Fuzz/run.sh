#!/usr/bin/env bash
# The libFuzzer targets (docs/fuzzing.md): builds them, then runs each for a bounded time against a scratch copy of
# its checked-in seed corpus (the corpus in git never grows), several side by side. Fails when a target crashes,
# hangs, runs out of memory, or was built without coverage. Crash inputs land in Tests/Artifacts/fuzz/<target>/.
#   bash Tests/Fuzz/run.sh [seconds-per-target] [target...]      (default: 20 s, every target)
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-20}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(FuzzHTTPParser FuzzWebSocketFrame FuzzJSONRequest FuzzWAHAWebhook FuzzWaxumWebhook FuzzWalyticWebhook FuzzTalkNTalkWebhook FuzzA1BaseWebhook)
fi
parallel=${FUZZ_JOBS:-$(nproc)}
artifacts=Tests/Artifacts/fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# SwiftPM turns each --sanitize into its own -sanitize= flag and the driver keeps only the last, so fuzzer and
# address go together through -Xswiftc; --sanitize fuzzer is still needed for SwiftPM to link libFuzzer's main.
build=(swift build -c release --scratch-path .build-fuzz --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address)
started=$(date +%s)
echo "== fuzz: building ${#targets[@]} targets"
for target in "${targets[@]}"; do
    if ! SWITCHBOARD_FUZZ=1 "${build[@]}" --product "$target" > "$work/build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$work/build.log" | tail -40
        echo "fuzz: building $target failed"
        exit 1
    fi
done
bin=$(SWITCHBOARD_FUZZ=1 "${build[@]}" --show-bin-path)
echo "== fuzz: built in $(( $(date +%s) - started ))s; running each for ${seconds}s, ${parallel} at a time"

# One target: a scratch corpus seeded from git, the target's dictionary when it has one, bounded time and input size.
run() {
    local target=$1 max_len=8192
    case "$target" in FuzzHTTPParser | FuzzJSONRequest) max_len=4096 ;; esac
    mkdir -p "$work/$target" "$artifacts/$target"
    cp Tests/Fuzz/Corpus/"$target"/* "$work/$target/"
    local dict=()
    if [ -f "Tests/Fuzz/Dictionaries/$target.dict" ]; then dict=(-dict="Tests/Fuzz/Dictionaries/$target.dict"); fi
    local status=0
    SWIFT_BACKTRACE=enable=no "$bin/$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target/" "${dict[@]}" "$work/$target" > "$work/$target.log" 2>&1 || status=$?
    echo "$status" > "$work/$target.status"
}

for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
    run "$target" &
done
wait

# The summary: libFuzzer's final stats, and coverage, features and corpus size from its last status line.
final() { grep -o "stat::$1: *[0-9]*" "$log" | grep -o "[0-9]*$" || echo "-"; }
field() { sed -nE "s/.* $1: ([0-9]+).*/\1/p" <<< "$last"; }
failed=0
printf '%-22s %-8s %12s %8s %8s %8s %8s\n' target result executions exec/s cov ft corpus
for target in "${targets[@]}"; do
    log="$work/$target.log"
    last=$(grep -E "^#[0-9]+" "$log" | tail -1 || true)
    result=ok
    if [ "$(cat "$work/$target.status")" != 0 ]; then
        result=FAILED
    elif [ -z "$(field cov)" ]; then
        result=NO-COV  # built without coverage: the run proves nothing
    fi
    printf '%-22s %-8s %12s %8s %8s %8s %8s\n' "$target" "$result" "$(final number_of_executed_units)" \
        "$(final average_exec_per_sec)" "$(field cov)" "$(field ft)" "$(field corp)"
    if [ "$result" != ok ]; then
        failed=1
        grep -E "Fatal error|ERROR: |SUMMARY|Swift runtime failure|Test unit written" "$log" | head -8 | sed 's/^/    /' || true
    fi
done
echo "== fuzz: done in $(( $(date +%s) - started ))s"
if [ "$failed" != 0 ]; then
    echo "fuzz: a target failed; its input is in $artifacts/ (docs/fuzzing.md: keep it as a regression test)"
    exit 1
fi
