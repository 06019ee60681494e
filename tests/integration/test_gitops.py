"""GitOps: the desired state from git, pull-request plans, drift runs,
import, and the example CI workflows."""

import json
import os
import re
import shlex
import shutil
import subprocess

import yaml

import up
from up import writes, remaining

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="Ada Admin",
               GIT_AUTHOR_EMAIL="ada@acme.example",
               GIT_COMMITTER_NAME="Ada Admin",
               GIT_COMMITTER_EMAIL="ada@acme.example",
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git"] + list(args), cwd=cwd, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


SNAPSHOT_USERS = [up.user("me", "me@acme.example"),
                  up.user("u1", "alice@acme.example"),
                  up.user("u2", "bob@acme.example"),
                  up.user("u3", "carol@acme.example"),
                  up.user("u4", "dave@acme.example")]


def config(keep_file):
    return {"version": 1, "tenants": [{
        "name": "qa", "vendor": "scim", "url": "https://scim.example/v2",
        "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
        "keep": [{"file": keep_file, "field": "email"}],
        "policy": {"max_deletions": 10, "max_delete_percent": 100}}]}


class GitSourceTest(up.TestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.path("repo")
        os.makedirs(os.path.join(self.repo, "tenants", "keep"))
        git(self.repo, "init", "-q", "-b", "main")
        # commit 1: keeps alice; commit 2 (tagged v2): also bob;
        # commit 3 on main: also carol
        self.commits = []
        for i, keep in enumerate((["alice"], ["alice", "bob"],
                                  ["alice", "bob", "carol"])):
            with open(os.path.join(self.repo, "tenants", "keep", "qa.txt"),
                      "w") as f:
                f.write("".join(f"{k}@acme.example\n" for k in keep))
            with open(os.path.join(self.repo, "tenants", "userprune.yaml"),
                      "w") as f:
                yaml.safe_dump(config("keep/qa.txt"), f)
            git(self.repo, "add", "-A")
            git(self.repo, "commit", "-q", "-m", f"Keep {', '.join(keep)}")
            self.commits.append(git(self.repo, "rev-parse", "HEAD"))
            if i == 1:
                git(self.repo, "tag", "-a", "v2", "-m", "release 2")
        with open(self.path("live.json"), "w") as f:
            json.dump({"qa": {"caller": "me", "users": SNAPSHOT_USERS}}, f)

    def plan(self, *source):
        p = self.up("plan", *source, "--git-path", "tenants/userprune.yaml",
                    "--live", "live.json", "-o", "plan.json")
        self.assertRan(p, 0)
        plan = self.read_plan()
        return plan, [u["id"] for u in plan["tenants"][0]["delete"]]

    def test_each_ref_uses_its_commits_yaml_and_keep_files(self):
        cases = [((), self.commits[2], ["u4"]),
                 (("--git-ref", "main"), self.commits[2], ["u4"]),
                 (("--git-ref", "v2"), self.commits[1], ["u3", "u4"]),
                 (("--git-ref", self.commits[0]), self.commits[0],
                  ["u2", "u3", "u4"]),
                 (("--git-ref", self.commits[0][:9]), self.commits[0],
                  ["u2", "u3", "u4"]),
                 (("--git-ref", "main~1"), self.commits[1], ["u3", "u4"])]
        for extra, commit, deleted in cases:
            with self.subTest(ref=extra):
                plan, ids = self.plan("--git-url", "repo", *extra)
                self.assertEqual(ids, deleted)
                src = plan["source"]
                self.assertEqual(src["kind"], "git")
                self.assertEqual(src["commit"], commit)
                self.assertEqual(src["path"], "tenants/userprune.yaml")
                self.assertEqual(src["author"], "Ada Admin <ada@acme.example>")
        plan, _ = self.plan("--git-url", "repo", "--git-ref", "v2")
        self.assertEqual(plan["source"]["ref"], "v2")
        self.assertEqual(plan["source"]["subject"], "Keep alice, bob")

    def test_bare_clone_and_file_url(self):
        git(self.dir, "clone", "-q", "--bare", "repo", "bare.git")
        plan, ids = self.plan("--git-url", "bare.git", "--git-ref", "v2")
        self.assertEqual(ids, ["u3", "u4"])
        url = "file://" + self.path("bare.git")
        plan, ids = self.plan("--git-url", url)
        self.assertEqual(ids, ["u4"])
        self.assertEqual(plan["source"]["url"], url)
        # a remote is cached, and fetched again for new commits
        cache = self.path("cache", "userprune", "git")
        self.assertTrue(os.listdir(cache))
        with open(os.path.join(self.repo, "tenants", "keep", "qa.txt"),
                  "a") as f:
            f.write("dave@acme.example\n")
        git(self.repo, "commit", "-q", "-am", "Keep dave")
        git(self.repo, "push", "-q", self.path("bare.git"), "main")
        plan, ids = self.plan("--git-url", url)
        self.assertEqual(ids, [])
        self.assertEqual(plan["source"]["subject"], "Keep dave")

    def test_markdown_names_the_commit(self):
        p = self.up("plan", "--git-url", "repo", "--git-ref", "v2",
                    "--git-path", "tenants/userprune.yaml",
                    "--live", "live.json", "--format", "markdown")
        self.assertRan(p, 0)
        self.assertIn(self.commits[1][:12], p.stdout)
        self.assertIn("Keep alice, bob", p.stdout)
        self.assertIn("`v2`", p.stdout)

    def test_missing_path_ref_or_repository(self):
        for args, want in (
                (("--git-url", "repo", "--git-path", "nope.yaml"),
                 "nope.yaml: no such file at"),
                (("--git-url", "repo", "--git-ref", "nope",
                  "--git-path", "tenants/userprune.yaml"),
                 "git ref 'nope'"),
                (("--git-url", "no-such-repo"), "git repository"),
                (("--git-url", "repo", "--git-path", "tenants"),
                 "is a directory")):
            with self.subTest(args=args):
                p = self.up("plan", *args, "--live", "live.json")
                self.assertRan(p, 1)
                self.assertIn(want, p.stderr)
        # a keep file missing at that commit refuses the plan
        os.remove(os.path.join(self.repo, "tenants", "keep", "qa.txt"))
        git(self.repo, "commit", "-q", "-am", "Drop the keep file")
        p = self.up("plan", "--git-url", "repo", "--git-path",
                    "tenants/userprune.yaml", "--live", "live.json")
        self.assertRan(p, 3)
        self.assertIn("keep/qa.txt", p.stdout)
        p = self.up("validate", "--git-url", "repo", "--git-path",
                    "tenants/userprune.yaml")
        self.assertRan(p, 1)
        self.assertIn("tenants/userprune.yaml:", p.stderr)


class GitLiveTest(up.TestCase):
    """Against the emulator: apply from git, drift runs, saved plans."""

    def setUp(self):
        super().setUp()
        pop, self.roles = up.population("atlassian", deletable=6)
        self.emu = self.emulator("atlassian", population=pop)
        self.repo = self.path("repo")
        os.makedirs(self.repo)
        git(self.repo, "init", "-q", "-b", "main")
        cfg = {"version": 1, "tenants": [self.tenant(
            "atlassian", self.emu,
            keep=["keeper0@acme.example", {"email": "keeper[1-9]*"}],
            protect=[{"email": "*-admin@acme.example"}])]}
        with open(os.path.join(self.repo, "userprune.yaml"), "w") as f:
            yaml.safe_dump(cfg, f)
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", "Tenant t1")

    def test_saved_plan_applies_without_the_repository(self):
        self.assertRan(self.up("plan", "--git-url", "repo", "-o",
                               "plan.json"), 0)
        shutil.rmtree(self.repo)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 0)
        self.assertEqual(self.emu.deletes(),
                         {i: 1 for i in self.roles["delete"]})
        header = self.journal("j.jsonl")[0]
        self.assertEqual(header["source"]["kind"], "git")

    def test_drift_detection_and_cleanup(self):
        p = self.up("plan", "--git-url", "repo", "--detailed-exitcode")
        self.assertRan(p, 2)
        self.assertRan(self.up("apply", "--git-url", "repo", "--yes"), 0)
        p = self.up("plan", "--git-url", "repo", "--detailed-exitcode")
        self.assertRan(p, 0)
        # someone adds a user by hand: the nightly run notices
        self.emu.add_user(up.user("by-hand", "intruder@acme.example"))
        p = self.up("plan", "--git-url", "repo", "--detailed-exitcode")
        self.assertRan(p, 2)
        self.assertIn("intruder@acme.example", p.stdout)
        self.assertRan(self.up("apply", "--git-url", "repo", "--yes"), 0)
        self.assertNotIn("by-hand", remaining(self.emu))

    def test_import_round_trip(self):
        p = self.up("import", "--git-url", "repo", "--tenant", "t1",
                    "-o", "keep.yaml")
        self.assertRan(p, 0)
        keep = yaml.safe_load(open(self.path("keep.yaml")))["keep"]
        # every user in scope, named by email, with comments
        self.assertEqual(len(keep), 1 + 5 + 2 + 6)
        self.assertIn("test0@acme.example", keep)
        self.assertIn('"test0@acme.example"  # gone-0000',
                      open(self.path("keep.yaml")).read())
        cfg = yaml.safe_load(open(os.path.join(self.repo, "userprune.yaml")))
        cfg["tenants"][0]["keep"] = keep
        with open(self.path("adopted.yaml"), "w") as f:
            yaml.safe_dump(cfg, f)
        p = self.up("plan", "-f", "adopted.yaml", "--detailed-exitcode")
        self.assertRan(p, 0)
        self.assertIn("0 to delete", p.stdout)
        self.assertEqual(writes(self.emu.requests()), [])


class ImportCsvTest(up.TestCase):

    def test_atlassian_export(self):
        with open(self.path("export.csv"), "w") as f:
            f.write('User id,User name,email\r\n'
                    '5b10ac8d,"Smith, Bob",bob@acme.example\r\n'
                    '6c21bd9e,"Alice",alice@acme.example\r\n')
        p = self.up("import", "--csv", "export.csv", "--column", "User id",
                    "--field", "id")
        self.assertRan(p, 0)
        doc = yaml.safe_load(p.stdout)
        self.assertEqual(doc["keep"], [{"id": "5b10ac8d"}, {"id": "6c21bd9e"}])
        p = self.up("import", "--csv", "export.csv", "--column", "email")
        self.assertEqual(yaml.safe_load(p.stdout)["keep"],
                         ["alice@acme.example", "bob@acme.example"])
        p = self.up("import", "--csv", "export.csv", "--column", "Nope")
        self.assertRan(p, 1)
        self.assertIn("no column 'Nope'", p.stderr)


class MarkdownTest(up.TestCase):

    def test_5000_deletions_in_complete_parts(self):
        users = [up.user("me", "me@x.example")] + [
            up.user("u%05d" % i, "user%05d@acme.example" % i,
                    name="User | <b>%d</b>" % i) for i in range(5000)]
        with open(self.path("live.json"), "w") as f:
            json.dump({"qa": {"caller": "me", "users": users}}, f)
        cfg = config("keep.txt")
        cfg["tenants"][0]["policy"] = {"max_deletions": 5000,
                                       "max_delete_percent": 100}
        with open(self.path("keep.txt"), "w") as f:
            f.write("me@x.example\n")
        with open(self.path("userprune.yaml"), "w") as f:
            yaml.safe_dump(cfg, f)
        p = self.up("plan", "--live", "live.json", "-o", "plan.json",
                    "--format", "markdown", "--split-dir", "md",
                    "--max-users", "0")
        self.assertRan(p, 0)
        parts = sorted(os.listdir(self.path("md")),
                       key=lambda n: int(re.findall(r"\d+", n)[0]))
        self.assertGreater(len(parts), 1)
        self.assertEqual(parts[0], "plan-001.md")
        rows = set()
        for i, name in enumerate(parts):
            text = open(self.path("md", name), encoding="utf-8").read()
            self.assertLess(len(text), 65000)
            self.assertTrue(text.startswith("## userprune plan\n"))
            self.assertIn(f"_Part {i + 1} of {len(parts)}._", text)
            self.assertEqual(text.count("<details>"),
                             text.count("</details>"))
            self.assertNotIn("<b>", text)
            rows |= set(re.findall(r"^\| (u\d{5}) \|", text, re.M))
        self.assertEqual(len(rows), 5000)
        # show renders the same parts from the saved plan
        p = self.up("show", "plan.json", "--format", "markdown",
                    "--split-dir", "md2", "--max-users", "0")
        self.assertRan(p, 0)
        self.assertEqual(len(os.listdir(self.path("md2"))), len(parts))


class WorkflowTest(up.TestCase):
    """The example CI files parse and use only commands and options that
    exist."""

    def options(self, command):
        p = self.up(command, "--help")
        self.assertRan(p, 0)
        return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])\b",
                              p.stdout))

    def commands(self, node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("run", "script", "before_script") and \
                        isinstance(v, str):
                    yield v
                elif k in ("script", "before_script") and \
                        isinstance(v, list):
                    yield from (x for x in v if isinstance(x, str))
                else:
                    yield from self.commands(v)
        elif isinstance(node, list):
            for v in node:
                yield from self.commands(v)

    def test_workflows(self):
        d = os.path.join(ROOT, "examples", "gitops")
        files = sorted(os.listdir(d))
        self.assertEqual(files, ["github-actions-sharded.yml",
                                 "github-actions.yml", "gitlab-ci.yml"])
        known = {c: self.options(c) for c in
                 ("validate", "plan", "apply", "show", "tenants", "import",
                  "version")}
        calls = 0
        for name in files:
            doc = yaml.safe_load(open(os.path.join(d, name)))
            self.assertIsInstance(doc, dict)
            # steps of the userprune action (action.yml): its own calls
            # are checked by test_workflows.py
            calls += len(re.findall(r"\n\s*- uses: [\w.-]+/userprune@",
                                    open(os.path.join(d, name)).read()))
            for script in self.commands(doc):
                text = script.replace("\\\n", " ")
                for line in text.splitlines():
                    m = re.search(r"(?:^|[\s;&|(])userprune\s+(.*)", line)
                    if not m or line.strip().startswith("#"):
                        continue
                    words = shlex.split(m.group(1), posix=True)
                    cmd = words[0]
                    self.assertIn(cmd, known, f"{name}: {line}")
                    for w in words[1:]:
                        if w in ("||", "&&", ";", "|"):
                            break
                        if w.startswith("-"):
                            self.assertIn(w.split("=")[0], known[cmd],
                                          f"{name}: {line}")
                    calls += 1
        self.assertGreaterEqual(calls, 8)
