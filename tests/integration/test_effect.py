"""The effect of every change in the plan (DESIGN §4): each vendor's words
in the JSON plan, users grouped by effect in text and markdown, the keep
list's blast radius, and the requests and time an apply will take."""

import datetime
import json
import re

import up

SITE = "removed from the site (re-invite to undo)"
ORG = "removed from the organization (re-invite to undo)"
DEACTIVATED = "deactivated (restore with userprune restore)"
DELETED = "deleted (irreversible)"
SCIM_DELETE_DEACTIVATES = ("deactivated by the server's DELETE (userprune "
                           "restore asks for it back; some servers refuse)")

# tenant name -> (vendor, settings, the effect; None: scheduled, by days)
TENANTS = {
    "jira": ("atlassian", {}, SITE),
    "org-remove": ("atlassian-org", {"options": {"org_id": "acme"}}, ORG),
    "org-suspend": ("atlassian-org", {"options": {
        "org_id": "acme", "delete_action": "suspend"}}, DEACTIVATED),
    "org-delete": ("atlassian-org", {"options": {
        "org_id": "acme", "delete_action": "delete"}},
        ("scheduled for deletion (cancellable until", 14)),
    "org-deactivate": ("atlassian-org", {"mode": "deactivate", "options": {
        "org_id": "acme", "delete_action": "delete"}}, DEACTIVATED),
    "uipath": ("uipath", {"options": {
        "partition_global_id": up.UIPATH_PARTITION}}, DELETED),
    "bevy": ("bevy", {},
             ("scheduled for deletion (cancellable in Bevy until", 7)),
    "aa": ("automation-anywhere", {}, DELETED),
    "bizagi": ("bizagi", {}, DEACTIVATED),
    "bizagi-deactivate": ("bizagi", {"mode": "deactivate"}, DEACTIVATED),
    "scim": ("scim", {}, DELETED),
    "scim-patch": ("scim", {"options": {"delete_method": "deactivate"}},
                   DEACTIVATED),
    "scim-outcome": ("scim", {"options": {"delete_outcome": "deactivated"}},
                     SCIM_DELETE_DEACTIVATES),
    "scim-mode": ("scim", {"mode": "deactivate"}, DEACTIVATED),
}


def expected(effect, created):
    if isinstance(effect, str):
        return effect
    words, days = effect
    day = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ") + \
        datetime.timedelta(days=days)
    return "%s %s)" % (words, day.strftime("%Y-%m-%d"))


class EffectTest(up.TestCase):

    def write_all(self):
        tenants = []
        snapshot = {}
        for name, (vendor, extra, _) in TENANTS.items():
            t = {"name": name, "vendor": vendor,
                 "url": "https://%s.example" % name,
                 "auth": dict(up.AUTH[vendor]), "keep": ["keeper@acme.example"],
                 "policy": {"max_delete_percent": 100}}
            t.update(extra)
            tenants.append(t)
            snapshot[name] = {"caller": None, "users": [
                {"id": "%s-keeper" % name, "email": "keeper@acme.example"},
                {"id": "%s-a" % name, "email": "a@acme.example"},
                {"id": "%s-b" % name, "email": "b@acme.example"}]}
        self.write_config(*tenants)
        with open(self.path("live.json"), "w") as f:
            json.dump(snapshot, f)

    def test_every_vendor_effect_in_the_json_plan(self):
        self.write_all()
        p = self.up("plan", "--live", "live.json", "-o", "plan.json")
        self.assertRan(p, 0)
        plan = self.read_plan()
        self.assertEqual([t["name"] for t in plan["tenants"]], list(TENANTS))
        for t in plan["tenants"]:
            want = expected(TENANTS[t["name"]][2], plan["created"])
            self.assertEqual([(u["id"], u["effect"]) for u in t["delete"]],
                             [("%s-a" % t["name"], want),
                              ("%s-b" % t["name"], want)], t["name"])
        # the text shows the same words over each tenant's users
        for t in plan["tenants"]:
            want = expected(TENANTS[t["name"]][2], plan["created"])
            self.assertIn("\n  the keep list keeps 1 of 3 users in scope\n"
                          "  apply needs at least ", p.stdout)
            self.assertIn("\n  2 users %s:\n  - %s-a  a@acme.example\n"
                          "  - %s-b  b@acme.example\n"
                          % (want, t["name"], t["name"]), p.stdout)

    def test_markdown_groups_users_by_effect(self):
        self.write_all()
        self.assertRan(self.up("plan", "--live", "live.json", "-o",
                               "plan.json"), 0)
        plan = self.read_plan()
        md = self.up("show", "plan.json", "--format", "markdown")
        self.assertRan(md, 0)
        for t in plan["tenants"]:
            want = expected(TENANTS[t["name"]][2], plan["created"])
            head = "\n### %s (%s)\n" % (t["name"].replace("_", "\\_"),
                                        t["vendor"])
            section = md.stdout.split(head, 1)[1].split("\n### ", 1)[0]
            self.assertIn("- the keep list keeps 1 of 3 users in scope\n",
                          section)
            summaries = re.findall(r"<details><summary>(.*?)</summary>",
                                   section)
            self.assertEqual(summaries, ["%s: 2 users %s, 1–2" % (
                t["name"], want.replace("'", "'"))])
            self.assertIn("| %s-a | a@acme.example |" % t["name"], section)

    def test_requests_and_duration_at_the_tenant_rate(self):
        pop, roles = up.population("atlassian", deletable=40)
        emu = self.emulator("atlassian", population=pop)
        self.write_config(self.tenant(
            "atlassian", emu, keep=[{"email": "keeper*@acme.example"}],
            protect=[{"email": "*-admin@acme.example"}],
            policy={"max_delete_percent": 100},
            limits={"requests_per_second": 4}))
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        t = self.read_plan()["tenants"][0]
        # the listing again, its caller, and one DELETE a user
        self.assertGreaterEqual(t["requests"], 40)
        self.assertIn("  the keep list keeps 5 of 48 users in scope\n",
                      p.stdout)
        self.assertIn("  apply needs about %d requests: about %d s at 4 "
                      "requests a second\n" % (t["requests"],
                                                round(t["requests"] / 4)),
                      p.stdout)
        self.assertIn("  40 users %s:\n" % SITE, p.stdout)
        self.assertEqual(up.writes(emu.requests()), [])
