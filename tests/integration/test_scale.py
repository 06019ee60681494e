"""Concurrency, rate limits and parallel listing, shown by counts the
emulator records (never by timings)."""

import json

import up

POLICY = {"max_deletions": 10000, "max_delete_percent": 100}


def users(n, prefix="u"):
    return [up.user("%s%05d" % (prefix, i), "%s%05d@acme.example" % (prefix, i))
            for i in range(n)]


class LimitsTest(up.TestCase):

    def test_in_flight_never_exceeds_concurrency(self):
        pop = {"caller": "u00000", "users": users(81)}
        emu = self.emulator("atlassian", population=pop, latency_ms=40,
                            max_page=20)
        self.write_config(self.tenant(
            "atlassian", emu, keep=["u00000"], policy=POLICY,
            limits={"concurrency": 3, "requests_per_second": 0}))
        p = self.up("apply", "--yes")
        self.assertRan(p, 0)
        self.assertEqual(len(emu.deletes()), 80)
        stats = emu.stats()
        self.assertEqual(stats["max_inflight"], 3)
        self.assertEqual(max(r["inflight"] for r in emu.requests()), 3)

    def test_requests_per_second_holds_in_every_window(self):
        pop = {"caller": "u00000", "users": users(41)}
        emu = self.emulator("atlassian", population=pop, latency_ms=5)
        self.write_config(self.tenant(
            "atlassian", emu, keep=["u00000"], policy=POLICY,
            limits={"concurrency": 4, "requests_per_second": 8}))
        self.assertRan(self.up("apply", "--yes"), 0)
        times = sorted(r["t"] for r in emu.requests())
        self.assertGreater(len(times), 40)
        # any one-second window: at most the rate plus one burst (4)
        worst = max(sum(1 for t in times if s <= t < s + 1.0)
                    for s in times)
        self.assertLessEqual(worst, 8 + 4)
        self.assertGreaterEqual(worst, 6)

    def test_a_declared_limit_holds_from_the_first_second(self):
        # requests_per_second equal to the vendor's limit: the first
        # request on each new connection reaches the vendor a handshake
        # later than it was sent, yet no second the vendor counts holds
        # more than the limit (the first one included). The plan comes
        # from a snapshot, so that apply's requests are the only ones.
        pop = {"caller": "u00000", "users": users(31)}
        emu = self.emulator("scim", population=pop, rate_limit=5,
                            latency_ms=20, connect_latency_ms=300)
        with open(self.path("live.json"), "w") as f:
            json.dump({"t1": pop}, f)
        self.write_config(self.tenant(
            "scim", emu, keep=["u00000"], policy=POLICY,
            limits={"concurrency": 4, "requests_per_second": 5}))
        self.assertRan(self.up("plan", "--live", "live.json", "-o",
                               "plan.json"), 0)
        self.assertEqual(emu.requests(), [])
        self.assertRan(self.up("apply", "plan.json"), 0)
        self.assertEqual(len(emu.deletes()), 30)
        self.assertEqual(emu.stats()["rate_limited"], 0)

    def test_adaptive_back_off_makes_429s_fall_off(self):
        pop = {"caller": "u00000", "users": users(161)}
        emu = self.emulator("scim", population=pop, rate_limit=25)
        self.write_config(self.tenant(
            "scim", emu, keep=["u00000"], policy=POLICY,
            limits={"concurrency": 16}))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(len(emu.deletes()), 160)
        log = emu.requests()
        limited = [i for i, r in enumerate(log) if r["status"] == 429]
        self.assertGreater(len(limited), 0)
        # the first 429s teach the rate: few come after the first third
        late = [i for i in limited if i > len(log) / 3]
        self.assertLess(len(late), len(limited) / 2 + 1, limited)
        self.assertLess(len(limited), len(log) * 0.2)

    def test_x_ratelimit_remaining_is_honoured(self):
        # Atlassian says how many requests are left in the window:
        # userprune waits for the reset instead of running into 429s
        pop = {"caller": "u00000", "users": users(61)}
        emu = self.emulator("atlassian", population=pop, rate_limit=20)
        self.write_config(self.tenant(
            "atlassian", emu, keep=["u00000"], policy=POLICY,
            limits={"concurrency": 8, "requests_per_second": 0}))
        self.assertRan(self.up("apply", "--yes"), 0)
        self.assertEqual(len(emu.deletes()), 60)
        self.assertLessEqual(emu.stats()["rate_limited"], 8)


class ParallelListingTest(up.TestCase):

    def plan_ids(self, vendor, concurrency, **flags):
        pop = {"caller": "u00000", "users": users(2345)}
        emu = self.emulator(vendor, population=pop, max_page=100,
                            latency_ms=20, **flags)
        self.write_config(self.tenant(
            vendor, emu, keep=[{"email": "u00[0-4]*"}], policy=POLICY,
            limits={"concurrency": concurrency, "requests_per_second": 0}))
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        pages = [r for r in emu.requests() if r["method"] == "GET"]
        emu.stop()
        self.emulators.remove(emu)
        return t["counts"], [u["id"] for u in t["delete"]], \
            max(r["inflight"] for r in pages)

    def test_parallel_equals_sequential(self):
        for vendor in ("atlassian", "scim"):
            for flags in ({}, {"short_page_at": ["300:17", "1200:1"]}):
                with self.subTest(vendor=vendor, flags=flags):
                    c1, ids1, f1 = self.plan_ids(vendor, 1, **flags)
                    c8, ids8, f8 = self.plan_ids(vendor, 8, **flags)
                    self.assertEqual(c1["live"], 2345)
                    self.assertEqual(c1, c8)
                    self.assertEqual(ids1, ids8)
                    self.assertEqual(len(ids1), 2345 - 500)
                    self.assertEqual(f1, 1)
                    self.assertGreater(f8, 1)
