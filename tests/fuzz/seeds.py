#!/usr/bin/python3
"""Writes the generated part of the seed corpora in tests/fuzz/corpus/.

Seeds are the project's own fixtures and examples (prefixed with the
target's mode byte where it has one), a few plans and journals, and
recorded vendor answers like those of tests/unit/test_vendor_*.c. Other
files are left alone: regress-* (reproducers of fixed bugs) and the
inputs libFuzzer found and merged in for coverage (named by their SHA-1).

Usage: tests/fuzz/seeds.py [--build DIR]   (plans come from DIR/userprune)
"""

import argparse
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")

# fuzz_plan.c: the tail it appends in fix-up mode
TAIL_HEAD = b',\n  "checksum": "'
TAIL_END = b'"\n}\n'
# fuzz_journal.c: the checksum of the plan the journal is of
CHECKSUM = "4ba286fde63c9de226571e64187d98ec8132479c5f2712360e886be6bbe0a0ba"


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(*path):
    with open(os.path.join(*path), "rb") as f:
        return f.read()


def config_seeds():
    keep = os.path.join(FIXTURES, "config", "keep")
    for kind in ("valid", "invalid"):
        d = os.path.join(FIXTURES, "config", kind)
        for f in sorted(os.listdir(d)):
            if not f.endswith(".yaml"):
                continue
            yaml = read(d, f)
            # the value file it names, when there is one, after a NUL
            extra = b""
            for k in sorted(os.listdir(keep)):
                if f"../keep/{k}".encode() in yaml:
                    extra = b"\0" + read(keep, k)
                    break
            flags = 3 if kind == "valid" else 1
            write("config", f"{kind}-{f[:-5]}", bytes([flags]) + yaml + extra)
    d = os.path.join(ROOT, "examples")
    for f in sorted(os.listdir(d)):
        if f.endswith(".yaml"):
            write("config", f"example-{f[:-5]}", b"\0" + read(d, f))


def valuefile_seeds():
    keep = os.path.join(FIXTURES, "config", "keep")
    for k in sorted(os.listdir(keep)):
        data = read(keep, k)
        if k.endswith(".csv"):
            write("valuefile", f"{k}-email", b"\x03" + data)
            write("valuefile", f"{k}-user-id", b"\x05" + data)
            write("valuefile", f"{k}-named", b"\x07Email\n" + data)
            write("valuefile", f"{k}-only", b"\x01" + data)
        else:
            write("valuefile", k, b"\0" + data)
    write("valuefile", "crlf.csv",
          b"\x03id,email\r\n1,\"a@x.com\"\r\n2,\"b,\"\"c\"\"@x.com\"\r\n")
    write("valuefile", "multiline.csv",
          b"\x01value\n\"two\nlines\"\nlast")


def snapshot_seeds():
    for f in sorted(os.listdir(os.path.join(FIXTURES, "live"))):
        write("snapshot", f, read(FIXTURES, "live", f))
    write("snapshot", "demo-live.json",
          read(ROOT, "examples", "demo-live.json")[:4000].rsplit(b"},", 1)[0]
          + b"}]}}\n")
    write("snapshot", "list-form.json",
          '{"app": [{"id": "1", "email": "a@x.com", "type": "robot", '
          '"status": "pending_deletion"}, {"id": "2", "name": null}],\n'
          ' "other": {"users": [], "caller": null}}\n')
    write("snapshot", "empty.json", "{}")


def jsonscan_seeds():
    write("jsonscan", "values.json",
          '{"a": [1, -2.5e+3, true, false, null], "b": {"c": "\\"\\u00e9"}}'
          ' [[]] "s" 0')
    write("jsonscan", "users.json", read(FIXTURES, "live", "jira-qa.json"))
    write("jsonscan", "deep.json", "[" * 40 + "]" * 40)


def plan_seeds(build):
    binary = os.path.join(build, "userprune")
    valid = os.path.join(FIXTURES, "config", "valid")
    env = dict(os.environ, FIXTURE_TOKEN="fixture-token-value",
               FIXTURE_USER="fixture-user", NO_COLOR="1")
    plans = [("full-featured", "full-featured.json", []),
             ("keep-csv-quoted-bom", "jira-qa.json", []),
             ("protect-policy-limits", "jira-qa.json", []),
             ("literal-secret", "jira-qa.json", []),
             ("full-featured", "full-featured.json",
              ["--tenant", "bizagi-dev"])]
    with tempfile.TemporaryDirectory() as tmp:
        for n, (fixture, live, extra) in enumerate(plans):
            out = os.path.join(tmp, "plan.json")
            subprocess.run([binary, "plan", "-f", fixture + ".yaml",
                            "--live", os.path.join(FIXTURES, "live", live),
                            "-o", out] + extra, cwd=valid, env=env,
                           capture_output=True)
            data = read(out)
            name = fixture + ("-" + extra[-1] if extra else "")
            # as written (checksum checked), and as a body to fix up
            write("plan", name, b"\0" + data)
            body = data[:data.rindex(TAIL_HEAD)]
            write("plan", name + "-body", b"\x07" + body)
            if n == 0:
                # the same plan read from git
                p = json.loads(data)
                p["source"] = {"kind": "git", "path": "userprune.yaml",
                               "sha256": p["source"]["sha256"],
                               "url": "https://git.example/infra.git",
                               "ref": "main", "commit": "0" * 40,
                               "author": "A <a@x>", "subject": "keep bob",
                               "live": None}
                del p["checksum"]
                text = json.dumps(p, indent=2).encode()
                write("plan", "git-source-body",
                      b"\x01" + text[:text.rindex(b"\n}")])


def journal_seeds():
    header = {"type": "header", "time": "2026-11-22T18:09:11.949Z",
              "run_id": "b876099147e46c51468997c84a7f7aa5",
              "tool_version": "0.1.0", "plan_checksum": CHECKSUM,
              "plan_created": "2026-11-22T18:09:11Z",
              "source": {"kind": "file", "path": "examples/demo.yaml"},
              "resumed_from": None}

    def outcome(tenant, uid, out):
        return {"type": "outcome", "time": "2026-11-22T18:09:12.570Z",
                "tenant": tenant, "vendor": "atlassian", "id": uid,
                "email": "ada@acme.example", "outcome": out,
                "http_status": 204, "attempts": 1, "detail": None}

    lines = [header,
             outcome("jira-qa", "47c5e04c6e2d849ff41c25fa", "deleted"),
             outcome("jira-qa", "eea98258a2e2a7512c85436b", "failed"),
             outcome("bz", "u-2", "deactivated"),
             {"type": "step", "time": "2026-11-22T18:09:13Z", "tenant": "bz",
              "vendor": "bizagi", "step": "MassUserDeletion",
              "outcome": "done", "http_status": 200, "detail": "ok"},
             {"type": "summary", "time": "2026-11-22T18:09:14Z",
              "deleted": 1, "failed": 1, "interrupted": False}]
    text = "".join(json.dumps(x) + "\n" for x in lines)
    write("journal", "resume.jsonl", text)
    # killed while writing its last line
    write("journal", "cut-short.jsonl", text + text.splitlines()[1][:40])
    write("journal", "other-plan.jsonl",
          json.dumps(dict(header, plan_checksum="0" * 64)) + "\n")
    # a torn line closed by the next run, which resumed in place; the
    # second run verified, turned an outcome into failed, and recorded a
    # step before sending it
    second = dict(header, run_id="c" * 32, resumes=header["run_id"],
                  plan_path="plan.json", tenants=["jira-qa", "bz"])
    later = [second,
             outcome("jira-qa", "47c5e04c6e2d849ff41c25fa", "failed"),
             {"type": "verify", "time": "2026-11-22T18:10:00Z",
              "tenant": "jira-qa", "checked": 2, "still_present": 1,
              "error": None},
             {"type": "step", "time": "2026-11-22T18:10:01Z", "tenant": "bz",
              "vendor": "bizagi", "step": "mass_user_deletion",
              "outcome": "started", "http_status": None, "detail": None},
             {"type": "step", "time": "2026-11-22T18:10:02Z", "tenant": "bz",
              "vendor": "bizagi", "step": "mass_user_deletion",
              "outcome": "unknown", "http_status": None,
              "detail": "no answer"}]
    write("journal", "torn-then-resumed.jsonl",
          text + text.splitlines()[1][:40] + "\n" +
          "".join(json.dumps(x) + "\n" for x in later))
    # a resume into another journal, named relative to it (not there)
    write("journal", "resumed-from-missing.jsonl",
          json.dumps(dict(second, resumed_from="j1.jsonl")) + "\n")
    # a torn first header, then a whole one
    write("journal", "torn-header.jsonl",
          json.dumps(header)[:50] + "\n" + json.dumps(header) + "\n")


# fuzz_vendor.c: tenants[], hooks, statuses[] and types[] by index
TENANTS = {"atlassian": 0, "uipath": 1, "uipath-standalone": 2, "bevy": 3,
           "bevy-local": 4, "aa": 5, "aa-v2": 6, "bizagi-test": 7,
           "bizagi": 8, "scim": 9, "scim-never": 10, "scim-deactivate": 11,
           "scim-deactivated": 12, "bizagi-bearer": 13, "atlassian-org": 14,
           "atlassian-org-delete": 15}
HOOKS = {"list": 0, "caller": 1, "auth": 2, "discover": 3, "delete": 4,
         "post": 5}
STATUSES = [200, 201, 204, 400, 401, 403, 404, 409, 412, 429, 500, 501, 0,
            302, 202, 299, 100, 599, 207, 503, 413, 405]
TYPES = {None: 0, "json": 1, "json-utf8": 2, "scim": 3, "html": 4,
         "text": 5, "empty": 6, "problem": 7}


def answer(name, tenant, hook, status, ctype, x, body):
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    head = bytes([TENANTS[tenant], HOOKS[hook], STATUSES.index(status),
                  TYPES[ctype], x])
    write("vendor", name, head + body)


def atlassian_org_seeds():
    j = "json"
    users = "https://api.atlassian.com/admin/v2/orgs/o-1/directories/-/users"
    page = [
        {"accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "atlassian",
         "accountStatus": "active", "membershipStatus": "active",
         "claimStatus": "managed", "email": "ann@acme.example",
         "name": "Ann", "forDeletion": False},
        {"accountId": "557058:f00", "accountType": "atlassian",
         "appType": "service", "accountStatus": "active"},
        {"accountId": "a-sus", "accountStatus": "active",
         "membershipStatus": "suspended", "claimStatus": "unmanaged"},
        {"accountId": "a-closed", "accountStatus": "closed"},
        {"accountId": "a-gone", "accountStatus": "inactive",
         "forDeletion": True, "membershipStatus": "no_membership"}]
    answer("atlassian-org-list", "atlassian-org", "list", 200, j, 0, {
        "data": page, "links": {"self": users + "?limit=100", "prev": None,
                                "next": users + "?limit=100&cursor=c2"}})
    answer("atlassian-org-list-token", "atlassian-org-delete", "list", 200,
           j, 4, {"data": page, "links": {"next": "eyJvIjoxMDB9+/="}})
    answer("atlassian-org-list-last", "atlassian-org", "list", 200, j, 4,
           {"data": [], "links": {"self": users, "next": None}})
    answer("atlassian-org-list-other-origin", "atlassian-org", "list", 200,
           j, 0, {"data": [], "links": {
               "next": "https://evil.example/admin/v2/orgs/o-1/users"}})
    answer("atlassian-org-remove", "atlassian-org", "delete", 204, None, 0,
           "")
    answer("atlassian-org-lifecycle-delete", "atlassian-org-delete",
           "delete", 204, None, 0, "")
    answer("atlassian-org-lifecycle-403", "atlassian-org-delete", "delete",
           403, j, 0, {"code": 403, "message": "not managed"})


def vendor_seeds():
    j = "json"
    answer("atlassian-list", "atlassian", "list", 200, j, 0, [
        {"accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "atlassian",
         "emailAddress": "alice@acme.com", "displayName": "Alice",
         "active": True},
        {"accountId": "557058:f00", "accountType": "app",
         "emailAddress": None, "displayName": "Automation", "active": False},
        {"accountId": "qm:1", "accountType": "customer", "active": True}])
    answer("atlassian-list-empty", "atlassian", "list", 200, j, 0, "[]")
    answer("atlassian-myself", "atlassian", "caller", 200, "json-utf8", 0,
           {"accountId": "5b10ac8d82e05b22cc7d4ef5", "active": True})
    answer("atlassian-delete-400", "atlassian", "delete", 400, j, 0,
           {"errorMessages": ["The user cannot be deleted"], "errors": {}})
    answer("atlassian-login-page", "atlassian", "list", 200, "html", 0,
           "<!DOCTYPE html><html><body>Log in</body></html>")
    answer("uipath-token", "uipath", "auth", 200, j, 0,
           {"access_token": "eyJ0", "expires_in": 3600,
            "token_type": "Bearer", "scope": "PM.User"})
    answer("uipath-token-web-page", "uipath-standalone", "auth", 200,
           "html", 0, "\n  <html><head><title>UiPath</title></head></html>")
    answer("uipath-invalid-client", "uipath", "auth", 400, j, 0,
           {"error": "invalid_client"})
    answer("uipath-list", "uipath", "list", 200, j, 0, {
        "totalCount": 3, "results": [
            {"id": "a1", "userName": "alice", "email": "alice@acme.com",
             "name": "Alice", "surname": "Smith", "type": 0,
             "isActive": True},
            {"id": "r1", "userName": "robot", "email": None, "type": 4,
             "isActive": False, "displayName": "Robot"},
            {"id": "x", "type": 5, "isActive": True}]})
    answer("uipath-bulk-delete", "uipath", "delete", 200, None, 4, "")
    answer("uipath-bulk-refused", "uipath", "delete", 403, j, 2,
           {"message": "Forbidden"})
    answer("bevy-list", "bevy", "list", 200, j, 4, {
        "count": 2501,
        "next": "https://events.acme.example/api/user/?page=3"
                "&page_size=1000",
        "previous": None,
        "results": [
            {"id": 17, "email": "ann@acme.example", "username": "ann",
             "first_name": "Ann", "last_name": "Lee", "is_active": True},
            {"id": 18, "email": None, "first_name": "", "last_name": "Bo",
             "is_active": False}]})
    answer("bevy-list-last", "bevy-local", "list", 200, j, 0,
           {"count": 1, "next": None, "results": [
               {"id": 9007199254740991, "is_active": True}]})
    answer("bevy-list-other-origin", "bevy", "list", 200, j, 0,
           {"count": 1, "next": "https://evil.example/api/user/?page=2",
            "results": []})
    answer("bevy-delete", "bevy", "delete", 204, None, 0, "")
    answer("aa-login", "aa", "auth", 200, j, 0, {
        "token": "eyJhbGciOiJSUzI1NiJ9.e30.sig",
        "user": {"id": 42, "username": "robot-admin",
                 "email": "ra@acme.example", "firstName": "Robot",
                 "lastName": "Admin", "disabled": False, "deleted": False,
                 "roles": [{"name": "AAE_Admin"}]}})
    answer("aa-refresh", "aa-v2", "auth", 200, j, 1,
           {"token": "eyJhbGciOiJSUzI1NiJ9.e30.new"})
    answer("aa-refresh-refused", "aa", "auth", 401, j, 1,
           {"code": "UM1110", "message": "Token expired"})
    answer("aa-list", "aa", "list", 200, j, 1, {
        "page": {"offset": 1000, "total": 1500, "totalFilter": 1500},
        "list": [
            {"id": 42, "username": "robot-admin", "email": "ra@acme.example",
             "firstName": "Robot", "lastName": "Admin", "disabled": False,
             "deleted": False},
            {"id": 43, "username": "old", "email": None, "disabled": True},
            {"id": 44, "username": "gone", "deleted": True}]})
    answer("aa-delete", "aa", "delete", 200, j, 0,
           {"id": 43, "username": "old"})
    answer("aa-delete-409", "aa-v2", "delete", 409, j, 0,
           {"code": "UM1136", "message": "user has a running bot"})
    answer("bizagi-token", "bizagi-test", "auth", 200, j, 0,
           {"access_token": "b1", "token_type": "Bearer", "expires_in": 1200})
    answer("bizagi-list", "bizagi", "list", 200, "scim", 0, {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2, "startIndex": 1, "itemsPerPage": 2,
        "Resources": [
            {"id": "1", "userName": "domain\\ann", "active": True,
             "emails": [{"value": "ann@acme.example", "primary": True}],
             "name": {"formatted": "Ann Lee"}},
            {"id": "2", "userName": "domain\\bo", "active": False}]})
    answer("bizagi-delete-403", "bizagi", "delete", 403, j, 0,
           {"detail": "Production"})
    answer("bizagi-mass-deletion", "bizagi-test", "post", 200, "text", 0,
           '"Operation successful. 3 users deleted."\r\n')
    answer("bizagi-mass-deletion-403", "bizagi-test", "post", 403, j, 0,
           {"Message": "not allowed"})
    answer("scim-discover", "scim", "discover", 200, "scim", 0, {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:"
                    "ServiceProviderConfig"],
        "bulk": {"supported": True, "maxOperations": 20,
                 "maxPayloadSize": 1048576},
        "filter": {"supported": True, "maxResults": 200}})
    answer("scim-discover-never", "scim-never", "discover", 200, "scim", 0,
           {"bulk": {"supported": True, "maxOperations": 5000}})
    answer("scim-me", "scim", "caller", 200, "scim", 0,
           {"id": "2819c223", "userName": "bjensen"})
    answer("scim-me-501", "scim", "caller", 501, j, 0, "")
    answer("scim-list", "scim", "list", 200, "scim", 0, {
        "totalResults": 1, "Resources": [
            {"id": "2819c223", "userName": "bjensen",
             "displayName": "Babs", "active": True,
             "emails": [{"value": "b@x.com"},
                        {"value": "bj@x.com", "primary": True}]}]})
    answer("scim-bulk", "scim", "delete", 200, "scim", 3, {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],
        "Operations": [
            {"method": "DELETE", "bulkId": "d0", "status": "204"},
            {"method": "DELETE", "location": "https://api.example.com/"
             "scim/v2/Users/x/y", "status": {"code": 404}},
            {"method": "DELETE", "bulkId": "d2", "status": 412},
            {"method": "DELETE", "bulkId": "d3", "status": "409"}]})
    answer("scim-delete-timeout", "scim", "delete", 0, None, 0, "")
    # VENDORS.md v2: what real providers send
    answer("scim-list-lower-case", "scim", "list", 200, "scim", 0, {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalresults": 3, "startindex": 0, "itemsperpage": 0,
        "resources": [
            {"ID": "00u1", "UserName": "ann", "Active": True,
             "userType": "Employee",
             "Emails": [{"Value": "ann@home.example", "Type": "home"},
                        {"Value": "ann@acme.example", "Primary": True}]},
            {"id": "00u2", "userName": "svc", "userType": "ServiceAccount"},
            {"id": "00u3", "userName": "c", "userType": "Contractor"}]})
    answer("scim-discover-cursor", "scim", "discover", 200, "scim", 0, {
        "bulk": {"supported": True, "maxOperations": 100,
                 "maxPayloadSize": 400},
        "pagination": {"cursor": True, "index": True,
                       "defaultPaginationMethod": "cursor",
                       "maxPageSize": 200, "cursorTimeout": 3600}})
    answer("scim-list-cursor", "scim", "list", 200, "scim", 8, {
        "itemsPerPage": 1, "nextCursor": "VZUTiyhEQJ94IR",
        "Resources": [{"id": "u1", "emails": [{"value": "a@x"}]}]})
    answer("scim-list-cursor-last", "scim", "list", 200, "scim", 8, {
        "totalResults": 1, "Resources": []})
    answer("scim-bulk-413", "scim", "delete", 413, "scim", 4, {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "413", "detail": "exceeds maxPayloadSize"})
    answer("scim-delete-405", "scim", "delete", 405, "scim", 0,
           {"status": "405"})
    answer("scim-patch", "scim-deactivate", "delete", 200, "scim", 0,
           {"id": "a1", "active": False})
    answer("scim-delete-deactivates", "scim-deactivated", "delete", 204,
           None, 0, "")
    answer("bizagi-token-401", "bizagi-test", "auth", 401, j, 0,
           {"error": "invalid_client"})
    answer("bizagi-bearer-list", "bizagi-bearer", "list", 200, "scim", 0, {
        "totalResults": 0, "Resources": []})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = ap.parse_args()
    config_seeds()
    valuefile_seeds()
    snapshot_seeds()
    jsonscan_seeds()
    plan_seeds(args.build)
    journal_seeds()
    vendor_seeds()
    atlassian_org_seeds()


if __name__ == "__main__":
    main()
