#!/usr/bin/python3
"""Runs every userprune test and prints a last line "N passed, N failed".

Suites:
  unit         cmocka binaries build/tests/test_* (TAP output, one result
               per test case)
  fixtures     tests/fixtures/config: every invalid/NAME.yaml must fail
               `userprune validate` with exactly invalid/NAME.err on stderr;
               every valid/*.yaml must validate
  schema       tests/schema_check.py: the JSON Schemas agree with the loader
               on every example and fixture
  integration  tests/integration/test_*.py (unittest), run against the real
               binary and the vendor emulator
  fuzz-corpus  every fuzz target (BUILD/fuzz/fuzz_NAME, linked with
               tests/fuzz/driver.c) run once on each file of its corpus
               tests/fuzz/corpus/NAME/ (one result per target)

Usage: tests/run.py [--build DIR] [--sanitized] [SUITE|PATTERN ...]
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def ok(self, name):
        self.passed += 1

    def fail(self, name, detail):
        self.failed.append((name, detail))
        print(f"FAIL {name}\n{indent(detail)}", flush=True)


def indent(text, prefix="    "):
    text = text.rstrip()
    if len(text) > 6000:
        text = text[:3000] + "\n...\n" + text[-3000:]
    return "\n".join(prefix + line for line in text.splitlines())


def sanitizer_env(env):
    env = dict(env)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


def run_unit(build, res, selected):
    bindir = os.path.join(build, "tests")
    if not os.path.isdir(bindir):
        return
    for name in sorted(os.listdir(bindir)):
        path = os.path.join(bindir, name)
        if not name.startswith("test_") or not os.access(path, os.X_OK):
            continue
        if selected and not any(s in name for s in selected):
            continue
        env = sanitizer_env(os.environ)
        env["CMOCKA_MESSAGE_OUTPUT"] = "TAP"
        env["USERPRUNE_ROOT"] = ROOT
        try:
            p = subprocess.run([path], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            res.fail(name, "timed out")
            continue
        cases = 0
        for line in p.stdout.splitlines():
            m = re.match(r"(not ok|ok) \d+ - (.*)", line)
            if not m:
                continue
            cases += 1
            if m.group(1) == "ok":
                res.ok(f"{name}: {m.group(2)}")
            else:
                res.fail(f"{name}: {m.group(2)}", p.stdout + p.stderr)
        if p.returncode != 0 and (cases == 0 or p.returncode < 0
                                  or "ERROR: AddressSanitizer" in p.stderr
                                  or "LeakSanitizer" in p.stderr
                                  or "runtime error" in p.stderr):
            res.fail(name, f"exit {p.returncode}\n{p.stdout}{p.stderr}")


def run_fixtures(build, res, selected):
    binary = os.path.join(build, "userprune")
    base = os.path.join(ROOT, "tests", "fixtures", "config")
    env = sanitizer_env({k: v for k, v in os.environ.items()
                         if not k.startswith("FIXTURE_")})
    env["FIXTURE_TOKEN"] = "fixture-token-value"
    env["FIXTURE_USER"] = "fixture-user"
    env["NO_COLOR"] = "1"
    for kind in ("valid", "invalid"):
        d = os.path.join(base, kind)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if not f.endswith(".yaml"):
                continue
            name = f"fixture {kind}/{f}"
            if selected and not any(s in name for s in selected):
                continue
            p = subprocess.run([binary, "validate", "-f", f], cwd=d, env=env,
                               capture_output=True)
            err = p.stderr.decode("utf-8", "replace")
            if kind == "valid":
                if p.returncode == 0:
                    res.ok(name)
                else:
                    res.fail(name, f"exit {p.returncode}\n{err}")
                continue
            golden = os.path.join(d, f[:-5] + ".err")
            want = open(golden, encoding="utf-8").read() \
                if os.path.exists(golden) else "(no .err golden file)"
            if p.returncode == 1 and err == want:
                res.ok(name)
            else:
                res.fail(name, f"exit {p.returncode}\n--- want\n{want}"
                               f"--- got\n{err}")


def run_examples(build, res, selected):
    """Every example validates, with its ${env:NAME} variables set."""
    binary = os.path.join(build, "userprune")
    d = os.path.join(ROOT, "examples")
    for f in sorted(os.listdir(d)):
        name = f"example {f}"
        if not f.endswith(".yaml") or \
                (selected and not any(s in name for s in selected)):
            continue
        text = open(os.path.join(d, f), encoding="utf-8").read()
        env = sanitizer_env(os.environ)
        for var in re.findall(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}", text):
            env[var] = "example-value"
        p = subprocess.run([binary, "validate", "-f", f], cwd=d, env=env,
                           capture_output=True, text=True)
        if p.returncode == 0 and "configuration OK" in p.stdout:
            res.ok(name)
        else:
            res.fail(name, f"exit {p.returncode}\n{p.stdout}{p.stderr}")


def run_schema(build, res, selected):
    if selected and not any(s in "schema" for s in selected):
        return
    try:
        import schema_check
    except ImportError as e:
        res.fail("schema", f"cannot import schema_check: {e}")
        return
    for name, ok, detail in schema_check.checks(ROOT, build):
        if ok:
            res.ok(f"schema {name}")
        else:
            res.fail(f"schema {name}", detail)


def run_fuzz_corpus(build, res, selected):
    bindir = os.path.join(build, "fuzz")
    if not os.path.isdir(bindir):
        return
    for binary in sorted(os.listdir(bindir)):
        path = os.path.join(bindir, binary)
        if not binary.startswith("fuzz_") or not os.access(path, os.X_OK):
            continue
        target = binary[len("fuzz_"):]
        name = f"fuzz-corpus {target}"
        if selected and not any(s in name for s in selected):
            continue
        corpus = os.path.join(ROOT, "tests", "fuzz", "corpus", target)
        if not os.path.isdir(corpus):
            res.fail(name, f"no corpus {corpus}")
            continue
        try:
            p = subprocess.run([path, corpus], cwd=ROOT,
                               env=sanitizer_env(os.environ),
                               stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            res.fail(name, "timed out")
            continue
        if p.returncode == 0 and " 0 inputs" not in p.stdout:
            res.ok(name)
        else:
            res.fail(name, f"exit {p.returncode}\n{p.stdout}{p.stderr}")


class Collector(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.outcomes = []

    def addSuccess(self, test):
        self.outcomes.append((test.id(), None))

    def addFailure(self, test, err):
        self.outcomes.append((test.id(), self._exc_info_to_string(err, test)))

    def addError(self, test, err):
        self.outcomes.append((test.id(), self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):
        self.outcomes.append((test.id(), None))

    def addSubTest(self, test, subtest, err):
        # a failed subtest fails its test; passing ones add nothing
        if err is not None:
            self.outcomes.append((subtest.id(),
                                  self._exc_info_to_string(err, test)))

    def addExpectedFailure(self, test, err):
        self.outcomes.append((test.id(), None))

    def addUnexpectedSuccess(self, test):
        self.outcomes.append((test.id(), "unexpected success"))


def run_module(module):
    """Runs one integration module in a child process; returns outcomes."""
    loader = unittest.TestLoader()
    result = Collector()
    start = time.time()
    try:
        suite = loader.loadTestsFromName(module)
    except Exception as e:
        return module, [(module, f"cannot load: {e!r}")], 0.0
    suite.run(result)
    # a test whose subtests failed reported them; do not also count it ok
    failed = {tid.split(" ")[0] for tid, f in result.outcomes if f}
    outcomes = [(tid, f) for tid, f in result.outcomes
                if f or tid not in failed]
    return module, outcomes, time.time() - start


def run_integration(build, res, selected, jobs):
    d = os.path.join(ROOT, "tests", "integration")
    if not os.path.isdir(d):
        return
    modules = [f[:-3] for f in sorted(os.listdir(d))
               if f.startswith("test_") and f.endswith(".py")]
    if selected:
        modules = [m for m in modules
                   if any(s in m or s == "integration" for s in selected)]
    os.environ["USERPRUNE_BUILD"] = os.path.abspath(build)
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        for module, outcomes, secs in pool.map(run_module, modules):
            if os.environ.get("USERPRUNE_TEST_TIMES"):
                print(f"  {module}: {len(outcomes)} tests, {secs:.1f} s")
            for tid, failure in outcomes:
                if failure is None:
                    res.ok(tid)
                else:
                    res.fail(tid, failure)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--sanitized", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("select", nargs="*")
    args = ap.parse_args()
    build = os.path.join(ROOT, args.build) \
        if not os.path.isabs(args.build) else args.build
    os.environ["USERPRUNE_SANITIZED"] = "1" if args.sanitized else ""
    suites = {"unit", "fixtures", "schema", "integration", "fuzz-corpus"}
    chosen = [s for s in args.select if s in suites] or list(suites)
    patterns = [s for s in args.select if s not in suites]
    res = Results()
    start = time.time()
    if "unit" in chosen:
        run_unit(build, res, patterns)
    if "fixtures" in chosen:
        run_fixtures(build, res, patterns)
        run_examples(build, res, patterns)
    if "schema" in chosen:
        run_schema(build, res, patterns)
    if "fuzz-corpus" in chosen:
        run_fuzz_corpus(build, res, patterns)
    if "integration" in chosen:
        run_integration(build, res, patterns, args.jobs)
    if res.failed:
        print("\nFailed:")
        for name, _ in res.failed:
            print(f"  {name}")
    print(f"({time.time() - start:.0f} s)")
    print(f"{res.passed} passed, {len(res.failed)} failed")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
