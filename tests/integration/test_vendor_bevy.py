"""Bevy against the emulator: Token auth, page links followed only on the
tenant's origin, soft deletes in groups with a pause, the daily budget."""

import re

import up
from up import writes, remaining

KEEP = ["keeper0@acme.example", {"email": "keeper[1-9]@acme.example"}]
# no caller endpoint: the token's owner is protected by the file
PROTECT = [{"email": "*-admin@acme.example"}, {"username": "admin"}]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}
FAST = {"requests_per_second": 100}


def bevy_population(deletable=20, **kw):
    """up.population: Bevy's integer ids (1000, 1001, ...)."""
    return up.population("bevy", deletable=deletable, **kw)


def clusters(times, gap):
    """Sizes of the runs of times separated by at least gap seconds."""
    out = []
    last = None
    for t in sorted(times):
        if last is None or t - last >= gap:
            out.append(0)
        out[-1] += 1
        last = t
    return out


class BevyTest(up.TestCase):

    def setup_tenant(self, pop=None, roles=None, emu_flags=None,
                     deletable=20, **tenant):
        if pop is None:
            pop, roles = bevy_population(deletable)
        emu = self.emulator("bevy", population=pop, **(emu_flags or {}))
        tenant.setdefault("keep", KEEP)
        tenant.setdefault("protect", PROTECT)
        tenant.setdefault("policy", POLICY)
        tenant.setdefault("limits", FAST)
        self.write_config(self.tenant("bevy", emu, **tenant))
        return emu, roles

    def dels(self, emu):
        return [r for r in emu.requests() if r["method"] == "DELETE"]

    def test_plan_follows_next_links_and_sends_no_writes(self):
        emu, roles = self.setup_tenant(emu_flags={"max_page": 7})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        log = emu.requests()
        self.assertEqual(writes(log), [])
        self.assertEqual(emu.deletes(), {})
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        self.assertEqual(t["counts"]["live"], 30)
        self.assertIsNone(t["caller"])
        # protect matched the admins: no note asking for them
        self.assertNotIn("calling identity is not known", p.stdout)
        # page 1 as documented, then the links the answers gave: 30 users
        # in pages of 7 are 5 pages, each asked once
        self.assertEqual([(r["method"], r["path"], r["query"]) for r in log],
                         [("GET", "/api/user/", "page=1&page_size=1000")] +
                         [("GET", "/api/user/", "page=%d&page_size=7" % n)
                          for n in range(2, 6)])
        for r in log:
            self.assertEqual(r["headers"]["authorization"], "Token ****")
            self.assertEqual(r["auth"], "ok")
            self.assertIsNone(r["body"])

    def test_apply_leaves_exactly_kept_protected_out_of_scope_and_caller(self):
        emu, roles = self.setup_tenant(emu_flags={"max_page": 7})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(remaining(emu), sorted(
            roles["caller"] + roles["kept"] + roles["protected"] +
            roles["apps"]))
        # a soft delete: scheduled at the vendor, "scheduled" in the journal
        users = {u["id"]: u for u in emu.users()["users"]}
        for i in roles["delete"]:
            self.assertEqual(users[i]["status"], "pending_deletion")
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "scheduled" for i in roles["delete"]})
        self.assertIn("20 scheduled", p.stdout)
        self.assertIn("0 deleted", p.stdout)

    def test_delete_requests_as_documented(self):
        emu, roles = self.setup_tenant(deletable=6,
                                       emu_flags={"latency_ms": 100})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        dels = self.dels(emu)
        self.assertEqual(sorted(r["path"] for r in dels),
                         sorted("/api/user/%s/" % i for i in roles["delete"]))
        for r in dels:
            self.assertEqual(r["query"], "")
            self.assertIsNone(r["body"])
            self.assertEqual(r["headers"]["authorization"], "Token ****")
            self.assertEqual(r["status"], 204)
        # the canary went out alone, and was answered before the others
        self.assertEqual(dels[0]["path"], "/api/user/%s/" %
                         roles["delete"][0])
        self.assertEqual(dels[0]["inflight"], 1)
        # every answer takes 0.1 s: the others arrived after it
        for r in dels[1:]:
            self.assertGreaterEqual(r["t"] - dels[0]["t"], 0.09)

    def test_scheduled_users_are_gone_from_the_next_plan(self):
        emu, roles = self.setup_tenant(deletable=4)
        self.assertRan(self.up("apply", "--yes"), 0)
        p = self.up("plan", "-o", "plan.json", "--detailed-exitcode")
        self.assertRan(p, 0)
        self.assertEqual(self.read_plan()["tenants"][0]["delete"], [])

    def test_a_top_level_next_is_followed_too(self):
        # plain DRF puts next at the top level; Bevy's API under "links"
        emu, roles = self.setup_tenant(emu_flags={"max_page": 7,
                                                  "bevy_top_next": True})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        self.assertEqual(t["counts"]["live"], 30)

    def test_next_link_to_another_origin_is_never_followed(self):
        pop, roles = bevy_population()
        emu = self.emulator("bevy", population=pop, max_page=7)
        # the same server under another name is another origin: the
        # emulator's links say 127.0.0.1, the tenant says localhost
        url = emu.base_url().replace("127.0.0.1", "localhost")
        self.write_config(self.tenant("bevy", emu, url=url, keep=KEEP,
                                      protect=PROTECT, policy=POLICY,
                                      limits=FAST))
        p = self.up("plan")
        self.assertRan(p, 1)
        link = "http://127.0.0.1:%d/api/user/?page=2&page_size=7" % emu.port
        self.assertIn("the next page's link '%s' is not on the tenant's "
                      "origin (%s): not followed" % (link, url), p.stderr)
        p = self.up("apply", "--yes")
        self.assertRan(p, 1)
        self.assertIn("not followed", p.stdout)
        # only the first pages were asked for; the link never
        log = emu.requests()
        self.assertEqual([r["query"] for r in log],
                         ["page=1&page_size=1000"] * 2)
        self.assertEqual(writes(log), [])

    def test_over_the_daily_budget_exits_3_without_deleting(self):
        emu, roles = self.setup_tenant(
            deletable=30, emu_flags={"max_page": 10},
            limits=dict(FAST, daily_request_budget=25))
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 3)
        self.assertIn("daily_request_budget", p.stdout)
        t = self.read_plan()["tenants"][0]
        # a listing again (4 pages) and 30 single deletes, at least
        self.assertGreaterEqual(t["requests"], 35)
        self.assertEqual(len(t["delete"]), 30)
        p = self.up("apply", "--yes")
        self.assertRan(p, 3)
        self.assertIn("refused by a guard", p.stderr)
        p = self.up("apply", "plan.json")
        self.assertRan(p, 3)
        self.assertIn("refused by a guard", p.stderr)
        self.assertEqual(self.dels(emu), [])
        self.assertEqual(writes(emu.requests()), [])
        self.assertEqual(len(remaining(emu)), 40)
        # within the budget the same tenant is planned
        self.write_config(self.tenant(
            "bevy", emu, keep=KEEP, protect=PROTECT, policy=POLICY,
            limits=dict(FAST, daily_request_budget=t["requests"])))
        self.assertRan(self.up("plan"), 0)

    def test_groups_of_batch_size_with_a_pause_between(self):
        emu, roles = self.setup_tenant(
            deletable=12, policy=dict(POLICY, canary=0),
            limits=dict(FAST, batch_size=5),
            options={"batch_pause_seconds": 1})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        dels = self.dels(emu)
        self.assertEqual(len(dels), 12)
        times = [r["t"] for r in dels]
        # 12 users in groups of 5: two pauses of about a second
        self.assertEqual(clusters(times, 0.6), [5, 5, 2])
        groups = sorted(times)
        self.assertGreaterEqual(groups[5] - groups[4], 0.8)
        self.assertGreaterEqual(groups[10] - groups[9], 0.8)
        # each group's deletes went out together, well within the pause
        self.assertLess(groups[4] - groups[0], 0.5)
        self.assertLess(groups[9] - groups[5], 0.5)
        # a group starts only when the previous one is answered: the
        # planned order holds between groups
        order = [re.match(r"/api/user/(\d+)/", r["path"]).group(1)
                 for r in sorted(dels, key=lambda r: r["t"])]
        self.assertEqual(sorted(order[:5]), sorted(roles["delete"][:5]))
        self.assertEqual(sorted(order[5:10]), sorted(roles["delete"][5:10]))
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})

    def test_400_is_blocked_and_exit_4(self):
        pop, roles = bevy_population(deletable=3)
        locked = roles["delete"][-1]
        for u in pop["users"]:
            if u["id"] == locked:
                u["undeletable"] = True
        emu, roles = self.setup_tenant(pop, roles)
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        out = self.outcomes("j.jsonl")
        self.assertEqual(out[locked], "blocked")
        self.assertEqual(list(out.values()).count("scheduled"), 2)
        self.assertIn(locked, remaining(emu))
        line = [l for l in self.journal("j.jsonl") if l.get("id") == locked][0]
        self.assertEqual(line["http_status"], 400)
        self.assertIn("cannot be deleted", line["detail"])

    def test_refused_token_fails_before_any_deletion(self):
        emu, roles = self.setup_tenant()
        p = self.up("apply", "--yes", env={"UP_SECRET": "not-the-token"})
        self.assertRan(p, 1)
        self.assertIn('HTTP 401: {"detail":"Invalid token."}', p.stdout)
        self.assertNotIn("not-the-token", p.stdout + p.stderr)
        log = emu.requests()
        # a static token is not renewed: one refused page, nothing more
        self.assertEqual([(r["method"], r["status"], r["auth"]) for r in log],
                         [("GET", 401, "invalid")])
        self.assertEqual(len(remaining(emu)), 30)
