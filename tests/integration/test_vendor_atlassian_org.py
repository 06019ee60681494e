"""Atlassian organizations (Admin API v2) against the emulator: the
scenarios the site connector passes, for each delete_action (remove,
suspend, delete); cursor paging with links.next as a URL or a bare token,
proven equal to a sequential walk; closed accounts never planned;
unmanaged accounts never deleted with delete_action: delete; hostile
links and cursor cycles."""

import json
import math
import signal
import time

import up
from scripted import Server
from up import writes

KEEP = ["KEEPER0@ACME.EXAMPLE", "keeper1@acme.example",
        {"email": "keeper[2-9]@acme.example"}]
# an API key is no user: the admin who holds it is protected by the file
PROTECT = [{"email": "*-admin@acme.example"}, {"email": "admin@example.test"}]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}
FAST = {"requests_per_second": 100}
USERS = "/admin/v2/orgs/acme/directories/-/users"


class Scenarios:
    """The site connector's scenarios (test_live.Both), for one
    delete_action each."""

    action = None   # options.delete_action
    done = None     # the journal's outcome of a deletion that went through
    status = None   # the emulator's status of such a user, None: gone

    def options(self, **extra):
        return dict({"org_id": up.ORG_ID, "delete_action": self.action},
                    **extra)

    def request_of(self, uid):
        """(method, path) of the deletion of uid."""
        raise NotImplementedError

    def setup_tenant(self, deletable=20, emu_flags=None, pop=None, **tenant):
        roles = None
        if pop is None:
            pop, roles = up.population("atlassian-org", deletable=deletable)
        emu = self.emulator("atlassian-org", population=pop,
                            **(emu_flags or {}))
        tenant.setdefault("keep", KEEP)
        tenant.setdefault("protect", PROTECT)
        tenant.setdefault("policy", POLICY)
        tenant.setdefault("limits", FAST)
        tenant.setdefault("options", self.options())
        self.write_config(self.tenant("atlassian-org", emu, **tenant))
        return emu, roles

    def deletions(self, emu):
        return writes(emu.requests())

    def assertDone(self, emu, ids):
        """The vendor did what the action does to each of ids."""
        users = {u["id"]: u for u in emu.users()["users"]}
        for i in ids:
            if self.status is None:
                self.assertNotIn(i, users)
            else:
                self.assertEqual(users[i]["status"], self.status, i)

    def test_plan_sends_no_writes(self):
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
        self.assertNotIn("the credentials belong to an application", p.stdout)
        self.assertIn("delete_action: %s" % self.action, p.stdout)
        # 30 users in pages of at most 7: five pages, the first as
        # documented, then each next link once
        self.assertEqual([(r["method"], r["path"]) for r in log],
                         [("GET", USERS)] * 5)
        self.assertEqual(log[0]["query"], "limit=100")
        cursors = [r["query"] for r in log[1:]]
        self.assertEqual(len(set(cursors)), 4)
        for q in cursors:
            self.assertRegex(q, r"^limit=100&cursor=c[0-9a-f]+o[0-9a-f]+$")
        for r in log:
            self.assertEqual(r["headers"]["authorization"], "Bearer ****")
            self.assertEqual(r["auth"], "ok")

    def test_apply_leaves_exactly_kept_protected_out_of_scope(self):
        emu, roles = self.setup_tenant(emu_flags={"max_page": 7})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        untouched = roles["caller"] + roles["kept"] + roles["protected"] + \
            roles["apps"]
        users = {u["id"]: u for u in emu.users()["users"]}
        for i in untouched:
            self.assertIn(i, users)
        self.assertEqual(sorted(users), sorted(
            untouched + (roles["delete"] if self.status else [])))
        self.assertDone(emu, roles["delete"])
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: self.done for i in roles["delete"]})
        self.assertIn("20 %s" % self.done, p.stdout)
        self.assertIn("Verified: 20 outcomes", p.stdout)

    def test_requests_as_documented(self):
        emu, roles = self.setup_tenant(deletable=4,
                                       emu_flags={"latency_ms": 100})
        self.assertRan(self.up("apply", "--yes"), 0)
        dels = self.deletions(emu)
        self.assertEqual(sorted((r["method"], r["path"]) for r in dels),
                         sorted(self.request_of(i) for i in roles["delete"]))
        for r in dels:
            self.assertEqual(r["query"], "")
            self.assertIsNone(r["body"])
            self.assertEqual(r["headers"]["authorization"], "Bearer ****")
        # the canary alone, answered before the others went out
        self.assertEqual(dels[0]["inflight"], 1)
        for r in dels[1:]:
            self.assertGreaterEqual(r["t"] - dels[0]["t"], 0.09)

    def test_404_is_absent(self):
        pop, roles = up.population("atlassian-org", deletable=4)
        pop["users"][-1]["vanishing"] = True
        emu, _ = self.setup_tenant(pop=pop)
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        out = self.outcomes("j.jsonl")
        self.assertEqual(out[roles["delete"][-1]], "absent")
        self.assertEqual(list(out.values()).count(self.done), 3)
        line = [l for l in self.journal("j.jsonl")
                if l.get("id") == roles["delete"][-1]][0]
        self.assertEqual(line["http_status"], 404)

    def test_400_is_blocked_and_exit_4(self):
        pop, roles = up.population("atlassian-org", deletable=3)
        pop["users"][-1]["undeletable"] = True
        emu, _ = self.setup_tenant(pop=pop)
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        out = self.outcomes("j.jsonl")
        self.assertEqual(out[roles["delete"][-1]], "blocked")
        self.assertEqual(list(out.values()).count(self.done), 2)
        self.assertEqual(emu.user(roles["delete"][-1])["status"], "active")

    def test_429_with_retry_after_is_waited_out(self):
        # a rate limit of 8 a second with X-RateLimit-* on every answer,
        # and a fifth of the requests answered 429 with Retry-After: 1
        emu, roles = self.setup_tenant(
            deletable=8,
            emu_flags={"rate_limit": 8, "max_page": 10, "burst_429": 0.2,
                       "seed": 3},
            limits={"requests_per_second": 100, "concurrency": 4})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        log = emu.requests()
        self.assertGreater(len([r for r in log if r["status"] == 429]), 0)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertDone(emu, roles["delete"])
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: self.done for i in roles["delete"]})
        # after a 429, nothing was sent until Retry-After had passed
        for i, r in enumerate(log):
            if r["status"] == 429:
                later = [x for x in log[i + 1:] if x["t"] > r["t"]]
                if later:
                    self.assertGreaterEqual(later[0]["t"] - r["t"], 0.9)

    def test_guard_exits_3_without_deleting(self):
        emu, roles = self.setup_tenant(policy={"max_deletions": 5})
        p = self.up("plan")
        self.assertRan(p, 3)
        self.assertIn("max_deletions", p.stdout)
        p = self.up("apply", "--yes")
        self.assertRan(p, 3)
        self.assertIn("refused by a guard", p.stderr)
        self.assertEqual(writes(emu.requests()), [])
        self.assertEqual(emu.deletes(), {})

    def test_saved_plan_is_applied_exactly(self):
        emu, roles = self.setup_tenant(deletable=6)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        planned = roles["delete"]
        emu.add_user(up.user("newcomer", "new@acme.example"))
        emu.remove_user(planned[0])
        emu.patch_user(planned[1], {"email": "keeper1@acme.example"})
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        out = self.outcomes("j.jsonl")
        self.assertEqual(out[planned[0]], "absent")
        self.assertEqual(out[planned[1]], "skipped")
        for i in planned[2:]:
            self.assertEqual(out[i], self.done)
        self.assertNotIn("newcomer", out)
        self.assertEqual(emu.deletes(), {i: 1 for i in planned[2:]})
        self.assertEqual(emu.user("newcomer")["status"], "active")
        # as it was: one of the population's two inactive users
        self.assertEqual(emu.user(planned[1])["status"], "inactive")
        self.assertIn("changed since the plan", p.stderr)

    def test_resume_after_kill(self):
        emu, roles = self.setup_tenant(
            deletable=120, emu_flags={"latency_ms": 15},
            limits={"concurrency": 2, "requests_per_second": 40})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        proc = self.spawn("apply", "plan.json", "--journal", "j1.jsonl")
        deadline = time.time() + 60
        while len(emu.deletes()) < 30 and time.time() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        first = len(emu.deletes())
        self.assertGreaterEqual(first, 30)
        self.assertLess(first, 120)
        p = self.up("apply", "--resume", "j1.jsonl", "plan.json",
                    "--journal", "j2.jsonl")
        self.assertRan(p, 0)
        # every planned user asked for exactly once, nothing else touched
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertDone(emu, roles["delete"])
        j1, j2 = self.outcomes("j1.jsonl"), self.outcomes("j2.jsonl")
        self.assertFalse(set(j1) & set(j2))
        both = {**j1, **j2}
        self.assertEqual(set(both), set(roles["delete"]))
        # a request in flight at the kill went through unrecorded: the
        # resume finds that user gone (absent) or, where the action keeps
        # the account, changed since the plan (skipped); never sent twice
        self.assertEqual(set(both.values()) - {self.done, "absent",
                                               "skipped"}, set())
        late = [v for v in both.values() if v != self.done]
        self.assertLessEqual(len(late), 2)

    def test_verification_fails_a_user_still_there(self):
        pop, roles = up.population("atlassian-org", deletable=6, inactive=0)
        sticky = roles["delete"][3]
        for u in pop["users"]:
            if u["id"] == sticky:
                u["sticky"] = True
        emu, _ = self.setup_tenant(pop=pop)
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertIn("Verified: 6 outcomes", p.stdout)
        want = {i: self.done for i in roles["delete"]}
        want[sticky] = "failed"
        self.assertEqual(self.outcomes("j.jsonl"), want)

    def test_closed_accounts_are_never_planned(self):
        pop, roles = up.population("atlassian-org", deletable=4)
        closed = ["closed-%d" % i for i in range(3)]
        # closed accounts among the others, not only at the end
        for n, uid in enumerate(closed):
            pop["users"].insert(2 + 3 * n, up.user(
                uid, "%s@acme.example" % uid, closed=True))
        emu, _ = self.setup_tenant(pop=pop, emu_flags={"max_page": 3})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        self.assertEqual(t["counts"]["live"], 14)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(set(self.outcomes("j.jsonl")), set(roles["delete"]))
        sent = " ".join(r["path"] for r in writes(emu.requests()))
        for uid in closed:
            self.assertNotIn(uid, sent)
            self.assertTrue(emu.user(uid)["closed"])


class RemoveTest(Scenarios, up.TestCase):
    action = "remove"
    done = "deleted"
    status = None

    def request_of(self, uid):
        return ("DELETE", "%s/%s" % (USERS, uid))

    def test_remove_is_the_default_and_api_atlassian_com_the_url(self):
        emu, roles = self.setup_tenant(deletable=2,
                                       options={"org_id": up.ORG_ID})
        self.assertRan(self.up("apply", "--yes"), 0)
        self.assertEqual({r["method"] for r in writes(emu.requests())},
                         {"DELETE"})
        self.write_config({"name": "org", "vendor": "atlassian-org",
                           "auth": dict(up.AUTH["atlassian-org"]),
                           "options": {"org_id": "x"}, "keep": KEEP})
        p = self.up("tenants", "--format", "json")
        self.assertRan(p, 0)
        self.assertIn("https://api.atlassian.com", p.stdout)

    def test_users_in_no_directory_are_already_removed(self):
        pop, roles = up.population("atlassian-org", deletable=3)
        out = roles["delete"][0]
        for u in pop["users"]:
            if u["id"] == out:
                u["raw"] = {"membershipStatus": "no_membership"}
        emu, _ = self.setup_tenant(pop=pop)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"][1:])
        self.assertEqual(t["counts"]["live"], 12)


class SuspendTest(Scenarios, up.TestCase):
    action = "suspend"
    done = "deactivated"
    status = "inactive"

    def request_of(self, uid):
        return ("POST", "%s/%s/suspend" % (USERS, uid))

    def test_suspended_users_can_be_restored_at_the_vendor(self):
        emu, roles = self.setup_tenant(deletable=2)
        self.assertRan(self.up("apply", "--yes"), 0)
        uid = roles["delete"][0]
        r = emu.request("POST", "%s/%s/restore" % (USERS, uid),
                        headers={"Authorization": "Bearer " + up.SECRET})
        self.assertEqual(r.status, 200)
        self.assertEqual(emu.user(uid)["status"], "active")


class DeleteTest(Scenarios, up.TestCase):
    action = "delete"
    done = "scheduled"
    status = "pending_deletion"

    def request_of(self, uid):
        return ("POST", "/users/%s/manage/lifecycle/delete" % uid)

    def test_scheduled_accounts_say_until_when_and_are_pending_next_time(self):
        emu, roles = self.setup_tenant(deletable=3)
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        for l in self.journal("j.jsonl"):
            if l.get("type") == "outcome":
                self.assertRegex(l["detail"], r"deleted after 14 days, on "
                                 r"\d{4}-\d\d-\d\d \(UTC\)")
        p = self.up("plan", "-o", "plan.json", "--detailed-exitcode")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual(t["delete"], [])
        self.assertEqual(t["counts"]["pending"], 3)
        # cancel-delete restores the account in the window
        uid = roles["delete"][0]
        r = emu.request("POST", "/users/%s/manage/lifecycle/cancel-delete"
                        % uid,
                        headers={"Authorization": "Bearer " + up.SECRET})
        self.assertEqual(r.status, 204)
        self.assertEqual(emu.user(uid)["status"], "active")

    def unmanaged_population(self):
        pop, roles = up.population("atlassian-org", deletable=6)
        unmanaged = roles["delete"][1:4]
        for u in pop["users"]:
            if u["id"] in unmanaged:
                u["unmanaged"] = True
        return pop, roles, unmanaged

    def test_unmanaged_accounts_are_blocked_in_the_plan_never_sent(self):
        pop, roles, unmanaged = self.unmanaged_population()
        emu, _ = self.setup_tenant(pop=pop)
        p = self.up("plan", "-o", "plan.json", "--detailed-exitcode")
        self.assertRan(p, 2)
        t = self.read_plan()["tenants"][0]
        managed = [i for i in roles["delete"] if i not in unmanaged]
        self.assertEqual([u["id"] for u in t["delete"]], managed)
        # named, with the reason; counted as protected (kept alone)
        self.assertEqual(t["counts"]["protected"], 2 + 1 + 3)
        for uid in unmanaged:
            self.assertIn("user '%s' (email" % uid, p.stdout)
        self.assertIn("is blocked and left alone", p.stdout)
        self.assertIn("claimStatus unmanaged", p.stdout)
        self.assertIn("3 users the keep list does not keep are blocked",
                      p.stdout)
        self.assertIn("SAML single sign-on", p.stdout)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "scheduled" for i in managed})
        sent = [r["path"] for r in writes(emu.requests())]
        self.assertEqual(sorted(sent), sorted(
            "/users/%s/manage/lifecycle/delete" % i for i in managed))
        for uid in unmanaged:
            self.assertEqual(emu.user(uid)["status"],
                             "inactive" if uid in roles["delete"][:2]
                             else "active")

    def test_a_plan_from_a_snapshot_blocks_unmanaged_at_apply(self):
        pop, roles, unmanaged = self.unmanaged_population()
        emu, _ = self.setup_tenant(pop=pop)
        # a snapshot cannot say who is managed: the plan names them all
        snap = {"t1": {"caller": None, "users": [
            {k: u[k] for k in ("id", "email", "name", "type", "status")}
            for u in pop["users"]]}}
        with open(self.path("live.json"), "w") as f:
            json.dump(snap, f)
        self.assertRan(self.up("plan", "--live", "live.json",
                               "-o", "plan.json"), 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        # apply lists again, knows better, and sends nothing for them
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        out = self.outcomes("j.jsonl")
        for uid in roles["delete"]:
            self.assertEqual(out[uid], "blocked" if uid in unmanaged
                             else "scheduled")
        line = [l for l in self.journal("j.jsonl")
                if l.get("id") == unmanaged[0]][0]
        self.assertIsNone(line["http_status"])
        self.assertIn("claimStatus unmanaged", line["detail"])
        sent = " ".join(r["path"] for r in writes(emu.requests()))
        for uid in unmanaged:
            self.assertNotIn(uid, sent)
        self.assertIn("blocked '%s'" % unmanaged[0], p.stderr)


class ListingTest(up.TestCase):
    """A listing of 25,000 users in pages of 100 equals a sequential walk;
    links that leave the origin and cursors that come back fail it."""

    def walk(self, **flags):
        emu = self.emulator("atlassian-org", users=25000, inactive=300,
                            unmanaged=700, closed=40, seed=11, **flags)
        self.write_config(self.tenant(
            "atlassian-org", emu, keep=["nobody@acme.example"],
            protect=[{"email": "admin@example.test"}],
            policy={"max_deletions": 100000, "max_delete_percent": 100},
            limits={"requests_per_second": 0}))
        p = self.up("plan", "-o", "plan.json", timeout=300)
        self.assertRan(p, 0)
        # the walk: the emulator's own order, without closed accounts
        everyone = emu.users()["users"]
        walk = [u["id"] for u in everyone if not u["closed"]]
        self.assertEqual(len(walk), 25000)
        t = self.read_plan()["tenants"][0]
        listed = [u["id"] for u in t["delete"]]
        # everyone but the protected admin, once each, in order
        self.assertEqual(listed, walk[1:])
        self.assertEqual(len(set(listed)), len(listed))
        self.assertEqual(t["counts"]["live"], 25000)
        log = emu.requests()
        self.assertEqual(writes(log), [])
        self.assertEqual(len(log), math.ceil(25040 / 100))
        self.assertEqual(log[0]["query"], "limit=100")
        queries = [r["query"] for r in log]
        self.assertEqual(len(set(queries)), len(queries))
        for r in log:
            self.assertEqual((r["method"], r["path"], r["status"]),
                             ("GET", USERS, 200))
        return emu, log

    def first_next(self, emu):
        r = emu.request("GET", USERS + "?limit=100", headers={
            "Authorization": "Bearer " + up.SECRET})
        self.assertEqual(r.status, 200)
        return r.json()["links"]["next"]

    def test_url_links_walk_25000_users_exactly(self):
        emu, log = self.walk()
        # the answers linked URLs, and each was asked for as it was
        nxt = self.first_next(emu)
        self.assertTrue(nxt.startswith(emu.origin + USERS + "?"), nxt)
        self.assertEqual(nxt, emu.origin + USERS + "?" + log[1]["query"])

    def test_bare_cursors_walk_25000_users_exactly(self):
        emu, log = self.walk(bare_cursors=True)
        # the answers gave bare tokens, each asked for with cursor=
        nxt = self.first_next(emu)
        self.assertRegex(nxt, r"^c[0-9a-f]+o[0-9a-f]+$")
        self.assertEqual(log[1]["query"], "limit=100&cursor=" + nxt)

    def test_a_next_link_to_another_origin_fails_the_listing(self):
        pop, roles = up.population("atlassian-org", deletable=10)
        emu = self.emulator("atlassian-org", population=pop, max_page=7)
        # the same server under another name is another origin
        url = emu.base_url().replace("127.0.0.1", "localhost")
        self.write_config(self.tenant("atlassian-org", emu, url=url,
                                      keep=KEEP, protect=PROTECT,
                                      policy=POLICY))
        p = self.up("plan")
        self.assertRan(p, 1)
        link = "http://127.0.0.1:%d%s?limit=100&cursor=" % (emu.port, USERS)
        self.assertIn("the next page's link '%s" % link, p.stderr)
        self.assertIn("is not on the tenant's origin (%s): not followed"
                      % url, p.stderr)
        p = self.up("apply", "--yes")
        self.assertRan(p, 1)
        log = emu.requests()
        self.assertEqual([r["query"] for r in log], ["limit=100"] * 2)
        self.assertEqual(writes(log), [])

    def serve(self, handler):
        s = Server(handler)
        self.addCleanup(s.close)
        return s

    def scripted(self, nexts):
        """A server whose page after cursor c links nexts[c] (None:
        the first page)."""
        def handle(req):
            if req.path != USERS or req.method != "GET":
                return 404, "application/json", {"code": 404}
            c = req.query.get("cursor")
            users = [{"accountId": "%s-%d" % (c or "first", i),
                      "accountStatus": "active",
                      "accountType": "atlassian",
                      "email": "%s-%d@x.example" % (c or "first", i)}
                     for i in range(2)]
            links = {"self": s.url + req.path}
            if nexts.get(c) is not None:
                links["next"] = nexts[c].replace("URL", s.url)
            return 200, "application/json", {"data": users,
                                             "links": links}
        s = self.serve(handle)
        self.write_config({
            "name": "t1", "vendor": "atlassian-org", "url": s.url,
            "auth": dict(up.AUTH["atlassian-org"]),
            "options": {"org_id": up.ORG_ID}, "keep": ["nobody@x.example"],
            "policy": {"max_deletions": 10000, "max_delete_percent": 100},
            "limits": {"requests_per_second": 0, "max_attempts": 2}})
        return s

    def test_a_cursor_cycle_fails_the_listing(self):
        # bare tokens: A -> B -> A
        s = self.scripted({None: "A", "A": "B", "B": "A"})
        p = self.up("plan", timeout=60)
        self.assertRan(p, 3)
        self.assertIn("a cycle", p.stdout)
        self.assertEqual([r.query.get("cursor") for r in s.requests],
                         [None, "A", "B"])
        # links: page A links back to page A
        s = self.scripted({None: "URL" + USERS + "?limit=100&cursor=A",
                           "A": "URL" + USERS + "?limit=100&cursor=A"})
        p = self.up("plan", timeout=60)
        self.assertRan(p, 3)
        self.assertIn("a cycle", p.stdout)
        self.assertEqual(len(s.requests), 2)
        # a token naming the page a link named before is that page again
        s = self.scripted({None: "URL" + USERS + "?limit=100&cursor=A",
                           "A": "A"})
        p = self.up("plan", timeout=60)
        self.assertRan(p, 3)
        self.assertIn("a cycle", p.stdout)
        self.assertEqual(len(s.requests), 2)

    def test_a_scripted_walk_with_mixed_links_is_complete(self):
        s = self.scripted({None: "A", "A": "URL" + USERS + "?cursor=B",
                           "B": "C", "C": None})
        p = self.up("plan", "-o", "plan.json", timeout=60)
        self.assertRan(p, 0)
        self.assertEqual([r.query.get("cursor") for r in s.requests],
                         [None, "A", "B", "C"])
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]],
                         ["%s-%d" % (c, i) for c in ("first", "A", "B", "C")
                          for i in range(2)])


class EmulatorTest(up.TestCase):
    """The emulator's atlassian-org personality: what the connector and,
    later, restore rely on."""

    def call(self, emu, method, path, token=up.SECRET):
        headers = {"Authorization": "Bearer " + token} if token else {}
        return emu.request(method, path, headers=headers)

    def test_listing_answers(self):
        emu = self.emulator("atlassian-org", users=5, closed=2, unmanaged=1,
                            inactive=1)
        r = self.call(emu, "GET", USERS + "?limit=100")
        self.assertEqual(r.status, 200)
        data = r.json()["data"]
        self.assertEqual(len(data), 7)
        self.assertNotIn("next", r.json()["links"])
        self.assertEqual([u["accountStatus"] for u in data],
                         ["active"] * 5 + ["closed"] * 2)
        self.assertEqual(sorted(u["claimStatus"] for u in data),
                         ["managed"] * 6 + ["unmanaged"])
        self.assertEqual(sorted(u["membershipStatus"] for u in data),
                         ["active"] * 6 + ["suspended"])
        for q, status in (("limit=101", 400), ("limit=0", 400),
                          ("limit=x", 400), ("cursor=zz", 400),
                          ("cursor=c99999o0", 400)):
            self.assertEqual(self.call(emu, "GET", USERS + "?" + q).status,
                             status, q)
        self.assertEqual(self.call(
            emu, "GET", "/admin/v2/orgs/other/directories/-/users").status,
            404)
        r = self.call(emu, "GET", USERS, token=None)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.headers["WWW-Authenticate"], "Bearer")
        self.assertEqual(self.call(emu, "GET", USERS, token="nope").status,
                         401)

    def test_a_cursor_survives_deletions_before_it(self):
        emu = self.emulator("atlassian-org", users=10, max_page=3)
        first = self.call(emu, "GET", USERS).json()
        ids = [u["accountId"] for u in first["data"]]
        for uid in ids:
            self.assertEqual(self.call(emu, "DELETE",
                                       "%s/%s" % (USERS, uid)).status, 204)
        rest = self.call(emu, "GET", first["links"]["next"]).json()
        everyone = [u["id"] for u in emu.users()["users"]]
        self.assertEqual([u["accountId"] for u in rest["data"]],
                         everyone[:3])

    def test_suspend_restore_delete_cancel_are_logged(self):
        pop, roles = up.population("atlassian-org", deletable=3)
        pop["users"][-1]["unmanaged"] = True
        emu = self.emulator("atlassian-org", population=pop)
        a, b, c = roles["delete"]
        steps = [
            ("POST", "%s/%s/suspend" % (USERS, a), 200, "inactive"),
            ("POST", "%s/%s/restore" % (USERS, a), 200, "active"),
            ("POST", "/users/%s/manage/lifecycle/delete" % a, 204,
             "pending_deletion"),
            ("POST", "%s/%s/restore" % (USERS, a), 409, "pending_deletion"),
            ("POST", "/users/%s/manage/lifecycle/delete" % a, 204,
             "pending_deletion"),
            ("POST", "/users/%s/manage/lifecycle/cancel-delete" % a, 204,
             "active"),
            ("POST", "/users/%s/manage/lifecycle/cancel-delete" % a, 400,
             "active"),
            ("GET", "/users/%s/manage/lifecycle/delete" % a, 405, "active"),
        ]
        for method, path, status, after in steps:
            r = self.call(emu, method, path)
            self.assertEqual(r.status, status, path)
            self.assertEqual(emu.user(a)["status"], after, path)
        # an unmanaged account cannot be deleted, only removed
        r = self.call(emu, "POST", "/users/%s/manage/lifecycle/delete" % c)
        self.assertEqual(r.status, 403)
        self.assertEqual(emu.user(c)["status"], "active")
        self.assertEqual(self.call(emu, "DELETE",
                                   "%s/%s" % (USERS, c)).status, 204)
        self.assertIsNone(emu.user(c))
        self.assertEqual(self.call(emu, "DELETE",
                                   "%s/%s" % (USERS, c)).status, 404)
        self.assertEqual(self.call(emu, "POST", "/users/nobody/manage/"
                                   "lifecycle/delete").status, 404)
        # suspension, removal and deletion count; restores do not
        self.assertEqual(emu.deletes(), {a: 2, c: 1})
        log = [(r["method"], r["path"], r["status"]) for r in emu.requests()]
        self.assertEqual(log[:len(steps)],
                         [(m, p, s) for m, p, s, _ in steps])
        self.assertNotIn(b, " ".join(p for _, p, _ in log))
