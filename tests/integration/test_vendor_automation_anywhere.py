"""Automation Anywhere Control Room against the emulator: authentication
and token renewal, POSTed list pages, single deletes, the caller."""

import json

import up
from up import writes, remaining

VENDOR = "automation-anywhere"
CALLER = "7"
KEEP = [{"email": "keeper*@acme.example"}]
PROTECT = [{"email": "*-admin@acme.example"}]
# Control Room users carry no type: bots are scoped out by name
SCOPE = {"exclude": [{"username": "bot-*"}]}
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}
FAST = {"requests_per_second": 200}


def population(deletable=20, kept=4, protected=2, bots=2, pending=3,
               disabled=2):
    """Integer ids, as Control Room has them; returns (population, roles)."""
    users = [up.user(CALLER, "cr-admin@corp.example", "cradmin",
                     "Control Admin")]
    roles = {"caller": [CALLER], "kept": [], "protected": [], "bots": [],
             "pending": [], "delete": []}
    uid = 100

    def add(role, email, username, **kw):
        nonlocal uid
        uid += 1
        users.append(up.user(str(uid), email, username, **kw))
        roles[role].append(str(uid))

    for i in range(kept):
        add("kept", f"keeper{i}@acme.example", f"keeper{i}")
    for i in range(protected):
        add("protected", f"boss{i}-admin@acme.example", f"boss{i}")
    for i in range(bots):
        add("bots", None, f"bot-runner-{i}")
    for i in range(pending):
        # being deleted: listed with "deleted": true
        add("pending", f"leaving{i}@acme.example", f"leaving{i}",
            status="pending_deletion")
    for i in range(deletable):
        add("delete", f"test{i}@acme.example", f"test{i}",
            status="inactive" if i < disabled else "active")
    return {"caller": CALLER, "users": users}, roles


def pages(log):
    return [r for r in log
            if r["path"].endswith("/usermanagement/users/list")]


class ControlRoomTest(up.TestCase):

    def setup_tenant(self, emu_flags=None, pop=None, **tenant):
        pop, roles = pop or population()
        flags = {"username": up.USER, "max_page": 7}
        flags.update(emu_flags or {})
        emu = self.emulator(VENDOR, population=pop, **flags)
        tenant.setdefault("keep", KEEP)
        tenant.setdefault("protect", PROTECT)
        tenant.setdefault("scope", SCOPE)
        tenant.setdefault("policy", POLICY)
        tenant.setdefault("limits", FAST)
        self.write_config(self.tenant(VENDOR, emu, **tenant))
        return emu, roles

    def test_plan_reads_every_page_and_sends_no_writes(self):
        emu, roles = self.setup_tenant()
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        log = emu.requests()
        self.assertEqual(writes(log), [])
        self.assertEqual(emu.deletes(), {})
        t = self.read_plan()["tenants"][0]
        self.assertEqual(t["caller"], CALLER)
        self.assertEqual(sorted(u["id"] for u in t["delete"]),
                         sorted(roles["delete"]))
        self.assertEqual(t["counts"]["live"], 32)
        self.assertEqual(t["counts"]["pending"], 3)
        self.assertEqual(t["counts"]["untouched"], 2)
        # 32 users in pages of at most 7: offsets 0, 7, ..., 28
        offsets = sorted(json.loads(r["body"])["page"]["offset"]
                         for r in pages(log))
        # every page, to the first empty one (32: the 32 listed users end
        # there); pages asked for ahead of it came back empty too
        self.assertEqual(offsets[:6], [0, 7, 14, 21, 28, 32])
        self.assertLessEqual(len(offsets), 6 + 3)
        # disabled users are shown as inactive, and are planned
        by_id = {u["id"]: u for u in t["delete"]}
        first = by_id[roles["delete"][0]]
        self.assertEqual(first["status"], "inactive")
        self.assertEqual((first["email"], first["username"]),
                         ("test0@acme.example", "test0"))
        self.assertEqual(by_id[roles["delete"][5]]["status"], "active")

    def test_requests_as_documented(self):
        emu, roles = self.setup_tenant(emu_flags={"max_page": 10})
        self.assertRan(self.up("apply", "--yes"), 0)
        log = emu.requests()
        auth = log[0]
        self.assertEqual((auth["method"], auth["path"], auth["query"]),
                         ("POST", "/v2/authentication", ""))
        self.assertEqual(json.loads(auth["body"]),
                         {"username": up.USER, "password": "****"})
        self.assertIn("application/json", auth["headers"]["content-type"])
        self.assertNotIn("x-authorization", auth["headers"])
        for r in log:
            self.assertNotIn("authorization", r["headers"])
            self.assertEqual(r["auth"], "ok")
            if r["path"] == "/v2/authentication":
                self.assertNotIn("x-authorization", r["headers"])
            else:
                self.assertEqual(r["headers"].get("x-authorization"),
                                 "****", r)
        lists = pages(log)
        self.assertTrue(lists)
        for r in lists:
            self.assertEqual((r["method"], r["path"], r["query"]),
                             ("POST", "/v2/usermanagement/users/list", ""))
            body = json.loads(r["body"])
            self.assertEqual(body["sort"], [{"field": "id",
                                             "direction": "asc"}])
            self.assertEqual(body["filter"], {})
            self.assertEqual(set(body["page"]), {"offset", "length"})
        dels = [r for r in log if r["method"] == "DELETE"]
        self.assertEqual(sorted(r["path"] for r in dels),
                         sorted("/v2/usermanagement/users/" + i
                                for i in roles["delete"]))
        for r in dels:
            self.assertEqual(r["query"], "")
            self.assertIsNone(r["body"])
        # one authentication for the plan, one for the apply
        self.assertEqual([r["path"] for r in log
                          if "authentication" in r["path"]],
                         ["/v2/authentication"] * 2)

    def test_apply_leaves_exactly_kept_protected_out_of_scope_and_caller(self):
        emu, roles = self.setup_tenant()
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertEqual(remaining(emu), sorted(
            roles["caller"] + roles["kept"] + roles["protected"] +
            roles["bots"]))
        self.assertIn("20 deleted", p.stdout)
        # users being deleted were never asked for again
        self.assertEqual(sorted(u["id"] for u in emu.users()["users"]
                                if u["status"] == "pending_deletion"),
                         sorted(roles["pending"]))

    def test_the_caller_is_never_planned(self):
        # nothing keeps or protects the caller: only its identity does
        emu, roles = self.setup_tenant(keep=["keeper0@acme.example"],
                                       protect=[])
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertNotIn(CALLER, self.outcomes("j.jsonl"))
        self.assertNotIn(CALLER, emu.deletes())
        self.assertIn(CALLER, remaining(emu))
        self.assertEqual(len(emu.deletes()), 20 + 3 + 2)

    def test_expired_token_is_renewed_mid_apply(self):
        # every token is refused after 5 uses: listing and deletions run
        # through several renewals
        emu, roles = self.setup_tenant(
            emu_flags={"token_max_uses": 5},
            limits={"requests_per_second": 200, "concurrency": 2})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        planned = len(emu.requests())
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertNotIn(CALLER, emu.deletes())
        log = emu.requests()[planned:]
        expired = [r for r in log if r["status"] == 401]
        logins = [r for r in log if r["path"] == "/v2/authentication"]
        refreshes = [r for r in log
                     if r["path"] == "/v2/authentication/token"]
        self.assertGreaterEqual(len(logins), 4)
        # a used-up token cannot be refreshed: each renewal tried the
        # refresh first, then the credentials
        self.assertEqual(len(refreshes), len(logins) - 1)
        for r in refreshes:
            self.assertEqual(json.loads(r["body"]), {"token": "****"})
            self.assertEqual(r["status"], 401)
        for r in logins:
            self.assertEqual(r["status"], 200)
        self.assertTrue(any(r["method"] == "DELETE" for r in expired))
        # every refused request was sent again, once
        ok_deletes = [r for r in log if r["method"] == "DELETE"
                      and r["status"] == 200]
        self.assertEqual(len(ok_deletes), 20)

    def test_short_token_lifetime_is_renewed(self):
        emu, roles = self.setup_tenant(
            emu_flags={"token_ttl": 1, "latency_ms": 80},
            limits={"requests_per_second": 200, "concurrency": 1})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        planned = len(emu.requests())
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        log = emu.requests()[planned:]
        self.assertTrue(any(r["auth"] == "expired" for r in log))
        self.assertGreaterEqual(
            len([r for r in log if r["path"] == "/v2/authentication"]), 2)

    def test_api_version_auto_finds_v1_or_v2(self):
        # before Automation 360 (v2 answers 404), and v.33 and later (v1
        # answers 404): the default finds each, and applies through it
        for only in ("v1", "v2"):
            with self.subTest(server=only):
                self.tearDown()
                self.setUp()
                emu, roles = self.setup_tenant(emu_flags={"aa_only": only})
                p = self.up("apply", "--yes", "--journal", "j.jsonl")
                self.assertRan(p, 0)
                self.assertEqual(emu.deletes(),
                                 {i: 1 for i in roles["delete"]})
                log = emu.requests()
                logins = [r["path"] for r in log
                          if r["path"].endswith("/authentication")]
                # the plan, then the apply: each probes v2 first
                want = (["/v2/authentication"] + (
                    ["/v1/authentication"] if only == "v1" else [])) * 2
                self.assertEqual(logins, want)
                other = "/v2/" if only == "v1" else "/v1/"
                self.assertEqual([r["path"] for r in log
                                  if r["path"].startswith(other) and
                                  not r["path"].endswith(
                                      "/authentication")], [])

    def test_a_total_of_zero_with_users_is_no_end(self):
        emu, roles = self.setup_tenant(emu_flags={"aa_total_zero": True})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual(sorted(u["id"] for u in t["delete"]),
                         sorted(roles["delete"]))

    def test_two_factor_hint_on_401(self):
        emu, roles = self.setup_tenant(emu_flags={"password": "other"})
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn("two-factor authentication", p.stderr + p.stdout)

    def test_api_key_and_v2(self):
        emu, roles = self.setup_tenant(
            options={"api_version": "v2"},
            auth={"type": "control-room", "username": "${env:UP_USER}",
                  "api_key": "${env:UP_KEY}"},
            emu_flags={"api_key": "the-api-key"})
        p = self.up("apply", "--yes", env={"UP_KEY": "the-api-key"})
        self.assertRan(p, 0)
        log = emu.requests()
        self.assertEqual(log[0]["path"], "/v2/authentication")
        self.assertEqual(json.loads(log[0]["body"]),
                         {"username": up.USER, "apiKey": "****"})
        self.assertTrue(all(r["path"].startswith("/v2/") for r in log))
        self.assertEqual(sorted(r["path"] for r in log
                                if r["method"] == "DELETE"),
                         sorted("/v2/usermanagement/users/" + i
                                for i in roles["delete"]))
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})

    def test_204_is_deleted_and_400_is_blocked(self):
        pop, roles = population(deletable=4)
        stuck = roles["delete"][-1]
        for u in pop["users"]:
            if u["id"] == stuck:
                u["undeletable"] = True
        emu, roles = self.setup_tenant(pop=(pop, roles),
                                       emu_flags={"aa_delete_204": True})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        out = self.outcomes("j.jsonl")
        self.assertEqual(out.pop(stuck), "blocked")
        self.assertEqual(out, {i: "deleted" for i in roles["delete"][:-1]})
        self.assertIn(stuck, remaining(emu))
        self.assertIn("1 blocked", p.stdout)
        line = [l for l in self.journal("j.jsonl") if l.get("id") == stuck]
        self.assertEqual(line[0]["http_status"], 400)
        self.assertIn("cannot be deleted", line[0]["detail"])

    def test_wrong_password_is_an_error(self):
        emu, roles = self.setup_tenant(emu_flags={"password": "other"})
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn("authentication failed: POST /v2/authentication: "
                      "HTTP 401", p.stderr)
        self.assertNotIn(up.SECRET, p.stderr + p.stdout)
        self.assertEqual(len(emu.requests()), 1)

    def test_unknown_caller_is_an_error(self):
        pop, roles = population(deletable=2)
        pop["caller"] = None
        emu, roles = self.setup_tenant(pop=(pop, roles))
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn("authentication failed: POST /v2/authentication: "
                      "the answer has no integer user.id", p.stderr)
        self.assertEqual(writes(emu.requests()), [])

    def test_html_page_is_an_error_not_zero_users(self):
        emu, roles = self.setup_tenant(emu_flags={"html_list_at": 7})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 3)
        self.assertIn("listing failed part-way", p.stdout)
        self.assertIn("/v2/usermanagement/users/list", p.stdout)
        self.assertIn("not JSON (text/html", p.stdout)
        self.assertEqual(self.read_plan()["tenants"][0]["delete"], [])
        p = self.up("apply", "--yes")
        self.assertRan(p, 3)
        self.assertEqual(writes(emu.requests()), [])

    def test_secrets_never_printed(self):
        emu, roles = self.setup_tenant()
        outputs = []
        for args in (["plan", "-vv", "-o", "plan.json"],
                     ["apply", "plan.json", "-v", "--journal", "j.jsonl"]):
            p = self.up(*args)
            self.assertRan(p, 0)
            outputs += [p.stdout, p.stderr]
        self.assertTrue(any("POST http" in o for o in outputs))
        for f in ("plan.json", "j.jsonl"):
            outputs.append(open(self.path(f)).read())
        # the emulator's tokens are JWTs: {"alg":"RS256",...
        for text in outputs:
            self.assertNotIn(up.SECRET, text)
            self.assertNotIn("eyJhbGciOi", text)
