"""The safety contract (DESIGN §1, items 8 to 15) against servers that lie,
loop, echo secrets and carry hostile ids and names. Each test drives the
real binary against a scripted server on 127.0.0.1 and checks what a user
would: the exit code, the requests the server saw (and did not see), what
is left, and what the plan, markdown and journal contain."""

import json
import urllib.parse

import up
from scripted import Server, DROP

SECRET = up.SECRET
SCIM = "/scim/v2"


def scim_user(uid, email=None, name=None, active=True, **extra):
    u = {"id": uid, "userName": uid, "active": active,
         "displayName": name or uid}
    if email:
        u["emails"] = [{"value": email, "primary": True}]
    u.update(extra)
    return u


class FakeScim:
    """A SCIM service with index paging. Tests change `users`, `total`
    (a function of the 1-based startIndex that may lie) and `on_delete`."""

    def __init__(self, users, page=100):
        self.users = list(users)
        self.page = page
        self.total = lambda start: len(self.users)
        self.resources = None  # start -> list, to replace a page
        self.on_delete = None  # (req, id) -> answer, or None: delete
        self.bulk = False

    def handle(self, req):
        path = req.path[len(SCIM):] if req.path.startswith(SCIM) else None
        if path is None:
            return 404, "application/json", {"detail": "not SCIM"}
        if path == "/ServiceProviderConfig":
            return 200, "application/scim+json", {
                "bulk": {"supported": self.bulk, "maxOperations": 100,
                         "maxPayloadSize": 1048576},
                "filter": {"supported": False}}
        if path == "/Me":
            return 501, "application/scim+json", {"status": "501"}
        if path == "/Users" and req.method == "GET":
            start = int(req.query.get("startIndex", 1))
            count = min(int(req.query.get("count", 100)), self.page)
            res = self.users[start - 1:start - 1 + count]
            if self.resources:
                res = self.resources(start, res)
            return 200, "application/scim+json", {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:"
                            "ListResponse"],
                "totalResults": self.total(start), "startIndex": start,
                "itemsPerPage": len(res), "Resources": res}
        if path.startswith("/Users/") and req.method == "DELETE":
            uid = urllib.parse.unquote(path[len("/Users/"):])
            if self.on_delete:
                answer = self.on_delete(req, uid)
                if answer is not None:
                    return answer
            for u in self.users:
                if u["id"] == uid:
                    self.users.remove(u)
                    return 204, "application/scim+json", ""
            return 404, "application/scim+json", {"status": "404"}
        return 404, "application/scim+json", {"status": "404"}

    def ids(self):
        return sorted(u["id"] for u in self.users)


def jira_user(i, **extra):
    u = {"accountId": "a%04d" % i, "accountType": "atlassian",
         "emailAddress": "u%04d@x.example" % i, "active": True,
         "displayName": "User %d" % i}
    u.update(extra)
    return u


class FakeJira:
    """An Atlassian site: bare arrays of at most `page` users, the end an
    empty page. `pages` (startAt -> list or None) replaces answers."""

    def __init__(self, users, page=100):
        self.users = list(users)
        self.page = page
        self.pages = None
        self.on_delete = None

    def handle(self, req):
        if req.path.endswith("/myself"):
            return 200, "application/json", {"accountId": "caller"}
        if req.path.endswith("/users/search"):
            start = int(req.query.get("startAt", 0))
            n = min(int(req.query.get("maxResults", 50)), self.page)
            res = self.users[start:start + n]
            if self.pages:
                res = self.pages(start, res)
            return 200, "application/json", res
        if req.path.endswith("/user") and req.method == "DELETE":
            uid = req.query.get("accountId")
            if self.on_delete:
                answer = self.on_delete(req, uid)
                if answer is not None:
                    return answer
            for u in self.users:
                if u["accountId"] == uid:
                    self.users.remove(u)
                    return 204, "application/json", ""
            return 404, "application/json", {"errorMessages": ["gone"]}
        return 404, "application/json", {}


class SafetyTest(up.TestCase):

    def serve(self, handler):
        s = Server(handler)
        self.addCleanup(s.close)
        return s

    def config(self, vendor, url, name="t1", keep=("nobody@x.example",),
               **extra):
        t = {"name": name, "vendor": vendor, "url": url,
             "auth": dict(up.AUTH[vendor]), "keep": list(keep),
             "policy": {"max_deletions": 10000, "max_delete_percent": 100},
             "limits": {"requests_per_second": 0, "max_attempts": 2}}
        t.update(extra)
        return t

    def scim(self, users, **kw):
        fake = FakeScim(users, **kw)
        s = self.serve(fake.handle)
        return fake, s

    def deletes(self, s):
        return [r.path for r in s.seen("DELETE")]

    # ---- listing integrity (§1.8) ----

    def test_an_empty_page_below_the_largest_total_is_a_partial_listing(self):
        users = [scim_user("u%04d" % i) for i in range(2500)]
        fake, s = self.scim(users, page=1000)
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        # the page at 1,001 now says there is nobody
        fake.total = lambda start: 0 if start > 1000 else len(fake.users)
        fake.resources = lambda start, res: [] if start > 1000 else res
        p = self.up("plan", "-o", "plan2.json")
        self.assertRan(p, 3)
        self.assertIn("listing is incomplete", p.stdout)
        self.assertEqual(self.read_plan("plan2.json")["tenants"][0]["delete"],
                         [])
        # apply of the earlier plan: that tenant stops, nobody is judged
        # absent, nothing is sent, and a later apply still deletes them
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertEqual(self.deletes(s), [])
        self.assertEqual(self.outcomes("j.jsonl"), {})
        self.assertIn("listing is incomplete", p.stderr)
        fake.total = lambda start: len(fake.users)
        fake.resources = None
        p = self.up("apply", "--resume", "j.jsonl", "plan.json")
        self.assertRan(p, 0)
        self.assertEqual(fake.users, [])
        self.assertEqual(len(self.deletes(s)), 2500)

    def test_users_after_an_empty_page_make_the_listing_incomplete(self):
        fake = FakeJira([jira_user(i) for i in range(500)])
        fake.pages = lambda start, res: [] if start == 100 else res
        s = self.serve(fake.handle)
        self.write_config(self.config("atlassian", s.url))
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 3)
        self.assertIn("inconsistent", p.stdout)
        self.assertEqual(self.read_plan()["tenants"][0]["delete"], [])

    def test_a_cursor_cycle_fails_the_listing_at_once(self):
        def bevy(req):
            if not req.path.startswith("/api/user"):
                return 404, "application/json", {"detail": "Not found."}
            page = req.query.get("page", "1")
            nxt = "2" if page == "1" else "1"
            return 200, "application/json", {
                "count": 4, "results": [
                    {"id": int(page) * 10 + i, "email": "p%s-%d@x" % (page, i),
                     "is_active": True} for i in range(2)],
                "links": {"next": s.url + "/api/user/?page=" + nxt},
                "next": s.url + "/api/user/?page=" + nxt}
        s = self.serve(bevy)
        self.write_config(self.config(
            "bevy", s.url + "/api", options={"users_path": "/user/"},
            limits={"daily_request_budget": 3000,
                    "requests_per_second": 0}))
        p = self.up("plan", timeout=60)
        self.assertRan(p, 3)
        self.assertIn("a cycle", p.stdout)
        self.assertLess(len(s.requests), 5)

    # ---- addressing (§1.9) ----

    def test_dot_segment_ids_name_the_user_not_the_collection(self):
        fake, s = self.scim([scim_user("."), scim_user(".."),
                             scim_user("a/b"), scim_user("ok")])
        self.write_config(self.config("scim", s.url + SCIM))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(sorted(self.deletes(s)), sorted([
            SCIM + "/Users/%2E", SCIM + "/Users/%2E%2E",
            SCIM + "/Users/a%2Fb", SCIM + "/Users/ok"]))
        self.assertEqual(fake.users, [])

    def test_a_nul_in_an_id_never_makes_it_another_users_id(self):
        def answer(req):
            if req.path == SCIM + "/Users" and req.method == "GET":
                # "abc\u0000zz" (not kept) would be cut to "abc" (kept)
                rest = [json.dumps(u) for u in fake.users]
                body = ('{"totalResults": %d, "startIndex": 1, '
                        '"itemsPerPage": %d, "Resources": ['
                        '{"id": "abc\\u0000zz", "userName": "mallory"},'
                        '%s]}' % (len(rest) + 1, len(rest) + 1,
                                  ",".join(rest)))
                return 200, "application/scim+json", body
            return fake.handle(req)
        fake = FakeScim([scim_user("abc", userName="alice"),
                         scim_user("x1", userName="bob")])
        s = self.serve(answer)
        self.write_config(self.config("scim", s.url + SCIM,
                                      keep=["alice"]))
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        planned = [u["id"] for u in self.read_plan()["tenants"][0]["delete"]]
        self.assertEqual(planned, ["x1"])
        self.assertIn("mallory", p.stdout)  # named in the warning
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.deletes(s), [SCIM + "/Users/x1"])

    # ---- secrets and untrusted text (§1.10, §1.15) ----

    def test_echoed_secrets_are_redacted_everywhere(self):
        secret = "cl1ent-S3cret/with+signs"

        def oauth(req):
            if req.path == "/token":
                # echoes the form it was sent, percent-encoded secret too
                return 400, "application/json", {
                    "error": "invalid_request",
                    "error_description": "bad " + req.body.decode()
                    + " raw=" + secret}
            return 404, "application/json", {}
        s = self.serve(oauth)
        t = self.config("scim", s.url + SCIM)
        t["auth"] = {"type": "oauth2", "client_id": "${env:UP_USER}",
                     "client_secret": "${env:CS}",
                     "token_url": s.url + "/token"}
        self.write_config(t)
        env = {"CS": secret}
        p = self.up("plan", "-o", "plan.json", env=env)
        self.assertNotEqual(p.returncode, 0)
        md = self.up("show", "plan.json", "--format", "markdown", env=env)
        for text in (p.stdout, p.stderr, open(self.path("plan.json")).read(),
                     md.stdout):
            self.assertNotIn(secret, text)
            self.assertNotIn("cl1ent-S3cret%2Fwith%2Bsigns", text)
        self.assertIn("[redacted]", p.stderr)
        self.assertIn("[redacted]", open(self.path("plan.json")).read())

    def test_a_delete_answer_echoing_the_credential_is_redacted(self):
        fake = FakeJira([jira_user(i) for i in range(3)])
        fake.on_delete = lambda req, uid: (
            403, "application/json",
            {"errorMessages": ["denied for " + req.headers["Authorization"]]})
        s = self.serve(fake.handle)
        self.write_config(self.config("atlassian", s.url))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        journal = open(self.path("j.jsonl")).read()
        header = s.seen("DELETE")[0].headers["Authorization"]
        self.assertNotIn(header.split()[1], journal + p.stderr + p.stdout)
        self.assertIn("[redacted]", journal)

    def test_a_proxy_never_sees_a_loopback_tenant(self):
        proxy = self.serve(lambda req: (502, "text/plain", "proxy"))
        fake, s = self.scim([scim_user("u1")])
        self.write_config(self.config("scim", s.url + SCIM))
        env = {k: proxy.url for k in ("http_proxy", "HTTP_PROXY",
                                      "https_proxy", "HTTPS_PROXY",
                                      "all_proxy", "ALL_PROXY")}
        env["no_proxy"] = env["NO_PROXY"] = ""
        p = self.up("plan", env=env)
        self.assertRan(p, 0)
        self.assertEqual(proxy.requests, [])
        self.assertTrue(s.seen("GET", SCIM + "/Users"))

    # ---- the plan file ----

    def reseal(self, path, edit):
        """Edits a plan's JSON text and gives it a fitting checksum, as
        someone able to write the file could."""
        import hashlib
        text = open(self.path(path)).read()
        body = text[:text.rindex(',\n  "checksum"')]
        body = edit(body)
        digest = hashlib.sha256(body.encode()).hexdigest()
        with open(self.path(path), "w") as f:
            f.write(body + ',\n  "checksum": "%s"\n}\n' % digest)

    def test_a_plan_naming_a_user_twice_is_refused(self):
        fake, s = self.scim([scim_user("u1"), scim_user("u2")])
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)

        def twice(body):
            line = [l for l in body.splitlines() if '"id":"u1"' in l][0]
            body = body.replace(line, line.rstrip(",") + ",\n" + line, 1)
            return body.replace('"delete": 2', '"delete": 3')
        self.reseal("plan.json", twice)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 1)
        self.assertIn("names user 'u1' twice", p.stderr)
        self.assertEqual(self.deletes(s), [])

    def test_a_user_whose_type_changed_is_skipped(self):
        fake = FakeJira([jira_user(1), jira_user(2)])
        s = self.serve(fake.handle)
        self.write_config(self.config("atlassian", s.url))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        fake.users[0]["accountType"] = "app"
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {"a0001": "skipped", "a0002": "deleted"})
        self.assertIn("type was human, now app", p.stderr)
        self.assertEqual([r.query["accountId"] for r in s.seen("DELETE")],
                         ["a0002"])

    # ---- bounds (§1.15) ----

    def test_a_compressed_answer_cannot_take_gigabytes(self):
        import gzip
        import resource
        bomb = gzip.compress(b"[" + b"0," * (30 << 20) + b"0]", 9)

        def answer(req):
            if req.path == SCIM + "/Users":
                return 200, "application/scim+json", bomb, {
                    "Content-Encoding": "gzip"}
            return fake.handle(req)
        fake = FakeScim([])
        s = self.serve(answer)
        self.write_config(self.config("scim", s.url + SCIM))
        limit = {}
        if not up.os.environ.get("USERPRUNE_SANITIZED"):
            # 1 GiB of address space: a tree of 30 million values is not
            def cap():
                resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
            limit = {"preexec_fn": cap}
        p = self.up("plan", **limit)
        self.assertRan(p, 1)
        self.assertIn("more values than userprune reads", p.stderr)

    # ---- non-idempotent requests (§1.11) ----

    def test_mass_user_deletion_is_sent_at_most_once_per_plan(self):
        fake = FakeScim([scim_user("u%d" % i, active=False)
                         for i in range(3)])

        def bizagi(req):
            if req.path == "/oauth2/server/token":
                return 200, "application/json", {"access_token": "tok-1234",
                                                  "expires_in": 3600}
            if req.path == "/Rest/Users/MassUserDeletion":
                return DROP  # the connection closes, no answer
            return fake.handle(req)
        s = self.serve(bizagi)
        t = self.config("bizagi", s.url, keep=[],
                        options={"environment": "test",
                                 "mass_user_deletion": True})
        t["policy"]["allow_empty_keep"] = True
        self.write_config(t)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertEqual(len(s.seen("DELETE", "/Rest/")), 1)
        steps = [l["outcome"] for l in self.journal("j.jsonl")
                 if l["type"] == "step"]
        self.assertEqual(steps, ["started", "unknown"])
        p = self.up("apply", "--resume", "j.jsonl", "plan.json")
        self.assertRan(p, 0)
        self.assertEqual(len(s.seen("DELETE", "/Rest/")), 1)

    # ---- the journal (§1.12, §4) ----

    def failing_tenant(self, n=4, fail=("u3",)):
        """A SCIM tenant whose DELETEs of `fail` answer 500 until
        fake.on_delete is cleared; a saved plan of all n users."""
        fake, s = self.scim([scim_user("u%d" % i) for i in range(n)])
        fake.on_delete = lambda req, uid: (
            (500, "application/json", {"status": "500"})
            if uid in fail else None)
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        return fake, s

    def lines_parse(self, path):
        good, bad = 0, 0
        for line in open(self.path(path)).read().split("\n"):
            if not line:
                continue
            try:
                json.loads(line)
                good += 1
            except ValueError:
                bad += 1
        return good, bad

    def test_a_torn_last_line_is_closed_and_skipped(self):
        fake, s = self.failing_tenant()
        self.assertRan(self.up("apply", "plan.json", "--journal", "j.jsonl"),
                       4)
        with open(self.path("j.jsonl"), "a") as f:
            f.write('{"type":"outcome","time":"2026-11-2')  # a crash
        p = self.up("apply", "--resume", "j.jsonl", "plan.json")
        self.assertRan(p, 4)
        self.assertIn("cut short", p.stderr)
        self.assertEqual(self.lines_parse("j.jsonl")[1], 1)
        fake.on_delete = None
        p = self.up("apply", "--resume", "j.jsonl", "plan.json")
        self.assertRan(p, 0)
        self.assertEqual(fake.users, [])
        good, bad = self.lines_parse("j.jsonl")
        self.assertEqual(bad, 1)  # the torn line, on its own
        self.assertGreater(good, 8)

    def test_a_journal_resumed_in_place_resumes_from_a_copy(self):
        import os
        import shutil
        fake, s = self.failing_tenant()
        self.assertRan(self.up("apply", "plan.json", "--journal", "j.jsonl"),
                       4)
        self.assertRan(self.up("apply", "--resume", "j.jsonl", "plan.json"),
                       4)
        # a CI artifact: the journal and plan, elsewhere
        os.mkdir(self.path("artifact"))
        shutil.move(self.path("j.jsonl"), self.path("artifact", "j.jsonl"))
        shutil.move(self.path("plan.json"),
                    self.path("artifact", "plan.json"))
        fake.on_delete = None
        p = self.up("apply", "--resume", "artifact/j.jsonl",
                    "artifact/plan.json")
        self.assertRan(p, 0)
        self.assertEqual(fake.users, [])
        paths = self.deletes(s)
        for uid in ("u0", "u1", "u2"):
            self.assertEqual(paths.count(SCIM + "/Users/" + uid), 1)

    def slow_deletes(self, n, delay=0.3):
        import time
        fake, s = self.scim([scim_user("u%02d" % i) for i in range(n)])

        def slow(req, uid):
            time.sleep(delay)
            return None
        fake.on_delete = slow
        return fake, s

    def wait_for(self, cond, timeout=30):
        import time
        end = time.time() + timeout
        while not cond():
            if time.time() > end:
                self.fail("timed out")
            time.sleep(0.05)

    def test_two_applies_of_one_plan_or_journal_never_run_at_once(self):
        fake, s = self.slow_deletes(12)
        t = self.config("scim", s.url + SCIM)
        t["limits"]["concurrency"] = 1
        self.write_config(t)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        first = self.spawn("apply", "plan.json", "--journal", "j.jsonl")
        self.wait_for(lambda: s.seen("DELETE"))
        # the same plan, the same journal, or both
        for args in (["plan.json", "--journal", "j.jsonl"],
                     ["plan.json", "--journal", "other.jsonl"]):
            p = self.up("apply", *args)
            self.assertRan(p, 1)
            self.assertIn("in use by another userprune apply", p.stderr)
        out, err = first.communicate(timeout=60)
        self.assertEqual(first.returncode, 0, err)
        paths = [r.path for r in s.seen("DELETE")]
        self.assertEqual(len(paths), 12)
        self.assertEqual(len(set(paths)), 12)

    def test_two_applies_from_a_file_never_share_a_journal(self):
        import os
        fake, s = self.slow_deletes(4, delay=0.5)
        self.write_config(self.config("scim", s.url + SCIM))
        procs = [self.spawn("apply", "--yes") for _ in range(2)]
        errs = [p.communicate(timeout=60)[1] for p in procs]
        names = sorted(os.listdir(self.path(".userprune")))
        # each run saved its own plan; two plans made in one second are
        # one plan (the same checksum), which one run at a time applies
        self.assertEqual(len([n for n in names if n.startswith("plan-")]),
                         2, names)
        ran = [p for p in procs if p.returncode == 0]
        refused = [e for p, e in zip(procs, errs) if p.returncode == 1]
        self.assertEqual(len(ran) + len(refused), 2, errs)
        for e in refused:
            self.assertIn("being applied by another userprune", e)
        self.assertEqual(len([n for n in names if n.startswith("journal-")]),
                         len(ran), names)
        # nobody was deleted twice
        paths = self.deletes(s)
        self.assertEqual(len(paths), len(set(paths)))

    def test_the_journal_of_another_plan_is_refused(self):
        fake, s = self.failing_tenant()
        self.assertRan(self.up("apply", "plan.json", "--journal", "j.jsonl"),
                       4)
        before = open(self.path("j.jsonl")).read()
        fake.users.append(scim_user("newcomer"))
        self.assertRan(self.up("plan", "-o", "plan2.json"), 0)
        sent = len(s.requests)
        p = self.up("apply", "plan2.json", "--journal", "j.jsonl")
        self.assertRan(p, 1)
        self.assertIn("belongs to another plan", p.stderr)
        self.assertEqual(open(self.path("j.jsonl")).read(), before)
        self.assertEqual(len(s.requests), sent)

    def test_resume_keeps_the_recorded_selection_of_tenants(self):
        import signal
        fa, sa = self.slow_deletes(6)
        fb, sb = self.scim([scim_user("b%d" % i) for i in range(3)])
        ta = self.config("scim", sa.url + SCIM, name="a")
        ta["limits"]["concurrency"] = 1
        self.write_config(ta, self.config("scim", sb.url + SCIM, name="b"))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.spawn("apply", "plan.json", "--tenant", "a",
                       "--journal", "j.jsonl")
        self.wait_for(lambda: len(sa.seen("DELETE")) >= 2)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("userprune apply --resume j.jsonl", err)
        # the hint as printed: no plan file, no --tenant
        p = self.up("apply", "--resume", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(fa.users, [])
        self.assertEqual(sb.seen("DELETE"), [])
        self.assertEqual(len(fb.users), 3)

    # ---- verification (§1.13) ----

    def test_a_user_still_listed_after_deletion_is_failed(self):
        fake, s = self.scim([scim_user("u%d" % i) for i in range(4)])
        # answers 204 for u2 and keeps it
        fake.on_delete = lambda req, uid: (
            (204, "application/scim+json", "") if uid == "u2" else None)
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertIn("Verified: 4 outcomes", p.stdout)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {"u0": "deleted", "u1": "deleted", "u2": "failed",
                          "u3": "deleted"})
        verify = [l for l in self.journal("j.jsonl") if l["type"] == "verify"]
        self.assertEqual((verify[0]["checked"], verify[0]["still_present"]),
                         (4, 1))
        # resume tries it again
        fake.on_delete = None
        self.assertRan(self.up("apply", "--resume", "j.jsonl"), 0)
        self.assertEqual(fake.users, [])

    def test_verify_false_lists_once(self):
        fake, s = self.scim([scim_user("u%d" % i) for i in range(4)])
        t = self.config("scim", s.url + SCIM)
        t["policy"]["verify"] = False
        self.write_config(t)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        before = len(s.seen("GET", SCIM + "/Users"))
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(len(s.seen("GET", SCIM + "/Users")) - before, 1)
        self.assertNotIn("Verified", p.stdout)

    # ---- trust boundaries for gitops (§1.14) ----

    def test_allowed_origins_refuse_a_tenant_elsewhere_before_any_request(self):
        fake, s = self.scim([scim_user("u1")])
        token = self.serve(lambda req: (200, "application/json",
                                        {"access_token": "t0k3n-abc",
                                         "expires_in": 60}))
        t = self.config("scim", s.url + SCIM)
        t["auth"] = {"type": "oauth2", "client_id": "${env:UP_USER}",
                     "client_secret": "${env:UP_SECRET}",
                     "token_url": "${env:TOKEN_URL}"}
        self.write_config(t)
        env = {"USERPRUNE_ALLOWED_ORIGINS": "https://acme.atlassian.net",
               "TOKEN_URL": token.url + "/token"}
        p = self.up("validate", env=env)
        self.assertRan(p, 1)
        self.assertIn("userprune.yaml:", p.stderr)
        self.assertIn("outside USERPRUNE_ALLOWED_ORIGINS", p.stderr)
        for cmd in (["plan"], ["apply", "--yes"], ["import", "--tenant", "t1"]):
            p = self.up(*cmd, env=env)
            self.assertRan(p, 1)
        # the url allowed, the token_url (resolved late) not
        env["USERPRUNE_ALLOWED_ORIGINS"] = s.url
        p = self.up("plan", env=env)
        self.assertRan(p, 1)
        self.assertIn("token_url", p.stderr)
        self.assertIn("outside USERPRUNE_ALLOWED_ORIGINS", p.stderr)
        self.assertEqual(s.requests + token.requests, [])
        # both allowed: it runs
        env["USERPRUNE_ALLOWED_ORIGINS"] = "%s, %s/" % (s.url, token.url)
        self.assertRan(self.up("plan", env=env), 0)

    def test_a_saved_plan_edited_and_resealed_is_refused(self):
        fake, s = self.scim([scim_user("u%d" % i) for i in range(30)])
        t = self.config("scim", s.url + SCIM)
        t["policy"] = {"max_deletions": 10, "max_delete_percent": 100}
        self.write_config(t)
        self.assertRan(self.up("plan", "-o", "refused.json"), 3)
        # a tripped guard flipped, the refusal removed, sealed again
        self.reseal("refused.json", lambda b: b.replace(
            '"tripped": true', '"tripped": false').replace(
            '"refused": true', '"refused": false'))
        p = self.up("apply", "refused.json")
        self.assertRan(p, 1)
        self.assertIn("max_deletions", p.stderr)
        self.assertIn("the plan was edited", p.stderr)
        self.assertEqual(self.deletes(s), [])

    def test_a_plan_key_binds_the_plan_to_who_holds_it(self):
        fake, s = self.scim([scim_user("u%d" % i) for i in range(3)])
        self.write_config(self.config("scim", s.url + SCIM))
        key = {"USERPRUNE_PLAN_KEY": "k3y-of-the-ci"}
        self.assertRan(self.up("plan", "-o", "plan.json", env=key), 0)
        self.assertIn('"hmac_sha256"', open(self.path("plan.json")).read())
        self.assertRan(self.up("plan", "-o", "untagged.json"), 0)
        # another host, and a file sent there: sealed again, untagged
        self.reseal("plan.json", lambda b: b.replace(
            s.url, "http://127.0.0.2:1"))
        for plan, env, why in (
                ("plan.json", key, "no HMAC tag"),
                ("untagged.json", key, "no HMAC tag"),
                ("untagged.json", {"USERPRUNE_PLAN_KEY": "other"},
                 "no HMAC tag")):
            p = self.up("apply", plan, env=env)
            self.assertRan(p, 1)
            self.assertIn(why, p.stderr)
        # a tag made with another key
        self.assertRan(self.up("plan", "-o", "other.json",
                               env={"USERPRUNE_PLAN_KEY": "other"}), 0)
        p = self.up("apply", "other.json", env=key)
        self.assertRan(p, 1)
        self.assertIn("HMAC tag does not match", p.stderr)
        self.assertEqual(self.deletes(s), [])
        # the right key: applied
        self.assertRan(self.up("plan", "-o", "good.json", env=key), 0)
        self.assertRan(self.up("apply", "good.json", env=key), 0)
        self.assertEqual(fake.users, [])

    # ---- signals (§2) ----

    def test_sigint_at_the_confirmation_prompt_exits_130(self):
        import os
        import signal
        import subprocess
        import time
        fake, s = self.scim([scim_user("u1")])
        self.write_config(self.config("scim", s.url + SCIM))
        master, slave = os.openpty()
        p = subprocess.Popen([up.binary(), "apply"], cwd=self.dir,
                             env=self.env, stdin=slave,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(slave)
        self.addCleanup(os.close, master)
        deadline = time.time() + 30
        err = b""
        while b"Only 'yes' is accepted" not in err:
            self.assertLess(time.time(), deadline, err)
            err += os.read(p.stderr.fileno(), 4096)
        p.send_signal(signal.SIGINT)
        p.wait(timeout=30)
        self.assertEqual(p.returncode, 130)
        self.assertEqual(self.deletes(s), [])

    def test_ctrl_c_twice_stops_at_once_and_closes_the_journal(self):
        import signal
        import time
        fake, s = self.slow_deletes(12, delay=3)
        t = self.config("scim", s.url + SCIM)
        t["limits"]["concurrency"] = 4
        t["policy"]["canary"] = 0
        self.write_config(t)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.spawn("apply", "plan.json", "--journal", "j.jsonl")
        self.wait_for(lambda: len(s.seen("DELETE")) >= 4)
        p.send_signal(signal.SIGINT)
        # said at once, while the requests are still in flight
        line = p.stderr.readline()
        self.assertIn("stopping: waiting for 4 requests in flight", line)
        started = time.time()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        self.assertLess(time.time() - started, 2.5)  # not after the 3 s
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("given up", err)
        journal = self.journal("j.jsonl")
        self.assertEqual(journal[-1]["type"], "summary")
        self.assertTrue(journal[-1]["interrupted"])
        unknown = [l for l in journal if l["type"] == "outcome"]
        self.assertEqual(len(unknown), 4)
        for l in unknown:
            self.assertEqual(l["outcome"], "failed")
            self.assertIn("outcome is unknown", l["detail"])
        # they are tried again on resume (the DELETEs did finish)
        fake.on_delete = None
        p = self.up("apply", "--resume", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(fake.users, [])
