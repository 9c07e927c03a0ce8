#!/usr/bin/python3
"""A hook that appends its arguments, as one JSON line, to a file:

    record.py FILE ARG...

so that a test can compare what each hook received."""
import json
import os
import sys

with open(sys.argv[1], "a") as f:
    f.write(json.dumps({"argv": sys.argv[2:],
                        "stdin": "" if sys.stdin.isatty() else sys.stdin.read(),
                        "env_MARK": os.environ.get("MARK")}) + "\n")
