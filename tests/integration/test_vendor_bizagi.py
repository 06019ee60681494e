"""Bizagi against the emulator: client-credential token, SCIM listing,
deactivation, and the MassUserDeletion step with its production refusals."""

import base64
import json

import up
from scripted import Server
from up import writes

VENDOR = "bizagi"
KEEP = ["KEEPER0@ACME.EXAMPLE", {"email": "keeper[1-9]@acme.example"}]
# a client-credentials token belongs to no user: the admin is protected
PROTECT = [{"email": "*-admin@acme.example"}, {"username": "admin"}]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}
FAST = {"requests_per_second": 200}
# MassUserDeletion takes kept and protected users with it: a tenant that
# uses it manages the test users through its scope, with empty lists
MASS = dict(scope={"include": [{"email": "test*@acme.example"}]}, keep=[],
            protect=[], policy=dict(POLICY, allow_empty_keep=True))
MASS_PATH = "/Rest/Users/MassUserDeletion"
SCIM_USERS = "/scim/v2/Users"


def scim_deletes(log):
    return [r for r in log if r["method"] == "DELETE"
            and r["path"].startswith(SCIM_USERS + "/")]


class BizagiTest(up.TestCase):

    def setup_tenant(self, emu_flags=None, pop=None, options=None,
                     **tenant):
        pop, roles = pop or up.population(VENDOR)
        # deactivated users are done: the two inactive ones are not planned
        roles["planned"] = roles["delete"][2:]
        flags = {"max_page": 7}
        flags.update(emu_flags or {})
        emu = self.emulator(VENDOR, population=pop, **flags)
        tenant.setdefault("keep", KEEP)
        tenant.setdefault("protect", PROTECT)
        tenant.setdefault("policy", POLICY)
        tenant.setdefault("limits", FAST)
        tenant["options"] = options or {"environment": "test"}
        self.write_config(self.tenant(VENDOR, emu, **tenant))
        return emu, roles

    def status(self, emu):
        return {u["id"]: u["status"] for u in emu.users()["users"]}

    def test_plan_sends_no_writes(self):
        emu, roles = self.setup_tenant(
            options={"environment": "test", "mass_user_deletion": True},
            **MASS)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        self.assertEqual(writes(emu.requests()), [])
        self.assertEqual(emu.deletes(), {})
        t = self.read_plan()["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], roles["planned"])
        self.assertEqual(t["counts"]["live"], 30)
        self.assertEqual(t["counts"]["pending"], 2)
        self.assertTrue(t["mass_user_deletion"])
        self.assertIn("MassUserDeletion: Bizagi deletes EVERY user", p.stdout)
        self.assertIn("the credentials belong to an application", p.stdout)

    def test_requests_as_documented(self):
        emu, roles = self.setup_tenant()
        self.assertRan(self.up("apply", "--yes"), 0)
        log = emu.requests()
        tokens = [r for r in log if r["path"] == "/oauth2/server/token"]
        # one token for the plan, one for the apply
        self.assertEqual(len(tokens), 2)
        for r in tokens:
            self.assertEqual(r["method"], "POST")
            self.assertEqual(r["headers"]["authorization"], "Basic ****")
            self.assertEqual(r["headers"]["content-type"],
                             "application/x-www-form-urlencoded")
            self.assertEqual(r["body"],
                             "grant_type=client_credentials&scope=api")
            self.assertEqual(r["auth"], "ok")
        others = [r for r in log if r not in tokens]
        for r in others:
            self.assertEqual(r["headers"]["authorization"], "Bearer ****")
            self.assertEqual(r["auth"], "ok")
        lists = [r for r in others if r["method"] == "GET"]
        for r in lists:
            self.assertEqual(r["path"], SCIM_USERS)
        # 30 users, pages of 7 (the server's cap) from startIndex 1
        first = [r["query"] for r in lists[:6]]
        self.assertEqual(first[0], "startIndex=1&count=500")
        starts = sorted({int(q.split("&")[0].split("=")[1])
                         for q in (r["query"] for r in lists)})
        self.assertEqual(starts, [1, 8, 15, 22, 29])
        dels = scim_deletes(log)
        self.assertEqual(sorted(r["path"] for r in dels),
                         sorted(SCIM_USERS + "/" + i
                                for i in roles["planned"]))
        for r in dels:
            self.assertEqual(r["query"], "")
            self.assertIsNone(r["body"])
        self.assertEqual(len(dels) + len(lists) + len(tokens), len(log))

    def test_deletion_deactivates_and_the_next_plan_is_empty(self):
        emu, roles = self.setup_tenant()
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deactivated" for i in roles["planned"]})
        self.assertIn("18 deactivated", p.stdout)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["planned"]})
        # every user is still there; exactly the planned ones changed
        st = self.status(emu)
        self.assertEqual(len(st), 30)
        for uid in roles["delete"]:
            self.assertEqual(st[uid], "inactive")
        for uid in (roles["caller"] + roles["kept"] + roles["protected"] +
                    roles["apps"]):
            self.assertEqual(st[uid], "active", uid)
        self.assertNotIn(MASS_PATH, [r["path"] for r in emu.requests()])
        # deactivated users count as done
        p = self.up("plan", "--detailed-exitcode", "-o", "again.json")
        self.assertRan(p, 0)
        t = self.read_plan("again.json")["tenants"][0]
        self.assertEqual(t["delete"], [])
        self.assertEqual(t["counts"]["pending"], 20)

    def test_mass_user_deletion_runs_after_the_deactivations(self):
        pop, roles = up.population(VENDOR)
        # users with references (cases, logs) survive MassUserDeletion
        survivors = set(roles["kept"] + roles["protected"])
        for u in pop["users"]:
            if u["id"] in survivors:
                u["referenced"] = True
        emu, roles = self.setup_tenant(
            pop=(pop, roles),
            options={"environment": "test", "mass_user_deletion": True},
            **MASS)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        log = emu.requests()
        mass = [r for r in log if r["path"] == MASS_PATH]
        self.assertEqual(len(mass), 1)
        self.assertEqual(mass[0]["method"], "DELETE")
        self.assertEqual(mass[0]["headers"]["authorization"], "Bearer ****")
        # the last write, after every deactivation (then only the
        # listing that verifies the outcomes)
        self.assertIs(writes(log)[-1], mass[0])
        self.assertEqual(len(scim_deletes(log)), 18)
        # the 18 deactivated, 2 inactive and 2 apps had no references;
        # the step is recorded before it is sent, and then its answer
        steps = [l for l in self.journal("j.jsonl") if l["type"] == "step"]
        self.assertEqual([s["outcome"] for s in steps], ["started", "done"])
        self.assertEqual(steps[1]["step"], "mass_user_deletion")
        self.assertEqual(steps[1]["http_status"], 200)
        self.assertEqual(steps[1]["detail"],
                         "Operation successful. Total users deleted: 22")
        self.assertIn("Total users deleted: 22", p.stderr)
        self.assertEqual(sorted(self.status(emu)),
                         sorted(roles["caller"] + list(survivors)))

    def test_production_emulator_refuses_mass_deletion(self):
        # the file says test, the project is production
        emu, roles = self.setup_tenant(
            emu_flags={"environment": "production"},
            options={"environment": "test", "mass_user_deletion": True},
            **MASS)
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertIn("the environment is Production", p.stderr)
        self.assertIn("nothing more is sent for this tenant", p.stderr)
        self.assertIn("1 failed", p.stdout)
        log = emu.requests()
        mass = [r for r in log if r["path"] == MASS_PATH]
        # sent once, never retried, and no write after it
        self.assertEqual(len(mass), 1)
        self.assertEqual(mass[0]["status"], 403)
        self.assertIs(writes(log)[-1], mass[0])
        steps = [l for l in self.journal("j.jsonl") if l["type"] == "step"]
        self.assertEqual(steps[-1]["outcome"], "failed")
        self.assertEqual(steps[-1]["http_status"], 403)
        self.assertIn("Production", steps[-1]["detail"])
        # the deactivations before it stand; nobody was deleted
        self.assertEqual(len(self.status(emu)), 30)

    def test_production_with_mass_deletion_is_refused_at_plan_time(self):
        emu, roles = self.setup_tenant(
            options={"environment": "production",
                     "mass_user_deletion": True})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 3)
        self.assertIn("REFUSED mass_user_deletion", p.stdout)
        self.assertIn("options.environment is production", p.stdout)
        self.assertTrue(self.read_plan()["tenants"][0]["refused"])
        p = self.up("apply", "--yes")
        self.assertRan(p, 3)
        p = self.up("apply", "plan.json")
        self.assertRan(p, 3)
        self.assertEqual(writes(emu.requests()), [])
        self.assertEqual(emu.deletes(), {})

    def test_resuming_a_resumed_run_never_repeats_mass_deletion(self):
        emu, roles = self.setup_tenant(
            options={"environment": "test", "mass_user_deletion": True},
            **MASS)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        self.assertRan(self.up("apply", "plan.json", "--journal", "j1.jsonl"),
                       0)
        # a resume into a second journal, then a resume of that one
        self.assertRan(self.up("apply", "--resume", "j1.jsonl", "plan.json",
                               "--journal", "j2.jsonl"), 0)
        emu.add_user(up.user("newcomer", "test99@acme.example", "t99"))
        p = self.up("apply", "--resume", "j2.jsonl", "plan.json")
        self.assertRan(p, 0)
        mass = [r for r in emu.requests() if r["path"] == MASS_PATH]
        self.assertEqual(len(mass), 1)
        self.assertIn("newcomer", self.status(emu))
        # the second resume went on in j2, which names j1
        headers = [l for l in self.journal("j2.jsonl")
                   if l["type"] == "header"]
        self.assertEqual(len(headers), 2)
        # by its name: the two are in one directory
        self.assertEqual(headers[0]["resumed_from"], "j1.jsonl")
        self.assertIsNone(headers[1]["resumed_from"])  # in place

    def test_mass_deletion_with_keep_or_protect_lists_is_refused(self):
        for lists in ({"keep": KEEP, "protect": []},
                      {"keep": [], "protect": PROTECT}):
            with self.subTest(lists=lists):
                self.tearDown()
                self.setUp()
                tenant = dict(MASS, **lists)
                emu, roles = self.setup_tenant(
                    options={"environment": "test",
                             "mass_user_deletion": True}, **tenant)
                p = self.up("plan")
                self.assertRan(p, 3)
                self.assertIn("kept and protected ones too", p.stdout)
                p = self.up("apply", "--yes")
                self.assertRan(p, 3)
                self.assertEqual(writes(emu.requests()), [])

    def test_403_on_the_canary_stops_the_tenant(self):
        pop, roles = up.population(VENDOR)
        first = roles["delete"][2]
        for u in pop["users"]:
            if u["id"] == first:
                u["fail_delete"] = 403
        emu, roles = self.setup_tenant(
            pop=(pop, roles),
            options={"environment": "test", "mass_user_deletion": True},
            **MASS)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        before = len(emu.requests())
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertIn("canary", p.stderr)
        self.assertIn("the environment is Production", p.stderr)
        log = emu.requests()[before:]
        self.assertEqual([r["path"] for r in scim_deletes(log)],
                         [SCIM_USERS + "/" + first])
        self.assertNotIn(MASS_PATH, [r["path"] for r in log])
        self.assertIs(log[-1], scim_deletes(log)[0])
        self.assertEqual(self.outcomes("j.jsonl"), {first: "failed"})
        self.assertIn("17 not attempted", p.stdout)
        self.assertEqual(emu.deletes(), {})

    def test_403_after_the_canary_stops_the_tenant(self):
        # past the canary, a production refusal still stops everything:
        # only the requests already in flight are answered
        pop, roles = up.population(VENDOR)
        planned = roles["delete"][2:]
        for u in pop["users"]:
            if u["id"] in planned[3:]:
                u["fail_delete"] = 403
        emu, roles = self.setup_tenant(
            pop=(pop, roles), limits={"concurrency": 2,
                                      "requests_per_second": 0},
            options={"environment": "test", "mass_user_deletion": True},
            **MASS)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        before = len(emu.requests())
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertIn("the environment is Production", p.stderr)
        self.assertIn("no more requests for this tenant", p.stderr)
        log = emu.requests()[before:]
        sent = [r["path"].rsplit("/", 1)[1] for r in scim_deletes(log)]
        # three went through; of the refused ones, at most the two in
        # flight were sent
        self.assertLessEqual(set(planned[:3]), set(sent))
        self.assertLessEqual(len(sent), 5)
        self.assertNotIn(MASS_PATH, [r["path"] for r in log])
        out = self.outcomes("j.jsonl")
        self.assertEqual([out[i] for i in planned[:3]], ["deactivated"] * 3)
        self.assertEqual(set(out) - set(sent), set())

    def test_404_is_absent_and_400_blocked(self):
        pop, roles = up.population(VENDOR, deletable=6)
        gone, stuck = roles["delete"][3], roles["delete"][4]
        for u in pop["users"]:
            if u["id"] == gone:
                u["vanishing"] = True
            if u["id"] == stuck:
                u["undeletable"] = True
        emu, roles = self.setup_tenant(pop=(pop, roles))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        out = self.outcomes("j.jsonl")
        self.assertEqual(out, {roles["delete"][2]: "deactivated",
                               gone: "absent", stuck: "blocked",
                               roles["delete"][5]: "deactivated"})

    def test_scope_from_the_file(self):
        emu, roles = self.setup_tenant(
            auth=dict(up.AUTH[VENDOR], scope="api offline"))
        self.assertRan(self.up("plan"), 0)
        tok = emu.requests()[0]
        self.assertEqual(tok["body"],
                         "grant_type=client_credentials&scope=api%20offline")

    def test_wrong_secret_is_an_error(self):
        emu, roles = self.setup_tenant(emu_flags={"client_secret": "x"})
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn("authentication failed: POST /oauth2/server/token: "
                      "HTTP 401", p.stderr)
        self.assertNotIn(up.SECRET, p.stderr + p.stdout)
        self.assertEqual(len(emu.requests()), 1)

    def test_a_refused_token_names_the_scope_it_needs(self):
        emu, roles = self.setup_tenant(emu_flags={"client_secret": "x"})
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn("check auth.client_id and auth.client_secret; the "
                      "OAuth application needs the allowed scope "
                      "\"API and USER SYNC\"", p.stderr)

    def test_a_static_bearer_token(self):
        # the "Bearer token" grant with lifetime 0: no token request
        emu, roles = self.setup_tenant(
            emu_flags={"token": up.SECRET},
            auth={"type": "bearer", "token": "${env:UP_SECRET}"})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deactivated" for i in roles["planned"]})
        log = emu.requests()
        self.assertNotIn("/oauth2/server/token", [r["path"] for r in log])
        for r in log:
            self.assertEqual(r["headers"]["authorization"], "Bearer ****")
            self.assertEqual(r["auth"], "ok")
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["planned"]})

    def test_patch_active_is_served_and_logged(self):
        emu, roles = self.setup_tenant(emu_flags={"token": up.SECRET})
        uid = roles["delete"][3]
        h = {"Authorization": "Bearer " + up.SECRET,
             "Content-Type": "application/scim+json"}
        body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "active",
                                "value": False}]}
        r = emu.request("PATCH", SCIM_USERS + "/" + uid, headers=h,
                        json_body=body)
        self.assertEqual(r.status, 200)
        self.assertFalse(r.json()["active"])
        self.assertEqual(self.status(emu)[uid], "inactive")
        body["Operations"][0]["value"] = True
        r = emu.request("PATCH", SCIM_USERS + "/" + uid, headers=h,
                        json_body=body)
        self.assertTrue(r.json()["active"])
        self.assertEqual(self.status(emu)[uid], "active")
        patches = [r for r in emu.requests() if r["method"] == "PATCH"]
        self.assertEqual([(r["path"], r["status"]) for r in patches],
                         [(SCIM_USERS + "/" + uid, 200)] * 2)
        self.assertEqual(json.loads(patches[1]["body"])["Operations"][0]
                         ["value"], True)

    def test_404_on_users_says_where_scim_is(self):
        def bizagi(req):
            if req.path == "/oauth2/server/token":
                return 200, "application/json", {"access_token": "t",
                                                  "expires_in": 3600}
            return 404, "text/html", "<html><body>Not Found</body></html>"
        s = Server(bizagi)
        self.addCleanup(s.close)
        self.write_config({
            "name": "t1", "vendor": VENDOR, "url": s.url,
            "auth": up.AUTH[VENDOR], "keep": KEEP,
            "options": {"environment": "test"}})
        p = self.up("plan")
        self.assertRan(p, 1)  # no page at all: an error, not a partial one
        self.assertIn("HTTP 404", p.stderr)
        self.assertIn("SCIM is available only on Bizagi Automation Service "
                      "(cloud) or Automation Server with an SQL database",
                      p.stderr)

    def test_secrets_never_printed(self):
        emu, roles = self.setup_tenant()
        basic = base64.b64encode(f"{up.USER}:{up.SECRET}".encode()).decode()
        outputs = []
        for args in (["plan", "-vv", "-o", "plan.json"],
                     ["apply", "plan.json", "-v", "--journal", "j.jsonl"]):
            p = self.up(*args)
            self.assertRan(p, 0)
            outputs += [p.stdout, p.stderr]
        self.assertTrue(any("GET http" in o for o in outputs))
        for f in ("plan.json", "j.jsonl"):
            outputs.append(open(self.path(f)).read())
        for text in outputs:
            self.assertNotIn(up.SECRET, text)
            self.assertNotIn(basic, text)
