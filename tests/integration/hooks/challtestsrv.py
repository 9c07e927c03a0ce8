#!/usr/bin/python3
"""A hook that publishes ACME proofs through pebble-challtestsrv's
management API (as a user's hook would publish them on a web server or a
DNS zone).

    challtestsrv.py URL add-http01 TOKEN CONTENT
    challtestsrv.py URL del-http01 TOKEN
    challtestsrv.py URL set-txt IDENTIFIER VALUE
    challtestsrv.py URL clear-txt IDENTIFIER
"""
import json
import sys
import urllib.request


def main():
    url, action = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    if action == "add-http01":
        payload = {"token": args[0], "content": args[1]}
    elif action == "del-http01":
        payload = {"token": args[0]}
    elif action in ("set-txt", "clear-txt"):
        name = args[0]
        if name.startswith("*."):
            name = name[2:]
        payload = {"host": f"_acme-challenge.{name}."}
        if action == "set-txt":
            payload["value"] = args[1]
    else:
        sys.exit(f"unknown action {action}")
    req = urllib.request.Request(f"{url}/{action}",
                                 data=json.dumps(payload).encode(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        r.read()


if __name__ == "__main__":
    main()
