#!/usr/bin/env bash
# Builds the fuzz target with libFuzzer and AddressSanitizer, and runs it for SECONDS (default
# 60) on a copy of the seed corpus. Exits non-zero when the fuzzer finds a crash; the input
# that caused it is kept in Fuzz/artifacts/.
#
#   Fuzz/run.sh [SECONDS]     build, then fuzz
#   Fuzz/run.sh build         build only
#   FUZZ_NO_BUILD=1 Fuzz/run.sh SECONDS   fuzz what was built
#   FUZZ_JOBS=N               fuzz in N processes (default 1)
set -euo pipefail
cd "$(dirname "$0")"
what="${1:-60}"
# lld: gold warns about ASan's local symbols.
flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
build() {
    swift build --package-path . "${flags[@]}" >&2
}
if [ "$what" = build ]; then build; exit 0; fi
case "$what" in ''|*[!0-9]*) echo "usage: Fuzz/run.sh [SECONDS | build]" >&2; exit 2 ;; esac
[ "${FUZZ_NO_BUILD:-}" = 1 ] || build
binary="$(swift build --package-path . "${flags[@]}" --show-bin-path)/WorkbookFuzz"
work="$(mktemp -d)"
# The inputs are written as files: on tmpfs when there is one.
files="$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)"
trap 'rm -rf "$work" "$files"' EXIT
export WORKBOOK_FUZZ_DIR="$files"
export LSAN_OPTIONS="suppressions=$PWD/lsan-suppressions.txt${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
cp corpus/* "$work"/
mkdir -p artifacts
jobs="${FUZZ_JOBS:-1}"
echo "fuzz: $what s on $(ls corpus | wc -l) seeds, $jobs process(es)" >&2
# -fork: the fuzzer runs in child processes; a crash, a hang (an input taking 10 s) or an
# out-of-memory (2 GiB) stops it with a non-zero exit, as a leak does.
"$binary" -fork="$jobs" -ignore_crashes=0 -ignore_timeouts=0 -ignore_ooms=0 -max_total_time="$what" \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix=artifacts/ "$work"
