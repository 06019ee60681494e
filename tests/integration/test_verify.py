"""Post-apply verification (DESIGN §1.13) for every vendor, against the
emulator: a server that answers a deletion as done and keeps the user gets
a failed outcome and exit 4; a healthy run reports every outcome verified;
policy.verify: false lists once."""

import up
from up import remaining

KEEP = [{"email": "keeper*@acme.example"}]
# "admin@example.test": the caller, where the API cannot say who it is
PROTECT = [{"email": "*-admin@acme.example"}, "admin", "admin@example.test"]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}
DONE = {"atlassian": "deleted", "scim": "deleted", "uipath": "deleted",
        "bevy": "scheduled", "automation-anywhere": "deleted",
        "bizagi": "deactivated", "atlassian-org": "deleted"}


class VerifyTest(up.TestCase):

    def tenant_with(self, vendor, sticky=False, **policy):
        pop, roles = up.population(vendor, deletable=6, inactive=0)
        for u in pop["users"]:
            if sticky and u["id"] == roles["delete"][3]:
                u["sticky"] = True
        emu = self.emulator(vendor, population=pop)
        self.write_config(self.tenant(vendor, emu, keep=KEEP,
                                      protect=PROTECT,
                                      policy=dict(POLICY, **policy)))
        return emu, roles

    def test_a_deletion_answered_done_but_not_done_is_failed(self):
        for vendor in DONE:
            with self.subTest(vendor=vendor):
                self.tearDown()
                self.setUp()
                emu, roles = self.tenant_with(vendor, sticky=True)
                self.assertRan(self.up("plan", "-o", "plan.json"), 0)
                p = self.up("apply", "plan.json", "--journal", "j.jsonl")
                self.assertRan(p, 4)
                self.assertIn("Verified: 6 outcomes", p.stdout)
                want = {i: DONE[vendor] for i in roles["delete"]}
                want[roles["delete"][3]] = "failed"
                self.assertEqual(self.outcomes("j.jsonl"), want)
                v = [l for l in self.journal("j.jsonl")
                     if l["type"] == "verify"]
                self.assertEqual((v[0]["checked"], v[0]["still_present"]),
                                 (6, 1))

    def test_a_healthy_run_verifies_every_outcome(self):
        for vendor in DONE:
            with self.subTest(vendor=vendor):
                self.tearDown()
                self.setUp()
                emu, roles = self.tenant_with(vendor)
                p = self.up("apply", "--yes", "--journal", "j.jsonl")
                self.assertRan(p, 0)
                self.assertIn("Verified: 6 outcomes", p.stdout)
                v = [l for l in self.journal("j.jsonl")
                     if l["type"] == "verify"]
                self.assertEqual((v[0]["checked"], v[0]["still_present"]),
                                 (6, 0))
                if DONE[vendor] == "deleted":
                    for i in roles["delete"]:
                        self.assertNotIn(i, remaining(emu))
