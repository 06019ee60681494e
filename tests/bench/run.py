#!/usr/bin/python3
"""userprune benchmarks: `make bench`. Prints figures; asserts nothing.

  plan-live   plan --live on a snapshot of 1,000,000 users with 500,000
              keep entries: wall time and peak RSS (goal: < 3 s, < 600 MiB)

Usage: tests/bench/run.py [--build DIR] [NAME ...]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def workdir():
    d = os.path.join(tempfile.gettempdir(), "userprune-bench")
    os.makedirs(d, exist_ok=True)
    return d


def run_measured(argv, **kw):
    """Runs argv; returns (wall seconds, peak RSS MiB, completed process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    p = subprocess.run(argv, **kw)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: run the biggest
    # command in a fresh process to be sure it is this one's
    return wall, max(after, before) / 1024.0, p


def gen_plan_live(d, users=1_000_000, keep=500_000):
    snap = os.path.join(d, f"live-{users}.json")
    keepf = os.path.join(d, f"keep-{keep}.txt")
    yaml = os.path.join(d, "bench.yaml")
    if not os.path.exists(snap):
        with open(snap + ".tmp", "w") as f:
            f.write('{"bench": {"caller": "u0000000", "users": [\n')
            for i in range(users):
                f.write('%s{"id":"u%07d","email":"user%07d@example.test",'
                        '"username":"user%07d","name":"User %d"}\n'
                        % ("," if i else "", i, i, i, i))
            f.write("]}}\n")
        os.rename(snap + ".tmp", snap)
    if not os.path.exists(keepf):
        with open(keepf, "w") as f:
            # every other user, by email, in upper case to exercise folding
            for i in range(0, 2 * keep, 2):
                f.write("USER%07d@EXAMPLE.TEST\n" % i)
    with open(yaml, "w") as f:
        f.write(f"""version: 1
tenants:
  - name: bench
    vendor: scim
    url: https://scim.example.test/v2
    auth: {{ type: bearer, token: "${{env:BENCH_TOKEN}}" }}
    keep:
      - {{ file: {os.path.basename(keepf)}, field: email }}
    policy: {{ max_deletions: {users}, max_delete_percent: 100 }}
""")
    return yaml, snap


def bench_plan_live(build):
    d = workdir()
    print("plan-live: generating a snapshot of 1,000,000 users and "
          "500,000 keep entries (cached in %s)" % d, flush=True)
    yaml, snap = gen_plan_live(d)
    binary = os.path.join(build, "userprune")
    out = os.path.join(d, "plan.json")
    rows = []
    for label, extra in (("text to /dev/null", []),
                         ("text + plan file", ["-o", out])):
        # a child of its own, so that ru_maxrss is this run's peak
        code = ("import resource,subprocess,sys,time;"
                "t=time.monotonic();"
                "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
                "w=time.monotonic()-t;"
                "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
                "print(w,r/1024,p.returncode)")
        p = subprocess.run([sys.executable, "-c", code, binary, "plan", "-f",
                            yaml, "--live", snap] + extra,
                           capture_output=True, text=True, cwd=d)
        wall, rss, rc = p.stdout.split()
        rows.append((label, float(wall), float(rss), int(rc)))
    print()
    print("plan --live, 1,000,000 users, 500,000 keep entries, "
          "500,000 deletions")
    print(f"  {'run':<22} {'wall s':>8} {'peak RSS MiB':>13} {'exit':>5}")
    for label, wall, rss, rc in rows:
        print(f"  {label:<22} {wall:8.2f} {rss:13.0f} {rc:5d}")
    print("  goal: under 3 s and under 600 MiB")
    print(f"  reproduce: {binary} plan -f {yaml} --live {snap} "
          f"-o {out} >/dev/null")
    print()


BENCHES = {"plan-live": bench_plan_live}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    build = os.path.abspath(os.path.join(ROOT, args.build))
    os.environ["BENCH_TOKEN"] = "bench-token"
    for name in args.names or list(BENCHES):
        BENCHES[name](build)


if __name__ == "__main__":
    main()
