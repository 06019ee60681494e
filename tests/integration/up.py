"""Helpers for integration tests: run the real userprune binary in a private
directory against the vendor emulator, write desired-state files, read plans
and journals.

    class T(up.TestCase):
        def test_x(self):
            with self.emulator("atlassian", population=pop) as emu:
                self.write_config(self.tenant("atlassian", emu, keep=[...]))
                r = self.up("plan")
                self.assertEqual(r.returncode, 0, r.stderr)
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import yaml

from emu import Emulator, build_dir, SANITIZER_MARKS

SECRET = "s3cret-Tok3n-for-tests"
USER = "admin@example.test"
CALLER = "caller-0001"


def binary():
    return os.path.join(build_dir(), "userprune")


def user(uid, email=None, username=None, name=None, type="human",
         status="active", **extra):
    u = {"id": uid, "email": email, "username": username,
         "name": name or uid, "type": type, "status": status}
    u.update(extra)
    return u


def population(vendor, deletable=20, kept=5, protected=2, apps=2,
               inactive=2):
    """A tenant: the caller, kept users, protected admins, apps and users to
    delete. Returns (population, ids by role). Vendors whose API has no
    account types (SCIM) list apps as users: tenant() scopes them out by
    their user name."""
    users = [user(CALLER, USER, "admin", "The Caller")]
    roles = {"caller": [CALLER], "kept": [], "protected": [], "apps": [],
             "delete": []}
    for i in range(kept):
        uid = f"kept-{i:04d}"
        users.append(user(uid, f"keeper{i}@acme.example", f"keeper{i}"))
        roles["kept"].append(uid)
    for i in range(protected):
        uid = f"prot-{i:04d}"
        users.append(user(uid, f"boss{i}-admin@acme.example", f"boss{i}"))
        roles["protected"].append(uid)
    for i in range(apps):
        uid = f"app-{i:04d}"
        users.append(user(uid, None, f"app{i}", type="app"))
        roles["apps"].append(uid)
    for i in range(deletable):
        uid = f"gone-{i:04d}"
        users.append(user(uid, f"test{i}@acme.example", f"test{i}",
                          status="inactive" if i < inactive else "active"))
        roles["delete"].append(uid)
    pop = {"caller": CALLER, "users": users}
    if vendor in INTEGER_IDS:
        # ids as the vendor has them: 1000, 1001, ...; roles follow
        new = {u["id"]: str(1000 + i) for i, u in enumerate(users)}
        for u in users:
            u["id"] = new[u["id"]]
        pop["caller"] = new[CALLER]
        roles = {k: [new[i] for i in v] for k, v in roles.items()}
    if vendor == "automation-anywhere":
        users[0]["username"] = USER  # the authenticating user
    return pop, roles


AUTH = {
    "atlassian": {"type": "basic", "username": "${env:UP_USER}",
                  "password": "${env:UP_SECRET}"},
    "scim": {"type": "bearer", "token": "${env:UP_SECRET}"},
    "bevy": {"type": "token", "token": "${env:UP_SECRET}"},
    "uipath": {"type": "oauth2", "client_id": "${env:UP_USER}",
               "client_secret": "${env:UP_SECRET}"},
    "bizagi": {"type": "oauth2", "client_id": "${env:UP_USER}",
               "client_secret": "${env:UP_SECRET}"},
    "automation-anywhere": {"type": "control-room",
                            "username": "${env:UP_USER}",
                            "password": "${env:UP_SECRET}"},
    "atlassian-org": {"type": "bearer", "token": "${env:UP_SECRET}"},
}

# The emulator's default organization (atlassian-org options.org_id).
ORG_ID = "acme"

# Vendors whose user ids are integers.
INTEGER_IDS = ("bevy", "automation-anywhere")

# The emulator's default UiPath partition (options.partition_global_id).
UIPATH_PARTITION = "9b3c1f2a-6d4e-4f8a-b1c2-3d4e5f6a7b8c"

# Vendors whose users carry no account type.
UNTYPED = ("scim", "bizagi", "bevy", "automation-anywhere")

# The emulator flags that make it accept AUTH above.
EMU_AUTH = {
    "atlassian": {"username": USER, "password": SECRET},
    "scim": {"token": SECRET},
    "bevy": {"token": SECRET},
    "uipath": {"client_id": USER, "client_secret": SECRET},
    "bizagi": {"client_id": USER, "client_secret": SECRET},
    "automation-anywhere": {"username": USER, "password": SECRET},
    "atlassian-org": {"token": SECRET},
}


class TestCase(unittest.TestCase):
    """A private directory per test, and the commands run inside it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="userprune-it-")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("UP_")}
        self.env.update({"UP_USER": USER, "UP_SECRET": SECRET,
                         "NO_COLOR": "1", "HOME": self.dir,
                         "XDG_CACHE_HOME": os.path.join(self.dir, "cache")})
        self.emulators = []

    def tearDown(self):
        for e in self.emulators:
            e.stop(check=False)
        if not os.environ.get("USERPRUNE_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def emulator(self, vendor, **flags):
        """An emulator accepting the test credentials; stopped at teardown."""
        opts = dict(EMU_AUTH[vendor])
        opts.update(flags)
        e = Emulator(vendor, **opts)
        self.emulators.append(e)
        e.start()
        return e

    def tenant(self, vendor, emu, name="t1", keep=None, **extra):
        t = {"name": name, "vendor": vendor, "url": emu.base_url(),
             "auth": dict(AUTH[vendor])}
        if vendor in UNTYPED:
            t["scope"] = {"exclude": [{"username": "app*"}]}
        if vendor == "uipath":
            t["options"] = {"partition_global_id": UIPATH_PARTITION}
        if vendor == "atlassian-org":
            t["options"] = {"org_id": ORG_ID}
        if keep is not None:
            t["keep"] = keep
        t.update(extra)
        return t

    def write_config(self, *tenants, name="userprune.yaml", defaults=None):
        doc = {"version": 1, "tenants": list(tenants)}
        if defaults:
            doc["defaults"] = defaults
        with open(self.path(name), "w") as f:
            yaml.safe_dump(doc, f, sort_keys=False)
        return self.path(name)

    def up(self, *args, env=None, input=None, timeout=180, check_sanitizer=True,
           preexec_fn=None):
        """Runs userprune in the test directory; returns the process."""
        e = dict(self.env)
        if env:
            e.update(env)
        p = subprocess.run([binary()] + [str(a) for a in args], cwd=self.dir,
                           env=e, input=input, capture_output=True,
                           text=True, timeout=timeout,
                           stdin=None if input is not None else
                           subprocess.DEVNULL, preexec_fn=preexec_fn)
        if check_sanitizer:
            for mark in SANITIZER_MARKS:
                if mark in p.stderr:
                    self.fail(f"sanitizer report:\n{p.stderr}")
        return p

    def spawn(self, *args, env=None):
        e = dict(self.env)
        if env:
            e.update(env)
        return subprocess.Popen([binary()] + [str(a) for a in args],
                                cwd=self.dir, env=e, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def read_plan(self, path="plan.json"):
        with open(self.path(path)) as f:
            return json.load(f)

    def journal(self, path):
        with open(self.path(path)) as f:
            return [json.loads(line) for line in f if line.strip()]

    def outcomes(self, path):
        """id -> outcome of every outcome line of a journal."""
        return {l["id"]: l["outcome"] for l in self.journal(path)
                if l["type"] == "outcome"}

    def assertRan(self, p, code, msg=""):
        self.assertEqual(p.returncode, code,
                         f"{msg}\n--- stdout\n{p.stdout}\n--- stderr\n"
                         f"{p.stderr}")


def writes(requests):
    """Requests that change something at the vendor (token and listing
    POSTs are reads)."""
    reads = ("/users/list", "/authentication", "/authentication/token",
             "/connect/token", "/oauth2/server/token")
    return [r for r in requests
            if r["method"] not in ("GET", "HEAD")
            and not (r["method"] == "POST" and r["path"].endswith(reads))]


def remaining(emu):
    """Ids the vendor still has, deleted-but-scheduled ones excluded."""
    return sorted(u["id"] for u in emu.users()["users"]
                  if u["status"] != "pending_deletion")
