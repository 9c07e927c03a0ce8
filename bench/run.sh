#!/usr/bin/env bash
# bench/run.sh - acmed against the ACME clients people use (certbot, lego,
# uacme, dehydrated, acme-tiny from Debian), each on a fresh local Pebble.
# See bench/README.md.
#
#   bench/run.sh [-n N] [--modes real,fast] [--clients acmed,lego,...]
#                [--acmed PATH] [--workers N] [--out DIR] [--json FILE]
#                [--no-install]
#
# As root, peers that are missing are installed with apt-get (and Pebble
# too); otherwise, or with --no-install, they are skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/.."

install=1
args=()
for a in "$@"; do
	case $a in
	--no-install) install=0 ;;
	-h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
		exec /usr/bin/python3 bench/bench.py --help ;;
	*) args+=("$a") ;;
	esac
done

# Debian package of each program the bench runs.
declare -A pkg=([pebble]=pebble [pebble-challtestsrv]=pebble
	[certbot]=certbot [lego]=lego [uacme]=uacme [dehydrated]=dehydrated
	[acme-tiny]=acme-tiny [openssl]=openssl [curl]=curl)
missing=()
for prog in "${!pkg[@]}"; do
	command -v "$prog" >/dev/null 2>&1 || missing+=("${pkg[$prog]}")
done
if [ ${#missing[@]} -gt 0 ]; then
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	if [ "$install" = 1 ] && [ "$(id -u)" = 0 ]; then
		echo "bench: installing ${missing[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q "${missing[@]}" >/dev/null ||
		    { apt-get update -q >/dev/null &&
		      apt-get install -y -q "${missing[@]}" >/dev/null; } ||
		    echo "bench: could not install ${missing[*]}" >&2
	else
		echo "bench: not installed (skipped): ${missing[*]}" >&2
	fi
fi
exec /usr/bin/python3 bench/bench.py "${args[@]}"
