"""Sharding (--shard K/N, DESIGN §2): the split computed here with hashlib
must be the one userprune makes, disjoint and complete; plan and apply
with --shard send requests to their own tenants only; `tenants` lists a
desired state offline."""

import hashlib
import json

import up
from up import writes, remaining

POLICY = {"max_deletions": 1000, "max_delete_percent": 100}
FAST = {"requests_per_second": 200, "concurrency": 4}


def shard_of(name, n):
    """DESIGN §2: the first 8 bytes of SHA-256(name), big-endian, mod N;
    shard K holds the names that give K-1."""
    h = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return h % n + 1


def names_by_shard(names, n):
    """Names (in the order given) such that every shard of n has one."""
    out = {}
    for name in names:
        out.setdefault(shard_of(name, n), name)
        if len(out) == n:
            return [out[k] for k in range(1, n + 1)]
    raise AssertionError("no name for every shard")


class ShardSplitTest(up.TestCase):
    """1,000 tenants, N from 1 to 8: offline, through `tenants`."""

    NAMES = [f"squad-{i:04d}-{w}" for i, w in
             zip(range(1000), ["qa", "staging", "sandbox", "uat"] * 250)]

    def setUp(self):
        super().setUp()
        self.write_config(*[
            {"name": n, "vendor": "scim",
             "url": f"http://127.0.0.1:9/{n}/scim/v2",
             "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
             "keep": ["someone@acme.example"]} for n in self.NAMES])

    def listed(self, *args):
        p = self.up("tenants", "--format", "json", *args)
        self.assertRan(p, 0)
        return [t["name"] for t in json.loads(p.stdout)["tenants"]]

    def test_shards_are_disjoint_complete_and_follow_the_formula(self):
        self.assertEqual(self.listed(), self.NAMES)
        for n in range(1, 9):
            seen = {}
            for k in range(1, n + 1):
                names = self.listed("--shard", f"{k}/{n}")
                want = [x for x in self.NAMES if shard_of(x, n) == k]
                self.assertEqual(names, want, f"shard {k}/{n}")
                for x in names:
                    self.assertNotIn(x, seen, f"{x} in {seen.get(x)} "
                                     f"and {k}/{n}")
                    seen[x] = f"{k}/{n}"
            self.assertEqual(sorted(seen), sorted(self.NAMES), f"N={n}")
            if n > 1:
                # a split worth the name: no shard empty or holding all
                sizes = [sum(1 for x in self.NAMES if shard_of(x, n) == k)
                         for k in range(1, n + 1)]
                self.assertGreater(min(sizes), 1000 / n / 2, sizes)

    def test_validate_counts_the_shard(self):
        p = self.up("validate", "--shard", "3/8")
        self.assertRan(p, 0)
        want = sum(1 for x in self.NAMES if shard_of(x, 8) == 3)
        self.assertIn(f"configuration OK (1000 tenants, {want} in shard "
                      f"3/8)", p.stdout)

    def test_text_lists_name_vendor_url_mode(self):
        p = self.up("tenants", "--shard", "1/1")
        self.assertRan(p, 0)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 1000)
        self.assertEqual(lines[0].split(), [
            self.NAMES[0], "scim",
            f"http://127.0.0.1:9/{self.NAMES[0]}/scim/v2", "delete"])


class ShardUsageTest(up.TestCase):

    def test_bad_shards_are_usage_errors(self):
        self.write_config({"name": "a", "vendor": "scim",
                           "url": "http://127.0.0.1:9/scim/v2",
                           "auth": {"type": "bearer",
                                    "token": "${env:UP_SECRET}"},
                           "keep": ["x@acme.example"]})
        cases = (("0/4", "--shard '0/4': K must be between 1 and N (4)"),
                 ("5/4", "--shard '5/4': K must be between 1 and N (4)"),
                 ("1/0", "--shard '1/0': N must be at least 1"),
                 ("2", "--shard must be K/N, two whole numbers such as "
                       "2/4, not '2'"),
                 ("-1/4", "--shard must be K/N"))
        for cmd in ("validate", "plan", "apply", "tenants"):
            for arg, want in cases:
                with self.subTest(cmd=cmd, shard=arg):
                    p = self.up(cmd, "--shard", arg)
                    self.assertRan(p, 1)
                    self.assertIn(f"userprune: {want}", p.stderr)
                    self.assertIn(f"usage: userprune {cmd}", p.stderr)

    def test_tenants_needs_no_secret(self):
        self.write_config({"name": "a", "vendor": "scim",
                           "url": "http://127.0.0.1:9/scim/v2",
                           "auth": {"type": "bearer",
                                    "token": "${env:NOT_SET_ANYWHERE}"},
                           "keep": [{"file": "missing.txt"}]})
        p = self.up("tenants")
        self.assertRan(p, 0)
        self.assertEqual(p.stdout.split(),
                         ["a", "scim", "http://127.0.0.1:9/scim/v2",
                          "delete"])
        self.assertRan(self.up("tenants", "--format", "yaml"), 1)


class ShardRunTest(up.TestCase):
    """Four tenants, one emulator each, two shards."""

    def setUp(self):
        super().setUp()
        cands = [f"team-{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
        first = [x for x in cands if shard_of(x, 2) == 1][:2]
        second = [x for x in cands if shard_of(x, 2) == 2][:2]
        # file order mixes the shards
        self.names = [first[0], second[0], first[1], second[1]]
        self.shard = {x: shard_of(x, 2) for x in self.names}
        self.emus, self.roles = {}, {}
        tenants = []
        for x in self.names:
            pop, roles = up.population("scim", deletable=6)
            self.emus[x] = self.emulator("scim", population=pop)
            self.roles[x] = roles
            tenants.append(self.tenant(
                "scim", self.emus[x], name=x,
                keep=[{"email": "keeper*@acme.example"}],
                protect=[{"email": "*-admin@acme.example"}],
                policy=dict(POLICY), limits=dict(FAST)))
        self.write_config(*tenants)

    def requested(self):
        return {x: len(e.requests()) for x, e in self.emus.items()}

    def test_plan_with_a_shard_lists_only_its_tenants(self):
        p = self.up("plan", "--shard", "2/2", "-o", "plan.json")
        self.assertRan(p, 0)
        self.assertIn("shard 2/2: 2 of 4 tenants", p.stderr)
        plan = self.read_plan()
        self.assertEqual([t["name"] for t in plan["tenants"]],
                         [x for x in self.names if self.shard[x] == 2])
        for x, n in self.requested().items():
            if self.shard[x] == 2:
                self.assertGreater(n, 0, x)
            else:
                self.assertEqual(n, 0, f"{x} of shard 1 was asked")

    def test_plan_tenant_and_shard_intersect(self):
        other = next(x for x in self.names if self.shard[x] == 2)
        p = self.up("plan", "--shard", "1/2", "--tenant", other,
                    "-o", "plan.json")
        self.assertRan(p, 0)
        self.assertEqual(self.read_plan()["tenants"], [])
        self.assertEqual(sum(self.requested().values()), 0)
        p = self.up("plan", "--shard", "1/2", "--tenant", "nobody")
        self.assertRan(p, 1)
        self.assertIn("no tenant 'nobody'", p.stderr)

    def test_apply_with_a_shard_touches_only_its_tenants(self):
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        before = self.requested()
        p = self.up("apply", "plan.json", "--shard", "1/2",
                    "--journal", "j1.jsonl")
        self.assertRan(p, 0)
        self.assertIn("Applied: 12 deleted", p.stdout)
        for x in self.names:
            emu, roles = self.emus[x], self.roles[x]
            if self.shard[x] == 1:
                self.assertTrue(writes(emu.requests()), x)
                self.assertEqual(remaining(emu),
                                 sorted(set(roles["caller"] + roles["kept"]
                                            + roles["protected"]
                                            + roles["apps"])), x)
            else:
                self.assertEqual(len(emu.requests()), before[x],
                                 f"{x} of shard 2 was asked")
        outcomes = {(l["tenant"], l["id"]) for l in self.journal("j1.jsonl")
                    if l["type"] == "outcome"}
        self.assertEqual({t for t, _ in outcomes},
                         {x for x in self.names if self.shard[x] == 1})
        # the other shard, from the same plan
        p = self.up("apply", "plan.json", "--shard", "2/2",
                    "--journal", "j2.jsonl")
        self.assertRan(p, 0)
        self.assertIn("Applied: 12 deleted", p.stdout)
        for x in self.names:
            self.assertEqual(len(remaining(self.emus[x])), 1 + 5 + 2 + 2, x)

    def test_apply_of_a_shard_without_tenants_does_nothing(self):
        first = [x for x in self.names if self.shard[x] == 1]
        self.assertRan(self.up("plan", "-o", "plan.json",
                               *sum((["--tenant", x] for x in first), [])),
                       0)
        before = self.requested()
        p = self.up("apply", "plan.json", "--shard", "2/2")
        self.assertRan(p, 0)
        self.assertIn("no tenant of the plan is in shard 2/2: nothing to do",
                      p.stderr)
        self.assertEqual(self.requested(), before)

    def test_resume_with_a_journal_of_many_tenants(self):
        """A shard's journal records its selection, which may be thousands
        of tenants; --resume takes them all (it wrote past the end of the
        selection beyond argc + 1023 names)."""
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--shard", "1/2",
                    "--journal", "j.jsonl")
        self.assertRan(p, 0)
        lines = open(self.path("j.jsonl")).read().splitlines()
        header = json.loads(lines[0])
        mine = [x for x in self.names if self.shard[x] == 1]
        self.assertEqual(header["tenants"], mine)
        # the resumed run goes on with the recorded selection
        p = self.up("apply", "--resume", "j.jsonl")
        self.assertRan(p, 0)
        self.assertNotIn("no tenant", p.stderr)
        for x in self.names:
            if self.shard[x] == 2:
                # shard 2 untouched: its 6 planned users are still there
                self.assertEqual(len(remaining(self.emus[x])),
                                 1 + 5 + 2 + 2 + 6)
        # a selection of 3,000 names, one of them not in this plan
        header["tenants"] = mine + [f"squad-{i:04d}" for i in range(3000)]
        with open(self.path("big.jsonl"), "w") as f:
            f.write(json.dumps(header) + "\n")
        p = self.up("apply", "--resume", "big.jsonl")
        self.assertRan(p, 1)
        self.assertIn("no tenant 'squad-0000' in the plan", p.stderr)
