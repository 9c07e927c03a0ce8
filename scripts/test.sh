#!/usr/bin/env bash
# test.sh - the README's test command: installs what is missing, builds
# acmed three ways and runs every test.
#
#   build/       -Werror                 unit and conformance tests
#   build-asan/  ASan + UBSan, -Werror   the same, then the integration tests
#                                        (pytest against Pebble) on these programs
#   build-fuzz/  clang + libFuzzer       a short run of every fuzz target
#   build/ again under valgrind          the unit tests
#   build-alloc/ -Dalloc_fail=true       allocation-failure runs
#                                        (tests/unit/failalloc.sh)
#
# FUZZ_SECONDS (default 20) sets the length of each fuzz run; 0 skips them.
# FAILALLOC_MAX (default 30) bounds the allocation-failure runs per program.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
deps_install "${DEPS_BUILD[@]}" "${DEPS_TEST[@]}"

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
failed=()

step() { printf '\n==== %s\n' "$*"; }

setup() {	# setup DIR meson-args...
	local dir=$1; shift
	if [ -d "$dir/meson-private" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir"
}

suite() {	# suite DIR [integration]: every meson test, then pytest
	local dir=$1 integration=${2:-}
	meson test -C "$dir" --print-errorlogs --suite unit ||
	    failed+=("unit tests ($dir)")
	# The conformance runners print one summary line each.
	if ! meson test -C "$dir" --print-errorlogs --verbose \
	    --suite conformance >"$dir/conformance.log" 2>&1; then
		tail -30 "$dir/conformance.log"
		failed+=("conformance ($dir)")
	fi
	grep -E '^(toml-test|minijinja): ' "$dir/conformance.log" || true
	if [ -n "$integration" ]; then
		# ACMED_PLAIN_BUILD: for what cannot run sanitized (valgrind).
		# Four test processes (pytest-xdist): most tests wait on a
		# server or a timeout, and each starts its own on free ports.
		ACMED_BUILD="$PWD/$dir" ACMED_PLAIN_BUILD="$PWD/build" \
		    /usr/bin/python3 -m pytest -q -p no:cacheprovider \
		    -n "${PYTEST_JOBS:-4}" --durations=10 \
		    tests/integration || failed+=("integration tests ($dir)")
	fi
}

step "build/ (-Werror)"
setup build -Dwerror=true
suite build

step "build/ unit tests under valgrind"
# The crypto tests that generate RSA keys take minutes each under
# valgrind (all of them ran clean): VALGRIND_ALL=1 runs them too.
mapfile -t vgtests < <(meson test -C build --list 2>/dev/null |
    awk -F' / ' -v all="${VALGRIND_ALL:-0}" '$1 ~ /:unit$/ && $2 ~ /\// &&
    (all == 1 || $2 !~ /^crypto\/(key|jwk|sign|jws|csr|alpn_cert)$/) {
	print $2 }')
if meson test -C build --print-errorlogs --timeout-multiplier 10 \
    --wrap='valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1' \
    "${vgtests[@]}" >build/valgrind.log 2>&1; then
	echo "${#vgtests[@]} unit tests clean under valgrind"
else
	grep -E '^(==|.*(FAIL|ERROR))' build/valgrind.log | tail -40
	failed+=("unit tests under valgrind")
fi

step "build-alloc/ (allocation-failure runs)"
setup build-alloc -Dwerror=true -Dalloc_fail=true
FAILALLOC_MAX=${FAILALLOC_MAX:-30} tests/unit/failalloc.sh build-alloc ||
    failed+=("allocation-failure runs")

step "build-asan/ (ASan + UBSan)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
setup build-asan -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fno-sanitize-recover=all
# The integration tests run once, on the sanitized programs.
suite build-asan integration

fuzz_one() {	# fuzz_one TARGET: one run; its exit status in NAME.status
	local f=$1 name d
	name=$(basename "$f")
	local corpus=build-fuzz/corpus/$name seeds=tests/fuzz/seeds/$name
	mkdir -p "$corpus"
	local args=("$corpus") extra=()
	[ -d "$seeds" ] && args+=("$seeds")
	# The shared test data seeds the parsers it was written for
	# (read in place: it is never copied into the project).
	case $name in
	fuzz_toml) extra=(../shared/testdata/toml-test/tests) ;;
	fuzz_tmpl) extra=(../shared/testdata/minijinja/inputs) ;;
	esac
	for d in "${extra[@]}"; do
		[ -d "$d" ] && args+=("$d")
	done
	local rc=0
	"$f" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/ "${args[@]}" \
	    >"build-fuzz/$name.log" 2>&1 || rc=$?
	echo "$rc" >"build-fuzz/$name.status"
}

if [ "$FUZZ_SECONDS" -gt 0 ]; then
	step "build-fuzz/ (libFuzzer, ${FUZZ_SECONDS}s per target)"
	CC=clang setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
	    -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
	targets=()
	for f in build-fuzz/tests/fuzz/fuzz_*; do
		[ -f "$f" ] && [ -x "$f" ] && targets+=("$f")
	done
	# One target per processor at a time: each runs single-threaded.
	jobs_max=$(nproc)
	for f in "${targets[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
			wait -n || true
		done
		fuzz_one "$f" &
	done
	wait
	for f in "${targets[@]}"; do
		name=$(basename "$f")
		if [ "$(cat "build-fuzz/$name.status" 2>/dev/null)" = 0 ]; then
			echo "$name: $(grep -m1 -E '^stat::number_of_executed_units' \
			    "build-fuzz/$name.log" | awk '{print $2}') executions, nothing found"
		else
			tail -40 "build-fuzz/$name.log"
			failed+=("fuzz $name")
		fi
	done
fi

step "summary"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed[@]}"
	exit 1
fi
echo "all tests passed"
