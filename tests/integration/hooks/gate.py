#!/usr/bin/python3
"""A hook that waits until a file exists, for a test to hold a renewal in
progress as long as it needs:

    gate.py FILE

Polls every 50 ms; gives up (status 1) after 120 s."""
import os
import sys
import time

deadline = time.monotonic() + 120
while not os.path.exists(sys.argv[1]):
    if time.monotonic() > deadline:
        sys.exit(1)
    time.sleep(0.05)
