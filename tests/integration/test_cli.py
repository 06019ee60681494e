"""The command line offline: help, usage errors, exit codes, plan files
and their renderings, colour."""

import json
import os
import re
import shutil

import yaml

import up

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
COMMANDS = ("validate", "plan", "apply", "show", "tenants", "import",
            "version")


class CliTest(up.TestCase):

    def setUp(self):
        super().setUp()
        for f in ("demo.yaml", "demo-live.json"):
            shutil.copy(os.path.join(ROOT, "examples", f), self.path(f))
        shutil.copytree(os.path.join(ROOT, "examples", "keep"),
                        self.path("keep"))
        self.env.update({"JIRA_EMAIL": "x", "JIRA_API_TOKEN": "y"})

    def test_help_for_every_command_lists_exit_codes(self):
        p = self.up("--help")
        self.assertRan(p, 0)
        for c in COMMANDS:
            self.assertIn(c, p.stdout)
        for c in COMMANDS:
            with self.subTest(command=c):
                p = self.up(c, "--help")
                self.assertRan(p, 0)
                self.assertIn(f"usage: userprune {c}", p.stdout)
                self.assertIn("130", p.stdout)
                self.assertIn("a guard refused the plan", p.stdout)

    def test_apply_refuses_an_unknown_tenant(self):
        self.assertRan(self.up("plan", "-f", "demo.yaml", "--live",
                               "demo-live.json", "-o", "p.json"), 0)
        p = self.up("apply", "p.json", "--tenant", "typo")
        self.assertRan(p, 1)
        self.assertIn("no tenant 'typo' in the plan", p.stderr)

    def test_usage_errors(self):
        for args, want in ((["frobnicate"], "unknown command 'frobnicate'"),
                           (["plan", "--bogus"], "unrecognized option"),
                           (["plan", "--format", "xml"], "--format must be"),
                           (["show"], "which plan file?"),
                           (["plan", "-f", "a", "--git-url", "b"],
                            "two sources"),
                           (["import"], "--tenant NAME or --csv FILE"),
                           (["--color", "sometimes", "plan"], "--color")):
            with self.subTest(args=args):
                p = self.up(*args)
                self.assertRan(p, 1)
                self.assertIn(want, p.stderr)

    def test_version(self):
        p = self.up("version")
        self.assertRan(p, 0)
        self.assertRegex(p.stdout, r"^userprune \d+\.\d+\.\d+\n$")

    def test_missing_config(self):
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn("userprune.yaml", p.stderr)

    def test_plan_file_round_trip_and_tampering(self):
        p = self.up("plan", "-f", "demo.yaml", "--live", "demo-live.json",
                    "-o", "p.json", "--detailed-exitcode")
        self.assertRan(p, 2)
        self.assertIn("212 to delete", p.stdout)
        plan = self.read_plan("p.json")
        self.assertEqual(plan["format_version"], 1)
        self.assertEqual(plan["summary"]["delete"], 212)
        self.assertEqual(plan["tenants"][0]["auth"]["password"],
                         "${env:JIRA_API_TOKEN}")
        md = self.up("show", "p.json", "--format", "markdown")
        self.assertRan(md, 0)
        self.assertIn("| jira-qa | atlassian | 299 | 291 | 76 | 3 | 0 | "
                      "**212** |", md.stdout)
        js = self.up("show", "p.json", "--format", "json")
        self.assertEqual(js.stdout, open(self.path("p.json")).read())
        text = self.up("show", "p.json")
        self.assertIn("212 users to delete", text.stdout)
        # one byte changed anywhere: refused, by show and by apply
        data = bytearray(open(self.path("p.json"), "rb").read())
        at = data.index(b"migr-test-007")
        data[at + 12] = ord("8")
        open(self.path("p.json"), "wb").write(bytes(data))
        for cmd in (["show", "p.json"], ["apply", "p.json"]):
            p = self.up(*cmd)
            self.assertRan(p, 1)
            self.assertIn("checksum mismatch", p.stderr)

    def test_guard_exit_code_offline(self):
        cfg = yaml.safe_load(open(self.path("demo.yaml")))
        del cfg["tenants"][0]["policy"]
        yaml.safe_dump(cfg, open(self.path("strict.yaml"), "w"))
        p = self.up("plan", "-f", "strict.yaml", "--live", "demo-live.json",
                    "-o", "p.json")
        self.assertRan(p, 3)
        self.assertIn("REFUSED max_deletions: 212 deletions planned, "
                      "policy.max_deletions is 100", p.stdout)
        self.assertTrue(self.read_plan("p.json")["summary"]["refused"])
        p = self.up("apply", "p.json")
        self.assertRan(p, 3)

    def test_colour(self):
        args = ("plan", "-f", "demo.yaml", "--live", "demo-live.json")
        self.assertNotIn("\033[", self.up(*args).stdout)
        p = self.up("--color", "always", *args)
        self.assertIn("\033[31m", p.stdout)
        p = self.up(*args, "--color=never")
        self.assertNotIn("\033[", p.stdout)

    def test_validate_says_ok_and_counts_tenants(self):
        p = self.up("validate", "-f", "demo.yaml")
        self.assertRan(p, 0)
        self.assertEqual(p.stdout,
                         "userprune: demo.yaml: configuration OK (1 tenant)\n")
        p = self.up("validate", "-f", "demo.yaml", "-q")
        self.assertEqual(p.stdout, "")

    def test_snapshot_errors_name_the_place(self):
        with open(self.path("bad.json"), "w") as f:
            f.write('{"jira-qa": [{"id": "a"}, {"id": "b", "type": "bot"}]}')
        p = self.up("plan", "-f", "demo.yaml", "--live", "bad.json")
        self.assertRan(p, 1)
        self.assertIn("bad.json:1: tenant 'jira-qa': users[1]: 'type' must "
                      "be human, app, robot, customer or unknown, not 'bot'",
                      p.stderr)
        with open(self.path("cut.json"), "w") as f:
            f.write('{"jira-qa": [{"id": "a"}, {"id": "b"')
        p = self.up("plan", "-f", "demo.yaml", "--live", "cut.json")
        self.assertRan(p, 1)
        self.assertIn("malformed JSON", p.stderr)
