#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, docs/fuzzing.md) with Debian's clang-22
# into ${RESCALE_SANITIZE_BUILD_DIR:-build-sanitize} (ASan+UBSan, shared with
# scripts/test.sh --sanitize) and runs each for SECONDS (default 60), one
# process each, one after the other, from corpora seeded from test/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 600 npy
#
# Corpora grow in BUILD/fuzz/corpus/<target>; a crash is written to
# BUILD/fuzz/crashes/<target>/ and makes the script exit 1. One summary line
# per target: executions, time, crashes.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(npy safetensors manifest calibration
                                     module-loader pipeline-cpu pipeline-nvptx)

bash "$root/scripts/setup.sh" --sanitize || exit 1
bash "$root/scripts/build.sh" --sanitize rescale-fuzzers RescaleTestModule \
  RescaleCudaTestModule || exit 1

python3 "$root/fuzz/seed-corpora.py" "$root" "$build" "$build/fuzz/seeds" \
  >/dev/null || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_container_overflow=0:allow_user_poisoning=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz-$t"
  [ -x "$bin" ] || { echo "fuzz: no target '$t' ($bin)"; status=1; continue; }
  corpus="$build/fuzz/corpus/$t" crashes="$build/fuzz/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  args=(-max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=4096
        -artifact_prefix="$crashes/")
  case "$t" in
    # The pipelines reach every compiler pass: keep fuzzing past a crash (in
    # a child process) so that one campaign collects them all.
    pipeline-*) args+=(-max_len=8192 -timeout=60 -fork=1 -ignore_crashes=1
                       -ignore_timeouts=1 -ignore_ooms=1) ;;
    module-loader) args+=(-timeout=10) ;; # seeds hold a whole module
    *) args+=(-max_len=4096 -timeout=10) ;;
  esac
  log="$build/fuzz/$t.log"
  start=$(date +%s)
  "$bin" "${args[@]}" "$corpus" "$build/fuzz/seeds/$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" |
         grep -Eo '[0-9]+$' | tail -1)
  # Fork mode prints no final stats: its last "#N:" status line counts.
  [ -n "$runs" ] || runs=$(grep -Eo '^#[0-9]+:' "$log" | tr -d '#:' | tail -1)
  found=$(find "$crashes" -type f | wc -l)
  echo "fuzz $t: ${runs:-?} executions in $(( $(date +%s) - start )) s," \
       "exit $rc, $found crash file(s) in $crashes"
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    grep -E -m3 'ERROR|runtime error|SUMMARY|deadly|fuzz target exited' "$log"
  fi
done
exit "$status"
