"""Tests of the vendor emulator itself, through emu.py.

Run from the repository: /usr/bin/python3 -m unittest tests/integration/test_emulator.py
(the binary is $USERPRUNE_BUILD/userprune-emulator, build/ by default).
"""

import base64
import concurrent.futures
import datetime
import email.utils
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emu import Emulator, EmulatorError, emulator_path  # noqa: E402

BASIC = "Basic " + base64.b64encode(
    b"admin@example.test:emulator-password").decode()
BEARER = "Bearer emulator-token"
TOKEN = "Token emulator-token"
PARTITION = "9b3c1f2a-6d4e-4f8a-b1c2-3d4e5f6a7b8c"

HEX24 = re.compile(r"^[0-9a-f]{24}$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                  r"[0-9a-f]{12}$")


def basic(user, password):
    return "Basic " + base64.b64encode(
        ("%s:%s" % (user, password)).encode()).decode()


class EmulatorCase(unittest.TestCase):
    """Starts emulators that are stopped (and checked) after the test."""

    def emu(self, vendor, *flags, **options):
        e = Emulator(vendor, *flags, **options)
        e.start()
        self.addCleanup(self._stop, e)
        return e

    def _stop(self, e):
        # a sanitizer report or a bad exit fails the test
        e.stop(check=True)

    def last(self, e):
        return e.requests()[-1]


# Atlassian

class AtlassianTest(EmulatorCase):
    def get(self, e, path, auth=BASIC):
        return e.request("GET", path, headers={"Authorization": auth}
                         if auth else {})

    def test_myself_is_the_caller(self):
        e = self.emu("atlassian")
        r = self.get(e, "/rest/api/3/myself")
        self.assertEqual(r.status, 200)
        me = r.json()
        self.assertEqual(me["emailAddress"], "admin@example.test")
        self.assertEqual(me["displayName"], "Emulator Admin")
        self.assertEqual(me["accountType"], "atlassian")
        self.assertTrue(me["active"])
        self.assertEqual(me["accountId"], e.users()["caller"])
        self.assertRegex(me["accountId"], HEX24)

    def test_auth_refused(self):
        e = self.emu("atlassian")
        r = self.get(e, "/rest/api/3/users/search",
                     basic("admin@example.test", "wrong"))
        self.assertEqual(r.status, 401)
        self.assertIn("errorMessages", r.json())
        self.assertEqual(self.last(e)["auth"], "invalid")
        r = self.get(e, "/rest/api/3/users/search", auth=None)
        self.assertEqual(r.status, 401)
        self.assertEqual(self.last(e)["auth"], "missing")
        r = self.get(e, "/rest/api/3/users/search",
                     basic("other@example.test", "emulator-password"))
        self.assertEqual(r.status, 401)
        r = self.get(e, "/rest/api/3/users/search", BEARER)
        self.assertEqual(r.status, 401)

    def test_custom_credentials(self):
        e = self.emu("atlassian", username="ops@example.test",
                     password="s3cret")
        self.assertEqual(self.get(e, "/rest/api/3/myself").status, 401)
        r = self.get(e, "/rest/api/3/users/search",
                     basic("ops@example.test", "s3cret"))
        self.assertEqual(r.status, 200)

    def walk(self, e, max_results=None):
        ids, start, sizes = [], 0, []
        while True:
            q = "startAt=%d" % start
            if max_results is not None:
                q += "&maxResults=%d" % max_results
            page = self.get(e, "/rest/api/3/users/search?" + q).json()
            self.assertIsInstance(page, list)
            if not page:
                return ids, sizes
            sizes.append(len(page))
            ids += [u["accountId"] for u in page]
            start += len(page)

    def test_paging_bare_arrays_until_empty(self):
        e = self.emu("atlassian", users=120, inactive=5)
        ids, sizes = self.walk(e)
        self.assertEqual(sizes, [50, 50, 20])  # default maxResults 50
        self.assertEqual(ids, [u["id"] for u in e.users()["users"]])
        page = self.get(e, "/rest/api/3/users/search?startAt=500").json()
        self.assertEqual(page, [])
        # inactive users are listed, as inactive
        page = self.get(e, "/rest/api/3/users/search?maxResults=1000").json()
        self.assertEqual(len(page), 120)
        self.assertEqual(sum(1 for u in page if not u["active"]), 5)

    def test_server_caps_page_size(self):
        e = self.emu("atlassian", users=30, max_page=7)
        page = self.get(e, "/rest/api/3/users/search?maxResults=100").json()
        self.assertEqual(len(page), 7)
        ids, sizes = self.walk(e, 100)
        self.assertEqual(len(ids), 30)
        self.assertEqual(sizes, [7, 7, 7, 7, 2])

    def test_short_page_mid_stream(self):
        e = self.emu("atlassian", users=25, short_page_at=["10:3"])
        ids, sizes = self.walk(e, 10)
        self.assertEqual(sizes, [10, 3, 10, 2])
        self.assertEqual(len(set(ids)), 25)

    def test_bad_paging_parameters(self):
        e = self.emu("atlassian")
        r = self.get(e, "/rest/api/3/users/search?startAt=x")
        self.assertEqual(r.status, 400)

    def test_types_nulls_vendor_type_and_raw(self):
        pop = [
            {"id": "a1", "email": "admin@example.test", "name": "Admin"},
            {"id": "a2", "email": None, "name": "Bot", "type": "app"},
            {"id": "a3", "email": "r@example.test", "type": "robot"},
            {"id": "a4", "email": "c@example.test", "type": "customer"},
            {"id": "a5", "email": "u@example.test", "type": "unknown",
             "status": "inactive"},
            {"id": "a6", "email": "v@example.test", "vendor_type": "odd"},
            {"id": "a7", "email": "w@example.test",
             "raw": {"active": "yes", "extra": [1]}},
            {"id": "a8", "email": "p@example.test",
             "status": "pending_deletion"},
        ]
        e = self.emu("atlassian", population=pop)
        self.assertEqual(e.users()["caller"], "a1")
        page = self.get(e, "/rest/api/3/users/search").json()
        by_id = {u["accountId"]: u for u in page}
        self.assertNotIn("a8", by_id)  # pending deletion: not listed
        self.assertEqual(by_id["a2"]["accountType"], "app")
        self.assertIsNone(by_id["a2"]["emailAddress"])
        self.assertEqual(by_id["a3"]["accountType"], "app")
        self.assertEqual(by_id["a4"]["accountType"], "customer")
        self.assertEqual(by_id["a5"]["accountType"], "unknown")
        self.assertFalse(by_id["a5"]["active"])
        self.assertEqual(by_id["a6"]["accountType"], "odd")
        self.assertEqual(by_id["a7"]["active"], "yes")
        self.assertEqual(by_id["a7"]["extra"], [1])
        self.assertEqual(by_id["a7"]["accountId"], "a7")

    def test_delete(self):
        pop = {"caller": "c", "users": [
            {"id": "c", "email": "admin@example.test"},
            {"id": "d", "email": "d@example.test"},
            {"id": "u", "email": "u@example.test", "undeletable": True},
        ]}
        e = self.emu("atlassian", population=pop)
        path = "/rest/api/3/user?accountId="
        r = e.request("DELETE", path + "d", headers={"Authorization": BASIC})
        self.assertEqual(r.status, 204)
        self.assertEqual(r.body, b"")
        r = e.request("DELETE", path + "d", headers={"Authorization": BASIC})
        self.assertEqual(r.status, 404)
        self.assertIn("errorMessages", r.json())
        r = e.request("DELETE", path + "u", headers={"Authorization": BASIC})
        self.assertEqual(r.status, 400)
        self.assertIn("cannot be removed", r.json()["errorMessages"][0])
        self.assertEqual(e.deletes(), {"d": 1})
        self.assertEqual([u["id"] for u in e.users()["users"]], ["c", "u"])
        log = [x for x in e.requests() if x["method"] == "DELETE"]
        self.assertEqual([x["status"] for x in log], [204, 404, 400])
        self.assertEqual(log[0]["query"], "accountId=d")

    def test_rate_limit_headers_and_retry_after(self):
        e = self.emu("atlassian", rate_limit=3)
        statuses = []
        for _ in range(5):
            r = self.get(e, "/rest/api/3/myself")
            statuses.append(r.status)
            self.assertEqual(r.headers["X-RateLimit-Limit"], "3")
            self.assertIn("X-RateLimit-Remaining", r.headers)
            reset = r.headers["X-RateLimit-Reset"]
            self.assertRegex(reset, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
            datetime.datetime.fromisoformat(reset.replace("Z", "+00:00"))
        self.assertEqual(statuses[:3], [200, 200, 200])
        self.assertEqual(statuses[3:], [429, 429])
        self.assertEqual(r.headers["X-RateLimit-Remaining"], "0")
        self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
        self.assertEqual(self.last(e)["fault"], "rate_limit")
        self.assertEqual(e.stats()["rate_limited"], 2)
        time.sleep(1.1)
        self.assertEqual(self.get(e, "/rest/api/3/myself").status, 200)

    def test_retry_after_as_date(self):
        e = self.emu("atlassian", "--retry-after-date", rate_limit=1)
        self.get(e, "/rest/api/3/myself")
        r = self.get(e, "/rest/api/3/myself")
        self.assertEqual(r.status, 429)
        when = email.utils.parsedate_to_datetime(r.headers["Retry-After"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertGreater(when, now)
        self.assertLess(when, now + datetime.timedelta(seconds=5))

    def test_no_rate_headers_without_a_limit(self):
        e = self.emu("atlassian")
        r = self.get(e, "/rest/api/3/myself")
        self.assertIsNone(r.headers["X-RateLimit-Limit"])


# SCIM

class ScimTest(EmulatorCase):
    def get(self, e, path, auth=BEARER):
        return e.request("GET", "/scim/v2" + path,
                         headers={"Authorization": auth} if auth else {})

    def test_auth(self):
        e = self.emu("scim")
        self.assertEqual(self.get(e, "/Users").status, 200)
        for auth in ("Bearer nope", None, TOKEN):
            r = self.get(e, "/Users", auth)
            self.assertEqual(r.status, 401)
            body = r.json()
            self.assertEqual(body["status"], "401")
            self.assertIn("urn:ietf:params:scim:api:messages:2.0:Error",
                          body["schemas"])
        self.assertEqual([x["auth"] for x in e.requests()],
                         ["ok", "invalid", "missing", "invalid"])

    def test_service_provider_config(self):
        e = self.emu("scim")
        spc = self.get(e, "/ServiceProviderConfig", auth=None).json()
        self.assertFalse(spc["bulk"]["supported"])
        self.assertEqual(spc["filter"]["maxResults"], 1000)
        e2 = self.emu("scim", "--scim-bulk", scim_bulk_max=7)
        spc = self.get(e2, "/ServiceProviderConfig").json()
        self.assertTrue(spc["bulk"]["supported"])
        self.assertEqual(spc["bulk"]["maxOperations"], 7)
        e3 = self.emu("scim", "--no-spc")
        self.assertEqual(self.get(e3, "/ServiceProviderConfig").status, 404)

    def test_me(self):
        e = self.emu("scim")
        me = self.get(e, "/Me").json()
        self.assertEqual(me["userName"], "admin")
        self.assertEqual(me["id"], e.users()["caller"])
        self.assertRegex(me["id"], GUID)
        e2 = self.emu("scim", "--no-me")
        self.assertEqual(self.get(e2, "/Me").status, 501)

    def test_paging(self):
        e = self.emu("scim", users=250, inactive=10)
        first = self.get(e, "/Users").json()
        self.assertEqual(first["totalResults"], 250)
        self.assertEqual(first["startIndex"], 1)
        self.assertEqual(first["itemsPerPage"], 100)  # default count
        self.assertEqual(len(first["Resources"]), 100)
        ids, start = [], 1
        while True:
            page = self.get(e, "/Users?startIndex=%d&count=40&filter="
                            "userName%%20eq%%20%%22x%%22" % start).json()
            if not page["Resources"]:
                break
            self.assertEqual(page["startIndex"], start)
            self.assertEqual(page["itemsPerPage"], len(page["Resources"]))
            ids += [u["id"] for u in page["Resources"]]
            start += len(page["Resources"])
        self.assertEqual(ids, [u["id"] for u in e.users()["users"]])
        u = first["Resources"][1]
        self.assertEqual(u["userName"], "user000001")
        self.assertEqual(u["emails"][0], {"value": "user000001@example.test",
                                          "primary": True, "type": "work"})
        self.assertEqual(u["name"]["formatted"], "User 000001")
        self.assertEqual(u["displayName"], "User 000001")
        inactive = sum(1 for p in (first,) for u in p["Resources"]
                       if not u["active"])
        self.assertGreater(inactive, 0)

    def test_count_is_capped(self):
        e = self.emu("scim", users=1500)
        page = self.get(e, "/Users?startIndex=1&count=5000").json()
        self.assertEqual(page["itemsPerPage"], 1000)
        page = self.get(e, "/Users?startIndex=1001&count=5000").json()
        self.assertEqual(page["itemsPerPage"], 500)

    def test_delete(self):
        pop = [{"id": "me", "username": "admin", "email": None},
               {"id": "x", "username": "x"},
               {"id": "y", "username": "y", "undeletable": True},
               {"id": "p", "username": "p", "status": "pending_deletion"}]
        e = self.emu("scim", population=pop)
        self.assertEqual(self.get(e, "/Users").json()["totalResults"], 3)
        h = {"Authorization": BEARER}
        self.assertEqual(e.request("DELETE", "/scim/v2/Users/x",
                                   headers=h).status, 204)
        r = e.request("DELETE", "/scim/v2/Users/x", headers=h)
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["status"], "404")
        self.assertEqual(e.request("DELETE", "/scim/v2/Users/y",
                                   headers=h).status, 400)
        self.assertEqual(e.request("DELETE", "/scim/v2/Users/p",
                                   headers=h).status, 404)
        self.assertEqual(e.deletes(), {"x": 1})
        self.assertNotIn("emails", self.get(e, "/Me").json())

    def test_bulk(self):
        pop = [{"id": "me", "username": "admin"}] + [
            {"id": "u%d" % i, "username": "u%d" % i} for i in range(5)] + [
            {"id": "keep", "username": "keep", "undeletable": True}]
        e = self.emu("scim", "--scim-bulk", population=pop, scim_bulk_max=4)
        body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:"
                            "BulkRequest"],
                "Operations": [
                    {"method": "DELETE", "path": "/Users/u0", "bulkId": "b0"},
                    {"method": "DELETE", "path": "/Users/nope"},
                    {"method": "DELETE", "path": "/Users/keep"},
                    {"method": "DELETE", "path": "/Users/u1"}]}
        r = e.request("POST", "/scim/v2/Bulk", json_body=body,
                      headers={"Authorization": BEARER})
        self.assertEqual(r.status, 200)
        ops = r.json()["Operations"]
        self.assertEqual([o["status"] for o in ops],
                         ["204", "404", "400", "204"])
        self.assertEqual(ops[0]["bulkId"], "b0")
        self.assertTrue(ops[0]["location"].endswith("/scim/v2/Users/u0"))
        self.assertEqual(e.deletes(), {"u0": 1, "u1": 1})
        body["Operations"].append({"method": "DELETE", "path": "/Users/u2"})
        r = e.request("POST", "/scim/v2/Bulk", json_body=body,
                      headers={"Authorization": BEARER})
        self.assertEqual(r.status, 413)
        self.assertNotIn("u2", e.deletes())
        r = e.request("POST", "/scim/v2/Bulk", body="{",
                      headers={"Authorization": BEARER,
                               "Content-Type": "application/scim+json"})
        self.assertEqual(r.status, 400)

    def test_bulk_not_supported_by_default(self):
        e = self.emu("scim")
        r = e.request("POST", "/scim/v2/Bulk", json_body={"Operations": []},
                      headers={"Authorization": BEARER})
        self.assertEqual(r.status, 501)


# UiPath

class UiPathTest(EmulatorCase):
    def token(self, e, **form):
        data = {"grant_type": "client_credentials",
                "client_id": "emulator-client",
                "client_secret": "emulator-secret",
                "scope": "PM.User PM.User.Read PM.User.Write"}
        data.update(form)
        return e.request("POST", "/acme/identity_/connect/token", form=data)

    def bearer(self, e):
        r = self.token(e)
        self.assertEqual(r.status, 200, r)
        return {"Authorization": "Bearer " + r.json()["access_token"]}

    def test_token(self):
        e = self.emu("uipath")
        r = self.token(e)
        tok = r.json()
        self.assertEqual(tok["token_type"], "Bearer")
        self.assertEqual(tok["expires_in"], 3600)
        self.assertEqual(tok["scope"], "PM.User PM.User.Read PM.User.Write")
        self.assertTrue(tok["access_token"])
        logged = self.last(e)
        self.assertIn("client_secret=****", logged["body"])
        self.assertNotIn("emulator-secret", json.dumps(e.requests()))
        self.assertEqual(logged["auth"], "ok")

    def test_token_refused(self):
        e = self.emu("uipath")
        r = self.token(e, client_secret="wrong")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json(), {"error": "invalid_client"})
        self.assertEqual(self.last(e)["auth"], "invalid")
        # a JSON body gets the sign-in page, as the real service does
        r = e.request("POST", "/acme/identity_/connect/token",
                      json_body={"grant_type": "client_credentials"})
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
        self.assertIn(b"<html", r.body)
        # another organization
        r = e.request("POST", "/other/identity_/connect/token",
                      form={"grant_type": "client_credentials"})
        self.assertEqual(r.status, 404)

    def test_list_and_types(self):
        e = self.emu("uipath", users=12, robots=2, apps=1)
        h = self.bearer(e)
        path = "/acme/identity_/api/User/users/%s" % PARTITION
        page = e.request("GET", path + "?sortBy=Id", headers=h).json()
        self.assertEqual(page["totalCount"], 15)
        self.assertEqual(len(page["results"]), 10)  # default top
        all_ = e.request("GET", path + "?top=100&skip=0", headers=h).json()
        users = all_["results"]
        self.assertEqual(len(users), 15)
        types = {u["userName"]: u["type"] for u in users}
        self.assertEqual(types["admin"], 0)
        self.assertEqual(types["user000001"], 0)
        self.assertEqual(types["user000005"], 2)  # directory user
        self.assertEqual(types["user000010"], 2)
        self.assertEqual(types["robot000001"], 1)
        self.assertEqual(types["app000001"], 5)
        u = users[1]
        self.assertEqual((u["name"], u["surname"], u["displayName"]),
                         ("User", "000001", "User 000001"))
        self.assertTrue(u["isActive"])
        self.assertRegex(u["id"], GUID)
        page = e.request("GET", path + "?top=5&skip=12", headers=h).json()
        self.assertEqual(len(page["results"]), 3)
        r = e.request("GET", "/acme/identity_/api/User/users/"
                      "00000000-0000-4000-8000-000000000000", headers=h)
        self.assertEqual(r.status, 404)
        r = e.request("GET", path)
        self.assertEqual(r.status, 401)
        self.assertEqual(self.last(e)["auth"], "missing")

    def test_vendor_type_override(self):
        e = self.emu("uipath", population=[
            {"id": "r1", "username": "ra", "vendor_type": 4}])
        h = self.bearer(e)
        users = e.request("GET", "/acme/identity_/api/User/users/%s"
                          % PARTITION, headers=h).json()["results"]
        self.assertEqual(users[0]["type"], 4)
        self.assertIsNone(e.users()["caller"])

    def test_bulk_and_single_delete(self):
        e = self.emu("uipath", population=[
            {"id": "g%d" % i, "username": "u%d" % i} for i in range(5)] + [
            {"id": "locked", "username": "l", "undeletable": True}])
        h = self.bearer(e)
        body = {"partitionGlobalId": PARTITION,
                "userIds": ["g0", "g1", "missing"]}
        r = e.request("DELETE", "/acme/identity_/api/User", headers=h,
                      json_body=body)
        self.assertEqual(r.status, 204)
        self.assertEqual(e.deletes(), {"g0": 1, "g1": 1})
        self.assertEqual(json.loads(self.last(e)["body"]), body)
        r = e.request("DELETE", "/acme/identity_/api/User", headers=h,
                      json_body={"partitionGlobalId": PARTITION,
                                 "userIds": ["g2", "locked"]})
        self.assertEqual(r.status, 400)
        self.assertNotIn("g2", e.deletes())
        r = e.request("DELETE", "/acme/identity_/api/User/g3", headers=h)
        self.assertEqual(r.status, 204)
        r = e.request("DELETE", "/acme/identity_/api/User/g3", headers=h)
        self.assertEqual(r.status, 404)
        r = e.request("DELETE", "/acme/identity_/api/User",
                      headers=dict(h, **{"Content-Type": "application/json"}),
                      body="not json")
        self.assertEqual(r.status, 400)
        self.assertEqual(sorted(u["id"] for u in e.users()["users"]),
                         ["g2", "g4", "locked"])

    def test_token_expiry(self):
        e = self.emu("uipath", token_ttl=1)
        h = self.bearer(e)
        self.assertEqual(self.token(e).json()["expires_in"], 1)
        path = "/acme/identity_/api/User/users/%s" % PARTITION
        self.assertEqual(e.request("GET", path, headers=h).status, 200)
        time.sleep(1.2)
        r = e.request("GET", path, headers=h)
        self.assertEqual(r.status, 401)
        self.assertEqual(self.last(e)["auth"], "expired")


# Bevy

class BevyTest(EmulatorCase):
    def get(self, e, path, auth=TOKEN):
        return e.request("GET", path, headers={"Authorization": auth}
                         if auth else {})

    def test_auth(self):
        e = self.emu("bevy")
        self.assertEqual(self.get(e, "/api/user/").status, 200)
        for auth in ("Token nope", None, BEARER):
            r = self.get(e, "/api/user/", auth)
            self.assertEqual(r.status, 401)
            self.assertEqual(r.json(), {"detail": "Invalid token."})

    def test_pages_follow_next(self):
        e = self.emu("bevy", users=23, inactive=3)
        url = e.base_url() + "/user/?page=1&page_size=10"
        ids, pages = [], 0
        while url:
            self.assertTrue(url.startswith(e.origin + "/api/user/"), url)
            page = self.get(e, url).json()
            self.assertEqual(page["count"], 23)
            ids += [u["id"] for u in page["results"]]
            if pages:
                self.assertIsNotNone(page["links"]["previous"])
            else:
                self.assertIsNone(page["links"]["previous"])
            url = page["links"]["next"]
            pages += 1
        self.assertEqual(pages, 3)
        self.assertEqual(ids, list(range(1000, 1023)))
        self.assertEqual([str(i) for i in ids],
                         [u["id"] for u in e.users()["users"]])
        page = self.get(e, "/api/user/?page=3&page_size=10").json()
        self.assertEqual(page["links"]["previous"],
                         e.origin + "/api/user/?page=2&page_size=10")
        u = self.get(e, "/api/user/").json()["results"][1]
        self.assertEqual(u, {"id": 1001, "email": "user000001@example.test",
                             "username": "user000001", "first_name": "User",
                             "last_name": "000001", "is_active": True})
        self.assertEqual(self.get(e, "/api/user/?page=4&page_size=10")
                         .status, 404)

    def test_delete_schedules(self):
        e = self.emu("bevy", users=5)
        h = {"Authorization": TOKEN}
        self.assertEqual(e.request("DELETE", "/api/user/1002/",
                                   headers=h).status, 204)
        listing = self.get(e, "/api/user/").json()
        self.assertEqual(listing["count"], 4)
        self.assertNotIn(1002, [u["id"] for u in listing["results"]])
        dump = {u["id"]: u for u in e.users()["users"]}
        self.assertEqual(dump["1002"]["status"], "pending_deletion")
        r = e.request("DELETE", "/api/user/1002/", headers=h)
        self.assertEqual(r.status, 404)
        r = e.request("DELETE", "/api/user/99999/", headers=h)
        self.assertEqual(r.json(), {"detail": "Not found."})
        self.assertEqual(e.deletes(), {"1002": 1})

    def test_daily_budget(self):
        e = self.emu("bevy", daily_budget=3)
        self.get(e, "/api/user/", "Token wrong")  # not authenticated
        statuses = [self.get(e, "/api/user/").status for _ in range(5)]
        self.assertEqual(statuses, [200, 200, 200, 429, 429])
        self.assertEqual(self.last(e)["fault"], "budget")


# Automation Anywhere

class AutomationAnywhereTest(EmulatorCase):
    def login(self, e, version="v1", **body):
        body = body or {"username": "admin", "password": "emulator-password"}
        return e.request("POST", "/%s/authentication" % version,
                         json_body=body)

    def test_authentication(self):
        e = self.emu("automation-anywhere")
        r = self.login(e)
        self.assertEqual(r.status, 200)
        data = r.json()
        self.assertEqual(data["user"]["id"], 1000)
        self.assertEqual(data["user"]["username"], "admin")
        self.assertEqual(len(data["token"].split(".")), 3)
        r = self.login(e, "v2", username="admin", apiKey="emulator-api-key")
        self.assertEqual(r.status, 200)
        r = self.login(e, username="admin", password="wrong")
        self.assertEqual(r.status, 401)
        r = self.login(e, username="other", apiKey="emulator-api-key")
        self.assertEqual(r.status, 401)
        r = e.request("POST", "/v1/authentication", body="{oops",
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        text = json.dumps(e.requests())
        self.assertNotIn("emulator-password", text)
        self.assertNotIn("emulator-api-key", text)
        self.assertIn('\\"password\\":\\"****\\"', text)

    def test_token_header_and_refresh(self):
        e = self.emu("automation-anywhere", users=3)
        tok = self.login(e).json()["token"]
        list_path = "/v1/usermanagement/users/list"
        r = e.request("POST", list_path, json_body={})
        self.assertEqual(r.status, 401)
        r = e.request("POST", list_path, json_body={},
                      headers={"X-Authorization": tok})
        self.assertEqual(r.status, 200)
        self.assertEqual(self.last(e)["headers"]["x-authorization"], "****")
        new = e.request("POST", "/v1/authentication/token",
                        json_body={"token": tok}).json()["token"]
        self.assertNotEqual(new, tok)
        r = e.request("POST", list_path, json_body={},
                      headers={"X-Authorization": new})
        self.assertEqual(r.status, 200)
        r = e.request("POST", "/v1/authentication/token",
                      json_body={"token": "unknown"})
        self.assertEqual(r.status, 401)

    def test_token_max_uses(self):
        e = self.emu("automation-anywhere", token_max_uses=2)
        tok = self.login(e).json()["token"]
        h = {"X-Authorization": tok}
        statuses = [e.request("POST", "/v2/usermanagement/users/list",
                              json_body={}, headers=h).status
                    for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 401])
        self.assertEqual(self.last(e)["auth"], "expired")

    def test_list(self):
        pop = [{"id": "1000", "username": "admin", "name": "A B"},
               {"id": "1001", "username": "off", "status": "inactive"},
               {"id": "1002", "username": "gone",
                "status": "pending_deletion"}] + [
            {"id": str(1003 + i), "username": "u%d" % i} for i in range(7)]
        e = self.emu("automation-anywhere", population=pop, max_page=4)
        tok = self.login(e).json()["token"]
        h = {"X-Authorization": tok}
        body = {"sort": [{"field": "id", "direction": "asc"}], "filter": {},
                "page": {"offset": 0, "length": 100}}
        seen, offset = [], 0
        while True:
            body["page"]["offset"] = offset
            page = e.request("POST", "/v1/usermanagement/users/list",
                             json_body=body, headers=h).json()
            self.assertEqual(page["page"]["total"], 10)
            self.assertEqual(page["page"]["totalFilter"], 10)
            self.assertLessEqual(len(page["list"]), 4)
            seen += page["list"]
            offset += len(page["list"])
            if offset >= page["page"]["totalFilter"]:
                break
        self.assertEqual([u["id"] for u in seen], list(range(1000, 1010)))
        self.assertTrue(seen[1]["disabled"])
        self.assertTrue(seen[2]["deleted"])
        self.assertFalse(seen[0]["deleted"])
        self.assertEqual((seen[0]["firstName"], seen[0]["lastName"]),
                         ("A", "B"))

    def test_delete(self):
        e = self.emu("automation-anywhere", users=4)
        h = {"X-Authorization": self.login(e).json()["token"]}
        r = e.request("DELETE", "/v1/usermanagement/users/1002", headers=h)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["username"], "user000002")
        r = e.request("DELETE", "/v1/usermanagement/users/1002", headers=h)
        self.assertEqual(r.status, 404)
        e2 = self.emu("automation-anywhere", "--aa-delete-204", users=4)
        h = {"X-Authorization": self.login(e2).json()["token"]}
        r = e2.request("DELETE", "/v2/usermanagement/users/1003", headers=h)
        self.assertEqual((r.status, r.body), (204, b""))
        self.assertEqual(e2.deletes(), {"1003": 1})

    def test_token_ttl_default(self):
        e = self.emu("automation-anywhere")
        tok = self.login(e).json()["token"]
        payload = tok.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(
            payload + "=" * (-len(payload) % 4)))
        self.assertEqual(claims["exp"] - claims["iat"], 1200)


# Bizagi

class BizagiTest(EmulatorCase):
    def bearer(self, e, user="emulator-client", secret="emulator-secret"):
        r = e.request("POST", "/oauth2/server/token",
                      headers={"Authorization": basic(user, secret)},
                      form={"grant_type": "client_credentials",
                            "scope": "api"})
        if r.status != 200:
            return r
        return {"Authorization": "Bearer " + r.json()["access_token"]}

    def test_token(self):
        e = self.emu("bizagi")
        h = self.bearer(e)
        self.assertIn("Authorization", h)
        self.assertEqual(self.bearer(e, secret="bad").status, 401)
        r = e.request("GET", "/scim/v2/Users")
        self.assertEqual(r.status, 401)
        self.assertEqual(e.request("GET", "/scim/v2/Users", headers=h).status,
                         200)

    def test_list_cap(self):
        e = self.emu("bizagi", users=700)
        h = self.bearer(e)
        page = e.request("GET", "/scim/v2/Users", headers=h).json()
        self.assertEqual(page["itemsPerPage"], 100)
        page = e.request("GET", "/scim/v2/Users?startIndex=1&count=1000",
                         headers=h).json()
        self.assertEqual(page["itemsPerPage"], 500)
        self.assertEqual(page["totalResults"], 700)

    def test_delete_deactivates(self):
        e = self.emu("bizagi", users=3)
        h = self.bearer(e)
        victim = e.users()["users"][2]["id"]
        r = e.request("DELETE", "/scim/v2/Users/" + victim, headers=h)
        self.assertEqual(r.status, 204)
        page = e.request("GET", "/scim/v2/Users", headers=h).json()
        self.assertEqual(page["totalResults"], 3)
        listed = {u["id"]: u["active"] for u in page["Resources"]}
        self.assertFalse(listed[victim])
        self.assertEqual(e.user(victim)["status"], "inactive")
        self.assertEqual(e.deletes(), {victim: 1})
        r = e.request("DELETE", "/scim/v2/Users/nope", headers=h)
        self.assertEqual(r.status, 404)

    def test_mass_deletion(self):
        pop = [{"id": "c", "username": "admin"},
               {"id": "r", "username": "r", "referenced": True},
               {"id": "x", "username": "x"},
               {"id": "y", "username": "y", "status": "inactive"}]
        e = self.emu("bizagi", population=pop)
        h = self.bearer(e)
        e.set_config(environment="production")
        r = e.request("DELETE", "/Rest/Users/MassUserDeletion", headers=h)
        self.assertEqual(r.status, 403)
        self.assertIn("Production", r.text)
        self.assertEqual(len(e.users()["users"]), 4)
        e.set_config(environment="development")
        r = e.request("DELETE", "/Rest/Users/MassUserDeletion", headers=h)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.text, "Operation successful. Total users "
                                 "deleted: 2")
        self.assertEqual([u["id"] for u in e.users()["users"]], ["c", "r"])
        self.assertEqual(e.deletes(), {"x": 1, "y": 1})

    def test_production_flag(self):
        e = self.emu("bizagi", environment="production")
        h = self.bearer(e)
        r = e.request("DELETE", "/Rest/Users/MassUserDeletion", headers=h)
        self.assertEqual(r.status, 403)
        self.assertEqual(e.config()["environment"], "production")


# Faults

class FaultTest(EmulatorCase):
    PATH = "/rest/api/3/users/search"

    def get(self, e, path=PATH):
        return e.request("GET", path, headers={"Authorization": BASIC})

    def test_drop(self):
        e = self.emu("atlassian", drop_rate=1)
        with self.assertRaises((http.client.RemoteDisconnected,
                                ConnectionError)):
            self.get(e)
        entry = self.last(e)
        self.assertEqual((entry["status"], entry["fault"]), (0, "drop"))
        self.assertEqual(len(e.users()["users"]), 10)  # control unaffected

    def test_truncate(self):
        e = self.emu("atlassian", truncate_rate=1)
        with self.assertRaises(http.client.IncompleteRead):
            self.get(e)
        self.assertEqual(self.last(e)["fault"], "truncate")

    def test_html_error_unavailable_burst(self):
        e = self.emu("atlassian", html_rate=1)
        r = self.get(e)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
        e = self.emu("atlassian", error_rate=1)
        self.assertEqual(self.get(e).status, 500)
        self.assertEqual(self.last(e)["fault"], "error")
        e = self.emu("atlassian", fail_rate=1)
        retry = [self.get(e).headers["Retry-After"] for _ in range(20)]
        self.assertEqual(self.last(e)["status"], 503)
        self.assertEqual(self.last(e)["fault"], "unavailable")
        self.assertIn("1", retry)
        self.assertIn(None, retry)
        e = self.emu("atlassian", burst_429=1)
        r = self.get(e)
        self.assertEqual((r.status, r.headers["Retry-After"]), (429, "1"))
        self.assertEqual(self.last(e)["fault"], "burst_429")

    def test_faults_are_reproducible(self):
        def run(seed):
            e = self.emu("atlassian", error_rate=0.5, seed=seed)
            return [self.get(e).status for _ in range(30)]
        a, b, c = run(7), run(7), run(8)
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        self.assertIn(500, a)
        self.assertIn(200, a)

    def test_targeted_list_faults(self):
        e = self.emu("atlassian", users=120, fail_list_at=50,
                     html_list_at=100, truncate_list_at=0)
        r = self.get(e, self.PATH + "?startAt=0")
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.body), int(r.headers["Content-Length"]))
        with self.assertRaises(ValueError):
            r.json()
        for _ in range(2):
            self.assertEqual(self.get(e, self.PATH + "?startAt=50").status,
                             500)
        r = self.get(e, self.PATH + "?startAt=100")
        self.assertEqual(r.status, 200)
        self.assertIn(b"<html", r.body)
        self.assertEqual(len(self.get(e, self.PATH + "?startAt=51").json()),
                         50)
        self.assertEqual([x["fault"] for x in e.requests()],
                         ["truncate", "error", "error", "html", None])

    def test_targeted_faults_on_scim_offsets(self):
        e = self.emu("scim", users=30, fail_list_at=10)
        r = e.request("GET", "/scim/v2/Users?startIndex=11&count=10",
                      headers={"Authorization": BEARER})
        self.assertEqual(r.status, 500)

    def test_config_at_run_time(self):
        e = self.emu("atlassian")
        e.set_config(error_rate=1)
        self.assertEqual(self.get(e).status, 500)
        cfg = e.set_config(error_rate=0, latency_ms=150)
        self.assertEqual(cfg["latency_ms"], 150)
        t = time.monotonic()
        self.assertEqual(self.get(e).status, 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.15)
        t = time.monotonic()
        e.stats()  # the control API is never slowed down
        self.assertLess(time.monotonic() - t, 0.15)
        r = e.control("POST", "config", {"error_rate": 2})
        self.assertEqual(r.status, 400)
        r = e.control("POST", "config", {"no_such": 1})
        self.assertEqual(r.status, 400)
        e.set_config(rate_limit=1)
        self.get(e)
        self.assertEqual(self.get(e).status, 429)

    def test_body_limit_and_bad_json(self):
        e = self.emu("automation-anywhere")
        r = e.request("POST", "/v1/authentication",
                      body=b"x" * (17 << 20),
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413)
        self.assertTrue(self.last(e)["body"] is None)  # not kept
        r = e.request("POST", "/v1/authentication", body="[1,",
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)

    def test_odd_input_does_not_crash(self):
        e = self.emu("bevy")
        for path in ("/", "/api", "/api/user//", "/api/user/%00/",
                     "/api/user/?page=-1", "/api/user/?page_size=abc",
                     "/" + "a" * 3000, "/api/user/?page=99999999999999"):
            r = e.request("GET", path, headers={"Authorization": TOKEN})
            self.assertLess(r.status, 500, path)
        r = e.request("BREW", "/api/user/", headers={"Authorization": TOKEN})
        self.assertEqual(r.status, 404)
        self.assertTrue(e.running())


# Concurrency, log, stats, control API, population

class ServerTest(EmulatorCase):
    def test_parallel_requests_overlap(self):
        e = self.emu("atlassian", latency_ms=200)
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            t = time.monotonic()
            statuses = list(pool.map(
                lambda _: e.request("GET", "/rest/api/3/myself",
                                    headers={"Authorization": BASIC}).status,
                range(16)))
            elapsed = time.monotonic() - t
        self.assertEqual(statuses, [200] * 16)
        self.assertLess(elapsed, 1.6)  # 16 x 0.2 s in series would be 3.2 s
        self.assertGreaterEqual(e.stats()["max_inflight"], 8)
        self.assertEqual(max(x["inflight"] for x in e.requests()),
                         e.stats()["max_inflight"])

    def test_log_entries(self):
        e = self.emu("bevy")
        e.request("GET", "/api/user/?page=1&page_size=2",
                  headers={"Authorization": TOKEN, "X-Trace": "abc"})
        e.request("DELETE", "/api/user/1001/",
                  headers={"Authorization": TOKEN})
        e.users()  # control requests are not logged
        log = e.requests()
        self.assertEqual([x["seq"] for x in log], [1, 2])
        first = log[0]
        self.assertEqual(first["method"], "GET")
        self.assertEqual(first["path"], "/api/user/")
        self.assertEqual(first["query"], "page=1&page_size=2")
        self.assertEqual(first["headers"]["authorization"], "Token ****")
        self.assertEqual(first["headers"]["x-trace"], "abc")
        self.assertIsNone(first["body"])
        self.assertEqual((first["status"], first["fault"], first["auth"]),
                         (200, None, "ok"))
        self.assertEqual(first["inflight"], 1)
        self.assertAlmostEqual(first["t"], time.time(), delta=30)
        self.assertEqual(log[1]["status"], 204)
        self.assertEqual(log[1]["query"], "")

    def test_log_masks_json_and_form_secrets(self):
        e = self.emu("automation-anywhere")
        e.request("POST", "/v1/authentication/token",
                  json_body={"token": "secret-token", "nested": {
                      "access_token": "x", "keep": "visible"}})
        e.request("POST", "/v1/authentication",
                  body="username=admin&password=hunter2&apiKey=k",
                  headers={"Content-Type": "application/json"})
        log = e.requests()
        body = json.loads(log[0]["body"])
        self.assertEqual(body, {"token": "****", "nested": {
            "access_token": "****", "keep": "visible"}})
        self.assertEqual(log[1]["body"],
                         "username=admin&password=****&apiKey=****")
        self.assertNotIn("hunter2", json.dumps(log))

    def test_stats(self):
        e = self.emu("scim", rate_limit=2)
        h = {"Authorization": BEARER}
        for _ in range(3):
            e.request("GET", "/scim/v2/Users", headers=h)
        e.request("DELETE", "/scim/v2/Users/nope", headers=h)
        s = e.stats()
        self.assertEqual(s["requests"], 4)
        self.assertEqual(s["by_method"], {"GET": 3, "DELETE": 1})
        self.assertEqual(sum(s["by_status"].values()), 4)
        self.assertEqual(s["by_status"].get("429"), s["rate_limited"])
        self.assertEqual(sum(s["per_second"].values()), 4)
        for second in s["per_second"]:
            self.assertAlmostEqual(int(second), time.time(), delta=30)
        e.reset_stats()
        s = e.stats()
        self.assertEqual((s["requests"], s["by_status"], s["rate_limited"]),
                         (0, {}, 0))

    def test_control_users(self):
        e = self.emu("scim", users=2)
        new = e.add_user({"id": "n1", "username": "new", "email": "n@x.test",
                          "type": "robot"})
        self.assertEqual(new["type"], "robot")
        self.assertEqual(new["status"], "active")
        r = e.control("POST", "users", {"id": "n1"})
        self.assertEqual(r.status, 409)
        r = e.control("POST", "users", {"id": "n2", "type": "alien"})
        self.assertEqual(r.status, 400)
        r = e.control("POST", "users", {"username": "no id"})
        self.assertEqual(r.status, 400)
        h = {"Authorization": BEARER}
        total = e.request("GET", "/scim/v2/Users", headers=h).json()
        self.assertEqual(total["totalResults"], 3)
        patched = e.patch_user("n1", status="pending_deletion",
                               undeletable=True)
        self.assertEqual((patched["status"], patched["username"]),
                         ("pending_deletion", "new"))
        total = e.request("GET", "/scim/v2/Users", headers=h).json()
        self.assertEqual(total["totalResults"], 2)
        r = e.control("PATCH", "users/n1", {"id": "other"})
        self.assertEqual(r.status, 400)
        r = e.control("PATCH", "users/missing", {"name": "x"})
        self.assertEqual(r.status, 404)
        e.remove_user("n1")
        self.assertIsNone(e.user("n1"))
        self.assertEqual(e.control("DELETE", "users/n1").status, 404)
        e.add_user({"id": "n1", "username": "again"})  # id free again
        self.assertEqual(e.users()["users"][-1]["username"], "again")
        self.assertEqual(e.deletes(), {})  # control deletions don't count
        self.assertEqual(e.requests()[-1]["seq"], 2)

    def test_generation_is_deterministic(self):
        a = self.emu("atlassian", users=50, apps=2, robots=3, customers=4,
                     inactive=6, seed=42).users()
        b = self.emu("atlassian", users=50, apps=2, robots=3, customers=4,
                     inactive=6, seed=42).users()
        c = self.emu("atlassian", users=50, apps=2, robots=3, customers=4,
                     inactive=6, seed=43).users()
        self.assertEqual(a, b)
        self.assertNotEqual([u["id"] for u in a["users"]],
                            [u["id"] for u in c["users"]])
        users = a["users"]
        self.assertEqual(len(users), 59)
        self.assertEqual(len({u["id"] for u in users}), 59)
        self.assertEqual(a["caller"], users[0]["id"])
        self.assertEqual(users[0]["email"], "admin@example.test")
        self.assertEqual(users[7]["email"], "User000007@Example.test")
        self.assertEqual(users[8]["email"], "user000008@example.test")
        self.assertIsNone(users[8]["username"])  # atlassian has none
        types = [u["type"] for u in users]
        self.assertEqual(types.count("app"), 2)
        self.assertEqual(types.count("robot"), 3)
        self.assertEqual(types.count("customer"), 4)
        self.assertEqual(sum(1 for u in users if u["status"] == "inactive"),
                         6)
        self.assertEqual(users[0]["status"], "active")

    def test_id_styles(self):
        for vendor, pattern in (("atlassian", HEX24), ("scim", GUID),
                                ("uipath", GUID), ("bizagi", GUID),
                                ("bevy", re.compile(r"^1\d{3}$")),
                                ("automation-anywhere",
                                 re.compile(r"^1\d{3}$"))):
            users = self.emu(vendor, users=20).users()["users"]
            for u in users:
                self.assertRegex(u["id"], pattern, vendor)
            if vendor != "atlassian":
                self.assertEqual(users[3]["username"], "user000003")

    def test_population_file_forms(self):
        e = self.emu("atlassian", population=[
            {"id": "x", "email": "someone@example.test"},
            {"id": "y", "email": "ADMIN@example.test"}])
        self.assertEqual(e.users()["caller"], "y")  # matches --username
        e = self.emu("scim", population={"caller": "x", "users": [
            {"id": "x", "username": "x"}, {"id": 17, "username": "n"}]})
        dump = e.users()
        self.assertEqual(dump["caller"], "x")
        self.assertEqual(dump["users"][1]["id"], "17")

    def test_bad_population_files(self):
        for pop in ([{"id": "a"}, {"id": "a"}], [{"name": "no id"}],
                    {"caller": "zz", "users": [{"id": "a"}]},
                    [{"id": "a", "status": "sleeping"}],
                    [{"id": "a", "colour": "red"}]):
            with self.assertRaises(EmulatorError):
                Emulator("scim", population=pop).start()

    def test_deep_paging_after_deletions(self):
        e = self.emu("scim", users=3000, seed=5)
        h = {"Authorization": BEARER}
        ids = [u["id"] for u in e.users()["users"]]
        gone = set(ids[1::3]) | set(ids[2500:2600])
        for uid in gone:
            e.remove_user(uid)
        e.patch_user(ids[3], status="pending_deletion")
        expect = [i for i in ids if i not in gone and i != ids[3]]
        seen, start = [], 1
        while True:
            page = e.request("GET", "/scim/v2/Users?startIndex=%d&count=333"
                             % start, headers=h).json()
            self.assertEqual(page["totalResults"], len(expect))
            if not page["Resources"]:
                break
            seen += [u["id"] for u in page["Resources"]]
            start += len(page["Resources"])
        self.assertEqual(seen, expect)


class ProcessTest(unittest.TestCase):
    def test_sigint_stops_cleanly_and_flushes_the_log(self):
        e = Emulator("bevy")
        e.start()
        e.request("GET", "/api/user/", headers={"Authorization": TOKEN})
        self.assertEqual(e.stop(sig=signal.SIGINT), 0)
        self.assertEqual(len(e.requests()), 1)  # still readable after stop

    def test_refuses_non_loopback_and_bad_flags(self):
        for args in (["--vendor", "scim", "--bind", "0.0.0.0"],
                     ["--vendor", "scim", "--bind", "192.168.1.1"],
                     ["--vendor", "nope"], ["--users", "3"],
                     ["--vendor", "scim", "--fail-rate", "1.5"],
                     ["--vendor", "scim", "--users", "3", "--inactive", "3"],
                     ["--vendor", "scim", "--short-page-at", "12"],
                     ["--vendor", "scim", "extra"]):
            p = subprocess.run([emulator_path()] + args, timeout=10,
                               stdin=subprocess.DEVNULL,
                               capture_output=True)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertEqual(p.stdout, b"", args)
            self.assertIn(b"userprune-emulator:", p.stderr, args)

    def test_port_file_and_fixed_port(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        e = Emulator("scim", port_file=os.path.join(tmp, "port"))
        e.start()
        try:
            with open(os.path.join(tmp, "port")) as f:
                self.assertEqual(int(f.read()), e.port)
            self.assertEqual(e.base_url(), e.origin + "/scim/v2")
            self.assertRegex(e.origin, r"^http://127\.0\.0\.1:\d+$")
        finally:
            e.stop()
        self.assertEqual(e.base_url("uipath"), e.origin + "/acme")

    @unittest.skipUnless(shutil.which("openssl"), "needs openssl")
    def test_tls(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                        "-subj", "/CN=127.0.0.1"], check=True,
                       capture_output=True, timeout=60)
        with Emulator("bevy", tls_cert=cert, tls_key=key) as e:
            self.assertTrue(e.origin.startswith("https://127.0.0.1:"))
            page = e.request("GET", "/api/user/?page_size=2",
                             headers={"Authorization": TOKEN}).json()
            self.assertTrue(page["links"]["next"].startswith(e.origin + "/api/user/"))
            self.assertEqual(len(e.users()["users"]), 10)


if __name__ == "__main__":
    unittest.main()
