#!/usr/bin/python3
"""userprune benchmarks: `make bench`. Prints figures; asserts nothing.

  plan-live      plan --live on a snapshot of 1,000,000 users with 500,000
                 keep entries: wall time and peak RSS (goal: < 3 s, < 600 MiB)
  deletes        a) 5,000 deletions, 50 ms latency, a 200 requests/s limit:
                 userprune told the limit, userprune one at a time, and a
                 python3 loop like a vendor's how-to script (goal: >= 190/s,
                 zero failed, >= 15x the script)
  unknown-limit  b) the same with the limit unknown to userprune
                 (concurrency 32) and the emulator enforcing 100/s (goal:
                 >= 85 deletions/s, 429 answers under 5% of requests)
  list-million   c) list 1,000,000 Atlassian users, 1,000 a page, 20 ms
                 latency: wall time and peak RSS (goal: < 5 s, < 600 MiB)
  faults         d) 10% 503, 2% dropped connections, 429 bursts: every
                 planned deletion reaches one final outcome, none twice
  many-tenants   e) one plan of 100, 1,000 and 4,000 tenants of 200 users
                 each (one emulated site, 20 ms latency): wall time, peak
                 RSS, whether every tenant was listed in full

Usage: tests/bench/run.py [--build DIR] [NAME ...]
"""

import argparse
import http.client
import base64
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import yaml  # noqa: E402
from emu import Emulator  # noqa: E402

SECRET = "bench-secret"
USER = "admin@example.test"


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


# ---- against the emulator ----

MEASURE = ("import resource,subprocess,sys,time;"
           "t=time.monotonic();"
           "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,"
           "stderr=subprocess.DEVNULL);"
           "w=time.monotonic()-t;"
           "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
           "print(w,r/1024,p.returncode)")


class Run:
    """A private directory with a desired-state file for one tenant."""

    def __init__(self, build, emu, vendor, limits, keep, deletions):
        self.build = build
        self.dir = tempfile.mkdtemp(prefix="userprune-bench-")
        self.env = dict(os.environ, BENCH_USER=USER, BENCH_SECRET=SECRET,
                        NO_COLOR="1")
        auth = {"atlassian": {"type": "basic", "username": "${env:BENCH_USER}",
                              "password": "${env:BENCH_SECRET}"},
                "scim": {"type": "bearer", "token": "${env:BENCH_SECRET}"}}
        cfg = {"version": 1, "tenants": [{
            "name": "bench", "vendor": vendor, "url": emu.base_url(),
            "auth": auth[vendor], "keep": keep,
            "policy": {"max_deletions": deletions, "max_delete_percent": 100},
            "limits": limits}]}
        with open(os.path.join(self.dir, "userprune.yaml"), "w") as f:
            yaml.safe_dump(cfg, f)

    def measured(self, *args):
        """(wall seconds, peak RSS MiB, exit code) of userprune args."""
        p = subprocess.run([sys.executable, "-c", MEASURE,
                            os.path.join(self.build, "userprune")] +
                           list(args), cwd=self.dir, env=self.env,
                           capture_output=True, text=True)
        wall, rss, rc = p.stdout.split()
        return float(wall), float(rss), int(rc)

    def run(self, *args):
        return subprocess.run([os.path.join(self.build, "userprune")] +
                              list(args), cwd=self.dir, env=self.env,
                              capture_output=True, text=True)

    def outcomes(self, journal):
        out = {}
        with open(os.path.join(self.dir, journal)) as f:
            for line in f:
                o = json.loads(line)
                if o["type"] == "outcome":
                    out.setdefault(o["id"], []).append(o["outcome"])
        return out

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def population(n, prefix="u"):
    users = [{"id": "keeper", "email": USER, "username": "admin",
              "name": "Admin"}]
    users += [{"id": "%s%06d" % (prefix, i),
               "email": "%s%06d@bench.example" % (prefix, i),
               "name": "User %d" % i} for i in range(n)]
    return {"caller": "keeper", "users": users}


def delete_rate(emu):
    """Deletions per second between the first and the last DELETE."""
    t = [r["t"] for r in emu.requests() if r["method"] == "DELETE"
         and r["status"] in (200, 204)]
    if len(t) < 2:
        return 0.0, len(t)
    return (len(t) - 1) / (max(t) - min(t)), len(t)


def userprune_apply(build, n, limits, emu_flags, vendor="atlassian"):
    pop = population(n)
    auth = {"username": USER, "password": SECRET} if vendor == "atlassian" \
        else {"token": SECRET}
    with Emulator(vendor, population=pop, **auth, **emu_flags) as emu:
        run = Run(build, emu, vendor, limits, keep=[USER], deletions=n)
        try:
            p = run.run("plan", "-o", "plan.json")
            if p.returncode != 0:
                raise SystemExit("bench: plan failed: " + p.stderr)
            emu.reset_stats()
            wall, rss, rc = run.measured("apply", "plan.json", "--journal",
                                         "j.jsonl")
            rate, done = delete_rate(emu)
            outcomes = run.outcomes("j.jsonl")
            failed = sum(1 for v in outcomes.values() if "failed" in v)
            stats = emu.stats()
            return {"wall": wall, "rate": rate, "deleted": done,
                    "failed": failed, "rc": rc,
                    "requests": stats["requests"],
                    "429": stats["by_status"].get("429", 0)}
        finally:
            run.close()


def script_deletes(n, emu_flags):
    """The one-request-at-a-time loop of a vendor how-to, in python3."""
    pop = population(n)
    with Emulator("atlassian", population=pop, username=USER,
                  password=SECRET, **emu_flags) as emu:
        u = urllib.parse.urlsplit(emu.base_url())
        auth = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
        start = time.monotonic()
        ok = 0
        for user in pop["users"][1:]:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            c.request("DELETE", "/rest/api/3/user?accountId=" + user["id"],
                      headers={"Authorization": "Basic " + auth})
            r = c.getresponse()
            r.read()
            c.close()
            ok += r.status < 400
        wall = time.monotonic() - start
    return {"wall": wall, "rate": ok / wall, "deleted": ok}


def bench_deletes(build):
    # a new connection costs a round trip (TCP's handshake) before its
    # first request: userprune keeps its connections, the script (like
    # requests.delete() in a vendor's how-to) opens one per request
    flags = {"latency_ms": 50, "connect_latency_ms": 50, "rate_limit": 200}
    print("deletes: a) 50 ms latency, the vendor allows 200 requests/s",
          flush=True)
    fast = userprune_apply(build, 5000, {"requests_per_second": 200,
                                         "concurrency": 16}, flags)
    slow_n = 400
    one = userprune_apply(build, slow_n, {"requests_per_second": 200,
                                          "concurrency": 1}, flags)
    script = script_deletes(slow_n, flags)
    print()
    print("a) apply with 50 ms latency and a 200 requests/s limit")
    print(f"  {'run':<44} {'deletions':>9} {'per s':>7} {'wall s':>7} "
          f"{'failed':>6}")
    print(f"  {'userprune, requests_per_second 200, conc. 16':<44} "
          f"{fast['deleted']:9d} {fast['rate']:7.1f} {fast['wall']:7.1f} "
          f"{fast['failed']:6d}")
    print(f"  {'userprune, concurrency 1':<44} {one['deleted']:9d} "
          f"{one['rate']:7.1f} {one['wall']:7.1f} {one['failed']:6d}")
    print(f"  {'python3 loop, a connection per DELETE':<44} "
          f"{script['deleted']:9d} {script['rate']:7.1f} "
          f"{script['wall']:7.1f} {'-':>6}")
    print(f"  speed-up over the script: {fast['rate'] / script['rate']:.1f}x"
          f" (5,000 deletions: {5000 / fast['rate']:.0f} s instead of "
          f"{5000 / script['rate']:.0f} s)")
    print("  goal: >= 190 deletions/s, zero failed, >= 15x the script")
    print("  (50 ms a round trip: every request pays one, a new connection "
          "one more)")
    print(f"  (the one-at-a-time runs delete {slow_n} users; their rate does "
          "not depend on the count)")
    print()


def bench_unknown_limit(build):
    print("unknown-limit: b) the emulator allows 100 requests/s; userprune "
          "is not told", flush=True)
    r = userprune_apply(build, 5000, {"concurrency": 32},
                        {"latency_ms": 50, "connect_latency_ms": 50,
                         "rate_limit": 100}, vendor="scim")
    print()
    print("b) apply 5,000 deletions, limit unknown to userprune (SCIM, no "
          "requests_per_second,")
    print("   concurrency 32), the emulator enforcing 100 requests/s with "
          "429 + Retry-After")
    print(f"  deletions/s {r['rate']:.1f}, wall {r['wall']:.1f} s, requests "
          f"{r['requests']}, 429 answers {r['429']} "
          f"({100.0 * r['429'] / max(r['requests'], 1):.1f}%), failed "
          f"{r['failed']}")
    print("  goal: >= 85 deletions/s, 429 answers under 5% of requests")
    print()


def bench_list_million(build):
    print("list-million: c) starting an emulated Atlassian site of "
          "1,000,000 users", flush=True)
    with Emulator("atlassian", users=1000000, latency_ms=20, username=USER,
                  password=SECRET, log=False) as emu:
        run = Run(build, emu, "atlassian",
                  {"concurrency": 8, "requests_per_second": 0},
                  keep=[{"email": "*"}], deletions=0)
        try:
            wall, rss, rc = run.measured("plan", "-o", "plan.json")
            plan = json.load(open(os.path.join(run.dir, "plan.json")))
            live = plan["tenants"][0]["counts"]["live"]
            requests = emu.stats()["requests"]
        finally:
            run.close()
    print()
    print("c) plan: list 1,000,000 Atlassian users, 1,000 a page, 20 ms "
          "latency, concurrency 8")
    print(f"  users listed {live}, requests {requests}, wall {wall:.2f} s, "
          f"peak RSS {rss:.0f} MiB, exit {rc}")
    print("  goal: under 5 s and under 600 MiB")
    print()


def bench_faults(build):
    n = 1000
    print("faults: d) 10% 503, 2% dropped connections, 429 bursts",
          flush=True)
    pop = population(n)
    # the 429 bursts come from a rate limit userprune is not told about
    with Emulator("atlassian", population=pop, username=USER,
                  password=SECRET, latency_ms=5, fail_rate=0.1,
                  drop_rate=0.02, rate_limit=60, seed=11) as emu:
        run = Run(build, emu, "atlassian",
                  {"concurrency": 16, "requests_per_second": 0,
                   "max_attempts": 8},
                  keep=[USER], deletions=n)
        try:
            p = run.run("plan", "-o", "plan.json")
            planned = {u["id"] for u in json.load(open(os.path.join(
                run.dir, "plan.json")))["tenants"][0]["delete"]}
            wall, rss, rc = run.measured("apply", "plan.json", "--journal",
                                         "j.jsonl")
            outcomes = run.outcomes("j.jsonl")
            deletes = emu.deletes()
            stats = emu.stats()
        finally:
            run.close()
    counts = {}
    for v in outcomes.values():
        for o in v:
            counts[o] = counts.get(o, 0) + 1
    once = all(len(v) == 1 for v in outcomes.values())
    final = all(v[-1] != "failed" for v in outcomes.values())
    print()
    print(f"d) fault matrix: {n} planned deletions, 10% 503 (half with "
          "Retry-After), 2% dropped")
    print("   connections, 429 bursts from a 60 requests/s limit userprune "
          "is not told")
    print(f"  plan exit {p.returncode}, apply exit {rc}, wall {wall:.1f} s, "
          f"requests {stats['requests']}, 429 answers "
          f"{stats['by_status'].get('429', 0)}, 503 answers "
          f"{stats['by_status'].get('503', 0)}")
    print(f"  outcomes: {json.dumps(counts, sort_keys=True)}")
    print(f"  every planned user has exactly one journal outcome: "
          f"{set(outcomes) == planned and once}")
    print(f"  every outcome is final (none failed): {final}")
    print(f"  deleted by the vendor: {len(deletes)}, of them twice or more: "
          f"{sum(1 for c in deletes.values() if c > 1)}, unplanned: "
          f"{len(set(deletes) - planned)}")
    print()


def bench_many_tenants(build):
    """e) one process, many tenants: each tenant of the file lists the same
    emulated Atlassian site (200 users, 20 ms latency) as a tenant of its
    own, at the vendor's default rate, all listed at once in one plan."""
    print("many-tenants: e) starting an emulated Atlassian site of 200 "
          "users", flush=True)
    rows = []
    with Emulator("atlassian", population=population(199), latency_ms=20,
                  username=USER, password=SECRET, log=False) as emu:
        for n in (100, 1000, 4000):
            run = Run(build, emu, "atlassian", {"concurrency": 2},
                      keep=[{"email": "*"}], deletions=0)
            with open(os.path.join(run.dir, "userprune.yaml")) as f:
                cfg = yaml.safe_load(f)
            one = cfg["tenants"][0]
            # copies: PyYAML would write anchors, which userprune refuses
            cfg["tenants"] = [json.loads(json.dumps(dict(
                one, name="squad-%05d" % i))) for i in range(n)]
            with open(os.path.join(run.dir, "userprune.yaml"), "w") as f:
                yaml.safe_dump(cfg, f)
            emu.reset_stats()
            try:
                wall, rss, rc = run.measured("plan", "-o", "plan.json")
                with open(os.path.join(run.dir, "plan.json")) as f:
                    plan = json.load(f)
                ok = sum(1 for t in plan["tenants"]
                         if t["counts"]["live"] == 200)
                requests = emu.stats()["requests"]
            finally:
                run.close()
            rows.append((n, ok, requests, wall, rss, rc))
            print(f"  {n} tenants: {ok} listed in full, {requests} "
                  f"requests, wall {wall:.2f} s, peak RSS {rss:.0f} MiB, "
                  f"exit {rc}", flush=True)
    print()
    print("e) plan of N tenants of 200 users each in one process (20 ms "
          "latency, Atlassian's default limits per tenant)")
    for n, ok, requests, wall, rss, rc in rows:
        print(f"  {n:5d} tenants: {wall:6.2f} s, {rss:4.0f} MiB, "
              f"{requests} requests, {ok} complete, exit {rc}")
    print()


BENCHES = {"plan-live": bench_plan_live, "deletes": bench_deletes,
           "unknown-limit": bench_unknown_limit,
           "list-million": bench_list_million, "faults": bench_faults,
           "many-tenants": bench_many_tenants}


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
