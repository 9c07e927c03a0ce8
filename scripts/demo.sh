#!/usr/bin/env bash
# demo.sh - the README's first command: obtains a real certificate from a
# local Pebble CA with acmed, in well under a minute once built.
#
#  1. installs the Debian packages that are missing (scripts/deps.sh);
#  2. builds acmed and tacd in build/ (ACMED_BUILD=DIR for another folder);
#  3. scripts/demo.py: starts Pebble, pebble-challtestsrv (Pebble's DNS:
#     every name is 127.0.0.1) and nginx on free loopback ports, writes an
#     acmed.toml in a new temporary folder that includes
#     config/default_hooks.toml and uses http-01-echo, runs
#     build/acmed --foreground until the certificate is issued, shows it,
#     and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

BUILD=${ACMED_BUILD:-build}
echo "acmed demo: a certificate for example.org and www.example.org from a"
echo "local test CA, validated over http-01 with acmed's default hooks"

# meson needs cmocka to configure (the unit tests are part of the build).
deps_install "${DEPS_BUILD[@]}" libcmocka-dev python3 openssl pebble nginx

log=$(mktemp "${TMPDIR:-/tmp}/acmed-demo-build.XXXXXX")
trap 'rm -f "$log"' EXIT
echo "building acmed in $BUILD/..."
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
ninja -C "$BUILD" acmed tacd >"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
rm -f "$log"
trap - EXIT

# demo.py stops what it starts, by PID, on any exit (Ctrl-C, SIGTERM,
# SIGHUP included): exec'd, so that signals sent to this script reach it.
exec /usr/bin/python3 scripts/demo.py "$BUILD"
