"""The GitHub Action (action.yml), the CI examples (examples/gitops/) and
the Kubernetes example (examples/kubernetes/) parse, and call only
userprune commands and options that exist: each is compared with
`userprune COMMAND --help`. The action's comment script is run against a
stand-in for gh: one comment per plan part, updated on the next push."""

import json
import os
import re
import shlex
import stat
import subprocess
import sys
import textwrap

import yaml

import up

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
COMMANDS = ("validate", "plan", "apply", "show", "tenants", "import",
            "version")
_help = {}


def documented(command):
    """Options (long and short) that `userprune COMMAND --help` lists."""
    if command not in _help:
        p = subprocess.run([up.binary(), command, "--help"],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        opts = set()
        for line in p.stdout.splitlines():
            m = re.match(r"^  (-\w)?(?:, )?(--[a-z][a-z-]*)?", line)
            if m:
                opts |= {o for o in m.groups() if o}
        _help[command] = opts
    return _help[command]


def invocations(script):
    """(command, [options]) of each `userprune COMMAND ...` in a shell
    script (continuation lines joined)."""
    script = script.replace("\\\n", " ")
    out = []
    for line in script.splitlines():
        for m in re.finditer(r"(?:^|[\s;(&|])userprune\s+(.*)", line):
            lex = shlex.shlex(m.group(1), posix=True,
                              punctuation_chars=";&|<>")
            lex.whitespace_split = True
            try:
                words = list(lex)
            except ValueError:
                words = m.group(1).split()
            end = next((i for i, w in enumerate(words)
                        if w and w[0] in ";&|<>"), len(words))
            words = words[:end]
            if not words or words[0].startswith("$") or \
                    words[0].startswith('"$'):
                continue
            out.append((words[0], [w.split("=", 1)[0] for w in words[1:]
                                   if w.startswith("-")]))
    return out


def shell_scripts(node):
    """Every shell script of a workflow, recursively: GitHub's `run:`
    strings, GitLab's `script:` (and before, after) lists."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "run" and isinstance(v, str):
                yield v
            elif k in ("script", "before_script", "after_script") and \
                    isinstance(v, list):
                yield "\n".join(x for x in v if isinstance(x, str))
            else:
                yield from shell_scripts(v)
    elif isinstance(node, list):
        for v in node:
            yield from shell_scripts(v)


class WorkflowTest(up.TestCase):

    def check(self, where, command, options):
        self.assertIn(command, COMMANDS, f"{where}: userprune {command}")
        for o in options:
            self.assertIn(o, documented(command),
                          f"{where}: userprune {command} {o}")

    def check_scripts(self, where, scripts):
        found = 0
        for script in scripts:
            for command, options in invocations(script):
                self.check(where, command, options)
                found += 1
        return found

    def test_the_checker_catches_unknown_commands_and_options(self):
        with self.assertRaises(AssertionError):
            self.check_scripts("x", ["userprune plan --shard 1/2 --frob"])
        with self.assertRaises(AssertionError):
            self.check_scripts("x", ["set -e\nuserprune plna -f a.yaml"])
        self.assertEqual(invocations(
            "a && userprune apply p.json \\\n  --journal j.jsonl || x"),
            [("apply", ["--journal"])])

    def test_action(self):
        path = os.path.join(ROOT, "action.yml")
        action = yaml.safe_load(open(path))
        self.assertEqual(action["runs"]["using"], "composite")
        inputs = set(action["inputs"])
        self.assertTrue({"file", "git-url", "git-ref", "tenants", "shard",
                         "plan-file", "plan-artifact", "deb"} <= inputs)
        text = open(path).read()
        for name in re.findall(r"inputs\.([a-z][a-z-]*)", text):
            self.assertIn(name, inputs, f"action.yml: inputs.{name}")
        ids = {s["id"] for s in action["runs"]["steps"] if "id" in s}
        for sid in re.findall(r"steps\.([a-z][a-z-]*)\.outputs", text):
            self.assertIn(sid, ids, f"action.yml: steps.{sid}")
        for s in action["runs"]["steps"]:
            if "run" in s:
                self.assertIn("shell", s, f"action.yml: {s.get('name')}")
            for m in re.findall(r"\$GITHUB_ACTION_PATH/(\S+?)\"", s.get(
                    "run", "")):
                self.assertTrue(os.path.isfile(os.path.join(ROOT, m)), m)
        run = next(s["run"] for s in action["runs"]["steps"]
                   if s.get("id") == "run")
        # options the action puts in its arrays, per command branch
        shared = self.array_options(run, "select")
        for command in ("plan", "apply"):
            branch = re.search(r"\n\s*%s\)\n(.*?)\n\s*;;" % command, run,
                               re.S).group(1)
            self.assertIn('userprune "${args[@]}"', branch)
            self.assertRegex(branch, r"args=\(%s\b" % command)
            self.check("action.yml", command,
                       shared + self.array_options(branch, "args"))
        self.assertIn("--shard", shared)
        self.assertIn("--tenant", shared)

    @staticmethod
    def array_options(script, name):
        opts = []
        for words in re.findall(r"\b%s\+?=\(([^)]*)\)" % name, script):
            opts += [o.split("=", 1)[0] for o in
                     re.findall(r"(?<![\w$-])(--?[a-z][a-z-]*)", words)]
        return opts

    def test_gitops_examples(self):
        d = os.path.join(ROOT, "examples", "gitops")
        files = sorted(os.listdir(d))
        self.assertIn("github-actions-sharded.yml", files)
        for f in files:
            with self.subTest(file=f):
                doc = yaml.safe_load(open(os.path.join(d, f)))
                self.assertIsInstance(doc, dict)
                found = self.check_scripts(f, shell_scripts(doc))
                if f.startswith("github-actions"):
                    for job in doc["jobs"].values():
                        for step in job["steps"]:
                            uses = step.get("uses", "")
                            if uses.endswith("/userprune@v0.1.0"):
                                self.check_action_use(f, step, job)
                    self.assertNotIn("make -C", json.dumps(doc))
                    # the trust boundaries of DESIGN §1.14, for every job
                    env = doc.get("env", {})
                    self.assertEqual(env.get("USERPRUNE_ALLOWED_ORIGINS"),
                                     "${{ vars.USERPRUNE_ALLOWED_ORIGINS }}")
                    self.assertEqual(env.get("USERPRUNE_PLAN_KEY"),
                                     "${{ secrets.USERPRUNE_PLAN_KEY }}")
                else:
                    self.assertGreater(found, 3, f)
                    text = open(os.path.join(d, f)).read()
                    self.assertIn("USERPRUNE_ALLOWED_ORIGINS", text)
                    self.assertIn("USERPRUNE_PLAN_KEY", text)

    def check_action_use(self, where, step, job):
        inputs = yaml.safe_load(open(os.path.join(ROOT, "action.yml")))[
            "inputs"]
        for k in step.get("with", {}):
            self.assertIn(k, inputs, f"{where}: with: {k}")
        shard = step.get("with", {}).get("shard")
        if shard:
            m = re.fullmatch(r"\$\{\{ matrix\.shard \}\}/(\d+)", shard)
            self.assertIsNotNone(m, shard)
            n = int(m.group(1))
            self.assertEqual(job["strategy"]["matrix"]["shard"],
                             list(range(1, n + 1)), where)

    def test_kubernetes_example(self):
        path = os.path.join(ROOT, "examples", "kubernetes", "userprune.yaml")
        docs = {d["kind"]: d for d in yaml.safe_load_all(open(path))}
        cron = docs["CronJob"]
        job = cron["spec"]["jobTemplate"]["spec"]
        self.assertEqual(job["completionMode"], "Indexed")
        n = job["completions"]
        pod = job["template"]["spec"]
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        (c,) = pod["containers"]
        script = "\n".join(c["args"])
        self.assertEqual(c["command"], ["/bin/sh", "-c"])
        self.assertIn(f'shard="$((JOB_COMPLETION_INDEX + 1))/{n}"', script)
        calls = invocations(script)
        self.assertTrue(calls)
        for command, options in calls:
            self.check("kubernetes", command, options)
        self.assertTrue(all("--shard" in o for _, o in calls))
        # the secrets, the desired state and the runs' volume
        secret = c["envFrom"][0]["secretRef"]["name"]
        self.assertEqual(docs["Secret"]["metadata"]["name"], secret)
        mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
        vols = {v["name"]: v for v in pod["volumes"]}
        self.assertEqual(
            vols["runs"]["persistentVolumeClaim"]["claimName"],
            docs["PersistentVolumeClaim"]["metadata"]["name"])
        self.assertIn(mounts["runs"] + "/", script)
        self.assertIn("--journal", script)
        # the desired state it mounts is valid, with the Secret's names
        cm = docs["ConfigMap"]
        self.assertEqual(vols["config"]["configMap"]["name"],
                         cm["metadata"]["name"])
        with open(self.path("userprune.yaml"), "w") as f:
            f.write(cm["data"]["userprune.yaml"])
        env = {k: "x" for k in docs["Secret"]["stringData"]}
        p = self.up("validate", env=env)
        self.assertRan(p, 0)
        p = self.up("tenants", "--shard", f"1/{n}")
        self.assertRan(p, 0)


FAKE_GH = r'''#!/usr/bin/env python3
"""gh api, as much of it as plan-comment.sh uses: comments kept in
$FAKE_GH_STATE, every call logged."""
import json, os, subprocess, sys
state = os.environ["FAKE_GH_STATE"]
db = json.load(open(state)) if os.path.exists(state) else \
    {"next": 100, "comments": [], "log": []}
args = sys.argv[1:]
assert args[0] == "api", args
args = args[1:]
method, jq, body, path = "GET", None, None, None
while args:
    a = args.pop(0)
    if a == "-X": method = args.pop(0)
    elif a == "--jq": jq = args.pop(0)
    elif a == "--input": body = json.load(open(args.pop(0)))["body"]
    elif a == "--paginate": pass
    else: path = a
db["log"].append([method, path])
parts = path.split("/")
out = ""
if method == "GET":
    page = [c for c in db["comments"] if c["issue"] == parts[4]]
    out = json.dumps(page)
    if jq:
        out = subprocess.run(["jq", "-r", jq], input=out, text=True,
                             capture_output=True, check=True).stdout
elif method == "POST":
    db["comments"].append({"id": db["next"], "issue": parts[4],
                           "body": body})
    db["next"] += 1
elif method == "PATCH":
    (c,) = [c for c in db["comments"] if str(c["id"]) == parts[-1]]
    c["body"] = body
elif method == "DELETE":
    db["comments"] = [c for c in db["comments"] if str(c["id"]) != parts[-1]]
json.dump(db, open(state, "w"))
sys.stdout.write(out)
'''


class PlanCommentTest(up.TestCase):
    """tools/github/plan-comment.sh against a stand-in for gh."""

    def setUp(self):
        super().setUp()
        bindir = self.path("bin")
        os.makedirs(bindir)
        gh = os.path.join(bindir, "gh")
        with open(gh, "w") as f:
            f.write(FAKE_GH.replace("/usr/bin/env python3", sys.executable))
        os.chmod(gh, os.stat(gh).st_mode | stat.S_IXUSR)
        self.state = self.path("gh.json")
        self.env.update({"PATH": bindir + os.pathsep + os.environ["PATH"],
                         "FAKE_GH_STATE": self.state,
                         "GITHUB_REPOSITORY": "acme/tenants"})
        # someone else's comment on the pull request stays as it is
        with open(self.state, "w") as f:
            json.dump({"next": 100, "log": [], "comments": [
                {"id": 7, "issue": "12", "body": "LGTM"}]}, f)

    def post(self, parts, key=""):
        d = self.path("md")
        if os.path.isdir(d):
            for f in os.listdir(d):
                os.remove(os.path.join(d, f))
        else:
            os.makedirs(d)
        for i, text in enumerate(parts, 1):
            with open(os.path.join(d, f"plan-{i:03d}.md"), "w") as f:
                f.write(text)
        args = ["bash", os.path.join(ROOT, "tools", "github",
                                     "plan-comment.sh"), d, "12"]
        if key:
            args.append(key)
        p = subprocess.run(args, cwd=self.dir, env=self.env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return json.load(open(self.state))

    def bodies(self, db):
        return [c["body"] for c in db["comments"]]

    def test_one_comment_updated_on_every_push(self):
        db = self.post(["## Plan\n212 to delete\n"])
        self.assertEqual(self.bodies(db), [
            "LGTM", "<!-- userprune-plan part 1 -->\n## Plan\n212 to delete\n"])
        db = self.post(["## Plan\n3 to delete\n"])
        self.assertEqual(self.bodies(db), [
            "LGTM", "<!-- userprune-plan part 1 -->\n## Plan\n3 to delete\n"])
        self.assertEqual([c["id"] for c in db["comments"]], [7, 100])
        writes = [m for m, _ in db["log"] if m != "GET"]
        self.assertEqual(writes, ["POST", "PATCH"])

    def test_parts_in_order_and_leftovers_deleted(self):
        parts = [f"part {i}\n" for i in range(1, 12)]
        db = self.post(parts)
        self.assertEqual(self.bodies(db)[1:], [
            f"<!-- userprune-plan part {i} -->\npart {i}\n"
            for i in range(1, 12)])
        db = self.post(["only one now\n"])
        self.assertEqual(self.bodies(db), [
            "LGTM", "<!-- userprune-plan part 1 -->\nonly one now\n"])

    def test_shards_have_their_own_comments(self):
        self.post(["shard one\n"], key="shard 1/2")
        db = self.post(["shard two\n"], key="shard 2/2")
        db = self.post(["shard one again\n"], key="shard 1/2")
        self.assertEqual(self.bodies(db), [
            "LGTM",
            "<!-- userprune-plan shard 1/2 part 1 -->\nshard one again\n",
            "<!-- userprune-plan shard 2/2 part 1 -->\nshard two\n"])

    def test_no_parts_is_an_error(self):
        os.makedirs(self.path("empty"))
        p = subprocess.run(
            ["bash", os.path.join(ROOT, "tools", "github", "plan-comment.sh"),
             self.path("empty"), "12"], cwd=self.dir, env=self.env,
            capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("userprune: no plan-*.md in", p.stderr)
