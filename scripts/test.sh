#!/usr/bin/env bash
# The README's second command (and CI's): install, build, run the whole test
# suite under a normal build and under ASan/UBSan, then run every libFuzzer
# harness for a short time.  Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || exit 1

passed=0
failed=0
failures=()
fuzz_seconds=${SW_FUZZ_SECONDS:-30}

if [ "$(id -u)" -ne 0 ]; then
  echo "WARNING: not root: end-to-end tests that need network namespaces, NFQUEUE or nftables will SKIP" >&2
fi

# ctest on one build directory; adds its counts to the totals.
run_suite() {
  local dir=$1 name=$2 log
  log=$(mktemp)
  echo "== $name: ctest in $dir"
  ctest --test-dir "$dir" --output-on-failure --timeout 600 -j2 2>&1 | tee "$log"
  local line total nfail
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "$name: ctest printed no summary"; failed=$((failed + 1)); failures+=("$name: no summary")
  else
    nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
    [ "$nfail" -eq 0 ] || failures+=("$name: $nfail of $total ctest tests failed")
  fi
  rm -f "$log"
}

build() {
  local type=$1
  if ! ./scripts/build.sh "$type" >/dev/null; then
    echo "build $type FAILED"
    cmake --build "build/$(echo "$type" | tr 'A-Z' 'a-z')" -j1 2>&1 | grep -E 'error|warning' | head -40
    failed=$((failed + 1)); failures+=("build $type")
    return 1
  fi
}

if build Release; then run_suite build/release release; fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if build Asan; then run_suite build/asan asan; fi

# Fuzz harnesses: clang + libFuzzer, a short run each from the committed seeds.
echo "== fuzz: ${fuzz_seconds}s per harness"
if CC=clang cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DSW_FUZZ=ON >/dev/null &&
   cmake --build build/fuzz -j"$(nproc)" >/dev/null; then
  for h in build/fuzz/fuzz_*; do
    [ -x "$h" ] || continue
    n=$(basename "$h")
    corpus=build/fuzz/corpus-$n
    mkdir -p "$corpus"
    seeds=()
    [ -d "tests/fuzz/corpus/$n" ] && seeds=("tests/fuzz/corpus/$n")
    if "$h" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -print_final_stats=0 "$corpus" "${seeds[@]}" \
         >"build/fuzz/$n.log" 2>&1; then
      echo "fuzz $n: ok ($(grep -Eo 'Done [0-9]+ runs' "build/fuzz/$n.log" | tail -n 1))"
      passed=$((passed + 1))
    else
      echo "fuzz $n: FAILED"; tail -n 40 "build/fuzz/$n.log"
      failed=$((failed + 1)); failures+=("fuzz $n")
    fi
  done
else
  echo "fuzz build FAILED"; failed=$((failed + 1)); failures+=("fuzz build")
fi

for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
