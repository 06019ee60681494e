"""Live plan and apply against the emulator: Atlassian and SCIM."""

import base64
import json
import os
import signal
import subprocess
import time

import up
from up import writes, remaining

KEEP = ["KEEPER0@ACME.EXAMPLE", "keeper1@acme.example",
        {"email": "keeper[2-9]@acme.example"}]
PROTECT = [{"email": "*-admin@acme.example"}]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}


class Both:
    """Tests run for each of the first two vendors."""

    vendor = None

    def setup_tenant(self, deletable=20, emu_flags=None, **tenant):
        pop, roles = up.population(self.vendor, deletable=deletable)
        emu = self.emulator(self.vendor, population=pop,
                            **(emu_flags or {}))
        tenant.setdefault("keep", KEEP)
        tenant.setdefault("protect", PROTECT)
        tenant.setdefault("policy", POLICY)
        self.write_config(self.tenant(self.vendor, emu, **tenant))
        return emu, roles

    def test_plan_sends_no_writes(self):
        emu, roles = self.setup_tenant(emu_flags={"max_page": 7})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        self.assertEqual(writes(emu.requests()), [])
        self.assertEqual(emu.deletes(), {})
        plan = self.read_plan()
        t = plan["tenants"][0]
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        self.assertEqual(t["counts"]["live"], 30)
        self.assertEqual(t["caller"], up.CALLER)
        # several pages were read
        pages = [r for r in emu.requests() if r["path"].endswith(
            ("/users/search", "/Users"))]
        self.assertGreaterEqual(len(pages), 5)

    def test_apply_leaves_exactly_kept_protected_out_of_scope_and_caller(self):
        emu, roles = self.setup_tenant(emu_flags={"max_page": 7})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(remaining(emu), sorted(
            roles["caller"] + roles["kept"] + roles["protected"] +
            roles["apps"]))
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertIn("20 deleted", p.stdout)

    def test_404_on_delete_is_absent(self):
        pop, roles = up.population(self.vendor, deletable=4)
        pop["users"][-1]["vanishing"] = True
        emu = self.emulator(self.vendor, population=pop)
        self.write_config(self.tenant(self.vendor, emu, keep=KEEP,
                                      protect=PROTECT, policy=POLICY))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        out = self.outcomes("j.jsonl")
        self.assertEqual(out[roles["delete"][-1]], "absent")
        self.assertEqual(list(out.values()).count("deleted"), 3)
        line = [l for l in self.journal("j.jsonl")
                if l.get("id") == roles["delete"][-1]][0]
        self.assertEqual(line["http_status"], 404)

    def test_short_page_mid_stream_lists_everyone(self):
        users = [up.user("u%05d" % i, "u%05d@x.example" % i)
                 for i in range(2500)]
        emu = self.emulator(self.vendor, population={"caller": "u00000",
                                                     "users": users},
                            short_page_at="1000:7")
        self.write_config(self.tenant(self.vendor, emu,
                                      keep=[{"email": "*"}]))
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual(t["counts"]["live"], 2500)
        self.assertEqual(t["counts"]["kept"], 2499)
        # a short page was asked again from where it stopped
        asked = [r["query"] for r in emu.requests() if r["path"].endswith(
            ("/users/search", "/Users"))]
        resumed = "startAt=1007" if self.vendor == "atlassian" else \
            "startIndex=1008"
        self.assertTrue(any(resumed in q for q in asked), asked)

    def test_429_with_retry_after_is_waited_out(self):
        emu, roles = self.setup_tenant(
            deletable=12, emu_flags={"rate_limit": 4, "max_page": 10},
            limits={"requests_per_second": 100, "concurrency": 4})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertGreater(emu.stats()["rate_limited"], 0)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        # after a 429, that lane sent nothing until Retry-After had passed
        log = emu.requests()
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
        self.assertEqual(len(remaining(emu)), 30)

    def test_saved_plan_is_applied_exactly(self):
        emu, roles = self.setup_tenant(deletable=6)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        planned = roles["delete"]
        # the tenant changes after the review
        emu.add_user(up.user("newcomer", "new@acme.example", "new"))
        emu.add_user(up.user("newcomer2", "new2@acme.example", "new2"))
        emu.remove_user(planned[0])
        emu.patch_user(planned[1], {"email": "keeper1@acme.example"})
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        out = self.outcomes("j.jsonl")
        self.assertEqual(out[planned[0]], "absent")
        self.assertEqual(out[planned[1]], "skipped")
        for i in planned[2:]:
            self.assertEqual(out[i], "deleted")
        self.assertNotIn("newcomer", out)
        self.assertEqual(emu.deletes(), {i: 1 for i in planned[2:]})
        left = remaining(emu)
        self.assertIn("newcomer", left)
        self.assertIn(planned[1], left)
        self.assertIn("changed since the plan", p.stderr)
        self.assertIn("left alone", p.stderr)

    def test_a_complete_listing_that_shrank_is_trusted(self):
        # a whole listing with fewer users is a fact (a partial one is
        # refused: test_safety); planned users gone since are absent
        pop, roles = up.population(self.vendor, deletable=10, kept=40)
        emu = self.emulator(self.vendor, population=pop)
        self.write_config(self.tenant(self.vendor, emu,
                                      keep=[{"email": "keeper*"}],
                                      protect=PROTECT, policy=POLICY))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        for uid in roles["kept"][:30] + roles["delete"][:5]:
            emu.remove_user(uid)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        out = self.outcomes("j.jsonl")
        self.assertEqual(sorted(out.values()), ["absent"] * 5 +
                         ["deleted"] * 5)
        self.assertEqual(emu.deletes(),
                         {i: 1 for i in roles["delete"][5:]})

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
        # every planned user deleted exactly once, nothing else touched
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        j1, j2 = self.outcomes("j1.jsonl"), self.outcomes("j2.jsonl")
        self.assertFalse(set(j1) & set(j2))
        both = {**j1, **j2}
        self.assertEqual(set(both), set(roles["delete"]))
        self.assertEqual(set(both.values()) - {"deleted", "absent"}, set())
        # at most the requests in flight at the kill ended up "absent"
        self.assertLessEqual(list(both.values()).count("absent"), 2)


class AtlassianTest(Both, up.TestCase):
    vendor = "atlassian"

    def test_400_is_blocked(self):
        pop, roles = up.population("atlassian", deletable=3)
        pop["users"][-1]["undeletable"] = True
        emu = self.emulator("atlassian", population=pop)
        self.write_config(self.tenant("atlassian", emu, keep=KEEP,
                                      protect=PROTECT, policy=POLICY))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        out = self.outcomes("j.jsonl")
        self.assertEqual(out[roles["delete"][-1]], "blocked")
        self.assertEqual(list(out.values()).count("deleted"), 2)
        self.assertIn(roles["delete"][-1], remaining(emu))

    def test_requests_as_documented(self):
        emu, roles = self.setup_tenant(deletable=2)
        self.assertRan(self.up("apply", "--yes"), 0)
        log = emu.requests()
        self.assertEqual(log[0]["path"], "/rest/api/3/myself")
        search = [r for r in log if r["path"] == "/rest/api/3/users/search"]
        self.assertTrue(search[0]["query"].startswith("startAt=0&maxResults="))
        dels = [r for r in log if r["method"] == "DELETE"]
        self.assertEqual({r["path"] for r in dels}, {"/rest/api/3/user"})
        self.assertEqual(sorted(r["query"] for r in dels),
                         sorted("accountId=" + i for i in roles["delete"]))
        for r in log:
            self.assertEqual(r["headers"]["authorization"], "Basic ****")
            self.assertEqual(r["auth"], "ok")


    def test_the_api_atlassian_com_base_of_scoped_tokens(self):
        # https://api.atlassian.com/ex/jira/CLOUDID: the same paths after it
        emu, roles = self.setup_tenant(deletable=3)
        t = self.tenant("atlassian", emu, keep=KEEP, protect=PROTECT,
                        policy=POLICY)
        t["url"] = emu.base_url() + "/ex/jira/11223344-a1b2-4c3d"
        self.write_config(t)
        self.assertRan(self.up("apply", "--yes"), 0)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        self.assertTrue(all(r["path"].startswith(
            "/ex/jira/11223344-a1b2-4c3d/rest/api/3/")
            for r in emu.requests()))

    def test_apps_by_app_type_and_unknown_accounts_are_never_planned(self):
        pop, roles = up.population("atlassian", deletable=2)
        pop["users"] += [
            # a service account, whatever its accountType says
            up.user("svc-0001", "svc@acme.example", None,
                    raw={"accountType": "atlassian", "appType": "service"}),
            up.user("agent-0001", None, None,
                    raw={"accountType": "atlassian", "appType": "agent"}),
            # a corrupted record of a deleted user
            up.user("unknown", None, None)]
        emu = self.emulator("atlassian", population=pop)
        self.write_config(self.tenant(
            "atlassian", emu, keep=KEEP, protect=PROTECT, policy=POLICY,
            scope={"include": [{"type": "human"}, {"type": "unknown"}]}))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual(sorted(u["id"] for u in t["delete"]),
                         sorted(roles["delete"]))
        self.assertEqual(t["counts"]["live"], len(pop["users"]) - 1)

    def test_a_refused_token_names_the_fields_to_check(self):
        emu, roles = self.setup_tenant(emu_flags={"password": "rotated"})
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn("HTTP 401", p.stderr + p.stdout)
        self.assertIn("auth.password (an API token: tokens expire",
                      p.stderr + p.stdout)

    def test_a_gateway_429_waits_for_the_reset(self):
        # 429s without Retry-After, only X-RateLimit-Reset: waiting for
        # the reset (not a backoff shorter than the window) gets every
        # deletion through with two attempts each
        emu, roles = self.setup_tenant(
            deletable=30, emu_flags={"rate_limit": 5, "gateway_429": True},
            limits={"requests_per_second": 0, "concurrency": 3,
                    "max_attempts": 2})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})
        limited = [r for r in emu.requests() if r["status"] == 429]
        self.assertTrue(limited)
        for r in limited:
            self.assertNotIn("retry-after", r.get("response_headers", {}))

    def test_a_burst_limit_holds_the_endpoint_a_quota_the_tenant(self):
        for reason, said in (("burst", "burst limit: only GET "
                              "/rest/api/3/users/search waits"),
                             ("quota", "quota limit: every request waits")):
            with self.subTest(reason=reason):
                self.tearDown()
                self.setUp()
                emu, roles = self.setup_tenant(
                    deletable=20,
                    emu_flags={"rate_limit": 5, "gateway_429": True,
                               "limit_reason": reason, "max_page": 5},
                    limits={"requests_per_second": 0, "concurrency": 8,
                            "max_attempts": 10})
                p = self.up("-v", "plan")
                self.assertRan(p, 0)
                self.assertIn(said, p.stderr)
                other = "quota limit" if reason == "burst" else "burst limit"
                self.assertNotIn(other, p.stderr)


class ScimTest(Both, up.TestCase):
    vendor = "scim"

    def test_bulk_when_offered(self):
        emu, roles = self.setup_tenant(
            deletable=25, emu_flags={"scim_bulk": True, "scim_bulk_max": 10},
            policy={"max_deletions": 100, "max_delete_percent": 100,
                    "canary": 1})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        bulks = [r for r in emu.requests() if r["path"] == "/scim/v2/Bulk"]
        singles = [r for r in emu.requests() if r["method"] == "DELETE"]
        # the canary alone, then 24 users in bulks of at most 10
        self.assertEqual(len(singles), 1)
        # (sent concurrently: the log's order is the answers')
        self.assertEqual(sorted(len(json.loads(b["body"])["Operations"])
                                for b in bulks), [4, 10, 10])
        self.assertEqual(emu.deletes(), {i: 1 for i in roles["delete"]})

    def test_no_me_means_unknown_caller(self):
        emu, roles = self.setup_tenant(emu_flags={"no_me": True})
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        # protect matched the admins: no note asking for them
        self.assertNotIn("calling identity is not known", p.stdout)
        self.assertIsNone(self.read_plan()["tenants"][0]["caller"])


class BadAnswersTest(up.TestCase):
    """Bad input from the network never yields a plan from partial data."""

    def tenant_on(self, attempts=2, **flags):
        users = [up.user("u%04d" % i, "u%04d@x.example" % i)
                 for i in range(30)]
        emu = self.emulator("atlassian", population={"caller": "u0000",
                                                     "users": users},
                            max_page=10, **flags)
        self.write_config(self.tenant(
            "atlassian", emu, keep=["u0001"], policy=POLICY,
            limits={"max_attempts": attempts, "requests_per_second": 0}))
        return emu

    def test_html_first_page_is_an_error(self):
        emu = self.tenant_on(html_list_at=0)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 1)
        self.assertIn("/rest/api/3/users/search?startAt=0", p.stderr)
        self.assertIn("not JSON (text/html", p.stderr)
        self.assertEqual(writes(emu.requests()), [])

    def test_failure_part_way_refuses_the_plan(self):
        for flag in ("html_list_at", "truncate_list_at", "fail_list_at"):
            with self.subTest(flag=flag):
                self.tearDown()
                self.setUp()
                emu = self.tenant_on(**{flag: 20})
                p = self.up("plan", "-o", "plan.json")
                self.assertRan(p, 3)
                self.assertIn("listing failed part-way", p.stdout)
                self.assertIn("startAt=20", p.stdout)
                t = self.read_plan()["tenants"][0]
                self.assertEqual(t["delete"], [])
                p = self.up("apply", "--yes")
                self.assertRan(p, 3)
                self.assertEqual(writes(emu.requests()), [])

    def test_dropped_connections_and_5xx_are_retried(self):
        emu = self.tenant_on(attempts=10, drop_rate=0.2, fail_rate=0.2,
                             seed=7)
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        log = emu.requests()
        # the faults happened, and were retried through
        self.assertTrue(any(r["fault"] == "drop" for r in log))
        self.assertTrue(any(r["status"] == 503 for r in log))
        planned = {"u%04d" % i for i in range(2, 30)}
        self.assertEqual(emu.deletes(), {i: 1 for i in planned})
        # a deletion whose answer was dropped is "absent" on its retry
        out = self.outcomes("j.jsonl")
        self.assertEqual(set(out), planned)
        self.assertLessEqual(set(out.values()), {"deleted", "absent"})


class SafetyTest(up.TestCase):

    def test_report_mode_never_deletes(self):
        pop, roles = up.population("atlassian", deletable=3)
        emu = self.emulator("atlassian", population=pop)
        self.write_config(self.tenant("atlassian", emu, keep=KEEP,
                                      protect=PROTECT, mode="report"))
        p = self.up("plan")
        self.assertRan(p, 0)
        self.assertIn("report only", p.stdout)
        p = self.up("apply", "--yes")
        self.assertRan(p, 0)
        self.assertIn("report mode", p.stderr)
        self.assertEqual(writes(emu.requests()), [])

    def test_apply_without_terminal_or_yes_refuses(self):
        pop, roles = up.population("atlassian", deletable=3)
        emu = self.emulator("atlassian", population=pop)
        self.write_config(self.tenant("atlassian", emu, keep=KEEP,
                                      protect=PROTECT))
        p = self.up("apply")
        self.assertRan(p, 1)
        self.assertIn("--yes", p.stderr)
        self.assertEqual(writes(emu.requests()), [])

    def test_failed_canary_stops_the_tenant(self):
        pop, roles = up.population("atlassian", deletable=8, inactive=0)
        # the first planned user fails to delete
        first = [u for u in pop["users"] if u["id"] == roles["delete"][0]]
        first[0]["fail_delete"] = 500
        emu = self.emulator("atlassian", population=pop)
        self.write_config(self.tenant("atlassian", emu, keep=KEEP,
                                      protect=PROTECT, policy=POLICY,
                                      limits={"max_attempts": 2}))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertIn("canary", p.stderr)
        dels = [r for r in emu.requests() if r["method"] == "DELETE"]
        # one user, tried twice (a 500 is retried), then nothing more
        self.assertEqual(len(dels), 2)
        self.assertEqual({r["query"] for r in dels},
                         {"accountId=" + roles["delete"][0]})
        self.assertEqual(list(self.outcomes("j.jsonl").values()), ["failed"])
        self.assertIn("7 not attempted", p.stdout)

    def test_sigint_finishes_in_flight_and_closes_the_journal(self):
        pop, roles = up.population("atlassian", deletable=60)
        emu = self.emulator("atlassian", population=pop, latency_ms=30)
        self.write_config(self.tenant("atlassian", emu, keep=KEEP,
                                      protect=PROTECT, policy=POLICY,
                                      limits={"requests_per_second": 20}))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        proc = self.spawn("apply", "plan.json", "--journal", "j.jsonl")
        deadline = time.time() + 30
        while len(emu.deletes()) < 5 and time.time() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 130, err)
        j = self.journal("j.jsonl")
        self.assertEqual(j[-1]["type"], "summary")
        self.assertTrue(j[-1]["interrupted"])
        done = [l["id"] for l in j if l["type"] == "outcome"]
        # everything the vendor deleted is in the journal
        self.assertEqual(sorted(done), sorted(emu.deletes()))
        self.assertLess(len(done), 60)
        self.assertIn("--resume", err)

    def test_secrets_never_printed(self):
        pop, roles = up.population("atlassian", deletable=3)
        emu = self.emulator("atlassian", population=pop)
        self.write_config(self.tenant("atlassian", emu, keep=KEEP,
                                      protect=PROTECT))
        basic = base64.b64encode(f"{up.USER}:{up.SECRET}".encode()).decode()
        outputs = []
        for args in (["plan", "-v", "-o", "plan.json"],
                     ["plan", "-vv", "--format", "json"],
                     ["apply", "plan.json", "-v", "--journal", "j.jsonl"]):
            p = self.up(*args)
            outputs += [p.stdout, p.stderr]
            # -v traces every request, for plan and apply alike
            self.assertIn(" http://", p.stderr)
            self.assertIn(" -> 20", p.stderr)
        for f in ("plan.json", "j.jsonl"):
            outputs.append(open(self.path(f)).read())
        for text in outputs:
            self.assertNotIn(up.SECRET, text)
            self.assertNotIn(basic, text)
        self.assertIn("${env:UP_SECRET}", outputs[-2])


class TlsTest(up.TestCase):

    def make_ca(self):
        d = self.dir
        run = lambda *a: subprocess.run(a, cwd=d, check=True,
                                        capture_output=True)
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=userprune test CA")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes",
            "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1")
        with open(os.path.join(d, "ext.cnf"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem",
            "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
            "-days", "2", "-extfile", "ext.cnf")

    def test_https_with_and_without_the_ca(self):
        self.make_ca()
        pop, roles = up.population("atlassian", deletable=2)
        emu = self.emulator("atlassian", population=pop,
                            tls_cert=self.path("server.pem"),
                            tls_key=self.path("server.key"))
        self.assertTrue(emu.base_url().startswith("https://"))
        self.write_config(self.tenant("atlassian", emu, keep=KEEP,
                                      protect=PROTECT,
                                      tls={"ca_file": "ca.pem"}))
        p = self.up("plan")
        self.assertRan(p, 0)
        self.assertIn("2 to delete", p.stdout)
        self.write_config(self.tenant("atlassian", emu, keep=KEEP,
                                      protect=PROTECT))
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn("certificate", p.stderr)

    def test_http_to_a_remote_host_is_refused_before_any_request(self):
        self.write_config({"name": "t1", "vendor": "atlassian",
                           "url": "http://192.0.2.10",
                           "auth": up.AUTH["atlassian"], "keep": ["x"]})
        for cmd in (["validate"], ["plan"], ["apply", "--yes"]):
            p = self.up(*cmd)
            self.assertRan(p, 1)
            self.assertIn("must use https", p.stderr)
