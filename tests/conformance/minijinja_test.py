#!/usr/bin/python3
"""Runs MiniJinja's own template tests through build/tests/tmpl-render.

    minijinja_test.py TMPL_RENDER TESTDATA_DIR

Each input (TESTDATA_DIR/minijinja/inputs/NAME) is rendered and compared
with the body of snapshots/test_templates__vm@NAME.snap, the text after
the snapshot's second "---" line.  MiniJinja's harness appends "\\n" to a
rendering, and insta compares snapshots without their leading and
trailing newlines (older snapshots keep a leading one, newer ones do
not), so both sides are compared with leading and trailing newlines
removed, and nothing else.  A snapshot starting with "!!!ERROR!!!" (or "!!!SYNTAX ERROR!!!")
passes when the renderer exits 1 and names the snapshot's "line:".

Prints the failing cases, then "minijinja: required A/B, all C/D", and
exits 1 when a required case fails, 77 when the test data is absent.
"""

import os
import re
import subprocess
import sys

# The cases issue 3 requires.
REQUIRED = """
hello if_cond if_cond_elif if_cond_else ifexpr in inexpr indexing getattr
getitem literals cmp concat adding math mul or coerce undefined loop
loop_var loop_else loop_else2 loop_over_none loop_over_undefined
loop_over_string loop_over_non_iterable loop_filter loop_controls
loop_unpacking loop_dictsort slicing list dict map tests filters opfilters
escape tojson int_div_by_zero float_div_by_zero err_unterminated_string
err_unexpected_character err_bad_filter err_undefined_attr
err_undefined_nested_attr err_undefined_item err_toplevel_break
""".split()

TIMEOUT = 20


def snapshot_body(path):
    """The text after the second '---' line of an insta snapshot."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    seen = 0
    for i, line in enumerate(lines):
        if line == "---":
            seen += 1
            if seen == 2:
                return "\n".join(lines[i + 1:])
    return None


def run_case(exe, inp, snap):
    """Returns None when the case passes, else a one-line reason."""
    body = snapshot_body(snap)
    if body is None:
        return "snapshot has no body"
    try:
        proc = subprocess.run([exe, inp], capture_output=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "timed out"
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace").strip()
    if body.startswith("!!!ERROR!!!") or body.startswith("!!!SYNTAX ERROR!!!"):
        m = re.search(r"^\s*line: (\d+),", body, re.M)
        want = m.group(1) if m else None
        if proc.returncode != 1:
            return "expected an error at line %s, got exit %d" % (
                want, proc.returncode)
        got = re.match(r"line (\d+)", err)
        if got is None or got.group(1) != want:
            return "expected an error at line %s, got: %s" % (
                want, err.splitlines()[0] if err else "(nothing)")
        return None
    if proc.returncode != 0:
        return "exit %d: %s" % (proc.returncode,
                                err.splitlines()[0] if err else "")
    if out.strip("\n") != body.strip("\n"):
        want = body.strip("\n").split("\n")
        got = out.strip("\n").split("\n")
        for i, (w, g) in enumerate(zip(want, got)):
            if w != g:
                return "line %d: want %r, got %r" % (i + 1, w, g)
        return "want %d lines, got %d" % (len(want), len(got))
    return None


def main():
    if len(sys.argv) != 3:
        print("usage: minijinja_test.py TMPL_RENDER TESTDATA_DIR",
              file=sys.stderr)
        return 2
    exe, testdata = sys.argv[1], sys.argv[2]
    base = os.path.join(testdata, "minijinja")
    inputs = os.path.join(base, "inputs")
    snaps = os.path.join(base, "snapshots")
    if not os.path.isdir(inputs) or not os.path.isdir(snaps):
        print("minijinja: skipped: %s not found" % base)
        return 77
    names = sorted(n for n in os.listdir(inputs)
                   if os.path.isfile(os.path.join(inputs, n)))
    passed = 0
    req_passed = 0
    req_total = 0
    required_failed = False
    for name in names:
        stem = os.path.splitext(name)[0]
        is_required = stem in REQUIRED and name.endswith(".txt")
        snap = os.path.join(snaps, "test_templates__vm@%s.snap" % name)
        if not os.path.exists(snap):
            reason = "no snapshot"
        else:
            reason = run_case(exe, os.path.join(inputs, name), snap)
        if is_required:
            req_total += 1
        if reason is None:
            passed += 1
            if is_required:
                req_passed += 1
            continue
        if is_required:
            required_failed = True
        print("FAIL %s%s: %s" % (name, " (required)" if is_required else "",
                                 reason))
    missing = [r for r in REQUIRED if r + ".txt" not in names]
    for r in missing:
        print("FAIL %s.txt (required): no such input" % r)
        required_failed = True
    req_total += len(missing)
    print("minijinja: required %d/%d, all %d/%d" % (
        req_passed, req_total, passed, len(names)))
    return 1 if required_failed else 0


if __name__ == "__main__":
    sys.exit(main())
