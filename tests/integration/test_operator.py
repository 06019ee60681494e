"""What an admin runs into on the command line (the operator-experience
pass): selection needs only the selected tenants' secrets and keep files,
tenant names are suggested, validate says what plan would refuse, plan -o
fails before listing, messages name what the user typed."""

import json
import os
import re

import yaml

import up
from test_shard import shard_of

POLICY = {"max_deletions": 1000, "max_delete_percent": 100}


class SelectionNeedsOnlyItsSecretsTest(up.TestCase):
    """Two tenants; the second's secret is not set and its keep file is
    missing, as in a CI job that holds one tenant's secrets."""

    def setUp(self):
        super().setUp()
        self.pop, self.roles = up.population("scim", deletable=3)
        self.emu = self.emulator("scim", population=self.pop)
        keep = [{"file": "keep-a.txt"}, {"email": "boss*"}]
        with open(self.path("keep-a.txt"), "w") as f:
            f.write("".join(f"keeper{i}@acme.example\n" for i in range(5)))
        a = self.tenant("scim", self.emu, name="team-a", keep=keep,
                        policy=dict(POLICY))
        b = self.tenant("scim", self.emu, name="team-b",
                        keep=[{"file": "keep-b.txt"}], policy=dict(POLICY))
        b["auth"]["token"] = "${env:TEAM_B_TOKEN}"
        b["tls"] = {"ca_file": "team-b-ca.pem"}
        self.write_config(a, b)

    def test_plan_import_validate_and_apply_of_one_tenant(self):
        p = self.up("validate", "--tenant", "team-a")
        self.assertRan(p, 0)
        self.assertIn("configuration OK (2 tenants, 1 selected)", p.stdout)
        p = self.up("plan", "--tenant", "team-a", "-o", "plan.json")
        self.assertRan(p, 0)
        self.assertIn("3 to delete", p.stdout)
        self.assertEqual([t["name"] for t in self.read_plan()["tenants"]],
                         ["team-a"])
        p = self.up("import", "--tenant", "team-a")
        self.assertRan(p, 0)
        self.assertIn('"keeper0@acme.example"', p.stdout)
        p = self.up("apply", "--tenant", "team-a", "--yes",
                    "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(sorted(self.emu.deletes()),
                         sorted(self.roles["delete"]))

    def test_the_other_tenants_secrets_are_still_needed_for_themselves(self):
        for args in (["plan"], ["plan", "--tenant", "team-b"],
                     ["validate"], ["validate", "--tenant", "team-b"],
                     ["import", "--tenant", "team-b"]):
            with self.subTest(args=args):
                p = self.up(*args)
                self.assertRan(p, 1)
                self.assertIn("'TEAM_B_TOKEN' is not set", p.stderr)
        self.assertEqual(up.writes(self.emu.requests()), [])

    def test_shard_needs_only_its_tenants_secrets(self):
        # team-a is in shard 1 of 3, team-b in shard 3
        self.assertEqual((shard_of("team-a", 3), shard_of("team-b", 3)),
                         (1, 3))
        p = self.up("validate", "--shard", "1/3")
        self.assertRan(p, 0)
        self.assertIn("configuration OK (2 tenants, 1 in shard 1/3)",
                      p.stdout)
        self.assertRan(self.up("validate", "--shard", "3/3"), 1)
        p = self.up("plan", "--shard", "1/3", "--detailed-exitcode")
        self.assertRan(p, 2)
        self.assertIn("team-a", p.stdout)
        self.assertNotIn("team-b", p.stdout)

    def test_validate_names_the_tenants_with_v(self):
        p = self.up("-v", "validate", "--tenant", "team-a")
        self.assertRan(p, 0)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[1].split(), ["team-a", "scim",
                                            self.emu.base_url(), "delete"])
        self.assertTrue(lines[2].startswith("  team-b  scim  "))
        self.assertIn("not selected: secrets and keep files not checked",
                      lines[2])


class TenantNameSuggestionTest(up.TestCase):

    def setUp(self):
        super().setUp()
        self.env["JIRA_EMAIL"] = "x"
        self.env["JIRA_API_TOKEN"] = "y"
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        import shutil
        for f in ("demo.yaml", "demo-live.json"):
            shutil.copy(os.path.join(root, "examples", f), self.path(f))
        shutil.copytree(os.path.join(root, "examples", "keep"),
                        self.path("keep"))

    def test_did_you_mean(self):
        for args in (["plan", "-f", "demo.yaml", "--live", "demo-live.json",
                      "--tenant", "jira-q"],
                     ["plan", "-f", "demo.yaml", "--live", "demo-live.json",
                      "--tenant", "jira"],
                     ["validate", "-f", "demo.yaml", "--tenant", "jiraqa"],
                     ["import", "-f", "demo.yaml", "--tenant", "jira_qa"]):
            with self.subTest(args=args):
                p = self.up(*args)
                self.assertRan(p, 1)
                self.assertIn("(did you mean 'jira-qa'?)", p.stderr)
        self.assertRan(self.up("plan", "-f", "demo.yaml", "--live",
                               "demo-live.json", "-o", "p.json"), 0)
        p = self.up("apply", "p.json", "--tenant", "jira-q")
        self.assertRan(p, 1)
        self.assertIn("no tenant 'jira-q' in the plan (did you mean "
                      "'jira-qa'?)", p.stderr)
        p = self.up("validate", "-f", "demo.yaml", "--tenant", "xyz")
        self.assertRan(p, 1)
        self.assertIn("no tenant 'xyz' in demo.yaml (its tenants: jira-qa)",
                      p.stderr)


class ValidateSaysWhatPlanRefusesTest(up.TestCase):

    def config(self, **extra):
        t = {"name": "qa", "vendor": "scim", "url": "https://scim.example/v2",
             "auth": {"type": "bearer", "token": "${env:UP_SECRET}"}}
        t.update(extra)
        self.write_config(t)

    def test_empty_keep_list(self):
        self.config()
        p = self.up("validate")
        self.assertRan(p, 0)
        self.assertIn("userprune.yaml:3:3: warning: tenant 'qa' has no keep "
                      "list: plan will refuse it (guard empty_keep",
                      p.stderr)
        self.config(policy={"allow_empty_keep": True})
        p = self.up("validate")
        self.assertRan(p, 0)
        self.assertNotIn("plan will refuse it", p.stderr)
        self.config(keep=["a@x.example"])
        p = self.up("validate")
        self.assertEqual(p.stderr, "")

    def test_literal_secret_and_plan_o(self):
        with open(self.path("live.json"), "w") as f:
            json.dump({"qa": [up.user("a", "a@x.example")]}, f)
        self.config(keep=["a@x.example"],
                    auth={"type": "bearer", "token": "literal-token-1234"})
        p = self.up("validate")
        self.assertRan(p, 0)
        self.assertIn("'token' is a literal secret: 'plan -o' refuses this "
                      "tenant, since a plan file never holds a secret",
                      p.stderr)
        p = self.up("plan", "--live", "live.json", "-o", "plan.json")
        self.assertRan(p, 1)
        self.assertIn("tenant 'qa': auth.token is a literal secret, which a "
                      "plan file cannot hold", p.stderr)
        self.assertFalse(os.path.exists(self.path("plan.json")))
        # without -o the plan is only shown
        self.assertRan(self.up("plan", "--live", "live.json"), 0)

    def test_json(self):
        self.config(keep=["a@x.example", {"file": "k.txt"}],
                    protect=[{"email": "boss@x.example"}])
        with open(self.path("k.txt"), "w") as f:
            f.write("b@x.example\nc@x.example\n")
        p = self.up("validate", "--format", "json")
        self.assertRan(p, 0)
        out = json.loads(p.stdout)
        self.assertEqual(out["ok"], True)
        self.assertEqual(out["errors"], 0)
        self.assertEqual(out["tenants"], [{
            "name": "qa", "vendor": "scim", "url": "https://scim.example/v2",
            "mode": "delete", "selected": True, "keep_entries": 2,
            "keep_values": 3, "protect_entries": 1, "include_entries": 0,
            "exclude_entries": 0}])
        os.remove(self.path("k.txt"))
        p = self.up("validate", "--format", "json")
        self.assertRan(p, 1)
        out = json.loads(p.stdout)
        self.assertEqual(out["ok"], False)
        self.assertEqual(out["errors"], 1)
        self.assertEqual(out["diagnostics"][0]["line"], 11)
        self.assertIn("keep file 'k.txt'", out["diagnostics"][0]["message"])


class PlanOutputCheckedFirstTest(up.TestCase):

    def test_directory_made_and_unwritable_path_refused_before_listing(self):
        pop, _ = up.population("scim", deletable=2)
        emu = self.emulator("scim", population=pop)
        self.write_config(self.tenant("scim", emu, keep=["keeper0@x"],
                                      policy=POLICY))
        p = self.up("plan", "-o", "new/dir/plan.json")
        self.assertRan(p, 0)
        self.assertTrue(os.path.exists(self.path("new", "dir", "plan.json")))
        self.assertEqual(os.listdir(self.path("new", "dir")), ["plan.json"])
        before = len(emu.requests())
        with open(self.path("afile"), "w") as f:
            f.write("x")
        for out, want in (("afile/plan.json", "afile"),
                          ("new", "-o new: is a directory")):
            with self.subTest(out=out):
                p = self.up("plan", "-o", out)
                self.assertRan(p, 1)
                self.assertIn(want, p.stderr)
                self.assertIn("nothing listed", p.stderr)
                self.assertNotIn(".tmp.", p.stderr)
        self.assertEqual(len(emu.requests()), before)


class WordingTest(up.TestCase):
    """Messages say what they mean, in the user's words."""

    def scim_config(self, **extra):
        t = {"name": "qa", "vendor": "scim", "url": "https://scim.example/v2",
             "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
             "keep": ["keeper@x.example"]}
        t.update(extra)
        self.write_config(t)

    def live(self, *users, caller=None):
        with open(self.path("live.json"), "w") as f:
            json.dump({"qa": {"caller": caller, "users": list(users)}}, f)

    def test_one_deletion_planned(self):
        self.scim_config(policy={"max_deletions": 0})
        self.live(up.user("keeper", "keeper@x.example"),
                  up.user("u1", "u1@x.example"))
        p = self.up("plan", "--live", "live.json")
        self.assertRan(p, 3)
        self.assertIn("REFUSED max_deletions: 1 deletion planned, "
                      "policy.max_deletions is 0", p.stdout)

    def test_one_planned_user_already_gone(self):
        pop, roles = up.population("scim", deletable=2, inactive=0)
        emu = self.emulator("scim", population=pop)
        self.write_config(self.tenant("scim", emu, keep=[
            "keeper0@acme.example", "keeper1@acme.example",
            "keeper2@acme.example", "keeper3@acme.example",
            "keeper4@acme.example"], protect=[{"email": "boss*"}]))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        emu.remove_user(roles["delete"][0])
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertIn("t1: 1 planned user is already gone", p.stderr)

    def test_reserialised_plan_is_modified(self):
        self.scim_config()
        self.live(up.user("keeper", "keeper@x.example"),
                  up.user("u1", "u1@x.example"))
        self.assertRan(self.up("plan", "--live", "live.json", "-o",
                               "plan.json"), 0)
        with open(self.path("plan.json")) as f:
            plan = json.load(f)
        with open(self.path("jq.json"), "w") as f:
            json.dump(plan, f, indent=4)
        for cmd in (["show", "jq.json"], ["apply", "jq.json"]):
            p = self.up(*cmd)
            self.assertRan(p, 1)
            self.assertIn("jq.json: the plan was modified after it was "
                          "written", p.stderr)
            self.assertNotIn("not a userprune plan file", p.stderr)

    def test_import_csv_names_the_flag(self):
        with open(self.path("export.csv"), "w") as f:
            f.write("User id,email\nu1,a@x\n")
        p = self.up("import", "--csv", "export.csv")
        self.assertRan(p, 1)
        self.assertIn("choose one with --column NAME", p.stderr)
        self.assertNotIn("column:", p.stderr)

    def test_one_prefix_for_every_error(self):
        for args in (["plan", "--bogus"], ["plan", "--format"],
                     ["apply", "-x"]):
            with self.subTest(args=args):
                p = self.up(*args)
                self.assertRan(p, 1)
                for line in p.stderr.splitlines():
                    self.assertTrue(line.startswith(("userprune: ",
                                                     "usage: ", "  ")),
                                    line)
        for cmd in ("version", "completion", "show"):
            p = self.up(cmd, "--bogus")
            self.assertRan(p, 1)
            self.assertIn(f"\nusage: userprune {cmd}", p.stderr)
            for line in p.stderr.splitlines():
                self.assertEqual(line, line.rstrip())

    def test_help_says_what_v_does(self):
        p = self.up("plan", "--help")
        self.assertIn("-v, --verbose        say more: a line per request",
                      p.stdout)
        self.assertIn("-vv is the same", p.stdout)
        self.assertNotIn("-vv traces", p.stdout)

    def test_caller_note_only_when_no_protect_matched(self):
        for vendor, note in (("bevy", "the calling identity is not known"),
                             ("uipath", "belong to an application")):
            t = {"name": "qa", "vendor": vendor,
                 "url": "https://x.example/api",
                 "auth": dict(up.AUTH[vendor]), "keep": ["keeper@x.example"]}
            if vendor == "uipath":
                t["options"] = {"partition_global_id": up.UIPATH_PARTITION}
            self.live(up.user("keeper", "keeper@x.example"),
                      up.user("boss", "boss@x.example"),
                      up.user("u1", "u1@x.example"))
            for protect, shown in (([], True),
                                   ([{"email": "boss@x.example"}], False),
                                   ([{"email": "nobody@x.example"}], True)):
                with self.subTest(vendor=vendor, protect=protect):
                    self.write_config(dict(t, protect=protect))
                    p = self.up("plan", "--live", "live.json")
                    self.assertRan(p, 0)
                    if shown:
                        self.assertIn(note, p.stdout)
                    else:
                        self.assertNotIn(note, p.stdout)


class KeepFileTest(up.TestCase):

    def config(self, keep, name="userprune.yaml"):
        d = os.path.dirname(self.path(name))
        os.makedirs(d, exist_ok=True)
        with open(self.path(name), "w") as f:
            yaml.safe_dump({"version": 1, "tenants": [{
                "name": "qa", "vendor": "scim",
                "url": "https://scim.example/v2",
                "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
                "keep": keep}]}, f)

    def test_missing_keep_file_names_where_it_was_looked_for(self):
        self.config([{"file": "keep/qa.txt"}], name="conf/userprune.yaml")
        p = self.up("validate", "-f", "conf/userprune.yaml")
        self.assertRan(p, 1)
        self.assertIn("keep file 'keep/qa.txt' (looked for at "
                      "conf/keep/qa.txt): no such file or directory",
                      p.stderr)
        # next to the YAML file, the path is as written
        self.config([{"file": "keep/qa.txt"}])
        p = self.up("validate")
        self.assertIn("keep file 'keep/qa.txt': no such file", p.stderr)

    def test_yaml_keep_list_as_a_keep_file_is_an_error(self):
        with open(self.path("keep.yaml"), "w") as f:
            f.write("# Keep list of tenant 'qa'\nkeep:\n"
                    "  - \"a@x.example\"  # A\n")
        self.config([{"file": "keep.yaml"}])
        for cmd in ("validate", "plan"):
            p = self.up(cmd)
            self.assertRan(p, 1)
            self.assertIn("keep file 'keep.yaml' is a YAML list (as "
                          "'userprune import' prints by default), not a "
                          "keep file", p.stderr)
            self.assertIn("userprune import --format text", p.stderr)


class ImportTextTest(up.TestCase):

    def test_text_keep_file_round_trip(self):
        pop, roles = up.population("scim", deletable=4)
        pop["users"].append(up.user("hash-1", "a #b@acme.example",
                                    "carol", name="Carol # Tester"))
        emu = self.emulator("scim", population=pop)
        t = self.tenant("scim", emu, keep=[{"file": "keep.txt"}],
                        policy=dict(POLICY))
        self.write_config(t)
        p = self.up("import", "--tenant", "t1", "--format", "text",
                    "-o", "keep.txt")
        self.assertRan(p, 0)
        text = open(self.path("keep.txt")).read()
        self.assertIn("# A keep file: name it in the tenant's keep list "
                      "as { file: PATH }.", text)
        self.assertIn("\ncarol  # Carol # Tester\n", text)
        self.assertIn("\nkeeper0@acme.example  # kept-0000\n", text)
        self.assertNotIn("keep:", text)
        p = self.up("validate")
        self.assertRan(p, 0)
        p = self.up("plan", "--detailed-exitcode")
        self.assertRan(p, 0)
        self.assertIn("0 to delete", p.stdout)
        self.assertNotIn("matched no", p.stdout)
        # the YAML says how it is used too
        p = self.up("import", "--tenant", "t1")
        self.assertIn("# Paste the entries under the tenant's keep:",
                      p.stdout)

    def test_a_user_no_line_can_name_is_an_error(self):
        pop, _ = up.population("scim", deletable=1)
        pop["users"].append(up.user("#7", None, "# hash", name="Hash"))
        emu = self.emulator("scim", population=pop)
        self.write_config(self.tenant("scim", emu, keep=["x@acme.example"]))
        p = self.up("import", "--tenant", "t1", "--format", "text")
        self.assertRan(p, 1)
        self.assertIn("user '#7' cannot be named in a text keep file",
                      p.stderr)
        self.assertIn("use --format yaml", p.stderr)
        p = self.up("import", "--tenant", "t1")
        self.assertRan(p, 0)
        self.assertIn('{ username: "# hash" }  # Hash', p.stdout)

    def test_csv_to_text(self):
        with open(self.path("export.csv"), "w") as f:
            f.write("User id,email\nu1,a@x\nu2,b@x\n")
        p = self.up("import", "--csv", "export.csv", "--column", "User id",
                    "--field", "id", "--format", "text")
        self.assertRan(p, 0)
        self.assertTrue(p.stdout.endswith("\nu1\nu2\n"), p.stdout)
        self.assertIn("{ file: PATH, field: id }", p.stdout)
        self.assertIn("# 2 values.", p.stdout)


def closed_port():
    """A loopback port nothing listens on."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class NetworkWordsTest(up.TestCase):
    """Retries and transport failures are said in words."""

    def atlassian(self, url, **limits):
        self.write_config({
            "name": "qa", "vendor": "atlassian", "url": url,
            "auth": dict(up.AUTH["atlassian"]), "keep": ["a@x.example"],
            "limits": dict(limits)})

    def test_connection_refused_is_said_with_its_retries(self):
        port = closed_port()
        self.atlassian(f"http://127.0.0.1:{port}", max_attempts=3)
        p = self.up("plan")
        self.assertRan(p, 1)
        self.assertIn(f"userprune: qa: GET /rest/api/3/myself: cannot "
                      f"connect to 127.0.0.1 port {port}: connection "
                      f"refused; trying again in under a second (attempt 2 "
                      f"of 3)", p.stderr)
        self.assertRegex(p.stderr, r"cannot connect to 127\.0\.0\.1 port "
                         r"\d+: connection refused \(3 attempts in \d+ s\)")
        self.assertNotIn("after 0 ms", p.stderr + p.stdout)
        p = self.up("-v", "plan")
        self.assertRegex(p.stderr, r"-> cannot connect to 127\.0\.0\.1 port "
                         r"\d+: connection refused, after \d+ ms \(attempt 1 "
                         r"of 3\)")
        self.assertNotIn("error 7", p.stderr)

    def test_https_to_a_plain_http_port(self):
        pop, _ = up.population("atlassian")
        emu = self.emulator("atlassian", population=pop)
        self.atlassian(emu.base_url().replace("http://", "https://"))
        p = self.up("plan")
        self.assertRan(p, 1)
        # the server answers the hello with an HTTP error, or hangs up
        # before that answer arrives: which, is a matter of timing
        self.assertRegex(p.stderr,
                         r"answers plain HTTP, not TLS: the url says "
                         r"https://|closed the connection during the TLS "
                         r"handshake: if that port serves plain HTTP, the "
                         r"url should be http://")
        self.assertNotIn("SSL routines", p.stderr)
        self.assertNotIn("SSL_ERROR", p.stderr)

    def test_401_names_the_auth_fields_for_every_vendor(self):
        for vendor in ("atlassian", "atlassian-org", "scim", "uipath",
                       "bevy", "automation-anywhere", "bizagi"):
            with self.subTest(vendor=vendor):
                pop, _ = up.population(vendor)
                emu = self.emulator(vendor, population=pop)
                self.write_config(self.tenant(vendor, emu, keep=["a@x"]))
                p = self.up("plan", env={"UP_SECRET": "wrong"})
                self.assertRan(p, 1)
                self.assertRegex(p.stderr, r"check auth\.(token|username|"
                                 r"client_id)")
                emu.stop()


class ApplyResultTest(up.TestCase):
    """After apply: who was not removed and why, show JOURNAL, totals of
    every run of the plan."""

    def setup_tenant(self, deletable=30, undeletable=(), fail=(),
                     **tenant):
        pop, roles = up.population("scim", deletable=deletable, inactive=0)
        for u in pop["users"]:
            if u["id"] in undeletable:
                u["undeletable"] = True
            if u["id"] in fail:
                u["fail_delete"] = 500
        emu = self.emulator("scim", population=pop)
        keep = [f"keeper{i}@acme.example" for i in range(5)]
        tenant.setdefault("policy", dict(POLICY))
        t = self.tenant("scim", emu, keep=keep, protect=[{"email": "boss*"}],
                        **tenant)
        self.write_config(t)
        return emu, roles

    def test_failed_and_blocked_named_with_reasons_and_show_journal(self):
        emu, roles = self.setup_tenant(
            undeletable=["gone-0003"], fail=["gone-0005", "gone-0007"],
            limits={"max_attempts": 1})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        out = p.stdout
        self.assertIn("Failed or blocked (3):\n", out)
        for uid in ("gone-0003", "gone-0005", "gone-0007"):
            self.assertRegex(out, rf"\n  t1  {uid}  test\d+@acme\.example  "
                             rf"(failed|blocked): HTTP \d+: .+\n")
        self.assertTrue(out.endswith("Journal: j.jsonl\n"), out)
        p = self.up("show", "j.jsonl")
        self.assertRan(p, 0)
        text = p.stdout
        self.assertIn("Journal j.jsonl: plan ", text)
        self.assertIn("Outcomes (each user's last): 27 deleted, 0 "
                      "deactivated, 0 scheduled, 0 absent, 0 skipped, ",
                      text)
        self.assertLess(text.index("Failed or blocked (3):"),
                        text.index("Other outcomes (27):"))
        self.assertIn("  t1  gone-0000  test0@acme.example  deleted (HTTP "
                      "204)\n", text)
        p = self.up("show", "j.jsonl", "--format", "json")
        self.assertRan(p, 0)
        rep = json.loads(p.stdout)
        self.assertEqual(rep["counts"]["deleted"], 27)
        self.assertEqual(len(rep["users"]), 30)
        self.assertEqual({u["id"] for u in rep["users"][:3]},
                         {"gone-0003", "gone-0005", "gone-0007"})
        self.assertEqual(len(rep["runs"]), 1)
        self.assertEqual(rep["verifications"][0]["checked"], 27)
        p = self.up("show", "j.jsonl", "--format", "markdown")
        self.assertRan(p, 0)
        self.assertIn("| deleted | 27 |", p.stdout)
        self.assertIn("<details open><summary>Failed or blocked: 3</summary>",
                      p.stdout)
        self.assertIn("| t1 | gone-0005 | test5@acme.example | failed | 500 "
                      "| HTTP 500: {\"schemas\":\\[", p.stdout)
        p = self.up("show", "j.jsonl", "--split-dir", "md")
        self.assertRan(p, 1)
        self.assertIn("is a journal: --split-dir is for plans", p.stderr)

    def test_many_failures_are_cut_with_the_count_and_show(self):
        fail = [f"gone-{i:04d}" for i in range(25)]
        self.setup_tenant(deletable=30, fail=fail, limits={"max_attempts": 1},
                          policy={"canary": 0, "max_deletions": 1000,
                                  "max_delete_percent": 100})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        self.assertIn("Failed or blocked (25):\n", p.stdout)
        self.assertEqual(len(re.findall(r"^  t1  gone-", p.stdout, re.M)), 20)
        self.assertIn("  ... and 5 more: userprune show j.jsonl lists them "
                      "all\n", p.stdout)

    def test_resume_reports_every_run_and_needs_no_plan_file(self):
        emu, roles = self.setup_tenant(deletable=30,
                                       limits={"requests_per_second": 20,
                                               "concurrency": 1})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        proc = self.spawn("apply", "plan.json", "--journal", "j.jsonl")
        import time
        deadline = time.time() + 60
        while time.time() < deadline:
            if os.path.exists(self.path("j.jsonl")):
                with open(self.path("j.jsonl"), "rb") as f:
                    if f.read().count(b"\n") > 10:
                        break
            time.sleep(0.05)
        proc.send_signal(2)
        proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 130)
        first = len(self.outcomes("j.jsonl"))
        self.assertLess(first, 30)
        p = self.up("apply", "--resume", "j.jsonl")
        self.assertRan(p, 0)
        self.assertIn(f"Applied: {30 - first} deleted,", p.stdout)
        self.assertIn("In all 2 runs of this plan: 30 of 30 planned users "
                      "have an outcome: 30 deleted,", p.stdout)
        self.assertEqual(sorted(emu.deletes()), sorted(roles["delete"]))

    def test_apply_json(self):
        emu, roles = self.setup_tenant(deletable=5, fail=["gone-0002"],
                                       limits={"max_attempts": 1})
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl",
                    "--format", "json")
        self.assertRan(p, 4)
        res = json.loads(p.stdout)
        self.assertEqual(res["journal"], "j.jsonl")
        self.assertEqual(res["counts"]["deleted"], 4)
        self.assertEqual(res["counts"]["failed"], 1)
        self.assertEqual(res["tenants"], [{
            "name": "t1", "vendor": "scim", "mode": "delete", "planned": 5,
            "recorded": 5, "outcomes": {
                "deleted": 4, "deactivated": 0, "scheduled": 0, "absent": 0,
                "blocked": 0, "skipped": 0, "failed": 1}}])
        self.assertEqual([(u["id"], u["outcome"], u["http_status"])
                          for u in res["not_deleted"]],
                         [("gone-0002", "failed", 500)])
        # from a desired-state file, the plan to confirm goes to stderr
        p = self.up("apply", "--yes", "--format", "json")
        self.assertRan(p, 4)
        self.assertIn("Plan from userprune.yaml", p.stderr)
        self.assertEqual(json.loads(p.stdout)["counts"]["failed"], 1)


class LargePlanTest(up.TestCase):
    """--max-users, zero-padded parts, --split-dir alone."""

    def setUp(self):
        super().setUp()
        users = [up.user("keeper", "keeper@x.example")] + [
            up.user(f"u{i:04d}", f"u{i:04d}@x.example",
                    name="User %d " % i + "x" * 100) for i in range(600)]
        with open(self.path("live.json"), "w") as f:
            json.dump({"qa": {"caller": "keeper", "users": users}}, f)
        self.write_config({
            "name": "qa", "vendor": "scim", "url": "https://scim.example/v2",
            "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
            "keep": ["keeper@x.example"],
            "policy": {"max_deletions": 10000, "max_delete_percent": 100}})

    def plan(self, *args):
        p = self.up("plan", "--live", "live.json", *args)
        self.assertRan(p, 0)
        return p.stdout

    def test_text_lists_every_user_unless_told(self):
        out = self.plan()
        self.assertEqual(len(re.findall(r"^  - u\d{4}  ", out, re.M)), 600)
        out = self.plan("--max-users", "3", "-o", "plan.json")
        self.assertEqual(re.findall(r"^  - (u\d{4})  ", out, re.M),
                         ["u0000", "u0001", "u0002"])
        self.assertIn("  ... and 597 more\n  (3 of 600 listed; all of them: "
                      "userprune show plan.json --max-users 0)\n", out)
        self.assertEqual(len(self.read_plan()["tenants"][0]["delete"]), 600)
        out = self.plan("--max-users", "3")
        self.assertIn("  ... and 597 more\n  (3 of 600 listed; --max-users 0 "
                      "lists all of them)\n", out)
        p = self.up("show", "plan.json", "--max-users", "2")
        self.assertEqual(len(re.findall(r"^  - u\d{4}  ", p.stdout, re.M)), 2)
        p = self.up("show", "plan.json", "--format", "json", "--max-users",
                    "2")
        self.assertEqual(len(json.loads(p.stdout)["tenants"][0]["delete"]),
                         600)
        for bad in ("-1", "x", ""):
            p = self.up("plan", "--live", "live.json", "--max-users", bad)
            self.assertRan(p, 1)
            self.assertIn("--max-users must be a number of users", p.stderr)

    def test_markdown_shows_500_and_says_where_the_rest_is(self):
        out = self.plan("--format", "markdown", "-o", "plan.json")
        self.assertEqual(len(re.findall(r"^\| u\d{4} \|", out, re.M)), 500)
        self.assertIn("_… and 100 more users to delete in qa: the plan file "
                      "`plan.json` lists every one", out)
        out = self.plan("--format", "markdown", "--max-users", "0")
        self.assertEqual(len(re.findall(r"^\| u\d{4} \|", out, re.M)), 600)

    def test_split_dir_alone_writes_zero_padded_parts(self):
        os.makedirs(self.path("md"))
        for name in ("plan-1.md", "plan-002.md", "plan-0.md", "plan-000.md",
                     "notes.md"):
            with open(self.path("md", name), "w") as f:
                f.write("old\n")
        p = self.up("plan", "--live", "live.json", "--split-dir", "md",
                    "--max-users", "0")
        self.assertRan(p, 0)
        names = sorted(os.listdir(self.path("md")))
        parts = [n for n in names if n not in ("plan-0.md", "plan-000.md",
                                               "notes.md")]
        self.assertGreater(len(parts), 1)
        self.assertEqual(parts, ["plan-%03d.md" % (i + 1)
                                 for i in range(len(parts))])
        for name in parts:
            with open(self.path("md", name)) as f:
                self.assertTrue(f.read().startswith("## userprune plan\n"))
        # not userprune's: left alone
        self.assertIn("plan-0.md", names)
        self.assertIn("plan-000.md", names)
        p = self.up("plan", "--live", "live.json", "--split-dir", "md",
                    "--format", "text")
        self.assertRan(p, 1)
        self.assertIn("--split-dir writes markdown parts", p.stderr)


class GitWorkingTreeTest(up.TestCase):
    """plan --git-url . reads the ref, and says when the working tree has
    edits it does not see."""

    def git(self, *args):
        import subprocess
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@x",
                        "-C", self.dir] + list(args), check=True,
                       capture_output=True)

    def setUp(self):
        super().setUp()
        self.write_config({
            "name": "qa", "vendor": "scim", "url": "https://scim.example/v2",
            "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
            "keep": [{"file": "keep/qa.txt"}]})
        os.makedirs(self.path("keep"))
        with open(self.path("keep", "qa.txt"), "w") as f:
            f.write("a@x.example\n")
        with open(self.path("live.json"), "w") as f:
            json.dump({"qa": [up.user("a", "a@x.example"),
                              up.user("b", "b@x.example")]}, f)
        self.git("init", "-q")
        self.git("add", "userprune.yaml", "keep")
        self.git("commit", "-qm", "desired state")

    def test_uncommitted_edits_are_warned_about(self):
        p = self.up("plan", "--git-url", ".", "--live", "live.json")
        self.assertRan(p, 0)
        self.assertNotIn("working tree", p.stderr)
        with open(self.path("keep", "qa.txt"), "a") as f:
            f.write("b@x.example\n")
        p = self.up("plan", "--git-url", ".", "--live", "live.json")
        self.assertRan(p, 0)
        self.assertRegex(p.stderr, r"keep/qa\.txt: warning: the working "
                         r"tree's copy differs from commit [0-9a-f]{7} \(\w+\): "
                         r"the committed file is what is read")
        # the committed keep list: b is still to go
        self.assertIn("1 to delete", p.stdout)
        os.remove(self.path("userprune.yaml"))
        p = self.up("plan", "--git-url", ".", "--live", "live.json")
        self.assertRegex(p.stderr, r"(?m)^userprune\.yaml: warning: the "
                         r"working tree's copy differs")


class DemoPortTest(up.TestCase):
    """make demo PORT=N: the demo's emulator and desired state on port N."""

    def test_demo_on_another_port(self):
        import subprocess
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        port = closed_port()
        env = dict(self.env, USERPRUNE=up.binary(),
                   USERPRUNE_EMULATOR=os.path.join(up.build_dir(),
                                                   "userprune-emulator"),
                   USERPRUNE_DEMO_DATA=os.path.join(root, "examples"),
                   USERPRUNE_DEMO_PORT=str(port))
        p = subprocess.run([os.path.join(root, "tools", "userprune-demo"),
                            self.path("demo")], env=env, capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(f"An emulated Jira site on http://127.0.0.1:{port}",
                      p.stdout)
        self.assertIn(f"jira-qa  atlassian  http://127.0.0.1:{port}\n",
                      p.stdout)
        self.assertIn("Applied: 212 deleted,", p.stdout)
        self.assertIn("The emulator received 212 DELETE requests", p.stdout)
        env["USERPRUNE_DEMO_PORT"] = "80a"
        p = subprocess.run([os.path.join(root, "tools", "userprune-demo"),
                            self.path("demo2")], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn("must be a port number", p.stderr)


class ConveniencesTest(up.TestCase):

    def test_V_is_version_and_version_v_names_cjson(self):
        want = self.up("version").stdout
        for args in (["-V"], ["--version"]):
            p = self.up(*args)
            self.assertRan(p, 0)
            self.assertEqual(p.stdout, want)
        p = self.up("version", "-v")
        self.assertRan(p, 0)
        self.assertRegex(p.stdout, r"\nlibcurl [\d.]+, libyaml [\d.]+, "
                         r"libgit2 [\d.]+, cJSON [\d.]+\n$")

    def test_make_install_installs_the_completions(self):
        import subprocess
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        # a dry run: what would be installed, nothing built or written
        p = subprocess.run(["make", "-n", "-C", root, "install",
                            "PREFIX=/usr", "DESTDIR=/nowhere",
                            "BUILD=" + up.build_dir()],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        for want in ("completions/userprune.bash "
                     "/nowhere/usr/share/bash-completion/completions/"
                     "userprune",
                     "completions/_userprune "
                     "/nowhere/usr/share/zsh/vendor-completions/",
                     "completions/userprune.fish "
                     "/nowhere/usr/share/fish/vendor_completions.d/"):
            self.assertIn(want, " ".join(p.stdout.replace("\\\n", " ")
                                         .split()))


class ShowJournalEdgesTest(up.TestCase):

    def test_torn_lines_and_hostile_text(self):
        head = {"type": "header", "time": "2026-01-01T00:00:00.000Z",
                "run_id": "r1", "tool_version": "0.1.0",
                "plan_checksum": "a" * 64, "plan_path": "plan.json",
                "tenants": None, "source": {"kind": "file",
                                            "path": "userprune.yaml"}}
        bad = {"type": "outcome", "tenant": "qa", "vendor": "scim",
               "id": "u\u001b[2J1", "email": "e\u202e@x", "outcome": "failed",
               "http_status": 500, "attempts": 2,
               "detail": "boom\u0007\u2028next"}
        with open(self.path("j.jsonl"), "w") as f:
            f.write('{"type":"outc')  # a first line cut short
            f.write("\n" + json.dumps(head) + "\n" + json.dumps(bad) + "\n")
            f.write('{"type":"outcome","tenant":"qa"')  # and a last one
        p = self.up("show", "j.jsonl")
        self.assertRan(p, 0)
        self.assertIn("2 lines cut short", p.stderr)
        self.assertIn("Failed or blocked (1):", p.stdout)
        for raw in ("\x1b", "\u202e", "\x07", "\u2028"):
            self.assertNotIn(raw, p.stdout + p.stderr)
        p = self.up("show", "j.jsonl", "--format", "json")
        self.assertRan(p, 0)
        self.assertEqual(json.loads(p.stdout)["torn_lines"], 2)
