#!/usr/bin/python3
"""toml_test.py - runs the toml-test suite (TOML 1.0 list) against a decoder.

Usage: toml_test.py [DECODER [TOML_TEST_DIR]]

DECODER defaults to build/tests/toml-test-decoder and TOML_TEST_DIR to
../shared/testdata/toml-test, both from the project root.  Every case named
in tests/files-toml-1.0.0 runs:

- valid/X.toml passes when the decoder exits 0 and its JSON equals
  valid/X.json the way toml-test compares them: tagged values
  {"type": T, "value": V} must have the same type, and values are compared
  by meaning (integers and floats as numbers, nan equal to nan, datetimes as
  instants or clock readings, so "17:45:56.6" equals "17:45:56.600");
- invalid/X.toml passes when the decoder exits non-zero without crashing.

A sanitizer report on stderr fails a case of either kind, so the runner can
check an ASan/UBSan build of the decoder too.

Prints the failures, then exactly one line
"toml-test: valid A/B, invalid C/D".  Exits 0 when all pass, 1 otherwise,
77 (meson's "skipped") when the test data is absent.  Standard library only.
"""

import concurrent.futures
import json
import math
import os
import re
import subprocess
import sys
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TIMEOUT = 20  # seconds per case; a valid case takes milliseconds

DT_RE = re.compile(
    r'^(?:(\d{4})-(\d{2})-(\d{2}))?'
    r'(?:T?(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?'
    r'(Z|[+-]\d{2}:\d{2})?$')


def show(path):
    """A path as the user would type it from the project root."""
    try:
        return os.path.relpath(path, ROOT)
    except ValueError:
        return path


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (any year)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def dt_key(kind, text):
    """A comparable value for a toml-test datetime string, or None."""
    text = text.replace(' ', 'T').replace('t', 'T').replace('z', 'Z')
    m = DT_RE.match(text)
    if m is None:
        return None
    y, mo, d, h, mi, s, frac, off = m.groups()
    fr = Fraction(int(frac), 10 ** len(frac)) if frac else Fraction(0)
    has_date = y is not None
    has_time = h is not None
    want = {
        'datetime': (True, True, True),
        'datetime-local': (True, True, False),
        'date-local': (True, False, False),
        'time-local': (False, True, False),
    }.get(kind)
    if want != (has_date, has_time, off is not None):
        return None
    secs = 0
    if has_date:
        secs += days_from_civil(int(y), int(mo), int(d)) * 86400
    if has_time:
        secs += int(h) * 3600 + int(mi) * 60 + int(s)
    if off and off != 'Z':
        sign = -1 if off[0] == '-' else 1
        secs -= sign * (int(off[1:3]) * 60 + int(off[4:6])) * 60
    return secs + fr


def parse_float(s):
    s = s.strip().lower()
    if s.lstrip('+-') == 'nan':
        return math.nan
    if s.lstrip('+-') in ('inf', 'infinity'):
        return -math.inf if s.startswith('-') else math.inf
    return float(s.replace('_', ''))


def is_tagged(v):
    return (isinstance(v, dict) and set(v) == {'type', 'value'} and
            isinstance(v['type'], str) and isinstance(v['value'], str))


def cmp_tagged(want, have, where):
    if not is_tagged(have):
        return '%s: expected a tagged %s, got %s' % (
            where, want['type'], json.dumps(have)[:80])
    if want['type'] != have['type']:
        return '%s: type %s, expected %s' % (where, have['type'],
                                             want['type'])
    t, w, h = want['type'], want['value'], have['value']
    try:
        if t == 'integer':
            same = int(w) == int(h)
        elif t == 'float':
            fw, fh = parse_float(w), parse_float(h)
            same = (math.isnan(fw) and math.isnan(fh)) or fw == fh
        elif t in ('datetime', 'datetime-local', 'date-local',
                   'time-local'):
            kw, kh = dt_key(t, w), dt_key(t, h)
            same = kw is not None and kw == kh
        else:
            same = w == h
    except ValueError:
        same = False
    if not same:
        return '%s: value %r, expected %r' % (where, h, w)
    return None


def cmp_json(want, have, where='top'):
    """None when equal, else a description of the first difference."""
    if is_tagged(want):
        return cmp_tagged(want, have, where)
    if isinstance(want, dict):
        if not isinstance(have, dict) or is_tagged(have):
            return '%s: expected a table, got %s' % (
                where, json.dumps(have)[:80])
        if set(want) != set(have):
            return '%s: keys %s, expected %s' % (
                where, sorted(have), sorted(want))
        for k in want:
            r = cmp_json(want[k], have[k], '%s.%s' % (where, k))
            if r:
                return r
        return None
    if isinstance(want, list):
        if not isinstance(have, list):
            return '%s: expected an array, got %s' % (
                where, json.dumps(have)[:80])
        if len(want) != len(have):
            return '%s: %d items, expected %d' % (where, len(have),
                                                  len(want))
        for i, (w, h) in enumerate(zip(want, have)):
            r = cmp_json(w, h, '%s[%d]' % (where, i))
            if r:
                return r
        return None
    return '%s: unexpected JSON %r in the expected file' % (where, want)


def run(decoder, toml_path):
    with open(toml_path, 'rb') as f:
        data = f.read()
    try:
        p = subprocess.run([decoder], input=data, capture_output=True,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, b'', b'timed out'
    return p.returncode, p.stdout, p.stderr


def sanitizer_report(err):
    """The first line of an ASan/UBSan report in stderr, or None."""
    for line in err.decode('utf-8', 'replace').splitlines():
        if 'Sanitizer' in line or 'runtime error:' in line:
            return line.strip()[:200]
    return None


def check_valid(decoder, tests_dir, name):
    """None on success, else the reason."""
    rc, out, err = run(decoder, os.path.join(tests_dir, name + '.toml'))
    if rc is None:
        return 'timed out'
    if sanitizer_report(err):
        return sanitizer_report(err)
    if rc != 0:
        return 'rejected (exit %d): %s' % (
            rc, err.decode('utf-8', 'replace').strip()[:200])
    with open(os.path.join(tests_dir, name + '.json'), 'rb') as f:
        want = json.loads(f.read().decode('utf-8'))
    try:
        have = json.loads(out.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as e:
        return 'output is not JSON: %s' % e
    return cmp_json(want, have)


def check_invalid(decoder, tests_dir, name):
    rc, out, err = run(decoder, os.path.join(tests_dir, name + '.toml'))
    if rc is None:
        return 'timed out'
    if sanitizer_report(err):
        return sanitizer_report(err)
    if rc < 0:
        return 'crashed (signal %d)' % -rc
    if rc == 0:
        return 'accepted, output: %s' % out.decode(
            'utf-8', 'replace').strip()[:200]
    return None


def main(argv):
    decoder = argv[1] if len(argv) > 1 else os.path.join(
        ROOT, 'build', 'tests', 'toml-test-decoder')
    data_dir = argv[2] if len(argv) > 2 else os.path.join(
        ROOT, '..', 'shared', 'testdata', 'toml-test')
    data_dir = os.path.normpath(data_dir)
    tests_dir = os.path.join(data_dir, 'tests')
    list_file = os.path.join(tests_dir, 'files-toml-1.0.0')
    if not os.path.isfile(list_file):
        print('toml-test: skipped: %s not found' % show(data_dir))
        return 77
    if not os.access(decoder, os.X_OK):
        print('toml-test: decoder %s not found (build it first)' %
              show(decoder))
        return 1

    valid, invalid = [], []
    with open(list_file, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line.startswith('valid/') and line.endswith('.toml'):
                valid.append(line[:-5])
            elif line.startswith('invalid/') and line.endswith('.toml'):
                invalid.append(line[:-5])

    jobs = [(check_valid, n) for n in valid] + \
        [(check_invalid, n) for n in invalid]
    workers = min(16, (os.cpu_count() or 2) * 2)
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        results = list(ex.map(
            lambda j: j[0](decoder, tests_dir, j[1]), jobs))

    vok = iok = 0
    for (fn, name), reason in zip(jobs, results):
        if reason is None:
            if fn is check_valid:
                vok += 1
            else:
                iok += 1
        else:
            print('FAIL %s: %s' % (name, reason))
    print('toml-test: valid %d/%d, invalid %d/%d' % (
        vok, len(valid), iok, len(invalid)))
    return 0 if vok == len(valid) and iok == len(invalid) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
