"""An adversarial review of the safety contract (DESIGN §1, items 8 to 15)
after the fixes for issue 9: hostile servers, pull-request files, edited
and shared journals and plans. Each test drives the real binary against a
scripted server on 127.0.0.1 and checks what a user would: the exit code,
the requests the server saw, and what the files and outputs contain.

The last four were design decisions, made since: keep files confined to
the configuration's directory under USERPRUNE_ALLOWED_ORIGINS, unverified
outcomes exit 4, protections set but empty are errors, one apply per plan
checksum."""

import json
import os
import unittest
import urllib.parse

import up
import test_safety
from scripted import Server
from test_safety import FakeScim, FakeJira, scim_user, jira_user, SCIM

SECRET = up.SECRET


class ReviewTest(up.TestCase):
    serve = test_safety.SafetyTest.serve
    config = test_safety.SafetyTest.config
    scim = test_safety.SafetyTest.scim
    deletes = test_safety.SafetyTest.deletes
    reseal = test_safety.SafetyTest.reseal
    wait_for = test_safety.SafetyTest.wait_for
    slow_deletes = test_safety.SafetyTest.slow_deletes

    def read(self, name):
        with open(self.path(name), encoding="utf-8", errors="replace") as f:
            return f.read()

    # ---- secrets: every value a reference resolves to (§1.7, §1.10) ----

    def test_a_reference_in_a_non_secret_auth_field_is_never_published(self):
        # A pull request names another secret (any variable of the CI job)
        # in client_id, scope or token_url. The allowed token endpoint
        # echoes the client_id and scope, as OAuth servers do; a token_url
        # that is no URL is quoted by userprune's own message.
        other = "ghp_0therS3cretValue"

        def oauth(req):
            if req.path == "/token":
                q = dict(urllib.parse.parse_qsl(req.body.decode()))
                return 400, "application/json", {
                    "error": "invalid_client",
                    "error_description": "client '%s' with scope '%s' is "
                    "not registered" % (q.get("client_id"), q.get("scope"))}
            return 404, "application/json", {}
        s = self.serve(oauth)
        env = {"OTHER": other}
        for field, value in (("client_id", "${env:OTHER}"),
                             ("scope", "${env:OTHER}"),
                             ("token_url", "${env:OTHER}")):
            with self.subTest(field=field):
                t = self.config("scim", s.url + SCIM)
                t["auth"] = {"type": "oauth2",
                             "client_id": "${env:UP_USER}",
                             "client_secret": "${env:UP_SECRET}",
                             "token_url": s.url + "/token"}
                t["auth"][field] = value
                self.write_config(t)
                p = self.up("plan", "-o", "plan.json", env=env)
                self.assertNotEqual(p.returncode, 0)
                texts = [p.stdout, p.stderr]
                if os.path.exists(self.path("plan.json")):
                    md = self.up("show", "plan.json", "--format",
                                 "markdown", env=env)
                    texts += [md.stdout, self.read("plan.json")]
                    os.unlink(self.path("plan.json"))
                for text in texts:
                    self.assertNotIn(other, text)
                    self.assertNotIn(other.replace("_", "\\_"), text)

    def test_a_short_user_name_from_a_reference_is_not_blanked_out(self):
        # "admin" is no secret: redacting it would hide every email that
        # holds it from the reviewer
        fake = FakeJira([jira_user(1, emailAddress="qa-admin@x.example")])
        s = self.serve(fake.handle)
        t = self.config("atlassian", s.url)
        t["auth"]["username"] = "${env:SHORT}"
        self.write_config(t)
        p = self.up("plan", "--format", "markdown", env={"SHORT": "admin"})
        self.assertRan(p, 0)
        self.assertIn("qa-admin@x.example", p.stdout)

    # ---- listing integrity (§1.8) ----

    def test_a_cursor_cycle_in_disguise_fails_the_listing_at_once(self):
        # page 2 links to "itself" with a parameter the server ignores, a
        # new value each time (or the case changed, or percent-encoded):
        # no link comes back twice, yet the listing never moves on
        def bevy(req):
            if not req.path.startswith("/api/user"):
                return 404, "application/json", {"detail": "Not found."}
            page = req.query.get("page", "1")
            return 200, "application/json", {
                "count": 4, "results": [
                    {"id": int(page) * 10 + i, "email": "p%s-%d@x" % (page, i),
                     "is_active": True} for i in range(2)],
                "next": s.url + "/api/user/?page=2&_=%d" % len(s.requests)}
        s = self.serve(bevy)
        self.write_config(self.config(
            "bevy", s.url + "/api", options={"users_path": "/user/"},
            limits={"daily_request_budget": 300,
                    "requests_per_second": 0}))
        p = self.up("plan", timeout=120)
        self.assertRan(p, 3)
        self.assertIn("cycle", p.stdout)
        self.assertLess(len(s.requests), 5)

    def test_an_empty_cursor_page_linking_on_fails_the_listing(self):
        def bevy(req):
            if not req.path.startswith("/api/user"):
                return 404, "application/json", {"detail": "Not found."}
            n = len(s.requests)
            return 200, "application/json", {
                "count": 0, "results": [],
                "next": s.url + "/api/user/?page=%d" % (n + 1)}
        s = self.serve(bevy)
        self.write_config(self.config(
            "bevy", s.url + "/api", options={"users_path": "/user/"},
            limits={"daily_request_budget": 300,
                    "requests_per_second": 0}))
        p = self.up("plan", timeout=120)
        self.assertRan(p, 3)
        self.assertLess(len(s.requests), 5)

    # ---- the journal (§1.12, §4) ----

    def test_journal_naming_a_file_that_is_no_journal_is_refused(self):
        fake, s = self.scim([scim_user("u1"), scim_user("u2")])
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        with open(self.path("notes.txt"), "w") as f:
            f.write("# my notes\n[1, 2]\n")
        for name in ("userprune.yaml", "notes.txt"):
            with self.subTest(journal=name):
                before = self.read(name)
                p = self.up("apply", "plan.json", "--journal", name)
                self.assertRan(p, 1)
                self.assertEqual(self.read(name), before)
        self.assertEqual(self.deletes(s), [])

    def test_journal_of_another_plan_with_a_long_header_is_refused(self):
        # a shard's header names thousands of tenants: more than 64 KiB
        fake, s = self.scim([scim_user("u1"), scim_user("u2")])
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        header = {"type": "header", "time": "2026-01-01T00:00:00.000Z",
                  "run_id": "0" * 32, "tool_version": "0.1.0",
                  "plan_checksum": "a" * 64, "plan_path": "other.json",
                  "tenants": ["tenant-%05d" % i for i in range(6000)],
                  "source": {"kind": "file", "path": "x.yaml",
                             "sha256": "b" * 64},
                  "resumes": None, "resumed_from": None}
        with open(self.path("other.jsonl"), "w") as f:
            f.write(json.dumps(header, separators=(",", ":")) + "\n")
        before = self.read("other.jsonl")
        self.assertGreater(len(before), 65536)
        p = self.up("apply", "plan.json", "--journal", "other.jsonl")
        self.assertRan(p, 1)
        self.assertIn("another plan", p.stderr)
        self.assertEqual(self.read("other.jsonl"), before)
        self.assertEqual(self.deletes(s), [])

    def test_a_second_apply_never_replaces_the_plan_another_saved(self):
        fake, s = self.scim([scim_user("u%d" % i) for i in range(3)])
        fake.on_delete = lambda req, uid: (
            (500, "application/json", {"status": "500"})
            if uid == "u2" else None)
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("apply", "--yes", "--journal", "j.jsonl"), 4)
        saved = self.read("j.jsonl.plan.json")
        # the next day, the same command: another plan, the same journal
        fake.users.append(scim_user("newcomer"))
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 1)
        self.assertEqual(self.read("j.jsonl.plan.json"), saved)
        # the first run's record still resumes
        fake.on_delete = None
        p = self.up("apply", "--resume", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(fake.ids(), ["newcomer"])

    def test_a_user_listed_twice_as_two_people_is_an_inconsistent_listing(self):
        # x1 is bob on one page and alice (kept) on a later one; the total
        # counts distinct users. The first copy used to win: x1 was planned
        # and deleted although the server also called it alice.
        users = ([scim_user("x1", userName="bob")]
                 + [scim_user("f%d" % i) for i in range(3)]
                 + [scim_user("x1", userName="alice"), scim_user("f9")])
        fake, s = self.scim(users, page=2)
        fake.total = lambda start: 5
        t = self.config("scim", s.url + SCIM, keep=["alice"])
        t["limits"]["concurrency"] = 1
        self.write_config(t)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 3)
        self.assertEqual(self.read_plan()["tenants"][0]["delete"], [])
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 3)
        self.assertEqual(self.deletes(s), [])

    # ---- non-idempotent requests (§1.11) ----

    def test_mass_user_deletion_cut_off_by_a_kill_is_reported_unknown(self):
        import signal
        import time
        fake = FakeScim([scim_user("u%d" % i, active=False)
                         for i in range(3)])

        def bizagi(req):
            if req.path == "/oauth2/server/token":
                return 200, "application/json", {"access_token": "tok-1234",
                                                  "expires_in": 3600}
            if req.path == "/Rest/Users/MassUserDeletion":
                time.sleep(2)
                fake.users.clear()
                return 200, "application/json", "Operation successful"
            return fake.handle(req)
        s = self.serve(bizagi)
        t = self.config("bizagi", s.url, keep=[],
                        options={"environment": "test",
                                 "mass_user_deletion": True})
        t["policy"]["allow_empty_keep"] = True
        self.write_config(t)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.spawn("apply", "plan.json", "--journal", "j.jsonl")
        self.wait_for(lambda: s.seen("DELETE", "/Rest/"))
        p.kill()  # the runner is gone: nobody saw an answer
        p.communicate()
        # the resume says what nobody was told: unknown, not sent again
        p = self.up("apply", "--resume", "j.jsonl")
        self.assertRan(p, 4)
        self.assertEqual(len(s.seen("DELETE", "/Rest/")), 1)
        steps = [l["outcome"] for l in self.journal("j.jsonl")
                 if l["type"] == "step"]
        self.assertEqual(steps, ["started", "unknown"])
        # and once only
        self.assertRan(self.up("apply", "--resume", "j.jsonl"), 0)
        self.assertEqual(len(s.seen("DELETE", "/Rest/")), 1)

    # ---- weaknesses whose fix is a design decision ----

    def test_a_pull_request_cannot_publish_a_local_file_as_a_keep_list(self):
        # The action's default plans a pull request's checked-out
        # userprune.yaml (-f). Its keep files may name any local path, and
        # the "matched no live user" warning quotes their first values
        # into the markdown posted on the pull request: the first lines
        # of any file the runner can read.
        outside = os.path.join(os.path.dirname(self.dir),
                               "outside-%d.txt" % os.getpid())
        with open(outside, "w") as f:
            f.write("TOPSECRET-line-1\n")
        self.addCleanup(os.unlink, outside)
        fake, s = self.scim([scim_user("u1")])
        for ref in (outside, os.path.relpath(outside, self.dir)):
            with self.subTest(file=ref):
                self.write_config(self.config(
                    "scim", s.url + SCIM, keep=[{"file": ref}]),
                    )
                p = self.up("plan", "--format", "markdown",
                            env={"USERPRUNE_ALLOWED_ORIGINS": s.url})
                self.assertNotIn("TOPSECRET", p.stdout + p.stderr)

    def test_outcomes_that_could_not_be_verified_are_no_success(self):
        # The server answers every DELETE 204 and keeps the users, then
        # fails the verifying listing: the journal says "deleted" four
        # times, nothing was verified, and apply exits 0.
        fake = FakeScim([scim_user("u%d" % i) for i in range(4)])
        fake.on_delete = lambda req, uid: (204, "application/scim+json", "")
        lists = []

        def answer(req):
            if req.method == "GET" and req.path == SCIM + "/Users":
                lists.append(req)
                if len(lists) > 2:
                    return 500, "application/json", {"status": "500"}
            return fake.handle(req)
        s = self.serve(answer)
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertEqual(len(fake.users), 4)
        self.assertRan(p, 4)

    def test_a_protection_set_but_empty_is_not_silently_off(self):
        # The examples set both from ${{ vars.X }} / ${{ secrets.X }}, which
        # are "" when the variable or secret was never created (or is not
        # given to this job): userprune then runs with no protection and
        # says nothing.
        fake, s = self.scim([scim_user("u1"), scim_user("u2")])
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)  # untagged
        p = self.up("apply", "plan.json", "--journal", "j.jsonl",
                    env={"USERPRUNE_PLAN_KEY": ""})
        self.assertRan(p, 1)
        self.assertEqual(self.deletes(s), [])
        p = self.up("plan", env={"USERPRUNE_ALLOWED_ORIGINS": ""})
        self.assertRan(p, 1)

    def test_two_copies_of_one_plan_never_apply_at_once(self):
        # The lock is the plan file's, not the plan's: the same plan
        # downloaded twice (two CI jobs on one runner, a re-run) applies
        # twice at once, and every DELETE goes out twice.
        import shutil
        fake, s = self.slow_deletes(8)
        t = self.config("scim", s.url + SCIM)
        t["limits"]["concurrency"] = 1
        self.write_config(t)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        shutil.copy(self.path("plan.json"), self.path("copy.json"))
        first = self.spawn("apply", "plan.json", "--journal", "a.jsonl")
        self.wait_for(lambda: s.seen("DELETE"))
        p = self.up("apply", "copy.json", "--journal", "b.jsonl")
        first.communicate(timeout=60)
        paths = self.deletes(s)
        self.assertEqual(len(paths), len(set(paths)))
        self.assertRan(p, 1)

    def test_mass_user_deletion_never_sent_is_not_unknown_and_resumes(self):
        # the day's budget runs out (retries) just before the step: it was
        # never sent, yet was recorded "unknown ... never sent again", so
        # no run of this plan could ever send it
        fake = FakeScim([scim_user("u%d" % i, active=False)
                         for i in range(3)]
                        + [scim_user("a%d" % i) for i in range(2)])
        refused = set()

        def once_503(req, uid):
            if uid not in refused:
                refused.add(uid)
                return 503, "application/scim+json", {"status": "503"}
        fake.on_delete = once_503

        def bizagi(req):
            if req.path == "/oauth2/server/token":
                return 200, "application/json", {"access_token": "tok-1234",
                                                  "expires_in": 3600}
            if req.path == "/Rest/Users/MassUserDeletion":
                fake.users[:] = [u for u in fake.users if u["active"]]
                return 200, "application/json", "Operation successful"
            return fake.handle(req)
        s = self.serve(bizagi)
        t = self.config("bizagi", s.url, keep=[],
                        options={"environment": "test",
                                 "mass_user_deletion": True})
        t["policy"]["allow_empty_keep"] = True
        t["policy"]["verify"] = False
        t["limits"]["daily_request_budget"] = 6
        self.write_config(t)
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertEqual(s.seen("DELETE", "/Rest/"), [])
        steps = [l["outcome"] for l in self.journal("j.jsonl")
                 if l["type"] == "step"]
        self.assertNotIn("unknown", steps)
        # the next day: sent, once
        p = self.up("apply", "--resume", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(len(s.seen("DELETE", "/Rest/")), 1)
        self.assertEqual(fake.users, [])
        self.assertRan(self.up("apply", "--resume", "j.jsonl"), 0)
        self.assertEqual(len(s.seen("DELETE", "/Rest/")), 1)

    # ---- the journal says what is true (§1.12, §1.13) ----

    def test_a_closed_stderr_never_ends_a_run_between_journal_lines(self):
        # stderr piped into something that went away (`2>&1 | head`): the
        # first message of verification killed apply (SIGPIPE) after it
        # had corrected one false "deleted" and before the next
        import subprocess
        fake, s = self.scim([scim_user("u%d" % i) for i in range(4)])
        fake.on_delete = lambda req, uid: (
            (204, "application/scim+json", "") if uid in ("u1", "u2")
            else None)
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        r, w = os.pipe()
        os.close(r)
        p = subprocess.Popen([up.binary(), "apply", "plan.json",
                              "--journal", "j.jsonl"], cwd=self.dir,
                             env=self.env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=w)
        os.close(w)
        p.communicate(timeout=60)
        self.assertEqual(p.returncode, 4)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {"u0": "deleted", "u1": "failed", "u2": "failed",
                          "u3": "deleted"})
        self.assertEqual(self.journal("j.jsonl")[-1]["type"], "summary")

    def test_resume_does_not_trust_a_claim_the_listing_contradicts(self):
        # a run cut off (kill -9, a power cut) while verification was
        # correcting false "deleted" outcomes: one of u1 and u2 was
        # corrected, the other not. The resume believed the journal and
        # never looked at that one again.
        fake, s = self.scim([scim_user("u%d" % i) for i in range(4)])
        fake.on_delete = lambda req, uid: (
            (204, "application/scim+json", "") if uid in ("u1", "u2")
            else None)
        self.write_config(self.config("scim", s.url + SCIM))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        self.assertRan(self.up("apply", "plan.json", "--journal", "j.jsonl"),
                       4)
        lines = open(self.path("j.jsonl")).read().splitlines(True)
        cut = [i for i, l in enumerate(lines) if '"failed"' in l][0]
        with open(self.path("j.jsonl"), "w") as f:
            f.writelines(lines[:cut + 1])
        # the one the cut left uncorrected
        left = [u for u in ("u1", "u2")
                if self.outcomes("j.jsonl")[u] == "deleted"]
        self.assertEqual(len(left), 1)
        fake.on_delete = None
        p = self.up("apply", "--resume", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(fake.users, [])
        self.assertEqual(self.outcomes("j.jsonl")[left[0]], "deleted")
        self.assertEqual([r.path for r in s.seen("DELETE")].count(
            SCIM + "/Users/" + left[0]), 2)
