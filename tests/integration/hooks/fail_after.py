#!/usr/bin/python3
"""A hook that succeeds N times, then fails, counting its calls in a file:

    fail_after.py COUNT_FILE N"""
import sys

path, n = sys.argv[1], int(sys.argv[2])
try:
    with open(path) as f:
        calls = int(f.read() or 0)
except FileNotFoundError:
    calls = 0
with open(path, "w") as f:
    f.write(str(calls + 1))
sys.exit(0 if calls < n else 1)
