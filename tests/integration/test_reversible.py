"""Reversible deprovisioning against the emulator, for every vendor with a
confirmed deactivation call (SCIM, Bizagi, Atlassian organizations):
mode: deactivate leaves the users inactive and listed, and nothing else is
sent."""

import json

import up
from up import writes

KEEP = [{"email": "keeper*@acme.example"}]
# the caller is protected by email: an API key or client belongs to no user
PROTECT = [{"email": "*-admin@acme.example"}, {"email": up.USER}]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}
ORG_USERS = "/admin/v2/orgs/%s/directories/-/users" % up.ORG_ID
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Vendor:
    """One vendor's deactivation as the emulator sees it."""

    vendor = None
    emu_flags = {}
    options = {}

    def deactivation(self, uid):
        """(method, path) of the request that deactivates uid."""
        raise NotImplementedError

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


class ScimTest(Vendor, up.TestCase):
    vendor = "scim"
    # Bulk is offered and DELETE is not there: neither is used
    emu_flags = {"scim_bulk": True, "scim_no_delete": True}

    def deactivation(self, uid):
        return ("PATCH", "/scim/v2/Users/" + uid)

    def test_the_patch_says_active_false(self):
        emu, roles = self.setup_tenant(deletable=3, inactive=0,
                                       options={"delete_method": "delete"})
        self.assertRan(self.up("apply", "--yes"), 0)
        patches = [r for r in emu.requests() if r["method"] == "PATCH"]
        self.assertEqual(len(patches), 3)
        for r in patches:
            self.assertEqual(json.loads(r["body"]), {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "path": "active",
                                "value": False}]})


class BizagiTest(Vendor, up.TestCase):
    vendor = "bizagi"
    options = {"environment": "test"}

    def deactivation(self, uid):
        return ("PATCH", "/scim/v2/Users/" + uid)


class AtlassianOrgTest(Vendor, up.TestCase):
    vendor = "atlassian-org"

    def deactivation(self, uid):
        return ("POST", "%s/%s/suspend" % (ORG_USERS, uid))

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
