"""Reversible deprovisioning against the emulator, for every vendor with a
confirmed deactivation call (SCIM, Bizagi, Atlassian organizations):
mode: deactivate leaves the users inactive and listed; userprune restore
undoes it (the whole journal, one --user, after an interrupt) with exactly
the inverse requests; scheduled deletions are cancelled within their
window and reported not_undoable after it; deletions are final."""

import datetime
import json
import os
import signal
import time

import up
from emu import REPO
from up import writes

KEEP = [{"email": "keeper*@acme.example"}]
# the caller is protected by email: an API key or client belongs to no user
PROTECT = [{"email": "*-admin@acme.example"}, {"email": up.USER}]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}
ORG_USERS = "/admin/v2/orgs/%s/directories/-/users" % up.ORG_ID
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def backdate(path, days):
    """Moves every outcome line of a journal days into the past."""
    with open(path) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    for l in lines:
        if l["type"] == "outcome":
            t = datetime.datetime.strptime(l["time"][:19],
                                           "%Y-%m-%dT%H:%M:%S")
            l["time"] = (t - datetime.timedelta(days=days)).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z")
    with open(path, "w") as f:
        for l in lines:
            f.write(json.dumps(l) + "\n")


class Vendor:
    """One vendor's deactivation and its restore as the emulator sees
    them."""

    vendor = None
    emu_flags = {}
    options = {}

    def deactivation(self, uid):
        """(method, path) of the request that deactivates uid."""
        raise NotImplementedError

    def restoration(self, uid):
        """(method, path) of the request that reactivates uid."""
        raise NotImplementedError

    def writes_since(self, emu, n):
        return [(r["method"], r["path"]) for r in writes(emu.requests()[n:])]

    def deactivated(self, **kw):
        """A tenant whose planned users apply deactivated (j.jsonl)."""
        emu, roles = self.setup_tenant(**kw)
        self.assertRan(self.up("apply", "--yes", "--journal", "j.jsonl"), 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deactivated" for i in roles["planned"]})
        return emu, roles

    def setup_tenant(self, deletable=8, inactive=2, mode="deactivate",
                     **tenant):
        pop, roles = up.population(self.vendor, deletable=deletable,
                                   inactive=inactive)
        # inactive users are done in mode deactivate: never planned
        roles["planned"] = roles["delete"][inactive:]
        emu = self.emulator(self.vendor, population=pop, **self.emu_flags)
        tenant.setdefault("keep", KEEP)
        tenant.setdefault("protect", PROTECT)
        tenant.setdefault("policy", POLICY)
        tenant.setdefault("limits", {"requests_per_second": 100})
        t = self.tenant(self.vendor, emu, mode=mode, **tenant)
        t["options"] = dict(t.get("options") or {}, **self.options)
        self.write_config(t)
        return emu, roles

    def statuses(self, emu):
        return {u["id"]: u["status"] for u in emu.users()["users"]}

    def test_deactivate_leaves_users_inactive_and_listed(self):
        emu, roles = self.setup_tenant()
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        self.assertEqual(t["mode"], "deactivate")
        self.assertEqual([u["id"] for u in t["delete"]], roles["planned"])
        self.assertEqual(t["counts"]["pending"], 2)
        self.assertEqual(writes(emu.requests()), [])
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deactivated" for i in roles["planned"]})
        self.assertIn("%d deactivated" % len(roles["planned"]), p.stdout)
        self.assertIn("Verified: %d outcomes" % len(roles["planned"]),
                      p.stdout)
        # exactly one deactivation per planned user, nothing else written
        sent = [(r["method"], r["path"]) for r in writes(emu.requests())]
        self.assertEqual(sorted(sent), sorted(self.deactivation(i)
                                              for i in roles["planned"]))
        st = self.statuses(emu)
        for i in roles["delete"]:
            self.assertEqual(st[i], "inactive", i)
        for i in roles["kept"] + roles["protected"] + roles["caller"]:
            self.assertEqual(st[i], "active", i)
        # deactivated users are done: the next plan has nothing to do
        p = self.up("plan", "-o", "again.json", "--detailed-exitcode")
        self.assertRan(p, 0)
        again = self.read_plan("again.json")["tenants"][0]
        self.assertEqual(again["delete"], [])
        self.assertEqual(again["counts"]["pending"], len(roles["delete"]))

    def test_restore_of_the_whole_journal(self):
        emu, roles = self.deactivated()
        n = len(emu.requests())
        # the list comes first; without a terminal, --yes is needed
        p = self.up("restore", "j.jsonl")
        self.assertRan(p, 1)
        self.assertIn("restore needs --yes", p.stderr)
        self.assertIn("%d to restore, 0 not undoable" % len(roles["planned"]),
                      p.stdout)
        for i in roles["planned"]:
            self.assertIn("  + %s  " % i, p.stdout)
        self.assertEqual(self.writes_since(emu, n), [])
        p = self.up("restore", "j.jsonl", "--yes", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        self.assertIn("Restored: %d restored, 0 absent, 0 not undoable, "
                      "0 failed." % len(roles["planned"]), p.stdout)
        self.assertIn("Verified: %d outcomes" % len(roles["planned"]),
                      p.stdout)
        # exactly the inverse calls, once for each of exactly those users
        self.assertEqual(sorted(self.writes_since(emu, n)),
                         sorted(self.restoration(i)
                                for i in roles["planned"]))
        st = self.statuses(emu)
        for i in roles["planned"] + roles["kept"] + roles["protected"]:
            self.assertEqual(st[i], "active", i)
        # never planned (inactive before): left as they were
        for i in roles["delete"][:2]:
            self.assertEqual(st[i], "inactive", i)
        self.assertEqual(self.outcomes("r.jsonl"),
                         {i: "restored" for i in roles["planned"]})
        header = self.journal("r.jsonl")[0]
        self.assertEqual(header["kind"], "restore")
        self.assertEqual(header["restores"],
                         self.journal("j.jsonl")[0]["run_id"])
        # show reads a restore's journal as it reads an apply's
        p = self.up("show", "r.jsonl")
        self.assertRan(p, 0)
        self.assertIn("Outcomes (each user's last): %d restored, 0 absent, "
                      "0 failed, 0 not undoable" % len(roles["planned"]),
                      p.stdout)
        p = self.up("show", "r.jsonl", "--format", "json")
        self.assertEqual(json.loads(p.stdout)["kind"], "restore")
        # done: running it again sends nothing
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--yes", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        self.assertIn("an earlier restore finished it", p.stderr)
        self.assertEqual(emu.requests()[n:], [])

    def test_restore_of_one_user(self):
        emu, roles = self.deactivated()
        one = roles["planned"][2]
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--user", one, "--yes")
        self.assertRan(p, 0)
        self.assertEqual(self.writes_since(emu, n), [self.restoration(one)])
        st = self.statuses(emu)
        self.assertEqual(st[one], "active")
        for i in roles["planned"]:
            if i != one:
                self.assertEqual(st[i], "inactive", i)
        # a user the journal does not name: an error, nothing sent
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--user", "nobody", "--yes")
        self.assertRan(p, 1)
        self.assertIn("no user 'nobody' in the journal", p.stderr)
        self.assertEqual(emu.requests()[n:], [])

    def test_a_user_changed_since_is_restored_and_a_gone_one_absent(self):
        emu, roles = self.deactivated()
        changed, gone = roles["planned"][0], roles["planned"][1]
        # the same account, under another email: restored all the same
        emu.patch_user(changed, {"email": "renamed@acme.example"})
        emu.remove_user(gone)
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--yes", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        out = self.outcomes("r.jsonl")
        self.assertEqual(out[changed], "restored")
        self.assertEqual(out[gone], "absent")
        self.assertEqual(sorted(self.writes_since(emu, n)),
                         sorted(self.restoration(i)
                                for i in roles["planned"] if i != gone))
        self.assertEqual(self.statuses(emu)[changed], "active")

    def test_a_failed_first_restore_stops_the_tenant(self):
        emu, roles = self.deactivated()
        first = [l["id"] for l in self.journal("j.jsonl")
                 if l["type"] == "outcome"][0]
        emu.patch_user(first, {"fail_delete": 400})
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--yes", "--journal", "r.jsonl")
        self.assertRan(p, 4)
        self.assertIn("the first restore, of '%s', failed" % first, p.stderr)
        self.assertIn("%d not attempted" % (len(roles["planned"]) - 1),
                      p.stdout)
        # the canary alone went out
        self.assertEqual(self.writes_since(emu, n),
                         [self.restoration(first)])
        self.assertEqual(self.outcomes("r.jsonl"), {first: "failed"})
        # fixed, the same journal goes on: the failed one is tried again
        emu.patch_user(first, {"fail_delete": 0})
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--yes", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        self.assertIn("(again: an earlier restore failed)", p.stdout)
        self.assertEqual(sorted(self.writes_since(emu, n)),
                         sorted(self.restoration(i)
                                for i in roles["planned"]))
        self.assertEqual(self.outcomes("r.jsonl"),
                         {i: "restored" for i in roles["planned"]})

    def test_interrupted_restore_resumes(self):
        emu, roles = self.deactivated(
            deletable=40, limits={"requests_per_second": 100,
                                  "concurrency": 1})
        emu.set_config(latency_ms=60)
        n = len(emu.requests())
        proc = self.spawn("restore", "j.jsonl", "--yes", "--journal",
                          "r.jsonl")
        deadline = time.time() + 60
        while len(self.writes_since(emu, n)) < 5 and time.time() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 130, err)
        self.assertIn("to finish later: userprune restore j.jsonl --journal "
                      "r.jsonl", err)
        first = self.outcomes("r.jsonl")
        self.assertLess(len(first), len(roles["planned"]))
        self.assertEqual(set(first.values()), {"restored"})
        emu.set_config(latency_ms=0)
        p = self.up("restore", "j.jsonl", "--yes", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        self.assertIn("finished by an earlier restore", p.stdout)
        # every user asked for exactly once over both runs
        self.assertEqual(sorted(self.writes_since(emu, n)),
                         sorted(self.restoration(i)
                                for i in roles["planned"]))
        self.assertEqual(self.outcomes("r.jsonl"),
                         {i: "restored" for i in roles["planned"]})
        st = self.statuses(emu)
        for i in roles["planned"]:
            self.assertEqual(st[i], "active", i)


class ScimTest(Vendor, up.TestCase):
    vendor = "scim"
    # Bulk is offered and DELETE is not there: neither is used
    emu_flags = {"scim_bulk": True, "scim_no_delete": True}

    def deactivation(self, uid):
        return ("PATCH", "/scim/v2/Users/" + uid)

    restoration = deactivation

    def test_the_patch_says_active_false(self):
        emu, roles = self.setup_tenant(deletable=3, inactive=0,
                                       options={"delete_method": "delete"})
        self.assertRan(self.up("apply", "--yes", "--journal", "j.jsonl"), 0)
        patches = [r for r in emu.requests() if r["method"] == "PATCH"]
        self.assertEqual(len(patches), 3)
        for r in patches:
            self.assertEqual(json.loads(r["body"]), {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "path": "active",
                                "value": False}]})
        n = len(emu.requests())
        self.assertRan(self.up("restore", "j.jsonl", "--yes"), 0)
        patches = [r for r in emu.requests()[n:] if r["method"] == "PATCH"]
        self.assertEqual(len(patches), 3)
        for r in patches:
            self.assertEqual(json.loads(r["body"]), {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "path": "active",
                                "value": True}]})


class BizagiTest(Vendor, up.TestCase):
    vendor = "bizagi"
    options = {"environment": "test"}

    def deactivation(self, uid):
        return ("PATCH", "/scim/v2/Users/" + uid)

    restoration = deactivation


class AtlassianOrgTest(Vendor, up.TestCase):
    vendor = "atlassian-org"

    def deactivation(self, uid):
        return ("POST", "%s/%s/suspend" % (ORG_USERS, uid))

    def restoration(self, uid):
        return ("POST", "%s/%s/restore" % (ORG_USERS, uid))

    def test_mode_deactivate_suspends_whatever_delete_action_says(self):
        emu, roles = self.setup_tenant(
            deletable=3, inactive=0,
            options={"org_id": up.ORG_ID, "delete_action": "delete"})
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deactivated" for i in roles["planned"]})
        sent = [(r["method"], r["path"]) for r in writes(emu.requests())]
        self.assertEqual(sorted(sent), sorted(self.deactivation(i)
                                              for i in roles["planned"]))
        self.assertIn("mode: deactivate: the 3 users are suspended",
                      p.stdout)


class ResumedRunTest(up.TestCase):
    """A run killed and resumed into another journal: restoring the last
    journal restores what both runs did."""

    def test_restore_reads_the_runs_it_resumed(self):
        pop, roles = up.population("scim", deletable=60, inactive=0)
        emu = self.emulator("scim", population=pop, latency_ms=15)
        self.write_config(self.tenant(
            "scim", emu, keep=KEEP, protect=PROTECT, policy=POLICY,
            mode="deactivate", limits={"concurrency": 1}))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        proc = self.spawn("apply", "plan.json", "--journal", "j1.jsonl")
        deadline = time.time() + 60
        while len(emu.deletes()) < 10 and time.time() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        self.assertRan(self.up("apply", "--resume", "j1.jsonl", "--journal",
                               "j2.jsonl"), 0)
        j1, j2 = self.outcomes("j1.jsonl"), self.outcomes("j2.jsonl")
        self.assertTrue(j1 and j2)
        emu.set_config(latency_ms=0)
        n = len(emu.requests())
        p = self.up("restore", "j2.jsonl", "--yes", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        out = self.outcomes("r.jsonl")
        # what both runs deactivated, the last outcome of each counting;
        # a request in flight at the kill that went out unrecorded left
        # its user inactive, and the resume recorded it skipped (changed
        # since the plan): the journal does not say userprune did it, so
        # restore leaves it alone
        done = {i for i, o in {**j1, **j2}.items() if o == "deactivated"}
        self.assertGreaterEqual(len(done), len(roles["delete"]) - 1)
        self.assertEqual(out, {i: "restored" for i in done})
        patched = [r["path"].rsplit("/", 1)[1]
                   for r in writes(emu.requests()[n:])]
        self.assertEqual(sorted(patched), sorted(done))
        for u in emu.users()["users"]:
            if u["id"] in out:
                self.assertEqual(u["status"], "active", u["id"])


class FinalTest(up.TestCase):
    """A run that only deleted: restore sends nothing, not even a listing,
    reports each user as final, and exits 0."""

    def run_deleting(self, vendor, **tenant):
        pop, roles = up.population(vendor, deletable=4, inactive=0)
        emu = self.emulator(vendor, population=pop)
        self.write_config(self.tenant(vendor, emu, keep=KEEP,
                                      protect=PROTECT, policy=POLICY,
                                      **tenant))
        self.assertRan(self.up("apply", "--yes", "--journal", "j.jsonl"), 0)
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        self.assertIn("0 to restore, 4 not undoable", p.stdout)
        self.assertIn("Restored: 0 restored, 0 absent, 4 not undoable, "
                      "0 failed.", p.stdout)
        self.assertEqual(emu.requests()[n:], [])
        lines = [l for l in self.journal("r.jsonl")
                 if l["type"] == "outcome"]
        self.assertEqual(sorted(l["id"] for l in lines),
                         sorted(roles["delete"]))
        for l in lines:
            self.assertEqual((l["outcome"], l["http_status"]),
                             ("not_undoable", None))
        return lines

    def test_scim_deletions_are_final(self):
        for l in self.run_deleting("scim"):
            self.assertEqual(l["detail"], "deleted is final")

    def test_organization_removals_are_final(self):
        for l in self.run_deleting("atlassian-org", options={
                "org_id": up.ORG_ID}):
            self.assertEqual(l["detail"], "deleted is final (removed from "
                             "the organization: re-invite to undo)")

    def test_site_removals_are_final(self):
        for l in self.run_deleting("atlassian"):
            self.assertEqual(l["detail"], "deleted is final (removed from "
                             "the site: re-invite to undo)")

    def test_bevy_scheduled_deletions_cannot_be_cancelled_yet(self):
        lines = self.run_deleting("bevy")
        # seven days from when the apply recorded each deletion
        sent = {l["id"]: l["time"][:10] for l in self.journal("j.jsonl")
                if l["type"] == "outcome"}
        for l in lines:
            day = (datetime.datetime.strptime(sent[l["id"]], "%Y-%m-%d") +
                   datetime.timedelta(days=7)).strftime("%Y-%m-%d")
            self.assertEqual(l["detail"], "Bevy's cancel call is not known "
                             "to userprune: cancel the deletion in Bevy "
                             "until " + day)


class ScheduledTest(up.TestCase):
    """atlassian-org delete_action: delete schedules deletions: restore
    cancels them within the 14 days, and after them sends nothing."""

    def scheduled(self, deletable=6):
        pop, roles = up.population("atlassian-org", deletable=deletable,
                                   inactive=0)
        emu = self.emulator("atlassian-org", population=pop)
        self.write_config(self.tenant(
            "atlassian-org", emu, keep=KEEP, protect=PROTECT, policy=POLICY,
            options={"org_id": up.ORG_ID, "delete_action": "delete"}))
        self.assertRan(self.up("apply", "--yes", "--journal", "j.jsonl"), 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "scheduled" for i in roles["delete"]})
        return emu, roles

    def test_cancelled_within_the_window(self):
        emu, roles = self.scheduled()
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--yes", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        self.assertIn("cancel the scheduled deletion", p.stdout)
        sent = [(r["method"], r["path"]) for r in writes(emu.requests()[n:])]
        self.assertEqual(sorted(sent), sorted(
            ("POST", "/users/%s/manage/lifecycle/cancel-delete" % i)
            for i in roles["delete"]))
        self.assertEqual(self.outcomes("r.jsonl"),
                         {i: "restored" for i in roles["delete"]})
        for i in roles["delete"]:
            self.assertEqual(emu.user(i)["status"], "active")

    def test_after_the_window_nothing_is_sent(self):
        emu, roles = self.scheduled()
        backdate(self.path("j.jsonl"), 15)
        # the window: 14 days from when the apply recorded each deletion
        ended = {l["id"]: (datetime.datetime.strptime(
            l["time"][:10], "%Y-%m-%d") + datetime.timedelta(days=14)
        ).strftime("%Y-%m-%d") for l in self.journal("j.jsonl")
            if l["type"] == "outcome"}
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(emu.requests()[n:], [])
        lines = [l for l in self.journal("r.jsonl")
                 if l["type"] == "outcome"]
        self.assertEqual(len(lines), len(roles["delete"]))
        for l in lines:
            self.assertEqual((l["outcome"], l["detail"]),
                             ("not_undoable",
                              "window ended on " + ended[l["id"]]))
        for i in roles["delete"]:
            self.assertEqual(emu.user(i)["status"], "pending_deletion")


class JournalTest(up.TestCase):
    """A restore's journal and an apply's never mix; a journal can name
    nobody the plan did not plan into a request."""

    def deactivated(self):
        pop, roles = up.population("scim", deletable=4, inactive=0)
        emu = self.emulator("scim", population=pop)
        self.write_config(self.tenant("scim", emu, keep=KEEP,
                                      protect=PROTECT, policy=POLICY,
                                      mode="deactivate"))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        self.assertRan(self.up("apply", "plan.json", "--journal", "j.jsonl"),
                       0)
        return emu, roles

    def test_kinds_never_mix(self):
        emu, roles = self.deactivated()
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 1)
        self.assertIn("is the journal of an apply: a restore writes one of "
                      "its own", p.stderr)
        self.assertRan(self.up("restore", "j.jsonl", "--yes", "--journal",
                               "r.jsonl"), 0)
        p = self.up("apply", "--resume", "r.jsonl", "plan.json")
        self.assertRan(p, 1)
        self.assertIn("is the journal of a restore, not of an apply",
                      p.stderr)
        p = self.up("apply", "plan.json", "--journal", "r.jsonl")
        self.assertRan(p, 1)
        self.assertIn("is the journal of a restore, not of an apply",
                      p.stderr)
        p = self.up("restore", "r.jsonl", "--yes")
        self.assertRan(p, 1)
        self.assertIn("is the journal of a restore, not of an apply",
                      p.stderr)
        self.assertEqual(len(writes(emu.requests()[n:])), 4)

    def test_the_plan_found_beside_the_journal_or_named(self):
        emu, roles = self.deactivated()
        os.makedirs(self.path("kept"))
        os.rename(self.path("j.jsonl"), self.path("kept", "j.jsonl"))
        os.rename(self.path("plan.json"), self.path("kept", "plan.json"))
        p = self.up("restore", "kept/j.jsonl", "--user", roles["delete"][0],
                    "--yes")
        self.assertRan(p, 0)
        self.assertIn("plan kept/plan.json", p.stdout)
        os.rename(self.path("kept", "plan.json"), self.path("elsewhere.json"))
        p = self.up("restore", "kept/j.jsonl", "--yes")
        self.assertRan(p, 1)
        self.assertIn("the plan file it recorded (plan.json) is not there",
                      p.stderr)
        # another plan is refused: its settings are not the run's
        self.assertRan(self.up("plan", "-o", "other.json"), 0)
        p = self.up("restore", "kept/j.jsonl", "other.json", "--yes")
        self.assertRan(p, 1)
        self.assertIn("is not the plan kept/j.jsonl applied", p.stderr)
        p = self.up("restore", "kept/j.jsonl", "elsewhere.json", "--yes")
        self.assertRan(p, 0)

    def test_a_user_the_plan_did_not_plan_is_never_touched(self):
        emu, roles = self.deactivated()
        lines = self.journal("j.jsonl")
        # an edited journal claims the kept user was deactivated
        forged = dict(lines[1], id=roles["kept"][0], email="keeper0@x")
        with open(self.path("j.jsonl"), "a") as f:
            f.write(json.dumps(forged) + "\n")
        n = len(emu.requests())
        p = self.up("restore", "j.jsonl", "--yes", "--journal", "r.jsonl")
        self.assertRan(p, 0)
        out = self.outcomes("r.jsonl")
        self.assertEqual(out[roles["kept"][0]], "not_undoable")
        self.assertNotIn(roles["kept"][0], " ".join(
            r["path"] for r in emu.requests()[n:]))
        self.assertEqual(len(writes(emu.requests()[n:])), 4)


    def test_not_while_an_apply_holds_the_journal(self):
        import fcntl
        emu, roles = self.deactivated()
        n = len(emu.requests())
        with open(self.path("j.jsonl")) as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            p = self.up("restore", "j.jsonl", "--yes")
        self.assertRan(p, 1)
        self.assertIn("j.jsonl is in use by another userprune", p.stderr)
        self.assertEqual(emu.requests()[n:], [])

    def test_journal_lines_follow_the_schema(self):
        import jsonschema
        with open(os.path.join(REPO, "schema",
                               "journal.schema.json")) as f:
            schema = json.load(f)
        emu, roles = self.deactivated()
        self.assertRan(self.up("restore", "j.jsonl", "--yes", "--journal",
                               "r.jsonl"), 0)
        v = jsonschema.Draft202012Validator(schema)
        kinds = set()
        for name in ("j.jsonl", "r.jsonl"):
            for line in self.journal(name):
                v.validate(line)
                kinds.add(line["type"])
        self.assertEqual(kinds, {"header", "outcome", "verify", "summary"})
        # and a line that is not one is refused
        bad = dict(self.journal("r.jsonl")[1], outcome="undone")
        self.assertFalse(v.is_valid(bad))
        bad = dict(self.journal("r.jsonl")[0])
        del bad["restores"]
        self.assertFalse(v.is_valid(bad))


class ValidateTest(up.TestCase):
    """validate refuses mode deactivate where no deactivation call is
    confirmed, and names the vendors that have one."""

    def test_refused_for_vendors_without_a_deactivation_call(self):
        names = ("atlassian", "uipath", "bevy", "automation-anywhere")
        tenants = []
        for v in names:
            t = {"name": v, "vendor": v, "url": "https://%s.example" % v,
                 "auth": dict(up.AUTH[v]), "mode": "deactivate",
                 "keep": ["alice@acme.example"]}
            if v == "uipath":
                t["options"] = {"partition_global_id": up.UIPATH_PARTITION}
            tenants.append(t)
        self.write_config(*tenants)
        p = self.up("validate")
        self.assertRan(p, 1)
        for v in names:
            self.assertIn("mode 'deactivate': vendor '%s' has no confirmed "
                          "call that deactivates a user; only atlassian-org, "
                          "bizagi and scim have one" % v, p.stderr)
        self.assertIn("4 errors, nothing done", p.stderr)
        # and plan sends nothing: the file does not load
        p = self.up("plan")
        self.assertRan(p, 1)

    def test_accepted_for_vendors_with_one(self):
        tenants = []
        for v in ("atlassian-org", "bizagi", "scim"):
            t = {"name": v, "vendor": v, "url": "https://%s.example" % v,
                 "auth": dict(up.AUTH[v]), "keep": ["alice@acme.example"]}
            if v == "atlassian-org":
                t["options"] = {"org_id": up.ORG_ID}
            tenants.append(t)
        self.write_config(*tenants, defaults={"mode": "deactivate"})
        p = self.up("validate")
        self.assertRan(p, 0)
        p = self.up("tenants", "--format", "json")
        self.assertRan(p, 0)
        self.assertEqual({t["mode"] for t in json.loads(p.stdout)["tenants"]},
                         {"deactivate"})
