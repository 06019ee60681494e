#!/usr/bin/python3
"""userprune benchmarks: `make bench`. Prints figures; asserts nothing.

Each benchmark prints its figure, the goal (issue 15) and the peer it is
measured against in the same run.

  declared-limit 1) Atlassian (X-RateLimit-* headers) and SCIM at 5, 20,
                 50, 100 and 200 requests/s declared and enforced: share of
                 the limit over the deletion phase and 429 answers (goal:
                 >= 98%, zero 429s, the first second included); peer: a
                 python3 pool keeping to the limit by a shared schedule
  unknown-limit  2) 5,000 SCIM deletions, limit unknown to userprune
                 (concurrency 32), the emulator enforcing 100/s (goal:
                 >= 95/s, 429s under 1%, a single 429 in steady state costs
                 fewer than 20 deletions); peer: a python3 pool of 16
                 threads that waits out each Retry-After
  many-tenants   3) 400 tenants at 20/s, one emulator each (goal: >= 97%
                 of the aggregate limit, zero 429s, <= 60 us of CPU a
                 request; 200 tenants under 100 MiB); peer: one userprune
                 process per tenant
  plan-live      4) plan --live of 1,000,000 users, half kept (goal: <=
                 1.3x the time of tests/bench/plan_floor.c, which writes
                 the same output, and <= 220 MiB; 3,000,000 users in <= 700
                 MiB)
  list-million   5) list 1,000,000 Atlassian users, 1,000 a page, 20 ms
                 latency, concurrency 8 (goal: <= 1.5 us of CPU a user,
                 wall within 1.2x of curl --parallel fetching the same
                 pages at the same concurrency)
  deletes        a) 5,000 deletions, 50 ms latency, a 200 requests/s limit:
                 userprune against a python3 loop like a vendor's how-to
                 script (>= 15x the script)
  faults         d) 10% 503, 2% dropped connections, 429 bursts: every
                 planned deletion reaches one final outcome, none twice

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


def measured_child(argv, cwd, stdout=os.devnull):
    """(wall s, peak RSS MiB, exit, CPU s) of argv, in a child of its own
    so that ru_maxrss is this run's peak."""
    code = ("import resource,subprocess,sys,time;"
            "t=time.monotonic();"
            "p=subprocess.run(sys.argv[2:],stdout=open(sys.argv[1],'wb'));"
            "w=time.monotonic()-t;"
            "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
            "print(w,u.ru_maxrss/1024,p.returncode,u.ru_utime+u.ru_stime)")
    p = subprocess.run([sys.executable, "-c", code, stdout] + argv,
                       capture_output=True, text=True, cwd=cwd)
    wall, rss, rc, cpu = p.stdout.split()
    return float(wall), float(rss), int(rc), float(cpu)


def median_run(argv, cwd, stdout, runs=3):
    """The run of median wall time of runs runs."""
    rows = sorted((measured_child(argv, cwd, stdout) for _ in range(runs)),
                  key=lambda r: r[0])
    return rows[len(rows) // 2]


def plan_entries(path):
    """The entries of a plan file's delete lists, one a line."""
    with open(path) as f:
        return [line.rstrip("\n").rstrip(",") for line in f
                if line.startswith('        {"id":')]


def bench_plan_live(build):
    d = workdir()
    binary = os.path.join(build, "userprune")
    floor = os.path.join(build, "bench", "plan_floor")
    rows = []
    for users in (1_000_000, 3_000_000):
        print(f"plan-live: a snapshot of {users:,} users, {users // 2:,} "
              f"kept (cached in {d})", flush=True)
        yaml_path, snap = gen_plan_live(d, users, users // 2)
        keepf = os.path.join(d, f"keep-{users // 2}.txt")
        out = os.path.join(d, "plan.json")
        text = os.path.join(d, "plan.txt")
        ftext = os.path.join(d, "floor.txt")
        fout = os.path.join(d, "floor-plan.txt")
        runs = 3 if users == 1_000_000 else 1
        up = median_run([binary, "plan", "-f", yaml_path, "--live", snap,
                         "-o", out], d, text, runs)
        same = None
        if users == 1_000_000:
            fl = median_run([floor, snap, keepf, fout], d, ftext, runs)
            with open(text) as f:
                up_lines = [x for x in f if x.startswith("  - ")]
            with open(ftext) as f:
                fl_lines = [x for x in f if x.startswith("  - ")]
            same = (plan_entries(out) == [x.rstrip("\n").rstrip(",")
                                          for x in open(fout)] and
                    up_lines == fl_lines)
        else:
            fl = None
        rows.append((users, up, fl, same))
    print()
    print("4) plan --live: the snapshot of N users against a keep file of "
          "half their emails, plan file and text listing written")
    print(f"  {'users':>9}  {'program':<28} {'wall s':>7} {'CPU s':>6} "
          f"{'peak MiB':>9} {'exit':>4}")
    for users, up, fl, same in rows:
        print(f"  {users:9,d}  {'userprune plan -o':<28} {up[0]:7.2f} "
              f"{up[3]:6.2f} {up[1]:9.0f} {up[2]:4d}")
        if fl:
            print(f"  {'':9}  {'plan_floor (one pass, C)':<28} {fl[0]:7.2f}"
                  f" {fl[3]:6.2f} {fl[1]:9.0f} {fl[2]:4d}")
            print(f"  {'':9}  time {up[0] / fl[0]:.2f}x the floor, memory "
                  f"{up[1] / fl[1]:.2f}x; identical deletions and listing: "
                  f"{same}")
    print("  goal: 1,000,000 users in at most 1.3x the floor's time and "
          "220 MiB; 3,000,000 users in at most 700 MiB (medians of 3 runs "
          "at 1,000,000)")
    print()


# ---- against the emulator ----

MEASURE = ("import resource,subprocess,sys,time;"
           "t=time.monotonic();"
           "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,"
           "stderr=subprocess.DEVNULL);"
           "w=time.monotonic()-t;"
           "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
           "print(w,u.ru_maxrss/1024,p.returncode,u.ru_utime+u.ru_stime)")


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
        wall, rss, rc, cpu = p.stdout.split()
        self.cpu = float(cpu)  # user and system seconds of that run
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


def userprune_apply(build, n, limits, emu_flags, vendor="atlassian",
                    keep_log=False, during=None):
    pop = population(n)
    auth = {"username": USER, "password": SECRET} if vendor == "atlassian" \
        else {"token": SECRET}
    with Emulator(vendor, population=pop, **auth, **emu_flags) as emu:
        run = Run(build, emu, vendor, limits, keep=[USER], deletions=n)
        try:
            p = run.run("plan", "-o", "plan.json")
            if p.returncode != 0:
                raise SystemExit("bench: plan failed: " + p.stderr)
            # the plan's requests leave the vendor's one-second window
            # first, as they would while the plan is reviewed
            time.sleep(1.1)
            emu.reset_stats()
            if during:
                import threading
                th = threading.Thread(target=during, args=(emu,))
                th.start()
            wall, rss, rc = run.measured("apply", "plan.json", "--journal",
                                         "j.jsonl")
            if during:
                th.join()
            rate, done = delete_rate(emu)
            outcomes = run.outcomes("j.jsonl")
            failed = sum(1 for v in outcomes.values() if "failed" in v)
            stats = emu.stats()
            log = emu.requests()
            return {"wall": wall, "rate": rate, "deleted": done,
                    "failed": failed, "rc": rc,
                    "requests": stats["requests"],
                    "429": stats["by_status"].get("429", 0),
                    "first429": first_second_429(log),
                    "log": log if keep_log else None}
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


def peer_deletes(emu, vendor, ids, threads, pace=0.0):
    """The peer of the rate benchmarks: a python3 pool of threads with a
    keep-alive connection each, taking user ids from a queue; at pace > 0
    request i goes no earlier than start + i / pace (a schedule shared by
    all threads). A 429 is retried after its Retry-After."""
    import queue
    import threading
    u = urllib.parse.urlsplit(emu.base_url())
    base = u.path.rstrip("/")
    if vendor == "atlassian":
        auth = "Basic " + base64.b64encode(
            f"{USER}:{SECRET}".encode()).decode()
        path = "/rest/api/3/user?accountId="
    else:
        auth = "Bearer " + SECRET
        path = base + "/Users/"
    q = queue.Queue()
    for i in ids:
        q.put(i)
    lock = threading.Lock()
    state = {"next": 0, "ok": 0}
    start = time.monotonic()

    def worker():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        while True:
            try:
                uid = q.get_nowait()
            except queue.Empty:
                break
            while True:
                if pace > 0:
                    with lock:
                        at = start + state["next"] / pace
                        state["next"] += 1
                    if at > time.monotonic():
                        time.sleep(at - time.monotonic())
                try:
                    c.request("DELETE", path + uid,
                              headers={"Authorization": auth})
                    r = c.getresponse()
                    r.read()
                except (OSError, http.client.HTTPException):
                    c.close()
                    c = http.client.HTTPConnection(u.hostname, u.port,
                                                   timeout=30)
                    continue
                if r.status == 429:
                    time.sleep(float(r.getheader("Retry-After") or 1))
                    continue
                with lock:
                    state["ok"] += r.status < 400
                break
        c.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return state["ok"]


def peer_apply(n, vendor, threads, pace, emu_flags):
    pop = population(n)
    auth = {"username": USER, "password": SECRET} if vendor == "atlassian" \
        else {"token": SECRET}
    with Emulator(vendor, population=pop, **auth, **emu_flags) as emu:
        peer_deletes(emu, vendor, [x["id"] for x in pop["users"][1:]],
                     threads, pace)
        rate, done = delete_rate(emu)
        stats = emu.stats()
        return {"rate": rate, "deleted": done,
                "429": stats["by_status"].get("429", 0),
                "requests": stats["requests"]}


def first_second_429(emu_requests):
    """429 answers in the first second of DELETEs."""
    t = [r["t"] for r in emu_requests if r["method"] == "DELETE"]
    if not t:
        return 0
    t0 = min(t)
    return sum(1 for r in emu_requests if r["method"] == "DELETE" and
               r["status"] == 429 and r["t"] < t0 + 1.0)


def bench_declared_limit(build):
    print("declared-limit: 1) a declared limit, the vendor enforcing it "
          "in a sliding second", flush=True)
    rows = []
    for vendor in ("atlassian", "scim"):
        for limit in (5, 20, 50, 100, 200):
            n = max(60, 8 * limit)
            flags = {"latency_ms": 20, "connect_latency_ms": 20,
                     "rate_limit": limit}
            r = userprune_apply(build, n, {"requests_per_second": limit,
                                           "concurrency": 16}, flags,
                                vendor=vendor)
            peer = peer_apply(n, vendor, 8, limit, flags)
            rows.append((vendor, limit, n, r, peer))
            print(f"  {vendor} {limit}/s: userprune {r['rate']:.1f}/s "
                  f"({r['429']} 429s), peer {peer['rate']:.1f}/s "
                  f"({peer['429']} 429s)", flush=True)
    print()
    print("1) apply with a declared requests_per_second, the emulator "
          "enforcing it (20 ms latency, a new")
    print("   connection a round trip more); deletions/s from the first to "
          "the last successful DELETE")
    print(f"  {'vendor':<10} {'limit':>5} {'users':>5}  {'userprune/s':>11} "
          f"{'% limit':>7} {'429s':>5} {'1st s':>5}  {'peer/s':>7} "
          f"{'% limit':>7} {'429s':>5}")
    for vendor, limit, n, r, peer in rows:
        print(f"  {vendor:<10} {limit:5d} {n:5d}  {r['rate']:11.1f} "
              f"{100 * r['rate'] / limit:7.1f} {r['429']:5d} "
              f"{r['first429']:5d}  {peer['rate']:7.1f} "
              f"{100 * peer['rate'] / limit:7.1f} {peer['429']:5d}")
    print("  goal: >= 98% of the limit and zero 429 answers at every limit, "
          "the first second included")
    print("  peer: python3, 8 threads with a keep-alive connection each, "
          "request i sent at start + i/limit")
    print()


def inject_429s(at, out):
    """A during= callback: at each of the times at (seconds after the
    apply starts), one 429 with Retry-After: 1 that the limit did not
    cause; out gets the time and number of each."""
    def during(emu):
        start = time.monotonic()
        for t in at:
            time.sleep(max(0.0, start + t - time.monotonic()))
            before = emu.stats()["by_status"].get("429", 0)
            emu.set_config(burst_429=1.0)
            while emu.stats()["by_status"].get("429", 0) == before:
                pass
            emu.set_config(burst_429=0.0)
            out.append(time.time())
    return during


def bench_unknown_limit(build):
    print("unknown-limit: 2) the emulator allows 100 requests/s; userprune "
          "is not told", flush=True)
    flags = {"latency_ms": 50, "connect_latency_ms": 50, "rate_limit": 100}
    r = userprune_apply(build, 5000, {"concurrency": 32}, flags,
                        vendor="scim")
    # a lone 429 in steady state: three of them, 12 s apart
    injected = []
    s = userprune_apply(build, 5000, {"concurrency": 32}, flags,
                        vendor="scim", keep_log=True,
                        during=inject_429s((15, 27, 39), injected))
    dels = sorted(x["t"] for x in s["log"] if x["method"] == "DELETE" and
                  x["status"] in (200, 204))
    costs = []
    for ti in injected:
        # what the 5 s before did, against the 10 s after
        before = sum(1 for t in dels if ti - 5 <= t < ti) / 5.0
        after = sum(1 for t in dels if ti <= t < ti + 10)
        costs.append(before * 10 - after)
    peer = peer_apply(2000, "scim", 16, 0, flags)
    print()
    print("2) apply 5,000 deletions, limit unknown to userprune (SCIM, "
          "concurrency 32), the emulator")
    print("   enforcing 100 requests/s in a sliding second with 429 + "
          "Retry-After, 50 ms latency")
    print(f"  userprune: {r['rate']:.1f} deletions/s ({r['rate']:.1f}% of "
          f"the limit), {r['429']} 429 answers of {r['requests']} requests "
          f"({100.0 * r['429'] / max(r['requests'], 1):.2f}%), failed "
          f"{r['failed']}")
    print(f"  a lone 429 (Retry-After: 1) injected in steady state at 15, 27"
          f" and 39 s: deletions lost in the 10 s after each, against the "
          f"rate of the 5 s before: "
          f"{', '.join('%.0f' % c for c in costs)}")
    print("    (the lane honours Retry-After: it sends nothing for that "
          "second, about 100 deletions at 100/s;")
    print("    anything beyond that is the rate control's reaction)")
    print(f"  peer (python3, 16 threads, keep-alive, waits out each "
          f"Retry-After; 2,000 users): {peer['rate']:.1f}/s, "
          f"{peer['429']} 429s of {peer['requests']} requests "
          f"({100.0 * peer['429'] / max(peer['requests'], 1):.1f}%)")
    print("  goal: >= 95 deletions/s, 429 answers under 1% of requests, a "
          "single 429 in steady state costs fewer than 20 deletions")
    print()


def bench_list_million(build):
    print("list-million: 5) starting an emulated Atlassian site of "
          "1,000,000 users", flush=True)
    with Emulator("atlassian", users=1000000, latency_ms=20, username=USER,
                  password=SECRET, log=False) as emu:
        run = Run(build, emu, "atlassian",
                  {"concurrency": 8, "requests_per_second": 0},
                  keep=[{"email": "*"}], deletions=0)
        rows = []
        try:
            for _ in range(3):
                wall, rss, rc = run.measured("plan", "-o", "plan.json")
                rows.append((wall, rss, rc, run.cpu))
            plan = json.load(open(os.path.join(run.dir, "plan.json")))
            live = plan["tenants"][0]["counts"]["live"]
            # the peer: curl fetching the same pages, 8 at a time
            cfg = os.path.join(run.dir, "curl.cfg")
            with open(cfg, "w") as f:
                f.write(f'user = "{USER}:{SECRET}"\n')
                for at in range(0, 1000000, 1000):
                    f.write(f'url = "{emu.base_url()}/rest/api/3/users/'
                            f'search?startAt={at}&maxResults=1000"\n'
                            'output = "/dev/null"\n')
            curl = []
            if shutil.which("curl"):
                for _ in range(3):
                    w, _, crc, ccpu = measured_child(
                        ["curl", "-sS", "--parallel", "--parallel-max", "8",
                         "--parallel-immediate", "-K", cfg], run.dir)
                    curl.append((w, crc, ccpu))
        finally:
            run.close()
    rows.sort()
    wall, rss, rc, cpu = rows[1]
    print()
    print("5) plan: list 1,000,000 Atlassian users, 1,000 a page, 20 ms "
          "latency, concurrency 8 (medians of 3)")
    print(f"  userprune: {live} users listed, wall {wall:.2f} s, CPU "
          f"{cpu:.2f} s = {cpu * 1e6 / max(live, 1):.2f} us a user, peak "
          f"RSS {rss:.0f} MiB, exit {rc}")
    if curl:
        curl.sort()
        w, crc, ccpu = curl[1]
        print(f"  peer: curl --parallel --parallel-max 8, the same 1,000 "
              f"pages to /dev/null: wall {w:.2f} s, CPU {ccpu:.2f} s, exit "
              f"{crc}; userprune takes {wall / w:.2f}x its time")
    else:
        print("  peer: curl is not installed (apt-get install curl)")
    print("  goal: at most 1.5 us of CPU a user, wall within 1.2x of curl "
          "--parallel")
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


def tenants_config(path, emus, limits):
    cfg = {"version": 1, "tenants": [{
        "name": "squad-%04d" % i, "vendor": "atlassian",
        "url": emu.base_url(),
        "auth": {"type": "basic", "username": "${env:BENCH_USER}",
                 "password": "${env:BENCH_SECRET}"},
        "keep": [USER], "limits": dict(limits),
        "policy": {"max_deletions": 100000, "max_delete_percent": 100}}
        for i, emu in enumerate(emus)]}
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)


def many_tenants_run(build, n, users, limit, one_process=True):
    """n emulated Atlassian sites of users users each, limit requests/s
    enforced and declared; one userprune process applies a plan of all
    (or, one_process False, one process per tenant). Returns figures."""
    emus = []
    env = dict(os.environ, BENCH_USER=USER, BENCH_SECRET=SECRET,
               NO_COLOR="1")
    d = tempfile.mkdtemp(prefix="userprune-bench-many-")
    binary = os.path.join(build, "userprune")
    try:
        for i in range(n):
            emus.append(Emulator("atlassian",
                                 population=population(users - 1),
                                 username=USER, password=SECRET,
                                 latency_ms=20, connect_latency_ms=20,
                                 rate_limit=limit).start())
        limits = {"requests_per_second": limit, "concurrency": 4}
        if one_process:
            tenants_config(os.path.join(d, "userprune.yaml"), emus, limits)
            p = subprocess.run([binary, "plan", "-o", "plan.json"], cwd=d,
                               env=env, capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit("bench: plan failed: " + p.stderr[-2000:])
            for e in emus:
                e.reset_stats()
            code = MEASURE
            m = subprocess.run([sys.executable, "-c", code, binary, "apply",
                                "plan.json", "--yes", "--journal",
                                "j.jsonl"], cwd=d, env=env,
                               capture_output=True, text=True)
            wall, rss, rc, cpu = (float(x) for x in m.stdout.split())
            rc = int(rc)
        else:
            for i, e in enumerate(emus):
                os.makedirs(os.path.join(d, str(i)))
                tenants_config(os.path.join(d, str(i), "userprune.yaml"),
                               [e], limits)
                p = subprocess.run([binary, "plan", "-o", "plan.json"],
                                   cwd=os.path.join(d, str(i)), env=env,
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    raise SystemExit("bench: plan failed: " + p.stderr)
            for e in emus:
                e.reset_stats()
            start = time.monotonic()
            procs = [subprocess.Popen([binary, "apply", "plan.json", "--yes",
                                       "--journal", "j.jsonl"],
                                      cwd=os.path.join(d, str(i)), env=env,
                                      stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
                     for i in range(n)]
            rc, cpu, rss = 0, 0.0, 0.0
            for pr in procs:
                # each process's own figures, not the emulators'
                _, status, ru = os.wait4(pr.pid, 0)
                pr.returncode = os.waitstatus_to_exitcode(status)
                rc = max(rc, pr.returncode)
                cpu += ru.ru_utime + ru.ru_stime
                rss = max(rss, ru.ru_maxrss / 1024.0)
            wall = time.monotonic() - start
        rates, requests, n429, deleted = [], 0, 0, 0
        for e in emus:
            r, k = delete_rate(e)
            st = e.stats()
            rates.append(r)
            deleted += k
            requests += st["requests"]
            n429 += st["by_status"].get("429", 0)
        return {"n": n, "wall": wall, "rss": rss, "rc": rc, "cpu": cpu,
                "aggregate": sum(rates), "slowest": min(rates),
                "deleted": deleted, "requests": requests, "429": n429}
    finally:
        for e in emus:
            e.stop(check=False)
        shutil.rmtree(d, ignore_errors=True)


def bench_many_tenants(build):
    users, limit = 201, 20
    rows = []
    for n, one in ((200, True), (400, True), (400, False)):
        print(f"many-tenants: 3) {n} emulated sites at {limit}/s, "
              f"{'one process' if one else 'a process per tenant'}",
              flush=True)
        rows.append((one, many_tenants_run(build, n, users, limit, one)))
    print()
    print(f"3) apply: N Atlassian tenants of {users - 1} deletions each, "
          f"one emulator each enforcing {limit}/s (declared), 20 ms "
          "latency")
    print(f"  {'run':<34} {'% aggr.':>7} {'slowest/s':>9} {'429s':>5} "
          f"{'us CPU/req':>10} {'peak MiB':>8} {'wall s':>6} {'exit':>4}")
    for one, r in rows:
        label = (f"{r['n']} tenants, one process" if one else
                 f"{r['n']} tenants, a process each (peer)")
        print(f"  {label:<34} "
              f"{100 * r['aggregate'] / (r['n'] * limit):7.1f} "
              f"{r['slowest']:9.1f} {r['429']:5d} "
              f"{r['cpu'] * 1e6 / max(r['requests'], 1):10.1f} "
              f"{'%.0f' % r['rss'] if one else '-':>8} {r['wall']:6.1f} "
              f"{r['rc']:4d}")
    print("  (% aggr.: the sum of each tenant's deletions/s over the sum of "
          "the limits; a peer process's peak")
    print("  memory would count the python3 parent it was forked from, so "
          "it is not shown)")
    print("  goal: 400 tenants >= 97% of the aggregate limit with zero 429s, "
          "<= 60 us of CPU a request; 200 tenants under 100 MiB")
    print()


BENCHES = {"declared-limit": bench_declared_limit,
           "unknown-limit": bench_unknown_limit,
           "many-tenants": bench_many_tenants,
           "plan-live": bench_plan_live,
           "list-million": bench_list_million,
           "deletes": bench_deletes, "faults": bench_faults}


def machine():
    """What the figures were measured on."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores of {model}, {mem:.0f} GiB, "
            f"{os.uname().sysname} {os.uname().release}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    build = os.path.abspath(os.path.join(ROOT, args.build))
    os.environ["BENCH_TOKEN"] = "bench-token"
    print("machine: " + machine(), flush=True)
    for name in args.names or list(BENCHES):
        BENCHES[name](build)


if __name__ == "__main__":
    main()
