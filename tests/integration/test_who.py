"""userprune who VALUE (DESIGN §2): every live account a value names, with
its classification and the rule that decided it, in text and JSON;
read-only against the emulator."""

import copy
import json

import up
from up import writes

SNAPSHOT_USERS = [
    up.user("me", "me@acme.example", "me", "The Caller"),
    up.user("u-boss", "boss@acme.example", "boss", "The Boss"),
    up.user("u-alice", "alice@acme.example", "alice", "Alice"),
    up.user("u-pat", "pat@partner.example", "pat", "Pat Partner"),
    up.user("u-carol", "carol@acme.example", "carol", "Carol"),
    up.user("u-bot", None, "ci-bot", "CI Bot", type="app"),
    up.user("u-svc", "svc-backup@acme.example", "svc-backup", "Backup"),
    up.user("u-gone", "gone@acme.example", "gone", "Gone",
            status="pending_deletion"),
    up.user("u-dave", "dave@acme.example", "dave", "Dave"),
    up.user("bad\u0001id", "odd@acme.example", "odd", "Odd"),
]

# (value, classification, rule, words of the explanation)
CASES = [
    ("me", "protected", "the caller", "protected: the caller"),
    ("boss@acme.example", "protected",
     'protect[0] {email: "boss@acme.example"}',
     'protected by protect[0] {email: "boss@acme.example"}'),
    ("ALICE@acme.example", "kept", "keep[0] 'alice@acme.example'",
     "kept by keep[0] 'alice@acme.example'"),
    ("pat", "kept", 'keep[1] {email: "*@partner.example"}',
     'kept by keep[1] {email: "*@partner.example"}'),
    ("u-carol", "kept", "keep[2] file 'keep.txt'",
     "kept by keep[2] file 'keep.txt' line 3 ('Carol@acme.example')"),
    ("ci-bot", "out_of_scope", "type app",
     "out of scope: type app"),
    ("svc-backup@acme.example", "out_of_scope",
     'scope.exclude[0] {username: "svc-*"}',
     'out of scope: excluded by scope.exclude[0] {username: "svc-*"}'),
    ("gone", "pending", "pending deletion", "pending: "),
    ("dave@ACME.example", "delete", "not kept",
     "planned for deletion: not kept"),
    ("odd", "left_alone", "unnameable id", "left alone: its id holds"),
]


class WhoTest(up.TestCase):

    def setUp(self):
        super().setUp()
        with open(self.path("keep.txt"), "w") as f:
            f.write("# staff\nnobody@acme.example\nCarol@acme.example\n")
        with open(self.path("live.json"), "w") as f:
            json.dump({"qa": {"caller": "me", "users": SNAPSHOT_USERS},
                       "other": {"caller": "me",
                                 "users": SNAPSHOT_USERS[:3]}}, f)
        tenant = {
            "name": "qa", "vendor": "scim", "url": "https://scim.example/v2",
            "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
            "scope": {"exclude": [{"username": "svc-*"}]},
            "keep": ["alice@acme.example", {"email": "*@partner.example"},
                     {"file": "keep.txt", "field": "email"}],
            "protect": [{"email": "boss@acme.example"}]}
        other = dict(copy.deepcopy(tenant), name="other",
                     keep=["nobody@acme.example"],
                     policy={"max_delete_percent": 100})
        self.write_config(tenant, other)

    def who(self, *args):
        return self.up("who", *args, "--live", "live.json", "--tenant", "qa")

    def test_each_classification_in_text(self):
        for value, cls, rule, words in CASES:
            with self.subTest(value=value):
                p = self.who(value)
                self.assertRan(p, 0)
                lines = p.stdout.splitlines()
                self.assertEqual(len(lines), 2, p.stdout)
                self.assertTrue(lines[0].startswith("qa: "), lines[0])
                self.assertIn(words, lines[1])
                # a rule of the file is named with its place in it
                if rule.startswith(("keep", "protect", "scope")):
                    self.assertRegex(lines[1], r"\(userprune\.yaml:\d+:\d+\)$")
        # the id with a control character is shown cleaned
        p = self.who("odd")
        self.assertNotIn("\u0001", p.stdout)

    def test_each_classification_in_json(self):
        for value, cls, rule, words in CASES:
            with self.subTest(value=value):
                p = self.who(value, "--format", "json")
                self.assertRan(p, 0)
                doc = json.loads(p.stdout)
                self.assertEqual(doc["searched"], 1)
                self.assertEqual(doc["errors"], [])
                self.assertEqual(len(doc["accounts"]), 1)
                a = doc["accounts"][0]
                self.assertEqual(a["tenant"], "qa")
                self.assertEqual(a["classification"], cls)
                self.assertEqual(a["rule"], rule)
                self.assertIn(words, a["explanation"])
                if rule.startswith("keep[2]"):
                    self.assertEqual(a["keep_file"],
                                     {"path": "keep.txt", "line": 3,
                                      "value": "Carol@acme.example"})
                    self.assertEqual(a["config"]["file"], "userprune.yaml")
                else:
                    self.assertIsNone(a["keep_file"])

    def test_who_agrees_with_the_plan(self):
        p = self.up("plan", "--live", "live.json", "--tenant", "qa",
                    "-o", "plan.json")
        self.assertRan(p, 0)
        planned = {u["id"]: u["reason"]
                   for u in self.read_plan()["tenants"][0]["delete"]}
        self.assertEqual(planned, {"u-dave": "not kept"})
        p = self.who("*", "--format", "json")
        self.assertRan(p, 0)
        accounts = json.loads(p.stdout)["accounts"]
        self.assertEqual(len(accounts), len(SNAPSHOT_USERS))
        self.assertEqual({a["id"] for a in accounts
                          if a["classification"] == "delete"}, set(planned))

    def test_every_selected_tenant_is_searched(self):
        p = self.up("who", "alice@acme.example", "--live", "live.json",
                    "--format", "json")
        self.assertRan(p, 0)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["searched"], 2)
        got = {a["tenant"]: a["classification"] for a in doc["accounts"]}
        self.assertEqual(got, {"qa": "kept", "other": "delete"})

    def test_a_value_that_names_nobody(self):
        p = self.who("zoe@acme.example")
        self.assertRan(p, 0)
        self.assertIn("No live account is named 'zoe@acme.example' in the "
                      "1 tenant searched", p.stdout)
        p = self.who("zoe@acme.example", "--format", "json")
        self.assertEqual(json.loads(p.stdout)["accounts"], [])

    def test_usage(self):
        self.assertRan(self.up("who"), 1)
        self.assertRan(self.up("who", "a", "b"), 1)
        p = self.up("who", "a", "--tenant", "nope", "--live", "live.json")
        self.assertRan(p, 1)
        self.assertIn("no tenant 'nope'", p.stderr)


class WhoLiveTest(up.TestCase):
    """Against the vendor: read-only, the caller from the vendor, blocked
    accounts, and a listing that failed."""

    def test_read_only_against_the_emulator(self):
        pop, roles = up.population("atlassian", deletable=5)
        emu = self.emulator("atlassian", population=pop)
        self.write_config(self.tenant(
            "atlassian", emu, keep=[{"email": "keeper*@acme.example"}],
            protect=[{"email": "*-admin@acme.example"}]))
        want = {up.USER: "protected: the caller",
                "keeper0@acme.example": "kept by keep[0]",
                "boss0-admin@acme.example": "protected by protect[0]",
                roles["apps"][0]: "out of scope: type app",
                "test4@acme.example": "planned for deletion: not kept"}
        for value, words in want.items():
            with self.subTest(value=value):
                p = self.up("who", value)
                self.assertRan(p, 0)
                self.assertIn(words, p.stdout)
        self.assertEqual(writes(emu.requests()), [])

    def test_blocked_accounts_are_left_alone(self):
        pop, roles = up.population("atlassian-org", deletable=5)
        blocked = roles["delete"][2]
        for u in pop["users"]:
            if u["id"] == blocked:
                u["unmanaged"] = True
        emu = self.emulator("atlassian-org", population=pop)
        t = self.tenant("atlassian-org", emu, keep=["keeper0@acme.example"])
        t["options"]["delete_action"] = "delete"
        self.write_config(t)
        p = self.up("who", blocked, "--format", "json")
        self.assertRan(p, 0)
        a = json.loads(p.stdout)["accounts"][0]
        self.assertEqual((a["classification"], a["rule"]),
                         ("left_alone", "blocked"))
        self.assertIn("left alone: ", a["explanation"])
        self.assertEqual(writes(emu.requests()), [])

    def test_a_failed_listing_is_an_error(self):
        pop, _ = up.population("atlassian", deletable=60)
        emu = self.emulator("atlassian", population=pop, max_page=20,
                            fail_list_at=20)
        self.write_config(self.tenant("atlassian", emu, keep=["x"],
                                      limits={"max_attempts": 1}))
        p = self.up("who", "test1@acme.example")
        self.assertRan(p, 1)
        self.assertIn("t1: ", p.stderr)
