#!/usr/bin/python3
"""Writes src/tmpl/utf8_tab.h, the Unicode tables of the template engine.

    scripts/gen-unicode-tables.py > src/tmpl/utf8_tab.h

The data comes from ICU (Debian's python3-icu): the version of Unicode is
ICU's, printed at the top of the output.  The tables are what Rust's
standard library uses for MiniJinja's filters and value printing:

  - simple case mappings (char::to_uppercase / to_lowercase when they
    give one character), as runs of code points with a common offset;
  - full case mappings of one character into several (SpecialCasing.txt
    without its conditional entries: ß -> SS, İ -> i̇...);
  - Cased and Case_Ignorable, for the final sigma of str::to_lowercase;
  - the characters str's Debug escapes as \\u{...}: Grapheme_Extend, and
    those Rust does not call printable (general categories Cc, Cf, Cs,
    Co, Cn, Zl, Zp and Zs, but the space).
"""

import sys

import icu
from icu import Char, UCharCategory as G, UProperty

MAX = 0x110000


def chars():
    for c in range(MAX):
        if not 0xD800 <= c <= 0xDFFF:
            yield c


def ranges(pred):
    out = []
    for c in chars():
        if not pred(c):
            continue
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def runs(mapping):
    """Runs (first, count, step, delta): count code points from first,
    step apart, each mapped to itself plus delta."""
    out = []
    for c in chars():
        m = mapping(c)
        if m == c:
            continue
        d = m - c
        if out:
            first, count, step, delta = out[-1]
            last = first + (count - 1) * step
            if delta == d and count == 1 and c - first in (1, 2):
                out[-1] = [first, 2, c - first, d]
                continue
            if delta == d and count > 1 and c == last + step:
                out[-1][1] += 1
                continue
        out.append([c, 1, 1, d])
    return out


def full(c, upper):
    s = icu.UnicodeString(chr(c))
    s = s.toUpper(icu.Locale.getRoot()) if upper else \
        s.toLower(icu.Locale.getRoot())
    r = [ord(x) for x in str(s)]
    return r if len(r) > 1 else None


NOT_PRINTABLE = {G.CONTROL_CHAR, G.FORMAT_CHAR, G.SURROGATE,
                 G.PRIVATE_USE_CHAR, G.UNASSIGNED, G.LINE_SEPARATOR,
                 G.PARAGRAPH_SEPARATOR, G.SPACE_SEPARATOR}


def escaped(c):
    if Char.hasBinaryProperty(c, UProperty.GRAPHEME_EXTEND):
        return True
    return Char.charType(c) in NOT_PRINTABLE and c != 0x20


def emit_runs(name, rs):
    print("static const struct uc_run %s[] = {" % name)
    for first, count, step, delta in rs:
        print("\t{ 0x%x, %d, %d, %d }," % (first, count, step, delta))
    print("};\n")


def emit_ranges(name, rs):
    print("static const struct uc_range %s[] = {" % name)
    line = "\t"
    for lo, hi in rs:
        item = "{ 0x%x, 0x%x }, " % (lo, hi)
        if len(line.expandtabs()) + len(item) > 78:
            print(line.rstrip())
            line = "\t"
        line += item
    print(line.rstrip())
    print("};\n")


def emit_special(name, upper):
    print("static const struct uc_special %s[] = {" % name)
    for c in chars():
        r = full(c, upper)
        if r is not None:
            assert len(r) <= 3
            print("\t{ 0x%x, { %s } }," %
                  (c, ", ".join("0x%x" % x for x in r)))
    print("};\n")


def main():
    print("/*")
    print(" * utf8_tab.h - Unicode %s tables for utf8.c, written by"
          % icu.UNICODE_VERSION)
    print(" * scripts/gen-unicode-tables.py from ICU %s: do not edit."
          % icu.ICU_VERSION)
    print(" */")
    emit_runs("uc_upper_runs", runs(Char.toupper))
    emit_runs("uc_lower_runs", runs(Char.tolower))
    emit_special("uc_upper_special", True)
    emit_special("uc_lower_special", False)
    emit_ranges("uc_cased", ranges(
        lambda c: Char.hasBinaryProperty(c, UProperty.CASED)))
    emit_ranges("uc_case_ignorable", ranges(
        lambda c: Char.hasBinaryProperty(c, UProperty.CASE_IGNORABLE)))
    emit_ranges("uc_debug_escaped_tab", ranges(escaped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
