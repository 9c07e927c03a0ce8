#!/usr/bin/env bash
# bench/scale.sh - acmed alone at scale: --once with N = 1000 (always-valid
# Pebble), an idle daemon managing 10,000 certificates (RSS, wake-ups over
# 60 s) and --check-config on 10,000 certificates.  See bench/README.md.
#
#   bench/scale.sh [--acmed PATH] [--issue N] [--idle N] [--idle-seconds S]
#                  [--workers N] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/scale.py "$@"
