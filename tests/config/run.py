#!/usr/bin/python3
"""Golden tests of the configuration loader, through tests/config-check.

    run.py CONFIG_CHECK CASES_DIR REFERENCE_DIR [--update]

CASES_DIR/invalid/<case>/ and CASES_DIR/valid/<case>/ each hold a main file
acmed.toml (and whatever it includes) and the expected standard output of
config-check in `expected`.  An invalid case must exit 1, a valid one 0.
Optional files:
  args          arguments to config-check instead of "acmed.toml"
                (<case> stands for the absolute path of the case folder)
  expected.log  the expected standard error, timestamps removed (without
                it, standard error must be empty)
config-check runs in the case folder, so messages name files relatively;
the absolute path of the case folder is written <case> in expectations.

Then, unless REFERENCE_DIR (../shared/reference/acmed) is absent:
  * the shipped acmed.toml (with its includes) and each shipped file alone
    must load;
  * every example of the EXAMPLES section of acmed.toml.5.txt, taken from
    the man page text at run time, must load as printed (see MANPAGE below);
  * every toml block of accounts.md must load.

--update rewrites the expectations from the current output (review the
diff before committing).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

STAMP = re.compile(r'^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (\w+) *[^\]]*\] ',
                   re.M)

# The man page examples refer to things defined elsewhere: the default
# hooks, and a DNS hook the reader is expected to write.  Each example is
# loaded unchanged, as example.toml, from a main file that adds these.
COMPANION_DNS_HOOK = '''
[[hook]]
name = "some-dns-01-hook"
type = ["challenge-dns-01", "challenge-dns-01-clean"]
cmd = "true"
'''
# Example 3 (a [[group]] and a [[certificate]] marked "# Some fields
# omitted") uses the hooks of example 2 and the default group
# http-01-echo; the omitted fields are exactly what remains to report.
MANPAGE = {
    1: {'includes': ['default_hooks.toml'], 'extra': COMPANION_DNS_HOOK},
    2: {},
    3: {'with_example': 2, 'includes': ['default_hooks.toml'],
        'default_group_only': True,
        'expect_errors': [
            'example.toml:10:1: missing key `account` in [[certificate]]',
            'example.toml:10:1: missing key `endpoint` in [[certificate]]',
            'example.toml:10:1: missing key `identifiers` in '
            '[[certificate]]',
        ]},
    4: {},
}


def run_check(exe, cwd, args):
    env = dict(os.environ)
    # Sanitizer reports must fail the test, not hide in stderr.
    p = subprocess.run([exe] + args, cwd=cwd, capture_output=True,
                       env=env, timeout=60)
    return (p.returncode, p.stdout.decode('utf-8', 'replace'),
            p.stderr.decode('utf-8', 'replace'))


def normalise(text, case_dir):
    real = os.path.realpath(case_dir)
    text = text.replace(real, '<case>')
    return STAMP.sub(lambda m: '[%s] ' % m.group(1), text)


def golden(exe, cases_dir, kind, update):
    want_rc = 0 if kind == 'valid' else 1
    root = os.path.join(cases_dir, kind)
    names = sorted(os.listdir(root)) if os.path.isdir(root) else []
    failures = []
    for name in names:
        case = os.path.join(root, name)
        args = ['acmed.toml']
        if os.path.exists(os.path.join(case, 'args')):
            with open(os.path.join(case, 'args')) as f:
                args = [a.replace('<case>', os.path.realpath(case))
                        for a in f.read().split()]
        rc, out, err = run_check(exe, case, args)
        out = normalise(out, case)
        err = normalise(err, case)
        exp_path = os.path.join(case, 'expected')
        log_path = os.path.join(case, 'expected.log')
        if update:
            with open(exp_path, 'w') as f:
                f.write(out)
            if err:
                with open(log_path, 'w') as f:
                    f.write(err)
            elif os.path.exists(log_path):
                os.unlink(log_path)
        want_out = open(exp_path).read() if os.path.exists(exp_path) \
            else None
        want_err = open(log_path).read() if os.path.exists(log_path) \
            else ''
        problems = []
        if rc != want_rc:
            problems.append('exit status %d, expected %d' % (rc, want_rc))
        if want_out is None:
            problems.append('no expected file')
        elif out != want_out:
            problems.append('output differs:\n--- expected\n%s--- got\n%s'
                            % (want_out, out))
        if err != want_err:
            problems.append('stderr differs:\n--- expected\n%s--- got\n%s'
                            % (want_err, err))
        if problems:
            failures.append('%s/%s: %s' % (kind, name, '\n'.join(problems)))
    return len(names), failures


def manpage_examples(text):
    """The indented blocks of the EXAMPLES section, dedented."""
    sect = text.split('\nEXAMPLES\n', 1)[1].split('\nSEE ALSO\n', 1)[0]
    blocks, cur = [], None
    for line in sect.split('\n'):
        if line.startswith('\t   '):
            if cur is None:
                cur = []
            cur.append(line[4:])
        elif line == '' and cur is not None:
            cur.append('')
        else:
            if cur is not None:
                blocks.append(cur)
            cur = None
    if cur is not None:
        blocks.append(cur)
    return ['\n'.join(b).strip('\n') + '\n' for b in blocks]


def load_ok(exe, cwd, args):
    rc, out, err = run_check(exe, cwd, args)
    if rc != 0:
        return 'exit status %d:\n%s%s' % (rc, out, err)
    if 'runtime error' in err or 'Sanitizer' in err:
        return 'sanitizer report:\n' + err
    return None


def reference(exe, ref_dir):
    failures, counts = [], {'reference': 0, 'manpage': 0, 'accounts': 0}
    for name in ('acmed.toml', 'default_hooks.toml', 'letsencrypt.toml'):
        path = os.path.join(ref_dir, name)
        if not os.path.exists(path):
            failures.append('reference %s: missing' % name)
            continue
        why = load_ok(exe, ref_dir, [path])
        counts['reference'] += 1
        if why:
            failures.append('reference %s: %s' % (name, why))

    with open(os.path.join(ref_dir, 'acmed.toml.5.txt'),
              encoding='utf-8') as f:
        examples = manpage_examples(f.read())
    if len(examples) != len(MANPAGE):
        failures.append('man page: %d examples found, %d expected'
                        % (len(examples), len(MANPAGE)))
    for i, ex in enumerate(examples, 1):
        spec = MANPAGE.get(i, {})
        counts['manpage'] += 1
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, 'example.toml'), 'w') as f:
                f.write(ex)
            includes = ['example.toml']
            if 'with_example' in spec:
                with open(os.path.join(tmp, 'other.toml'), 'w') as f:
                    f.write(examples[spec['with_example'] - 1])
                includes.append('other.toml')
            for inc in spec.get('includes', []):
                src = os.path.join(ref_dir, inc)
                dst = os.path.join(tmp, inc)
                shutil.copy(src, dst)
                if spec.get('default_group_only'):
                    # Example 2 defines hooks with the names the default
                    # http-01-echo group uses: keep only that group.
                    with open(dst) as f:
                        text = f.read()
                    keep = re.search(r'\[\[group\]\]\nname = "http-01-echo"'
                                     r'\nhooks = \[[^\]]*\]\n', text)
                    with open(dst, 'w') as f:
                        f.write(keep.group(0))
                includes.append(inc)
            if 'extra' in spec:
                with open(os.path.join(tmp, 'extra.toml'), 'w') as f:
                    f.write(spec['extra'])
                includes.append('extra.toml')
            with open(os.path.join(tmp, 'main.toml'), 'w') as f:
                f.write('include = [%s]\n' % ', '.join(
                    '"%s"' % x for x in includes))
            if 'expect_errors' in spec:
                rc, out, err = run_check(exe, tmp, ['main.toml'])
                want = '\n'.join(spec['expect_errors']) + '\n'
                if rc != 1 or out != want:
                    failures.append('man page example %d: expected\n%sgot '
                                    '(exit %d)\n%s%s' % (i, want, rc, out,
                                                         err))
            else:
                why = load_ok(exe, tmp, ['main.toml'])
                if why:
                    failures.append('man page example %d: %s' % (i, why))

    accounts = os.path.join(ref_dir, 'accounts.md')
    if os.path.exists(accounts):
        with open(accounts, encoding='utf-8') as f:
            blocks = re.findall(r'``` toml\n(.*?)```', f.read(), re.S)
        for i, block in enumerate(blocks, 1):
            counts['accounts'] += 1
            with tempfile.TemporaryDirectory() as tmp:
                with open(os.path.join(tmp, 'acmed.toml'), 'w') as f:
                    f.write(block)
                why = load_ok(exe, tmp, ['acmed.toml'])
                if why:
                    failures.append('accounts.md example %d: %s' % (i, why))
    return counts, failures


def main():
    args = [a for a in sys.argv[1:] if a != '--update']
    update = '--update' in sys.argv
    if len(args) != 3:
        print(__doc__)
        return 2
    exe, cases_dir, ref_dir = (os.path.abspath(a) for a in args)
    failures = []
    n_invalid, f = golden(exe, cases_dir, 'invalid', update)
    failures += f
    n_valid, f = golden(exe, cases_dir, 'valid', update)
    failures += f
    summary = 'config: %d invalid and %d valid golden cases' % (n_invalid,
                                                                n_valid)
    if os.path.isdir(ref_dir):
        counts, f = reference(exe, ref_dir)
        failures += f
        summary += (', %d reference files, %d man page examples, %d '
                    'accounts.md examples' % (counts['reference'],
                                              counts['manpage'],
                                              counts['accounts']))
    else:
        summary += ('; reference configurations skipped: %s is absent'
                    % ref_dir)
    for fail in failures:
        print('FAIL ' + fail)
    print(summary + (': %d failed' % len(failures) if failures
                     else ': all passed'))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
