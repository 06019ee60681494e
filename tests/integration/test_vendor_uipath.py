"""UiPath Automation Cloud (Identity API) against the emulator: the token
exchange, paged listing with numeric user types, bulk and single deletes."""

import json
import re

import up
from up import writes, remaining

PARTITION = "9b3c1f2a-6d4e-4f8a-b1c2-3d4e5f6a7b8c"  # the emulator's default
BASE = "/acme/identity_"
KEEP = ["keeper0@acme.example", {"email": "keeper[1-9]@acme.example"}]
# no caller endpoint: the administrator is protected by the file
PROTECT = [{"email": "*-admin@acme.example"}, {"username": "admin"}]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}
FAST = {"requests_per_second": 100}
TOKEN_FORM = ("grant_type=client_credentials&client_id=admin%40example.test&"
              "client_secret=****&"
              "scope=PM.User%20PM.User.Read%20PM.User.Write")


def uipath_population(deletable=20):
    """up.population plus the account kinds only UiPath has: a directory
    user (type 2, a person: deletable), a robot (1), a robot account (4),
    a type this version does not know (9), a directory group (3: never a
    user) and a pending invitation (a person, deletable)."""
    pop, roles = up.population("uipath", deletable=deletable)
    extra = [
        up.user("dir-0001", "dir1@acme.example", "dir1", vendor_type=2),
        up.user("robot-0001", None, "robot1", type="robot"),
        up.user("racct-0001", None, "racct1", vendor_type=4),
        up.user("odd-0001", "odd@acme.example", "odd1", vendor_type=9),
        up.user("group-0001", "group@acme.example", "group1", vendor_type=3),
        up.user("invited-0001", "new@acme.example", "new1",
                raw={"invitationAccepted": False}),
    ]
    pop["users"] += extra
    roles["delete"] += ["dir-0001", "invited-0001"]
    roles["robots"] = ["robot-0001", "racct-0001"]
    roles["unknown"] = ["odd-0001"]
    roles["groups"] = ["group-0001"]
    return pop, roles


class UiPathTest(up.TestCase):

    def setup_tenant(self, pop=None, roles=None, emu_flags=None, **tenant):
        if pop is None:
            pop, roles = uipath_population()
        emu = self.emulator("uipath", population=pop, **(emu_flags or {}))
        tenant.setdefault("keep", KEEP)
        tenant.setdefault("protect", PROTECT)
        tenant.setdefault("policy", POLICY)
        tenant.setdefault("limits", FAST)
        tenant.setdefault("options", {"partition_global_id": PARTITION})
        self.write_config(self.tenant("uipath", emu, **tenant))
        return emu, roles

    def dels(self, emu):
        return [r for r in emu.requests() if r["method"] == "DELETE"]

    def test_plan_reads_several_pages_and_sends_no_writes(self):
        emu, roles = self.setup_tenant(emu_flags={"max_page": 7})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        self.assertEqual(writes(emu.requests()), [])
        self.assertEqual(emu.deletes(), {})
        t = self.read_plan()["tenants"][0]
        # the directory user is a person; robots, robot accounts, apps and
        # unknown types are out of the default scope
        self.assertEqual(sorted(u["id"] for u in t["delete"]),
                         sorted(roles["delete"]))
        # the directory group is no user: not even listed
        self.assertEqual(t["counts"]["live"], 35)
        reasons = {u["id"]: u["reason"] for u in t["delete"]}
        self.assertIn("pending invitation", reasons["invited-0001"])
        self.assertNotIn("invitation", reasons["dir-0001"])
        self.assertEqual(t["counts"]["in_scope"], 30)
        self.assertEqual(t["counts"]["untouched"], 5)
        # no caller endpoint: the plan says so
        self.assertIsNone(t["caller"])
        # protect matched the admins: no note asking for them
        self.assertNotIn("the credentials belong to an application", p.stdout)
        pages = [r for r in emu.requests() if r["method"] == "GET"]
        self.assertGreaterEqual(len(pages), 5)
        skips = sorted(int(re.search(r"skip=(\d+)", r["query"]).group(1))
                       for r in pages)
        self.assertEqual(skips[:5], [0, 7, 14, 21, 28])

    def test_requests_as_documented(self):
        emu, roles = self.setup_tenant(
            limits=dict(FAST, batch_size=3), emu_flags={"max_page": 10})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        log = emu.requests()
        # one token exchange for planning, one for applying
        tokens = [r for r in log if r["path"] == BASE + "/connect/token"]
        self.assertEqual(len(tokens), 2)
        tok = tokens[0]
        self.assertEqual(tok["method"], "POST")
        self.assertEqual(tok["headers"]["content-type"],
                         "application/x-www-form-urlencoded")
        self.assertEqual(tok["body"], TOKEN_FORM)
        self.assertNotIn("authorization", tok["headers"])
        self.assertEqual(tok["auth"], "ok")
        self.assertEqual(log[0], tok)
        for r in log:
            if r in tokens:
                self.assertEqual(r["body"], TOKEN_FORM)
                continue
            self.assertEqual(r["headers"]["authorization"], "Bearer ****")
            self.assertEqual(r["auth"], "ok")
        gets = [r for r in log if r["method"] == "GET"]
        for r in gets:
            self.assertEqual(r["path"], BASE + "/api/User/users/" + PARTITION)
            self.assertRegex(r["query"],
                         r"^top=\d+&skip=\d+&sortBy=Id&sortOrder=asc$")
        self.assertEqual(gets[0]["query"],
                         "top=1000&skip=0&sortBy=Id&sortOrder=asc")
        self.assertEqual(writes(log), self.dels(emu))
        dels = self.dels(emu)
        # the canary alone on the single-user endpoint, without a body
        self.assertEqual(dels[0]["path"], BASE + "/api/User/" +
                         roles["delete"][0])
        self.assertIsNone(dels[0]["body"])
        # then bulks of at most batch_size
        bulks = dels[1:]
        ids = []
        for r in bulks:
            self.assertEqual(r["path"], BASE + "/api/User")
            self.assertEqual(r["query"], "")
            self.assertEqual(r["headers"]["content-type"], "application/json")
            body = json.loads(r["body"])
            self.assertEqual(set(body), {"partitionGlobalId", "userIds"})
            self.assertEqual(body["partitionGlobalId"], PARTITION)
            self.assertLessEqual(len(body["userIds"]), 3)
            ids += body["userIds"]
        self.assertEqual(len(bulks), 7)  # 20 users: 6 x 3 + 2
        self.assertEqual(sorted(ids), sorted(roles["delete"][1:]))
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})

    def test_apply_leaves_exactly_kept_protected_out_of_scope_and_caller(self):
        emu, roles = self.setup_tenant(emu_flags={"max_page": 7})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(remaining(emu), sorted(
            roles["caller"] + roles["kept"] + roles["protected"] +
            roles["apps"] + roles["robots"] + roles["unknown"] +
            roles["groups"]))
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertIn("22 deleted", p.stdout)

    def test_scope_naming_robots_manages_them(self):
        emu, roles = self.setup_tenant(
            scope={"include": [{"type": "human"}, {"type": "robot"}]})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        planned = {u["id"] for u in self.read_plan()["tenants"][0]["delete"]}
        self.assertEqual(planned, set(roles["delete"] + roles["robots"]))

    def check_bulks(self, canary, sizes):
        pop, roles = up.population("uipath", deletable=250, inactive=0)
        emu, roles = self.setup_tenant(
            pop, roles, emu_flags={"max_page": 100},
            policy=dict(POLICY, canary=canary),
            limits=dict(FAST, batch_size=100))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        dels = self.dels(emu)
        singles = [r for r in dels if r["path"] != BASE + "/api/User"]
        bulks = [r for r in dels if r["path"] == BASE + "/api/User"]
        self.assertEqual(len(singles), canary)
        ids = [json.loads(b["body"])["userIds"] for b in bulks]
        self.assertEqual(sorted(len(i) for i in ids), sorted(sizes))
        flat = [i for b in ids for i in b]
        self.assertEqual(len(flat), len(set(flat)))
        for s in singles:
            # the canary went out alone, before any bulk
            self.assertLess(s["seq"], min(b["seq"] for b in bulks))
            flat.append(s["path"].rsplit("/", 1)[1])
        self.assertEqual(sorted(flat), sorted(roles["delete"]))
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(len(self.outcomes("j.jsonl")), 250)

    def test_250_deletions_without_canary_are_three_bulks(self):
        self.check_bulks(canary=0, sizes=[100, 100, 50])

    def test_250_deletions_canary_then_bulks(self):
        self.check_bulks(canary=1, sizes=[100, 100, 49])

    def test_token_url_answering_a_web_page_fails_clearly(self):
        emu, roles = self.setup_tenant(emu_flags={"html_rate": 1.0})
        msg = ("authentication failed: POST /acme/identity_/connect/token: "
               "the token URL answered a web page, not a token (HTTP 200, "
               "text/html): check options.identity_path and the "
               "organization in url")
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn(msg, p.stderr)
        p = self.up("apply", "--yes")
        self.assertRan(p, 1)
        self.assertIn(msg, p.stdout)
        self.assertIn("nothing deleted", p.stderr)
        log = emu.requests()
        self.assertEqual(self.dels(emu), [])
        # nothing but the token request was sent, once per command
        self.assertEqual([r["path"] for r in log],
                         [BASE + "/connect/token"] * 2)
        self.assertEqual(len(remaining(emu)), 36)

    def test_wrong_identity_path_fails_before_any_listing(self):
        emu, roles = self.setup_tenant(
            options={"partition_global_id": PARTITION,
                     "identity_path": "identity"})
        p = self.up("apply", "--yes")
        self.assertRan(p, 1)
        self.assertIn("authentication failed: POST /acme/identity/connect/"
                      "token: HTTP 404", p.stdout + p.stderr)
        self.assertEqual([r["path"] for r in emu.requests()],
                         ["/acme/identity/connect/token"])

    def test_refused_client_credentials(self):
        emu, roles = self.setup_tenant()
        p = self.up("plan", env={"UP_SECRET": "wrong-secret"})
        self.assertRan(p, 1)
        self.assertIn("invalid_client: the client credentials were refused "
                      "(check auth.client_id and auth.client_secret)",
                      p.stdout)
        self.assertNotIn("wrong-secret", p.stderr + p.stdout)
        self.assertEqual(writes(emu.requests()), [])

    def test_token_refused_mid_run_is_renewed(self):
        # every token is good for 3 requests: the run renews it on 401
        emu, roles = self.setup_tenant(
            emu_flags={"max_page": 5, "token_max_uses": 3},
            limits=dict(FAST, batch_size=4, concurrency=1))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        log = emu.requests()
        self.assertGreater(len([r for r in log if r["status"] == 401]), 0)
        self.assertGreater(len([r for r in log
                                if r["path"].endswith("/connect/token")]), 2)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})

    def test_short_lived_token_is_renewed_before_it_ends(self):
        # a 20-second token is used, and renewed at most once a run this
        # short: not before every request
        emu, roles = self.setup_tenant(emu_flags={"max_page": 5,
                                                  "token_ttl": 20})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        tokens = [r for r in emu.requests()
                  if r["path"].endswith("/connect/token")]
        self.assertLessEqual(len(tokens), 2)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})

    def test_refused_bulk_fails_every_user_of_the_batch(self):
        pop, roles = uipath_population(deletable=10)
        locked = roles["delete"][7]
        for u in pop["users"]:
            if u["id"] == locked:
                u["undeletable"] = True
        emu, roles = self.setup_tenant(
            pop, roles, policy=dict(POLICY, canary=0),
            limits=dict(FAST, batch_size=5, concurrency=1))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        out = self.outcomes("j.jsonl")
        order = roles["delete"]
        # planned order: the locked user's batch of five failed as a whole
        failed = sorted(i for i, o in out.items() if o == "failed")
        self.assertEqual(len(failed), 5)
        self.assertIn(locked, failed)
        self.assertEqual(sorted(i for i, o in out.items() if o == "deleted"),
                         sorted(set(order) - set(failed)))
        for i in failed:
            self.assertIn(i, remaining(emu))
        line = [l for l in self.journal("j.jsonl") if l.get("id") == locked][0]
        self.assertEqual(line["http_status"], 400)
        self.assertIn("bulk delete of 5 users failed: HTTP 400", line["detail"])
        self.assertIn("cannot be deleted", line["detail"])
