#!/usr/bin/python3
"""A hook that publishes ACME proofs through pebble-challtestsrv's
management API (as a user's hook would publish them on a web server or a
DNS zone).

    challtestsrv.py [--log FILE] URL add-http01 TOKEN CONTENT
    challtestsrv.py [--log FILE] URL del-http01 TOKEN
    challtestsrv.py [--log FILE] URL set-txt IDENTIFIER VALUE
    challtestsrv.py [--log FILE] URL replace-txt IDENTIFIER VALUE
    challtestsrv.py [--log FILE] URL clear-txt IDENTIFIER
    challtestsrv.py [--log FILE] URL replace-shared-txt IDENTIFIER VALUE NAME...
    challtestsrv.py [--log FILE] URL clear-shared-txt IDENTIFIER NAME...

set-txt adds a value beside those the record has (challtestsrv appends);
replace-txt leaves the record with this value alone, as nsupdate's
delete-then-add or a DNS provider's "set record" does.  The -shared-
actions stand for the acme-dns setup, where the _acme-challenge records
of the NAMEs are CNAMEs of one shared record (which challtestsrv cannot
serve): the hook replaces (or clears) that record whatever IDENTIFIER
it is for, so every NAME's record is left with VALUE alone (or
emptied).  --log appends the action and its identifier, as one JSON
line, to FILE once the action is done, so that a test can tell which
proofs were up together.
"""
import json
import sys
import urllib.request


def call(url, action, payload):
    req = urllib.request.Request(f"{url}/{action}",
                                 data=json.dumps(payload).encode(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        r.read()


def main():
    argv = sys.argv[1:]
    log = None
    if argv[:1] == ["--log"]:
        log, argv = argv[1], argv[2:]
    url, action = argv[0], argv[1]
    args = argv[2:]
    if action == "add-http01":
        call(url, action, {"token": args[0], "content": args[1]})
    elif action == "del-http01":
        call(url, action, {"token": args[0]})
    elif action in ("replace-shared-txt", "clear-shared-txt"):
        shared = args[2:] if action == "replace-shared-txt" else args[1:]
        for name in shared:
            host = {"host": f"_acme-challenge.{name.removeprefix('*.')}."}
            call(url, "clear-txt", host)
            if action == "replace-shared-txt":
                call(url, "set-txt", dict(host, value=args[1]))
    elif action in ("set-txt", "replace-txt", "clear-txt"):
        name = args[0]
        if name.startswith("*."):
            name = name[2:]
        host = {"host": f"_acme-challenge.{name}."}
        if action != "set-txt":
            call(url, "clear-txt", host)
        if action != "clear-txt":
            call(url, "set-txt", dict(host, value=args[1]))
    else:
        sys.exit(f"unknown action {action}")
    if log is not None:
        with open(log, "a") as f:
            f.write(json.dumps({"action": action,
                                "identifier": args[0]}) + "\n")


if __name__ == "__main__":
    main()
