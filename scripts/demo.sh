#!/usr/bin/env bash
# demo.sh - the README's first command: obtains a real certificate from a
# local Pebble CA with acmed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
deps_install "${DEPS_BUILD[@]}" pebble
echo "demo: not yet available (the daemon is not built yet)"
