"""Deactivate now, delete later (README, examples/two-phase-*): the demo
script runs both reviewed changes against the emulator with a restore in
between, and each step did exactly what its plan said."""

import json
import os
import subprocess

import up
from emu import REPO, emulator_path
from up import writes

LEAVERS = ["u-rehearsal-1", "u-rehearsal-2", "u-rehearsal-3", "u-old-intern"]


class TwoPhaseTest(up.TestCase):

    def test_the_demo_runs_both_changes_and_a_restore(self):
        work = self.path("demo")
        env = dict(self.env, USERPRUNE=up.binary(),
                   USERPRUNE_EMULATOR=emulator_path())
        p = subprocess.run([os.path.join(REPO, "examples",
                                         "two-phase-demo.sh"), work],
                           env=env, capture_output=True, text=True,
                           timeout=300)
        self.assertRan(p, 0)
        for mark in up.SANITIZER_MARKS:
            self.assertNotIn(mark, p.stderr)

        def outcomes(name):
            with open(os.path.join(work, name)) as f:
                return {l["id"]: l["outcome"] for l in map(json.loads, f)
                        if l["type"] == "outcome"}

        # change 1 deactivated everyone not kept (the inactive one was
        # done already), the restore brought carla back, change 2 deleted
        # whoever was still inactive
        self.assertEqual(outcomes("journal-1.jsonl"),
                         {i: "deactivated" for i in LEAVERS + ["u-carla"]})
        self.assertEqual(outcomes("restore-1.jsonl"), {"u-carla": "restored"})
        self.assertEqual(outcomes("journal-2.jsonl"),
                         {i: "deleted" for i in LEAVERS + ["u-old-vendor"]})
        self.assertIn("By effect: 5 deactivated (restore with userprune "
                      "restore).", p.stdout)
        self.assertIn("By effect: 5 deleted (irreversible).", p.stdout)
        self.assertIn("No changes", p.stdout.rsplit("$ userprune", 1)[1])
        with open(os.path.join(work, "requests.jsonl")) as f:
            log = [json.loads(l) for l in f if l.strip()]
        sent = [(r["method"], r["path"].rsplit("/", 1)[1],
                 json.loads(r["body"])["Operations"][0]["value"]
                 if r["method"] == "PATCH" else None)
                for r in writes(log)]
        self.assertEqual(
            sorted(sent),
            sorted([("PATCH", i, False) for i in LEAVERS + ["u-carla"]] +
                   [("PATCH", "u-carla", True)] +
                   [("DELETE", i, None)
                    for i in LEAVERS + ["u-old-vendor"]]))
