#!/usr/bin/env bash
# Fuzz smoke test for CI: replays every committed corpus and reproducer as regression tests,
# then fuzzes each target for a bounded time. See docs/fuzzing.md.
#
#   FUZZ_SECONDS  seconds of fuzzing per target (default 60; 0 replays only)
#   FUZZ_TARGETS  targets to run (default: all of them, one after the other)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-parse csv check rows lsp_frames fmt}"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# Options per target: the longest input and whether the language dictionary helps.
options() {
  case "$1" in
    parse) echo "-max_len=8192 -dict=fuzz/cohort.dict" ;;
    fmt) echo "-max_len=8192 -dict=fuzz/cohort.dict" ;;
    csv) echo "-max_len=4096 -dict=fuzz/cohort.dict" ;;
    check) echo "-max_len=8192 -dict=fuzz/cohort.dict" ;;
    # The rows target reads its input as generator decisions, not text.
    rows) echo "-max_len=512" ;;
    lsp_frames) echo "-max_len=4096" ;;
    *) echo "unknown fuzz target $1" >&2; exit 2 ;;
  esac
}

echo "== cargo fuzz build"
cargo +nightly fuzz build

# The known performance bugs need inputs too large to commit: generate them. Each must check
# in well under the replay timeout once the checker is near-linear (issue #8, item 5).
generate_slow_inputs() {
  local dir="fuzz/work/slow/check"
  rm -rf "$dir" && mkdir -p "$dir"
  seq 0 19999 | sed 's/.*/axis a& = [1]/' > "$dir/quadratic-20000-axes"
  {
    printf 'tuple t ('; seq -f 'x%g' 0 9999 | paste -sd, | tr -d '\n'
    printf ') = [('; seq 10000 | sed 's/.*/1/' | paste -sd, | tr -d '\n'; printf ')]\n'
  } > "$dir/quadratic-10000-ary-tuple"
  {
    seq 0 1999 | sed 's/.*/axis a& = [1]/'
    printf 'output '; seq -f 'unknown%g' 0 1999 | paste -sd, ; printf '\n'
  } > "$dir/quadratic-2000-unknown-output-fields"
}

for target in $targets; do
  # libFuzzer writes new inputs into its first corpus directory: a scratch one, so that the
  # committed corpus stays as it is.
  scratch="fuzz/work/corpus/$target"
  mkdir -p "$scratch"
  inputs=("fuzz/corpus/$target")
  if [ -d "fuzz/regressions/$target" ]; then
    inputs+=("fuzz/regressions/$target")
  fi
  if [ "$target" = check ]; then
    generate_slow_inputs
    inputs+=("fuzz/work/slow/check")
  fi
  mkdir -p "fuzz/work/replay-$target"
  echo "== replay $target: ${inputs[*]}"
  # shellcheck disable=SC2046
  nice -n 19 cargo +nightly fuzz run "$target" "fuzz/work/replay-$target" "${inputs[@]}" -- \
    -runs=0 -timeout=60 -rss_limit_mb=2048
  rm -rf "fuzz/work/replay-$target"

  if [ "$seconds" -gt 0 ]; then
    echo "== fuzz $target for ${seconds}s"
    # shellcheck disable=SC2046
    nice -n 19 cargo +nightly fuzz run "$target" "$scratch" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 $(options "$target")
  fi
done
echo "== fuzz smoke test passed: $targets"
