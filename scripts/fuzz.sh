#!/usr/bin/env bash
# Fuzzes the input parsers and the Markdown renderer with cargo-fuzz
# (libFuzzer): each target in fuzz/ runs for SECONDS (default 60) on a copy
# of its seed corpus (fuzz/corpus/TARGET), so the repository is left as it
# was. Fails on the first target that crashes, panics or breaks an
# invariant, and prints the reproducer to run again with
# `cargo +nightly fuzz run TARGET REPRODUCER`.
#
# Needs: the nightly toolchain (cargo-fuzz is installed when missing).
set -euo pipefail

cd "$(dirname "$0")/.."

# Debug assertions stay on in every build: some are differential checks
# (the history fingerprint's quick front matter scan against the YAML
# parser), which fuzzing is the best place to exercise.
#
# --dev builds the targets without optimisation and without AddressSanitizer:
# about a third of the build time, fewer runs per second. CI uses it for its
# short smoke run. The crate forbids `unsafe` (src/lib.rs), so what a short
# run can find is a panic, a hang or a broken invariant, which libFuzzer
# reports without the sanitizer; the full run keeps it for the dependencies'
# unsafe code.
profile=(--debug-assertions)
if [ "${1:-}" = "--dev" ]; then
  profile=(--dev --sanitizer none --debug-assertions)
  shift
fi
seconds="${1:-60}"
case "$seconds" in
  '' | *[!0-9]*)
    echo "usage: scripts/fuzz.sh [--dev] [SECONDS]" >&2
    exit 2
    ;;
esac
targets=(front_matter markdown_html csv_records isms_toml)

# cargo-fuzz only drives cargo and libFuzzer: a debug build of it installs
# in about half the time and runs no slower where it matters.
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install --locked --debug cargo-fuzz
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "==> building the fuzz targets"
cargo +nightly fuzz build "${profile[@]}" --fuzz-dir fuzz

# One target on each core: 4 targets of SECONDS each take 2 x SECONDS.
run_target() {
  local target="$1"
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  cp -R "fuzz/corpus/$target/." "$work/$target/corpus/"
  local args=(-max_total_time="$seconds" -artifact_prefix="$work/$target/artifacts/" -print_final_stats=1)
  if [ -f "fuzz/dict/$target.dict" ]; then
    args+=(-dict="fuzz/dict/$target.dict")
  fi
  cargo +nightly fuzz run "${profile[@]}" --fuzz-dir fuzz "$target" "$work/$target/corpus" -- "${args[@]}" \
    >"$work/$target/log" 2>&1
}

report() {
  local target="$1" status="$2"
  echo "==> $target (${seconds}s)"
  tail -n 15 "$work/$target/log"
  if [ "$status" -ne 0 ]; then
    failed=1
    mkdir -p "fuzz/artifacts/$target"
    for crash in "$work/$target/artifacts/"*; do
      [ -e "$crash" ] || continue
      cp "$crash" "fuzz/artifacts/$target/"
      echo "$target FAILED: reproducer saved as fuzz/artifacts/$target/$(basename "$crash")" >&2
      echo "  run again: cargo +nightly fuzz run $target fuzz/artifacts/$target/$(basename "$crash")" >&2
    done
    grep -m 1 -A 12 -E "panicked at|ERROR: (libFuzzer|AddressSanitizer)" "$work/$target/log" >&2 || true
  fi
}

failed=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pair=("${targets[@]:i:2}")
  echo "==> fuzzing ${pair[*]} for ${seconds}s"
  pids=()
  for target in "${pair[@]}"; do
    run_target "$target" &
    pids+=("$!")
  done
  for n in "${!pair[@]}"; do
    set +e
    wait "${pids[$n]}"
    status=$?
    set -e
    report "${pair[$n]}" "$status"
  done
done

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "==> no crash in ${#targets[@]} targets (${seconds}s each)"
