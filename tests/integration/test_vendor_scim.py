"""SCIM 2.0 against emulator flavours that behave as real providers do
(DESIGN §6): lower-case ListResponse keys, echoed startIndex 0, DELETE
that deactivates or is not there, Bulk payload limits, several emails,
userType values, cursor paging. Against each, plan and apply give the
right outcomes, and no user still listed is ever judged gone."""

import json
import os
import shutil

import up
from scripted import Server
from up import writes, remaining

KEEP = [{"email": "keeper*@acme.example"}]
PROTECT = [{"email": "*-admin@acme.example"}]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}


class ScimFlavourTest(up.TestCase):

    def setup_tenant(self, deletable=12, emu_flags=None, pop=None,
                     **tenant):
        if pop is None:
            pop, roles = up.population("scim", deletable=deletable)
        else:
            roles = None
        emu = self.emulator("scim", population=pop, **(emu_flags or {}))
        tenant.setdefault("keep", KEEP)
        tenant.setdefault("protect", PROTECT)
        tenant.setdefault("policy", POLICY)
        self.write_config(self.tenant("scim", emu, **tenant))
        return emu, roles

    def plan_then_apply(self, code=0):
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, code)
        return p

    def test_lower_case_list_response_keys(self):
        emu, roles = self.setup_tenant(
            emu_flags={"scim_lowercase_keys": True, "max_page": 5})
        page = emu.request("GET", "/scim/v2/Users?startIndex=1&count=2",
                           headers={"Authorization": "Bearer " + up.SECRET}
                           ).json()
        self.assertIn("resources", page)
        self.assertIn("totalresults", page)
        self.assertNotIn("Resources", page)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        self.assertEqual(writes(emu.requests()), [])
        t = self.read_plan()["tenants"][0]
        self.assertEqual(t["counts"]["live"], 22)
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertIn("Verified: 12 outcomes", p.stdout)
        for i in roles["delete"]:
            self.assertNotIn(i, remaining(emu))

    def test_startindex_and_itemsperpage_echoed_as_zero(self):
        emu, roles = self.setup_tenant(
            emu_flags={"scim_echo_zero": True, "max_page": 4},
            limits={"concurrency": 4})
        page = emu.request("GET", "/scim/v2/Users?startIndex=5&count=4",
                           headers={"Authorization": "Bearer " + up.SECRET}
                           ).json()
        self.assertEqual((page["startIndex"], page["itemsPerPage"]), (0, 0))
        self.assertEqual(len(page["Resources"]), 4)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual(t["counts"]["live"], 22)
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        # the pages were asked for by userprune's own offsets
        starts = sorted(int(r["query"].split("startIndex=")[1].split("&")[0])
                        for r in emu.requests()[1:]
                        if r["path"] == "/scim/v2/Users")
        self.assertEqual(starts[:6], [1, 5, 9, 13, 17, 21])
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})

    def test_user_type_values(self):
        pop, roles = up.population("scim", deletable=4, inactive=0)
        pop["users"].append(up.user("contractor-1", "c1@acme.example", "c1",
                                    type="customer"))
        emu = self.emulator("scim", population=pop, scim_user_types=True)
        types = {u["id"]: u.get("userType") for u in emu.request(
            "GET", "/scim/v2/Users",
            headers={"Authorization": "Bearer " + up.SECRET}
        ).json()["Resources"]}
        self.assertEqual(types["app-0000"], "ServiceAccount")
        self.assertEqual(types["contractor-1"], "Contractor")
        # no scope: the default, human users only
        self.write_config(self.tenant("scim", emu, keep=KEEP,
                                      protect=PROTECT, policy=POLICY,
                                      scope=None))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        self.assertEqual(t["counts"]["untouched"], 3)  # 2 apps, contractor
        # unknown accounts only when the scope names their type
        self.write_config(self.tenant(
            "scim", emu, keep=KEEP, protect=PROTECT, policy=POLICY,
            scope={"include": [{"type": "unknown"}]}))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual([(u["id"], u["type"]) for u in t["delete"]],
                         [("contractor-1", "unknown")])
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(emu.deletes(), {"contractor-1": 1})

    def test_several_emails_a_secondary_one_keeps_and_protects(self):
        # keep and protect name only the non-primary address, which the
        # provider lists first; the primary one stays the one shown
        emu, roles = self.setup_tenant(
            deletable=6, emu_flags={"scim_emails": True},
            keep=["alt.keeper0@acme.example",
                  {"email": "ALT.keeper1@acme.example"},
                  {"email": "alt.keeper[2-4]@acme.example"}],
            protect=[{"email": "alt.boss*"}])
        first = emu.request(
            "GET", "/scim/v2/Users/kept-0000",
            headers={"Authorization": "Bearer " + up.SECRET}).json()
        self.assertEqual([(e["value"], e.get("primary", False))
                          for e in first["emails"]],
                         [("alt.keeper0@acme.example", False),
                          ("keeper0@acme.example", True)])
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        self.assertEqual((t["counts"]["kept"], t["counts"]["protected"]),
                         (5, 3))  # the caller is protected too
        self.assertEqual(t["delete"][0]["email"], "test0@acme.example")
        self.assertNotIn("matched no live user", p.stdout)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(remaining(emu), sorted(
            roles["caller"] + roles["kept"] + roles["protected"] +
            roles["apps"]))

    def test_several_emails_in_a_snapshot(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        shutil.copy(os.path.join(root, "tests", "fixtures", "live",
                                 "scim-emails.json"), self.path("live.json"))
        self.write_config({
            "name": "scim-qa", "vendor": "scim",
            "url": "https://scim.example/scim/v2", "auth": up.AUTH["scim"],
            "keep": ["A.Smith@home.example", {"email": "bobby@*"}],
            "policy": POLICY})
        p = self.up("plan", "--live", "live.json", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], ["u-carol"])
        self.assertEqual(t["counts"]["kept"], 2)
        self.assertNotIn("matched no live user", p.stdout)

    def statuses(self, emu):
        return {u["id"]: u["status"] for u in emu.users()["users"]}

    def test_delete_that_deactivates_is_never_judged_deleted(self):
        # the server answers 204 and keeps the user, inactive (Slack):
        # with the default delete_outcome, verification says so
        pop, roles = up.population("scim", deletable=4, inactive=0)
        emu, _ = self.setup_tenant(
            pop=pop, emu_flags={"scim_delete_deactivates": True})
        p = self.plan_then_apply(code=4)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "failed" for i in roles["delete"]})
        failed = [l for l in self.journal("j.jsonl")
                  if l["type"] == "outcome" and l["outcome"] == "failed"]
        self.assertIn("now inactive: this server's deletion deactivates",
                      failed[0]["detail"])
        self.assertEqual({i: self.statuses(emu)[i] for i in roles["delete"]},
                         {i: "inactive" for i in roles["delete"]})

    def test_delete_that_deactivates_with_delete_outcome(self):
        pop, roles = up.population("scim", deletable=6, inactive=0)
        emu, _ = self.setup_tenant(
            pop=pop, emu_flags={"scim_delete_deactivates": True,
                                "scim_bulk": True, "scim_bulk_max": 3},
            options={"delete_outcome": "deactivated"})
        p = self.plan_then_apply()
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deactivated" for i in roles["delete"]})
        self.assertIn("Verified: 6 outcomes", p.stdout)
        self.assertIn("6 deactivated", p.stdout)
        # the canary alone, then Bulk
        self.assertEqual(len([r for r in emu.requests()
                              if r["method"] == "DELETE"]), 1)
        self.assertEqual(len([r for r in emu.requests()
                              if r["path"] == "/scim/v2/Bulk"]), 2)
        self.assertEqual({i: self.statuses(emu)[i] for i in roles["delete"]},
                         {i: "inactive" for i in roles["delete"]})
        # deactivated users are done: the next plan has nothing to do
        p = self.up("plan", "-o", "again.json")
        self.assertRan(p, 0)
        t = self.read_plan("again.json")["tenants"][0]
        self.assertEqual(t["delete"], [])
        self.assertEqual(t["counts"]["pending"], 6)

    def test_no_delete_is_blocked_with_the_hint(self):
        pop, roles = up.population("scim", deletable=5, inactive=0)
        emu, _ = self.setup_tenant(pop=pop,
                                   emu_flags={"scim_no_delete": True})
        p = self.plan_then_apply(code=4)
        lines = [l for l in self.journal("j.jsonl")
                 if l["type"] == "outcome"]
        # the canary: blocked, saying what to set; then nothing more
        self.assertEqual([(l["id"], l["outcome"], l["http_status"])
                          for l in lines],
                         [(roles["delete"][0], "blocked", 405)])
        self.assertIn("set options.delete_method: deactivate",
                      lines[0]["detail"])
        self.assertIn("1 blocked", p.stdout)
        self.assertEqual(len([r for r in emu.requests()
                              if r["method"] == "DELETE"]), 1)
        self.assertEqual(emu.deletes(), {})
        self.assertTrue(all(v == "active"
                            for v in self.statuses(emu).values()))

    def test_delete_method_deactivate_patches(self):
        pop, roles = up.population("scim", deletable=5, inactive=0)
        emu, _ = self.setup_tenant(
            pop=pop, emu_flags={"scim_no_delete": True, "scim_bulk": True},
            options={"delete_method": "deactivate"})
        p = self.plan_then_apply()
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deactivated" for i in roles["delete"]})
        self.assertIn("Verified: 5 outcomes", p.stdout)
        patches = [r for r in emu.requests() if r["method"] == "PATCH"]
        self.assertEqual(sorted(r["path"] for r in patches),
                         sorted("/scim/v2/Users/" + i
                                for i in roles["delete"]))
        self.assertEqual(json.loads(patches[0]["body"]), {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active",
                            "value": False}]})
        # no DELETE, no Bulk: one PATCH per user
        self.assertEqual([r for r in emu.requests()
                          if r["method"] in ("DELETE", "POST")], [])
        st = self.statuses(emu)
        self.assertEqual({i: st[i] for i in roles["delete"]},
                         {i: "inactive" for i in roles["delete"]})
        self.assertEqual(st[roles["kept"][0]], "active")
        p = self.up("plan", "-o", "again.json")
        self.assertRan(p, 0)
        self.assertEqual(self.read_plan("again.json")["tenants"][0]["delete"],
                         [])

    def bulks(self, emu):
        """(operations, body bytes, status) of every Bulk request."""
        return [(len(json.loads(r["body"])["Operations"]),
                 len(r["body"].encode()), r["status"])
                for r in emu.requests() if r["path"] == "/scim/v2/Bulk"]

    def test_bulk_respects_max_payload_size(self):
        emu, roles = self.setup_tenant(
            deletable=25, emu_flags={"scim_bulk": True,
                                     "scim_bulk_max_payload": 600})
        p = self.plan_then_apply()
        bulks = self.bulks(emu)
        self.assertGreaterEqual(len(bulks), 3)
        for ops, size, status in bulks:
            self.assertLessEqual(size, 600)
            self.assertEqual(status, 200)
        # the canary alone, then every other user in some Bulk request
        self.assertEqual(sum(b[0] for b in bulks), 24)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertIn("Verified: 25 outcomes", p.stdout)

    def test_bulk_413_is_split_and_sent_again(self):
        # the server says 1 MiB and refuses more than 600 bytes
        emu, roles = self.setup_tenant(
            deletable=25, emu_flags={"scim_bulk": True,
                                     "scim_bulk_max_payload": 600,
                                     "scim_bulk_advertised_payload":
                                         1048576})
        p = self.plan_then_apply()
        bulks = self.bulks(emu)
        refused = sorted(b[0] for b in bulks if b[2] == 413)
        done = sorted(b[0] for b in bulks if b[2] == 200)
        # 24 refused, then halves until they fit: 12 and 12, then 6s
        self.assertEqual(refused, [12, 12, 24])
        self.assertEqual(done, [6, 6, 6, 6])
        for ops, size, status in bulks:
            self.assertEqual(status == 413, size > 600)
        # nothing in a refused request was done; each user deleted once
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertEqual(len([l for l in self.journal("j.jsonl")
                              if l["type"] == "outcome"]), 25)
        self.assertIn("refused as too large", p.stdout + p.stderr)
        self.assertIn("Verified: 25 outcomes", p.stdout)

    def test_ids_that_need_encoding_go_singly_not_in_bulk(self):
        # Bulk paths are not percent-decoded by this server: an encoded
        # id inside a Bulk request would name nobody
        odd = ["a b", "x/y", "100%", "..", "q?r"]
        pop, roles = up.population("scim", deletable=8, inactive=0)
        for i, uid in enumerate(odd):
            pop["users"].append(up.user(uid, "odd%d@acme.example" % i,
                                        "odd%d" % i))
        emu, _ = self.setup_tenant(
            pop=pop, emu_flags={"scim_bulk": True,
                                "scim_bulk_raw_paths": True})
        p = self.plan_then_apply()
        gone = roles["delete"] + odd
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in gone})
        self.assertEqual(emu.deletes(), {i: 1 for i in gone})
        for r in emu.requests():
            if r["path"] == "/scim/v2/Bulk":
                for op in json.loads(r["body"])["Operations"]:
                    self.assertNotIn("%", op["path"])
        singles = sorted(r["path"] for r in emu.requests()
                         if r["method"] == "DELETE")
        for enc in ("a%20b", "x%2Fy", "100%25", "%2E%2E", "q%3Fr"):
            self.assertIn("/scim/v2/Users/" + enc, singles)
        self.assertIn("Verified: 13 outcomes", p.stdout)

    def test_cursor_paging(self):
        emu, roles = self.setup_tenant(
            emu_flags={"scim_cursor": True, "max_page": 7})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual(t["counts"]["live"], 22)
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        pages = [r["query"] for r in emu.requests()
                 if r["path"] == "/scim/v2/Users"]
        # an empty cursor first, then each nextCursor once; no startIndex
        self.assertEqual(len(pages), 4)
        self.assertEqual(pages[0], "cursor=&count=7")
        self.assertEqual(len(set(pages)), 4)
        for q in pages[1:]:
            self.assertRegex(q, r"^cursor=s[0-9]+&count=7$")
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertIn("Verified: 12 outcomes", p.stdout)
        self.assertEqual(remaining(emu), sorted(
            roles["caller"] + roles["kept"] + roles["protected"] +
            roles["apps"]))
        self.assertFalse([r for r in emu.requests()
                          if "startIndex" in (r["query"] or "")])


class CursorCycleTest(up.TestCase):
    """A nextCursor seen before is a cycle: the listing is refused."""

    def test_a_cursor_seen_twice_is_refused(self):
        def scim(req):
            if req.path.endswith("/ServiceProviderConfig"):
                return 200, "application/scim+json", {
                    "pagination": {"cursor": True, "index": True}}
            if req.path.endswith("/Users") and req.method == "GET":
                c = req.query.get("cursor", "")
                nxt = {"": "p2", "p2": "p3", "p3": "p2"}[c]
                return 200, "application/scim+json", {
                    "nextCursor": nxt, "Resources": [
                        {"id": "u-" + (c or "p1") + "-%d" % i}
                        for i in range(3)]}
            return 501, "application/scim+json", {"status": "501"}
        s = Server(scim)
        self.addCleanup(s.close)
        self.write_config({
            "name": "t1", "vendor": "scim", "url": s.url + "/scim/v2",
            "auth": up.AUTH["scim"], "keep": ["u-p1-0"],
            "policy": {"max_deletions": 1000, "max_delete_percent": 100},
            "limits": {"max_attempts": 1}})
        p = self.up("plan", "-o", "plan.json", timeout=60)
        self.assertRan(p, 3)
        self.assertIn("came back a second time", p.stdout + p.stderr)
        self.assertEqual(self.read_plan()["tenants"][0]["delete"], [])
        self.assertEqual([r.query.get("cursor") for r in s.seen("GET")
                          if r.path.endswith("/Users")], ["", "p2", "p3"])


class IgnoredStartIndexTest(up.TestCase):
    """A server that ignores startIndex altogether (and echoes 0) answers
    page one to every request: the listing's own rules refuse it."""

    def test_a_server_ignoring_startindex_is_refused(self):
        users = [{"id": "u%03d" % i, "userName": "u%03d" % i,
                  "emails": [{"value": "u%03d@x.example" % i}]}
                 for i in range(250)]

        def scim(req):
            if req.path.endswith("/Users") and req.method == "GET":
                return 200, "application/scim+json", {
                    "totalResults": 250, "startIndex": 0,
                    "itemsPerPage": 0, "Resources": users[:100]}
            if req.path.endswith("/ServiceProviderConfig"):
                return 404, "application/scim+json", {"status": "404"}
            return 501, "application/scim+json", {"status": "501"}
        s = Server(scim)
        self.addCleanup(s.close)
        self.write_config({
            "name": "t1", "vendor": "scim", "url": s.url + "/scim/v2",
            "auth": up.AUTH["scim"], "keep": ["u000"],
            "policy": {"max_deletions": 1000, "max_delete_percent": 100},
            "limits": {"max_attempts": 1}})
        p = self.up("plan", "-o", "plan.json", timeout=60)
        self.assertRan(p, 3)  # part-way: the listing guard
        self.assertIn("holds only users already listed",
                      p.stdout + p.stderr)
        self.assertEqual(self.read_plan()["tenants"][0]["delete"], [])
        p = self.up("apply", "--yes", timeout=60)
        self.assertRan(p, 3)
        self.assertEqual([r for r in s.requests if r.method != "GET"], [])
        self.assertLess(len(s.requests), 30)


if __name__ == "__main__":
    import unittest
    unittest.main()
