"""Guards against a wrong keep list, and approvals bound to one set of
users (DESIGN §1.4): keep_unmatched and keep_match_rate against the
emulator, policy.approve pasted from a plan's own line, apply checking the
approval again, plan --compare-ref against real repositories, and the
warnings validate gives."""

import datetime
import hashlib
import json
import re

import up
from up import writes, remaining

# the printed approval line, as DESIGN §1.4 writes it
APPROVE = re.compile(r'policy: \{ approve: \{ deletions: "sha256:([0-9a-f]{64})'
                     r'", expires: "(\d{4}-\d\d-\d\d)" \} \}')


def digest(users):
    """DESIGN §1.4, written out independently of the C code."""
    lines = sorted(("%s\t%s\t%s\t%s\t%s\n" % (
        u["id"], u.get("email") or "", u.get("username") or "",
        u["status"], u["type"])).encode() for u in users)
    return hashlib.sha256(b"".join(sorted(
        lines, key=lambda l: l.split(b"\t", 1)[0]))).hexdigest()


def day(offset):
    return (datetime.datetime.now(datetime.timezone.utc).date() +
            datetime.timedelta(days=offset)).isoformat()


def staff(n, start=0):
    return [up.user("s%04d" % i, "staff%d@acme.example" % i, None,
                    "Staff %d" % i) for i in range(start, start + n)]


def testers(n):
    return [up.user("t%04d" % i, "test%d@acme.example" % i, None,
                    "Tester %d" % i) for i in range(n)]


def pop(*groups):
    users = [up.user(up.CALLER, up.USER, None, "The Caller")]
    for g in groups:
        users += g
    return {"caller": up.CALLER, "users": users}


def guards(plan, tenant=0):
    return {g["name"]: g for g in plan["tenants"][tenant]["guards"]}


class KeepMatchTest(up.TestCase):
    """A non-empty but wrong keep list is refused before any deletion."""

    def tenant_with(self, keep, n_staff=30, n_testers=10, **extra):
        emu = self.emulator("atlassian", population=pop(
            staff(n_staff), testers(n_testers)))
        self.write_config(self.tenant("atlassian", emu, keep=keep,
                                      policy={"max_delete_percent": 100},
                                      **extra))
        return emu

    def refused(self, emu, *args):
        p = self.up("plan", "-o", "plan.json", *args)
        self.assertRan(p, 3)
        self.assertEqual(writes(emu.requests()), [])
        # apply of the refused plan sends nothing either
        a = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(a, 3)
        self.assertEqual(writes(emu.requests()), [])
        self.assertEqual(len(remaining(emu)), 41)
        return p

    def test_a_csv_read_with_the_wrong_column(self):
        with open(self.path("staff.csv"), "w") as f:
            f.write("User id,User name,email\n")
            for i in range(30):
                f.write("s%04d,Staff %d,staff%d@acme.example\n" % (i, i, i))
        emu = self.tenant_with([{"file": "staff.csv", "column": "User name",
                                 "field": "id"}])
        p = self.refused(emu)
        g = guards(self.read_plan())["keep_unmatched"]
        self.assertTrue(g["tripped"])
        for want in ("keep file 'staff.csv'", "column 'User name'",
                     "field id", "none of its 30 values",
                     "'Staff 0' (line 2)", "'Staff 1' (line 3)",
                     "'Staff 2' (line 4)", "live ids: ",
                     "userprune.yaml:"):
            self.assertIn(want, g["detail"])
        # three live ids, next to the values, so the mistake is visible
        live = re.search(r"live ids: (.*)", g["detail"]).group(1)
        self.assertEqual(len(re.findall(r"'[st]\d{4}'|'caller-0001'", live)),
                         3, live)
        self.assertIn("REFUSED keep_unmatched", p.stdout)

    def test_a_file_of_emails_read_with_field_id(self):
        with open(self.path("staff.txt"), "w") as f:
            f.write("# staff, one email a line\n")
            f.write("".join("staff%d@acme.example\n" % i for i in range(30)))
        emu = self.tenant_with([{"file": "staff.txt", "field": "id"}])
        self.refused(emu)
        g = guards(self.read_plan())["keep_unmatched"]
        for want in ("keep file 'staff.txt'", "one value a line",
                     "field id", "'staff0@acme.example' (line 2)",
                     "live ids: "):
            self.assertIn(want, g["detail"])
        # and the keep list kept nobody, so the rate trips too
        self.assertTrue(guards(self.read_plan())["keep_match_rate"]
                        ["tripped"])

    def test_ten_inline_entries_that_match_nobody(self):
        keep = ["Staff %d" % i for i in range(10)]
        emu = self.tenant_with(keep)
        self.refused(emu)
        g = guards(self.read_plan())["keep_unmatched"]
        self.assertIn("none of the 10 inline keep entries", g["detail"])
        self.assertIn("'Staff 0'", g["detail"])

    def test_a_shared_keep_list_that_matches_30_percent_plans(self):
        # a company-wide list of 100 people, 30 of whom use this tenant
        with open(self.path("company.txt"), "w") as f:
            f.write("".join("staff%d@acme.example\n" % i
                            for i in range(100)))
        emu = self.tenant_with([{"file": "company.txt", "field": "email"}])
        p = self.up("plan", "-o", "plan.json", "--detailed-exitcode")
        self.assertRan(p, 2)
        plan = self.read_plan()
        t = plan["tenants"][0]
        self.assertEqual((t["keep_values"], t["keep_matched"]), (100, 30))
        g = guards(plan)
        self.assertFalse(g["keep_match_rate"]["tripped"])
        self.assertNotIn("keep_unmatched", g)
        self.assertEqual(sorted(u["id"] for u in t["delete"]),
                         ["t%04d" % i for i in range(10)])
        self.assertRan(self.up("apply", "plan.json", "--journal",
                               "j.jsonl"), 0)
        self.assertEqual(len(remaining(emu)), 31)

    def test_a_keep_list_that_matches_5_percent_trips_the_rate(self):
        with open(self.path("company.txt"), "w") as f:
            f.write("".join("staff%d@acme.example\n" % i
                            for i in range(600)))
        emu = self.tenant_with([{"file": "company.txt", "field": "email"}])
        self.refused(emu)
        g = guards(self.read_plan())
        self.assertTrue(g["keep_match_rate"]["tripped"])
        self.assertIn("30 of 600 keep values (5.0%)",
                      g["keep_match_rate"]["detail"])
        self.assertNotIn("keep_unmatched", g)
        # a lower bound, set in the file, lets the same list through
        self.write_config(self.tenant(
            "atlassian", emu, keep=[{"file": "company.txt",
                                     "field": "email"}],
            policy={"max_delete_percent": 100, "min_keep_match_percent": 5}))
        self.assertRan(self.up("plan"), 0)


class ApprovalTest(up.TestCase):
    """A one-off large deletion approved for exactly one set of users."""

    KEEP = [{"email": "staff*@acme.example"}]

    def setUp(self):
        super().setUp()
        # 20 staff and 150 rehearsal users: 150 deletions, over the
        # built-in max_deletions of 100 and max_delete_percent of 50
        self.emu = self.emulator("atlassian",
                                 population=pop(staff(20), testers(150)))

    def config(self, approve=None, keep=None, **policy):
        if approve:
            policy["approve"] = {"deletions": "sha256:" + approve[0],
                                 "expires": approve[1]}
        t = self.tenant("atlassian", self.emu,
                        keep=self.KEEP if keep is None else keep)
        if policy:
            t["policy"] = policy
        self.write_config(t)

    def printed_approval(self):
        p = self.up("plan")
        self.assertRan(p, 3)
        m = APPROVE.search(p.stdout)
        self.assertIsNotNone(m, p.stdout)
        return m.group(1), m.group(2)

    def test_the_printed_line_lets_exactly_that_plan_through(self):
        self.config()
        approve = self.printed_approval()
        self.assertLessEqual(approve[1], day(31))
        self.assertGreaterEqual(approve[1], day(0))
        # pasted into the file: that plan, and only it, goes through
        self.config(approve)
        self.assertRan(self.up("validate"), 0)
        p = self.up("plan", "-o", "plan.json", "--detailed-exitcode")
        self.assertRan(p, 2)
        self.assertIn("APPROVED max_deletions", p.stdout)
        self.assertIn("APPROVED max_delete_percent", p.stdout)
        plan = self.read_plan()
        t = plan["tenants"][0]
        self.assertEqual(t["deletions_digest"], approve[0])
        self.assertEqual(digest(t["delete"]), approve[0])
        self.assertEqual(t["policy"]["approve"],
                         {"deletions": "sha256:" + approve[0],
                          "expires": approve[1]})
        g = guards(plan)
        self.assertFalse(g["max_deletions"]["tripped"])
        self.assertTrue(g["max_deletions"]["waived"])
        md = self.up("show", "plan.json", "--format", "markdown")
        self.assertIn("(approved)", md.stdout)
        a = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(a, 0)
        want = sorted(u["id"] for u in t["delete"])
        self.assertEqual(want, ["t%04d" % i for i in range(150)])
        self.assertEqual(sorted(self.emu.deletes()), want)
        self.assertEqual(remaining(self.emu),
                         sorted([up.CALLER] + ["s%04d" % i
                                               for i in range(20)]))

    def test_one_more_or_one_fewer_user_trips_the_guard_again(self):
        self.config()
        self.config(self.printed_approval())
        for change in ("more", "fewer"):
            with self.subTest(change=change):
                if change == "more":
                    self.emu.add_user(up.user("t9999", "late@acme.example",
                                              None, "Late"))
                else:
                    self.emu.remove_user("t9999")
                    self.emu.remove_user("t0000")
                p = self.up("plan", "-o", "plan.json")
                self.assertRan(p, 3)
                self.assertIn("REFUSED max_deletions", p.stdout)
                self.assertIn("approves another set of users", p.stdout)
                n = 151 if change == "more" else 149
                self.assertIn("these %d planned users are sha256:" % n,
                              p.stdout)
                # and the plan says how to approve the new set instead
                m = APPROVE.search(p.stdout)
                self.assertEqual(m.group(1),
                                 self.read_plan()["tenants"][0]
                                 ["deletions_digest"])
        self.assertEqual(writes(self.emu.requests()), [])

    def test_a_changed_user_is_another_set(self):
        self.config()
        self.config(self.printed_approval())
        self.emu.patch_user("t0007", status="inactive")
        p = self.up("plan")
        self.assertRan(p, 3)
        self.assertIn("approves another set of users", p.stdout)

    def test_an_expired_approval_trips_it(self):
        self.config()
        sha, _ = self.printed_approval()
        self.config((sha, day(-1)))
        v = self.up("validate")
        self.assertRan(v, 0)
        self.assertIn("policy.approve expired on %s" % day(-1), v.stderr)
        p = self.up("plan")
        self.assertRan(p, 3)
        self.assertIn("policy.approve expired on %s" % day(-1), p.stdout)
        self.assertEqual(writes(self.emu.requests()), [])
        # today is still good, and so are 31 days; 32 are too many
        self.config((sha, day(0)))
        self.assertRan(self.up("plan"), 0)
        self.config((sha, day(31)))
        self.assertRan(self.up("plan"), 0)
        self.config((sha, day(32)))
        v = self.up("validate")
        self.assertRan(v, 1)
        self.assertIn("more than 31 days ahead", v.stderr)

    def test_the_expiry_is_required_and_approve_belongs_to_a_tenant(self):
        t = self.tenant("atlassian", self.emu, keep=self.KEEP,
                        policy={"approve": {"deletions": "sha256:" + "a" * 64}})
        self.write_config(t)
        v = self.up("validate")
        self.assertRan(v, 1)
        self.assertIn("'approve' needs 'expires'", v.stderr)
        t["policy"] = {"approve": {"deletions": "a" * 64,
                                   "expires": day(1)}}
        self.write_config(t)
        v = self.up("validate")
        self.assertRan(v, 1)
        self.assertIn("'deletions' must be \"sha256:\"", v.stderr)
        t["policy"] = {}
        self.write_config(t, defaults={"policy": {"approve": {
            "deletions": "sha256:" + "a" * 64, "expires": day(1)}}})
        v = self.up("validate")
        self.assertRan(v, 1)
        self.assertIn("'approve' belongs in a tenant's policy", v.stderr)

    def test_an_approval_cannot_waive_empty_keep(self):
        self.config(keep=[], allow_empty_keep=False)
        approve = self.printed_approval()
        self.config(approve, keep=[], allow_empty_keep=False)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 3)
        g = guards(self.read_plan())
        self.assertTrue(g["max_deletions"]["waived"])
        self.assertTrue(g["empty_keep"]["tripped"])
        self.assertRan(self.up("apply", "plan.json"), 3)
        self.assertEqual(writes(self.emu.requests()), [])

    def test_an_approval_cannot_waive_keep_unmatched(self):
        # the staff's emails, read as ids: the keep list keeps nobody
        with open(self.path("staff.txt"), "w") as f:
            f.write("".join("staff%d@acme.example\n" % i for i in range(20)))
        keep = [{"file": "staff.txt", "field": "id"}]
        self.config(keep=keep)
        approve = self.printed_approval()
        self.config(approve, keep=keep)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 3)
        g = guards(self.read_plan())
        self.assertTrue(g["max_deletions"]["waived"])
        self.assertTrue(g["keep_unmatched"]["tripped"])
        self.assertRan(self.up("apply", "plan.json"), 3)
        self.assertEqual(writes(self.emu.requests()), [])

    def test_an_approval_cannot_waive_a_partial_listing(self):
        self.config()
        approve = self.printed_approval()
        self.emu.stop()
        self.emulators.remove(self.emu)
        self.emu = self.emulator("atlassian",
                                 population=pop(staff(20), testers(150)),
                                 max_page=50, fail_list_at=100)
        t = self.tenant("atlassian", self.emu, keep=self.KEEP,
                        policy={"approve": {"deletions": "sha256:" +
                                            approve[0],
                                            "expires": approve[1]}},
                        limits={"max_attempts": 1})
        self.write_config(t)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 3)
        self.assertIn("listing failed part-way", p.stdout)
        self.assertRan(self.up("apply", "plan.json"), 3)
        self.assertEqual(writes(self.emu.requests()), [])

    # ---- apply checks the approval again ----

    def reseal(self, edit):
        """Edits plan.json and gives it a fitting checksum, as someone able
        to write the file could."""
        with open(self.path("plan.json")) as f:
            text = f.read()
        body = edit(text[:text.rindex(',\n  "checksum"')])
        with open(self.path("plan.json"), "w") as f:
            f.write(body + ',\n  "checksum": "%s"\n}\n' %
                    hashlib.sha256(body.encode()).hexdigest())

    def test_apply_checks_the_date_again(self):
        self.config()
        sha, until = self.printed_approval()
        self.config((sha, until))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        # the plan as it would be read after the approval's last day
        self.reseal(lambda b: b.replace('"expires": "%s"' % until,
                                        '"expires": "%s"' % day(-1)))
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 1)
        self.assertIn("guard max_deletions trips again", p.stderr)
        self.assertIn("expired on %s" % day(-1), p.stderr)
        self.assertEqual(writes(self.emu.requests()), [])

    def test_a_plan_edited_to_carry_an_approval_is_refused(self):
        self.config()
        self.assertRan(self.up("plan", "-o", "plan.json"), 3)
        plan = self.read_plan()
        mine = plan["tenants"][0]["deletions_digest"]
        other = hashlib.sha256(b"someone else").hexdigest()

        def approve(sha, until):
            def edit(body):
                body = body.replace('"approve": null',
                                    '"approve": {"deletions": "sha256:%s", '
                                    '"expires": "%s"}' % (sha, until))
                body = re.sub(r'("name": "max_delet(ions|e_percent)",\s*'
                              r'"tripped": )true', r"\1false", body)
                return body.replace('"refused": true', '"refused": false')
            return edit
        for sha, until, why in ((other, day(3), "approves another set"),
                                (mine, day(-2), "expired on"),
                                (mine, day(90), "more than 31 days")):
            with self.subTest(why=why):
                self.assertRan(self.up("plan", "-o", "plan.json"), 3)
                self.reseal(approve(sha, until))
                p = self.up("apply", "plan.json", "--journal", "j.jsonl")
                self.assertRan(p, 1)
                self.assertIn("trips again", p.stderr)
                self.assertIn(why, p.stderr)
        self.assertEqual(writes(self.emu.requests()), [])

    def test_a_digest_that_does_not_fit_the_users_is_refused(self):
        self.config()
        self.config(self.printed_approval())
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        # one user less, with the counts made to agree
        plan = self.read_plan()
        t = plan["tenants"][0]

        def drop(body):
            line = [l for l in body.splitlines() if '"id":"t0149"' in l][0]
            body = body.replace(line + "\n", "", 1)
            body = re.sub(r'("id":"t0148".*\}),\n', r"\1\n", body)
            return body.replace('"delete": 150', '"delete": 149')
        self.reseal(drop)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 1)
        self.assertIn("deletions_digest", p.stderr)
        # with the digest made to fit, the approval no longer does
        fitting = digest([u for u in t["delete"] if u["id"] != "t0149"])
        self.reseal(lambda b: b.replace(
            '"deletions_digest": "%s"' % t["deletions_digest"],
            '"deletions_digest": "%s"' % fitting))
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 1)
        self.assertIn("approves another set of users", p.stderr)
        self.assertEqual(writes(self.emu.requests()), [])


class ValidateWarningTest(up.TestCase):

    def check(self, policy, mode=None, keep=("alice@acme.example",),
              defaults=None):
        t = {"name": "qa", "vendor": "scim", "url": "https://scim.example",
             "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
             "keep": list(keep), "policy": policy}
        if mode:
            t["mode"] = mode
        self.write_config(t, defaults=defaults)
        p = self.up("validate")
        self.assertRan(p, 0)
        return p.stderr

    def test_guards_switched_off(self):
        self.assertIn("switch the count and percent guards off",
                      self.check({"max_deletions": 1000,
                                  "max_delete_percent": 100}))
        self.assertIn("switch the count and percent guards off",
                      self.check({"max_deletions": 100000,
                                  "max_delete_percent": 90}))
        # raised for a large tenant, the guards still hold
        self.assertEqual("", self.check({"max_deletions": 300,
                                         "max_delete_percent": 100}))
        self.assertEqual("", self.check({"max_deletions": 100000,
                                         "max_delete_percent": 50}))
        # a tenant whose keep list says it is large
        keep = ["u%d@acme.example" % i for i in range(200)]
        self.assertEqual("", self.check({"max_deletions": 1500,
                                         "max_delete_percent": 100},
                                        keep=keep))
        self.assertIn("switch the count and percent guards off",
                      self.check({"max_deletions": 2000,
                                  "max_delete_percent": 100}, keep=keep))

    def test_allow_empty_keep_outside_report(self):
        err = self.check({"allow_empty_keep": True})
        self.assertIn("allow_empty_keep is true outside mode: report", err)
        self.assertEqual("", self.check({"allow_empty_keep": True},
                                        mode="report"))
        err = self.check({}, defaults={"policy": {"allow_empty_keep": True}})
        self.assertIn("allow_empty_keep is true outside mode: report", err)


def git(cwd, *args):
    import os
    import subprocess
    env = dict(os.environ, GIT_AUTHOR_NAME="Ada Admin",
               GIT_AUTHOR_EMAIL="ada@acme.example",
               GIT_COMMITTER_NAME="Ada Admin",
               GIT_COMMITTER_EMAIL="ada@acme.example",
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git"] + list(args), cwd=cwd, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


class CompareRefTest(up.TestCase):
    """plan --compare-ref against real repositories: what changed in the
    keep list since the base branch, and a list that shrank too much."""

    def setUp(self):
        import os
        super().setUp()
        self.repo = self.path("repo")
        os.makedirs(os.path.join(self.repo, "keep"))
        git(self.repo, "init", "-q", "-b", "main")
        self.commit(range(40), "Keep 40")
        users = [up.user("me", "me@acme.example")] + [
            up.user("s%02d" % i, "staff%d@acme.example" % i)
            for i in range(40)]
        with open(self.path("live.json"), "w") as f:
            json.dump({"qa": {"caller": "me", "users": users}}, f)

    def write(self, keep, tenants=("qa",)):
        import yaml
        with open(f"{self.repo}/keep/qa.txt", "w") as f:
            f.write("".join("staff%d@acme.example\n" % i for i in keep))
        doc = {"version": 1, "tenants": [{
            "name": name, "vendor": "scim", "url": "https://scim.example/v2",
            "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
            "keep": [{"file": "keep/qa.txt", "field": "email"}],
            "policy": {"max_delete_percent": 100}} for name in tenants]}
        with open(f"{self.repo}/userprune.yaml", "w") as f:
            yaml.safe_dump(doc, f)

    def commit(self, keep, message, tenants=("qa",)):
        self.write(keep, tenants)
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", message)

    def feature(self, keep, tenants=("qa",)):
        git(self.repo, "checkout", "-q", "-b", "feature")
        self.commit(keep, "Change the keep list", tenants)

    def plan(self, *extra):
        return self.up("plan", "--git-url", "repo", "--git-ref", "feature",
                       "--compare-ref", "main", "--live", "live.json",
                       "-o", "plan.json", *extra)

    def test_a_30_percent_shrink_trips_the_guard(self):
        self.feature(range(28))
        p = self.plan()
        self.assertRan(p, 3)
        g = guards(self.read_plan())["max_keep_shrink_percent"]
        self.assertTrue(g["tripped"])
        self.assertIn("40 keep values at the compared ref, 28 now", g["detail"])
        plan = self.read_plan()
        self.assertEqual(plan["compare"]["ref"], "main")
        self.assertEqual(plan["compare"]["commit"],
                         git(self.repo, "rev-parse", "main"))
        kc = plan["tenants"][0]["keep_changes"]
        removed = sorted("staff%d@acme.example" % i for i in range(28, 40))
        self.assertEqual(kc, {"before": 40, "added": [], "removed": removed})
        self.assertIn("keep list since main", p.stdout)
        self.assertIn("- staff39@acme.example", p.stdout)
        # the markdown lists every removed value, in a collapsible list
        md = self.up("show", "plan.json", "--format", "markdown").stdout
        section = re.search(r"<details><summary>qa: keep values removed "
                            r"since main, 1–12 of 12</summary>(.*?)"
                            r"</details>", md, re.S)
        self.assertIsNotNone(section, md)
        self.assertEqual(sorted(re.findall(r"^- (\S+)$", section.group(1),
                                           re.M)), removed)
        self.assertIn("**12 removed**", md)
        self.assertRan(self.up("apply", "plan.json"), 3)

    def test_a_10_percent_shrink_plans_normally(self):
        self.feature(list(range(36)) + [99])
        p = self.plan("--detailed-exitcode")
        self.assertRan(p, 2)
        plan = self.read_plan()
        g = guards(plan)["max_keep_shrink_percent"]
        self.assertFalse(g["tripped"])
        kc = plan["tenants"][0]["keep_changes"]
        self.assertEqual(kc["before"], 40)
        self.assertEqual(kc["added"], ["staff99@acme.example"])
        self.assertEqual(len(kc["removed"]), 4)
        md = self.up("plan", "--git-url", "repo", "--git-ref", "feature",
                     "--compare-ref", "main", "--live", "live.json",
                     "--format", "markdown").stdout
        self.assertIn("qa: keep values added since main, 1–1 of 1", md)
        self.assertIn("- staff99@acme.example", md)

    def test_the_limit_is_a_policy(self):
        self.feature(range(28))
        import yaml
        with open(f"{self.repo}/userprune.yaml") as f:
            doc = yaml.safe_load(f)
        doc["tenants"][0]["policy"]["max_keep_shrink_percent"] = 30
        with open(f"{self.repo}/userprune.yaml", "w") as f:
            yaml.safe_dump(doc, f)
        git(self.repo, "commit", "-q", "-am", "Allow the shrink")
        self.assertRan(self.plan(), 0)

    def test_a_tenant_new_since_the_ref_has_no_comparison(self):
        self.feature(range(28), tenants=("qa", "fresh"))
        with open(self.path("live.json")) as f:
            live = json.load(f)
        live["fresh"] = live["qa"]
        with open(self.path("live.json"), "w") as f:
            json.dump(live, f)
        p = self.plan("--tenant", "fresh")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertIsNone(t["keep_changes"])
        self.assertNotIn("max_keep_shrink_percent", guards(self.read_plan()))
        self.assertIn("a new tenant, nothing to compare", p.stdout)

    def test_a_ref_before_the_file_existed(self):
        git(self.repo, "checkout", "-q", "--orphan", "empty")
        git(self.repo, "rm", "-rq", "--cached", ".")
        git(self.repo, "commit", "-q", "--allow-empty", "-m", "Nothing yet")
        git(self.repo, "checkout", "-q", "-f", "main")
        p = self.up("plan", "--git-url", "repo", "--compare-ref", "empty",
                    "--live", "live.json")
        self.assertRan(p, 0)
        self.assertIn("a new tenant, nothing to compare", p.stdout)

    def test_needs_a_git_source_and_a_ref_that_exists(self):
        self.write(range(40))
        p = self.up("plan", "-f", "repo/userprune.yaml", "--compare-ref",
                    "main", "--live", "live.json")
        self.assertRan(p, 1)
        self.assertIn("--compare-ref needs a git source", p.stderr)
        p = self.up("plan", "--git-url", "repo", "--compare-ref", "nope",
                    "--live", "live.json")
        self.assertRan(p, 1)
        self.assertIn("--compare-ref nope", p.stderr)
        self.assertIn("git ref 'nope'", p.stderr)
