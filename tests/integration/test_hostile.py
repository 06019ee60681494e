"""Servers that misbehave in ways the emulator does not: userprune must end
with an error, never plan from a partial listing, never count an
unreadable answer as a deletion, and never loop."""

import up
from scripted import Server

SECRET = up.SECRET


def jira_user(i):
    return {"accountId": "a%04d" % i, "accountType": "atlassian",
            "emailAddress": "u%04d@x.example" % i, "active": True,
            "displayName": "User %d" % i}


class HostileTest(up.TestCase):

    def serve(self, handler):
        s = Server(lambda r: handler(r.method, r.path, r.query))
        self.addCleanup(s.close)
        return s

    def config(self, vendor, url, **extra):
        t = {"name": "t1", "vendor": vendor, "url": url,
             "auth": up.AUTH[vendor], "keep": ["nobody@x.example"],
             "policy": {"max_deletions": 10000, "max_delete_percent": 100},
             "limits": {"requests_per_second": 0, "max_attempts": 1}}
        t.update(extra)
        self.write_config(t)

    def test_empty_page_below_the_total_is_not_the_end(self):
        def scim(method, path, q):
            if path.endswith("/Users"):
                start = int(q.get("startIndex", 1))
                users = [] if start > 100 else [
                    {"id": "u%d" % i, "userName": "u%d" % i}
                    for i in range(start, min(start + 100, 101))]
                return 200, "application/scim+json", {
                    "totalResults": 300, "startIndex": start,
                    "itemsPerPage": len(users), "Resources": users}
            return 404, "application/json", {}
        s = self.serve(scim)
        self.config("scim", s.url)
        p = self.up("plan", "-o", "plan.json")
        self.assertRan(p, 3)  # part-way: the DESIGN guard
        self.assertIn("listing is incomplete", p.stdout + p.stderr)
        self.assertEqual(self.read_plan()["tenants"][0]["delete"], [])

    def test_a_server_ignoring_the_offset_does_not_loop(self):
        def jira(method, path, q):
            if path.endswith("/myself"):
                return 200, "application/json", {"accountId": "a0000"}
            # always the first page, whatever startAt says
            return 200, "application/json", [jira_user(i)
                                             for i in range(50)]
        s = self.serve(jira)
        self.config("atlassian", s.url)
        p = self.up("plan", timeout=60)
        self.assertRan(p, 3)  # part-way: the DESIGN guard
        self.assertIn("does not honour the offset", p.stdout + p.stderr)
        self.assertLess(len(s.requests), 20)

    def test_a_web_page_answering_a_delete_is_no_deletion(self):
        def jira(method, path, q):
            if path.endswith("/myself"):
                return 200, "application/json", {"accountId": "a0000"}
            if method == "DELETE":
                return 200, "text/html", "<html><body>Log in</body></html>"
            start = int(q.get("startAt", 0))
            return 200, "application/json", [
                jira_user(i) for i in range(start, min(start + 1000, 5))]
        s = self.serve(jira)
        self.config("atlassian", s.url)
        p = self.up("apply", "--yes", "--journal", "j.jsonl")
        self.assertRan(p, 4)
        out = self.outcomes("j.jsonl")
        # the canary failed: nothing counted as deleted, the rest not tried
        self.assertEqual(list(out.values()), ["failed"])
        self.assertIn("Log in", open(self.path("j.jsonl")).read())
