#!/usr/bin/python3
"""The JSON Schemas in schema/ agree with userprune on examples and fixtures.

checks(root, build) yields (name, ok, detail) for tests/run.py:

  - each schema is a valid draft 2020-12 schema with $id, title, description;
  - every desired-state file in examples/ (top-level version: and tenants:)
    and every tests/fixtures/config/valid/*.yaml validates against
    desired-state.schema.json;
  - every invalid fixture marked "# schema: invalid" on its first line fails
    it, and every one marked "# schema: n/a" (a problem the schema cannot
    express: tabs, files, variables, duplicate names...) either cannot be
    read by PyYAML at all or passes the schema, so that the markers stay
    honest;
  - every snapshot in tests/fixtures/live/ and examples/ validates against
    live-users.schema.json;
  - plan files that build/userprune writes from fixtures and snapshots (and
    what `show --format json` prints) validate against plan.schema.json;
  - journal.schema.json is a valid schema (the journals apply and restore
    write are checked against it by tests/integration/test_reversible.py,
    which runs them against the emulator).

YAML is read the way the C loader reads it: YAML 1.2 core scalars (yes/no/on
are strings, 010 is ten) and mapping keys as written, so that a fixture means
the same to both.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile

import jsonschema
import yaml

SCHEMAS = ("desired-state", "live-users", "plan", "journal")
MARKER = re.compile(r"# schema: (invalid|n/a)\s*$")

# (fixture, snapshot, extra arguments): plans made in a temporary directory
PLANS = [
    ("full-featured.yaml", "full-featured.json", []),
    ("full-featured.yaml", "full-featured.json", ["--tenant", "bizagi-dev"]),
    ("keep-text-comments.yaml", "jira-qa.json", []),
    ("keep-csv-quoted-bom.yaml", "jira-qa.json", []),
    # not literal-secret.yaml: plan -o refuses a literal secret
    ("protect-policy-limits.yaml", "jira-qa.json", []),
    ("empty-sections.yaml", "jira-qa.json", []),
    ("tls-ca-file.yaml", "jira-qa.json", []),
    ("file-secret.yaml", "jira-qa.json", []),
]

# who a plan deletes, where a fixture is about what is kept
EXPECTED_DELETES = {
    # "admin@acme.com   # the owner": the comment is not part of the value
    "keep-text-comments.yaml": {"5b10ac8d82e05b22cc7d4ef7",
                                "5b10ac8d82e05b22cc7d4ef8", "u-eve"},
    # ids and emails from quoted fields of a CSV file with a BOM
    "keep-csv-quoted-bom.yaml": {"5b10ac8d82e05b22cc7d4ef8", "u-admin",
                                 "u-root", "u-eve"},
}


class CoreLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core scalars, like libyaml+config.c."""


CoreLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
        ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("int", r"^[-+]?[0-9]+$", list("-+0123456789")),
        ("float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$",
         list("-+.0123456789"))):
    CoreLoader.add_implicit_resolver("tag:yaml.org,2002:" + _tag,
                                     re.compile(_regexp), _first)


def _construct_int(loader, node):
    return int(loader.construct_scalar(node), 10)


def _construct_float(loader, node):
    return float(loader.construct_scalar(node))


def _construct_mapping(loader, node):
    out = {}
    for k, v in node.value:
        key = k.value if isinstance(k, yaml.ScalarNode) \
            else loader.construct_object(k, deep=True)
        try:
            out[key] = loader.construct_object(v, deep=True)
        except TypeError as e:
            raise yaml.constructor.ConstructorError(
                None, None, f"unhashable key: {e}", k.start_mark)
    return out


CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
CoreLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_yaml(path):
    with open(path, "rb") as f:
        return yaml.load(f, Loader=CoreLoader)


def schema_errors(validator, data):
    errs = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    return [f"{'/'.join(str(p) for p in e.path) or '(root)'}: {e.message}"
            for e in errs]


def rel(root, path):
    return os.path.relpath(path, root)


def is_desired_state(path):
    """A userprune file, not a CI workflow: version: and tenants: at the top."""
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return False
    return bool(re.search(r"^version:", text, re.M)
                and re.search(r"^tenants:", text, re.M))


def is_snapshot(data):
    """Tenant names mapped to user lists or {caller, users} objects."""
    return isinstance(data, dict) and bool(data) and all(
        isinstance(v, list) or (isinstance(v, dict) and "users" in v)
        for v in data.values())


def check_schemas(root):
    validators = {}
    for name in SCHEMAS:
        path = os.path.join(root, "schema", f"{name}.schema.json")
        label = f"{name}.schema.json is a valid schema"
        try:
            schema = json.load(open(path, encoding="utf-8"))
            jsonschema.Draft202012Validator.check_schema(schema)
            missing = [k for k in ("$id", "title", "description")
                       if not schema.get(k)]
            if schema.get("$schema") != \
                    "https://json-schema.org/draft/2020-12/schema":
                missing.append("$schema (draft 2020-12)")
        except (OSError, ValueError, jsonschema.SchemaError) as e:
            yield label, False, str(e)
            continue
        yield label, not missing, f"missing {', '.join(missing)}"
        validators[name] = jsonschema.Draft202012Validator(schema)
    return validators


def check_valid_yaml(root, validator, path, label):
    try:
        data = load_yaml(path)
    except yaml.YAMLError as e:
        return label, False, f"{rel(root, path)}: PyYAML cannot read it: {e}"
    errs = schema_errors(validator, data)
    return label, not errs, f"{rel(root, path)}:\n" + "\n".join(errs)


def check_desired_state(root, validator):
    files = sorted(glob.glob(os.path.join(root, "examples", "**", "*.yaml"),
                             recursive=True))
    for path in files:
        if is_desired_state(path):
            yield check_valid_yaml(root, validator, path,
                                   f"desired-state {rel(root, path)}")
    fixtures = os.path.join(root, "tests", "fixtures", "config")
    for path in sorted(glob.glob(os.path.join(fixtures, "valid", "*.yaml"))):
        yield check_valid_yaml(root, validator, path,
                               f"desired-state {rel(root, path)}")
    for path in sorted(glob.glob(os.path.join(fixtures, "invalid", "*.yaml"))):
        yield check_invalid(root, validator, path)


def check_invalid(root, validator, path):
    label = f"desired-state {rel(root, path)}"
    raw = open(path, "rb").read()
    first = raw.split(b"\n", 1)[0].decode("utf-8", "replace")
    m = MARKER.match(first)
    if not raw:
        expect = "invalid"  # nothing to mark: PyYAML reads it as null
    elif not m:
        return label, False, \
            "first line must be '# schema: invalid' or '# schema: n/a'"
    else:
        expect = m.group(1)
    try:
        data = load_yaml(path)
    except yaml.YAMLError as e:
        if expect == "n/a":
            return label, True, ""
        return label, False, f"marked invalid but PyYAML cannot read it " \
                             f"(mark it n/a): {e}"
    errs = schema_errors(validator, data)
    if expect == "invalid":
        return label, bool(errs), "the schema accepts it, the loader does not"
    return label, not errs, \
        "marked n/a but the schema rejects it (mark it invalid):\n" + \
        "\n".join(errs)


def check_snapshots(root, validator):
    live = os.path.join(root, "tests", "fixtures", "live")
    paths = [(p, True) for p in sorted(glob.glob(os.path.join(live, "*.json")))]
    paths += [(p, False) for p in sorted(glob.glob(
        os.path.join(root, "examples", "**", "*.json"), recursive=True))]
    for path, required in paths:
        label = f"live-users {rel(root, path)}"
        try:
            data = json.load(open(path, encoding="utf-8"))
        except ValueError as e:
            if required:
                yield label, False, f"not JSON: {e}"
            continue
        if not required and not is_snapshot(data):
            continue
        errs = schema_errors(validator, data)
        yield label, not errs, "\n".join(errs)


def run(args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIXTURE_")}
    env.update(NO_COLOR="1", FIXTURE_TOKEN="fixture-token-value",
               FIXTURE_USER="fixture-user")
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def check_plan(root, binary, validator, tmp, fixture, snapshot, extra, n):
    cwd = os.path.join(root, "tests", "fixtures", "config", "valid")
    snap = os.path.join(root, "tests", "fixtures", "live", snapshot)
    out = os.path.join(tmp, f"plan-{n}.json")
    label = f"plan {fixture} --live {snapshot} {' '.join(extra)}".rstrip()
    p = run([binary, "plan", "-f", fixture, "--live", snap, "-o", out,
             "--format", "json"] + extra, cwd)
    # 0: planned, 3: a guard refused it; a plan file is written either way
    if p.returncode not in (0, 3) or not os.path.exists(out):
        yield label, False, f"exit {p.returncode}\n{p.stdout}{p.stderr}"
        return
    plan = json.load(open(out, encoding="utf-8"))
    errs = schema_errors(validator, plan)
    yield label, not errs, "\n".join(errs)
    p = run([binary, "show", out, "--format", "json"], cwd)
    try:
        shown = json.loads(p.stdout) if p.returncode == 0 else None
    except ValueError as e:
        shown, p.stderr = None, f"{p.stderr}not JSON: {e}"
    if shown is None:
        yield f"{label}: show --format json", False, \
            f"exit {p.returncode}\n{p.stderr}"
    else:
        errs = schema_errors(validator, shown)
        yield f"{label}: show --format json", not errs, "\n".join(errs)
    want = EXPECTED_DELETES.get(fixture)
    if want is not None and not extra:
        got = {u["id"] for t in plan["tenants"] for u in t["delete"]}
        yield f"{label}: deletes exactly the users not kept", got == want, \
            f"want {sorted(want)}\ngot  {sorted(got)}"


def check_git_plan(root, binary, validator, tmp):
    """A plan whose source is a git repository (source.kind "git")."""
    label = "plan --git-url (a local repository) --live jira-qa.json"
    repo = os.path.join(tmp, "repo")
    config = os.path.join(root, "tests", "fixtures", "config")
    git = ["git", "-c", "user.name=userprune tests",
           "-c", "user.email=tests@userprune.invalid", "-C", repo]
    try:
        os.makedirs(os.path.join(repo, "valid"))
        for d in ("keep", "secrets", "tls"):
            shutil.copytree(os.path.join(config, d), os.path.join(repo, d))
        shutil.copy(os.path.join(config, "valid", "keep-text-comments.yaml"),
                    os.path.join(repo, "valid"))
        for args in (["init", "-q"], ["add", "."],
                     ["commit", "-q", "-m", "desired state"]):
            subprocess.run(git + args, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return  # no git command here: nothing to compare
    out = os.path.join(tmp, "plan-git.json")
    p = run([binary, "plan", "--git-url", repo, "--git-path",
             "valid/keep-text-comments.yaml", "--live",
             os.path.join(root, "tests", "fixtures", "live", "jira-qa.json"),
             "-o", out, "--format", "json"], tmp)
    if "not built in" in p.stderr:
        return
    if p.returncode != 0 or not os.path.exists(out):
        yield label, False, f"exit {p.returncode}\n{p.stdout}{p.stderr}"
        return
    errs = schema_errors(validator, json.load(open(out, encoding="utf-8")))
    yield label, not errs, "\n".join(errs)


def check_plans(root, build, validator):
    binary = os.path.join(build, "userprune")
    if not os.access(binary, os.X_OK):
        yield "plan files", False, f"{binary} is not built"
        return
    with tempfile.TemporaryDirectory(prefix="userprune-schema-") as tmp:
        for n, (fixture, snapshot, extra) in enumerate(PLANS):
            yield from check_plan(root, binary, validator, tmp, fixture,
                                  snapshot, extra, n)
        yield from check_git_plan(root, binary, validator, tmp)


def checks(root, build):
    validators = yield from check_schemas(root)
    if "desired-state" in validators:
        yield from check_desired_state(root, validators["desired-state"])
    if "live-users" in validators:
        yield from check_snapshots(root, validators["live-users"])
    if "plan" in validators:
        yield from check_plans(root, build, validators["plan"])


if __name__ == "__main__":
    import sys

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    failed = 0
    for name, ok, detail in checks(here, os.path.join(here, "build")):
        if not ok:
            failed += 1
            print(f"FAIL {name}\n    " + detail.replace("\n", "\n    "))
        elif "-v" in sys.argv:
            print(f"ok   {name}")
    sys.exit(1 if failed else 0)
