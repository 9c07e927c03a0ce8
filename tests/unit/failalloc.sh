#!/usr/bin/env bash
# failalloc.sh - allocation-failure runs: each program runs once per n with
# its n-th allocation failing (failalloc.c, preloaded), for n = 1, 2, 3...
# until a run no longer reaches an n-th allocation.  Every run must end by
# itself, without a signal (a crash, or a failed assert() in a fuzz
# target) and without cmocka catching one; the fuzz targets' drivers must
# also free every block they allocated (a candidate leak is rerun under
# valgrind, which tells a lost block from one a library caches).
#
#   tests/unit/failalloc.sh BUILD_DIR
#
# BUILD_DIR is configured with -Dalloc_fail=true and no sanitizer (ASan's
# malloc and ours cannot both replace libc's).  The programs: the cmocka
# tests of util, toml, tmpl and acme (the crypto tests run the openssl
# tool and take minutes), config-check over a full acmed.toml, and every
# fuzz target over its seeds (tests/fuzz/standalone.c).
#
# The cmocka tests are checked for crashes and hangs only: a failed
# assertion jumps out of the test and leaves its objects behind, so their
# leaks say nothing; the fuzz targets always clean up, and cover the
# same parsers.
#
# FAILALLOC_MAX (default 400) bounds the runs per program: a program
# making more allocations runs with n = 1..MAX/2, then MAX/2 values of n
# spread over the rest.  FAILALLOC_MAX=0 runs every n (long: toml and tmpl
# make a million allocations).  FAILALLOC_ONLY, a regular expression,
# picks programs by name (test_toml, config-check, fuzz_pem...).
set -uo pipefail
cd "$(dirname "$0")/../.."

dir=${1:?usage: failalloc.sh BUILD_DIR}
lib=$PWD/$dir/tests/unit/libfailalloc.so
max=${FAILALLOC_MAX:-400}
[ "$max" -eq 1 ] && max=2
only=${FAILALLOC_ONLY:-.}
[ -f "$lib" ] || { echo "$lib: not built (meson configure $dir -Dalloc_fail=true)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# What a failing run printed, for a look afterwards.
keep=$dir/failalloc
rm -rf "$keep"
mkdir -p "$keep"

# run LOG N PROGRAM ARGS...: one run; prints the exit status.  $paused:
# the program unpauses failalloc itself (the fuzz targets' driver).
run() {
	local log=$1 n=$2; shift 2
	rm -f "$log"
	# env, not the shell, sets them: timeout must not be preloaded.
	# test_spawn's own timeouts are 60 s.
	timeout -k 5 120 env FAILALLOC_N="$n" FAILALLOC_LOG="$log" \
	    FAILALLOC_PROG="${1##*/}" ${paused:+FAILALLOC_PAUSED=1} \
	    LD_PRELOAD="$lib" "$@" >"$log.out" 2>&1
	echo $?
}

# where N PROGRAM ARGS...: for a crash of a cmocka test, "src" when it
# happened in src/ on the code's own data; "lib" in glibc's NSS, which
# asserts or follows a NULL pointer when memory runs out inside
# getpwnam_r() (glibc 2.36: config-check resolving cert_file_user); else
# "test": the test itself crashed, or handed src/ the NULL a failed call
# gave it (tmpl_value_print(NULL)), or a test helper called abort() on
# purpose.  The backtrace, from gdb, is in $log.bt.
where() {
	local n=$1 bt=$log.bt; shift
	if ! command -v gdb >/dev/null; then
		echo src
		return
	fi
	timeout 120 gdb -q -batch -iex "set debuginfod enabled off" \
	    -iex "set auto-load no" -ex "set startup-with-shell off" \
	    -ex "set environment FAILALLOC_N=$n" \
	    ${paused:+-ex "set environment FAILALLOC_PAUSED=1"} \
	    -ex "set environment FAILALLOC_PROG=${1##*/}" \
	    -ex "set environment LD_PRELOAD=$lib" -ex run -ex bt \
	    --args "$@" 2>&1 | grep -E '^#[0-9]' >"$bt"
	awk '
	    / at \.\/nss\// && !insrc { print "lib"; found = 1; exit }
	    / at \.\.\/src\// { insrc = 1; if ($0 ~ /=0x0[,)]/) null = 1; next }
	    / at \.\.\/tests\// {
		if (insrc && $0 ~ /=0x0[,)]/) null = 1
		print (insrc && !null) ? "src" : "test"; found = 1; exit }
	    END { if (!found) print insrc ? "src" : "test" }' "$bt"
}

# check NAME KIND PROGRAM ARGS...: every n for one program.
check() {
	local name=$1 kind=$2; shift 2
	local log=$tmp/$name.log total rc n=0 runs=0 stride=1 fails=0 sampled=""
	local paused="" testside=0 libside=0 cached=0 crash cls
	local -a bad=()

	[ "$kind" = fuzz ] && paused=1

	rc=$(run "$log" 0 "$@")
	total=$(awk '$1 == "total" { print $2 }' "$log")
	if [ "$rc" -ne 0 ] || [ -z "$total" ]; then
		echo "$name: FAILED without any injected failure (status $rc)"
		tail -5 "$log.out"
		return 1
	fi
	if [ "$max" -gt 0 ] && [ "$total" -gt "$max" ]; then
		stride=$(( (total - max / 2) / (max / 2) + 1 ))
		sampled=", sampled"
	fi
	while :; do
		if [ "$max" -gt 0 ] && [ "$n" -ge $((max / 2)) ]; then
			n=$((n + stride))
		else
			n=$((n + 1))
		fi
		rc=$(run "$log" "$n" "$@")
		runs=$((runs + 1))
		if ! grep -q '^failed' "$log" 2>/dev/null; then
			break		# ran to the end without a failure
		fi
		crash=""
		if [ "$rc" -eq 124 ]; then
			bad+=("n=$n: hang")
		elif [ "$rc" -gt 128 ] && [ "$rc" -le 192 ]; then
			crash="signal $((rc - 128))"
		elif grep -q 'Test failed with exception' "$log.out"; then
			crash=$(grep -m1 -o 'exception: .*' "$log.out")
		elif [ "$kind" = fuzz ] && [ "$rc" -eq 3 ]; then
			# Lost, or kept by a library?  valgrind knows (and
			# reports any invalid access on the way).
			FAILALLOC_N=$n FAILALLOC_PROG=${1##*/} FAILALLOC_PAUSED=1 \
			    LD_PRELOAD=$lib timeout 600 valgrind -q \
			    --soname-synonyms=somalloc=NONE \
			    --leak-check=full --errors-for-leak-kinds=definite \
			    --error-exitcode=99 "$@" >"$log.vg" 2>&1
			if [ $? -eq 99 ]; then
				bad+=("n=$n: valgrind: $(grep -m1 -E '^==[0-9]+== [A-Z]' "$log.vg")")
				cp "$log.vg" "$keep/$name.n$n.valgrind"
			else
				cached=$((cached + 1))
			fi
		fi
		if [ -n "$crash" ]; then
			cls=$(where "$n" "$@")
			if [ "$cls" = lib ]; then
				libside=$((libside + 1))
			elif [ "$cls" = src ] || [ "$kind" = fuzz ]; then
				bad+=("n=$n: $crash$( [ -s "$log.bt" ] && printf '\n    %s' "$(head -8 "$log.bt")")")
				cp "$log.out" "$keep/$name.n$n.out"
			else
				testside=$((testside + 1))
			fi
		fi
		[ "$rc" -ne 0 ] && fails=$((fails + 1))
		if [ ${#bad[@]} -ge 5 ]; then
			bad+=("(stopped after 5)")
			break
		fi
	done
	printf '%s: %s allocations, %d runs (n up to %d%s), %d reported the failure' \
	    "$name" "$total" "$runs" "$n" "$sampled" "$fails"
	[ "$testside" -gt 0 ] && printf ', %d crashed in the test' "$testside"
	[ "$libside" -gt 0 ] && printf ', %d crashed in glibc NSS' "$libside"
	[ "$cached" -gt 0 ] &&
	    printf ', %d left blocks that valgrind says a library keeps' "$cached"
	printf '\n'
	if [ ${#bad[@]} -gt 0 ]; then
		printf '  %s\n' "${bad[@]}"
		return 1
	fi
}

progs=()
for t in util/test_buf util/test_b64url util/test_period util/test_log \
    util/test_afile util/test_pathglob toml/test_toml toml/test_toml_errors \
    tmpl/test_tmpl_value tmpl/test_tmpl_syntax tmpl/test_tmpl_render \
    tmpl/test_tmpl_golden acme/test_problem acme/test_ratelimit \
    acme/test_http_headers acme/test_account_file acme/test_renewal_info; do
	progs+=("${t#*/}|test|$dir/tests/unit/$t")
done
progs+=("test_spawn|test|$dir/tests/unit/util/test_spawn $dir/tests/unit/util/spawn_child")
progs+=("config-check|test|$dir/tests/config-check tests/config/valid/full/acmed.toml")
for f in "$dir"/tests/fuzz/fuzz_*-standalone; do
	name=$(basename "$f" -standalone)
	progs+=("$name|fuzz|$f $(echo tests/fuzz/seeds/"$name"/*)")
done

# Twice as many programs at once as there are processors: most runs
# wait (test_spawn's children, test_afile's fsync()s).
jobs=$(( $(nproc) * 2 ))
failed=0
for p in "${progs[@]}"; do
	IFS='|' read -r name kind cmd <<<"$p"
	[[ $name =~ $only ]] || continue
	# shellcheck disable=SC2086 # cmd is a word list without spaces in words
	check "$name" "$kind" $cmd >"$tmp/$name.result" 2>&1 &
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || failed=1
	done
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do
	wait -n || failed=1
done
for p in "${progs[@]}"; do
	[ -f "$tmp/${p%%|*}.result" ] && cat "$tmp/${p%%|*}.result"
done
exit $failed
