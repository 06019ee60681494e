"""The safety contract (DESIGN §1, items 10, 14 and 15) where it meets
what userprune reads: secret values, the text of a vendor's users written
into an imported keep list, a git blob's size, the process itself, and the
markdown parts a plan is posted as. Each test drives the real binary and
checks what a user would: the exit code, the requests a server saw (or
did not see), what the files written contain."""

import json
import os
import re
import time
import urllib.parse

import yaml

import up
from scripted import Server

SCIM = "/scim/v2"


def scim_user(uid, name=None, email=None, active=True):
    u = {"id": uid, "userName": uid, "active": active,
         "displayName": name if name is not None else uid}
    if email:
        u["emails"] = [{"value": email, "primary": True}]
    return u


class Scim:
    """A SCIM service with index paging, no /Me and no Bulk; `delay`
    seconds before each answer to the listing."""

    def __init__(self, users, delay=0):
        self.users = list(users)
        self.delay = delay

    def handle(self, req):
        if not req.path.startswith(SCIM):
            return 404, "application/json", {"detail": "not SCIM"}
        path = req.path[len(SCIM):]
        if path == "/Users" and req.method == "GET":
            time.sleep(self.delay)
            start = int(req.query.get("startIndex", 1))
            count = int(req.query.get("count", 100))
            res = self.users[start - 1:start - 1 + count]
            return 200, "application/scim+json", {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:"
                            "ListResponse"],
                "totalResults": len(self.users), "startIndex": start,
                "itemsPerPage": len(res), "Resources": res}
        return 404, "application/scim+json", {"status": "404"}


def git(cwd, *args):
    import subprocess
    env = dict(os.environ, GIT_AUTHOR_NAME="Ada Admin",
               GIT_AUTHOR_EMAIL="ada@acme.example",
               GIT_COMMITTER_NAME="Ada Admin",
               GIT_COMMITTER_EMAIL="ada@acme.example",
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git"] + list(args), cwd=cwd, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def zero_blob(repo, size):
    """Writes a loose blob of `size` zero bytes into repo's object store,
    compressed as git stores it (a few hundred KB for hundreds of MB), and
    returns its id."""
    import hashlib
    import zlib
    head = b"blob %d\0" % size
    digest = hashlib.sha1(head)
    z = zlib.compressobj(1)
    tmp = os.path.join(repo, ".git", "objects", "tmp-zero-blob")
    chunk = bytes(1 << 20)
    with open(tmp, "wb") as f:
        f.write(z.compress(head))
        left = size
        while left:
            part = chunk[:min(left, len(chunk))]
            digest.update(part)
            f.write(z.compress(part))
            left -= len(part)
        f.write(z.flush())
    oid = digest.hexdigest()
    os.makedirs(os.path.join(repo, ".git", "objects", oid[:2]),
                exist_ok=True)
    os.rename(tmp, os.path.join(repo, ".git", "objects", oid[:2], oid[2:]))
    return oid


class InputSafetyTest(up.TestCase):

    def serve(self, handler):
        s = Server(handler)
        self.addCleanup(s.close)
        return s

    def config(self, url, auth=None, **extra):
        t = {"name": "t1", "vendor": "scim", "url": url,
             "auth": auth or dict(up.AUTH["scim"]),
             "keep": ["nobody@x.example"],
             "policy": {"max_deletions": 10000, "max_delete_percent": 100},
             "limits": {"requests_per_second": 0, "max_attempts": 2}}
        t.update(extra)
        return t

    # ---- §1.10: secret values are one line ----

    def test_a_secret_with_a_line_break_or_nul_is_refused_at_load(self):
        s = self.serve(Scim([scim_user("u1")]).handle)
        cases = {"crlf": b"abc\r\nX-Injected: yes\n",
                 "lf": b"abc\nX-Injected: yes",
                 "nul": b"abc\x00X-Injected: yes\n"}
        for name, value in cases.items():
            with self.subTest(secret=name):
                with open(self.path("tok-" + name), "wb") as f:
                    f.write(value)
                self.write_config(self.config(
                    s.url + SCIM, auth={"type": "bearer",
                                        "token": "${file:tok-%s}" % name}))
                p = self.up("validate")
                self.assertRan(p, 1)
                # FILE:LINE:COL naming the reference, never the value
                self.assertRegex(p.stderr, r"userprune\.yaml:\d+:\d+: "
                                 r"'token': secret file 'tok-%s'" % name)
                self.assertNotIn("X-Injected", p.stderr)
                p = self.up("plan")
                self.assertRan(p, 1)
                self.assertIn("tok-" + name, p.stderr)
        # the same for a variable, and for apply
        self.write_config(self.config(s.url + SCIM))
        env = {"UP_SECRET": up.SECRET + "\r\nX-Injected: yes"}
        for args in (["validate"], ["plan"], ["apply", "--yes"]):
            p = self.up(*args, env=env)
            self.assertRan(p, 1)
            self.assertIn("environment variable 'UP_SECRET'", p.stderr)
            self.assertNotIn("X-Injected", p.stderr)
        self.assertEqual(s.requests, [])
        # a final newline is only the end of the file
        with open(self.path("tok"), "wb") as f:
            f.write(up.SECRET.encode() + b"\r\n")
        self.write_config(self.config(
            s.url + SCIM, auth={"type": "bearer", "token": "${file:tok}"}))
        self.assertRan(self.up("plan"), 0)
        self.assertEqual([r.headers["Authorization"] for r in s.requests
                          if r.path == SCIM + "/Users"],
                         ["Bearer " + up.SECRET])
        # a saved plan: the secret file changed since is refused by apply
        # before any request
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        with open(self.path("tok"), "wb") as f:
            f.write(b"abc\r\nX-Injected: yes\n")
        seen = len(s.requests)
        p = self.up("apply", "plan.json", "--journal", "j.jsonl")
        self.assertRan(p, 1)
        self.assertIn("secret file", p.stderr)
        self.assertEqual(len(s.requests), seen)

    # ---- §1.10: vendor text in an imported keep list ----

    def raw(self, *args):
        """Runs userprune; returns the process with stdout and stderr as
        the bytes written."""
        import subprocess
        return subprocess.run([up.binary()] + list(args), cwd=self.dir,
                              env=self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=120)

    # bytes that move a terminal's cursor, reorder text or end a YAML
    # comment: ESC, C1 (NEL, CSI), LS, PS, RLO
    FORBIDDEN = (b"\x1b", b"\xc2\x85", b"\xc2\x9b", b"\xe2\x80\xa8",
                 b"\xe2\x80\xa9", b"\xe2\x80\xae")

    def assertNoForbidden(self, data, what):
        for b in self.FORBIDDEN:
            self.assertNotIn(b, data, "%r in %s: %r" % (b, what, data))

    def test_an_import_round_trip_cannot_change_the_meaning_of_the_file(self):
        inject = 'scope: {include: [{type: "*"}]}'
        users = [
            scim_user("u1", "\u2028" + inject, "u1@x.example"),
            scim_user("u2", "Bo\u0085" + inject, "u2@x.example"),
            scim_user("u3", "\u2029keep: ['*']", "u3@x.example"),
            scim_user("u4", "\u009b31mred\x1b[0m \x1b]0;title\x07",
                      "u4@x.example"),
            scim_user("u5", "\u202egnp.exe", "u5@x.example"),
            # values: one with a line separator reads back exactly, one
            # with a control character is named by id, a glob by username
            scim_user("u6", "six"),
            scim_user("u7", "seven"),
            scim_user("u8", "eight", "a*@x.example"),
            # nothing can name this one: left out, and never planned
            scim_user("bad\u0001id", "\x1b[2J\u202e"),
        ]
        app = "protect: {type: app}"
        users[5]["userName"] = "bob\u2028" + app
        users[6]["userName"] = "carol\u009b"
        users[8]["userName"] = "bad\u0001name"
        fake = Scim(users)
        s = self.serve(fake.handle)
        head = ("version: 1\n"
                "tenants:\n"
                "  - name: t1\n"
                "    vendor: scim\n"
                "    url: %s\n"
                "    auth: { type: bearer, token: \"${env:UP_SECRET}\" }\n"
                "    policy: { max_deletions: 100, max_delete_percent: 100 }\n"
                "    limits: { requests_per_second: 0, max_attempts: 2 }\n"
                % (s.url + SCIM))
        with open(self.path("userprune.yaml"), "w") as f:
            f.write(head + "    keep: [nobody@x.example]\n")
        p = self.raw("import", "--tenant", "t1", "-o", "keep.yaml")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("keep.yaml"), "rb") as f:
            raw = f.read()
        # python's yaml, like libyaml, ends a comment at U+0085/2028/2029
        doc = yaml.safe_load(raw.decode())
        self.assertEqual(list(doc), ["keep"])
        self.assertNoForbidden(raw, "keep.yaml")
        self.assertNoForbidden(p.stdout + p.stderr, "import's output")
        self.assertIn(b"user 'bad?id'", p.stderr)  # named, cleaned
        want = ["u1@x.example", "u2@x.example", "u3@x.example",
                "u4@x.example", "u5@x.example",
                {"username": "bob\u2028" + app}, {"id": "u7"},
                {"username": "u8"}]
        self.assertEqual(sorted(map(json.dumps, doc["keep"])),
                         sorted(map(json.dumps, want)))
        # used as intended, under the tenant: the same tenant, nobody goes
        text = raw.decode()
        with open(self.path("adopted.yaml"), "w") as f:
            f.write(head + "".join("    " + line + "\n"
                                   for line in text.split("\n") if line))
        with open(self.path("adopted.yaml")) as f:
            tenant = yaml.safe_load(f)["tenants"][0]
        self.assertEqual(sorted(tenant), ["auth", "keep", "limits", "name",
                                          "policy", "url", "vendor"])
        p = self.up("validate", "-f", "adopted.yaml")
        self.assertRan(p, 0)
        p = self.raw("plan", "-f", "adopted.yaml", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"0 to delete", p.stdout)
        self.assertNoForbidden(p.stdout + p.stderr, "plan")
        # a newcomer with a hostile name is planned, and shown cleaned
        fake.users.append(scim_user("u10", "\x1b[1A\u009b2K\u202eeve\u2028"
                                    "\u0085\u2029", "u10@x.example"))
        p = self.raw("plan", "-f", "adopted.yaml", "--detailed-exitcode")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(b"u10@x.example", p.stdout)
        self.assertNoForbidden(p.stdout + p.stderr, "plan")
        self.assertEqual(s.seen("DELETE"), [])

    # ---- §1.15: no core dump holds a secret ----

    def test_core_dumps_are_off_while_a_run_holds_secrets(self):
        import resource
        import subprocess
        fake = Scim([scim_user("u1")], delay=4)
        s = self.serve(fake.handle)
        self.write_config(self.config(s.url + SCIM))
        root = os.geteuid() == 0
        if root:
            # run as another user, so that /proc shows whether the
            # process is dumpable (an undumpable one's files are root's)
            os.chmod(self.dir, 0o755)
            os.chmod(self.path("userprune.yaml"), 0o644)

        def start():
            unlimited = resource.RLIM_INFINITY
            hard = unlimited if root else \
                resource.getrlimit(resource.RLIMIT_CORE)[1]
            resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
            if root:
                os.setgid(65534)
                os.setuid(65534)
        env = dict(self.env)
        p = subprocess.Popen([up.binary(), "plan"], cwd=self.dir, env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, preexec_fn=start)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        # the token is resolved and in a request once the listing is asked
        deadline = time.time() + 30
        while not s.seen("GET", SCIM + "/Users") and time.time() < deadline:
            if p.poll() is not None:
                self.fail("userprune ended early: %s" % p.stderr.read())
            time.sleep(0.05)
        self.assertTrue(s.seen("GET", SCIM + "/Users"))
        self.assertIsNone(p.poll())
        with open("/proc/%d/limits" % p.pid) as f:
            limits = f.read()
        owner = os.stat("/proc/%d/status" % p.pid).st_uid
        self.assertIsNone(p.poll())  # both read while it ran
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        core = re.search(r"^Max core file size\s+(\S+)\s+(\S+)", limits,
                         re.M)
        self.assertEqual(core.groups(), ("0", "0"), limits)
        # not dumpable: /proc/PID belongs to root, not to the process's user
        self.assertEqual(owner, 0)
        self.assertNotEqual(owner, 65534 if root else os.geteuid())

    # ---- §1.15: a git blob's size before its content ----

    def measured(self, *args, limit_as=None):
        """Runs userprune; returns (exit code, stdout, stderr, peak RSS in
        KiB) of that process alone."""
        import resource
        import subprocess
        import tempfile

        def cap():
            if limit_as:
                resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            p = subprocess.Popen([up.binary()] + list(args), cwd=self.dir,
                                 env=self.env, stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err, preexec_fn=cap)
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            return (p.returncode, out.read().decode(),
                    err.read().decode(errors="replace"), usage.ru_maxrss)

    def test_a_huge_keep_blob_is_refused_by_its_size_before_it_is_read(self):
        size = 300 << 20
        repo = self.path("repo")
        os.makedirs(repo)
        git(repo, "init", "-q", "-b", "main")
        cfg = {"version": 1, "tenants": [{
            "name": "qa", "vendor": "scim", "url": "https://scim.example/v2",
            "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
            "keep": [{"file": "keep/qa.txt", "field": "email"}]}]}
        with open(os.path.join(repo, "userprune.yaml"), "w") as f:
            yaml.safe_dump(cfg, f)
        git(repo, "add", "userprune.yaml")
        # 300 MB of zeros in the commit, 300 KB on disk
        git(repo, "update-index", "--add", "--cacheinfo",
            "100644,%s,keep/qa.txt" % zero_blob(repo, size))
        commit = git(repo, "commit-tree", git(repo, "write-tree"), "-m",
                     "Keep everyone")
        git(repo, "update-ref", "refs/heads/main", commit)
        # 256 MiB of address space cannot hold the blob (ASan needs more
        # to start at all)
        cap = None if os.environ.get("USERPRUNE_SANITIZED") else 256 << 20
        code, out, err, peak = self.measured("validate", "--git-url", repo,
                                             limit_as=cap)
        self.assertEqual(code, 1, out + err)
        self.assertLess(peak, 128 << 10, "peak RSS %d KiB" % peak)
        self.assertRegex(err, r"^userprune\.yaml:\d+:\d+: .*keep/qa\.txt: "
                         r"file is larger than 64 MiB \(it has %d bytes\)" % size)
        # a keep file under the limit in the same repository still reads
        with open(os.path.join(repo, "small.txt"), "w") as f:
            f.write("ada@acme.example\n")
        cfg["tenants"][0]["keep"][0]["file"] = "small.txt"
        with open(os.path.join(repo, "userprune.yaml"), "w") as f:
            yaml.safe_dump(cfg, f)
        git(repo, "add", "userprune.yaml", "small.txt")
        commit = git(repo, "commit-tree", git(repo, "write-tree"), "-p",
                     commit, "-m", "Keep ada")
        git(repo, "update-ref", "refs/heads/main", commit)
        code, out, err, peak = self.measured("validate", "--git-url", repo,
                                             limit_as=cap)
        self.assertEqual(code, 0, out + err)
        self.assertIn("configuration OK", out)

    # ---- §4: markdown parts for a pull-request comment ----

    def markdown_setup(self, tenants=400):
        """A repository whose desired state has long everything: a
        70,000-character commit subject, a user with 70,000-character
        fields, keep files with long missing paths (long guard details),
        long unmatched keep values (long warnings), and many tenants with
        names of the longest kind (a long summary table)."""
        repo = self.path("repo")
        os.makedirs(repo)
        git(repo, "init", "-q", "-b", "main")
        long = "&<|" * 23334  # 70,002 characters, each escaped in markdown
        missing = [{"file": "%02d/" % i + "/".join(["d" * 200] * 15)}
                   for i in range(40)]
        first = {"name": "t" + "x" * 63, "vendor": "scim",
                 "url": "https://scim.example/v2",
                 "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
                 "keep": [long[:3000] + str(i) for i in range(60)] + missing,
                 "policy": {"max_deletions": 1000,
                            "max_delete_percent": 100}}
        cfg = {"version": 1, "tenants": [first] + [
            {"name": "t%063d" % i, "vendor": "scim",
             "url": "https://scim.example/v2",
             "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
             "keep": ["keeper@x.example"]} for i in range(1, tenants)]}
        with open(os.path.join(repo, "userprune.yaml"), "w") as f:
            yaml.safe_dump(cfg, f)
        with open(self.path("msg"), "w") as f:
            f.write(long + "\n\nbody\n")
        git(repo, "add", "userprune.yaml")
        git(repo, "commit", "-q", "-F", self.path("msg"))
        live = {t["name"]: {"caller": "me", "users": [
            up.user("me", "me@x.example"),
            up.user("keeper", "keeper@x.example")]} for t in cfg["tenants"]}
        live[first["name"]]["users"] += [
            up.user(long[:i * 1000] + "id%d" % i,
                    long + "%d@x.example" % i, long + "user%d" % i,
                    name=long + "%d" % i) for i in range(30)]
        with open(self.path("live.json"), "w") as f:
            json.dump(live, f)
        return ("--git-url", repo, "--live", "live.json")

    def assertParts(self, parts):
        """Every part fits a comment and is a complete document."""
        n = len(parts)
        for i, text in enumerate(parts):
            self.assertLessEqual(len(text), 65000, "part %d" % (i + 1))
            self.assertLessEqual(len(text.encode()), 65000)
            self.assertTrue(text.startswith("## userprune plan\n"))
            if n > 1:
                self.assertIn("_Part %d of %d._" % (i + 1, n), text)
            self.assertEqual(text.count("<details>"),
                             text.count("</details>"))

    def test_every_markdown_part_fits_whatever_the_fields(self):
        source = self.markdown_setup()
        p = self.up("plan", *source, "-o", "plan.json", "--format",
                    "markdown", "--split-dir", "md")
        self.assertRan(p, 3)  # the missing keep files trip a guard
        # zero-padded: sorted by name is sorted by number
        names = sorted(os.listdir(self.path("md")))
        self.assertEqual(names, ["plan-%03d.md" % (i + 1)
                                 for i in range(len(names))])
        parts = []
        for name in names:
            with open(self.path("md", name), encoding="utf-8") as f:
                parts.append(f.read())
        self.assertParts(parts)
        # nothing is lost: every tenant's row, every user, every guard
        text = "".join(parts)
        for i in range(1, 400):
            self.assertIn("| t%063d | scim |" % i, text)
        self.assertEqual(len(re.findall(r"^\| id\d+ \|", text, re.M)) +
                         len(re.findall(r"^\| (?:&amp;&lt;\\\|)+", text,
                                        re.M)), 30)
        self.assertEqual(len(re.findall(r"^- ⛔ \*\*value\\_file\*\*", text,
                                        re.M)), 40)
        # printed on stdout, each part is the same size
        p = self.up("show", "plan.json", "--format", "markdown")
        self.assertRan(p, 0)
        shown = re.split(r"\n<!-- userprune: part \d+ of \d+ -->\n\n",
                         p.stdout)
        self.assertEqual(shown, parts)

    def test_split_dir_holds_only_this_plans_parts(self):
        # a long plan leaves several parts, and there are other files
        source = self.markdown_setup(tenants=2)
        os.makedirs(self.path("md", "plan-99.md"))  # not a file: left
        for name in ("plan-12.md", "notes.md", "plan-x.md", "plan-3.md.orig",
                     "my-plan-4.md"):
            with open(self.path("md", name), "w") as f:
                f.write("## not this plan\n")
        p = self.up("plan", *source, "--format", "markdown", "--split-dir",
                    "md")
        self.assertRan(p, 3)
        self.assertTrue(os.path.exists(self.path("md", "plan-003.md")))
        self.assertFalse(os.path.exists(self.path("md", "plan-12.md")))
        # the next plan is short: its one part is all that is left of it
        with open(self.path("small.yaml"), "w") as f:
            yaml.safe_dump({"version": 1, "tenants": [{
                "name": "qa", "vendor": "scim",
                "url": "https://scim.example/v2",
                "auth": {"type": "bearer", "token": "${env:UP_SECRET}"},
                "keep": ["keeper@x.example"]}]}, f)
        with open(self.path("small.json"), "w") as f:
            json.dump({"qa": [up.user("keeper", "keeper@x.example"),
                              up.user("u1", "u1@x.example")]}, f)
        p = self.up("plan", "-f", "small.yaml", "--live", "small.json",
                    "--format", "markdown", "--split-dir", "md")
        self.assertRan(p, 0)
        self.assertEqual(sorted(os.listdir(self.path("md"))),
                         ["my-plan-4.md", "notes.md", "plan-001.md",
                          "plan-3.md.orig", "plan-99.md", "plan-x.md"])
        for name in ("notes.md", "plan-x.md", "plan-3.md.orig",
                     "my-plan-4.md"):
            with open(self.path("md", name)) as f:
                self.assertEqual(f.read(), "## not this plan\n")
        with open(self.path("md", "plan-001.md")) as f:
            part = f.read()
        self.assertParts([part])
        self.assertIn("| u1 | u1@x.example |", part)
